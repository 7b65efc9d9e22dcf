package server

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata")

func envOf(m map[string]string) (func(string) string, []string) {
	var environ []string
	for k, v := range m {
		environ = append(environ, k+"="+v)
	}
	return func(k string) string { return m[k] }, environ
}

func TestLoadConfigDefaults(t *testing.T) {
	getenv, environ := envOf(nil)
	c, err := LoadConfig(getenv, environ)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.Mode != ModeDevelopment || c.DatabaseURL.Reveal() != "file:cmu.db" ||
		c.BodyLimitBytes != DefaultBodyLimit || c.LogLevel != slog.LevelInfo || c.JWTSecret.Reveal() != DevJWTSecret ||
		c.Conekta.APIURL != "https://api.conekta.io" || c.Hase.ApprovalThreshold != 600 {
		t.Errorf("defaults: %+v", c)
	}
}

func TestLoadConfigValues(t *testing.T) {
	getenv, environ := envOf(map[string]string{
		"CMU_ADDR": "0.0.0.0:9000", "CMU_DATABASE_URL": "postgres://u:p@db/cmu", "GNV_ALLOWED_CIDRS": "10.0.0.0/8, 192.168.1.7",
		"URL_INVOICE_MIFACT_V3": "https://mifact.example/", "USERNAME_ADMIN": "admin", "INVOICE_MIFACT_USERNAME": "mifact",
		"CMU_ALLOWED_ORIGINS": "app.cmu.mx, *.cmu.mx", "CMU_LOG_LEVEL": "debug", "ODOO_PROTOCOL": "json2",
		"SPEI_CLABE": "002010077777777771",
	})
	c, err := LoadConfig(getenv, environ)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.Mifact.URL != "https://mifact.example" || c.Mifact.User != "mifact" ||
		len(c.AllowedOrigins) != 2 || c.LogLevel != slog.LevelDebug || c.Odoo.Protocol != "json2" {
		t.Errorf("values: %+v", c)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32")}
	if fmt.Sprint(c.GNV.AllowedCIDRs) != fmt.Sprint(want) {
		t.Errorf("cidrs = %v, want %v", c.GNV.AllowedCIDRs, want)
	}
	if d, _ := dialectOf(c.DatabaseURL.Reveal()); d != DialectPostgres {
		t.Errorf("dialect %q", d)
	}
}

func TestLoadConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"unknown CMU variable", map[string]string{"CMU_ADRR": "x"}, []string{"CMU_ADRR: unknown variable"}},
		{"bad mode", map[string]string{"CMU_MODE": "prod"}, []string{"CMU_MODE: invalid value"}},
		{"bad addr", map[string]string{"CMU_ADDR": "localhost"}, []string{"CMU_ADDR: invalid value"}},
		{"bad body limit", map[string]string{"CMU_BODY_LIMIT_BYTES": "10"}, []string{"CMU_BODY_LIMIT_BYTES: invalid value"}},
		{"bad log level", map[string]string{"CMU_LOG_LEVEL": "loud"}, []string{"CMU_LOG_LEVEL"}},
		{"bad database url", map[string]string{"CMU_DATABASE_URL": "mysql://x"}, []string{"CMU_DATABASE_URL"}},
		{"short jwt secret", map[string]string{"CMU_JWT_SECRET": "short"}, []string{"CMU_JWT_SECRET: invalid value"}},
		{"bad odoo url", map[string]string{"ODOO_URL": "odoo.local"}, []string{"ODOO_URL: invalid value"}},
		{"bad protocol", map[string]string{"ODOO_PROTOCOL": "soap"}, []string{"ODOO_PROTOCOL"}},
		{"bad cidr", map[string]string{"GNV_ALLOWED_CIDRS": "10.0.0.0/99"}, []string{"GNV_ALLOWED_CIDRS"}},
		{"bad clabe", map[string]string{"SPEI_CLABE": "002010077777777772"}, []string{"SPEI_CLABE"}},
		{"bad alias value names the alias", map[string]string{"URL_INVOICE_MIFACT_V3": "ftp://x"}, []string{"URL_INVOICE_MIFACT_V3: invalid value"}},
		{"both jwt keys", map[string]string{"CMU_JWT_SECRET": testSecret, "CMU_JWT_PUBLIC_KEY_FILE": "k.pem"}, []string{"CMU_JWT_PUBLIC_KEY_FILE"}},
		{"several at once", map[string]string{"CMU_MODE": "x", "CMU_FOO": "1"}, []string{"CMU_MODE", "CMU_FOO"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, environ := envOf(tt.env)
			_, err := LoadConfig(getenv, environ)
			if err == nil {
				t.Fatal("no error")
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("not a *ConfigError: %T", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadConfigTestVariablesAreNotUnknown(t *testing.T) {
	getenv, environ := envOf(map[string]string{"CMU_TEST_POSTGRES_DSN": "postgres://x"})
	if _, err := LoadConfig(getenv, environ); err != nil {
		t.Fatal(err)
	}
}

func productionEnv() map[string]string {
	env := map[string]string{"CMU_MODE": "production", "CMU_JWT_SECRET": testSecret, "ODOO_API_KEY": "odoo-api-key-value"}
	for _, v := range ConfigVars() {
		if v.RequiredInProduction {
			switch {
			case strings.HasSuffix(v.Name, "_URL"):
				env[v.Name] = "https://" + strings.ToLower(v.Name) + ".example"
			case v.Name == "SPEI_CLABE":
				env[v.Name] = "002010077777777771"
			default:
				env[v.Name] = "value-of-" + v.Name
			}
		}
	}
	return env
}

func TestLoadConfigProduction(t *testing.T) {
	getenv, environ := envOf(productionEnv())
	if _, err := LoadConfig(getenv, environ); err != nil {
		t.Fatalf("complete production config: %v", err)
	}
	for _, v := range ConfigVars() {
		if !v.RequiredInProduction {
			continue
		}
		t.Run("missing "+v.Name, func(t *testing.T) {
			env := productionEnv()
			delete(env, v.Name)
			getenv, environ := envOf(env)
			_, err := LoadConfig(getenv, environ)
			if err == nil || !strings.Contains(err.Error(), v.Name+": required in production") {
				t.Errorf("err = %v", err)
			}
		})
	}
	for name, mod := range map[string]func(map[string]string){
		"no jwt key":      func(e map[string]string) { delete(e, "CMU_JWT_SECRET") },
		"dev jwt secret":  func(e map[string]string) { e["CMU_JWT_SECRET"] = DevJWTSecret },
		"no odoo api key": func(e map[string]string) { delete(e, "ODOO_API_KEY") },
	} {
		t.Run(name, func(t *testing.T) {
			env := productionEnv()
			mod(env)
			getenv, environ := envOf(env)
			if _, err := LoadConfig(getenv, environ); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestSecretsNeverFormatted(t *testing.T) {
	env := productionEnv()
	env["CMU_DATABASE_URL"] = "postgres://cmu:pg-password-123@db:5432/cmu?sslmode=require&password=x"
	getenv, environ := envOf(env)
	c, err := LoadConfig(getenv, environ)
	if err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("cfg", "config", c, "secret", c.Conekta.APIKey)
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("cfg", "config", c, "odoo", c.Odoo)
	out := logBuf.String() + fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Odoo)
	for _, v := range ConfigVars() {
		if v.Secret && v.Name != "CMU_DATABASE_URL" {
			if secret := env[v.Name]; secret != "" && strings.Contains(out, secret) {
				t.Errorf("%s leaked", v.Name)
			}
		}
	}
	for _, leak := range []string{"pg-password-123", testSecret} {
		if strings.Contains(out, leak) {
			t.Errorf("%q leaked in %s", leak, out)
		}
	}
	if !strings.Contains(logBuf.String(), "db:5432") {
		t.Errorf("redacted database host missing from log: %s", logBuf.String())
	}
}

// TestConfigMarkdown keeps the README's variable list in sync with the table:
// testdata/config.md is generated (-update) and must appear verbatim in the
// README's configuration section.
func TestConfigMarkdown(t *testing.T) {
	got := ConfigMarkdown()
	golden := filepath.Join("testdata", "config.md")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("testdata/config.md is stale; run go test ./server -run TestConfigMarkdown -update")
	}
	for _, v := range ConfigVars() {
		if !strings.Contains(got, "`"+v.Name+"`") {
			t.Errorf("%s missing from the markdown", v.Name)
		}
	}
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(configMarkdownBegin)) {
		t.Fatalf("README.md has no configuration table (marker %q)", configMarkdownBegin)
	}
	if !bytes.Contains(b, []byte(got)) {
		t.Errorf("README.md: the configuration table differs from ConfigMarkdown(); paste testdata/config.md")
	}
}

func TestLocalURL(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{":8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:9000", "http://127.0.0.1:9000"},
		{"[::]:9000", "http://127.0.0.1:9000"},
		{"cmu.internal:80", "http://cmu.internal:80"},
		{"[::1]:8080", "http://[::1]:8080"},
	} {
		if got := LocalURL(tc.addr); got != tc.want {
			t.Errorf("LocalURL(%q) = %q, want %q", tc.addr, got, tc.want)
		}
	}
}

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct {
		name, addr, public string
		want, err          string
	}{
		{"default from CMU_ADDR", "", "", "http://127.0.0.1:8080", ""},
		{"default from a wildcard CMU_ADDR", "0.0.0.0:9000", "", "http://127.0.0.1:9000", ""},
		{"https behind a proxy", "0.0.0.0:9000", "https://cmu.example.com", "https://cmu.example.com", ""},
		{"path prefix, trailing slash dropped", "", "https://api.cmu.mx/backend/", "https://api.cmu.mx/backend", ""},
		{"http with port", "", "http://10.0.0.5:8443", "http://10.0.0.5:8443", ""},
		{"relative", "", "cmu.example.com", "", "CMU_PUBLIC_URL: invalid value"},
		{"no host", "", "https:///x", "", "CMU_PUBLIC_URL: invalid value"},
		{"other scheme", "", "ftp://cmu.example.com", "", "CMU_PUBLIC_URL: invalid value"},
		{"opaque", "", "https:cmu.example.com", "", "CMU_PUBLIC_URL: invalid value"},
		{"query", "", "https://cmu.example.com/?a=1", "", "CMU_PUBLIC_URL: invalid value"},
		{"fragment", "", "https://cmu.example.com/#x", "", "CMU_PUBLIC_URL: invalid value"},
		{"credentials", "", "https://u:p@cmu.example.com", "", "CMU_PUBLIC_URL: invalid value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			if tc.addr != "" {
				env["CMU_ADDR"] = tc.addr
			}
			if tc.public != "" {
				env["CMU_PUBLIC_URL"] = tc.public
			}
			getenv, environ := envOf(env)
			c, err := LoadConfig(getenv, environ)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "u:p@") {
					t.Errorf("error shows the value: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.PublicBaseURL(); got != tc.want {
				t.Errorf("PublicBaseURL() = %q, want %q", got, tc.want)
			}
		})
	}
}
