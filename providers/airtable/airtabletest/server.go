// Package airtabletest is a fake Airtable for tests and for the server's
// development mode. It serves POST /v0/{baseId}/{table} (create records, at
// most 10 per request), checks the bearer token, stores the records, enforces
// the rate limit (RequestsPerSecond per base in a sliding one-second window;
// beyond it 429 for Penalty) and answers Airtable's error JSON
// {"error":{"type","message"}} (404 {"error":"NOT_FOUND"}). Error types other
// than those FACTS.md names are the fake's own. It records requests and
// injects faults.
//
// A Server is safe for concurrent use.
package airtabletest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/airtable"
	"github.com/cmu-mx/cmu/providers/internal/fake"
)

// RecordedRequest is a request the fake received.
type RecordedRequest = fake.Recorded

// Fault is an injected failure (see Server.Inject).
type Fault = fake.Fault

// Defaults for Options.
const (
	DefaultToken  airtable.Token = "patCMUtest.fake"
	DefaultBaseID                = "appCMUtest"
)

// Options configures a fake. Zero fields mean the documented defaults.
type Options struct {
	// Token accepted (default DefaultToken).
	Token airtable.Token
	// BaseID served (default DefaultBaseID); other bases answer 403
	// INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND.
	BaseID string
	// Tables maps table names (or ids) to their field names. Nil accepts any
	// table and field; otherwise an unknown table is 404 and an unknown field
	// 422 UNKNOWN_FIELD_NAME.
	Tables map[string][]string
	// RequestsPerSecond per base (default 5); Penalty after exceeding it
	// (default 30 s).
	RequestsPerSecond int
	Penalty           time.Duration
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// Server is the fake Airtable.
type Server struct {
	core fake.Core
	srv  *httptest.Server
	opts Options

	mu           sync.Mutex
	recent       []time.Time // arrivals in the last second
	blockedUntil time.Time
	limited      int
	seq          int
	records      map[string][]airtable.Record
}

// New returns an unstarted fake; call Start (or use Handler in-process).
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.BaseID == "" {
		opts.BaseID = DefaultBaseID
	}
	if opts.RequestsPerSecond <= 0 {
		opts.RequestsPerSecond = 5
	}
	if opts.Penalty <= 0 {
		opts.Penalty = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, records: map[string][]airtable.Record{}}
	s.srv = httptest.NewUnstartedServer(s.Handler())
	return s
}

// Start starts the fake on a loopback port.
func (s *Server) Start() { s.srv.Start() }

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// URL is the base URL for airtable.Config.BaseURL (after Start).
func (s *Server) URL() string { return s.srv.URL }

// Token is the accepted token.
func (s *Server) Token() airtable.Token { return s.opts.Token }

// BaseID is the served base.
func (s *Server) BaseID() string { return s.opts.BaseID }

// Requests returns the requests received so far.
func (s *Server) Requests() []RecordedRequest { return s.core.Requests() }

// RateLimited is how many requests were answered 429 by the rate limit.
func (s *Server) RateLimited() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limited
}

// Records returns the records of a table in creation order.
func (s *Server) Records(table string) []airtable.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]airtable.Record(nil), s.records[table]...)
}

// FailNext answers the next n requests with status and Airtable's error JSON.
func (s *Server) FailNext(n, status int) {
	s.core.FailNext(n, Fault{Status: status, Body: errJSON(strings.ToUpper(strings.ReplaceAll(http.StatusText(status), " ", "_")), "fake failure")})
}

// Inject queues an arbitrary fault for the next n requests.
func (s *Server) Inject(n int, f Fault) { s.core.FailNext(n, f) }

// Handler serves the fake without a listener. Every request is recorded;
// injected faults are answered before authentication and rate limiting.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v0/{base}/{table}", s.create)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "NOT_FOUND"})
	})
	return s.core.Wrap(mux)
}

func errJSON(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"type": typ, "message": msg}})
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(errJSON(typ, msg))
}

// allow applies the per-base rate limit.
func (s *Server) allow() bool {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.blockedUntil) {
		s.limited++
		return false
	}
	cut := now.Add(-time.Second)
	kept := s.recent[:0]
	for _, t := range s.recent {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	s.recent = kept
	if len(s.recent) >= s.opts.RequestsPerSecond {
		// Like Airtable, requests succeed again once the penalty is over.
		s.blockedUntil = now.Add(s.opts.Penalty)
		s.recent = s.recent[:0]
		s.limited++
		return false
	}
	s.recent = append(s.recent, now)
	return true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		writeErr(w, http.StatusUnauthorized, "AUTHENTICATION_REQUIRED", "Authentication required")
		return
	}
	if airtable.Token(tok) != s.opts.Token {
		writeErr(w, http.StatusUnauthorized, "AUTHENTICATION_REQUIRED", "Invalid authentication token")
		return
	}
	if r.PathValue("base") != s.opts.BaseID {
		writeErr(w, http.StatusForbidden, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", "Invalid permissions, or the requested model was not found.")
		return
	}
	if !s.allow() {
		writeErr(w, http.StatusTooManyRequests, "RATE_LIMIT_REACHED", "Rate limit exceeded. Please try again later")
		return
	}
	table := r.PathValue("table")
	var allowed map[string]bool
	if s.opts.Tables != nil {
		fields, ok := s.opts.Tables[table]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "NOT_FOUND"})
			return
		}
		allowed = map[string]bool{}
		for _, f := range fields {
			allowed[f] = true
		}
	}
	var body struct {
		Records []struct {
			Fields map[string]any `json:"fields"`
		} `json:"records"`
		Typecast bool `json:"typecast"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeErr(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "Could not parse request body")
		return
	}
	switch {
	case len(body.Records) == 0:
		writeErr(w, http.StatusUnprocessableEntity, "INVALID_REQUEST_MISSING_FIELDS", "Could not find field \"records\" in the request body")
		return
	case len(body.Records) > airtable.MaxRecordsPerRequest:
		writeErr(w, http.StatusUnprocessableEntity, "INVALID_RECORDS", fmt.Sprintf("You can create up to %d records per request", airtable.MaxRecordsPerRequest))
		return
	}
	for _, rec := range body.Records {
		for name := range rec.Fields {
			if allowed != nil && !allowed[name] {
				writeErr(w, http.StatusUnprocessableEntity, "UNKNOWN_FIELD_NAME", fmt.Sprintf("Unknown field name: %q", name))
				return
			}
		}
	}
	now := s.opts.Now().UTC().Truncate(time.Millisecond)
	out := make([]airtable.Record, len(body.Records))
	s.mu.Lock()
	for i, rec := range body.Records {
		s.seq++
		out[i] = airtable.Record{ID: fmt.Sprintf("rec%014d", s.seq), CreatedTime: now, Fields: rec.Fields}
		if out[i].Fields == nil {
			out[i].Fields = airtable.Fields{}
		}
	}
	s.records[table] = append(s.records[table], out...)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"records": out})
}

// Tables lists the tables holding records, sorted.
func (s *Server) Tables() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.records {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
