// Package odoo is a typed, fast client for Odoo 16–19 (and 20+, where only
// JSON-2 remains) over its three external APIs: XML-RPC (/xmlrpc/2/…),
// JSON-RPC (/jsonrpc) and JSON-2 (/json/2/<model>/<method>, Odoo 19+).
//
// # Client
//
// NewClient takes the base URL and validated functional options; it does no
// I/O. The protocol is chosen with WithProtocol or detected once on first use
// (ProtocolAuto): GET /web/version, then JSON-RPC, then XML-RPC; JSON-2 is
// preferred on Odoo ≥ 19 when an API key is configured. The uid is obtained
// lazily with authenticate and cached; authenticate answering false is an
// *Error of KindAccessDenied. A Client is safe for concurrent use and should
// be reused: it caches the uid, decoding plans per Go type, the fields each
// model has, and keeps HTTP connections alive.
//
//	c, err := odoo.NewClient("https://erp.example.com",
//		odoo.WithDatabase("prod"), odoo.WithLogin("api@example.com", key),
//		odoo.WithContext(odoo.Context{Lang: "es_MX", TZ: "America/Mexico_City"}))
//	var partners []odoo.Partner
//	err = c.SearchRead(ctx, "res.partner", odoo.Eq("is_company", true), &odoo.SearchOptions{Limit: 50}, &partners)
//
// # Calls
//
// Call and Do run any method with positional args and keyword kwargs, as
// execute_kw takes them. JSON-2 only takes named arguments: positional
// arguments of the ORM methods are renamed after their Odoo 19 signature
// (search: domain, offset, limit, order; search_read: domain, fields, offset,
// limit, order; search_count: domain, limit; read: ids, fields, load; write:
// ids, vals; create: vals_list; unlink: ids; fields_get: allfields,
// attributes; name_search: name, domain, operator, limit; read_group:
// domain, fields, groupby, offset, limit, orderby, lazy;
// formatted_read_group: domain, groupby, aggregates, having, offset, limit,
// order; copy: ids, default; default_get: fields; name_create: name). For
// any other method the first positional argument is the record ids and the
// rest must be passed in kwargs. create with one dict is sent as a
// one-element vals_list and the answer unwrapped, so every protocol returns
// the same id.
//
// The typed helpers (Search, SearchRead, Read, Get, SearchCount, Create,
// CreateMany, Write, Unlink, NameSearch, FieldsGet, ReadGroup,
// FormattedReadGroup, LoadRelated) send the same named arguments on every
// protocol. An empty search is an empty slice; only Get returns ErrNotFound.
//
// # Values
//
// Results decode straight from the wire into the destination: structs by
// `odoo:"field"` tags, slices, maps, []int64, scalars, decimal.Decimal,
// time.Time and the nullable types Many2One, String, Int, Float, Selection,
// Date and DateTime. Odoo sends false for every empty non-boolean field;
// that decodes as the zero (not Valid) value, never as an error. Money is
// decimal.Decimal parsed from the wire text (XML <double>, the JSON number
// literal) without a float64 round trip. Datetimes are UTC. Decoding into
// *any gives the same normalised data whatever the protocol: map[string]any,
// []any, int64, json.Number (non-integers, as sent), string, bool, nil.
// Encoding writes unset Many2One and invalid nullable values as false,
// decimals as numbers, dates in Odoo's formats, and calls MarshalOdoo on
// values implementing Marshaler.
//
// # Versions
//
// A tag may carry aliases: `odoo:"tax_ids,alias=tax_id"` reads tax_ids on
// Odoo 19 and tax_id on 17; without an alias, a built-in table of known
// renames (sale.order.line tax_id/tax_ids and product_uom/product_uom_id,
// account.payment ref/memo) applies both ways. Typed reads without explicit Fields learn the
// model's fields once per client (fields_get, cached) and ask only for the
// fields the server has, under whichever name it knows; fields it lacks
// (res.partner.mobile on 19) stay zero. Unknown fields in answers are ignored.
// The same renames apply to names given explicitly: SearchOptions.Fields, the
// keys of map vals given to Create, CreateMany and Write, and the fields of
// domain leaves in the typed helpers. A name the server lacks is sent under
// its known rename when the server has that one, and answers decoded into maps
// carry the caller's name. This uses the model's fields as the client learned
// them: fetched once (cached) when field discovery is on and one of the names
// has a known rename, else only if already learned (ModelFields); models
// without renames cost no round trip.
// The client forgets what it learned after creating, writing or deleting
// ir.model.fields (or ir.model) records through it — the model named in
// the vals, else every model — and [Client.ForgetFields] drops it on demand
// when fields change elsewhere.
//
// # Errors
//
// Every failure is an *Error with a Kind (errors.Is(err, odoo.ErrAccessDenied)
// …), the Odoo exception name, message and traceback, mapped from XML-RPC
// faults (codes 3, 4, 2 and 1 plus the message), JSON-RPC error.data.name
// and JSON-2's HTTP status and body. As on Odoo, where ValidationError is a
// subclass of UserError, errors.Is(err, odoo.ErrUserError) is also true for a
// KindValidationError error (whose Kind stays ValidationError and which is
// still ErrValidationError), so code handling user errors handles validation
// errors on every protocol. An answer that is not Odoo's (an HTML
// page from a proxy, a truncated body) is KindTransport when the status is
// ≥ 400 or the body broke off before its end, and KindProtocol otherwise
// (also when a malformed body first shows as a type mismatch); its text
// names the HTTP status, the content type and the
// first bytes. Cancellation returns ctx.Err().
//
// # Resilience
//
// Refused connections and HTTP 429/502/503/504 are retried with backoff
// (honouring Retry-After) on read methods only; a write is sent once unless
// the caller marks it Idempotent. Response bodies are capped
// (WithMaxBodyBytes) and nesting is bounded; malformed input is an error,
// never a panic.
package odoo
