package airtable

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Defaults for Config.
const (
	DefaultBaseURL           = "https://api.airtable.com"
	DefaultRequestsPerSecond = 5
	DefaultPenalty           = 30 * time.Second
	// MaxRecordsPerRequest is Airtable's limit per create request.
	MaxRecordsPerRequest = 10
)

// Token is a personal access token ("pat…"). It prints and logs as "[REDACTED]".
type Token string

// String hides the token.
func (t Token) String() string { return apiclient.RedactValue(string(t)).String() }

// GoString hides the token from %#v.
func (t Token) GoString() string { return t.String() }

// LogValue hides the token from slog.
func (t Token) LogValue() slog.Value { return apiclient.RedactValue(string(t)) }

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL of the API (default DefaultBaseURL).
	BaseURL string
	// Token with scope data.records:write and access to the base. Required.
	Token Token
	// BaseID ("app…") and Table (name or "tbl…" id) receive the records. Required.
	BaseID, Table string
	// Typecast asks Airtable to convert string values (e.g. create missing
	// select options).
	Typecast bool
	// RequestsPerSecond to the base (default 5, Airtable's limit).
	RequestsPerSecond int
	// Penalty is how long to hold requests after a 429 (default 30 s).
	Penalty time.Duration
	// MaxRetries of one request after a 429, a failed dial, 502 or 503: 0 means
	// 3, negative disables retries.
	MaxRetries int
	// RetryWait is the pause before retrying a dial failure, 502 or 503
	// (default 1 s; a 429 waits Penalty).
	RetryWait time.Duration
	// Timeout per attempt when HTTPClient is nil (default 30 s).
	Timeout time.Duration
	// HTTPClient performs requests; nil means a client with Timeout.
	HTTPClient *http.Client
	// Logger receives 429 and retry diagnostics at debug level; nil discards them.
	Logger *slog.Logger
	// Now is the limiter's clock (default time.Now).
	Now func() time.Time
}

// LogValue logs the configuration without the token.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", apiclient.SanitizeURL(c.BaseURL)), slog.Any("token", c.Token),
		slog.String("base_id", c.BaseID), slog.String("table", c.Table))
}

// ErrConfig is wrapped by NewClient when the configuration is invalid.
var ErrConfig = errors.New("airtable: invalid configuration")

// Client creates records in one table. Create it with NewClient.
type Client struct {
	url        string
	token      Token
	typecast   bool
	penalty    time.Duration
	retryWait  time.Duration
	maxRetries int
	logger     *slog.Logger
	lim        *limiter
	http       *apiclient.Client
}

// NewClient validates cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	switch {
	case cfg.Token == "":
		return nil, fmt.Errorf("%w: Token is empty", ErrConfig)
	case cfg.BaseID == "" || cfg.Table == "":
		return nil, fmt.Errorf("%w: BaseID and Table are required", ErrConfig)
	case cfg.RequestsPerSecond < 0 || cfg.Penalty < 0 || cfg.Timeout < 0 || cfg.RetryWait < 0:
		return nil, fmt.Errorf("%w: negative rate, penalty, wait or timeout", ErrConfig)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	rps := cfg.RequestsPerSecond
	if rps == 0 {
		rps = DefaultRequestsPerSecond
	}
	c := &Client{url: apiclient.JoinURL(base, "v0", cfg.BaseID, cfg.Table), token: cfg.Token, typecast: cfg.Typecast,
		penalty: cfg.Penalty, retryWait: cfg.RetryWait, maxRetries: cfg.MaxRetries, logger: cfg.Logger}
	if c.penalty == 0 {
		c.penalty = DefaultPenalty
	}
	if c.retryWait == 0 {
		c.retryWait = time.Second
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = 3
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c.lim = &limiter{interval: time.Second/time.Duration(rps) + 10*time.Millisecond, now: now}
	c.http = apiclient.New(apiclient.Config{Provider: "airtable", HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Logger: cfg.Logger, MaxRetries: -1})
	return c, nil
}

// Fields are a record's cell values by field name (or "fld…" id).
type Fields map[string]any

// Record is a created record.
type Record struct {
	ID          string    `json:"id"`
	CreatedTime time.Time `json:"createdTime"`
	Fields      Fields    `json:"fields"`
}

// BatchError reports a CreateRecords call that stopped part-way: Created holds
// the records Airtable created before the failing request, whose input
// records start at index Failed.
type BatchError struct {
	Created []Record
	Failed  int
	Err     error
}

// Error implements error.
func (e *BatchError) Error() string {
	return fmt.Sprintf("airtable: created %d records, failed from input %d: %v", len(e.Created), e.Failed, e.Err)
}

// Unwrap returns the cause (*APIError, *apiclient.TransportError, ctx.Err()).
func (e *BatchError) Unwrap() error { return e.Err }

// ErrNoRecords is returned by CreateRecords for an empty input.
var ErrNoRecords = errors.New("airtable: no records to create")

// CreateRecord creates one record.
func (c *Client) CreateRecord(ctx context.Context, f Fields) (*Record, error) {
	recs, err := c.createChunk(ctx, []Fields{f})
	if err != nil {
		return nil, err
	}
	return &recs[0], nil
}

// CreateRecords creates the records in requests of at most 10, in order,
// through the rate-limit queue. On failure the error is a *BatchError listing
// what was created; retrying only the records from BatchError.Failed avoids
// duplicates.
//
// API docs: https://airtable.com/developers/web/api/create-records
func (c *Client) CreateRecords(ctx context.Context, records []Fields) ([]Record, error) {
	if len(records) == 0 {
		return nil, ErrNoRecords
	}
	var created []Record
	for start := 0; start < len(records); start += MaxRecordsPerRequest {
		end := min(start+MaxRecordsPerRequest, len(records))
		recs, err := c.createChunk(ctx, records[start:end])
		if err != nil {
			return created, &BatchError{Created: created, Failed: start, Err: err}
		}
		created = append(created, recs...)
	}
	return created, nil
}

type createBody struct {
	Records []struct {
		Fields Fields `json:"fields"`
	} `json:"records"`
	Typecast bool `json:"typecast,omitempty"`
}

func (c *Client) createChunk(ctx context.Context, fields []Fields) ([]Record, error) {
	var body createBody
	for _, f := range fields {
		if f == nil {
			f = Fields{}
		}
		body.Records = append(body.Records, struct {
			Fields Fields `json:"fields"`
		}{f})
	}
	body.Typecast = c.typecast
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("airtable: encode records: %w", err)
	}
	for attempt := 0; ; attempt++ {
		if err := c.lim.wait(ctx); err != nil {
			return nil, err
		}
		resp, err := c.http.Do(ctx, apiclient.Request{
			Method: http.MethodPost, URL: c.url,
			Header: http.Header{"Authorization": {"Bearer " + string(c.token)}, "Content-Type": {"application/json"}},
			Body:   data, Retry: apiclient.RetryNever,
		})
		var wait time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil || !apiclient.IsDialError(err) {
				return nil, err
			}
			wait = c.retryWait
		case resp.StatusCode == http.StatusTooManyRequests:
			c.lim.penalize(c.penalty)
			c.logger.Debug("airtable rate limited; holding requests", "penalty", c.penalty)
		case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable:
			wait = c.retryWait
		case !resp.OK():
			return nil, parseAPIError(resp)
		default:
			var out struct {
				Records []Record `json:"records"`
			}
			if err := json.Unmarshal(resp.Body, &out); err != nil {
				return nil, fmt.Errorf("airtable: decode created records: %w", err)
			}
			if len(out.Records) != len(fields) {
				return nil, fmt.Errorf("airtable: asked to create %d records, answer lists %d", len(fields), len(out.Records))
			}
			return out.Records, nil
		}
		if attempt >= c.maxRetries {
			if err != nil {
				return nil, err
			}
			return nil, parseAPIError(resp)
		}
		if wait > 0 {
			c.logger.Debug("airtable retrying", "attempt", attempt+1, "wait", wait)
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
}

// APIError is an error answer of the Airtable API.
type APIError struct {
	Status int
	// Code is the error type ("INVALID_PERMISSIONS", "UNKNOWN_FIELD_NAME",
	// "NOT_FOUND", …).
	Code    string
	Message string
	// RequestID is empty: Airtable documents no request id header (FACTS.md §6).
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("airtable", e.Status, e.Code, e.Message, "")
}

// Retryable reports whether trying again later may succeed (429, 5xx but 501).
// For creates, only 429, 502 and 503 are known not to have created anything.
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

func parseAPIError(resp *apiclient.Response) error {
	e := &APIError{Status: resp.StatusCode}
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(resp.Body, &body) == nil && len(body.Error) > 0 {
		var s string
		var obj struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		}
		if json.Unmarshal(body.Error, &s) == nil {
			e.Code = s
		} else if json.Unmarshal(body.Error, &obj) == nil {
			e.Code, e.Message = obj.Type, obj.Message
		}
	}
	if e.Code == "" && e.Message == "" {
		e.Message = apiclient.BodyMessage(resp)
	}
	return e
}
