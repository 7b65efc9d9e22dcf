package odootest

import (
	"testing"
)

// message_post escapes a str body as Odoo 17+ does, unless an internal
// user passes body_is_html=True.
func TestMessagePostBodyIsHTML(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"17.0", "19.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithVersion(version), WithInternalUser("portal", "pw-p", "key-p"))
			lead := srv.Seed("crm.lead", map[string]any{"name": "Financiero", "type": "opportunity"})[0]
			portal := userCall{"portal", "pw-p", "key-p"}
			// Make the user a portal user: not internal any more.
			uid := portal.uid(t, srv)
			mustJSON(t, srv, "res.users", "write", []any{[]any{uid}, map[string]any{userGroupsField(version): []any{[]any{6, 0, []any{4}}}}}, nil)

			tests := []struct {
				name string
				as   *userCall
				body string
				html any
				want string
			}{
				{"plain text", nil, "Pago recibido", nil, "<p>Pago recibido</p>"},
				{"markup without the flag is escaped", nil, "<p><b>Ana:</b> a & b</p>", nil, "<p>&lt;p&gt;&lt;b&gt;Ana:&lt;/b&gt; a &amp; b&lt;/p&gt;</p>"},
				{"quotes escaped", nil, `dijo "sí" y 'no'`, false, "<p>dijo &#34;sí&#34; y &#39;no&#39;</p>"},
				{"body_is_html keeps markup", nil, "<p><b>Ana:</b> a &amp; b</p>", true, "<p><b>Ana:</b> a &amp; b</p>"},
				{"body_is_html on bare text", nil, "hola", true, "<p>hola</p>"},
				{"portal user cannot post html", &portal, "<b>x</b>", true, "<p>&lt;b&gt;x&lt;/b&gt;</p>"},
			}
			for _, tc := range tests {
				kw := map[string]any{"body": tc.body, "message_type": "comment", "subtype_xmlid": "mail.mt_note"}
				if tc.html != nil {
					kw["body_is_html"] = tc.html
				}
				var res any
				if tc.as != nil {
					out := tc.as.exec(t, srv, "jsonrpc", "crm.lead", "message_post", []any{[]any{lead}}, kw)
					if out.name != "" {
						t.Fatalf("%s: %+v", tc.name, out)
					}
					res = out.result
				} else {
					res = mustJSON(t, srv, "crm.lead", "message_post", []any{[]any{lead}}, kw)
				}
				mid, ok := res.(int64)
				if !ok {
					mid = res.([]any)[0].(int64)
				}
				msg, _ := srv.Get("mail.message", mid)
				if msg["body"] != tc.want {
					t.Errorf("%s: body %q, want %q", tc.name, msg["body"], tc.want)
				}
			}
		})
	}
}
