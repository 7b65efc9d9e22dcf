package odootest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxBody caps request bodies (a 2,000-record create is far below it).
const maxBody = 32 << 20

// Server is an in-memory Odoo speaking XML-RPC, JSON-RPC and JSON-2. It is
// safe for concurrent use: every request and every helper takes one lock.
//
// Create one with [NewServer] in tests (it starts on an httptest server and
// closes with the test) or with [New] and serve it yourself.
type Server struct {
	// URL is the base URL once started (no trailing slash).
	URL string
	// DB is the database name clients must send.
	DB string
	// Login and Password authenticate the admin user (uid 2).
	Login    string
	Password string
	// APIKey is a valid key for JSON-2 ("Authorization: bearer <key>") and
	// in place of the password on XML-RPC and JSON-RPC.
	APIKey string
	// Version is "17.0" or "19.0".
	Version string

	logger *slog.Logger
	now    func() time.Time

	mu              sync.Mutex
	models          map[string]*model
	uid             int64
	adminPartner    int64
	users           []credential
	calls           map[[2]string]int
	total           int
	faults          []*faultState
	creatingVariant bool
	httpServer      *httptest.Server
	// curUID is the user of the call being executed (under mu); 0
	// outside calls, where the admin acts (Seed bypasses access checks).
	curUID int64
	// strictAccess checks custom models for administrators too.
	strictAccess bool
	// scan holds indexes built during one search or read (under mu, while
	// no record changes); nil outside them.
	scan *scanCache
}

type credential struct {
	login, password, apiKey string
	uid                     int64
	groups                  []string // group external ids; nil = the admin's groups
}

// Option configures a Server.
type Option func(*config)

type config struct {
	version, db, login, password, apiKey string
	logger                               *slog.Logger
	now                                  func() time.Time
	extraUsers                           []credential
	strictAccess                         bool
}

// WithVersion selects the Odoo version to imitate: "17.0" (no JSON-2,
// JSON-RPC error code 200, 17 field names) or "19.0" (the default).
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithDatabase sets the database name (default "odoo").
func WithDatabase(db string) Option { return func(c *config) { c.db = db } }

// WithAdmin sets the admin user's login and password (default admin/admin).
func WithAdmin(login, password string) Option {
	return func(c *config) { c.login, c.password = login, password }
}

// WithAPIKey sets the admin's API key (default "test-api-key").
func WithAPIKey(key string) Option { return func(c *config) { c.apiKey = key } }

// WithUser adds another user with all rights — the admin's groups
// (base.group_system, the accounting, analytic and sales administrator
// groups); apiKey may be empty. Like the admin, the user may use custom
// x_ models without an ir.model.access row unless WithStrictAccess is
// given.
func WithUser(login, password, apiKey string) Option {
	return func(c *config) {
		c.extraUsers = append(c.extraUsers, credential{login: login, password: password, apiKey: apiKey})
	}
}

// WithInternalUser adds an internal user who is not an administrator: a
// member of base.group_user plus the given groups (external ids such as
// "analytic.group_analytic_accounting" or "account.group_account_invoice";
// New fails on an unknown one). apiKey may be empty. Custom x_ models are
// then usable only through an ir.model.access row granting one of those
// groups, as on real Odoo; anything else answers
// odoo.exceptions.AccessError.
func WithInternalUser(login, password, apiKey string, groups ...string) Option {
	return func(c *config) {
		gs := append([]string{"base.group_user"}, groups...)
		c.extraUsers = append(c.extraUsers, credential{login: login, password: password, apiKey: apiKey, groups: gs})
	}
}

// WithStrictAccess applies ir.model.access on custom x_ models to every
// user, the admin and WithUser users included, exactly as real Odoo does
// (it creates no access rule for a model created through ir.model, so only
// the superuser may use one until a rule grants it). Without this option
// members of base.group_system keep full access to custom models, as the
// fake always gave them; other users are checked either way. Use it to
// prove that code provisioning custom models also grants them.
func WithStrictAccess() Option { return func(c *config) { c.strictAccess = true } }

// WithLogger logs one debug line per call (never credentials). nil
// discards.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithClock sets the clock used for create_date, write_date and the like
// (default time.Now). Dates are written in UTC.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// New builds a Server that is not listening yet; serve it with
// [Server.Start], or mount it (it is an http.Handler) and set URL yourself.
func New(opts ...Option) (*Server, error) {
	c := config{version: "19.0", db: "odoo", login: "admin", password: "admin", apiKey: "test-api-key"}
	for _, o := range opts {
		o(&c)
	}
	if c.version != "17.0" && c.version != "19.0" {
		return nil, fmt.Errorf("odootest: unsupported version %q (want 17.0 or 19.0)", c.version)
	}
	if c.db == "" || c.login == "" {
		return nil, fmt.Errorf("odootest: database and login must not be empty")
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	models, err := buildModels(c.version)
	if err != nil {
		return nil, err
	}
	s := &Server{
		DB: c.db, Login: c.login, Password: c.password, APIKey: c.apiKey, Version: c.version,
		logger: c.logger, now: c.now, models: models, uid: 2, adminPartner: 3,
		calls: map[[2]string]int{}, strictAccess: c.strictAccess,
	}
	s.users = append(s.users, credential{login: c.login, password: c.password, apiKey: c.apiKey, uid: 2})
	if err := s.seed(); err != nil {
		return nil, err
	}
	for _, u := range c.extraUsers {
		groups := u.groups
		if groups == nil {
			groups = adminGroups
		}
		gids, err := groupIDs(groups)
		if err != nil {
			return nil, err
		}
		uid, err := s.addUser(u.login, gids)
		if err != nil {
			return nil, err
		}
		u.uid = uid
		s.users = append(s.users, u)
	}
	return s, nil
}

// NewServer starts a fake Odoo on a local httptest server. With a non-nil
// t the server is closed by t.Cleanup and setup errors fail the test; with
// nil t it panics on a setup error and the caller must call Close.
func NewServer(t testing.TB, opts ...Option) *Server {
	if t != nil {
		t.Helper()
	}
	s, err := New(opts...)
	if err != nil {
		if t != nil {
			t.Fatal(err)
		}
		panic(err)
	}
	s.Start()
	if t != nil {
		t.Cleanup(s.Close)
	}
	return s
}

// Start serves the fake on a local httptest server and sets URL.
func (s *Server) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.httpServer != nil {
		return
	}
	s.httpServer = httptest.NewServer(s)
	s.URL = s.httpServer.URL
}

// Close stops the server started by Start; it is safe to call twice.
func (s *Server) Close() {
	s.mu.Lock()
	hs := s.httpServer
	s.httpServer = nil
	s.mu.Unlock()
	if hs != nil {
		hs.CloseClientConnections()
		hs.Close()
	}
}

// ServeHTTP routes the Odoo endpoints:
//
//	POST /xmlrpc/2/common, /xmlrpc/2/object   XML-RPC
//	POST /jsonrpc                              JSON-RPC (services common, object)
//	POST /json/2/<model>/<method>              JSON-2 (19.0 only)
//	GET  /web/version                          version without a session
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/xmlrpc/2/common" || r.URL.Path == "/xmlrpc/2/object" || r.URL.Path == "/xmlrpc/2/db":
		if r.Method != http.MethodPost {
			s.writeHTML(w, http.StatusMethodNotAllowed, "Method Not Allowed", "The method is not allowed for the requested URL.")
			return
		}
		s.serveXMLRPC(w, r, strings.TrimPrefix(r.URL.Path, "/xmlrpc/2/"))
	case r.URL.Path == "/jsonrpc":
		if r.Method != http.MethodPost {
			s.writeHTML(w, http.StatusMethodNotAllowed, "Method Not Allowed", "The method is not allowed for the requested URL.")
			return
		}
		s.serveJSONRPC(w, r)
	case strings.HasPrefix(r.URL.Path, "/json/2") && s.Version != "17.0":
		s.serveJSON2(w, r)
	case r.URL.Path == "/web/version":
		s.serveWebVersion(w, r)
	default:
		s.writeHTML(w, http.StatusNotFound, "Not Found", "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.")
	}
}

// writeHTML answers like werkzeug's HTML error pages.
func (s *Server) writeHTML(w http.ResponseWriter, status int, title, desc string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<html lang=en>\n<title>%d %s</title>\n<h1>%s</h1>\n<p>%s</p>\n", status, title, title, desc)
}

func readBody(r *http.Request) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r.Body, maxBody))
}

// versionInfo is common.version's answer.
func (s *Server) versionInfo() *omap {
	major := int64(19)
	if s.Version == "17.0" {
		major = 17
	}
	info := []any{major, int64(0), int64(0), "final", int64(0), ""}
	return newOmap().
		set("server_version", s.Version).
		set("server_version_info", info).
		set("server_serie", s.Version).
		set("protocol_version", int64(1))
}

func (s *Server) serveWebVersion(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		// Odoo's /web/version is an http route with CSRF protection: a POST
		// without a session token is refused.
		s.writeHTML(w, http.StatusBadRequest, "Bad Request", "Session expired (invalid CSRF token)")
		return
	}
	handled, ferr := s.applyFaults(w, r, "", "version", "web")
	if handled {
		return
	}
	s.count("", "version")
	if ferr != nil {
		s.writeJSON2Error(w, ferr)
		return
	}
	major := int64(19)
	if s.Version == "17.0" {
		major = 17
	}
	body, _ := appendJSON(nil, newOmap().
		set("version_info", []any{major, int64(0), int64(0), "final", int64(0), ""}).
		set("version", s.Version))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(body)
}

// authenticate checks a login and password (or API key) and returns the uid.
func (s *Server) authenticate(db, login, password string) int64 {
	if db != s.DB {
		return 0
	}
	for _, u := range s.users {
		if u.login == login && password != "" && (password == u.password || password == u.apiKey) {
			return u.uid
		}
	}
	return 0
}

// checkUID validates execute_kw's uid and password.
func (s *Server) checkUID(db string, uid int64, password string) bool {
	if db != s.DB {
		return false
	}
	for _, u := range s.users {
		if u.uid == uid && password != "" && (password == u.password || password == u.apiKey) {
			return true
		}
	}
	return false
}

func (s *Server) count(model, method string) {
	s.mu.Lock()
	s.calls[[2]string{model, method}]++
	s.total++
	s.mu.Unlock()
}

// Calls returns how many calls of method on model the server received
// (model "" counts the common service: "version", "authenticate",
// "login"). Calls answered with an error count too.
func (s *Server) Calls(model, method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[[2]string{model, method}]
}

// TotalCalls returns the number of calls received, all models and methods.
func (s *Server) TotalCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCalls sets every call counter back to zero.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = map[[2]string]int{}
	s.total = 0
}

// runCall executes a model method under the lock, with a debug log line.
func (s *Server) runCall(ctx context.Context, protocol string, c call) (any, *odooError) {
	start := time.Now()
	s.mu.Lock()
	s.curUID = c.UID
	res, err := s.execute(c)
	s.curUID = 0
	// Results may reference stored slices; render them before unlocking.
	res = deepCopy(res)
	s.mu.Unlock()
	attrs := []any{slog.String("protocol", protocol), slog.String("model", c.Model),
		slog.String("method", c.Method), slog.Duration("took", time.Since(start))}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Name))
	}
	s.logger.DebugContext(ctx, "odootest call", attrs...)
	return res, err
}

// hijackClose drops the connection without an answer.
func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// bodyReader rewinds a read body for handlers that parse it again.
func bodyReader(b []byte) io.Reader { return bytes.NewReader(b) }
