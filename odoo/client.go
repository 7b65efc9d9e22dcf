package odoo

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Client talks to one Odoo database over XML-RPC, JSON-RPC or JSON-2. It is
// safe for concurrent use; create one per database and reuse it (it keeps
// the uid, the detected protocol, learned fields and HTTP connections).
type Client struct {
	base      string // base URL without trailing slash
	db        string
	login     string
	password  string
	apiKey    string
	protocol  Protocol
	httpc     *http.Client
	rhttp     *retryablehttp.Client
	retry     RetryPolicy
	logger    *slog.Logger
	observer  Observer
	ctx       Context
	maxBody   int64
	chunk     int
	discovery bool

	plans planCache
	bufs  sync.Pool // *bytes.Buffer
	seq   atomic.Int64

	mu     sync.Mutex // guards tr, ver, uid
	authMu sync.Mutex // serialises authenticate
	tr     transport
	ver    *Version
	uid    int64

	fieldsMu sync.Mutex
	fields   map[string]*modelFields
}

// transport is one wire protocol.
type transport interface {
	protocol() Protocol
	version(ctx context.Context) (Version, error)
	authenticate(ctx context.Context) (int64, error)
	execute(ctx context.Context, r *request, dst any) error
}

var (
	_ transport = (*xmlrpcTransport)(nil)
	_ transport = (*jsonrpcTransport)(nil)
	_ transport = (*json2Transport)(nil)
)

// Request is a fully specified call, for Client.Do.
type Request struct {
	Model  string
	Method string
	// Args are the positional arguments as Odoo's execute_kw takes them
	// (for record methods, the ids first). On JSON-2, which only takes named
	// arguments, the known methods' positional arguments are renamed (see
	// the package documentation) and for other methods Args[0] becomes "ids";
	// any further positional argument is an error there: pass it in Kwargs.
	Args   []any
	Kwargs map[string]any
	// Context overrides the client's context for this call.
	Context *Context
	// Idempotent allows retrying a non-read method on transient failures.
	Idempotent bool
}

// request is a call on its way to a transport.
type request struct {
	model, method string
	args          []any
	kwargs        map[string]any
	retry         bool
	renames       map[string]string // answer field → struct tag name (see fieldList)
}

// Version describes the server.
type Version struct {
	Server string // "19.0", "saas~18.3"
	Major  int
	Minor  int
	Info   []any // server_version_info as sent
}

// NewClient returns a Client for the Odoo at baseURL (e.g.
// "https://erp.example.com"). It does no I/O: the protocol is detected and
// the login done on first use.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("odoo: NewClient: invalid base URL %q (want http(s)://host[/path])", redactURL(baseURL))
	}
	if u.User != nil {
		return nil, errors.New("odoo: NewClient: credentials in the URL are not supported; use WithLogin or WithAPIKey")
	}
	c := &Client{
		base:      strings.TrimRight(u.String(), "/"),
		retry:     DefaultRetryPolicy(),
		maxBody:   64 << 20,
		chunk:     1000,
		discovery: true,
		fields:    map[string]*modelFields{},
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return nil, err
		}
	}
	switch c.protocol {
	case ProtocolJSON2:
		if c.apiKey == "" {
			return nil, errors.New("odoo: NewClient: JSON-2 needs WithAPIKey")
		}
	case ProtocolXMLRPC, ProtocolJSONRPC:
		if err := c.checkRPCCredentials(); err != nil {
			return nil, err
		}
	default:
		if c.apiKey == "" && c.login == "" {
			return nil, errors.New("odoo: NewClient: no credentials: use WithLogin or WithAPIKey")
		}
		if c.apiKey == "" {
			// Without a key only XML-RPC and JSON-RPC can be used.
			if err := c.checkRPCCredentials(); err != nil {
				return nil, err
			}
		}
	}
	if c.httpc == nil {
		// Our own pooled transport (not http.DefaultTransport, which is shared
		// process-wide), keeping enough idle connections for concurrent calls.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		c.httpc = &http.Client{Timeout: 60 * time.Second, Transport: tr}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.rhttp = &retryablehttp.Client{
		HTTPClient:   c.httpc,
		RetryWaitMin: c.retry.WaitMin,
		RetryWaitMax: c.retry.WaitMax,
		RetryMax:     c.retry.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      c.backoff,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

func (c *Client) checkRPCCredentials() error {
	if c.db == "" {
		return errors.New("odoo: NewClient: XML-RPC and JSON-RPC need WithDatabase")
	}
	if c.login == "" {
		return errors.New("odoo: NewClient: XML-RPC and JSON-RPC need WithLogin (with the password or API key)")
	}
	if c.password == "" && c.apiKey == "" {
		return errors.New("odoo: NewClient: no password or API key")
	}
	return nil
}

// secret is the password used by XML-RPC and JSON-RPC.
func (c *Client) secret() string {
	if c.password != "" {
		return c.password
	}
	return c.apiKey
}

// LogValue describes the client for slog without secrets.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("url", c.base),
		slog.String("db", c.db),
		slog.String("login", c.login),
		slog.String("password", redacted(c.password)),
		slog.String("api_key", redacted(c.apiKey)),
		slog.String("protocol", c.protocol.String()),
	)
}

func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "[REDACTED]"
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	u.User = url.User("REDACTED")
	return u.String()
}

// Protocol returns the protocol in use, detecting it if needed.
func (c *Client) Protocol(ctx context.Context) (Protocol, error) {
	tr, err := c.transport(ctx)
	if err != nil {
		return 0, err
	}
	return tr.protocol(), nil
}

// transport returns the protocol implementation, detecting it once.
func (c *Client) transport(ctx context.Context) (transport, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tr != nil {
		return c.tr, nil
	}
	switch c.protocol {
	case ProtocolXMLRPC:
		c.tr = &xmlrpcTransport{c: c}
	case ProtocolJSONRPC:
		c.tr = &jsonrpcTransport{c: c}
	case ProtocolJSON2:
		c.tr = &json2Transport{c: c}
	default:
		tr, v, err := c.detect(ctx)
		if err != nil {
			return nil, err
		}
		c.tr, c.ver = tr, &v
	}
	return c.tr, nil
}

// detect asks GET /web/version (Odoo 19+ answers without a session), then
// JSON-RPC common.version, then XML-RPC common.version.
func (c *Client) detect(ctx context.Context) (transport, Version, error) {
	j2 := &json2Transport{c: c}
	v, err := j2.version(ctx)
	if err == nil && v.Major >= 19 && c.apiKey != "" {
		return j2, v, nil
	}
	if err == nil && v.Major >= 20 {
		return nil, v, fmt.Errorf("odoo: Odoo %s only speaks JSON-2, which needs WithAPIKey", v.Server)
	}
	if err := ctx.Err(); err != nil {
		return nil, Version{}, err
	}
	rpcErr := c.checkRPCCredentials()
	jr := &jsonrpcTransport{c: c}
	v, jerr := jr.version(ctx)
	if jerr == nil {
		if rpcErr != nil {
			return nil, v, fmt.Errorf("odoo: Odoo %s needs JSON-RPC here: %w", v.Server, rpcErr)
		}
		return jr, v, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, Version{}, err
	}
	xr := &xmlrpcTransport{c: c}
	v, xerr := xr.version(ctx)
	if xerr == nil {
		if rpcErr != nil {
			return nil, v, fmt.Errorf("odoo: Odoo %s needs XML-RPC here: %w", v.Server, rpcErr)
		}
		return xr, v, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, Version{}, err
	}
	return nil, Version{}, fmt.Errorf("odoo: detecting the protocol (JSON-RPC: %v; XML-RPC: %v): %w", jerr, xerr, jerr)
}

// Version returns the server version (asked once per client).
func (c *Client) Version(ctx context.Context) (Version, error) {
	tr, err := c.transport(ctx)
	if err != nil {
		return Version{}, err
	}
	c.mu.Lock()
	if c.ver != nil {
		v := *c.ver
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	start := time.Now()
	v, err := tr.version(ctx)
	c.observe(ctx, tr.protocol(), "", "version", start, err)
	if err != nil {
		return Version{}, err
	}
	c.mu.Lock()
	c.ver = &v
	c.mu.Unlock()
	return v, nil
}

// Login authenticates (XML-RPC, JSON-RPC) and returns the uid, cached for
// the client's life. Wrong credentials give an error of KindAccessDenied.
// On JSON-2, which has no session, it checks the API key with one cheap call
// and returns 0.
func (c *Client) Login(ctx context.Context) (int64, error) {
	tr, err := c.transport(ctx)
	if err != nil {
		return 0, err
	}
	if tr.protocol() == ProtocolJSON2 {
		var n int64
		return 0, c.Do(ctx, Request{Model: "res.users", Method: "search_count", Args: []any{Domain{}}}, &n)
	}
	return c.ensureUID(ctx, tr)
}

func (c *Client) ensureUID(ctx context.Context, tr transport) (int64, error) {
	c.mu.Lock()
	uid := c.uid
	c.mu.Unlock()
	if uid != 0 {
		return uid, nil
	}
	// One authenticate at a time: concurrent first calls wait for it.
	c.authMu.Lock()
	defer c.authMu.Unlock()
	c.mu.Lock()
	uid = c.uid
	c.mu.Unlock()
	if uid != 0 {
		return uid, nil
	}
	start := time.Now()
	uid, err := tr.authenticate(ctx)
	c.observe(ctx, tr.protocol(), "", "authenticate", start, err)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	c.uid = uid
	c.mu.Unlock()
	return uid, nil
}

// Call runs model.method with positional args and keyword kwargs and
// decodes the result into result (a pointer; nil discards it). It is the
// escape hatch for any Odoo method; see Do for per-call options.
func (c *Client) Call(ctx context.Context, model, method string, args []any, kwargs map[string]any, result any) error {
	return c.Do(ctx, Request{Model: model, Method: method, Args: args, Kwargs: kwargs}, result)
}

// readMethods are retried on transient failures.
func isReadMethod(m string) bool {
	switch m {
	case "search", "search_read", "read", "search_count", "fields_get", "name_search",
		"read_group", "formatted_read_group", "version", "search_fetch", "name_get", "default_get", "context_get":
		return true
	}
	return false
}

// Do runs one call described by r, decoding the result into result.
func (c *Client) Do(ctx context.Context, r Request, result any) error {
	return c.do(ctx, r, result, nil)
}

func (c *Client) do(ctx context.Context, r Request, result any, renames map[string]string) error {
	if r.Model == "" || r.Method == "" {
		return errors.New("odoo: Do: model and method are required")
	}
	if result != nil {
		if rv := reflect.ValueOf(result); rv.Kind() != reflect.Pointer || rv.IsNil() {
			return fmt.Errorf("odoo: Do: result must be a non-nil pointer or nil, got %T", result)
		}
	}
	tr, err := c.transport(ctx)
	if err != nil {
		return err
	}
	kw := r.Kwargs
	if wctx := c.ctx.merge(r.Context).wire(); wctx != nil {
		kw = make(map[string]any, len(r.Kwargs)+1)
		for k, v := range r.Kwargs {
			kw[k] = v
		}
		if userCtx, ok := r.Kwargs["context"].(map[string]any); ok {
			for k, v := range userCtx {
				wctx[k] = v
			}
		}
		kw["context"] = wctx
	}
	req := &request{model: r.Model, method: r.Method, args: r.Args, kwargs: kw, retry: r.Idempotent || isReadMethod(r.Method), renames: renames}
	start := time.Now()
	err = tr.execute(ctx, req, result)
	c.observe(ctx, tr.protocol(), r.Model, r.Method, start, err)
	if err == nil || errors.Is(err, ErrTransport) {
		// Fields may have changed (or may have, when the answer was
		// lost): learn them again on the next typed read.
		c.forgetChangedFields(r)
	}
	return err
}

func (c *Client) observe(ctx context.Context, p Protocol, model, method string, start time.Time, err error) {
	d := time.Since(start)
	if c.observer != nil {
		c.observer(CallInfo{Protocol: p, Model: model, Method: method, Duration: d, Err: err})
	}
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		attrs := []slog.Attr{
			slog.String("protocol", p.String()),
			slog.String("model", model),
			slog.String("method", method),
			slog.Duration("duration", d),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "odoo call", attrs...)
	}
}

// ---- HTTP ----

type retryKey struct{}

// checkRetry retries refused connections and 429/502/503/504, only when
// the request was marked retryable, and stops when ctx is done.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if ok, _ := ctx.Value(retryKey{}).(bool); !ok {
		return false, nil
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

func (c *Client) backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	d := retryablehttp.DefaultBackoff(min, max, attempt, resp)
	limit := c.retry.MaxRetryAfter
	if limit == 0 {
		limit = 4 * max
	}
	if d > limit {
		d = limit
	}
	return d
}

func (c *Client) getBuf() *bytes.Buffer {
	if b, ok := c.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func (c *Client) putBuf(b *bytes.Buffer) {
	if b.Cap() > 4<<20 {
		return // let big buffers go
	}
	c.bufs.Put(b)
}

// httpResult is a read HTTP answer; body must be released with putBuf.
type httpResult struct {
	status int
	ctype  string
	body   *bytes.Buffer
}

// send performs one HTTP exchange (with retries when allowed) and reads the
// body under the size cap.
func (c *Client) send(ctx context.Context, method, path string, body []byte, hdr http.Header, retry bool, op string, r *request) (*httpResult, error) {
	rctx := context.WithValue(ctx, retryKey{}, retry)
	var rb any
	if body != nil {
		rb = body
	}
	req, err := retryablehttp.NewRequestWithContext(rctx, method, c.base+path, rb)
	if err != nil {
		return nil, c.transportErr(op, r, 0, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.rhttp.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, c.transportErr(op, r, 0, err)
	}
	defer resp.Body.Close()
	buf := c.getBuf()
	n, err := buf.ReadFrom(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			c.putBuf(buf)
			return nil, ctx.Err()
		}
		// The answer broke off (a dropped connection, a body shorter
		// than its Content-Length): name what was received.
		e := c.transportErr(op, r, resp.StatusCode, fmt.Errorf("reading response body: %w", err))
		e.Message = fmt.Sprintf("truncated answer: HTTP %d %s, Content-Type %q, %d bytes received, body %s",
			resp.StatusCode, http.StatusText(resp.StatusCode), resp.Header.Get("Content-Type"), n, snippet(buf.Bytes()))
		c.putBuf(buf)
		return nil, e
	}
	if n > c.maxBody {
		c.putBuf(buf)
		e := c.newErr(op, r, KindProtocol)
		e.Status = resp.StatusCode
		e.Message = fmt.Sprintf("response body larger than %d bytes", c.maxBody)
		return nil, e
	}
	return &httpResult{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: buf}, nil
}

func (c *Client) newErr(op string, r *request, k Kind) *Error {
	e := &Error{Op: op, Kind: k}
	if r != nil {
		e.Model, e.Method = r.model, r.method
	}
	return e
}

func (c *Client) transportErr(op string, r *request, status int, err error) *Error {
	e := c.newErr(op, r, KindTransport)
	e.Status = status
	e.Err = err
	return e
}

// foreignBody builds the error for an answer that is not Odoo's: a gateway
// or proxy failure (status ≥ 400) is KindTransport, a 2xx that cannot be
// parsed is KindProtocol. The message names status, content type and the
// first bytes of the body.
func (c *Client) foreignBody(op string, r *request, h *httpResult, cause error) *Error {
	k := KindProtocol
	if h.status >= 400 {
		k = KindTransport
	}
	e := c.newErr(op, r, k)
	e.Status = h.status
	e.Err = cause
	e.Message = fmt.Sprintf("unexpected answer: HTTP %d %s, Content-Type %q, body %s",
		h.status, http.StatusText(h.status), h.ctype, snippet(h.body.Bytes()))
	return e
}

func snippet(b []byte) string {
	const n = 120
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "…"
	}
	if len(b) == 0 {
		return "(empty)"
	}
	return strconv.Quote(string(b))
}

// decodeErr turns a codec failure into an *Error: a DecodeError is
// KindDecode, anything else (malformed, truncated) KindProtocol.
func (c *Client) decodeErr(op string, r *request, h *httpResult, err error) error {
	var de *DecodeError
	if errors.As(err, &de) {
		if r != nil && de.Model == "" {
			de.Model = r.model
		}
		if !wellFormed(h.body.Bytes()) {
			// The mismatch is only the first symptom of a body that is
			// not (all) Odoo's: report the body.
			return c.foreignBody(op, r, h, err)
		}
		e := c.newErr(op, r, KindDecode)
		e.Status = h.status
		e.Err = de
		return e
	}
	return c.foreignBody(op, r, h, err)
}

// wellFormed reports whether a body is complete JSON (when it looks like
// JSON) or well-formed XML; it runs only on the error path.
func wellFormed(b []byte) bool {
	if looksLikeJSON(b) {
		return json.Valid(b)
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return depth == 0
		}
		if err != nil {
			return false
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

// versionFromInfo fills Major and Minor from server_version_info.
func versionFromInfo(server string, info []any) Version {
	v := Version{Server: server, Info: info}
	num := func(x any) int {
		switch n := x.(type) {
		case int64:
			return int(n)
		case string:
			// "saas~17"
			if i := strings.LastIndexAny(n, "~-"); i >= 0 {
				n = n[i+1:]
			}
			k, _ := strconv.Atoi(n)
			return k
		}
		return 0
	}
	if len(info) > 0 {
		v.Major = num(info[0])
	}
	if len(info) > 1 {
		v.Minor = num(info[1])
	}
	if v.Major == 0 && server != "" {
		s := server
		if i := strings.LastIndexAny(s, "~-"); i >= 0 {
			s = s[i+1:]
		}
		maj, min, _ := strings.Cut(s, ".")
		v.Major, _ = strconv.Atoi(maj)
		v.Minor, _ = strconv.Atoi(strings.TrimRightFunc(min, func(r rune) bool { return r < '0' || r > '9' }))
	}
	return v
}

type versionAnswer struct {
	ServerVersion string `odoo:"server_version"`
	Info          []any  `odoo:"server_version_info"`
	Version       string `odoo:"version"`      // GET /web/version
	VersionInfo   []any  `odoo:"version_info"` // GET /web/version
}

func (a versionAnswer) version() Version {
	if a.ServerVersion == "" && a.Version != "" {
		return versionFromInfo(a.Version, a.VersionInfo)
	}
	return versionFromInfo(a.ServerVersion, a.Info)
}

// authFailed is the error for authenticate answering false.
func authFailed() *Error {
	return &Error{Op: "login", Method: "authenticate", Kind: KindAccessDenied, Name: nameAccessDenied,
		Message: "authentication failed: wrong database, login or password/API key"}
}

// CloseIdleConnections closes idle keep-alive connections of the client's
// HTTP transport (e.g. before a command-line program exits).
func (c *Client) CloseIdleConnections() { c.httpc.CloseIdleConnections() }
