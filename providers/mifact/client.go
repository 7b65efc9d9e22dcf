package mifact

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultTokenTTL        = 50 * time.Minute
	DefaultMaxPDFBytes     = 10 << 20
	DefaultDownloadTimeout = 60 * time.Second
	DefaultTimeout         = 30 * time.Second
	// tokenSkew renews a token this long before it expires.
	tokenSkew = 30 * time.Second
)

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL is invoice-mifact-v3's base (env URL_INVOICE_MIFACT_V3). Required.
	BaseURL string
	// Username and Password sign in. Required; the password is never logged.
	Username, Password string
	// TokenTTL is the token lifetime assumed when the signin answer states none
	// (default 50 minutes).
	TokenTTL time.Duration
	// MaxPDFBytes bounds a downloaded PDF (default 10 MiB).
	MaxPDFBytes int64
	// DownloadTimeout bounds a whole PDF download, retries included (default 60 s).
	DownloadTimeout time.Duration

	// HTTPClient performs the requests; nil means a new client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt when HTTPClient is nil (default 30 s).
	Timeout time.Duration
	// Logger receives diagnostics at debug level; nil discards them.
	Logger *slog.Logger
	// MaxRetries: 0 means 3, negative disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 500 ms, 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
	// Now is the clock used for token expiry; nil means time.Now.
	Now func() time.Time
}

// LogValue implements slog.LogValuer: the password is redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.BaseURL), slog.String("username", c.Username), slog.Any("password", apiclient.RedactValue(c.Password)))
}

// String describes c without the password.
func (c Config) String() string {
	return fmt.Sprintf("mifact.Config{BaseURL:%q Username:%q Password:%s}", c.BaseURL, c.Username, apiclient.RedactValue(c.Password))
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// CredentialsFromEnv returns the username and password from
// INVOICE_MIFACT_USERNAME / INVOICE_MIFACT_PASSWORD, falling back to
// USERNAME_ADMIN / PASSWORD_ADMIN. getenv is os.Getenv or a test map.
func CredentialsFromEnv(getenv func(string) string) (username, password string) {
	username, password = getenv("INVOICE_MIFACT_USERNAME"), getenv("INVOICE_MIFACT_PASSWORD")
	if username == "" {
		username = getenv("USERNAME_ADMIN")
	}
	if password == "" {
		password = getenv("PASSWORD_ADMIN")
	}
	return username, password
}

// APIError is an error answer from invoice-mifact-v3 (or from a PDF URL).
type APIError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("mifact", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether the call may succeed later (429, 5xx except 501).
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

// Client calls invoice-mifact-v3. It is safe for concurrent use.
type Client struct {
	cfg    Config
	base   *url.URL
	http   *apiclient.Client
	dl     *downloader
	now    func() time.Time
	logger *slog.Logger

	// mu guards tok and exp and serialises signins.
	mu  chanMutex
	tok string
	exp time.Time
}

// chanMutex is a mutex whose Lock can be abandoned when ctx ends.
type chanMutex chan struct{}

func (m chanMutex) lock(ctx context.Context) error {
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m chanMutex) unlock() { <-m }

// New validates cfg and returns a Client. It does not sign in: the first call
// does.
func New(cfg Config) (*Client, error) {
	u, ok := apiclient.ParseHTTPURL(cfg.BaseURL)
	if !ok {
		return nil, fmt.Errorf("mifact: invalid Config.BaseURL %q", apiclient.SanitizeURL(cfg.BaseURL))
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("mifact: Config.Username and Config.Password are required")
	}
	if cfg.Timeout < 0 || cfg.DownloadTimeout < 0 || cfg.TokenTTL < 0 || cfg.MaxPDFBytes < 0 {
		return nil, errors.New("mifact: negative durations or sizes are not allowed")
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.MaxPDFBytes == 0 {
		cfg.MaxPDFBytes = DefaultMaxPDFBytes
	}
	if cfg.DownloadTimeout == 0 {
		cfg.DownloadTimeout = DefaultDownloadTimeout
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: cfg.Timeout}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	u.Path = strings.TrimRight(u.Path, "/")
	c := &Client{
		cfg:  cfg,
		base: u,
		http: apiclient.New(apiclient.Config{
			Provider: "mifact", HTTPClient: hc, Logger: logger,
			MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax,
		}),
		now:    now,
		logger: logger,
		mu:     make(chanMutex, 1),
	}
	c.dl = newDownloader(hc, logger, cfg)
	return c, nil
}

func (c *Client) endpoint(segments ...string) string {
	return apiclient.JoinURL(c.base.String(), segments...)
}

// token returns a valid cached token, signing in when there is none or it is
// about to expire. Concurrent callers wait for one signin.
func (c *Client) token(ctx context.Context) (string, error) {
	if err := c.mu.lock(ctx); err != nil {
		return "", err
	}
	defer c.mu.unlock()
	if c.tok != "" && c.now().Add(tokenSkew).Before(c.exp) {
		return c.tok, nil
	}
	tok, exp, err := c.signIn(ctx)
	if err != nil {
		return "", err
	}
	c.tok, c.exp = tok, exp
	return tok, nil
}

// invalidate forgets tok if it is still the cached token (a 401 answered it).
func (c *Client) invalidate(ctx context.Context, tok string) {
	if c.mu.lock(ctx) != nil {
		return
	}
	if c.tok == tok {
		c.tok = ""
	}
	c.mu.unlock()
}

// signIn asks for a new token.
func (c *Client) signIn(ctx context.Context) (string, time.Time, error) {
	body, _ := json.Marshal(map[string]string{"username": c.cfg.Username, "password": c.cfg.Password})
	resp, err := c.http.Do(ctx, apiclient.Request{
		Method: http.MethodPost, URL: c.endpoint("auth", "signin"),
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
		Body:   body, Retry: apiclient.RetryTransient,
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", time.Time{}, ctx.Err()
		}
		return "", time.Time{}, fmt.Errorf("mifact: sign in: %w", err)
	}
	if !resp.OK() {
		return "", time.Time{}, fmt.Errorf("mifact: sign in: %w", decodeError(resp))
	}
	tok, ttl, err := parseSignIn(resp.Body)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("mifact: sign in: %w", err)
	}
	now := c.now()
	exp := now.Add(c.cfg.TokenTTL)
	switch {
	case ttl > 0:
		exp = now.Add(ttl)
	default:
		if jexp, ok := jwtExpiry(tok); ok {
			exp = jexp
		}
	}
	c.logger.DebugContext(ctx, "mifact: signed in", "expires", exp)
	return tok, exp, nil
}

// parseSignIn reads the token and its lifetime (0 when not stated).
func parseSignIn(b []byte) (string, time.Duration, error) {
	var r struct {
		Token       string      `json:"token"`
		AccessToken string      `json:"access_token"`
		AccessTok2  string      `json:"accessToken"`
		ExpiresIn   json.Number `json:"expires_in"`
		ExpiresIn2  json.Number `json:"expiresIn"`
		Data        *struct {
			Token string `json:"token"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return "", 0, fmt.Errorf("decode signin answer: %w", err)
	}
	tok := r.Token
	for _, t := range []string{r.AccessToken, r.AccessTok2} {
		if tok == "" {
			tok = t
		}
	}
	if tok == "" && r.Data != nil {
		tok = r.Data.Token
	}
	if tok == "" {
		return "", 0, errors.New("signin answer has no token")
	}
	var ttl time.Duration
	for _, n := range []json.Number{r.ExpiresIn, r.ExpiresIn2} {
		if s, err := n.Int64(); err == nil && s > 0 && ttl == 0 {
			ttl = time.Duration(s) * time.Second
		}
	}
	return tok, ttl, nil
}

// jwtExpiry reads the unverified "exp" claim of a JWT.
func jwtExpiry(tok string) (time.Time, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	s, err := claims.Exp.Int64()
	if err != nil || s <= 0 {
		return time.Time{}, false
	}
	return time.Unix(s, 0), true
}

func decodeError(resp *apiclient.Response) *APIError {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var b struct {
		Message json.RawMessage `json:"message"`
		Error   string          `json:"error"`
		Code    json.RawMessage `json:"code"`
	}
	if json.Unmarshal(resp.Body, &b) != nil {
		e.Message = apiclient.Snippet(resp.Body, 200)
		return e
	}
	e.Message = apiclient.JSONText(b.Message, 120)
	e.Code = apiclient.JSONText(b.Code, 120)
	if e.Code == "" {
		e.Code = b.Error
	}
	return e
}

// authorized sends an authenticated GET, renewing the token and trying once
// more when the answer is 401.
func (c *Client) authorized(ctx context.Context, op, u string) (*apiclient.Response, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("mifact: %s: %w", op, err)
		}
		resp, err := c.http.Do(ctx, apiclient.Request{
			Method: http.MethodGet, URL: u,
			Header: http.Header{"Authorization": {"Bearer " + tok}, "Accept": {"application/json"}},
			Retry:  apiclient.RetryTransient,
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("mifact: %s: %w", op, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			c.invalidate(ctx, tok)
			continue
		}
		if !resp.OK() {
			return nil, fmt.Errorf("mifact: %s: %w", op, decodeError(resp))
		}
		return resp, nil
	}
}

// InvoiceStatus is the invoicing state of one service order.
type InvoiceStatus struct {
	ServiceOrderID int64 `json:"service_order_id"`
	// Invoiced is "facturado".
	Invoiced bool `json:"facturado"`
	// URLs of the invoice PDFs; "" when absent.
	URLs InvoiceURLs `json:"urls"`
	// InvoiceResultHeadID is 0 when not invoiced.
	InvoiceResultHeadID int64 `json:"invoice_result_head_id"`
}

// InvoiceURLs are the PDF URLs per currency.
type InvoiceURLs struct {
	Soles   string `json:"soles"`
	Dolares string `json:"dolares"`
}

// InvoiceStatus asks whether service order id has been invoiced.
func (c *Client) InvoiceStatus(ctx context.Context, id int64) (*InvoiceStatus, error) {
	if id <= 0 {
		return nil, fmt.Errorf("mifact: invoice status: invalid service order id %d", id)
	}
	resp, err := c.authorized(ctx, "invoice status", c.endpoint("service-order", strconv.FormatInt(id, 10), "invoice-status"))
	if err != nil {
		return nil, err
	}
	st, err := ParseInvoiceStatus(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("mifact: invoice status %d: %w", id, err)
	}
	st.ServiceOrderID = id
	return st, nil
}

// ParseInvoiceStatus decodes an invoice-status answer.
func ParseInvoiceStatus(b []byte) (*InvoiceStatus, error) {
	var raw struct {
		Facturado *bool `json:"facturado"`
		URLs      *struct {
			Soles   *string `json:"soles"`
			Dolares *string `json:"dolares"`
		} `json:"urls"`
		HeadID json.RawMessage `json:"invoice_result_head_id"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("decode invoice status: %w", err)
	}
	if raw.Facturado == nil {
		return nil, errors.New("decode invoice status: missing facturado")
	}
	st := &InvoiceStatus{Invoiced: *raw.Facturado}
	if raw.URLs != nil {
		if raw.URLs.Soles != nil {
			st.URLs.Soles = *raw.URLs.Soles
		}
		if raw.URLs.Dolares != nil {
			st.URLs.Dolares = *raw.URLs.Dolares
		}
	}
	if len(raw.HeadID) > 0 && string(raw.HeadID) != "null" {
		s := strings.Trim(string(raw.HeadID), `"`)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("decode invoice status: invalid invoice_result_head_id %.40s", raw.HeadID)
		}
		st.InvoiceResultHeadID = n
	}
	return st, nil
}
