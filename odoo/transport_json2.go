package odoo

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
)

// json2Transport speaks Odoo 19's JSON-2 API: POST /json/2/<model>/<method>
// with named arguments, "Authorization: bearer <API key>" and X-Odoo-Database.
type json2Transport struct{ c *Client }

func (t *json2Transport) protocol() Protocol { return ProtocolJSON2 }

// json2Positional names the positional parameters of the ORM methods whose
// signatures are known (Odoo 19). For any other method the first positional
// argument is the record ids.
func json2Positional(method string) []string {
	switch method {
	case "search":
		return []string{"domain", "offset", "limit", "order"}
	case "search_read":
		return []string{"domain", "fields", "offset", "limit", "order"}
	case "search_count":
		return []string{"domain", "limit"}
	case "search_fetch":
		return []string{"domain", "field_names", "offset", "limit", "order"}
	case "read":
		return []string{"ids", "fields", "load"}
	case "write":
		return []string{"ids", "vals"}
	case "create":
		return []string{"vals_list"}
	case "unlink":
		return []string{"ids"}
	case "copy":
		return []string{"ids", "default"}
	case "fields_get":
		return []string{"allfields", "attributes"}
	case "name_search":
		return []string{"name", "domain", "operator", "limit"}
	case "name_create":
		return []string{"name"}
	case "default_get":
		return []string{"fields"}
	case "read_group":
		return []string{"domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"}
	case "formatted_read_group":
		return []string{"domain", "groupby", "aggregates", "having", "offset", "limit", "order"}
	}
	return nil
}

// json2Body maps a logical call to JSON-2's named arguments. create with a
// single dict is sent as a one-element vals_list and its one-element answer
// unwrapped, so results match XML-RPC and JSON-RPC.
func json2Body(r *request) (map[string]any, bool, error) {
	body := make(map[string]any, len(r.args)+len(r.kwargs))
	names := json2Positional(r.method)
	if names == nil {
		names = []string{"ids"}
	}
	unwrap := false
	for i, a := range r.args {
		if i >= len(names) {
			return nil, false, fmt.Errorf("odoo: JSON-2 takes named arguments only: pass positional argument %d of %s in kwargs", i, r.method)
		}
		name := names[i]
		switch name {
		case "ids":
			a = idsArg(a)
		case "vals_list":
			if !isList(a) {
				a = []any{a}
				unwrap = true
			}
		}
		body[name] = a
	}
	for k, v := range r.kwargs {
		if _, dup := body[k]; dup {
			return nil, false, fmt.Errorf("odoo: JSON-2: argument %q given both positionally and by name", k)
		}
		body[k] = v
	}
	return body, unwrap, nil
}

// idsArg accepts a single id where a list is expected.
func idsArg(a any) any {
	switch v := a.(type) {
	case int:
		return []int64{int64(v)}
	case int64:
		return []int64{v}
	}
	return a
}

func isList(a any) bool {
	if a == nil {
		return false
	}
	switch a.(type) {
	case []any, []map[string]any:
		return true
	}
	k := reflect.TypeOf(a).Kind()
	return k == reflect.Slice || k == reflect.Array
}

type json2ErrorBody struct {
	Name    string `odoo:"name"`
	Message string `odoo:"message"`
	Debug   string `odoo:"debug"`
}

func (t *json2Transport) execute(ctx context.Context, r *request, dst any) error {
	c := t.c
	body, unwrap, err := json2Body(r)
	if err != nil {
		e := c.newErr("call", r, KindProtocol)
		e.Err = err
		return e
	}
	buf := c.getBuf()
	defer c.putBuf(buf)
	if err := encodeJSON(buf, &c.plans, body); err != nil {
		e := c.newErr("call", r, KindProtocol)
		e.Err = err
		return e
	}
	hdr := http.Header{
		"Content-Type":  {"application/json"},
		"Authorization": {"bearer " + c.apiKey},
	}
	if c.db != "" {
		hdr["X-Odoo-Database"] = []string{c.db}
	}
	path := "/json/2/" + url.PathEscape(r.model) + "/" + url.PathEscape(r.method)
	h, err := c.send(ctx, http.MethodPost, path, buf.Bytes(), hdr, r.retry, "call", r)
	if err != nil {
		return err
	}
	defer c.putBuf(h.body)
	if err := t.decode("call", r, h, dst, unwrap); err != nil {
		zeroDest(dst) // never a partial result
		return err
	}
	return nil
}

func (t *json2Transport) decode(op string, r *request, h *httpResult, dst any, unwrap bool) error {
	c := t.c
	b := h.body.Bytes()
	if !looksLikeJSON(b) {
		return c.foreignBody(op, r, h, nil)
	}
	src := &jsonSource{b: b}
	d := decoder{src: src, plans: &c.plans}
	if r != nil {
		d.model, d.renames = r.model, r.renames
	}
	if h.status != http.StatusOK {
		var eb json2ErrorBody
		if err := d.decodeTop(&eb); err != nil || src.finish() != nil || eb.Name == "" {
			return c.foreignBody(op, r, h, err)
		}
		e := c.newErr(op, r, classify(eb.Name, eb.Message))
		e.Status = h.status
		e.Name, e.Message, e.Debug = eb.Name, eb.Message, eb.Debug
		return e
	}
	if unwrap {
		tk, err := src.next()
		if err != nil {
			return c.foreignBody(op, r, h, err)
		}
		if tk.kind != tokArray {
			return c.decodeErr(op, r, h, &DecodeError{Model: d.model, Want: "one-element list", Got: tk.kind.String()})
		}
		first, err := src.next()
		if err != nil {
			return c.foreignBody(op, r, h, err)
		}
		if first.kind == tokArrayEnd {
			return c.decodeErr(op, r, h, &DecodeError{Model: d.model, Want: "one-element list", Got: "empty list"})
		}
		if err := d.decodeTokInto(first, dst); err != nil {
			return c.decodeErr(op, r, h, err)
		}
		if err := d.skipRest(tokArrayEnd); err != nil {
			return c.foreignBody(op, r, h, err)
		}
	} else if err := d.decodeTop(dst); err != nil {
		return c.decodeErr(op, r, h, err)
	}
	if err := src.finish(); err != nil {
		return c.foreignBody(op, r, h, err)
	}
	return nil
}

// version asks GET /web/version, which answers without a session on Odoo 19+.
func (t *json2Transport) version(ctx context.Context) (Version, error) {
	c := t.c
	h, err := c.send(ctx, http.MethodGet, "/web/version", nil, nil, true, "version", nil)
	if err != nil {
		return Version{}, err
	}
	defer c.putBuf(h.body)
	var a versionAnswer
	if err := t.decode("version", nil, h, &a, false); err != nil {
		return Version{}, err
	}
	v := a.version()
	if v.Server == "" {
		return Version{}, c.foreignBody("version", nil, h, nil)
	}
	return v, nil
}

// authenticate is not part of JSON-2: every request carries the API key.
func (t *json2Transport) authenticate(context.Context) (int64, error) { return 0, nil }
