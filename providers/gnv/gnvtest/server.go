// Package gnvtest is a fake GNV station network for tests and for the server's
// development mode. It implements the contract documented in package gnv:
// POST /collection-rules with X-Api-Key and Idempotency-Key (replayed answers),
// the contract's error JSON and statuses, and signed consumption deliveries
// (Standard Webhooks) built from gnv.Batch values. It records every request and
// can inject faults (an error status or a dropped connection N times).
//
// A Server is safe for concurrent use.
package gnvtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/internal/fake"
	"github.com/cmu-mx/cmu/providers/internal/wire"
)

// RecordedRequest is a request the fake received.
type RecordedRequest = fake.Recorded

// Fault is an injected failure (see Server.Inject).
type Fault = fake.Fault

// DefaultAPIKey is the key the fake accepts when Options.APIKey is empty.
const DefaultAPIKey gnv.APIKey = "gnv_test_key"

// Options configures a fake. Zero fields mean the documented defaults.
type Options struct {
	// APIKey the fake accepts (default DefaultAPIKey).
	APIKey gnv.APIKey
	// Secret signs deliveries (default: a fresh random 32-byte secret).
	Secret gnv.Secret
	// Now is the clock used for delivery timestamps (default time.Now).
	Now func() time.Time
	// WebhookURL receives deliveries sent with Server.Deliver (development
	// mode: the server's own webhook endpoint).
	WebhookURL string
	// HTTPClient sends deliveries (default: a client with a 30 s timeout).
	HTTPClient *http.Client
}

// Rule is a collection rule registered at the fake.
type Rule struct {
	RuleID            string
	Plates            string
	SurchargePerLitre string
	ClientRef         string
	Status            gnv.RuleStatus
}

type storedAnswer struct {
	status int
	body   []byte
}

// Server is the fake network.
type Server struct {
	core   fake.Core
	srv    *httptest.Server
	apiKey gnv.APIKey
	secret gnv.Secret
	now    func() time.Time
	opts   Options

	mu    sync.Mutex
	rules map[string]*Rule // by plates
	idem  map[string]storedAnswer
	seq   int
}

// New returns an unstarted fake; call Start (or use Handler in-process).
func New(opts Options) *Server {
	s := &Server{opts: opts, apiKey: opts.APIKey, secret: opts.Secret, now: opts.Now, rules: map[string]*Rule{}, idem: map[string]storedAnswer{}}
	if s.apiKey == "" {
		s.apiKey = DefaultAPIKey
	}
	if s.secret == "" {
		s.secret = NewSecret()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.srv = httptest.NewUnstartedServer(s.Handler())
	return s
}

// NewSecret returns a random Standard Webhooks secret ("whsec_" + 32 bytes).
func NewSecret() gnv.Secret {
	b := make([]byte, 32)
	rand.Read(b)
	return gnv.Secret(gnv.SecretPrefix + base64.StdEncoding.EncodeToString(b))
}

// Start starts the fake on a loopback port.
func (s *Server) Start() { s.srv.Start() }

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// URL is the base URL to put in gnv.Config.BaseURL (after Start).
func (s *Server) URL() string { return s.srv.URL }

// APIKey is the key the fake accepts.
func (s *Server) APIKey() gnv.APIKey { return s.apiKey }

// Secret is the delivery signing secret.
func (s *Server) Secret() gnv.Secret { return s.secret }

// Requests returns the requests received so far.
func (s *Server) Requests() []RecordedRequest { return s.core.Requests() }

// FailNext answers the next n API requests with status and the contract's
// error JSON ("server_error" or "rate_limited" for 429, with Retry-After: 0).
func (s *Server) FailNext(n, status int) {
	code, h := "server_error", http.Header{}
	if status == http.StatusTooManyRequests {
		code = "rate_limited"
		h.Set("Retry-After", "0")
	}
	s.core.FailNext(n, Fault{Status: status, Header: h, Body: errorJSON(code, http.StatusText(status))})
}

// Inject queues an arbitrary fault for the next n requests.
func (s *Server) Inject(n int, f Fault) { s.core.FailNext(n, f) }

// Rules returns the registered rules sorted by plates.
func (s *Server) Rules() []Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Rule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Plates < out[j].Plates })
	return out
}

// Handler serves the fake API without a listener (for in-process mounting).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /collection-rules", s.createRule)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no route "+r.Method+" "+r.URL.Path)
	})
	inner := s.core.Wrap(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seq++
		w.Header().Set("X-Request-Id", fmt.Sprintf("req_%06d", s.seq))
		s.mu.Unlock()
		inner.ServeHTTP(w, r)
	})
}

func errorJSON(code, msg string) []byte {
	var b gnv.ErrorBody
	b.Error.Code, b.Error.Message = code, msg
	data, _ := json.Marshal(b)
	return data
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errorJSON(code, msg))
}

func (s *Server) createRule(w http.ResponseWriter, r *http.Request) {
	if gnv.APIKey(r.Header.Get("X-Api-Key")) != s.apiKey {
		writeError(w, http.StatusUnauthorized, "unauthorized", "missing or invalid X-Api-Key")
		return
	}
	var body bytes.Buffer
	body.ReadFrom(r.Body)
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	defer s.mu.Unlock()
	if key != "" {
		if a, ok := s.idem[key]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(a.status)
			w.Write(a.body)
			return
		}
	}
	status, answer := s.applyRule(body.Bytes())
	if key != "" && status < 500 {
		s.idem[key] = storedAnswer{status: status, body: answer}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(answer)
}

func (s *Server) applyRule(body []byte) (int, []byte) {
	var req struct {
		Plates            string          `json:"plates"`
		SurchargePerLitre json.RawMessage `json:"surcharge_per_litre"`
		ClientRef         string          `json:"client_ref"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return http.StatusBadRequest, errorJSON("invalid_json", err.Error())
	}
	plates, err := gnv.NormalizePlates(req.Plates)
	if err != nil {
		return http.StatusUnprocessableEntity, errorJSON("invalid_request", "plates: "+err.Error())
	}
	sur, err := wire.DecimalFromJSON(req.SurchargePerLitre)
	if err != nil || !sur.IsPositive() || wire.Places(sur) > 2 {
		return http.StatusUnprocessableEntity, errorJSON("invalid_request", "surcharge_per_litre must be a positive decimal with at most 2 places")
	}
	if req.ClientRef == "" {
		return http.StatusUnprocessableEntity, errorJSON("invalid_request", "client_ref is required")
	}
	status := http.StatusOK
	rule, ok := s.rules[plates]
	switch {
	case ok && rule.ClientRef != req.ClientRef:
		return http.StatusConflict, errorJSON("plates_taken", "plates "+plates+" already collect for another client_ref")
	case ok:
		rule.SurchargePerLitre = sur.StringFixed(2)
	default:
		rule = &Rule{RuleID: fmt.Sprintf("rule_%04d", len(s.rules)+1), Plates: plates, SurchargePerLitre: sur.StringFixed(2), ClientRef: req.ClientRef, Status: gnv.RuleActive}
		s.rules[plates] = rule
		status = http.StatusCreated
	}
	data, _ := json.Marshal(map[string]string{"rule_id": rule.RuleID, "status": string(rule.Status)})
	return status, data
}

// Delivery is a signed consumption webhook ready to send.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// SignedDelivery encodes b and signs it with the fake's secret, message id
// msgID and the fake's clock.
func (s *Server) SignedDelivery(msgID string, b gnv.Batch) (Delivery, error) {
	body, err := gnv.MarshalBatch(b)
	if err != nil {
		return Delivery{}, err
	}
	return s.SignBody(msgID, body)
}

// SignBody signs an arbitrary body, for tests that need exact bytes.
func (s *Server) SignBody(msgID string, body []byte) (Delivery, error) {
	h, err := gnv.SignHeaders(s.secret, msgID, s.now(), body)
	if err != nil {
		return Delivery{}, err
	}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "gnvtest/1")
	return Delivery{Header: h, Body: body}, nil
}

// Send POSTs d to url with hc; nil hc means a client with a 30 s timeout.
func (d Delivery) Send(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	return fake.Post(ctx, hc, url, d.Header, d.Body)
}

// Deliver POSTs d to Options.WebhookURL and returns an error unless the answer
// is 2xx, as the provider would treat it.
func (s *Server) Deliver(ctx context.Context, d Delivery) error {
	if s.opts.WebhookURL == "" {
		return fmt.Errorf("gnvtest: Options.WebhookURL is not set")
	}
	return fake.Deliver(ctx, s.opts.HTTPClient, s.opts.WebhookURL, d.Header, d.Body, "gnvtest")
}
