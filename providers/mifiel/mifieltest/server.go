// Package mifieltest is a fake Mifiel API (under /api/v1) for tests and the
// server's development mode. It verifies ApiAuth exactly as documented in
// package mifiel (HMAC-SHA1 canonical string, the Content-MD5 or
// X-Authorization-Content-SHA256 body hash, a Date within 900 s), stores
// documents created with POST /documents (multipart), answers GET
// /documents/{id} and /file_signed with Mifiel's object and error shapes (401,
// 404, 422 {"errors":[…]}), and, when a signer signs (Sign, SignAll), POSTs the
// document object to sign_callback_url and, once everybody has signed, to
// callback_url — signed with the SchemeHMAC header when Options.CallbackSecret
// is set. Requests are recorded; faults (5xx, 429, dropped connections,
// latency) can be injected. A Server is safe for concurrent use.
package mifieltest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/fake"
	"github.com/cmu-mx/cmu/providers/mifiel"
)

// Request is one request the fake received, recorded before any fault applied.
type Request = fake.Request

// switches is embedded in Server under an unexported name.
type switches = fake.Switches

// maxRequestBody bounds how much of a request body the fake records.
const maxRequestBody = 32 << 20

// Defaults of Options.
const (
	DefaultAppID     = "mifiel-test-app"
	DefaultAppSecret = "mifiel-test-secret"
	// DateWindow is how far the Date header may be from the fake's clock.
	DateWindow = 900 * time.Second
)

// Options configures a Server.
type Options struct {
	AppID, AppSecret string
	// CallbackSecret, when set, signs callbacks with mifiel.SignCallback
	// (header mifiel.SignatureHeader).
	CallbackSecret string
	// Now is the fake's clock (nil: time.Now).
	Now func() time.Time
	// HTTPClient delivers callbacks (nil: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// Delivery is one callback the fake sent.
type Delivery struct {
	URL    string
	Header http.Header
	Body   []byte
	// Status is the receiver's answer; 0 with Err set when it failed.
	Status int
	Err    error
}

type doc struct {
	d    mifiel.Document
	file []byte
	scb  string
}

// Server is a running fake. Its API base URL is URL + "/api/v1" (BaseURL).
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

	mu         sync.Mutex
	docs       map[string]*doc
	order      []string
	deliveries []Delivery
}

// New starts a fake on a loopback port. Close it when done.
func New(opts Options) *Server {
	if opts.AppID == "" {
		opts.AppID = DefaultAppID
	}
	if opts.AppSecret == "" {
		opts.AppSecret = DefaultAppSecret
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Server{opts: opts, docs: map[string]*doc{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/documents", s.create)
	mux.HandleFunc("GET /api/v1/documents", s.list)
	mux.HandleFunc("GET /api/v1/documents/{id}", s.get)
	mux.HandleFunc("GET /api/v1/documents/{id}/file_signed", s.fileSigned)
	s.f.SetMaxBody(maxRequestBody)
	s.switches = fake.NewSwitches(&s.f, errorBody)
	s.Server = httptest.NewServer(s.f.Wrap(s.auth(mux)))
	return s
}

// BaseURL is the API base to configure mifiel.Client with.
func (s *Server) BaseURL() string { return s.URL + "/api/v1" }

// AppID returns the accepted app id.
func (s *Server) AppID() string { return s.opts.AppID }

// AppSecret returns the app secret.
func (s *Server) AppSecret() string { return s.opts.AppSecret }

// Deliveries returns the callbacks sent so far.
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Document returns a copy of a stored document.
func (s *Server) Document(id string) (mifiel.Document, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.docs[id]
	if !ok {
		return mifiel.Document{}, false
	}
	return cloneDoc(d.d), true
}

func cloneDoc(d mifiel.Document) mifiel.Document {
	d.Signatures = append([]mifiel.Signature(nil), d.Signatures...)
	d.AlreadySigned = append([]mifiel.Party(nil), d.AlreadySigned...)
	d.HasNotSigned = append([]mifiel.Party(nil), d.HasNotSigned...)
	return d
}

func errorBody(status int) []byte {
	b, _ := json.Marshal(map[string]any{"errors": []string{http.StatusText(status)}})
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) unauthorized(w http.ResponseWriter, why string) {
	writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": []string{"Unauthorized: " + why}})
}

// auth verifies ApiAuth independently of package mifiel's signer.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, sig, ok := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "APIAuth "), ":")
		if !ok || !strings.HasPrefix(r.Header.Get("Authorization"), "APIAuth ") || id != s.opts.AppID {
			s.unauthorized(w, "missing or unknown APIAuth credentials")
			return
		}
		date := r.Header.Get("Date")
		t, err := http.ParseTime(date)
		if err != nil {
			s.unauthorized(w, "bad Date")
			return
		}
		if d := s.opts.Now().Sub(t); d > DateWindow || d < -DateWindow {
			s.unauthorized(w, "Date out of window")
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var candidates []string
		if len(body) == 0 {
			candidates = []string{r.Header.Get("Content-MD5")}
		} else {
			md := md5.Sum(body)
			sh := sha256.Sum256(body)
			if v := r.Header.Get("Content-MD5"); v != "" {
				if v != base64.StdEncoding.EncodeToString(md[:]) {
					s.unauthorized(w, "Content-MD5 mismatch")
					return
				}
				candidates = append(candidates, v)
			}
			if v := r.Header.Get("X-Authorization-Content-SHA256"); v != "" {
				if v != base64.StdEncoding.EncodeToString(sh[:]) {
					s.unauthorized(w, "content SHA-256 mismatch")
					return
				}
				candidates = append(candidates, v)
			}
			if len(candidates) == 0 {
				s.unauthorized(w, "no content hash")
				return
			}
		}
		for _, hash := range candidates {
			canonical := strings.Join([]string{r.Method, r.Header.Get("Content-Type"), hash, r.URL.RequestURI(), date}, ",")
			if len(body) == 0 {
				canonical = strings.Join([]string{r.Method, "", hash, r.URL.RequestURI(), date}, ",")
			}
			m := hmac.New(sha1.New, []byte(s.opts.AppSecret))
			m.Write([]byte(canonical))
			want := base64.StdEncoding.EncodeToString(m.Sum(nil))
			if hmac.Equal([]byte(want), []byte(sig)) {
				next.ServeHTTP(w, r)
				return
			}
		}
		s.unauthorized(w, "signature mismatch")
	})
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"multipart body required"}})
		return
	}
	var file []byte
	var fileName, hash string
	if f, hdr, err := r.FormFile("file"); err == nil {
		file, _ = io.ReadAll(f)
		f.Close()
		fileName = hdr.Filename
		if !bytes.HasPrefix(file, []byte("%PDF-")) {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"file must be a PDF"}})
			return
		}
		sum := sha256.Sum256(file)
		hash = hex.EncodeToString(sum[:])
	} else if hash = r.FormValue("original_hash"); hash == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"file or original_hash is required"}})
		return
	}
	d := mifiel.Document{
		ID: newUUID(), OriginalHash: hash, FileName: fileName,
		Status:      mifiel.DocumentStatus{Code: 0, Text: "not signed"},
		CallbackURL: r.FormValue("callback_url"), ExternalID: r.FormValue("external_id"),
	}
	for i := 0; ; i++ {
		pfx := "signatories[" + strconv.Itoa(i) + "]"
		name, email := r.FormValue(pfx+"[name]"), r.FormValue(pfx+"[email]")
		if name == "" && email == "" {
			break
		}
		if name == "" || !strings.Contains(email, "@") {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{fmt.Sprintf("signatory %d needs name and email", i)}})
			return
		}
		d.Signatures = append(d.Signatures, mifiel.Signature{Email: email, TaxID: r.FormValue(pfx + "[tax_id]")})
		d.HasNotSigned = append(d.HasNotSigned, mifiel.Party{Name: name, Email: email, TaxID: r.FormValue(pfx + "[tax_id]")})
	}
	if len(d.Signatures) == 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": []string{"at least one signatory is required"}})
		return
	}
	s.mu.Lock()
	s.docs[d.ID] = &doc{d: d, file: file, scb: r.FormValue("sign_callback_url")}
	s.order = append(s.order, d.ID)
	out := cloneDoc(d)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := make([]mifiel.Document, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, cloneDoc(s.docs[id].d))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	d, ok := s.Document(r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{"Document not found"}})
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) fileSigned(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d, ok := s.docs[r.PathValue("id")]
	var file []byte
	signed := false
	if ok {
		file, signed = d.file, d.d.SignedByAll
	}
	s.mu.Unlock()
	if !ok || !signed || file == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": []string{"Signed file not available"}})
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(file)
}

// Sign records email's signature on document id and sends the callbacks it
// triggers (sign_callback_url, and callback_url when everybody has signed). It
// returns the deliveries made.
func (s *Server) Sign(ctx context.Context, id, email string) ([]Delivery, error) {
	s.mu.Lock()
	d, ok := s.docs[id]
	if !ok {
		s.mu.Unlock()
		return nil, fmt.Errorf("mifieltest: unknown document %s", id)
	}
	now := s.opts.Now().UTC().Format(time.RFC3339)
	found := false
	for i := range d.d.Signatures {
		sg := &d.d.Signatures[i]
		if strings.EqualFold(sg.Email, email) && !sg.Signed {
			sg.Signed, sg.SignedAt, found = true, now, true
			sum := sha256.Sum256([]byte(d.d.OriginalHash + email))
			sg.Signature = hex.EncodeToString(sum[:])
			sg.CertificateNumber = "00001000000500000001"
		}
	}
	if !found {
		s.mu.Unlock()
		return nil, fmt.Errorf("mifieltest: %s is not a pending signer of %s", email, id)
	}
	var pending, signed []mifiel.Party
	for _, p := range append(d.d.HasNotSigned, d.d.AlreadySigned...) {
		isSigned := false
		for _, sg := range d.d.Signatures {
			if strings.EqualFold(sg.Email, p.Email) && sg.Signed {
				isSigned = true
			}
		}
		if isSigned {
			signed = append(signed, p)
		} else {
			pending = append(pending, p)
		}
	}
	d.d.HasNotSigned, d.d.AlreadySigned = pending, signed
	d.d.Signed = true
	if len(pending) == 0 {
		d.d.SignedByAll = true
		d.d.SignedAt = now
		d.d.Status = mifiel.DocumentStatus{Code: 1, Text: "signed"}
	}
	snapshot := cloneDoc(d.d)
	scb := d.scb
	s.mu.Unlock()

	body, _ := json.Marshal(snapshot)
	var out []Delivery
	if scb != "" {
		out = append(out, s.deliver(ctx, scb, body))
	}
	if snapshot.SignedByAll && snapshot.CallbackURL != "" {
		out = append(out, s.deliver(ctx, snapshot.CallbackURL, body))
	}
	return out, nil
}

// SignAll signs document id for every pending signer and returns the
// deliveries made.
func (s *Server) SignAll(ctx context.Context, id string) ([]Delivery, error) {
	d, ok := s.Document(id)
	if !ok {
		return nil, fmt.Errorf("mifieltest: unknown document %s", id)
	}
	var out []Delivery
	for _, sg := range d.Signatures {
		if sg.Signed {
			continue
		}
		ds, err := s.Sign(ctx, id, sg.Email)
		if err != nil {
			return out, err
		}
		out = append(out, ds...)
	}
	return out, nil
}

// Redeliver sends the document's final callback again (Mifiel retries).
func (s *Server) Redeliver(ctx context.Context, id string) (Delivery, error) {
	d, ok := s.Document(id)
	if !ok || d.CallbackURL == "" {
		return Delivery{}, fmt.Errorf("mifieltest: no callback for %s", id)
	}
	body, _ := json.Marshal(d)
	return s.deliver(ctx, d.CallbackURL, body), nil
}

func (s *Server) deliver(ctx context.Context, url string, body []byte) Delivery {
	dl := Delivery{URL: url, Body: body, Header: http.Header{"Content-Type": {"application/json"}, "User-Agent": {"mifieltest"}}}
	if s.opts.CallbackSecret != "" {
		dl.Header.Set(mifiel.SignatureHeader, mifiel.SignCallback(body, s.opts.CallbackSecret, s.opts.Now()))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		dl.Err = err
	} else {
		req.Header = dl.Header.Clone()
		resp, err := s.opts.HTTPClient.Do(req)
		if err != nil {
			dl.Err = err
		} else {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			dl.Status = resp.StatusCode
		}
	}
	s.mu.Lock()
	s.deliveries = append(s.deliveries, dl)
	s.mu.Unlock()
	return dl
}
