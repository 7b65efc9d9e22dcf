package kiban

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Hosts of the KIBAN link API.
const (
	ProductionURL = "https://link.kiban.com"
	SandboxURL    = "https://sandbox.link.kiban.com"
)

// Defaults used when the corresponding Config field is empty.
const (
	DefaultBureauService     = "bc_pf_by_kiban"
	DefaultBureauVersion     = 2
	DefaultProductoRequerido = "501"
	DefaultScoreCode         = "007"
	DefaultTimeout           = 60 * time.Second
)

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL is ProductionURL, SandboxURL or a fake's URL. Required.
	BaseURL string
	// APIKey is sent as the x-api-key header. Required. Never logged.
	APIKey string
	// Origin, when set, is sent as the optional "origin" attribution header.
	Origin string
	// Mock sends "mock: true": KIBAN answers without calling the bureau.
	Mock bool
	// TestCaseID, when set, is sent as the testCaseId query parameter of the
	// bureau query (sandbox canned answers).
	TestCaseID string
	// BureauService is the service path of the bureau query, default
	// "bc_pf_by_kiban" (POST /api/v{BureauVersion}/{BureauService}/query).
	BureauService string
	// BureauVersion is the API version of the bureau service, default 2.
	BureauVersion int
	// ProductoRequerido is the Buró product requested, default "501".
	ProductoRequerido string
	// ScoreCode selects the headline score among scoreBuroCredito[] by
	// codigoScore, default "007" (BC Score).
	ScoreCode string

	// HTTPClient performs the requests; nil means a new client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt when HTTPClient is nil (default 60 s: bureau
	// queries are slow). Always set one in production.
	Timeout time.Duration
	// Logger receives retry diagnostics at debug level; nil discards them.
	Logger *slog.Logger
	// MaxRetries is the number of retries after the first attempt for retryable
	// calls: 0 means 3, negative disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 500 ms, 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
}

// LogValue implements slog.LogValuer: the API key is redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.Any("api_key", apiclient.RedactValue(c.APIKey)),
		slog.String("bureau_service", c.BureauService),
		slog.Bool("mock", c.Mock),
	)
}

// String returns a description of c without the API key.
func (c Config) String() string {
	return fmt.Sprintf("kiban.Config{BaseURL:%q APIKey:%s}", c.BaseURL, apiclient.RedactValue(c.APIKey))
}

// GoString is String, so %#v does not print the API key either.
func (c Config) GoString() string { return c.String() }

// Client calls the KIBAN link API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base string
	http *apiclient.Client
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("kiban: Config.BaseURL is required")
	}
	if _, ok := apiclient.ParseHTTPURL(cfg.BaseURL); !ok {
		return nil, fmt.Errorf("kiban: invalid Config.BaseURL %q", apiclient.SanitizeURL(cfg.BaseURL))
	}
	if cfg.APIKey == "" {
		return nil, errors.New("kiban: Config.APIKey is required")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("kiban: Config.Timeout must not be negative")
	}
	if cfg.BureauService == "" {
		cfg.BureauService = DefaultBureauService
	}
	if cfg.BureauVersion == 0 {
		cfg.BureauVersion = DefaultBureauVersion
	}
	if cfg.ProductoRequerido == "" {
		cfg.ProductoRequerido = DefaultProductoRequerido
	}
	if cfg.ScoreCode == "" {
		cfg.ScoreCode = DefaultScoreCode
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		http: apiclient.New(apiclient.Config{
			Provider:     "kiban",
			HTTPClient:   cfg.HTTPClient,
			Timeout:      timeout,
			Logger:       cfg.Logger,
			MaxRetries:   cfg.MaxRetries,
			RetryWaitMin: cfg.RetryWaitMin,
			RetryWaitMax: cfg.RetryWaitMax,
		}),
	}, nil
}

// APIError is an error answer from KIBAN: an HTTP error status, or a 2xx whose
// execution status is not SUCCESS.
type APIError struct {
	// Status is the HTTP status (200 for a failed execution).
	Status int
	// Code is KIBAN's error code or the execution status when given.
	Code string
	// Message is KIBAN's error message.
	Message string
	// RequestID is the execution id or the x-request-id header, when known.
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("kiban", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether the same call may succeed later: 408 (KIBAN's
// "provider timeout"), 429 and 5xx except 501.
func (e *APIError) Retryable() bool {
	return e.Status == http.StatusRequestTimeout || apiclient.RetryableStatus(e.Status)
}

// Execution is KIBAN's record of one service call.
type Execution struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Response is the service-specific answer, as received.
	Response     json.RawMessage `json:"response,omitempty"`
	ErrorMessage string          `json:"errorMessage,omitempty"`
	// CreatedAt and FinishedAt are as sent by KIBAN (ISO 8601).
	CreatedAt  string `json:"createdAt,omitempty"`
	FinishedAt string `json:"finishedAt,omitempty"`
}

// StatusSuccess is the execution status of a successful call.
const StatusSuccess = "SUCCESS"

// call sends one JSON request and decodes the execution it answers.
func (c *Client) call(ctx context.Context, op, method, path string, query url.Values, in any, retry apiclient.RetryMode) (*Execution, error) {
	h := http.Header{}
	h.Set("x-api-key", c.cfg.APIKey)
	h.Set("Accept", "application/json")
	if c.cfg.Origin != "" {
		h.Set("origin", c.cfg.Origin)
	}
	if c.cfg.Mock {
		h.Set("mock", "true")
	}
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return nil, fmt.Errorf("kiban: %s: encode request: %w", op, err)
		}
		h.Set("Content-Type", "application/json")
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	resp, err := c.http.Do(ctx, apiclient.Request{Method: method, URL: u, Header: h, Body: body, Retry: retry})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("kiban: %s: %w", op, err)
	}
	if !resp.OK() {
		return nil, fmt.Errorf("kiban: %s: %w", op, decodeError(resp.StatusCode, resp.Header, resp.Body))
	}
	var ex Execution
	if err := json.Unmarshal(resp.Body, &ex); err != nil {
		return nil, fmt.Errorf("kiban: %s: decode execution (HTTP %d, %q): %w", op, resp.StatusCode, apiclient.Snippet(resp.Body, 120), err)
	}
	if ex.Status != StatusSuccess {
		return &ex, fmt.Errorf("kiban: %s: %w", op, &APIError{Status: resp.StatusCode, Code: ex.Status, Message: ex.ErrorMessage, RequestID: ex.ID})
	}
	return &ex, nil
}

// decodeError turns an error answer into an *APIError, reading the body shapes
// KIBAN is known to use and falling back to a snippet of the body.
func decodeError(status int, h http.Header, body []byte) *APIError {
	e := &APIError{Status: status, RequestID: h.Get("x-request-id")}
	var raw struct {
		ID           string          `json:"id"`
		Code         json.RawMessage `json:"code"`
		Message      json.RawMessage `json:"message"`
		Error        string          `json:"error"`
		ErrorMessage string          `json:"errorMessage"`
		Status       string          `json:"status"`
	}
	if json.Unmarshal(body, &raw) != nil {
		e.Message = apiclient.Snippet(body, 200)
		return e
	}
	if raw.ID != "" {
		e.RequestID = raw.ID
	}
	e.Code = apiclient.JSONText(raw.Code, 120)
	if e.Code == "" {
		e.Code = raw.Error
	}
	if e.Code == "" {
		e.Code = raw.Status
	}
	e.Message = apiclient.JSONText(raw.Message, 120)
	if e.Message == "" {
		e.Message = raw.ErrorMessage
	}
	if e.Message == "" && raw.Error != e.Code {
		e.Message = raw.Error
	}
	return e
}

// NIPMethod is how the consent NIP reaches the person.
type NIPMethod string

// NIP delivery methods.
const (
	NIPBySMS      NIPMethod = "sms"
	NIPByEmail    NIPMethod = "email"
	NIPByWhatsApp NIPMethod = "whatsapp"
)

// NIPSendRequest asks KIBAN to send the consent NIP.
//
// API docs: https://docs.kiban.cloud/reference/send-nip
type NIPSendRequest struct {
	Method NIPMethod `json:"method"`
	// CountryCode is the phone country code, e.g. "+52" (sms, whatsapp).
	CountryCode string `json:"countryCode,omitempty"`
	// To is the phone number (sms, whatsapp).
	To string `json:"to,omitempty"`
	// Message is the SMS text and must contain "{{nip}}" (sms).
	Message string `json:"message,omitempty"`
	// Email is the address (email).
	Email string `json:"email,omitempty"`
}

// Valid reports the problems of r by field name; nil when r can be sent.
func (r NIPSendRequest) Valid() map[string]string {
	p := map[string]string{}
	switch r.Method {
	case NIPBySMS:
		if !strings.Contains(r.Message, "{{nip}}") {
			p["message"] = "must contain {{nip}}"
		}
		fallthrough
	case NIPByWhatsApp:
		if r.CountryCode == "" {
			p["countryCode"] = "required"
		}
		if r.To == "" {
			p["to"] = "required"
		}
	case NIPByEmail:
		if r.Email == "" {
			p["email"] = "required"
		}
	default:
		p["method"] = "must be sms, email or whatsapp"
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// ValidationError reports a request that was not sent because it is invalid.
type ValidationError struct {
	Op     string
	Fields map[string]string
}

// Error implements error.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "kiban: " + e.Op + ": invalid request: " + strings.Join(parts, ", ")
}

// SendNIP sends the consent NIP and returns the execution, whose ID is passed
// to ValidateNIP. It is not retried once the request may have reached KIBAN
// (a second call sends a second message).
//
// API docs: https://docs.kiban.cloud/reference/send-nip
func (c *Client) SendNIP(ctx context.Context, r NIPSendRequest) (*Execution, error) {
	if p := r.Valid(); p != nil {
		return nil, &ValidationError{Op: "send nip", Fields: p}
	}
	return c.call(ctx, "send nip", http.MethodPost, "/api/v2/nip/send", nil, r, apiclient.RetryUnsent)
}

// NIPValidation is the result of ValidateNIP.
type NIPValidation struct {
	// ID is the validation execution id: the consent reference passed to
	// QueryBureau as BureauQuery.AuthorizationID.
	ID string
	// Validated is true when the NIP matched.
	Validated bool
}

// ValidateNIP checks the NIP the person received for the send execution sendID.
func (c *Client) ValidateNIP(ctx context.Context, sendID, nip string) (*NIPValidation, error) {
	if sendID == "" || nip == "" {
		return nil, &ValidationError{Op: "validate nip", Fields: map[string]string{"id/nip": "required"}}
	}
	ex, err := c.call(ctx, "validate nip", http.MethodPost, "/api/v2/nip/validate", nil,
		map[string]string{"id": sendID, "nip": nip}, apiclient.RetryUnsent)
	if err != nil {
		return nil, err
	}
	var r struct {
		Validated bool `json:"validated"`
	}
	if len(ex.Response) > 0 {
		if err := json.Unmarshal(ex.Response, &r); err != nil {
			return nil, fmt.Errorf("kiban: validate nip: decode response: %w", err)
		}
	}
	return &NIPValidation{ID: ex.ID, Validated: r.Validated}, nil
}

// Execution re-reads one execution, e.g. Execution(ctx, "bc_pf_by_kiban/query", id).
// version 0 means 2. Retried on transient failures.
func (c *Client) Execution(ctx context.Context, version int, service, id string) (*Execution, error) {
	if version == 0 {
		version = 2
	}
	if service == "" || id == "" {
		return nil, &ValidationError{Op: "get execution", Fields: map[string]string{"service/id": "required"}}
	}
	path := "/api/v" + strconv.Itoa(version) + "/" + strings.Trim(service, "/") + "/" + url.PathEscape(id)
	return c.call(ctx, "get execution", http.MethodGet, path, nil, nil, apiclient.RetryTransient)
}
