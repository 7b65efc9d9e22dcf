package odoo

import (
	"context"
	"net/http"
	"reflect"
	"strings"
)

// xmlrpcTransport speaks XML-RPC: /xmlrpc/2/common (version, authenticate)
// and /xmlrpc/2/object (execute_kw).
type xmlrpcTransport struct{ c *Client }

func (t *xmlrpcTransport) protocol() Protocol { return ProtocolXMLRPC }

var xmlHeader = http.Header{"Content-Type": {"text/xml"}}

// rpc sends a methodCall and decodes the answer into dst.
func (t *xmlrpcTransport) rpc(ctx context.Context, path, op, method string, params []any, r *request, retry bool, dst any) error {
	c := t.c
	buf := c.getBuf()
	defer c.putBuf(buf)
	if err := encodeMethodCall(buf, &c.plans, method, params); err != nil {
		e := c.newErr(op, r, KindProtocol)
		e.Err = err
		return e
	}
	h, err := c.send(ctx, http.MethodPost, path, buf.Bytes(), xmlHeader, retry, op, r)
	if err != nil {
		return err
	}
	defer c.putBuf(h.body)
	if err := t.decode(op, r, h, dst); err != nil {
		zeroDest(dst) // never a partial result
		return err
	}
	return nil
}

type xmlFault struct {
	Code   any    `odoo:"faultCode"`
	String string `odoo:"faultString"`
}

func (t *xmlrpcTransport) decode(op string, r *request, h *httpResult, dst any) error {
	c := t.c
	src, fault, err := newXMLResponse(h.body.Bytes())
	if err != nil {
		return c.foreignBody(op, r, h, err)
	}
	d := decoder{src: src, plans: &c.plans}
	if r != nil {
		d.model, d.renames = r.model, r.renames
	}
	if fault {
		var f xmlFault
		if err := d.decodeTop(&f); err != nil {
			return c.decodeErr(op, r, h, err)
		}
		if err := src.finish(true); err != nil {
			return c.foreignBody(op, r, h, err)
		}
		code := 1
		switch n := f.Code.(type) {
		case int64:
			code = int(n)
		}
		e := c.newErr(op, r, KindServerError)
		e.Status = h.status
		e.Code = code
		e.Kind, e.Name, e.Message, e.Debug = classifyFault(code, f.String)
		if r != nil && isNoneFault(e) {
			// XML-RPC cannot carry None: Odoo ran (and committed) the
			// method, then failed to encode its None answer. Report what
			// JSON-RPC and JSON-2 report: success with no value.
			c.logger.Debug("odoo: XML-RPC answer was None", "model", r.model, "method", r.method)
			zeroDest(dst)
			return nil
		}
		return e
	}
	if h.status != http.StatusOK {
		return c.foreignBody(op, r, h, nil)
	}
	if err := d.decodeTop(dst); err != nil {
		return c.decodeErr(op, r, h, err)
	}
	if err := src.finish(false); err != nil {
		return c.foreignBody(op, r, h, err)
	}
	return nil
}

func (t *xmlrpcTransport) version(ctx context.Context) (Version, error) {
	var a versionAnswer
	if err := t.rpc(ctx, "/xmlrpc/2/common", "version", "version", nil, nil, true, &a); err != nil {
		return Version{}, err
	}
	return a.version(), nil
}

func (t *xmlrpcTransport) authenticate(ctx context.Context) (int64, error) {
	c := t.c
	var uid any
	params := []any{c.db, c.login, c.secret(), map[string]any{}}
	if err := t.rpc(ctx, "/xmlrpc/2/common", "login", "authenticate", params, nil, true, &uid); err != nil {
		return 0, err
	}
	return uidFrom(uid)
}

// uidFrom reads authenticate's answer: the uid, or false.
func uidFrom(v any) (int64, error) {
	if n, ok := v.(int64); ok && n > 0 {
		return n, nil
	}
	return 0, authFailed()
}

func (t *xmlrpcTransport) execute(ctx context.Context, r *request, dst any) error {
	uid, err := t.c.ensureUID(ctx, t)
	if err != nil {
		return err
	}
	return t.rpc(ctx, "/xmlrpc/2/object", "call", "execute_kw", executeKwParams(t.c, uid, r), r, r.retry, dst)
}

// executeKwParams builds execute_kw's positional parameters; kwargs are
// omitted when empty, as Odoo's own clients do.
func executeKwParams(c *Client, uid int64, r *request) []any {
	args := r.args
	if args == nil {
		args = []any{}
	}
	p := []any{c.db, uid, c.secret(), r.model, r.method, args}
	if len(r.kwargs) > 0 {
		p = append(p, r.kwargs)
	}
	return p
}

// isNoneFault recognises the fault Odoo's XML-RPC layer raises when a
// method returns None ("cannot marshal None unless allow_none is enabled").
func isNoneFault(e *Error) bool {
	return e.Code == 1 && e.Name == "builtins.TypeError" && strings.Contains(e.Message, "cannot marshal None")
}

// zeroDest sets *dst to its zero value, if dst is a non-nil pointer.
func zeroDest(dst any) {
	switch p := dst.(type) {
	case nil:
	case *any:
		*p = nil
	default:
		if rv := reflect.ValueOf(dst); rv.Kind() == reflect.Pointer && !rv.IsNil() {
			rv.Elem().SetZero()
		}
	}
}
