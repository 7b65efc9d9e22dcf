package odootest

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// userCall calls a model method as a given user over one protocol and
// returns the result or the error kind the protocol carries: the XML-RPC
// faultCode, the JSON-RPC error.data.name, the JSON-2 status and name.
type userCall struct {
	login, password, apiKey string
}

func (u userCall) uid(t *testing.T, srv *Server) int64 {
	t.Helper()
	uid, ok := rpcJSON(t, srv, "common", "authenticate", srv.DB, u.login, u.password, map[string]any{})["result"].(int64)
	if !ok {
		t.Fatalf("%s cannot log in", u.login)
	}
	return uid
}

type callOutcome struct {
	result    any
	name      string // exception name ("" on success)
	faultCode int64  // XML-RPC
	status    int    // JSON-2
	message   string
}

func (u userCall) exec(t *testing.T, srv *Server, protocol, model, method string, args []any, kwargs map[string]any) callOutcome {
	t.Helper()
	switch protocol {
	case "xmlrpc":
		params := []any{srv.DB, u.uid(t, srv), u.password, model, method, args}
		if kwargs != nil {
			params = append(params, kwargs)
		}
		res, fault := rpcXML(t, srv, "/xmlrpc/2/object", "execute_kw", params...)
		if fault != nil {
			code, _ := fault["faultCode"].(int64)
			msg, _ := fault["faultString"].(string)
			name := ""
			if code == 4 {
				name = excAccessError
			} else {
				name = "fault"
			}
			return callOutcome{name: name, faultCode: code, message: msg}
		}
		return callOutcome{result: res}
	case "jsonrpc":
		params := []any{srv.DB, u.uid(t, srv), u.password, model, method, normalizeGo(args)}
		if kwargs != nil {
			params = append(params, normalizeGo(kwargs))
		}
		env := rpcJSON(t, srv, "object", "execute_kw", params...)
		if e, ok := env["error"].(map[string]any); ok {
			data := e["data"].(map[string]any)
			name, _ := data["name"].(string)
			msg, _ := data["message"].(string)
			return callOutcome{name: name, message: msg}
		}
		return callOutcome{result: env["result"]}
	}
	body := map[string]any{}
	for k, v := range kwargs {
		body[k] = v
	}
	switch method {
	case "create":
		body["vals_list"] = args[0]
	case "write":
		body["ids"], body["vals"] = args[0], args[1]
	case "search_read":
		body["domain"] = args[0]
	case "unlink", "read", "message_post":
		body["ids"] = args[0]
	}
	raw, err := appendJSON(nil, normalizeGo(body))
	if err != nil {
		t.Fatal(err)
	}
	status, _, out := post(t, srv.URL+"/json/2/"+model+"/"+method, "application/json", raw,
		map[string]string{"Authorization": "bearer " + u.apiKey, "X-Odoo-Database": srv.DB})
	v, err := decodeJSON(out)
	if err != nil {
		t.Fatalf("json2 body: %v: %s", err, out)
	}
	if status != 200 {
		e := v.(map[string]any)
		name, _ := e["name"].(string)
		msg, _ := e["message"].(string)
		return callOutcome{name: name, status: status, message: msg}
	}
	return callOutcome{result: v, status: status}
}

func TestGroupsAndExternalIDs(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"17.0", "19.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithVersion(version))
			got := mustJSON(t, srv, "ir.model.data", "search_read",
				[]any{[]any{[]any{"module", "=", "base"}, []any{"name", "=", "group_user"}}}, map[string]any{"fields": []any{"model", "res_id", "complete_name"}})
			rows := got.([]any)
			if len(rows) != 1 {
				t.Fatalf("base.group_user xmlid: %v", got)
			}
			row := rows[0].(map[string]any)
			if row["model"] != "res.groups" || row["complete_name"] != "base.group_user" {
				t.Errorf("xmlid row %v", row)
			}
			g := mustJSON(t, srv, "res.groups", "read", []any{[]any{row["res_id"]}}, map[string]any{"fields": []any{"name"}})
			if name := g.([]any)[0].(map[string]any)["name"]; name != "Internal User" {
				t.Errorf("base.group_user is %v", name)
			}
			for _, x := range []string{"base.group_system", "analytic.group_analytic_accounting", "account.group_account_invoice", "account.group_account_user"} {
				mod, name, _ := strings.Cut(x, ".")
				n := mustJSON(t, srv, "ir.model.data", "search_count", []any{[]any{[]any{"module", "=", mod}, []any{"name", "=", name}, []any{"model", "=", "res.groups"}}}, nil)
				if n != int64(1) {
					t.Errorf("%s: %v rows", x, n)
				}
			}
			partnerModel := mustJSON(t, srv, "ir.model.data", "search_read",
				[]any{[]any{[]any{"module", "=", "base"}, []any{"name", "=", "model_res_partner"}}}, map[string]any{"fields": []any{"res_id"}})
			if id := partnerModel.([]any)[0].(map[string]any)["res_id"]; id != irModelIDs[version]["res.partner"] {
				t.Errorf("base.model_res_partner → %v", id)
			}
			// The admin is in group_system (and through it group_user).
			field := userGroupsField(version)
			admin := mustJSON(t, srv, "res.users", "read", []any{[]any{int64(2)}}, map[string]any{"fields": []any{field}})
			groups := admin.([]any)[0].(map[string]any)[field].([]any)
			for _, want := range []int64{1, 2, 3, 7} {
				if !slices.Contains(groups, any(want)) {
					t.Errorf("admin groups %v lack %d", groups, want)
				}
			}
		})
	}
}

func TestCustomModelAccessRights(t *testing.T) {
	t.Parallel()
	for _, protocol := range []string{"xmlrpc", "jsonrpc", "json2"} {
		t.Run(protocol, func(t *testing.T) {
			t.Parallel()
			srv := newTestServer(t, WithStrictAccess(), WithInternalUser("ana", "pw-ana", "key-ana"),
				WithInternalUser("contadora", "pw-c", "key-c", "account.group_account_invoice"),
				WithUser("ops", "pw-ops", "key-ops"))
			admin := userCall{srv.Login, srv.Password, srv.APIKey}
			ana := userCall{"ana", "pw-ana", "key-ana"}
			contadora := userCall{"contadora", "pw-c", "key-c"}
			ops := userCall{"ops", "pw-ops", "key-ops"}
			mid := mustJSON(t, srv, "ir.model", "create", []any{map[string]any{"name": "Vehículo", "model": "x_vehicle"}}, nil).(int64)
			vals := []any{map[string]any{"x_name": "ABC-123"}}

			// No access row: nobody but the superuser may use the model
			// (strict access, as on real Odoo).
			for _, u := range []userCall{admin, ana, ops} {
				out := u.exec(t, srv, protocol, "x_vehicle", "create", []any{vals}, nil)
				if out.name != excAccessError {
					t.Fatalf("%s creates without access rows: %+v", u.login, out)
				}
				switch protocol {
				case "xmlrpc":
					if out.faultCode != 4 {
						t.Errorf("faultCode %d, want 4", out.faultCode)
					}
				case "json2":
					if out.status != 403 {
						t.Errorf("status %d, want 403", out.status)
					}
				}
				want := "You are not allowed to create 'Vehículo' (x_vehicle) records.\n\nNo group currently allows this operation.\n\nContact your administrator to request access if necessary."
				if out.message != want {
					t.Errorf("message %q", out.message)
				}
			}
			seeded := srv.Seed("x_vehicle", map[string]any{"x_name": "SEED-1"})[0]
			if out := ana.exec(t, srv, protocol, "x_vehicle", "search_read", []any{[]any{}}, map[string]any{"fields": []any{"x_name"}}); out.name != excAccessError ||
				!strings.HasPrefix(out.message, "You are not allowed to access 'Vehículo' (x_vehicle) records.") {
				t.Errorf("read without access: %+v", out)
			}
			// fields_get is not checked.
			if out := ana.exec(t, srv, protocol, "x_vehicle", "fields_get", []any{}, map[string]any{"attributes": []any{"type"}}); out.name != "" {
				t.Errorf("fields_get: %+v", out)
			}

			// Read-only for invoicing users: they read, may not write, and
			// the error names the group that may.
			mustJSON(t, srv, "ir.model.access", "create", []any{map[string]any{"name": "access_x_vehicle_invoice", "model_id": mid,
				"group_id": int64(8), "perm_read": true}}, nil)
			if out := contadora.exec(t, srv, protocol, "x_vehicle", "search_read", []any{[]any{}}, map[string]any{"fields": []any{"x_name"}}); out.name != "" {
				t.Errorf("invoicing user reads: %+v", out)
			}
			out := contadora.exec(t, srv, protocol, "x_vehicle", "write", []any{[]any{seeded}, map[string]any{"x_name": "X"}}, nil)
			if out.name != excAccessError || !strings.Contains(out.message, "You are not allowed to modify 'Vehículo' (x_vehicle) records.\n\nNo group currently allows") {
				t.Errorf("invoicing user writes: %+v", out)
			}
			if out := ana.exec(t, srv, protocol, "x_vehicle", "read", []any{[]any{seeded}}, map[string]any{"fields": []any{"x_name"}}); out.name != excAccessError ||
				!strings.Contains(out.message, "This operation is allowed for the following groups:\n\t- Accounting/Invoicing") {
				t.Errorf("internal user reads: %+v", out)
			}

			// Full access for internal users: every internal user (the
			// admin and WithUser users through their groups) may now work.
			mustJSON(t, srv, "ir.model.access", "create", []any{map[string]any{"name": "access_x_vehicle_user", "model_id": mid,
				"group_id": int64(1), "perm_read": true, "perm_write": true, "perm_create": true, "perm_unlink": true}}, nil)
			for _, u := range []userCall{admin, ana, contadora, ops} {
				out := u.exec(t, srv, protocol, "x_vehicle", "create", []any{vals}, nil)
				if out.name != "" {
					t.Fatalf("%s create: %+v", u.login, out)
				}
				if out := u.exec(t, srv, protocol, "x_vehicle", "write", []any{[]any{seeded}, map[string]any{"x_name": "by " + u.login}}, nil); out.name != "" {
					t.Errorf("%s write: %+v", u.login, out)
				}
				if out := u.exec(t, srv, protocol, "x_vehicle", "search_read", []any{[]any{}}, map[string]any{"fields": []any{"x_name"}}); out.name != "" {
					t.Errorf("%s read: %+v", u.login, out)
				}
			}
			if rec, _ := srv.Get("x_vehicle", seeded); rec["x_name"] != "by ops" {
				t.Errorf("record after writes: %v", rec)
			}
			// An inactive row grants nothing.
			mustJSON(t, srv, "ir.model.access", "write", []any{[]any{int64(2)}, map[string]any{"active": false}}, nil)
			if out := ana.exec(t, srv, protocol, "x_vehicle", "unlink", []any{[]any{seeded}}, nil); out.name != excAccessError {
				t.Errorf("unlink through an archived row: %+v", out)
			}
		})
	}
}

func TestInternalUserOptions(t *testing.T) {
	t.Parallel()
	if _, err := New(WithInternalUser("x", "pw", "", "base.group_nope")); err == nil || !strings.Contains(err.Error(), "base.group_nope") {
		t.Errorf("unknown group: %v", err)
	}
	srv := newTestServer(t, WithInternalUser("ana", "pw", "", "analytic.group_analytic_accounting"))
	uid := userCall{login: "ana", password: "pw"}.uid(t, srv)
	got := mustJSON(t, srv, "res.users", "read", []any{[]any{uid}}, map[string]any{"fields": []any{"group_ids"}})
	// Many2many values come in the comodel's order (res.groups: name).
	if g := got.([]any)[0].(map[string]any)["group_ids"]; !cmp.Equal(g, []any{int64(7), int64(1)}) {
		t.Errorf("groups %v", g)
	}
}

// Without WithStrictAccess, administrators (group_system) keep full access
// to custom models; other internal users are checked all the same.
func TestDefaultAccessSparesAdministrators(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithInternalUser("ana", "pw-ana", "key-ana"), WithUser("ops", "pw-ops", "key-ops"))
	mustJSON(t, srv, "ir.model", "create", []any{map[string]any{"name": "Vehículo", "model": "x_vehicle"}}, nil)
	vals := []any{map[string]any{"x_name": "ABC-123"}}
	for _, protocol := range []string{"xmlrpc", "jsonrpc", "json2"} {
		for _, u := range []userCall{{srv.Login, srv.Password, srv.APIKey}, {"ops", "pw-ops", "key-ops"}} {
			if out := u.exec(t, srv, protocol, "x_vehicle", "create", []any{vals}, nil); out.name != "" {
				t.Errorf("%s %s: %+v", protocol, u.login, out)
			}
		}
		if out := (userCall{"ana", "pw-ana", "key-ana"}).exec(t, srv, protocol, "x_vehicle", "create", []any{vals}, nil); out.name != excAccessError {
			t.Errorf("%s internal user: %+v", protocol, out)
		}
	}
}
