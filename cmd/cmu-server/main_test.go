package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/server"
)

// syncBuffer is a goroutine-safe bytes.Buffer for run's output.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(m map[string]string) (func(string) string, []string) {
	var environ []string
	for k, v := range m {
		environ = append(environ, k+"="+v)
	}
	return func(k string) string { return m[k] }, environ
}

func TestRunServesAndShutsDown(t *testing.T) {
	getenv, environ := env(map[string]string{
		"CMU_ADDR":         "127.0.0.1:0",
		"CMU_DATABASE_URL": "file:" + filepath.Join(t.TempDir(), "cmu.db"),
	})
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, environ, &stdout, &stderr) }()

	addrRe := regexp.MustCompile(`listening on (http://\S+)`)
	tokRe := regexp.MustCompile(`export TOKEN=(\S+)`)
	var base, token string
	deadline := time.Now().Add(10 * time.Second)
	for base == "" || token == "" {
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: stdout %q stderr %q", stdout.String(), stderr.String())
		}
		if m := addrRe.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		if m := tokRe.FindStringSubmatch(stdout.String()); m != nil {
			token = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	get := func(path, tok string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", base+path, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz", ""); code != 200 {
		t.Errorf("healthz %d %s", code, body)
	}
	if code, body := get("/readyz", ""); code != 200 || !strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, `"odoo":"ok"`) {
		t.Errorf("readyz %d %s", code, body)
	}
	if code, _ := get("/api/clients", ""); code != 401 {
		t.Errorf("without token %d", code)
	}
	// The printed development token is accepted, and development mode serves the
	// demo clients from the in-process fake Odoo.
	if code, body := get("/api/clients?pageSize=5", token); code != 200 || !strings.Contains(body, `"total":50`) {
		t.Errorf("with the printed token %d %s", code, body)
	}
	if code, body := get("/api/cotizador/paquete/edomex", token); code != 200 || !strings.Contains(body, `"market":"edomex"`) {
		t.Errorf("edomex package %d %s", code, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(shutdownTimeout + 2*time.Second):
		t.Fatal("no graceful shutdown")
	}
	if !strings.Contains(stderr.String(), "shutting down") || !strings.Contains(stderr.String(), "msg=request") {
		t.Errorf("log: %s", stderr.String())
	}
	if strings.Contains(stderr.String(), token) {
		t.Error("the token reached the log")
	}
}

func TestRunMigrateAndToken(t *testing.T) {
	getenv, environ := env(map[string]string{"CMU_DATABASE_URL": "file:" + filepath.Join(t.TempDir(), "cmu.db")})
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"migrate", "up"}, "database at version 4"},
		{[]string{"migrate", "up"}, "database at version 4"},
		{[]string{"migrate", "down"}, "database at version 3"},
		{[]string{"migrate", "down"}, "database at version 2"},
		{[]string{"migrate", "up"}, "database at version 4"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), tt.args, getenv, environ, &out, &errOut); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%v: %q", tt.args, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"token", "asesor-7"}, getenv, environ, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	adv, err := server.NewHS256Authenticator([]byte(server.DevJWTSecret), nil).Verify(strings.TrimSpace(out.String()))
	if err != nil || adv.ID != "asesor-7" || !adv.Admin {
		t.Errorf("token: %+v %v", adv, err)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	prod := map[string]string{"CMU_MODE": "production", "CMU_JWT_SECRET": strings.Repeat("s", 40), "ODOO_API_KEY": "key",
		"CMU_DATABASE_URL": "file:" + filepath.Join(dir, "prod.db"), "CMU_ADDR": "127.0.0.1:0"}
	for _, v := range server.ConfigVars() {
		if v.RequiredInProduction {
			switch {
			case strings.HasSuffix(v.Name, "_URL"):
				prod[v.Name] = "https://x.example"
			case v.Name == "SPEI_CLABE":
				prod[v.Name] = "002010077777777771"
			default:
				prod[v.Name] = "x"
			}
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"unknown variable", map[string]string{"CMU_PORT": "1"}, nil, "CMU_PORT"},
		{"invalid value", map[string]string{"CMU_BODY_LIMIT_BYTES": "lots"}, nil, "CMU_BODY_LIMIT_BYTES"},
		{"bad arguments", nil, []string{"migrate", "sideways"}, "usage"},
		{"production refuses unmigrated database", prod, nil, "pending migrations"},
		{"production missing secret", map[string]string{"CMU_MODE": "production"}, nil, "CONEKTA_API_KEY: required in production"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, environ := env(tt.env)
			err := run(t.Context(), tt.args, getenv, environ, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
