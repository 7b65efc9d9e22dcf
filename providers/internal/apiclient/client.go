package apiclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxRetries       = 3
	DefaultRetryWaitMin     = 500 * time.Millisecond
	DefaultRetryWaitMax     = 30 * time.Second
	DefaultMaxResponseBytes = 10 << 20
)

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// Provider names the provider in log lines and errors ("conekta", "gnv", …).
	Provider string
	// HTTPClient performs the requests. Nil means a new client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt when HTTPClient is nil (default 30 s). Set a
	// timeout in production: a provider that never answers must not hang a call.
	Timeout time.Duration
	// Logger receives retry diagnostics at debug level. Nil discards them.
	Logger *slog.Logger
	// MaxRetries is the number of retries after the first attempt: 0 means
	// DefaultMaxRetries (3), a negative value disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between attempts
	// (defaults 500 ms and 30 s). A Retry-After header overrides them, capped at
	// RetryAfterMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// RetryAfterMax caps how long a Retry-After header can make the client wait;
	// 0 means 2 minutes. A longer Retry-After ends the retries and returns the
	// response to the caller.
	RetryAfterMax time.Duration
	// Backoff overrides the wait computation (for example Airtable's fixed 30 s
	// penalty after a 429). Nil means Backoff with Retry-After support.
	Backoff retryablehttp.Backoff
	// MaxResponseBytes bounds how much of a response body is read (default 10 MiB).
	MaxResponseBytes int64
}

// RetryMode says which failures of one request may be retried.
type RetryMode int

// Retry modes.
const (
	// RetryTransient retries connection errors, 429 and 5xx except 501. Use it
	// for reads and for writes that are idempotent or carry the provider's
	// idempotency key.
	RetryTransient RetryMode = iota
	// RetryUnsent retries only failures where the provider provably did not act:
	// the connection could not be established (dial error) or the provider
	// answered 429. Use it for creates without an idempotency key.
	RetryUnsent
	// RetryNever makes exactly one attempt.
	RetryNever
)

// String returns the mode's name.
func (m RetryMode) String() string {
	switch m {
	case RetryTransient:
		return "transient"
	case RetryUnsent:
		return "unsent"
	case RetryNever:
		return "never"
	}
	return "RetryMode(" + strconv.Itoa(int(m)) + ")"
}

// Request describes one logical call.
type Request struct {
	Method string
	// URL is absolute (use JoinURL to build it from a base URL).
	URL    string
	Header http.Header
	// Body is sent as is on every attempt; nil means no body.
	Body  []byte
	Retry RetryMode
	// Sign, when set, is called on every attempt just before it is sent, for
	// schemes whose signature covers a date (Mifiel's APIAuth).
	Sign func(*http.Request) error
}

// Response is the final HTTP response of a call, body read and closed.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Attempts is how many times the request was sent (1 = no retry).
	Attempts int
}

// OK reports whether the status is 2xx.
func (r *Response) OK() bool { return r.StatusCode >= 200 && r.StatusCode < 300 }

// TransportError reports a call that got no HTTP response: the provider was
// unreachable, the connection broke, or the response could not be read.
type TransportError struct {
	Provider string
	Method   string
	// URL is sanitised: no user info, no secret-looking query values.
	URL      string
	Attempts int
	Err      error
}

// Error implements error.
func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: %s %s: giving up after %d attempt(s): %v", e.Provider, e.Method, e.URL, e.Attempts, e.Err)
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// Retryable reports true: the caller may try the whole operation again later
// (for a create without idempotency key, only after checking it did not happen).
func (e *TransportError) Retryable() bool { return true }

// Client sends requests with the retry policy described in the package doc.
type Client struct {
	provider string
	rc       *retryablehttp.Client
	maxBody  int64
	logger   *slog.Logger
}

type ctxKey struct{}

type callState struct {
	mode     RetryMode
	sign     func(*http.Request) error
	attempts int
}

// New returns a Client for cfg. It validates nothing that could fail: zero
// values become defaults.
func New(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		t := cfg.Timeout
		if t <= 0 {
			t = DefaultTimeout
		}
		hc = &http.Client{Timeout: t}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Provider != "" {
		logger = logger.With("provider", cfg.Provider)
	}
	maxRetries := cfg.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = DefaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}
	wmin, wmax := cfg.RetryWaitMin, cfg.RetryWaitMax
	if wmin <= 0 {
		wmin = DefaultRetryWaitMin
	}
	if wmax <= 0 {
		wmax = DefaultRetryWaitMax
	}
	if wmax < wmin {
		wmax = wmin
	}
	raMax := cfg.RetryAfterMax
	if raMax <= 0 {
		raMax = 2 * time.Minute
	}
	backoff := cfg.Backoff
	if backoff == nil {
		backoff = Backoff
	}
	maxBody := cfg.MaxResponseBytes
	if maxBody <= 0 {
		maxBody = DefaultMaxResponseBytes
	}
	c := &Client{provider: cfg.Provider, maxBody: maxBody, logger: logger}
	c.rc = &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       debugLogger{logger},
		RetryWaitMin: wmin,
		RetryWaitMax: wmax,
		RetryMax:     maxRetries,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			st, _ := ctx.Value(ctxKey{}).(*callState)
			mode := RetryTransient
			if st != nil {
				mode = st.mode
			}
			retry := ShouldRetry(mode, resp, err)
			if retry && resp != nil && resp.StatusCode == http.StatusTooManyRequests {
				// A Retry-After beyond our cap: hand the 429 to the caller.
				if d, ok := RetryAfter(resp.Header, time.Now()); ok && d > raMax {
					return false, nil
				}
			}
			return retry, nil
		},
		Backoff: backoff,
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) {
			// Hand back the last response (retries exhausted on 5xx/429) so the
			// provider can decode its error body; only response-less failures
			// are errors here.
			if resp != nil && err == nil {
				return resp, nil
			}
			if resp != nil {
				resp.Body.Close()
			}
			return nil, err
		},
		PrepareRetry: func(r *http.Request) error {
			if st, _ := r.Context().Value(ctxKey{}).(*callState); st != nil && st.sign != nil {
				return st.sign(r)
			}
			return nil
		},
		RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, _ int) {
			if st, _ := r.Context().Value(ctxKey{}).(*callState); st != nil {
				st.attempts++
			}
		},
	}
	return c
}

// Do sends r and returns the final response, whatever its status. The error is
// ctx.Err() when ctx ended, a *TransportError when no response was obtained,
// or an error building the request.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	st := &callState{mode: r.Retry, sign: r.Sign}
	ctx = context.WithValue(ctx, ctxKey{}, st)
	var body any
	if r.Body != nil {
		body = r.Body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.Method, r.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s: build %s request: %w", c.provider, r.Method, err)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if r.Sign != nil {
		if err := r.Sign(req.Request); err != nil {
			return nil, fmt.Errorf("%s: sign %s request: %w", c.provider, r.Method, err)
		}
	}
	resp, err := c.rc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &TransportError{Provider: c.provider, Method: r.Method, URL: SanitizeURL(r.URL), Attempts: max(st.attempts, 1), Err: stripURL(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &TransportError{Provider: c.provider, Method: r.Method, URL: SanitizeURL(r.URL), Attempts: max(st.attempts, 1), Err: fmt.Errorf("read response body: %w", err)}
	}
	if int64(len(data)) > c.maxBody {
		return nil, &TransportError{Provider: c.provider, Method: r.Method, URL: SanitizeURL(r.URL), Attempts: max(st.attempts, 1), Err: fmt.Errorf("response body larger than %d bytes", c.maxBody)}
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: data, Attempts: max(st.attempts, 1)}, nil
}

// stripURL removes the *url.Error layer (whose message repeats the unsanitised
// URL) while keeping the cause inspectable with errors.Is/As.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// ShouldRetry is the retry decision for one attempt: resp is nil when err is
// the transport error of that attempt.
func ShouldRetry(mode RetryMode, resp *http.Response, err error) bool {
	switch mode {
	case RetryNever:
		return false
	case RetryUnsent:
		if err != nil {
			return IsDialError(err)
		}
		return resp != nil && resp.StatusCode == http.StatusTooManyRequests
	}
	if err != nil {
		// Retry connection problems, not configuration errors.
		var ue *url.Error
		if errors.As(err, &ue) {
			msg := ue.Err.Error()
			if strings.Contains(msg, "stopped after") && strings.Contains(msg, "redirects") ||
				strings.Contains(msg, "unsupported protocol scheme") ||
				strings.Contains(msg, "invalid header") ||
				strings.Contains(msg, "certificate") {
				return false
			}
		}
		return true
	}
	return resp != nil && RetryableStatus(resp.StatusCode)
}

// RetryableStatus reports whether an HTTP status is transient: 429, or any 5xx
// except 501 Not Implemented.
func RetryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || (status >= 500 && status != http.StatusNotImplemented && status <= 599)
}

// IsDialError reports whether err happened while establishing the connection,
// i.e. before any byte of the request was sent.
func IsDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// RetryAfter parses a Retry-After header (seconds or HTTP date) relative to now.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}

// Backoff is the default wait policy: Retry-After when the response is a 429 or
// 503 carrying one, otherwise exponential backoff from min doubling per attempt,
// capped at max, with full jitter in [d/2, d].
func Backoff(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := RetryAfter(resp.Header, time.Now()); ok {
			return d
		}
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// JoinURL joins a base URL and path segments with exactly one slash between
// them. Segments are escaped with url.PathEscape.
func JoinURL(base string, segments ...string) string {
	var b strings.Builder
	b.WriteString(strings.TrimRight(base, "/"))
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}

// Redacted replaces secrets in logs and errors.
const Redacted = "[REDACTED]"

// RedactValue returns the slog value used for a secret: Redacted when the
// secret is set, "" when it is empty (so "not configured" stays visible).
func RedactValue(secret string) slog.Value {
	if secret == "" {
		return slog.StringValue("")
	}
	return slog.StringValue(Redacted)
}

// sensitiveQuery lists query parameter names whose values SanitizeURL hides.
var sensitiveQuery = [...]string{"key", "api_key", "apikey", "token", "access_token", "secret", "client_secret", "password", "signature", "sig"}

// SanitizeURL removes user info and hides the values of secret-looking query
// parameters. An unparseable URL is replaced by Redacted.
func SanitizeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return Redacted
	}
	if u.User != nil {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for name := range q {
			for _, s := range sensitiveQuery {
				if strings.EqualFold(name, s) {
					q.Set(name, Redacted)
					changed = true
				}
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// Snippet returns at most n bytes of body as a single-line string, for error
// messages when a provider answers something that is not its error JSON.
func Snippet(body []byte, n int) string {
	b := bytes.TrimSpace(body)
	if len(b) > n {
		b = b[:n]
	}
	return strings.Join(strings.Fields(string(b)), " ")
}

// debugLogger adapts *slog.Logger to retryablehttp.LeveledLogger, logging every
// message at debug level: per-attempt failures are diagnostics, the caller gets
// the final error.
type debugLogger struct{ l *slog.Logger }

func (d debugLogger) Error(msg string, kv ...any) { d.l.Debug(msg, kv...) }
func (d debugLogger) Info(msg string, kv ...any)  { d.l.Debug(msg, kv...) }
func (d debugLogger) Debug(msg string, kv ...any) { d.l.Debug(msg, kv...) }
func (d debugLogger) Warn(msg string, kv ...any)  { d.l.Debug(msg, kv...) }
