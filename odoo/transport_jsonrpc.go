package odoo

import (
	"bytes"
	"context"
	"net/http"
)

// jsonrpcTransport speaks JSON-RPC 2.0 on POST /jsonrpc (services common
// and object).
type jsonrpcTransport struct{ c *Client }

func (t *jsonrpcTransport) protocol() Protocol { return ProtocolJSONRPC }

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

type jsonrpcErrorData struct {
	Name    string `odoo:"name"`
	Message string `odoo:"message"`
	Debug   string `odoo:"debug"`
}

type jsonrpcError struct {
	Code    int64            `odoo:"code"`
	Message string           `odoo:"message"`
	Data    jsonrpcErrorData `odoo:"data"`
}

func (t *jsonrpcTransport) rpc(ctx context.Context, op, service, method string, args []any, r *request, retry bool, dst any) error {
	c := t.c
	buf := c.getBuf()
	defer c.putBuf(buf)
	if err := encodeJSONRPC(buf, &c.plans, c.seq.Add(1), service, method, args); err != nil {
		e := c.newErr(op, r, KindProtocol)
		e.Err = err
		return e
	}
	h, err := c.send(ctx, http.MethodPost, "/jsonrpc", buf.Bytes(), jsonHeader, retry, op, r)
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

func encodeJSONRPC(buf *bytes.Buffer, plans *planCache, id int64, service, method string, args []any) error {
	if args == nil {
		args = []any{}
	}
	w := &jsonWriter{buf: buf}
	enc := encoder{plans: plans, w: w}
	w.beginStruct()
	w.key("jsonrpc")
	w.str("2.0")
	w.key("method")
	w.str("call")
	w.key("params")
	w.beginStruct()
	w.key("service")
	w.str(service)
	w.key("method")
	w.str(method)
	w.key("args")
	if err := enc.encode(args, 0); err != nil {
		return err
	}
	w.endStruct()
	w.key("id")
	w.integer(id)
	w.endStruct()
	return nil
}

func (t *jsonrpcTransport) decode(op string, r *request, h *httpResult, dst any) error {
	c := t.c
	body := h.body.Bytes()
	if h.status != http.StatusOK || !looksLikeJSON(body) {
		return c.foreignBody(op, r, h, nil)
	}
	src := &jsonSource{b: body}
	d := decoder{src: src, plans: &c.plans}
	if r != nil {
		d.model, d.renames = r.model, r.renames
	}
	tk, err := src.next()
	if err != nil {
		return c.foreignBody(op, r, h, err)
	}
	if tk.kind != tokObject {
		return c.foreignBody(op, r, h, nil)
	}
	var rpcErr *jsonrpcError
	seen := false
	for {
		k, err := src.next()
		if err != nil {
			return c.foreignBody(op, r, h, err)
		}
		if k.kind == tokObjectEnd {
			break
		}
		switch string(k.text) {
		case "result":
			seen = true
			if err := d.decodeTop(dst); err != nil {
				return c.decodeErr(op, r, h, err)
			}
		case "error":
			rpcErr = &jsonrpcError{}
			if err := d.decodeTop(rpcErr); err != nil {
				return c.decodeErr(op, r, h, err)
			}
		default:
			v, err := src.next()
			if err != nil {
				return c.foreignBody(op, r, h, err)
			}
			if err := d.skip(v); err != nil {
				return c.foreignBody(op, r, h, err)
			}
		}
	}
	if err := src.finish(); err != nil {
		return c.foreignBody(op, r, h, err)
	}
	if rpcErr != nil {
		e := c.newErr(op, r, KindOther)
		e.Status = h.status
		e.Code = int(rpcErr.Code)
		e.Name = rpcErr.Data.Name
		e.Message = rpcErr.Data.Message
		if e.Message == "" {
			e.Message = rpcErr.Message
		}
		e.Debug = rpcErr.Data.Debug
		e.Kind = classify(e.Name, e.Message)
		if e.Name == "" && e.Kind == KindOther {
			e.Kind = KindServerError
		}
		return e
	}
	if !seen {
		// Neither result nor error: a method that returned None.
		zeroDest(dst)
	}
	return nil
}

func (t *jsonrpcTransport) version(ctx context.Context) (Version, error) {
	var a versionAnswer
	if err := t.rpc(ctx, "version", "common", "version", nil, nil, true, &a); err != nil {
		return Version{}, err
	}
	return a.version(), nil
}

func (t *jsonrpcTransport) authenticate(ctx context.Context) (int64, error) {
	c := t.c
	var uid any
	args := []any{c.db, c.login, c.secret(), map[string]any{}}
	if err := t.rpc(ctx, "login", "common", "authenticate", args, nil, true, &uid); err != nil {
		return 0, err
	}
	return uidFrom(uid)
}

func (t *jsonrpcTransport) execute(ctx context.Context, r *request, dst any) error {
	uid, err := t.c.ensureUID(ctx, t)
	if err != nil {
		return err
	}
	return t.rpc(ctx, "call", "object", "execute_kw", executeKwParams(t.c, uid, r), r, r.retry, dst)
}
