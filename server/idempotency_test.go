package server

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

func testIdempotency(t *testing.T, db *DB) {
	f := &fakeServices{}
	d := f.deps()
	d.DB = db
	e := newTestEnv(t, testConfig(), d)
	tok := e.adminToken()
	body := `{"clientId":7,"type":"nota","message":"Llamada"}`

	first := e.do("POST", "/api/events", tok, body, "Idempotency-Key", "k-1")
	if first.Status != 201 {
		t.Fatalf("%d %s", first.Status, first.Body)
	}
	again := e.do("POST", "/api/events", tok, body, "Idempotency-Key", "k-1")
	if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" ||
		again.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
		t.Errorf("replay %d %s %v", again.Status, again.Body, again.Header)
	}
	if n := f.count("CreateEvent"); n != 1 {
		t.Errorf("handler ran %d times", n)
	}

	diff := e.do("POST", "/api/events", tok, `{"clientId":7,"type":"nota","message":"Otra"}`, "Idempotency-Key", "k-1")
	if diff.Status != 422 || diff.errorBody(t).Message != "La Idempotency-Key ya se usó con un cuerpo de solicitud distinto" {
		t.Errorf("different body: %d %s", diff.Status, diff.Body)
	}

	// The key is scoped per advisor and route.
	other := e.token("adv-2", func(c *Claims) { c.Role = RoleAdmin })
	if r := e.do("POST", "/api/events", other, body, "Idempotency-Key", "k-1"); r.Status != 201 || r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("other advisor: %d %v", r.Status, r.Header)
	}
	if f.count("CreateEvent") != 2 {
		t.Errorf("other advisor's request did not run")
	}

	// Without a key nothing is stored; an invalid key is refused.
	e.do("POST", "/api/events", tok, body)
	e.do("POST", "/api/events", tok, body)
	if f.count("CreateEvent") != 4 {
		t.Errorf("requests without key: %d calls", f.count("CreateEvent"))
	}
	if r := e.do("POST", "/api/events", tok, body, "Idempotency-Key", strings.Repeat("k", 300)); r.Status != 400 {
		t.Errorf("long key: %d", r.Status)
	}

	// Validation errors (4xx) are stored too: same answer, no second run.
	bad := e.do("POST", "/api/events", tok, `{"clientId":7}`, "Idempotency-Key", "k-bad")
	bad2 := e.do("POST", "/api/events", tok, `{"clientId":7}`, "Idempotency-Key", "k-bad")
	if bad.Status != 400 || bad2.Status != 400 || bad2.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("stored 4xx: %d %d", bad.Status, bad2.Status)
	}

	// Expired keys are purged.
	if n, err := db.PurgeIdempotencyKeys(t.Context(), time.Now().Add(25*time.Hour)); err != nil || n < 3 {
		t.Errorf("purge: %d %v", n, err)
	}
}

func TestIdempotencySQLite(t *testing.T) { testIdempotency(t, openTestSQLite(t)) }
func TestIdempotencyPostgres(t *testing.T) {
	db := openTestPostgres(t)
	migrateUp(t, db)
	testIdempotency(t, db)
}

func migrateUp(t *testing.T, db *DB) {
	t.Helper()
	if _, err := db.Migrate(t.Context(), MigrateUp, nil); err != nil {
		t.Fatal(err)
	}
}

func TestIdempotencyConcurrentAndServerErrors(t *testing.T) {
	f := &fakeServices{delay: 300 * time.Millisecond}
	e := newTestEnv(t, testConfig(), f.deps())
	tok := e.adminToken()
	body := `{"clientId":7,"amount":"100.00"}`
	var wg sync.WaitGroup
	results := make([]response, 2)
	for i := range results {
		wg.Go(func() {
			if i == 1 {
				time.Sleep(100 * time.Millisecond)
			}
			results[i] = e.do("POST", "/api/payments/generate-link", tok, body, "Idempotency-Key", "same")
		})
	}
	wg.Wait()
	if results[0].Status != 201 || results[1].Status != 409 || results[1].Header.Get("Retry-After") != "1" {
		t.Errorf("concurrent: %d %d %v", results[0].Status, results[1].Status, results[1].Header)
	}
	if f.count("ConektaLink") != 1 {
		t.Errorf("ran %d times", f.count("ConektaLink"))
	}
	// A 5xx is not stored: the retry runs again.
	f2 := &fakeServices{fail: NewError(KindUnavailable, "Odoo no responde")}
	e2 := newTestEnv(t, testConfig(), f2.deps())
	tok2 := e2.adminToken()
	for range 2 {
		if r := e2.do("POST", "/api/credit/analyze", tok2, `{"clientId":1}`, "Idempotency-Key", "x"); r.Status != 503 {
			t.Errorf("status %d", r.Status)
		}
	}
	if f2.count("Analyze") != 2 {
		t.Errorf("5xx was replayed: %d runs", f2.count("Analyze"))
	}
}

func TestIdempotencyStaleInFlightIsTakenOver(t *testing.T) {
	db := openTestSQLite(t)
	now := time.Now()
	st := &idempotencyStore{db: db, now: func() time.Time { return now }, ttl: time.Hour}
	fresh, _, err := st.begin(t.Context(), "s", "k", "h")
	if err != nil || !fresh {
		t.Fatal(fresh, err)
	}
	if fresh, rec, _ := st.begin(t.Context(), "s", "k", "h"); fresh || rec.state != "in_flight" {
		t.Fatal("second begin should see in_flight")
	}
	now = now.Add(3 * time.Minute)
	if fresh, _, err := st.begin(t.Context(), "s", "k", "h"); err != nil || !fresh {
		t.Errorf("stale key not taken over: %v %v", fresh, err)
	}
	if err := st.complete(t.Context(), "s", "k", 201, "application/json", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	_, rec, _ := st.begin(t.Context(), "s", "k", "h")
	var v map[string]int
	if rec == nil || rec.status != 201 || json.Unmarshal(rec.body, &v) != nil || v["a"] != 1 {
		t.Errorf("stored %+v", rec)
	}
	now = now.Add(2 * time.Hour)
	if fresh, _, _ := st.begin(t.Context(), "s", "k", "other"); !fresh {
		t.Error("expired key not reusable")
	}
}
