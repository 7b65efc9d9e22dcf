// Package kibantest is a fake KIBAN link API for tests and for the server's
// development mode. It speaks the wire contract documented in package kiban:
// x-api-key auth (401), the NIP send/validate consent flow, the
// bc_pf_by_kiban bureau query (400 on an invalid body, 406 "NIP inválido" when
// the authorization id is not a validated NIP), execution re-reads, and
// injectable faults (5xx, 429 with Retry-After, a server that drops
// connections, latency). Every request is recorded.
//
// Bureau answers are configured per RFC with SetBureau; an unknown RFC gets
// DefaultBureau. A Server is safe for concurrent use.
package kibantest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
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
	DefaultAPIKey = "kiban-test-key"
	DefaultNIP    = "123456"
)

// Options configures a Server. Zero fields mean the defaults.
type Options struct {
	// APIKey is the only x-api-key accepted (default DefaultAPIKey).
	APIKey string
	// NIP is the code every "sent" NIP carries (default DefaultNIP).
	NIP string
}

// Bureau describes the report the fake answers for one RFC.
type Bureau struct {
	// Score is the BC Score value; ignored when NoScore.
	Score int
	// NoScore makes the score segment carry Exclusion (default "-009").
	NoScore   bool
	Exclusion string
	Accounts  []Account
}

// Account is one account of a fake report. Amounts are decimal strings.
type Account struct {
	Lender  string
	Balance string
	PastDue string
	// MOP is formaPagoActual, default "01".
	MOP string
}

// DefaultBureau is the answer for an RFC without SetBureau: score 680 and one
// current account.
func DefaultBureau() Bureau {
	return Bureau{Score: 680, Accounts: []Account{{Lender: "BANCO", Balance: "12000", PastDue: "0", MOP: "01"}}}
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

	mu         sync.Mutex
	bureaus    map[string]Bureau
	executions map[string]json.RawMessage
	sent       map[string]bool // send execution ids
	validated  map[string]bool // validation execution ids that matched
	queries    int
}

// New starts a fake listening on a loopback port. Close it when done.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.NIP == "" {
		opts.NIP = DefaultNIP
	}
	s := &Server{
		opts:       opts,
		bureaus:    map[string]Bureau{},
		executions: map[string]json.RawMessage{},
		sent:       map[string]bool{},
		validated:  map[string]bool{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v2/nip/send", s.nipSend)
	mux.HandleFunc("POST /api/v2/nip/validate", s.nipValidate)
	mux.HandleFunc("POST /api/v2/bc_pf_by_kiban/query", s.query)
	mux.HandleFunc("GET /api/v2/{service}/{sub}/{id}", s.execution)
	s.f.SetMaxBody(maxRequestBody)
	s.switches = fake.NewSwitches(&s.f, errorBody)
	s.Server = httptest.NewServer(s.f.Wrap(s.auth(mux)))
	return s
}

// APIKey returns the accepted API key.
func (s *Server) APIKey() string { return s.opts.APIKey }

// NIP returns the NIP every sent message carries.
func (s *Server) NIP() string { return s.opts.NIP }

// SetBureau sets the report answered for rfc (case-insensitive).
func (s *Server) SetBureau(rfc string, b Bureau) {
	s.mu.Lock()
	s.bureaus[strings.ToUpper(rfc)] = b
	s.mu.Unlock()
}

// Authorize records id as a validated NIP, as if the consent flow had run, and
// returns it (a fresh id when id is empty).
func (s *Server) Authorize(id string) string {
	if id == "" {
		id = newID()
	}
	s.mu.Lock()
	s.validated[id] = true
	s.mu.Unlock()
	return id
}

// Queries returns how many bureau queries were answered successfully.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

func errorBody(status int) []byte {
	b, _ := json.Marshal(map[string]any{"statusCode": status, "message": http.StatusText(status), "error": http.StatusText(status)})
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"statusCode": status, "message": msg, "error": http.StatusText(status)})
}

func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-api-key") != s.opts.APIKey {
			writeError(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func newID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// execute stores and answers a successful execution.
func (s *Server) execute(w http.ResponseWriter, req any, resp any) {
	id := newID()
	now := time.Now().UTC().Format(time.RFC3339)
	ex := map[string]any{"id": id, "status": "SUCCESS", "request": req, "response": resp, "createdAt": now, "finishedAt": now}
	b, _ := json.Marshal(ex)
	s.mu.Lock()
	s.executions[id] = b
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (s *Server) nipSend(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Method, CountryCode, To, Message, Email string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid body")
		return
	}
	switch in.Method {
	case "sms":
		if !strings.Contains(in.Message, "{{nip}}") || in.To == "" || in.CountryCode == "" {
			writeError(w, http.StatusBadRequest, "countryCode, to and a message with {{nip}} are required")
			return
		}
	case "whatsapp":
		if in.To == "" || in.CountryCode == "" {
			writeError(w, http.StatusBadRequest, "countryCode and to are required")
			return
		}
	case "email":
		if in.Email == "" {
			writeError(w, http.StatusBadRequest, "email is required")
			return
		}
	default:
		writeError(w, http.StatusBadRequest, "method must be one of sms, email, whatsapp")
		return
	}
	id := newID()
	now := time.Now().UTC().Format(time.RFC3339)
	b, _ := json.Marshal(map[string]any{"id": id, "status": "SUCCESS", "request": in, "response": map[string]any{"sent": true}, "createdAt": now, "finishedAt": now})
	s.mu.Lock()
	s.sent[id] = true
	s.executions[id] = b
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

func (s *Server) nipValidate(w http.ResponseWriter, r *http.Request) {
	var in struct{ ID, NIP string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ID == "" || in.NIP == "" {
		writeError(w, http.StatusBadRequest, "id and nip are required")
		return
	}
	s.mu.Lock()
	known := s.sent[in.ID]
	s.mu.Unlock()
	if !known {
		writeError(w, http.StatusNotFound, "NIP send execution not found")
		return
	}
	ok := in.NIP == s.opts.NIP
	id := newID()
	now := time.Now().UTC().Format(time.RFC3339)
	b, _ := json.Marshal(map[string]any{"id": id, "status": "SUCCESS", "request": in, "response": map[string]any{"validated": ok}, "createdAt": now, "finishedAt": now})
	s.mu.Lock()
	if ok {
		s.validated[id] = true
	}
	s.executions[id] = b
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

type queryBody struct {
	Params *struct {
		ProductoRequerido string `json:"productoRequerido"`
	} `json:"parameters_bc_pf_by_kiban"`
	Authorization *struct {
		Tipo string `json:"tipo"`
		ID   string `json:"id"`
	} `json:"authorization"`
	Nombre *struct {
		PrimerNombre    string `json:"primerNombre"`
		ApellidoPaterno string `json:"apellidoPaterno"`
		ApellidoMaterno string `json:"apellidoMaterno"`
		RFC             string `json:"rfc"`
	} `json:"nombre"`
	Domicilio json.RawMessage `json:"domicilio"`
}

func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	var in queryBody
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid body")
		return
	}
	switch {
	case in.Params == nil || in.Params.ProductoRequerido == "":
		writeError(w, http.StatusBadRequest, "parameters_bc_pf_by_kiban.productoRequerido is required")
		return
	case in.Nombre == nil || in.Nombre.RFC == "" || in.Nombre.PrimerNombre == "" || in.Nombre.ApellidoPaterno == "":
		writeError(w, http.StatusBadRequest, "nombre.primerNombre, nombre.apellidoPaterno and nombre.rfc are required")
		return
	case in.Authorization == nil || in.Authorization.Tipo != "nip" || in.Authorization.ID == "":
		writeError(w, http.StatusBadRequest, "authorization {tipo: nip, id} is required")
		return
	}
	s.mu.Lock()
	ok := s.validated[in.Authorization.ID]
	b, found := s.bureaus[strings.ToUpper(in.Nombre.RFC)]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotAcceptable, "NIP inválido")
		return
	}
	if !found {
		b = DefaultBureau()
	}
	s.mu.Lock()
	s.queries++
	s.mu.Unlock()
	s.execute(w, in, bureauResponse(b))
}

func bureauResponse(b Bureau) map[string]any {
	value := fmt.Sprintf("%04d", b.Score)
	if b.NoScore {
		value = b.Exclusion
		if value == "" {
			value = "-009"
		}
	}
	score := map[string]any{"codigoScore": "007", "nombreScore": "BC SCORE", "valorScore": value, "codigoRazon1": "", "codigoRazon2": "", "codigoRazon3": ""}
	accounts := make([]map[string]any, 0, len(b.Accounts))
	for _, a := range b.Accounts {
		mop := a.MOP
		if mop == "" {
			mop = "01"
		}
		pastDue := a.PastDue
		if pastDue == "" {
			pastDue = "0"
		}
		accounts = append(accounts, map[string]any{
			"nombreOtorgante": a.Lender, "tipoCuenta": "R", "tipoContrato": "CC",
			"saldoActual": a.Balance + "+", "saldoVencido": pastDue, "formaPagoActual": mop,
			"limiteCredito": "20000", "creditoMaximo": "15000", "historicoPagos": "111111",
			"fechaAperturaCuenta": "01012024",
		})
	}
	return map[string]any{"scoreBuroCredito": []any{score}, "cuentas": accounts}
}

func (s *Server) execution(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	b, ok := s.executions[r.PathValue("id")]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "execution not found")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
