package servertest_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cmu-mx/cmu/server/internal/servertest"
)

func TestRecordingBroker(t *testing.T) {
	var b servertest.RecordingBroker
	for _, m := range []string{`a {"type":"x"}`, `b {"type":"x"} {"type":"y"}`} {
		if err := b.Publish(t.Context(), []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.All(); got != "a {\"type\":\"x\"}\nb {\"type\":\"x\"} {\"type\":\"y\"}" {
		t.Errorf("All() = %q", got)
	}
	if n := b.Count(`"x"`); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
}

func TestDo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, r.Method+" "+r.Header.Get("Authorization")+" "+r.Header.Get("Content-Type")+" "+string(body))
	}))
	t.Cleanup(srv.Close)
	st, b := servertest.Do(t, http.MethodPut, srv.URL+"/x", "tok", `{"a":1}`)
	if st != http.StatusTeapot || string(b) != `PUT Bearer tok application/json {"a":1}` {
		t.Errorf("Do = %d %q", st, b)
	}
	if _, b := servertest.Do(t, http.MethodGet, srv.URL, "", ""); string(b) != "GET  application/json " {
		t.Errorf("without token: %q", b)
	}
}

func TestOdoo(t *testing.T) {
	srv, oc, svc := servertest.Odoo(t, nil)
	if srv == nil || oc == nil || svc == nil {
		t.Fatal("nil fixture")
	}
	if _, err := svc.Ensure(t.Context()); err != nil { // already provisioned: a no-op
		t.Fatal(err)
	}
}
