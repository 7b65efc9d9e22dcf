// Package hasetest is a fake HASE risk model implementing the contract of
// package hase: POST /score with bearer auth (401), body validation (400), a
// deterministic scoring model with a configurable approval threshold, per
// applicant overrides, X-Request-Id, recorded requests and injectable faults
// (5xx, 429 with Retry-After, dropped connections, latency). It serves tests
// and the server's development mode. A Server is safe for concurrent use.
package hasetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/internal/fake"
)

// Request is one request the fake received, recorded before any fault applied.
type Request = fake.Request

// switches is embedded in Server under an unexported name.
type switches = fake.Switches

// maxRequestBody bounds how much of a request body the fake records.
const maxRequestBody = 32 << 20

// Defaults of Options.
const (
	DefaultAPIKey    = "hase-test-key"
	DefaultThreshold = 600
	ModelVersion     = "hasetest-1"
)

// Options configures a Server.
type Options struct {
	// APIKey is the accepted bearer token (default DefaultAPIKey).
	APIKey string
	// Threshold is the score from which the model answers "aprobado"
	// (default DefaultThreshold).
	Threshold int
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

	mu        sync.Mutex
	overrides map[string]hase.Result
	scored    int
}

// New starts a fake on a loopback port. Close it when done.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.Threshold == 0 {
		opts.Threshold = DefaultThreshold
	}
	s := &Server{opts: opts, overrides: map[string]hase.Result{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /score", s.score)
	s.f.SetMaxBody(maxRequestBody)
	s.switches = fake.NewSwitches(&s.f, errorBody)
	s.Server = httptest.NewServer(s.f.Wrap(mux))
	return s
}

// APIKey returns the accepted bearer token.
func (s *Server) APIKey() string { return s.opts.APIKey }

// SetResult makes the fake answer r for applicantID instead of the model.
func (s *Server) SetResult(applicantID string, r hase.Result) {
	s.mu.Lock()
	s.overrides[applicantID] = r
	s.mu.Unlock()
}

// Scored returns how many requests were scored successfully.
func (s *Server) Scored() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scored
}

func errorBody(status int) []byte {
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": "http_" + http.StatusText(status), "message": http.StatusText(status)}})
	return b
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (s *Server) score(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey {
		writeError(w, http.StatusUnauthorized, "unauthorized", "invalid bearer token")
		return
	}
	var in hase.ScoreRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body", err.Error())
		return
	}
	if in.ApplicantID == "" {
		writeError(w, http.StatusBadRequest, "invalid_body", "applicant_id is required")
		return
	}
	var b [8]byte
	rand.Read(b[:])
	reqID := "hase_" + hex.EncodeToString(b[:])
	s.mu.Lock()
	res, ok := s.overrides[in.ApplicantID]
	s.scored++
	s.mu.Unlock()
	if !ok {
		res = Model(in, s.opts.Threshold)
	}
	res.RequestID = reqID
	w.Header().Set("X-Request-Id", reqID)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(res)
}

// Model is the fake's deterministic model: 500 points, plus half the bureau
// score's distance from 600 (minus 80 without a score), minus 150 for a
// past-due balance and 200 for MOP ≥ 4, plus 10 per month of savings (max 120)
// and 1 per 10 average monthly GNV litres (max 150), clamped to 0–1000. The
// decision is "aprobado" from threshold up.
func Model(in hase.ScoreRequest, threshold int) hase.Result {
	score := 500
	var reasons []hase.Reason
	if in.Bureau.Score != nil {
		score += (*in.Bureau.Score - 600) / 2
		if *in.Bureau.Score < 600 {
			reasons = append(reasons, hase.Reason{Code: "score_buro_bajo", Description: "Score de buró menor a 600"})
		}
	} else {
		score -= 80
		reasons = append(reasons, hase.Reason{Code: "sin_score_buro", Description: "Sin score de buró"})
	}
	if in.Bureau.PastDueBalance.IsPositive() {
		score -= 150
		reasons = append(reasons, hase.Reason{Code: "saldo_vencido", Description: "Saldo vencido en buró"})
	}
	if in.Bureau.WorstMOP >= 4 {
		score -= 200
		reasons = append(reasons, hase.Reason{Code: "atraso_grave", Description: "Atraso de 60 días o más"})
	}
	score += min(in.Savings.Months*10, 120)
	litres := in.GNV.AvgMonthlyLitres.Div(decimal.NewFromInt(10)).IntPart()
	score += int(min(litres, 150))
	if in.GNV.Months == 0 {
		reasons = append(reasons, hase.Reason{Code: "sin_consumo_gnv", Description: "Sin historial de consumo GNV"})
	}
	score = max(0, min(score, hase.MaxScore))
	d := hase.Rejected
	if score >= threshold {
		d = hase.Approved
	}
	return hase.Result{Score: score, Decision: d, Reasons: reasons, ModelVersion: ModelVersion}
}
