package metamap

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Defaults for Config.
const (
	DefaultBaseURL = "https://api.prod.metamap.com"
	// DefaultTokenTTL is used when the token answer carries no expires_in.
	DefaultTokenTTL = time.Hour
)

// DefaultResourceHosts are the hosts GetVerification follows by default.
func DefaultResourceHosts() []string { return []string{"api.getmati.com", "api.prod.metamap.com"} }

// ClientSecret is the API client secret. It prints and logs as "[REDACTED]".
type ClientSecret string

// String hides the secret.
func (s ClientSecret) String() string { return apiclient.RedactValue(string(s)).String() }

// GoString hides the secret from %#v.
func (s ClientSecret) GoString() string { return s.String() }

// LogValue hides the secret from slog.
func (s ClientSecret) LogValue() slog.Value { return apiclient.RedactValue(string(s)) }

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL of the API (default DefaultBaseURL).
	BaseURL string
	// ClientID and ClientSecret from the MetaMap dashboard. Required.
	ClientID     string
	ClientSecret ClientSecret
	// ResourceHosts are the hosts (host[:port]) whose resource URLs
	// GetVerification follows (default DefaultResourceHosts plus BaseURL's host).
	ResourceHosts []string
	// Timeout per attempt when HTTPClient is nil (default 30 s).
	Timeout time.Duration
	// HTTPClient performs requests; nil means a client with Timeout.
	HTTPClient *http.Client
	// Logger receives retry diagnostics at debug level; nil discards them.
	Logger *slog.Logger
	// MaxRetries after the first attempt: 0 means 3, negative disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 500 ms, 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
	// Now is the clock for token expiry (default time.Now).
	Now func() time.Time
}

// LogValue logs the configuration without the secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", apiclient.SanitizeURL(c.BaseURL)), slog.String("client_id", c.ClientID), slog.Any("client_secret", c.ClientSecret))
}

// ErrConfig is wrapped by NewClient when the configuration is invalid.
var ErrConfig = errors.New("metamap: invalid configuration")

// ErrResourceHost is wrapped when a resource URL points outside ResourceHosts.
var ErrResourceHost = errors.New("metamap: resource URL host not allowed")

// APIError is an error answer of the MetaMap API. FACTS.md documents no error
// body, so Code and Message are read from "code"/"message" or
// "error"/"error_description" when present, else Message is a body snippet.
type APIError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("metamap", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether trying again later may succeed (429, 5xx but 501).
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

func parseAPIError(resp *apiclient.Response) error {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var body struct {
		Code        any    `json:"code"`
		Message     string `json:"message"`
		Error       any    `json:"error"`
		Description string `json:"error_description"`
	}
	if json.Unmarshal(resp.Body, &body) == nil {
		if body.Code != nil {
			e.Code = fmt.Sprint(body.Code)
		}
		e.Message = body.Message
		if s, ok := body.Error.(string); ok && e.Code == "" {
			e.Code = s
		}
		if e.Message == "" {
			e.Message = body.Description
		}
	}
	if e.Message == "" {
		e.Message = apiclient.BodyMessage(resp)
	}
	return e
}

// Client calls the MetaMap API. Create it with NewClient.
type Client struct {
	base   string
	id     string
	secret ClientSecret
	hosts  map[string]bool
	now    func() time.Time
	http   *apiclient.Client

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewClient validates cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, fmt.Errorf("%w: ClientID and ClientSecret are required", ErrConfig)
	}
	c := &Client{base: cfg.BaseURL, id: cfg.ClientID, secret: cfg.ClientSecret, now: cfg.Now, hosts: map[string]bool{}}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	u, err := url.Parse(c.base)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: BaseURL %q", ErrConfig, apiclient.SanitizeURL(c.base))
	}
	hosts := cfg.ResourceHosts
	if len(hosts) == 0 {
		hosts = append(DefaultResourceHosts(), u.Host)
	}
	for _, h := range hosts {
		c.hosts[strings.ToLower(h)] = true
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.http = apiclient.New(apiclient.Config{Provider: "metamap", HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Logger: cfg.Logger,
		MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax})
	return c, nil
}

// accessToken returns a cached token or fetches one (POST /oauth).
func (c *Client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(c.id+":"+string(c.secret)))
	resp, err := c.http.Do(ctx, apiclient.Request{
		Method: http.MethodPost,
		URL:    apiclient.JoinURL(c.base, "oauth"),
		Header: http.Header{"Authorization": {basic}, "Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}},
		Body:   []byte(url.Values{"grant_type": {"client_credentials"}}.Encode()),
		Retry:  apiclient.RetryTransient,
	})
	if err != nil {
		return "", fmt.Errorf("metamap: get access token: %w", err)
	}
	if !resp.OK() {
		return "", parseAPIError(resp)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(resp.Body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("metamap: token answer without access_token: %s", apiclient.Snippet(resp.Body, 80))
	}
	ttl := DefaultTokenTTL
	if tok.ExpiresIn > 0 {
		ttl = time.Duration(tok.ExpiresIn) * time.Second
	}
	margin := time.Minute
	if ttl <= 2*margin {
		margin = ttl / 2
	}
	c.token, c.expires = tok.AccessToken, c.now().Add(ttl-margin)
	return c.token, nil
}

func (c *Client) dropToken(tok string) {
	c.mu.Lock()
	if c.token == tok {
		c.token = ""
	}
	c.mu.Unlock()
}

// do sends an authenticated request, renewing the token once on a 401.
func (c *Client) do(ctx context.Context, method, u string, body []byte) (*apiclient.Response, error) {
	for attempt := 0; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return nil, err
		}
		h := http.Header{"Authorization": {"Bearer " + tok}, "Accept": {"application/json"}}
		if body != nil {
			h.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(ctx, apiclient.Request{Method: method, URL: u, Header: h, Body: body, Retry: apiclient.RetryTransient})
		if err != nil {
			return nil, err
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 {
			c.dropToken(tok)
			continue
		}
		return resp, nil
	}
}

// GetVerification fetches a verification from a webhook's resource URL and
// returns the JSON undecoded (its shape is not in FACTS.md). The URL's host
// must be in Config.ResourceHosts and its scheme https (http only for hosts
// given explicitly, as in tests). Errors: ErrResourceHost, *APIError,
// *apiclient.TransportError, ctx.Err().
func (c *Client) GetVerification(ctx context.Context, resourceURL string) (json.RawMessage, error) {
	u, err := url.Parse(resourceURL)
	if err != nil || !c.hosts[strings.ToLower(u.Host)] || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return nil, fmt.Errorf("%w: %s", ErrResourceHost, apiclient.SanitizeURL(resourceURL))
	}
	if u.Scheme == "http" && !strings.HasPrefix(c.base, "http://") {
		return nil, fmt.Errorf("%w: plain http for %s", ErrResourceHost, u.Host)
	}
	resp, err := c.do(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("metamap: get verification: %w", err)
	}
	if !resp.OK() {
		return nil, parseAPIError(resp)
	}
	if !json.Valid(resp.Body) {
		return nil, fmt.Errorf("metamap: verification answer is not JSON: %s", apiclient.Snippet(resp.Body, 80))
	}
	return json.RawMessage(resp.Body), nil
}

// ErrInvalidStatus is wrapped by UpdateVerificationStatus for a status MetaMap
// does not accept there.
var ErrInvalidStatus = errors.New("metamap: status must be verified, reviewNeeded or rejected")

// UpdateVerificationStatus sets a verification's status
// (PUT /v2/verifications/{id}/status), e.g. after CMu's manual review. The call
// is idempotent and retried on transient failures.
//
// API docs: https://docs.metamap.com/reference/update-verification-status
func (c *Client) UpdateVerificationStatus(ctx context.Context, verificationID string, status IdentityStatus) error {
	switch status {
	case StatusVerified, StatusReviewNeeded, StatusRejected:
	default:
		return fmt.Errorf("%w: %q", ErrInvalidStatus, status)
	}
	if verificationID == "" {
		return fmt.Errorf("metamap: empty verification id")
	}
	body, _ := json.Marshal(map[string]string{"status": string(status)})
	resp, err := c.do(ctx, http.MethodPut, apiclient.JoinURL(c.base, "v2", "verifications", verificationID, "status"), body)
	if err != nil {
		return fmt.Errorf("metamap: update verification status: %w", err)
	}
	if !resp.OK() {
		return parseAPIError(resp)
	}
	return nil
}
