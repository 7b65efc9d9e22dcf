package hase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Defaults used when the corresponding Config field is empty.
const (
	DefaultScorePath = "/score"
	DefaultTimeout   = 15 * time.Second
	// MaxScore is the top of HASE's score scale (0–1000).
	MaxScore = 1000
)

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL is HASE's URL (env HASE_URL). Required.
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <APIKey>". Optional; never logged.
	APIKey string
	// ScorePath is the scoring path, default "/score".
	ScorePath string

	// HTTPClient performs the requests; nil means a new client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt when HTTPClient is nil (default 15 s).
	Timeout time.Duration
	// Logger receives retry diagnostics at debug level; nil discards them.
	Logger *slog.Logger
	// MaxRetries: 0 means 3, negative disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 500 ms, 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
}

// LogValue implements slog.LogValuer: the API key is redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.BaseURL), slog.Any("api_key", apiclient.RedactValue(c.APIKey)))
}

// String describes c without the API key.
func (c Config) String() string {
	return fmt.Sprintf("hase.Config{BaseURL:%q APIKey:%s}", c.BaseURL, apiclient.RedactValue(c.APIKey))
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// Decision is HASE's decision hint.
type Decision string

// Decisions.
const (
	Approved Decision = "aprobado"
	Rejected Decision = "rechazado"
)

// BureauSummary is what HASE learns from the bureau report.
type BureauSummary struct {
	// ExecutionID is KIBAN's execution id of the report.
	ExecutionID string `json:"execution_id,omitempty"`
	// Score is the bureau score; nil when the bureau returned none.
	Score          *int            `json:"score"`
	Flags          []string        `json:"flags"`
	OpenAccounts   int             `json:"open_accounts"`
	PastDueBalance decimal.Decimal `json:"past_due_balance"`
	TotalBalance   decimal.Decimal `json:"total_balance"`
	WorstMOP       int             `json:"worst_mop"`
}

// Savings is the applicant's savings history with CMu.
type Savings struct {
	Balance       decimal.Decimal `json:"balance"`
	Months        int             `json:"months"`
	Contributions int             `json:"contributions"`
}

// GNVConsumption is the applicant's natural-gas consumption history.
type GNVConsumption struct {
	Months              int             `json:"months"`
	AvgMonthlyLitres    decimal.Decimal `json:"avg_monthly_litres"`
	AvgMonthlySurcharge decimal.Decimal `json:"avg_monthly_surcharge"`
}

// ScoreRequest is the input of the model.
type ScoreRequest struct {
	ApplicantID     string          `json:"applicant_id"`
	Market          string          `json:"market,omitempty"`
	Product         string          `json:"product,omitempty"`
	Plates          string          `json:"plates,omitempty"`
	RequestedAmount decimal.Decimal `json:"requested_amount"`
	Bureau          BureauSummary   `json:"bureau"`
	Savings         Savings         `json:"savings"`
	GNV             GNVConsumption  `json:"gnv"`
	// RequestKey, when set, is sent as the Idempotency-Key header.
	RequestKey string `json:"-"`
}

// Reason explains part of a score.
type Reason struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
}

// UnmarshalJSON accepts an object {code, description} or a plain string.
func (r *Reason) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*r = Reason{Code: s}
		return nil
	}
	type plain Reason
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*r = Reason(p)
	return nil
}

// Result is the model's answer.
type Result struct {
	// Score is 0–1000, higher is better.
	Score int `json:"score"`
	// Decision is the model's hint; empty when the model gave none.
	Decision     Decision `json:"decision,omitempty"`
	Reasons      []Reason `json:"reasons"`
	ModelVersion string   `json:"model_version,omitempty"`
	RequestID    string   `json:"request_id,omitempty"`
}

// ParseResult decodes and checks a scoring answer.
func ParseResult(body []byte) (*Result, error) {
	var raw struct {
		Score        *json.Number `json:"score"`
		Decision     Decision     `json:"decision"`
		Reasons      []Reason     `json:"reasons"`
		ModelVersion string       `json:"model_version"`
		RequestID    string       `json:"request_id"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("decode score: %w", err)
	}
	if raw.Score == nil {
		return nil, errors.New("decode score: missing score")
	}
	n, err := raw.Score.Int64()
	if err != nil || n < 0 || n > MaxScore {
		return nil, fmt.Errorf("decode score: score %s outside 0–%d", raw.Score, MaxScore)
	}
	switch raw.Decision {
	case "", Approved, Rejected:
	default:
		return nil, fmt.Errorf("decode score: unknown decision %q", raw.Decision)
	}
	return &Result{Score: int(n), Decision: raw.Decision, Reasons: raw.Reasons, ModelVersion: raw.ModelVersion, RequestID: raw.RequestID}, nil
}

// APIError is an error answer from HASE.
type APIError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("hase", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether the call may succeed later (429, 5xx except 501).
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

// Client calls HASE. It is safe for concurrent use.
type Client struct {
	url    string
	apiKey string
	http   *apiclient.Client
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if _, ok := apiclient.ParseHTTPURL(cfg.BaseURL); !ok {
		return nil, fmt.Errorf("hase: invalid Config.BaseURL %q", apiclient.SanitizeURL(cfg.BaseURL))
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("hase: Config.Timeout must not be negative")
	}
	path := cfg.ScorePath
	if path == "" {
		path = DefaultScorePath
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	return &Client{
		url:    strings.TrimRight(cfg.BaseURL, "/") + "/" + strings.TrimLeft(path, "/"),
		apiKey: cfg.APIKey,
		http: apiclient.New(apiclient.Config{
			Provider: "hase", HTTPClient: cfg.HTTPClient, Timeout: timeout, Logger: cfg.Logger,
			MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax,
		}),
	}, nil
}

// Score asks the model to score one applicant.
func (c *Client) Score(ctx context.Context, r ScoreRequest) (*Result, error) {
	if r.ApplicantID == "" {
		return nil, errors.New("hase: score: ApplicantID is required")
	}
	body, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("hase: score: encode: %w", err)
	}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	if c.apiKey != "" {
		h.Set("Authorization", "Bearer "+c.apiKey)
	}
	if r.RequestKey != "" {
		h.Set("Idempotency-Key", r.RequestKey)
	}
	resp, err := c.http.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: c.url, Header: h, Body: body, Retry: apiclient.RetryTransient})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("hase: score: %w", err)
	}
	reqID := resp.Header.Get("X-Request-Id")
	if !resp.OK() {
		e := &APIError{Status: resp.StatusCode, RequestID: reqID}
		var eb struct {
			Error         struct{ Code, Message string } `json:"error"`
			Code, Message string
		}
		if json.Unmarshal(resp.Body, &eb) == nil {
			e.Code, e.Message = eb.Error.Code, eb.Error.Message
			if e.Code == "" {
				e.Code = eb.Code
			}
			if e.Message == "" {
				e.Message = eb.Message
			}
		} else {
			e.Message = apiclient.Snippet(resp.Body, 200)
		}
		return nil, fmt.Errorf("hase: score: %w", e)
	}
	res, err := ParseResult(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("hase: score: %w", err)
	}
	if reqID != "" {
		res.RequestID = reqID
	}
	return res, nil
}
