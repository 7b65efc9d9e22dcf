package odoo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// SearchOptions are the optional parameters of searches and reads; nil means
// defaults (all matching records, server order, the client's context).
type SearchOptions struct {
	// Fields to read. Nil means: for a struct destination, the fields its
	// `odoo` tags name (only those the server has, see Client); for maps, all.
	Fields  []string
	Limit   int    // 0 = no limit
	Offset  int    // records to skip
	Order   string // e.g. "name asc, id desc"
	Context *Context
}

// CallOptions are the optional parameters of writes and other helpers.
type CallOptions struct {
	Context *Context
	// Idempotent allows retrying this call on transient failures even though
	// it writes; set it only when sending it twice is harmless.
	Idempotent bool
}

func (o *SearchOptions) ctx() *Context {
	if o == nil {
		return nil
	}
	return o.Context
}

func (o *CallOptions) req(r Request) Request {
	if o != nil {
		r.Context = o.Context
		r.Idempotent = o.Idempotent
	}
	return r
}

func (o *SearchOptions) pagingKwargs(kw map[string]any) map[string]any {
	if o == nil {
		return kw
	}
	if o.Offset > 0 {
		kw["offset"] = o.Offset
	}
	if o.Limit > 0 {
		kw["limit"] = o.Limit
	}
	if o.Order != "" {
		kw["order"] = o.Order
	}
	return kw
}

func domainArg(d Domain) Domain {
	if d == nil {
		return Domain{}
	}
	return d
}

// Search returns the ids of the records matching domain. No match is an
// empty slice, not an error.
//
// API docs: https://www.odoo.com/documentation/19.0/developer/reference/backend/orm.html#odoo.models.Model.search
func (c *Client) Search(ctx context.Context, model string, domain Domain, opts *SearchOptions) ([]int64, error) {
	ids := []int64{}
	kw := opts.pagingKwargs(map[string]any{})
	err := c.Do(ctx, Request{Model: model, Method: "search", Args: []any{domainArg(c.renameDomain(ctx, model, domain))}, Kwargs: kw, Context: opts.ctx()}, &ids)
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// SearchCount returns how many records match domain.
func (c *Client) SearchCount(ctx context.Context, model string, domain Domain, opts *CallOptions) (int64, error) {
	var n int64
	err := c.Do(ctx, opts.req(Request{Model: model, Method: "search_count", Args: []any{domainArg(c.renameDomain(ctx, model, domain))}}), &n)
	return n, err
}

// SearchRead reads the records matching domain into dest, a pointer to a
// slice of tagged structs (or of map[string]any). No match leaves an empty
// slice.
func (c *Client) SearchRead(ctx context.Context, model string, domain Domain, opts *SearchOptions, dest any) error {
	sv, ep, err := c.sliceDest(dest)
	if err != nil {
		return err
	}
	fields, renames, err := c.fieldList(ctx, model, ep, opts)
	if err != nil {
		return err
	}
	kw := opts.pagingKwargs(map[string]any{})
	if fields != nil {
		kw["fields"] = fields
	}
	if err := c.do(ctx, Request{Model: model, Method: "search_read", Args: []any{domainArg(c.renameDomain(ctx, model, domain))}, Kwargs: kw, Context: opts.ctx()}, dest, renames); err != nil {
		return err
	}
	if sv.IsNil() {
		sv.Set(reflect.MakeSlice(sv.Type(), 0, 0))
	}
	return nil
}

// Read reads records by id into dest (pointer to a slice), in chunks of the
// client's read chunk size (WithReadChunkSize), one call per chunk. Ids that
// no longer exist are skipped by Odoo, so dest may be shorter than ids.
func (c *Client) Read(ctx context.Context, model string, ids []int64, opts *SearchOptions, dest any) error {
	sv, ep, err := c.sliceDest(dest)
	if err != nil {
		return err
	}
	fields, renames, err := c.fieldList(ctx, model, ep, opts)
	if err != nil {
		return err
	}
	out := reflect.MakeSlice(sv.Type(), 0, len(ids))
	for start := 0; start < len(ids); start += c.chunk {
		end := min(start+c.chunk, len(ids))
		kw := map[string]any{}
		if fields != nil {
			kw["fields"] = fields
		}
		part := reflect.New(sv.Type())
		if err := c.do(ctx, Request{Model: model, Method: "read", Args: []any{ids[start:end]}, Kwargs: kw, Context: opts.ctx()}, part.Interface(), renames); err != nil {
			return err
		}
		out = reflect.AppendSlice(out, part.Elem())
	}
	sv.Set(out)
	return nil
}

// Get reads one record by id into dest (a pointer to a tagged struct or a
// map). A missing id returns an error wrapping ErrNotFound.
func (c *Client) Get(ctx context.Context, model string, id int64, opts *SearchOptions, dest any) error {
	rv := reflect.ValueOf(dest)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("odoo: Get: dest must be a non-nil pointer, got %T", dest)
	}
	sp := reflect.New(reflect.SliceOf(rv.Type().Elem()))
	if err := c.Read(ctx, model, []int64{id}, opts, sp.Interface()); err != nil {
		return err
	}
	if sp.Elem().Len() == 0 {
		return fmt.Errorf("odoo: get %s %d: %w", model, id, ErrNotFound)
	}
	rv.Elem().Set(sp.Elem().Index(0))
	return nil
}

// Create creates one record from vals (a map or tagged struct) and returns its id.
func (c *Client) Create(ctx context.Context, model string, vals any, opts *CallOptions) (int64, error) {
	if vals == nil || isList(vals) {
		return 0, errors.New("odoo: Create: vals must be one map or struct; use CreateMany for a list")
	}
	var id int64
	err := c.Do(ctx, opts.req(Request{Model: model, Method: "create", Args: []any{c.renameVals(ctx, model, vals)}}), &id)
	return id, err
}

// CreateMany creates one record per element of valsList (a slice of maps or
// structs) in one call and returns their ids in order.
func (c *Client) CreateMany(ctx context.Context, model string, valsList any, opts *CallOptions) ([]int64, error) {
	if !isList(valsList) {
		return nil, errors.New("odoo: CreateMany: valsList must be a slice")
	}
	if reflect.ValueOf(valsList).Len() == 0 {
		return []int64{}, nil
	}
	ids := []int64{}
	err := c.Do(ctx, opts.req(Request{Model: model, Method: "create", Args: []any{c.renameVals(ctx, model, valsList)}}), &ids)
	return ids, err
}

// Write sets vals on the records ids. Write false (or an unset Many2One,
// String, Date…) to clear a field.
func (c *Client) Write(ctx context.Context, model string, ids []int64, vals any, opts *CallOptions) error {
	if len(ids) == 0 {
		return nil
	}
	var ok bool
	return c.Do(ctx, opts.req(Request{Model: model, Method: "write", Args: []any{ids, c.renameVals(ctx, model, vals)}}), &ok)
}

// Unlink deletes the records ids.
func (c *Client) Unlink(ctx context.Context, model string, ids []int64, opts *CallOptions) error {
	if len(ids) == 0 {
		return nil
	}
	var ok bool
	return c.Do(ctx, opts.req(Request{Model: model, Method: "unlink", Args: []any{ids}}), &ok)
}

// NameSearchOptions are name_search's optional parameters.
type NameSearchOptions struct {
	Domain   Domain // extra filter
	Operator Op     // default "ilike"
	Limit    int    // default 100
	Context  *Context
}

// NameSearch returns (id, display name) pairs whose name matches name.
// Arguments are sent positionally so the call works on Odoo 16–19 (the
// domain parameter was renamed from args to domain in 18).
func (c *Client) NameSearch(ctx context.Context, model, name string, opts *NameSearchOptions) ([]Many2One, error) {
	op, limit, dom, cctx := OpILike, 100, Domain{}, (*Context)(nil)
	if opts != nil {
		if opts.Operator != "" {
			op = opts.Operator
		}
		if opts.Limit > 0 {
			limit = opts.Limit
		}
		if opts.Domain != nil {
			dom = opts.Domain
		}
		cctx = opts.Context
	}
	out := []Many2One{}
	err := c.Do(ctx, Request{Model: model, Method: "name_search", Args: []any{name, dom, string(op), limit}, Context: cctx}, &out)
	return out, err
}

// Field is one entry of fields_get.
type Field struct {
	Type      string      `odoo:"type"`
	String    string      `odoo:"string"`
	Help      string      `odoo:"help"`
	Relation  string      `odoo:"relation"`
	Required  bool        `odoo:"required"`
	Readonly  bool        `odoo:"readonly"`
	Store     bool        `odoo:"store"`
	Selection [][2]string `odoo:"selection"` // (key, label) pairs of selection fields
}

// FieldsGet returns the model's fields. attributes limits what is described
// (nil: string, type, relation, required, readonly, selection).
func (c *Client) FieldsGet(ctx context.Context, model string, attributes []string, opts *CallOptions) (map[string]Field, error) {
	if attributes == nil {
		attributes = []string{"string", "type", "relation", "required", "readonly", "selection"}
	}
	out := map[string]Field{}
	err := c.Do(ctx, opts.req(Request{Model: model, Method: "fields_get", Kwargs: map[string]any{"attributes": attributes}}), &out)
	return out, err
}

// ReadGroupOptions are read_group's optional parameters.
type ReadGroupOptions struct {
	Offset  int
	Limit   int
	OrderBy string
	Lazy    *bool // nil: Odoo's default (true)
	Context *Context
}

// ReadGroup runs the classic read_group (Odoo ≤ 18; deprecated but answered
// on 19, where FormattedReadGroup replaces it) and decodes the groups into
// dest (pointer to a slice of maps or structs; counts are "<field>_count"
// and "__count", the group filter "__domain").
func (c *Client) ReadGroup(ctx context.Context, model string, domain Domain, fields, groupby []string, opts *ReadGroupOptions, dest any) error {
	kw := map[string]any{}
	var cctx *Context
	if opts != nil {
		if opts.Offset > 0 {
			kw["offset"] = opts.Offset
		}
		if opts.Limit > 0 {
			kw["limit"] = opts.Limit
		}
		if opts.OrderBy != "" {
			kw["orderby"] = opts.OrderBy
		}
		if opts.Lazy != nil {
			kw["lazy"] = *opts.Lazy
		}
		cctx = opts.Context
	}
	if fields == nil {
		fields = []string{}
	}
	return c.Do(ctx, Request{Model: model, Method: "read_group", Args: []any{domainArg(c.renameDomain(ctx, model, domain)), fields, groupby}, Kwargs: kw, Context: cctx}, dest)
}

// FormattedReadGroup runs Odoo 19's formatted_read_group: groups by groupby
// with aggregates such as "__count" or "amount_total:sum"; each group has
// the groupby values, the aggregates and "__extra_domain".
func (c *Client) FormattedReadGroup(ctx context.Context, model string, domain Domain, groupby, aggregates []string, opts *SearchOptions, dest any) error {
	kw := map[string]any{"groupby": groupby, "aggregates": aggregates}
	if opts != nil {
		if opts.Offset > 0 {
			kw["offset"] = opts.Offset
		}
		if opts.Limit > 0 {
			kw["limit"] = opts.Limit
		}
		if opts.Order != "" {
			kw["order"] = opts.Order
		}
	}
	return c.Do(ctx, Request{Model: model, Method: "formatted_read_group", Args: []any{domainArg(c.renameDomain(ctx, model, domain))}, Kwargs: kw, Context: opts.ctx()}, dest)
}

// sliceDest checks that dest is a pointer to a slice and returns it with
// the element plan.
func (c *Client) sliceDest(dest any) (reflect.Value, *plan, error) {
	rv := reflect.ValueOf(dest)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Slice {
		return reflect.Value{}, nil, fmt.Errorf("odoo: destination must be a pointer to a slice, got %T", dest)
	}
	sv := rv.Elem()
	return sv, c.plans.get(sv.Type().Elem()), nil
}

// ---- fields learned from the server ----

// modelFields is the cached fields_get of one model.
type modelFields struct {
	mu     sync.Mutex
	loaded bool
	names  map[string]Field
}

// ModelFields returns the model's fields as learned once per client (a
// fields_get of type and relation, cached; concurrent callers share it).
// See ForgetFields for when the cache is dropped.
func (c *Client) ModelFields(ctx context.Context, model string) (map[string]Field, error) {
	c.fieldsMu.Lock()
	mf := c.fields[model]
	if mf == nil {
		mf = &modelFields{}
		c.fields[model] = mf
	}
	c.fieldsMu.Unlock()
	mf.mu.Lock()
	defer mf.mu.Unlock()
	if mf.loaded {
		return mf.names, nil
	}
	names, err := c.FieldsGet(ctx, model, []string{"type", "relation"}, nil)
	if err != nil {
		return nil, err
	}
	mf.names, mf.loaded = names, true
	return names, nil
}

// ForgetFields drops the learned fields (see ModelFields) of the given
// models, or of every model when called without arguments, so that the
// next typed read asks the server again. The client already forgets on
// its own after creating, writing or deleting ir.model.fields or ir.model
// records through it; call ForgetFields when fields change another way
// (another client, a module installed, a field created in the UI).
func (c *Client) ForgetFields(models ...string) {
	c.fieldsMu.Lock()
	defer c.fieldsMu.Unlock()
	if len(models) == 0 {
		clear(c.fields)
		return
	}
	for _, m := range models {
		delete(c.fields, m)
	}
}

// forgetChangedFields invalidates the fields cache after a call that may
// have changed a model's fields: create, write or unlink on ir.model.fields
// or ir.model. A create whose every vals names its model ("model": "res.partner")
// forgets those models; anything else (vals by model_id, a write, an unlink)
// forgets every model.
func (c *Client) forgetChangedFields(r Request) {
	if r.Model != "ir.model.fields" && r.Model != "ir.model" {
		return
	}
	switch r.Method {
	case "create", "write", "unlink":
	default:
		return
	}
	if r.Method == "create" {
		if names, ok := createdModels(r); ok {
			c.ForgetFields(names...)
			return
		}
	}
	c.ForgetFields()
}

// createdModels lists the "model" of every vals of a create request; ok
// is false when one of them does not say (or is not a map).
func createdModels(r Request) ([]string, bool) {
	var vals any
	switch {
	case len(r.Args) > 0:
		vals = r.Args[0]
	case r.Kwargs["vals_list"] != nil:
		vals = r.Kwargs["vals_list"]
	default:
		return nil, false
	}
	var list []any
	switch v := vals.(type) {
	case map[string]any:
		list = []any{v}
	case []map[string]any:
		for _, m := range v {
			list = append(list, m)
		}
	case []any:
		list = v
	default:
		return nil, false
	}
	var names []string
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, false
		}
		name, ok := m["model"].(string)
		if !ok || name == "" {
			return nil, false
		}
		names = append(names, name)
	}
	return names, len(names) > 0
}

// fieldList decides which fields a typed read asks for: the explicit
// opts.Fields; else, for struct elements, each tagged field under the first
// of its names the server knows — the tag name, its alias= names, then the
// known renames between Odoo versions (knownRenames) — so fields the server
// lacks are left out and stay zero; else nil (all fields). renames maps an
// answer field name to the tag name when a built-in rename was used.
func (c *Client) fieldList(ctx context.Context, model string, ep *plan, opts *SearchOptions) ([]string, map[string]string, error) {
	if opts != nil && opts.Fields != nil {
		fields, renames := c.renameFields(ctx, model, opts.Fields)
		return fields, renames, nil
	}
	for ep.kind == pkPtr {
		ep = ep.elem
	}
	if ep.kind != pkStruct {
		return nil, nil, nil
	}
	if !c.discovery {
		return ep.fieldNames(), nil, nil
	}
	known, err := c.ModelFields(ctx, model)
	if err != nil {
		return nil, nil, err
	}
	out := make([]string, 0, len(ep.list))
	var renames map[string]string
	table := knownRenames(model)
	for _, f := range ep.list {
		if _, ok := known[f.name]; ok {
			out = append(out, f.name)
			continue
		}
		found := false
		for _, a := range f.aliases {
			if _, ok := known[a]; ok {
				out = append(out, a)
				found = true
				break
			}
		}
		if found {
			continue
		}
		if alt, ok := table[f.name]; ok {
			if _, ok := known[alt]; ok && ep.fields[alt] == nil {
				out = append(out, alt)
				if renames == nil {
					renames = map[string]string{}
				}
				renames[alt] = f.name
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "id")
	}
	return out, renames, nil
}

// knownRenames lists fields renamed between Odoo versions, in both
// directions, so a struct tagged with either name reads from either server.
func knownRenames(model string) map[string]string {
	switch model {
	case "sale.order.line":
		return map[string]string{"tax_ids": "tax_id", "tax_id": "tax_ids", "product_uom_id": "product_uom", "product_uom": "product_uom_id"}
	case "account.payment":
		return map[string]string{"memo": "ref", "ref": "memo"}
	}
	return nil
}
