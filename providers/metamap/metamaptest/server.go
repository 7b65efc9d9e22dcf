// Package metamaptest is a fake MetaMap for tests and for the server's
// development mode: POST /oauth (HTTP Basic client credentials → bearer token
// with expires_in), GET and PUT status of /v2/verifications/{id}, and signed
// webhook deliveries (x-signature, as package metamap verifies them) whose
// resource URLs point back at the fake. FACTS.md documents neither MetaMap's
// error bodies nor the verification object, so the fake answers
// {"code","message"} errors and a minimal verification
// {"id","flowId","identity":{"status"},"metadata"}; both are the fake's own.
// It records requests and injects faults.
//
// A Server is safe for concurrent use.
package metamaptest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/fake"
	"github.com/cmu-mx/cmu/providers/metamap"
)

// RecordedRequest is a request the fake received.
type RecordedRequest = fake.Recorded

// Fault is an injected failure (see Server.Inject).
type Fault = fake.Fault

// Defaults for Options.
const (
	DefaultClientID                             = "cmu-test-client"
	DefaultClientSecret  metamap.ClientSecret   = "cmu-test-client-secret"
	DefaultWebhookSecret metamap.Secret         = "WebhookSecret2026cmu"
	DefaultStatus        metamap.IdentityStatus = metamap.StatusRunning
)

// Options configures a fake. Zero fields mean the defaults above.
type Options struct {
	ClientID      string
	ClientSecret  metamap.ClientSecret
	WebhookSecret metamap.Secret
	// TokenTTL is the expires_in of issued tokens (default 1 hour).
	TokenTTL time.Duration
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
	// WebhookURL receives deliveries sent with Server.Deliver (development
	// mode: the server's own webhook endpoint).
	WebhookURL string
	// HTTPClient sends deliveries (default: a client with a 30 s timeout).
	HTTPClient *http.Client
}

type verification struct {
	ID       string                 `json:"id"`
	FlowID   string                 `json:"flowId"`
	Identity map[string]string      `json:"identity"`
	Metadata map[string]any         `json:"metadata,omitempty"`
	Status   metamap.IdentityStatus `json:"-"`
}

// Server is the fake MetaMap.
type Server struct {
	core fake.Core
	srv  *httptest.Server
	opts Options

	mu            sync.Mutex
	tokens        map[string]time.Time
	seq           int
	verifications map[string]*verification
}

// New returns an unstarted fake; call Start (or use Handler in-process).
func New(opts Options) *Server {
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = DefaultClientSecret
	}
	if opts.WebhookSecret == "" {
		opts.WebhookSecret = DefaultWebhookSecret
	}
	if opts.TokenTTL <= 0 {
		opts.TokenTTL = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, tokens: map[string]time.Time{}, verifications: map[string]*verification{}}
	s.srv = httptest.NewUnstartedServer(s.Handler())
	return s
}

// Start starts the fake on a loopback port.
func (s *Server) Start() { s.srv.Start() }

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// URL is the base URL for metamap.Config.BaseURL (after Start).
func (s *Server) URL() string { return s.srv.URL }

// ClientID and ClientSecret are the accepted API credentials.
func (s *Server) ClientID() string { return s.opts.ClientID }

// ClientSecret is the accepted API client secret.
func (s *Server) ClientSecret() metamap.ClientSecret { return s.opts.ClientSecret }

// WebhookSecret signs deliveries.
func (s *Server) WebhookSecret() metamap.Secret { return s.opts.WebhookSecret }

// Requests returns the requests received so far.
func (s *Server) Requests() []RecordedRequest { return s.core.Requests() }

// FailNext answers the next n requests with status (429 carries Retry-After: 0).
func (s *Server) FailNext(n, status int) {
	h := http.Header{}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", "0")
	}
	s.core.FailNext(n, Fault{Status: status, Header: h, Body: errJSON("fake_failure", http.StatusText(status))})
}

// Inject queues an arbitrary fault for the next n requests.
func (s *Server) Inject(n int, f Fault) { s.core.FailNext(n, f) }

// ExpireTokens revokes every issued token, as if an hour had passed.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	clear(s.tokens)
	s.mu.Unlock()
}

// AddVerification stores a verification the API can serve.
func (s *Server) AddVerification(id, flowID string, status metamap.IdentityStatus, metadata map[string]any) {
	if status == "" {
		status = DefaultStatus
	}
	s.mu.Lock()
	s.verifications[id] = &verification{ID: id, FlowID: flowID, Status: status, Metadata: metadata}
	s.mu.Unlock()
}

// VerificationStatus returns a stored verification's status.
func (s *Server) VerificationStatus(id string) (metamap.IdentityStatus, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.verifications[id]
	if !ok {
		return "", false
	}
	return v.Status, true
}

// Handler serves the fake without a listener.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth", s.oauth)
	mux.HandleFunc("GET /v2/verifications/{id}", s.bearer(s.getVerification))
	mux.HandleFunc("PUT /v2/verifications/{id}/status", s.bearer(s.putStatus))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, "not_found", "no route")
	})
	return s.core.Wrap(mux)
}

func errJSON(code, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"code": code, "message": msg})
	return b
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errJSON(code, msg))
}

func (s *Server) oauth(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.opts.ClientID || metamap.ClientSecret(secret) != s.opts.ClientSecret {
		writeErr(w, http.StatusUnauthorized, "unauthorized", "invalid client credentials")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeErr(w, http.StatusBadRequest, "invalid_grant", "grant_type must be client_credentials")
		return
	}
	s.mu.Lock()
	s.seq++
	tok := fmt.Sprintf("fake-jwt-%06d", s.seq)
	s.tokens[tok] = s.opts.Now().Add(s.opts.TokenTTL)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "expires_in": int64(s.opts.TokenTTL / time.Second), "token_type": "Bearer"})
}

func (s *Server) bearer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, known := s.tokens[tok]
		s.mu.Unlock()
		if !ok || !known || !s.opts.Now().Before(exp) {
			writeErr(w, http.StatusUnauthorized, "unauthorized", "invalid or expired token")
			return
		}
		next(w, r)
	}
}

func (s *Server) getVerification(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	v, ok := s.verifications[r.PathValue("id")]
	var data []byte
	if ok {
		v.Identity = map[string]string{"status": string(v.Status)}
		data, _ = json.Marshal(v)
	}
	s.mu.Unlock()
	if !ok {
		writeErr(w, http.StatusNotFound, "not_found", "verification not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

func (s *Server) putStatus(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Status metamap.IdentityStatus `json:"status"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeErr(w, http.StatusBadRequest, "bad_request", "invalid JSON")
		return
	}
	switch body.Status {
	case metamap.StatusVerified, metamap.StatusReviewNeeded, metamap.StatusRejected:
	default:
		writeErr(w, http.StatusBadRequest, "bad_request", "invalid status")
		return
	}
	s.mu.Lock()
	v, ok := s.verifications[r.PathValue("id")]
	if ok {
		v.Status = body.Status
	}
	s.mu.Unlock()
	if !ok {
		writeErr(w, http.StatusNotFound, "not_found", "verification not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"` + string(body.Status) + `"}`))
}

// Payload describes a webhook to sign. Resource defaults to the fake's
// /v2/verifications/{VerificationID}; Timestamp to the fake's clock.
type Payload struct {
	EventName      string
	VerificationID string
	Resource       string
	FlowID         string
	IdentityStatus metamap.IdentityStatus
	Status         metamap.IdentityStatus
	// Step (step_completed): id, status and optional error code/type/message.
	StepID, StepErrorCode, StepErrorType, StepErrorMessage string
	Metadata                                               map[string]any
	Timestamp                                              time.Time
}

// Delivery is a signed webhook ready to send.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// Send POSTs d to url with hc; nil hc means a client with a 30 s timeout.
func (d Delivery) Send(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	return fake.Post(ctx, hc, url, d.Header, d.Body)
}

// SignedEvent encodes p as MetaMap does and signs it.
func (s *Server) SignedEvent(p Payload) (Delivery, error) {
	if p.EventName == "" || (p.VerificationID == "" && p.Resource == "") {
		return Delivery{}, fmt.Errorf("metamaptest: EventName and VerificationID are required")
	}
	if p.Resource == "" {
		base := s.srv.URL
		if base == "" {
			base = "https://api.getmati.com"
		}
		p.Resource = base + "/v2/verifications/" + p.VerificationID
	}
	if p.Timestamp.IsZero() {
		p.Timestamp = s.opts.Now()
	}
	m := map[string]any{"eventName": p.EventName, "resource": p.Resource, "flowId": p.FlowID,
		"timestamp": p.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z")}
	if p.IdentityStatus != "" {
		m["identityStatus"] = p.IdentityStatus
	}
	if p.Status != "" {
		m["status"] = p.Status
	}
	if p.Metadata != nil {
		m["metadata"] = p.Metadata
	}
	if p.StepID != "" {
		step := map[string]any{"id": p.StepID, "status": 200, "data": map[string]any{}}
		if p.StepErrorCode != "" {
			step["error"] = map[string]string{"code": p.StepErrorCode, "type": p.StepErrorType, "message": p.StepErrorMessage}
		}
		m["step"] = step
	}
	body, err := json.Marshal(m)
	if err != nil {
		return Delivery{}, err
	}
	return s.SignBody(body), nil
}

// SignBody signs arbitrary bytes with the webhook secret.
func (s *Server) SignBody(body []byte) Delivery {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(metamap.HeaderSignature, metamap.Sign(s.opts.WebhookSecret, body))
	return Delivery{Header: h, Body: body}
}

// Deliver POSTs d to Options.WebhookURL and returns an error unless the answer
// is 2xx, as the provider would treat it.
func (s *Server) Deliver(ctx context.Context, d Delivery) error {
	if s.opts.WebhookURL == "" {
		return fmt.Errorf("metamaptest: Options.WebhookURL is not set")
	}
	return fake.Deliver(ctx, s.opts.HTTPClient, s.opts.WebhookURL, d.Header, d.Body, "metamaptest")
}
