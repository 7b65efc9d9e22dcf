// Package svtest is a fake SV clinic system implementing the contract of package
// sv: PUT /clinic-history-crm/{reservationId} with bearer auth (401), body
// validation (422), unknown reservations (404, when Options.KnownOnly), and
// idempotent storage (the same update twice answers "changed": false). Requests
// are recorded; faults (5xx, 429, dropped connections, latency) can be
// injected. It serves tests and the server's development mode. A Server is
// safe for concurrent use.
package svtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/fake"
)

// Request is one request the fake received, recorded before any fault applied.
type Request = fake.Request

// switches is embedded in Server under an unexported name.
type switches = fake.Switches

// maxRequestBody bounds how much of a request body the fake records.
const maxRequestBody = 32 << 20

// DefaultAPIKey is the accepted bearer token unless Options.APIKey is set.
const DefaultAPIKey = "sv-test-key"

// Options configures a Server.
type Options struct {
	APIKey string
	// KnownOnly answers 404 for reservations not added with AddReservation.
	KnownOnly bool
	// Now is the fake's clock (nil: time.Now).
	Now func() time.Time
}

// Record is what SV holds for one reservation.
type Record struct {
	// Body is the last update's JSON, compacted.
	Body      json.RawMessage
	UpdatedAt time.Time
	// Writes counts updates that changed the record.
	Writes int
}

// Server is a running fake.
//
// Faults and recording (promoted from an embedded value): FailNext(n, status)
// answers the next n requests with status and the provider's error body;
// RateLimitNext(n, retryAfter) answers 429 with Retry-After; SetDown(true)
// drops every connection; SetDelay(d) delays every answer; Requests() returns
// the requests received so far (recorded before any fault); ResetRequests()
// forgets them and the queued faults.
type Server struct {
	*httptest.Server
	opts Options
	f    fake.Core
	// switches gives Server FailNext, RateLimitNext, SetDown, SetDelay,
	// Requests and ResetRequests.
	switches

	mu      sync.Mutex
	known   map[string]bool
	records map[string]*Record
}

// New starts a fake on a loopback port. Close it when done.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, known: map[string]bool{}, records: map[string]*Record{}}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /clinic-history-crm/{id}", s.put)
	s.f.SetMaxBody(maxRequestBody)
	s.switches = fake.NewSwitches(&s.f, errorBody)
	s.Server = httptest.NewServer(s.f.Wrap(mux))
	return s
}

// APIKey returns the accepted bearer token.
func (s *Server) APIKey() string { return s.opts.APIKey }

// AddReservation makes id known (see Options.KnownOnly).
func (s *Server) AddReservation(id string) {
	s.mu.Lock()
	s.known[id] = true
	s.mu.Unlock()
}

// Record returns the stored record of reservation id.
func (s *Server) Record(id string) (Record, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.records[id]
	if !ok {
		return Record{}, false
	}
	return *r, true
}

func errorBody(status int) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "http_" + http.StatusText(status), "message": http.StatusText(status)}})
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (s *Server) put(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey {
		fail(w, http.StatusUnauthorized, "unauthorized", "invalid token")
		return
	}
	id := r.PathValue("id")
	var in struct {
		Patient *struct {
			FirstName        string `json:"first_name"`
			PaternalLastName string `json:"paternal_last_name"`
		} `json:"patient"`
		ClinicHistory string `json:"clinic_history"`
		Payment       *struct {
			Status string `json:"status"`
		} `json:"payment"`
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(r.Body); err != nil || json.Unmarshal(raw.Bytes(), &in) != nil {
		fail(w, http.StatusBadRequest, "invalid_json", "body is not JSON")
		return
	}
	switch {
	case in.Patient == nil || in.Patient.FirstName == "" || in.Patient.PaternalLastName == "":
		fail(w, http.StatusUnprocessableEntity, "invalid_patient", "patient.first_name and patient.paternal_last_name are required")
		return
	case in.ClinicHistory == "":
		fail(w, http.StatusUnprocessableEntity, "invalid_clinic_history", "clinic_history is required")
		return
	case in.Payment == nil || (in.Payment.Status != "factura_directa" && in.Payment.Status != "orden_servicio_pendiente_factura"):
		fail(w, http.StatusUnprocessableEntity, "invalid_payment", "payment.status is invalid")
		return
	}
	var compact bytes.Buffer
	json.Compact(&compact, raw.Bytes())
	s.mu.Lock()
	if s.opts.KnownOnly && !s.known[id] {
		s.mu.Unlock()
		fail(w, http.StatusNotFound, "reservation_not_found", "reservation "+id+" not found")
		return
	}
	rec, ok := s.records[id]
	changed := !ok || !bytes.Equal(rec.Body, compact.Bytes())
	if !ok {
		rec = &Record{}
		s.records[id] = rec
	}
	if changed {
		rec.Body = append(json.RawMessage(nil), compact.Bytes()...)
		rec.UpdatedAt = s.opts.Now().UTC()
		rec.Writes++
	}
	updated := rec.UpdatedAt
	s.mu.Unlock()
	w.Header().Set("X-Request-Id", "sv-"+id+"-"+updated.Format("150405.000"))
	writeJSON(w, http.StatusOK, map[string]any{"reservation_id": id, "clinic_history": in.ClinicHistory, "changed": changed, "updated_at": updated.Format(time.RFC3339)})
}
