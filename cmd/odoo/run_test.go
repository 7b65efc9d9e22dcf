package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/internal/golden"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// protocols are the values of --protocol every command is run with.
var protocols = []string{"xmlrpc", "jsonrpc", "json2", "auto"}

// Test credentials, distinctive so the output can be searched for them.
const (
	testPassword = "pw-Zq8rT1-secret"
	testAPIKey   = "key-Vx93Lm-secret"
)

// newFake starts a fake Odoo 19 with the CLI's demo records and the test
// credentials.
func newFake(t *testing.T, opts ...odootest.Option) *odootest.Server {
	t.Helper()
	opts = append([]odootest.Option{odootest.WithAdmin("admin", testPassword), odootest.WithAPIKey(testAPIKey)}, opts...)
	srv := odootest.NewServer(t, opts...)
	if err := seedDemo(srv); err != nil {
		t.Fatal(err)
	}
	return srv
}

// envOf is the environment pointing at srv.
func envOf(srv *odootest.Server) map[string]string {
	return map[string]string{
		"ODOO_URL": srv.URL, "ODOO_DB": srv.DB, "ODOO_USER": srv.Login,
		"ODOO_PASSWORD": srv.Password, "ODOO_API_KEY": srv.APIKey,
	}
}

type result struct {
	stdout, stderr string
	code           int
}

// runCLI calls run like main does, with env as the whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(t.Context(), args, getenv, &out, &errOut)
	return result{out.String(), errOut.String(), code}
}

// checkGolden compares got with testdata/golden/name.json (rewritten with
// -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "golden", name+".json"), []byte(got), *update)
}

// TestSameOutputOverEveryProtocol runs each command over XML-RPC, JSON-RPC,
// JSON-2 and auto-detection, each against a fresh fake with the same data,
// and requires byte-identical stdout, equal to the golden file.
func TestSameOutputOverEveryProtocol(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		args   []string
		code   int
		before [][]string // commands run first on the same server
	}{
		{"version", []string{"version"}, exitOK, nil},
		{"login", []string{"login"}, exitOK, nil},
		{"search-read", []string{"search-read", "res.partner", "--domain", `[["is_company", "=", true], ["id", ">", 1]]`,
			"--fields", "name,email,country_id,category_id,child_ids,credit_limit", "--order", "name asc"}, exitOK, nil},
		{"search-read-paged", []string{"--compact", "search-read", "--limit", "2", "--offset", "1", "res.partner",
			"--fields", "name,parent_id,function", "--domain", `["|", ["function", "=", "Operador"], ["function", "=", "Operadora"]]`, "--order", "name desc"}, exitOK, nil},
		{"search-read-empty", []string{"search-read", "res.partner", "--domain", `[["name", "=", "nadie"]]`}, exitOK, nil},
		{"search-read-money", []string{"search-read", "crm.lead", "--fields", "name,expected_revenue,partner_id,stage_id,type", "--order", "id"}, exitOK, nil},
		{"fields", []string{"fields", "res.partner.category"}, exitOK, nil},
		{"fields-attributes", []string{"fields", "crm.lead", "--attributes", "type,selection"}, exitOK, nil},
		{"call-read", []string{"call", "res.partner", "read", "[[5, 7]]", `{"fields": ["name", "is_company", "parent_id", "phone"]}`}, exitOK, nil},
		{"call-search-count", []string{"call", "res.partner", "search_count", `[[["country_id.code", "=", "MX"]]]`}, exitOK, nil},
		{"call-name-search", []string{"call", "res.partner", "name_search", "[]", `{"name": "ruta", "limit": 5}`}, exitOK, nil},
		{"call-create", []string{"--compact", "call", "crm.lead", "create", `[{"name": "Crédito colectivo", "expected_revenue": 1234567.89, "partner_id": 8}]`}, exitOK, nil},
		{"call-write", []string{"call", "res.partner", "write", `[[9], {"email": "carlos@example.mx"}]`}, exitOK, nil},
		{"call-no-args", []string{"call", "res.partner.category", "search"}, exitOK, nil},
		{"error-missing", []string{"call", "res.partner", "write", `[[99999], {"name": "x"}]`}, exitOdoo, nil},
		{"error-validation", []string{"call", "crm.lead", "create", `[{"type": "lead"}]`}, exitOdoo, nil},
		{"error-unknown-field", []string{"search-read", "res.partner", "--domain", `[["nope", "=", 1]]`}, exitOdoo, nil},
		// The context reaches Odoo: archived records become visible.
		{"search-read-context", []string{"--compact", "search-read", "res.partner", "--domain", `[["id", "in", [2, 3, 4]]]`, "--fields", "name,active",
			"--context", `{"active_test": false}`, "--order", "id"}, exitOK, nil},
		// Money written as decimal text is read back as Odoo sends it.
		{"call-create-read-money", []string{"search-read", "crm.lead", "--domain", `[["id", "=", 3]]`, "--fields", "name,expected_revenue,partner_id"}, exitOK,
			[][]string{{"call", "crm.lead", "create", `[{"name": "Crédito colectivo", "expected_revenue": 1234567.89, "partner_id": 8}]`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var first result
			for i, p := range protocols {
				srv := newFake(t)
				for _, b := range tc.before {
					if r := runCLI(t, envOf(srv), append([]string{"--protocol", p}, b...)...); r.code != exitOK {
						t.Fatalf("%s: %v: exit %d, stdout %q, stderr %q", p, b, r.code, r.stdout, r.stderr)
					}
				}
				r := runCLI(t, envOf(srv), append([]string{"--protocol", p}, tc.args...)...)
				if r.code != tc.code {
					t.Fatalf("%s: exit %d, want %d; stderr: %s", p, r.code, tc.code, r.stderr)
				}
				if r.stderr != "" {
					t.Errorf("%s: unexpected stderr %q", p, r.stderr)
				}
				if !json.Valid([]byte(r.stdout)) {
					t.Fatalf("%s: stdout is not JSON: %q", p, r.stdout)
				}
				if i == 0 {
					first = r
					checkGolden(t, tc.name, r.stdout)
					continue
				}
				if r.stdout != first.stdout {
					t.Errorf("%s printed something else than %s:\n%s", p, protocols[0], cmp.Diff(first.stdout, r.stdout))
				}
			}
		})
	}
}

// TestErrorKindOverEveryProtocol covers errors whose exception name and
// message real Odoo words differently on JSON-2 (a 404 or 401 from
// werkzeug): the shape, exit status and kind are the same everywhere.
func TestErrorKindOverEveryProtocol(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		env  map[string]string // overrides
		args []string
		kind string
	}{
		{"unknown-model", nil, []string{"search-read", "res.nope"}, "UnknownModel"},
		{"unknown-method", nil, []string{"call", "res.partner", "nope", "[[1]]"}, "UnknownMethod"},
		{"bad-credentials", map[string]string{"ODOO_PASSWORD": "wrong-password", "ODOO_API_KEY": "wrong-api-key"}, []string{"login"}, "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t)
			env := envOf(srv)
			for k, v := range tc.env {
				env[k] = v
			}
			for _, p := range protocols {
				r := runCLI(t, env, append([]string{"--protocol", p}, tc.args...)...)
				if r.code != exitOdoo || r.stderr != "" {
					t.Fatalf("%s: exit %d, stderr %q; want exit 1 and no stderr", p, r.code, r.stderr)
				}
				var got struct {
					Error map[string]string `json:"error"`
				}
				dec := json.NewDecoder(strings.NewReader(r.stdout))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&got); err != nil {
					t.Fatalf("%s: %v in %q", p, err, r.stdout)
				}
				if got.Error["kind"] != tc.kind || got.Error["name"] == "" || got.Error["message"] == "" || len(got.Error) != 3 {
					t.Errorf("%s: error = %v, want kind %s with a name and a message", p, got.Error, tc.kind)
				}
			}
		})
	}
}

// TestRaisedErrorsOverEveryProtocol injects the exceptions business code
// raises and requires the same error JSON over every protocol.
func TestRaisedErrorsOverEveryProtocol(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, kind string }{
		{"odoo.exceptions.UserError", "UserError"},
		{"odoo.exceptions.AccessError", "AccessError"},
		{"odoo.exceptions.ValidationError", "ValidationError"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			t.Parallel()
			msg := "No se puede confirmar: falta el enganche <mínimo> & la firma"
			want := `{"error":{"kind":"` + tc.kind + `","name":"` + tc.name + `","message":"` + msg + `"}}` + "\n"
			for _, p := range protocols {
				srv := newFake(t)
				srv.InjectFault(odootest.Fault{Model: "sale.order", Method: "action_confirm", Kind: odootest.OdooError, ErrorName: tc.name, Message: msg})
				r := runCLI(t, envOf(srv), "--protocol", p, "--compact", "call", "sale.order", "action_confirm", "[[1]]")
				if p == "xmlrpc" && tc.kind == "ValidationError" {
					// XML-RPC sends UserError and ValidationError both as
					// faultCode 2 with only the message: a message Odoo's
					// own constraints don't use cannot be told apart.
					userErr := strings.ReplaceAll(want, tc.name, "odoo.exceptions.UserError")
					userErr = strings.Replace(userErr, `"kind":"ValidationError"`, `"kind":"UserError"`, 1)
					if r.stdout == userErr && r.code == exitOdoo {
						continue
					}
				}
				if r.code != exitOdoo || r.stdout != want || r.stderr != "" {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and %q", p, r.code, r.stdout, r.stderr, want)
				}
			}
		})
	}
}

func TestErrorShape(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	r := runCLI(t, envOf(srv), "--protocol", "jsonrpc", "call", "res.partner", "write", `[[424242], {"name": "x"}]`)
	want := `{
  "error": {
    "kind": "MissingError",
    "name": "odoo.exceptions.MissingError",
    "message": "Record does not exist or has been deleted.\n(Record: res.partner(424242,), User: 2)"
  }
}
`
	if r.code != exitOdoo || r.stdout != want || r.stderr != "" {
		t.Errorf("got exit %d, stdout:\n%s\nstderr: %q; want exit 1 and\n%s", r.code, r.stdout, r.stderr, want)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	env := envOf(srv)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string // in stderr
	}{
		{"no command", env, nil, "missing command"},
		{"unknown command", env, []string{"shell"}, `unknown command "shell"`},
		{"unknown flag", env, []string{"version", "--nope"}, "flag provided but not defined: -nope"},
		{"missing model", env, []string{"search-read"}, "usage: odoo search-read MODEL"},
		{"extra argument", env, []string{"fields", "res.partner", "crm.lead"}, "usage: odoo fields MODEL"},
		{"call without method", env, []string{"call", "res.partner"}, "usage: odoo call MODEL METHOD"},
		{"call too many", env, []string{"call", "a", "b", "[]", "{}", "x"}, "usage: odoo call MODEL METHOD"},
		{"bad limit", env, []string{"search-read", "res.partner", "--limit", "many"}, `invalid value "many" for flag -limit`},
		{"negative offset", env, []string{"search-read", "res.partner", "--offset", "-1"}, "must not be negative"},
		{"bad domain", env, []string{"search-read", "res.partner", "--domain", `[["name", "=="`}, "--domain"},
		{"bad protocol", env, []string{"--protocol", "soap", "version"}, `"soap" is not auto, xmlrpc, jsonrpc or json2`},
		{"bad args json", env, []string{"call", "res.partner", "search", "[[", "{}"}, "ARGS_JSON"},
		{"args not array", env, []string{"call", "res.partner", "search", `{"a": 1}`}, "ARGS_JSON must be a JSON array"},
		{"args trailing data", env, []string{"call", "res.partner", "search", `[] []`}, "unexpected data"},
		{"kwargs not object", env, []string{"call", "res.partner", "search", "[]", "[1]"}, "KWARGS_JSON must be a JSON object"},
		{"empty attributes", env, []string{"fields", "res.partner", "--attributes", ","}, "--attributes is empty"},
		{"no url", map[string]string{}, []string{"version"}, "no Odoo URL"},
		{"fake and url", map[string]string{}, []string{"--fake", "--url", srv.URL, "version"}, "exclude each other"},
		{"bad fake version", map[string]string{}, []string{"--fake", "--fake-version", "12.0", "version"}, "12.0"},
		{"password without user", map[string]string{"ODOO_URL": srv.URL, "ODOO_PASSWORD": testPassword}, []string{"version"}, "needs a login"},
		{"context not object", env, []string{"--context", "[1]", "version"}, "--context must be a JSON object"},
		{"negative retries", env, []string{"--retries", "-1", "version"}, "negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.env, tc.args...)
			if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2, no stdout, stderr containing %q", r.code, r.stdout, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, testPassword) {
				t.Errorf("stderr shows the password: %q", r.stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"search-read", "--help"}} {
		r := runCLI(t, nil, args...)
		if r.code != exitOK || !strings.Contains(r.stdout, "usage: odoo") || r.stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
}

func TestTransportErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	proxied := newFake(t)
	proxied.InjectFault(odootest.Fault{Model: "res.partner", Method: "search_read", Kind: odootest.HTTPStatus, Status: 502})
	truncated := newFake(t)
	truncated.InjectFault(odootest.Fault{Model: "res.partner", Method: "search_read", Kind: odootest.Truncated})

	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"connection refused", map[string]string{"ODOO_URL": closed, "ODOO_DB": "odoo", "ODOO_USER": "admin", "ODOO_PASSWORD": testPassword},
			[]string{"--protocol", "xmlrpc", "login"}, "connection refused"},
		{"proxy 502", envOf(proxied), []string{"--protocol", "jsonrpc", "search-read", "res.partner"}, "502"},
		{"proxy 502 json2", envOf(proxied), []string{"--protocol", "json2", "search-read", "res.partner"}, "502"},
		{"truncated", envOf(truncated), []string{"--protocol", "xmlrpc", "search-read", "res.partner"}, "search_read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.env, append([]string{"--retries", "0"}, tc.args...)...)
			if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2, no stdout, stderr containing %q", r.code, r.stdout, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, testPassword) || strings.Contains(r.stderr, testAPIKey) {
				t.Errorf("stderr shows a secret: %q", r.stderr)
			}
		})
	}
}

// TestFlagsWinOverEnvironment checks each connection setting: a flag
// overrides its variable, and the variable applies when the flag is absent.
func TestFlagsWinOverEnvironment(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	with := func(k, v string) map[string]string {
		env := envOf(srv)
		env[k] = v
		return env
	}
	login := []string{"--retries", "0", "--compact", "login"}
	const ok = `{"login":"admin","name":"Administrator","uid":2}` + "\n"
	cases := []struct {
		name     string
		env      map[string]string
		args     []string
		code     int
		stdout   string // exact, when set
		inStderr string
	}{
		{"env only", envOf(srv), append([]string{"--protocol", "xmlrpc"}, login...), exitOK, ok, ""},
		{"url flag over env", with("ODOO_URL", closed), append([]string{"--protocol", "xmlrpc", "--url", srv.URL}, login...), exitOK, ok, ""},
		{"url env used", with("ODOO_URL", closed), append([]string{"--protocol", "xmlrpc"}, login...), exitUsage, "", "connection refused"},
		{"password flag over env", with("ODOO_PASSWORD", "wrong"), append([]string{"--protocol", "jsonrpc", "--password", testPassword}, login...), exitOK, ok, ""},
		{"password env used", with("ODOO_PASSWORD", "wrong"), append([]string{"--protocol", "jsonrpc"}, login...), exitOdoo, "", ""},
		{"wrong password flag over right env", envOf(srv), append([]string{"--protocol", "xmlrpc", "--password", "wrong"}, login...), exitOdoo, "", ""},
		{"api key flag over env", with("ODOO_API_KEY", "wrong"), append([]string{"--protocol", "json2", "--api-key", testAPIKey}, login...), exitOK, ok, ""},
		{"api key env used", with("ODOO_API_KEY", "wrong"), append([]string{"--protocol", "json2"}, login...), exitOdoo, "", ""},
		{"db flag over env", with("ODOO_DB", "nodb"), append([]string{"--protocol", "jsonrpc", "--db", srv.DB}, login...), exitOK, ok, ""},
		{"user flag over env", with("ODOO_USER", "nobody"), append([]string{"--protocol", "xmlrpc", "--user", "admin"}, login...), exitOK, ok, ""},
		{"protocol env used", with("ODOO_PROTOCOL", "json2"), append([]string{"-v"}, login...), exitOK, ok, "protocol=json2"},
		{"protocol flag over env", with("ODOO_PROTOCOL", "json2"), append([]string{"-v", "--protocol", "xmlrpc"}, login...), exitOK, ok, "protocol=xmlrpc"},
		{"flags after the command", with("ODOO_URL", closed), []string{"login", "--compact", "--url", srv.URL, "--protocol", "jsonrpc"}, exitOK, ok, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, tc.env, tc.args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.stdout != "" && r.stdout != tc.stdout {
				t.Errorf("stdout %q, want %q", r.stdout, tc.stdout)
			}
			if tc.code == exitOdoo && !strings.Contains(r.stdout, `"kind":"AccessDenied"`) {
				t.Errorf("stdout %q, want an AccessDenied error", r.stdout)
			}
			if !strings.Contains(r.stderr, tc.inStderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.inStderr)
			}
		})
	}
}

// TestSecretsNeverPrinted runs verbose commands, successes and failures, and
// searches both streams for the password and the API key.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	env := envOf(srv)
	for _, p := range protocols {
		for _, args := range [][]string{
			{"login"},
			{"search-read", "res.partner", "--fields", "name", "--limit", "1"},
			{"call", "res.partner", "write", `[[99999], {"name": "x"}]`},
			{"--password", testPassword + "x", "--api-key", testAPIKey + "x", "login"},
		} {
			r := runCLI(t, env, append([]string{"-v", "--protocol", p}, args...)...)
			for _, s := range []string{testPassword, testAPIKey} {
				if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
					t.Errorf("%s %v printed a secret:\nstdout %s\nstderr %s", p, args, r.stdout, r.stderr)
				}
			}
		}
	}
}

// TestLoginJSON2WithoutUser: an API key alone is checked, but JSON-2 cannot
// tell whose it is, so the user fields are null.
func TestLoginJSON2WithoutUser(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	env := map[string]string{"ODOO_URL": srv.URL, "ODOO_DB": srv.DB, "ODOO_API_KEY": srv.APIKey}
	r := runCLI(t, env, "--compact", "login")
	if want := `{"login":null,"name":null,"uid":null}` + "\n"; r.code != exitOK || r.stdout != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	env["ODOO_API_KEY"] = "wrong-api-key"
	if r := runCLI(t, env, "--compact", "login"); r.code != exitOdoo || !strings.Contains(r.stdout, `"kind":"AccessDenied"`) {
		t.Errorf("wrong key: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestDoubleDashEndsFlags(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	// After "--", "-1" is the positional ARGS_JSON, not a flag.
	r := runCLI(t, envOf(srv), "--compact", "call", "res.partner", "search_count", "--", `[[["id", "=", -1]]]`)
	if r.code != exitOK || r.stdout != "0\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

// TestFake runs the commands against --fake, with no environment at all.
func TestFake(t *testing.T) {
	t.Parallel()
	for _, p := range protocols {
		r := runCLI(t, nil, "--fake", "--protocol", p, "search-read", "res.partner", "--fields", "name,email,parent_id",
			"--domain", `[["id", ">", 4]]`, "--order", "name asc")
		if r.code != exitOK || r.stderr != "" {
			t.Fatalf("%s: exit %d, stderr %q", p, r.code, r.stderr)
		}
		checkGolden(t, "fake-search-read", r.stdout)
	}
	r := runCLI(t, map[string]string{"ODOO_URL": "http://127.0.0.1:1", "ODOO_PASSWORD": "real-secret"}, "--fake", "--fake-version", "17.0", "--compact", "version")
	if want := `{"server_version":"17.0","server_version_info":[17,0,0,"final",0,""]}` + "\n"; r.code != exitOK || r.stdout != want {
		t.Errorf("--fake-version 17.0: exit %d, stdout %q, stderr %q; want %q", r.code, r.stdout, r.stderr, want)
	}
	r = runCLI(t, nil, "--fake", "--password", "wrong", "--protocol", "xmlrpc", "login")
	if r.code != exitOdoo || !strings.Contains(r.stdout, "AccessDenied") {
		t.Errorf("--fake with a wrong --password: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestInterruptedContext(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out, errOut bytes.Buffer
	env := envOf(srv)
	code := run(ctx, []string{"version"}, func(k string) string { return env[k] }, &out, &errOut)
	if code != exitUsage || out.Len() != 0 || !strings.Contains(errOut.String(), "context canceled") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}
