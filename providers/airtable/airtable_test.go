package airtable_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cmu-mx/cmu/providers/airtable"
	"github.com/cmu-mx/cmu/providers/airtable/airtabletest"
	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

func start(t *testing.T, opts airtabletest.Options) *airtabletest.Server {
	t.Helper()
	s := airtabletest.New(opts)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func client(t *testing.T, s *airtabletest.Server, edit func(*airtable.Config)) *airtable.Client {
	t.Helper()
	cfg := airtable.Config{BaseURL: s.URL(), Token: s.Token(), BaseID: s.BaseID(), Table: "Tareas", RequestsPerSecond: 1000, RetryWait: time.Millisecond}
	if edit != nil {
		edit(&cfg)
	}
	c, err := airtable.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fields(n int) []airtable.Fields {
	out := make([]airtable.Fields, n)
	for i := range out {
		out[i] = airtable.Fields{"Folio": fmt.Sprintf("L-%04d", i), "Estatus": "Revisión manual"}
	}
	return out
}

func TestCreateRecordsChunks(t *testing.T) {
	t.Parallel()
	s := start(t, airtabletest.Options{RequestsPerSecond: 1000, Tables: map[string][]string{"Tareas": {"Folio", "Estatus"}}})
	c := client(t, s, func(c *airtable.Config) { c.Typecast = true })
	recs, err := c.CreateRecords(t.Context(), fields(25))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 25 || recs[0].Fields["Folio"] != "L-0000" || recs[24].Fields["Folio"] != "L-0024" || !strings.HasPrefix(recs[0].ID, "rec") || recs[0].CreatedTime.IsZero() {
		t.Errorf("records: %d, first %+v", len(recs), recs[0])
	}
	reqs := s.Requests()
	var sizes []int
	for _, r := range reqs {
		if r.Method != "POST" || r.Path != "/v0/appCMUtest/Tareas" || r.Header.Get("Authorization") != "Bearer "+string(s.Token()) || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s %v", r.Method, r.Path, r.Header)
		}
		var body struct {
			Records []struct {
				Fields map[string]any `json:"fields"`
			} `json:"records"`
			Typecast bool `json:"typecast"`
		}
		if err := json.Unmarshal(r.Body, &body); err != nil || !body.Typecast {
			t.Errorf("body %s: %v", r.Body, err)
		}
		sizes = append(sizes, len(body.Records))
	}
	if diff := cmp.Diff([]int{10, 10, 5}, sizes); diff != "" {
		t.Errorf("chunk sizes (-want +got):\n%s", diff)
	}
	if got := len(s.Records("Tareas")); got != 25 {
		t.Errorf("fake stored %d", got)
	}
}

func TestRateLimitQueueAvoids429(t *testing.T) {
	t.Parallel()
	const rps, n = 50, 40
	s := start(t, airtabletest.Options{RequestsPerSecond: rps})
	c := client(t, s, func(c *airtable.Config) { c.RequestsPerSecond = rps })
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if _, err := c.CreateRecord(t.Context(), airtable.Fields{"i": i}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if s.RateLimited() != 0 {
		t.Errorf("fake answered %d × 429", s.RateLimited())
	}
	reqs := s.Requests()
	span := reqs[len(reqs)-1].At.Sub(reqs[0].At)
	if min := time.Duration(n-1) * (time.Second/rps + 10*time.Millisecond) * 9 / 10; span < min {
		t.Errorf("%d requests spanned %v, want ≥ %v", n, span, min)
	}
}

func TestRateLimitPenaltyAfter429(t *testing.T) {
	t.Parallel()
	const penalty = 300 * time.Millisecond
	s := start(t, airtabletest.Options{RequestsPerSecond: 3, Penalty: penalty})
	c := client(t, s, func(c *airtable.Config) { c.Penalty = penalty })
	recs, err := c.CreateRecords(t.Context(), fields(40))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 40 || len(s.Records("Tareas")) != 40 {
		t.Fatalf("created %d, stored %d", len(recs), len(s.Records("Tareas")))
	}
	if s.RateLimited() == 0 {
		t.Fatal("the fake never rate-limited: test is not exercising the penalty")
	}
	// The 4th request within a second is the first 429; the next request
	// (its retry) waits out the penalty.
	reqs := s.Requests()
	if gap := reqs[4].At.Sub(reqs[3].At); gap < penalty {
		t.Errorf("retry after 429 came %v later, want ≥ %v", gap, penalty)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tables := map[string][]string{"Tareas": {"Folio", "Estatus"}}
	tests := []struct {
		name     string
		prepare  func(*airtabletest.Server)
		edit     func(*airtable.Config)
		records  []airtable.Fields
		status   int
		code     string
		requests int
		created  int
	}{
		{name: "bad token", edit: func(c *airtable.Config) { c.Token = "patWRONG" }, records: fields(1), status: 401, code: "AUTHENTICATION_REQUIRED", requests: 1},
		{name: "other base", edit: func(c *airtable.Config) { c.BaseID = "appOTHER" }, records: fields(1), status: 403, code: "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", requests: 1},
		{name: "unknown table", edit: func(c *airtable.Config) { c.Table = "Nope" }, records: fields(1), status: 404, code: "NOT_FOUND", requests: 1},
		{name: "unknown field in second chunk", records: append(fields(10), airtable.Fields{"Color": "rojo"}), status: 422, code: "UNKNOWN_FIELD_NAME", requests: 2, created: 10},
		{name: "500 is not retried", prepare: func(s *airtabletest.Server) { s.FailNext(1, 500) }, records: fields(1), status: 500, code: "INTERNAL_SERVER_ERROR", requests: 1},
		{name: "502 retried until MaxRetries", prepare: func(s *airtabletest.Server) { s.FailNext(10, 502) }, records: fields(1), status: 502, code: "BAD_GATEWAY", requests: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := start(t, airtabletest.Options{RequestsPerSecond: 1000, Tables: tables})
			if tt.prepare != nil {
				tt.prepare(s)
			}
			created, err := client(t, s, tt.edit).CreateRecords(t.Context(), tt.records)
			var ae *airtable.APIError
			if !errors.As(err, &ae) || ae.Status != tt.status || ae.Code != tt.code {
				t.Fatalf("err = %v, want %d %s", err, tt.status, tt.code)
			}
			var be *airtable.BatchError
			if !errors.As(err, &be) || len(be.Created) != tt.created || len(created) != tt.created || be.Failed != tt.created {
				t.Errorf("batch error = %v, created %d", err, len(created))
			}
			if got := len(s.Requests()); got != tt.requests {
				t.Errorf("%d requests, want %d", got, tt.requests)
			}
		})
	}
}

func TestRetriesOnlyWhenNothingWasCreated(t *testing.T) {
	t.Parallel()
	s := start(t, airtabletest.Options{RequestsPerSecond: 1000})
	c := client(t, s, nil)
	s.FailNext(2, 503)
	if _, err := c.CreateRecord(t.Context(), airtable.Fields{"a": 1}); err != nil {
		t.Fatalf("after 2×503: %v", err)
	}
	s.Inject(1, airtabletest.Fault{Drop: true})
	_, err := c.CreateRecord(t.Context(), airtable.Fields{"a": 2})
	var te *apiclient.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("dropped connection: err = %v, want TransportError (not retried)", err)
	}
	if got := len(s.Requests()); got != 4 {
		t.Errorf("%d requests, want 3 + 1", got)
	}
}

func TestContextEndsPenaltyWait(t *testing.T) {
	t.Parallel()
	s := start(t, airtabletest.Options{RequestsPerSecond: 1000})
	c := client(t, s, func(c *airtable.Config) { c.Penalty = time.Hour })
	s.FailNext(1, 429)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := c.CreateRecord(ctx, airtable.Fields{"a": 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]airtable.Config{
		"no token": {BaseID: "app", Table: "t"},
		"no base":  {Token: "pat", Table: "t"},
		"no table": {Token: "pat", BaseID: "app"},
		"negative": {Token: "pat", BaseID: "app", Table: "t", Penalty: -1},
	} {
		if _, err := airtable.NewClient(cfg); !errors.Is(err, airtable.ErrConfig) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	cfg := airtable.Config{Token: "patSECRET123", BaseID: "app", Table: "t"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "cfg", cfg)
	if out := buf.String() + fmt.Sprintf("%v %#v", cfg, cfg); strings.Contains(out, "SECRET") {
		t.Errorf("token leaked: %s", out)
	}
	c, _ := airtable.NewClient(cfg)
	if _, err := c.CreateRecords(t.Context(), nil); !errors.Is(err, airtable.ErrNoRecords) {
		t.Errorf("empty: %v", err)
	}
}
