// Package mifacttest is a fake invoice-mifact-v3 implementing the contract of
// package mifact: POST /auth/signin (401 on bad credentials) issuing bearer
// tokens with a lifetime, GET /service-order/{id}/invoice-status (401 without a
// valid token, 404 for an unknown order), and the invoice PDFs under /files/,
// plus recorded requests and injectable faults (5xx, 429, dropped connections,
// latency). It serves tests and the server's development mode.
//
// Orders are added with AddOrder (not invoiced) and invoiced with Invoice,
// which publishes a soles and a dólares PDF on the fake. A Server is safe for
// concurrent use.
package mifacttest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// Defaults of Options.
const (
	DefaultUsername = "admin"
	DefaultPassword = "mifact-test-password"
	DefaultTokenTTL = time.Hour
)

// Options configures a Server.
type Options struct {
	Username, Password string
	// TokenTTL is the lifetime of issued tokens, announced as expires_in
	// (default one hour).
	TokenTTL time.Duration
	// OmitExpiresIn leaves expires_in out of the signin answer.
	OmitExpiresIn bool
	// Now is the fake's clock (nil: time.Now).
	Now func() time.Time
}

type file struct {
	contentType string
	body        []byte
}

type order struct {
	invoiced bool
	headID   int64
	soles    string
	dolares  string
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
	tokens  map[string]time.Time
	orders  map[int64]*order
	files   map[string]file
	signins int
	nextID  int64
}

// New starts a fake on a loopback port. Close it when done.
func New(opts Options) *Server {
	if opts.Username == "" {
		opts.Username = DefaultUsername
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.TokenTTL == 0 {
		opts.TokenTTL = DefaultTokenTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, tokens: map[string]time.Time{}, orders: map[int64]*order{}, files: map[string]file{}, nextID: 1000}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /auth/signin", s.signin)
	mux.HandleFunc("GET /service-order/{id}/invoice-status", s.status)
	mux.HandleFunc("GET /files/{name}", s.file)
	s.f.SetMaxBody(maxRequestBody)
	s.switches = fake.NewSwitches(&s.f, errorBody)
	s.Server = httptest.NewServer(s.f.Wrap(mux))
	return s
}

// Username and Password return the accepted credentials.
func (s *Server) Username() string { return s.opts.Username }

// Password returns the accepted password.
func (s *Server) Password() string { return s.opts.Password }

// Signins returns how many tokens were issued.
func (s *Server) Signins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signins
}

// ExpireTokens revokes every issued token (the next call answers 401).
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

// AddOrder registers a service order that is not invoiced yet.
func (s *Server) AddOrder(id int64) {
	s.mu.Lock()
	if _, ok := s.orders[id]; !ok {
		s.orders[id] = &order{}
	}
	s.mu.Unlock()
}

// Invoice marks order id as invoiced (adding it if needed), publishes its two
// PDFs and returns the invoice_result_head_id.
func (s *Server) Invoice(id int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	o := &order{invoiced: true, headID: s.nextID}
	for _, cur := range []string{"soles", "dolares"} {
		name := fmt.Sprintf("factura-%d-%s.pdf", id, cur)
		s.files[name] = file{contentType: "application/pdf", body: SamplePDF(fmt.Sprintf("Factura %d %s", id, cur))}
		if cur == "soles" {
			o.soles = s.URL + "/files/" + name
		} else {
			o.dolares = s.URL + "/files/" + name
		}
	}
	s.orders[id] = o
	return o.headID
}

// SetFile publishes (or replaces) /files/{name} with any content, for tests of
// the download checks. It returns the file's URL.
func (s *Server) SetFile(name, contentType string, body []byte) string {
	s.mu.Lock()
	s.files[name] = file{contentType: contentType, body: body}
	s.mu.Unlock()
	return s.URL + "/files/" + name
}

// SamplePDF returns a small valid one-page PDF showing text (ASCII).
func SamplePDF(text string) []byte {
	content := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b []byte
	b = append(b, "%PDF-1.4\n"...)
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = len(b)
		b = append(b, fmt.Sprintf("%d 0 obj\n%s\nendobj\n", i+1, o)...)
	}
	xref := len(b)
	b = append(b, fmt.Sprintf("xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)...)
	for _, off := range offsets {
		b = append(b, fmt.Sprintf("%010d 00000 n \n", off)...)
	}
	b = append(b, fmt.Sprintf("trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)...)
	return b
}

func errorBody(status int) []byte {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "message": http.StatusText(status)})
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	var in struct{ Username, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "Cuerpo inválido"})
		return
	}
	if in.Username != s.opts.Username || in.Password != s.opts.Password {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Credenciales inválidas"})
		return
	}
	var b [16]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	s.mu.Lock()
	s.tokens[tok] = s.opts.Now().Add(s.opts.TokenTTL)
	s.signins++
	s.mu.Unlock()
	out := map[string]any{"token": tok}
	if !s.opts.OmitExpiresIn {
		out["expires_in"] = int(s.opts.TokenTTL / time.Second)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) authorized(r *http.Request) bool {
	const p = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(p) || h[:len(p)] != p {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[h[len(p):]]
	return ok && s.opts.Now().Before(exp)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "Token inválido o expirado"})
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"statusCode": 400, "message": "id inválido"})
		return
	}
	s.mu.Lock()
	o, ok := s.orders[id]
	var cp order
	if ok {
		cp = *o
	}
	s.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"statusCode": 404, "message": "Orden de servicio no encontrada"})
		return
	}
	if !cp.invoiced {
		writeJSON(w, http.StatusOK, map[string]any{"facturado": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"facturado":              true,
		"urls":                   map[string]string{"soles": cp.soles, "dolares": cp.dolares},
		"invoice_result_head_id": cp.headID,
	})
}

func (s *Server) file(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.files[r.PathValue("name")]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if f.contentType != "" {
		w.Header().Set("Content-Type", f.contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.body)))
	w.Write(f.body)
}
