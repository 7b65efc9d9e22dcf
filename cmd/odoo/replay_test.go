package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/google/go-cmp/cmp"
)

// wireDir holds the exchanges recorded from real Odoo
// (cmd/odoo → ../../../shared/odoo-wire, shared/ beside the checkout).
func wireDir() string { return filepath.Join("..", "..", "..", "shared", "odoo-wire") }

// recorded returns the Odoo 19 exchanges of one protocol, skipping the test
// when the recordings are not checked out.
func recorded(t *testing.T, protocol string) []odootest.Exchange {
	t.Helper()
	path := filepath.Join(wireDir(), "odoo19", protocol+".jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no recordings at %s (shared/odoo-wire is not checked out next to the module)", path)
	}
	ex, err := odootest.LoadRecordings(path)
	if err != nil {
		t.Fatal(err)
	}
	return ex
}

// find returns the exchange whose description starts with prefix.
func find(t *testing.T, exs []odootest.Exchange, prefix string) odootest.Exchange {
	t.Helper()
	for _, e := range exs {
		if strings.HasPrefix(e.Description, prefix) {
			return e
		}
	}
	t.Fatalf("no recorded exchange %q", prefix)
	return odootest.Exchange{}
}

// replay serves real Odoo's recorded answers: GET /web/version gets
// version, a request calling authenticate gets auth, any other gets answer.
func replay(t *testing.T, version, auth, answer odootest.Exchange) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ex := answer
		switch {
		case r.URL.Path == "/web/version":
			ex = version
		case strings.Contains(string(body), "authenticate"):
			ex = auth
		}
		if ex.Status == 0 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ex.ResponseContentType)
		w.WriteHeader(ex.Status)
		io.WriteString(w, ex.ResponseBody)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRecordedAnswersPrintTheSame feeds the CLI the bytes real Odoo 19 sent
// for the same logical call over XML-RPC, JSON-RPC and JSON-2, and requires
// the same output from each.
func TestRecordedAnswersPrintTheSame(t *testing.T) {
	t.Parallel()
	exs := map[string][]odootest.Exchange{}
	for _, p := range []string{"xmlrpc", "jsonrpc", "json2"} {
		exs[p] = recorded(t, p)
	}
	auth := map[string]string{"xmlrpc": "Authenticate with the right password", "jsonrpc": "Authenticate with the right password"}
	cases := []struct {
		name   string
		answer map[string]string // description prefix per protocol
		args   []string
		code   int
		want   string // exact stdout
	}{
		{"version",
			map[string]string{"xmlrpc": "Server version.", "jsonrpc": "Server version.", "json2": "Server version (GET /web/version"},
			[]string{"version"}, exitOK,
			`{"server_version":"19.0","server_version_info":[19,0,0,"final",0,""]}` + "\n"},
		{"unknown field",
			map[string]string{"xmlrpc": "Domain on an unknown field", "jsonrpc": "Domain on an unknown field", "json2": "Domain on an unknown field"},
			[]string{"search-read", "res.partner", "--domain", `[["no_such_field", "=", 1]]`, "--fields", "name"}, exitOdoo,
			`{"error":{"kind":"UnknownField","name":"builtins.ValueError","message":"Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)"}}` + "\n"},
		{"required field",
			map[string]string{"xmlrpc": "Create a lead without its required name", "jsonrpc": "Create a lead without its required name", "json2": "Create a lead without its required name"},
			[]string{"call", "crm.lead", "create", `[{"type": "lead"}]`}, exitOdoo, ""},
	}
	// Answers that do not depend on which protocol's records they show
	// (not res.partner's fields_get: each protocol's pass had added its own
	// custom x_cmu_*_<protocol> fields by then).
	for _, d := range []string{
		"fields_get of account.analytic.account.",
		"fields_get of crm.lead.", "fields_get of account.analytic.plan", "fields_get of sale.order.line",
		"fields_get of crm.stage", "fields_get of ir.attachment", "fields_get of calendar.event",
		"fields_get of account.journal", "fields_get of account.payment",
		"Search Mexico in res.country", "read_group by country", "formatted_read_group by country",
	} {
		tc := cases[0]
		tc.name, tc.want = d, ""
		tc.answer = map[string]string{"xmlrpc": d, "jsonrpc": d, "json2": d}
		tc.args = []string{"call", "res.partner", "fields_get"} // the replay answers whatever is asked
		cases = append(cases, tc)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var first string
			for i, p := range []string{"xmlrpc", "jsonrpc", "json2"} {
				var version, login odootest.Exchange
				if p == "json2" {
					version = find(t, exs[p], "Server version (GET /web/version")
				} else {
					login = find(t, exs[p], auth[p])
				}
				url := replay(t, version, login, find(t, exs[p], tc.answer[p]))
				env := map[string]string{"ODOO_URL": url, "ODOO_DB": "cmu19", "ODOO_USER": "admin", "ODOO_PASSWORD": "PASSWORD", "ODOO_API_KEY": "API_KEY"}
				r := runCLI(t, env, append([]string{"--protocol", p, "--compact", "--retries", "0"}, tc.args...)...)
				if r.code != tc.code || r.stderr != "" {
					t.Fatalf("%s: exit %d, stdout %q, stderr %q; want exit %d", p, r.code, r.stdout, r.stderr, tc.code)
				}
				if tc.want != "" && r.stdout != tc.want {
					t.Errorf("%s: stdout %q, want %q", p, r.stdout, tc.want)
				}
				if i == 0 {
					first = r.stdout
				} else if r.stdout != first {
					t.Errorf("%s printed something else than xmlrpc:\n%s", p, cmp.Diff(first, r.stdout))
				}
			}
		})
	}
}

// TestRecordedErrorKinds: where real Odoo words an error differently on
// JSON-2 (werkzeug 404 and 401), the CLI still prints the same kind.
func TestRecordedErrorKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		answer map[string]string
		auth   map[string]string
		args   []string
		kind   string
	}{
		{"unknown model", map[string]string{"xmlrpc": "Unknown model", "jsonrpc": "Unknown model", "json2": "Unknown model"},
			map[string]string{"xmlrpc": "Authenticate with the right password", "jsonrpc": "Authenticate with the right password"},
			[]string{"search-read", "x.nonexistent"}, `"kind":"UnknownModel"`},
		{"wrong credentials", map[string]string{"json2": "JSON-2 call with a wrong API key"},
			map[string]string{"xmlrpc": "Authenticate with a wrong password", "jsonrpc": "Authenticate with a wrong password"},
			[]string{"login"}, `"kind":"AccessDenied"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, p := range []string{"xmlrpc", "jsonrpc", "json2"} {
				exs := recorded(t, p)
				var login, answer odootest.Exchange
				if d := tc.auth[p]; d != "" {
					login = find(t, exs, d)
				}
				if d := tc.answer[p]; d != "" {
					answer = find(t, exs, d)
				}
				url := replay(t, odootest.Exchange{}, login, answer)
				env := map[string]string{"ODOO_URL": url, "ODOO_DB": "cmu19", "ODOO_USER": "admin", "ODOO_PASSWORD": "PASSWORD", "ODOO_API_KEY": "API_KEY"}
				r := runCLI(t, env, append([]string{"--protocol", p, "--compact", "--retries", "0"}, tc.args...)...)
				if r.code != exitOdoo || r.stderr != "" || !strings.HasPrefix(r.stdout, `{"error":{`+tc.kind) {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and %s", p, r.code, r.stdout, r.stderr, tc.kind)
				}
			}
		})
	}
}
