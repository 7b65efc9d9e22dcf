package odoo

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRecordsViewAndNameSearch(t *testing.T) {
	for _, p := range protocols() {
		t.Run(p.String(), func(t *testing.T) {
			m := newMiniOdoo(t)
			m.handle = func(c miniCall) (any, *miniErr) {
				switch c.Method {
				case "name_search":
					return []any{[]any{int64(7), "Ruta 27"}, []any{int64(8), "Ruta 28"}}, nil
				case "search_count":
					return int64(2), nil
				case "search":
					return []any{int64(7), int64(8)}, nil
				case "read":
					if toInt64(toList(c.arg("ids", 0))[0]) == 404 {
						return []any{}, nil
					}
					return []any{map[string]any{"id": int64(7), "name": "Ruta 27", "sequence": int64(1), "is_won": true, "fold": false, "team_ids": []any{}}}, nil
				case "create":
					if p == ProtocolJSON2 {
						return []any{int64(9)}, nil
					}
					return int64(9), nil
				}
				return true, nil
			}
			c := miniClient(t, m, p, WithFieldDiscovery(false))
			ctx := t.Context()
			got, err := c.NameSearch(ctx, "res.partner", "ruta", &NameSearchOptions{Domain: Eq("is_company", true), Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Many2One{{7, "Ruta 27"}, {8, "Ruta 28"}}, got); diff != "" {
				t.Fatal(diff)
			}
			ns := m.callsOf("name_search")[0]
			if ns.arg("name", 0) != "ruta" || ns.arg("operator", 2) != "ilike" || toInt64(ns.arg("limit", 3)) != 5 {
				t.Fatalf("name_search sent %+v", ns)
			}
			if diff := cmp.Diff([]any{[]any{"is_company", "=", true}}, ns.arg("domain", 1)); diff != "" {
				t.Fatal(diff)
			}
			stages := Stages(c)
			if stages.Model() != "crm.stage" {
				t.Fatal(stages.Model())
			}
			if n, err := stages.Count(ctx, nil); err != nil || n != 2 {
				t.Fatalf("count %d %v", n, err)
			}
			if ids, err := stages.Search(ctx, nil, nil); err != nil || len(ids) != 2 {
				t.Fatalf("search %v %v", ids, err)
			}
			s, err := stages.Get(ctx, 7, nil)
			if err != nil || s.Name != "Ruta 27" || !s.IsWon || s.TeamIDs == nil {
				t.Fatalf("get %+v %v", s, err)
			}
			if _, err := stages.Get(ctx, 404, nil); !errors.Is(err, ErrNotFound) {
				t.Fatalf("missing: %v", err)
			}
			if id, err := stages.Create(ctx, map[string]any{"name": "Promesa Firmada"}); err != nil || id != 9 {
				t.Fatalf("create %d %v", id, err)
			}
			if err := stages.Write(ctx, []int64{9}, map[string]any{"fold": true}); err != nil {
				t.Fatal(err)
			}
			if err := stages.Unlink(ctx, []int64{9}); err != nil {
				t.Fatal(err)
			}
			if err := stages.Unlink(ctx, nil); err != nil || len(m.callsOf("unlink")) != 1 {
				t.Fatal("empty unlink should not call Odoo")
			}
			if _, err := c.Create(ctx, "crm.stage", []any{map[string]any{}}, nil); err == nil {
				t.Fatal("Create with a list should fail")
			}
			if _, err := c.CreateMany(ctx, "crm.stage", map[string]any{}, nil); err == nil {
				t.Fatal("CreateMany with a map should fail")
			}
			if err := c.Call(ctx, "", "x", nil, nil, nil); err == nil {
				t.Fatal("empty model accepted")
			}
		})
	}
}

func TestJSON2NamedArguments(t *testing.T) {
	cases := []struct {
		method string
		args   []any
		kwargs map[string]any
		want   map[string]any
		unwrap bool
		err    bool
	}{
		{"search", []any{Domain{}, 5, 10, "name"}, nil, map[string]any{"domain": Domain{}, "offset": 5, "limit": 10, "order": "name"}, false, false},
		{"create", []any{map[string]any{"name": "x"}}, nil, map[string]any{"vals_list": []any{map[string]any{"name": "x"}}}, true, false},
		{"create", []any{[]any{map[string]any{"name": "x"}}}, nil, map[string]any{"vals_list": []any{map[string]any{"name": "x"}}}, false, false},
		{"action_confirm", []any{int64(3)}, nil, map[string]any{"ids": []int64{3}}, false, false},
		{"message_post", []any{[]int64{3}}, map[string]any{"body": "x"}, map[string]any{"ids": []int64{3}, "body": "x"}, false, false},
		{"action_confirm", []any{[]int64{3}, "extra"}, nil, nil, false, true},
		{"write", []any{[]int64{1}, map[string]any{}}, map[string]any{"vals": 1}, nil, false, true},
	}
	for _, tc := range cases {
		body, unwrap, err := json2Body(&request{method: tc.method, args: tc.args, kwargs: tc.kwargs})
		if (err != nil) != tc.err {
			t.Errorf("%s: err %v", tc.method, err)
			continue
		}
		if tc.err {
			continue
		}
		if unwrap != tc.unwrap {
			t.Errorf("%s: unwrap %v", tc.method, unwrap)
		}
		if diff := cmp.Diff(tc.want, body); diff != "" {
			t.Errorf("%s:\n%s", tc.method, diff)
		}
	}
}

func TestDoRejectsBadResult(t *testing.T) {
	m := newMiniOdoo(t)
	c := miniClient(t, m, ProtocolJSON2)
	var ids []int64
	if err := c.Call(t.Context(), "res.partner", "search", []any{Domain{}}, nil, ids); err == nil {
		t.Fatal("non-pointer result accepted")
	}
	if m.hits != 0 {
		t.Fatal("request sent with an unusable result")
	}
}

func TestNoneAnswers(t *testing.T) {
	c, err := NewClient("http://odoo.invalid", WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	r := &request{model: "account.payment", method: "action_post"}
	var a any = "sentinel"
	if err := (&jsonrpcTransport{c: c}).decode("call", r, benchHTTP([]byte(`{"jsonrpc": "2.0", "id": 41}`)), &a); err != nil || a != nil {
		// neither result nor error: None, like JSON-2's null
		t.Fatalf("JSON-RPC without result: %v %v", a, err)
	}
	var b any = "sentinel"
	if err := (&json2Transport{c: c}).decode("call", r, benchHTTP([]byte(`null`)), &b, false); err != nil || b != nil {
		t.Fatalf("JSON-2 null: %v %v", b, err)
	}
	h := benchHTTP([]byte(`{"name": "odoo.exceptions.MissingError", "message": "Record does not exist or has been deleted.\n(Record: res.partner(2021,), User: 2)", "arguments": [], "context": {}, "debug": "Traceback"}`))
	h.status = 404
	err = (&json2Transport{c: c}).decode("call", &request{model: "res.partner", method: "write"}, h, nil, false)
	if !errors.Is(err, ErrMissingError) {
		t.Fatalf("JSON-2 404 MissingError: %v", err)
	}
	h = benchHTTP([]byte(`{"jsonrpc": "2.0", "id": 1, "result": [1, 2`))
	var ids []int64
	err = (&jsonrpcTransport{c: c}).decode("call", r, h, &ids)
	if !errors.Is(err, ErrProtocol) {
		t.Fatalf("truncated body: %v", err)
	}
}
