package odoo

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Protocol selects the wire protocol a Client speaks.
type Protocol uint8

// Protocols. ProtocolAuto (the default) detects the server version once and
// prefers JSON-2 on Odoo 19+ when an API key is configured, then JSON-RPC,
// then XML-RPC.
const (
	ProtocolAuto    Protocol = iota
	ProtocolXMLRPC           // /xmlrpc/2/common and /xmlrpc/2/object
	ProtocolJSONRPC          // POST /jsonrpc, services common and object
	ProtocolJSON2            // POST /json/2/<model>/<method>, Odoo 19+
)

// String returns "auto", "xmlrpc", "jsonrpc" or "json2".
func (p Protocol) String() string {
	switch p {
	case ProtocolAuto:
		return "auto"
	case ProtocolXMLRPC:
		return "xmlrpc"
	case ProtocolJSONRPC:
		return "jsonrpc"
	case ProtocolJSON2:
		return "json2"
	}
	return fmt.Sprintf("Protocol(%d)", uint8(p))
}

// ParseProtocol parses the names String returns.
func ParseProtocol(s string) (Protocol, error) {
	switch s {
	case "auto", "":
		return ProtocolAuto, nil
	case "xmlrpc", "xml-rpc":
		return ProtocolXMLRPC, nil
	case "jsonrpc", "json-rpc":
		return ProtocolJSONRPC, nil
	case "json2", "json-2":
		return ProtocolJSON2, nil
	}
	return 0, fmt.Errorf("odoo: unknown protocol %q (want auto, xmlrpc, jsonrpc or json2)", s)
}

// Context is the Odoo evaluation context sent with every call (kwargs
// "context"). Zero fields are not sent. CompanyID becomes the first entry of
// allowed_company_ids, which is how Odoo selects the current company.
type Context struct {
	Lang              string         // e.g. "es_MX"
	TZ                string         // e.g. "America/Mexico_City"
	CompanyID         int64          // current company
	AllowedCompanyIDs []int64        // other companies the call may see
	Extra             map[string]any // any other context keys (active_test, …)
}

// merge returns c overridden by the non-zero fields of o.
func (c Context) merge(o *Context) Context {
	if o == nil {
		return c
	}
	out := c
	if o.Lang != "" {
		out.Lang = o.Lang
	}
	if o.TZ != "" {
		out.TZ = o.TZ
	}
	if o.CompanyID != 0 {
		out.CompanyID = o.CompanyID
	}
	if len(o.AllowedCompanyIDs) > 0 {
		out.AllowedCompanyIDs = o.AllowedCompanyIDs
	}
	if len(o.Extra) > 0 {
		m := make(map[string]any, len(c.Extra)+len(o.Extra))
		for k, v := range c.Extra {
			m[k] = v
		}
		for k, v := range o.Extra {
			m[k] = v
		}
		out.Extra = m
	}
	return out
}

// wire returns the context as Odoo expects it, or nil when empty.
func (c Context) wire() map[string]any {
	if c.Lang == "" && c.TZ == "" && c.CompanyID == 0 && len(c.AllowedCompanyIDs) == 0 && len(c.Extra) == 0 {
		return nil
	}
	m := make(map[string]any, 4+len(c.Extra))
	for k, v := range c.Extra {
		m[k] = v
	}
	if c.Lang != "" {
		m["lang"] = c.Lang
	}
	if c.TZ != "" {
		m["tz"] = c.TZ
	}
	if c.CompanyID != 0 || len(c.AllowedCompanyIDs) > 0 {
		ids := make([]int64, 0, 1+len(c.AllowedCompanyIDs))
		if c.CompanyID != 0 {
			ids = append(ids, c.CompanyID)
		}
		for _, id := range c.AllowedCompanyIDs {
			if id != c.CompanyID {
				ids = append(ids, id)
			}
		}
		m["allowed_company_ids"] = ids
	}
	return m
}

// CallInfo describes one finished call, for WithObserver hooks.
type CallInfo struct {
	Protocol Protocol
	Model    string // empty for service calls (version, authenticate)
	Method   string
	Duration time.Duration
	Err      error
}

// Observer is called after every call (metrics: count, latency, errors per
// model and method). It must be safe for concurrent use and must not block.
type Observer func(CallInfo)

// RetryPolicy says how transient failures (refused connections, HTTP 429,
// 502, 503, 504) are retried. Only read methods (search, search_read, read,
// search_count, fields_get, name_search, read_group, formatted_read_group,
// version) and calls marked Idempotent are retried; a write is never sent twice.
type RetryPolicy struct {
	MaxRetries int           // retries after the first attempt; 0 disables retries
	WaitMin    time.Duration // first backoff
	WaitMax    time.Duration // backoff cap; a longer Retry-After is capped at MaxRetryAfter
	// MaxRetryAfter caps a server's Retry-After; 0 means WaitMax*4.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is used when WithRetry is not given: 3 retries, 200 ms to 3 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, WaitMin: 200 * time.Millisecond, WaitMax: 3 * time.Second}
}

// Option configures a Client. Options validate their arguments; NewClient
// returns the first error.
type Option func(*Client) error

// WithDatabase sets the database name (required by XML-RPC and JSON-RPC;
// sent as X-Odoo-Database on JSON-2).
func WithDatabase(db string) Option {
	return func(c *Client) error {
		if db == "" {
			return errors.New("odoo: WithDatabase: empty database name")
		}
		c.db = db
		return nil
	}
}

// WithLogin authenticates with a login and password (XML-RPC, JSON-RPC).
// The password may be empty when WithAPIKey is also given: the key is then
// the password, as Odoo accepts for external API calls.
func WithLogin(login, password string) Option {
	return func(c *Client) error {
		if login == "" {
			return errors.New("odoo: WithLogin: empty login")
		}
		c.login, c.password = login, password
		return nil
	}
}

// WithAPIKey authenticates with an API key: as the bearer token on JSON-2,
// and, when WithLogin gives no password, as the password of the WithLogin
// user on XML-RPC and JSON-RPC (which always need a login and database).
func WithAPIKey(key string) Option {
	return func(c *Client) error {
		if key == "" {
			return errors.New("odoo: WithAPIKey: empty key")
		}
		c.apiKey = key
		return nil
	}
}

// WithUID skips authenticate on XML-RPC and JSON-RPC and uses uid directly,
// for processes that already know it.
func WithUID(uid int64) Option {
	return func(c *Client) error {
		if uid <= 0 {
			return fmt.Errorf("odoo: WithUID: invalid uid %d", uid)
		}
		c.uid = uid
		return nil
	}
}

// WithProtocol selects the protocol; the default is ProtocolAuto.
func WithProtocol(p Protocol) Option {
	return func(c *Client) error {
		if p > ProtocolJSON2 {
			return fmt.Errorf("odoo: WithProtocol: unknown protocol %d", p)
		}
		c.protocol = p
		return nil
	}
}

// WithHTTPClient sets the HTTP client. The default has a 60 s timeout and a
// pooled transport; set a timeout on yours in production.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return errors.New("odoo: WithHTTPClient: nil client")
		}
		c.httpc = h
		return nil
	}
}

// WithContext sets the context sent with every call (a call's own Context
// overrides it field by field).
func WithContext(ctx Context) Option {
	return func(c *Client) error {
		c.ctx = ctx
		return nil
	}
}

// WithLogger sets the logger for debug lines (one per call). Secrets are
// never logged. nil discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		c.logger = l
		return nil
	}
}

// WithObserver installs a hook called after every call.
func WithObserver(o Observer) Option {
	return func(c *Client) error {
		c.observer = o
		return nil
	}
}

// WithMaxBodyBytes caps the size of a response body (default 64 MiB). A
// larger answer fails with a KindProtocol error instead of exhausting memory.
func WithMaxBodyBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("odoo: WithMaxBodyBytes: %d is not positive", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithRetry sets the retry policy for transient failures of reads.
func WithRetry(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxRetries < 0 || p.WaitMin < 0 || p.WaitMax < p.WaitMin || p.MaxRetryAfter < 0 {
			return fmt.Errorf("odoo: WithRetry: invalid policy %+v", p)
		}
		c.retry = p
		return nil
	}
}

// WithReadChunkSize sets how many ids Read asks for per call (default 1000).
func WithReadChunkSize(n int) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("odoo: WithReadChunkSize: %d is not positive", n)
		}
		c.chunk = n
		return nil
	}
}

// WithFieldDiscovery turns on or off (default on) the once-per-model
// fields_get that lets typed reads ask only for fields the server has.
func WithFieldDiscovery(on bool) Option {
	return func(c *Client) error {
		c.discovery = on
		return nil
	}
}
