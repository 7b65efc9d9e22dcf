package server

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/julienschmidt/httprouter"
)

// Probe is a readiness check run by /readyz (database ping, Odoo version…).
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
}

// Deps are everything the server composes. Nil services make their routes
// answer 503 {"statusCode":503,"message":"Servicio no disponible: …"}; nil
// infrastructure gets a documented default.
type Deps struct {
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil = time.Now.
	Now func() time.Time
	// Auth verifies advisor tokens; nil = built from Config (NewAuthenticator).
	Auth *Authenticator
	// Metrics is the Prometheus registry holder; nil = NewMetrics().
	Metrics *Metrics
	// DB is the server's database (idempotency keys, service orders, inbox).
	// Nil disables Idempotency-Key handling (the header is then ignored) and the
	// database readiness probe.
	DB *DB
	// Hub is the WebSocket hub; nil = NewHub with an in-process broker.
	Hub *Hub
	// Probes are extra readiness checks (Odoo…); the database is added automatically.
	Probes []Probe

	Clients   ClientsService
	Plans     PlansService
	Groups    GroupsService
	Cotizador CotizadorService
	GNV       GNVService
	// GNVUnmatched lists the GNV consumption waiting for its plates; nil
	// answers 503 on GET /api/gnv/unmatched.
	GNVUnmatched GNVUnmatchedService
	Payments     PaymentsService
	Contracts    ContractsService
	Credit       CreditService
	Opportunity  OpportunityService
	// Webhooks holds each provider's intake handler (webhooks.Handler: verify →
	// store in the durable inbox → acknowledge). The server applies the GNV
	// source allowlist and the Mifiel callback token first; a missing provider
	// answers 503.
	Webhooks map[Provider]http.Handler
}

// Server is the CMu HTTP API. It is an http.Handler; build it with NewServer.
type Server struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	now      func() time.Time
	auth     *Authenticator
	validate *validator.Validate
	metrics  *Metrics
	hub      *Hub
	idem     *idempotencyStore
	router   *httprouter.Router
	table    []route
	handler  http.Handler
}

// NewServer wires the routes of routes.go over deps. It fails only when the
// configured JWT key cannot be loaded.
func NewServer(cfg Config, deps Deps) (*Server, error) {
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, now: deps.Now, auth: deps.Auth, metrics: deps.Metrics, hub: deps.Hub}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.auth == nil {
		a, err := NewAuthenticator(cfg, s.now)
		if err != nil {
			return nil, err
		}
		s.auth = a
	}
	if s.hub == nil {
		s.hub = NewHub(HubOptions{Logger: s.log, Metrics: s.metrics})
	}
	if deps.DB != nil {
		s.idem = &idempotencyStore{db: deps.DB, now: s.now, ttl: 24 * time.Hour}
	}
	s.validate = newValidate()
	s.router = httprouter.New()
	s.router.RedirectTrailingSlash = false
	s.router.RedirectFixedPath = false
	s.router.HandleMethodNotAllowed = true
	s.router.NotFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, NewError(KindNotFound, "Ruta no encontrada"))
	})
	s.router.MethodNotAllowed = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, ErrorBody{StatusCode: http.StatusMethodNotAllowed, Message: "Método no permitido"})
	})
	s.router.GlobalOPTIONS = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	s.router.PanicHandler = func(w http.ResponseWriter, r *http.Request, v any) {
		s.log.LogAttrs(r.Context(), slog.LevelError, "panic", slog.Any("panic", v), slog.String("path", r.URL.Path))
		s.writeError(w, r, NewError(KindInternal, ""))
	}
	s.table = s.routes()
	for _, rt := range s.table {
		h := rt.Handler
		if rt.Idempotent {
			h = s.idempotent(rt, h)
		}
		if rt.Auth {
			h = s.requireAdvisor(rt.Path == "/ws", h)
		}
		h = labelRoute(rt.Path, h)
		s.router.Handler(rt.Method, rt.Path, h)
	}
	s.handler = s.cors(s.router)
	return s, nil
}

// ServeHTTP logs, measures and serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	reqID := r.Header.Get("X-Request-Id")
	if reqID == "" || len(reqID) > 64 {
		reqID = newRequestID()
	}
	w.Header().Set("X-Request-Id", reqID)
	rec := &statusRecorder{ResponseWriter: w, route: "unmatched"}
	s.handler.ServeHTTP(rec, r)
	d := s.now().Sub(start)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	s.metrics.ObserveRequest(rec.route, r.Method, rec.status, d)
	level := slog.LevelInfo
	if rec.status >= 500 {
		level = slog.LevelError
	}
	// Only the path is logged: the query may carry a WebSocket token.
	s.log.LogAttrs(r.Context(), level, "request",
		slog.String("id", reqID), slog.String("method", r.Method), slog.String("route", rec.route),
		slog.String("path", r.URL.Path), slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", d), slog.String("advisor", rec.advisor), slog.String("remote", r.RemoteAddr))
}

// Hub returns the WebSocket hub, to publish events from handlers.
func (s *Server) Hub() *Hub { return s.hub }

// Metrics returns the metrics holder, for the other components to feed.
func (s *Server) Metrics() *Metrics { return s.metrics }

// Authenticator returns the token verifier (and signer for HS256).
func (s *Server) Authenticator() *Authenticator { return s.auth }

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// statusRecorder captures the status, size, route pattern and advisor of a
// response for the request log and metrics. It forwards Flush and Hijack (the
// WebSocket upgrade needs it) and unwraps for http.ResponseController.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	route   string
	advisor string
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: response writer cannot hijack")
	}
	if r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return hj.Hijack()
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func labelRoute(pattern string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec, ok := w.(*statusRecorder); ok {
			rec.route = pattern
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed matches the Origin header's host against the configured patterns.
func (s *Server) originAllowed(origin string) bool {
	_, host, ok := strings.Cut(origin, "://")
	if !ok || host == "" {
		return false
	}
	for _, p := range s.cfg.AllowedOrigins {
		if m, _ := path.Match(strings.ToLower(p), strings.ToLower(host)); m {
			return true
		}
	}
	return false
}

// cors answers cross-origin requests from the configured origins only.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && s.originAllowed(o) {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", o)
			h.Add("Vary", "Origin")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, X-Request-Id")
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS")
			h.Set("Access-Control-Max-Age", "600")
			h.Set("Access-Control-Expose-Headers", "X-Request-Id, Idempotent-Replayed")
		}
		next.ServeHTTP(w, r)
	})
}

// readBody reads the whole body under the server's limit.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.bodyLimit()))
	if err != nil {
		return nil, jsonError(err)
	}
	return b, nil
}
