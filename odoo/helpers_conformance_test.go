package odoo

import (
	"context"
	"errors"
	"testing"
)

// helperFor maps a recorded logical call onto the typed helper that sends
// exactly that request, when there is one. The replay server then checks
// that the helper's request equals what the recording's client sent.
func helperFor(c *Client, lc logicalCall) func(ctx context.Context) (any, error) {
	has := func(keys ...string) bool { // kwargs ⊆ keys
		for k := range lc.kwargs {
			found := false
			for _, x := range keys {
				found = found || x == k
			}
			if !found {
				return false
			}
		}
		return true
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range toList(v) {
			s, _ := x.(string)
			out = append(out, s)
		}
		return out
	}
	ints := func(v any) []int64 {
		var out []int64
		for _, x := range toList(v) {
			out = append(out, toInt64(x))
		}
		return out
	}
	num := func(k string) (int, bool) {
		v, ok := lc.kwargs[k]
		if !ok {
			return 0, true
		}
		n := int(toInt64(v))
		return n, n != 0 // a literal 0 would be omitted by the helper
	}
	switch lc.method {
	case "search", "search_read":
		if len(lc.args) != 1 || !has("fields", "order", "limit", "offset") {
			return nil
		}
		limit, ok1 := num("limit")
		offset, ok2 := num("offset")
		if !ok1 || !ok2 {
			return nil
		}
		opts := &SearchOptions{Limit: limit, Offset: offset}
		opts.Order, _ = lc.kwargs["order"].(string)
		d := Domain(toList(lc.args[0]))
		if lc.method == "search" {
			if _, ok := lc.kwargs["fields"]; ok {
				return nil
			}
			return func(ctx context.Context) (any, error) { return c.Search(ctx, lc.model, d, opts) }
		}
		if f, ok := lc.kwargs["fields"]; ok {
			opts.Fields = strs(f)
		}
		return func(ctx context.Context) (any, error) {
			var rows []map[string]any
			err := c.SearchRead(ctx, lc.model, d, opts, &rows)
			return rows, err
		}
	case "read":
		if len(lc.args) != 1 || !has("fields") || lc.kwargs["fields"] == nil {
			return nil
		}
		return func(ctx context.Context) (any, error) {
			var rows []map[string]any
			err := c.Read(ctx, lc.model, ints(lc.args[0]), &SearchOptions{Fields: strs(lc.kwargs["fields"])}, &rows)
			return rows, err
		}
	case "search_count":
		if len(lc.args) != 1 || len(lc.kwargs) != 0 {
			return nil
		}
		return func(ctx context.Context) (any, error) {
			return c.SearchCount(ctx, lc.model, Domain(toList(lc.args[0])), nil)
		}
	case "create":
		if len(lc.args) != 1 || len(lc.kwargs) != 0 {
			return nil
		}
		if l, ok := lc.args[0].([]any); ok {
			return func(ctx context.Context) (any, error) { return c.CreateMany(ctx, lc.model, l, nil) }
		}
		return func(ctx context.Context) (any, error) { return c.Create(ctx, lc.model, lc.args[0], nil) }
	case "write":
		if len(lc.args) != 2 || len(lc.kwargs) != 0 {
			return nil
		}
		return func(ctx context.Context) (any, error) {
			return nil, c.Write(ctx, lc.model, ints(lc.args[0]), lc.args[1], nil)
		}
	case "unlink":
		if len(lc.args) != 1 || len(lc.kwargs) != 0 {
			return nil
		}
		return func(ctx context.Context) (any, error) { return nil, c.Unlink(ctx, lc.model, ints(lc.args[0]), nil) }
	case "fields_get":
		if len(lc.args) != 0 || len(lc.kwargs) != 1 || lc.kwargs["attributes"] == nil {
			return nil
		}
		return func(ctx context.Context) (any, error) {
			return c.FieldsGet(ctx, lc.model, strs(lc.kwargs["attributes"]), nil)
		}
	case "read_group":
		if len(lc.args) != 3 || !has("lazy") {
			return nil
		}
		var opts *ReadGroupOptions
		if lazy, ok := lc.kwargs["lazy"].(bool); ok {
			opts = &ReadGroupOptions{Lazy: &lazy}
		}
		return func(ctx context.Context) (any, error) {
			var groups []map[string]any
			err := c.ReadGroup(ctx, lc.model, Domain(toList(lc.args[0])), strs(lc.args[1]), strs(lc.args[2]), opts, &groups)
			return groups, err
		}
	case "formatted_read_group":
		if len(lc.args) != 1 || len(lc.kwargs) != 2 || lc.kwargs["groupby"] == nil || lc.kwargs["aggregates"] == nil {
			return nil
		}
		return func(ctx context.Context) (any, error) {
			var groups []map[string]any
			err := c.FormattedReadGroup(ctx, lc.model, Domain(toList(lc.args[0])), strs(lc.kwargs["groupby"]), strs(lc.kwargs["aggregates"]), nil, &groups)
			return groups, err
		}
	}
	return nil
}

// TestConformanceHelpers replays the recorded calls that a typed helper can
// express through that helper: the request it sends must equal the
// recorded one on every protocol, and errors must keep their kind.
func TestConformanceHelpers(t *testing.T) {
	covered := map[string]int{}
	for _, e := range loadExchanges(t) {
		if e.Protocol == "json2" && e.HTTPMethod != "POST" {
			continue
		}
		lc := parseRequest(t, e)
		if lc.kind != "execute" {
			continue
		}
		srv := replayServer(t, e)
		c := replayClient(t, e, srv, lc)
		fn := helperFor(c, lc)
		if fn == nil {
			continue
		}
		t.Run(e.name(), func(t *testing.T) {
			covered[lc.method]++
			got, err := fn(t.Context())
			want := recordedResult(t, e, lc)
			if want.isErr {
				var oe *Error
				if !errors.As(err, &oe) || oe.Kind == KindProtocol || oe.Kind == KindTransport || oe.Kind == KindDecode {
					t.Fatalf("want an Odoo error, got %v", err)
				}
				if wk, ok := expectedKind(e.Description); ok && oe.Kind != wk {
					t.Fatalf("kind %v, want %v", oe.Kind, wk)
				}
				return
			}
			if err != nil {
				t.Fatalf("helper: %v", err)
			}
			switch v := got.(type) {
			case []int64:
				if len(v) != len(toList(want.result)) {
					t.Errorf("ids %v, recorded %v", v, want.result)
				}
			case int64:
				if v != toInt64(want.result) {
					t.Errorf("%d, recorded %v", v, want.result)
				}
			case []map[string]any:
				if len(v) != len(toList(want.result)) {
					t.Errorf("%d rows, recorded %d", len(v), len(toList(want.result)))
				}
			case map[string]Field:
				if len(v) != len(toMap(want.result)) {
					t.Errorf("%d fields, recorded %d", len(v), len(toMap(want.result)))
				}
			}
		})
	}
	for _, m := range []string{"search_read", "read", "search_count", "create", "write", "unlink", "fields_get", "read_group", "formatted_read_group"} {
		if covered[m] == 0 && len(covered) > 0 {
			t.Errorf("no recorded %s was replayed through its helper", m)
		}
	}
}
