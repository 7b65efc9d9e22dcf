package odootest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Custom models get chatter with ir.model's is_mail_thread, as on real
// Odoo; message_post on a model without it does not exist.
func TestCustomModelIsMailThread(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"17.0", "19.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithVersion(version))
			chat := mustJSON(t, srv, "ir.model", "create", []any{map[string]any{"name": "Grupo", "model": "x_group", "is_mail_thread": true}}, nil).(int64)
			plain := mustJSON(t, srv, "ir.model", "create", []any{map[string]any{"name": "Paquete", "model": "x_package"}}, nil).(int64)
			got := mustJSON(t, srv, "ir.model", "read", []any{[]any{chat, plain}}, map[string]any{"fields": []any{"model", "is_mail_thread"}})
			want := []any{
				map[string]any{"id": chat, "model": "x_group", "is_mail_thread": true},
				map[string]any{"id": plain, "model": "x_package", "is_mail_thread": false},
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("ir.model rows (-want +got):\n%s", d)
			}

			group := mustJSON(t, srv, "x_group", "create", []any{map[string]any{"x_name": "Grupo Ruta 27"}}, nil).(int64)
			res := mustJSON(t, srv, "x_group", "message_post", []any{[]any{group}}, map[string]any{"body": "Transición a pago", "message_type": "comment", "subtype_xmlid": "mail.mt_note"})
			mid, ok := res.(int64)
			if !ok {
				mid = res.([]any)[0].(int64)
			}
			msg, _ := srv.Get("mail.message", mid)
			if msg["model"] != "x_group" || msg["res_id"] != group || msg["body"] != "<p>Transición a pago</p>" || msg["record_name"] != "Grupo Ruta 27" {
				t.Errorf("message %v", msg)
			}
			ids := mustJSON(t, srv, "x_group", "read", []any{[]any{group}}, map[string]any{"fields": []any{"message_ids"}})
			if d := cmp.Diff([]any{map[string]any{"id": group, "message_ids": []any{mid}}}, ids); d != "" {
				t.Errorf("message_ids (-want +got):\n%s", d)
			}
			fg := mustJSON(t, srv, "x_group", "fields_get", []any{[]any{"message_ids"}}, map[string]any{"attributes": []any{"type", "relation"}})
			if d := cmp.Diff(map[string]any{"message_ids": map[string]any{"type": "one2many", "relation": "mail.message"}}, fg); d != "" {
				t.Errorf("fields_get (-want +got):\n%s", d)
			}

			// Without is_mail_thread: the method does not exist.
			pkg := mustJSON(t, srv, "x_package", "create", []any{map[string]any{"x_name": "Paquete GNV"}}, nil).(int64)
			_, e := execJSON(t, srv, "x_package", "message_post", []any{[]any{pkg}}, map[string]any{"body": "x"})
			wantMsg := "The method 'x_package.message_post' does not exist"
			if version == "17.0" {
				wantMsg = "The method 'message_post' does not exist on the model 'x_package'"
			}
			if e == nil || e["name"] != excAttributeError || e["message"] != wantMsg {
				t.Errorf("message_post without mail.thread: %v", e)
			}
			if _, fault := execXML(t, srv, "x_package", "message_post", []any{[]any{pkg}}, map[string]any{"body": "x"}); fault == nil || fault["faultCode"] != int64(1) ||
				!strings.Contains(fault["faultString"].(string), "AttributeError: "+wantMsg) {
				t.Errorf("XML-RPC fault %v", fault)
			}
			if version == "19.0" {
				if status, body := callJSON2(t, srv, "x_package", "message_post", map[string]any{"ids": []any{pkg}, "body": "x"}); status != 404 ||
					body.(map[string]any)["name"] != excNotFound {
					t.Errorf("JSON-2: %d %v", status, body)
				}
			}

			// The flag can be switched on later, never off, and only on
			// custom models.
			mustJSON(t, srv, "ir.model", "write", []any{[]any{plain}, map[string]any{"is_mail_thread": true}}, nil)
			if _, e := execJSON(t, srv, "x_package", "message_post", []any{[]any{pkg}}, map[string]any{"body": "ya con chatter"}); e != nil {
				t.Errorf("message_post after enabling: %v", e)
			}
			_, e = execJSON(t, srv, "ir.model", "write", []any{[]any{chat}, map[string]any{"is_mail_thread": false}}, nil)
			if e == nil || e["name"] != excUserError || e["message"] != `Field "Mail Thread" cannot be changed to "False".` {
				t.Errorf("switching off: %v", e)
			}
			_, e = execJSON(t, srv, "ir.model", "write", []any{[]any{irModelIDs[version]["res.partner"]}, map[string]any{"is_mail_thread": true}}, nil)
			if e == nil || e["message"] != "Only custom models can be modified." {
				t.Errorf("standard model: %v", e)
			}
		})
	}
}
