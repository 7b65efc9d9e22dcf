package gnv

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/providers/internal/wire"
)

// APIKey is the credential sent in the X-Api-Key header. It prints and logs as
// "[REDACTED]".
type APIKey string

// String hides the key.
func (k APIKey) String() string { return apiclient.RedactValue(string(k)).String() }

// GoString hides the key from %#v.
func (k APIKey) GoString() string { return k.String() }

// LogValue hides the key from slog.
func (k APIKey) LogValue() slog.Value { return apiclient.RedactValue(string(k)) }

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL of the GNV network API, e.g. "https://api.red-gnv.example/v1". Required.
	BaseURL string
	// APIKey authenticates CMu. Required.
	APIKey APIKey
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
}

// LogValue logs the configuration without the key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", apiclient.SanitizeURL(c.BaseURL)), slog.Any("api_key", c.APIKey), slog.Duration("timeout", c.Timeout), slog.Int("max_retries", c.MaxRetries))
}

// Client calls the GNV network API. Create it with NewClient.
type Client struct {
	base string
	key  APIKey
	http *apiclient.Client
}

// ErrConfig is wrapped by NewClient when the configuration is incomplete.
var ErrConfig = errors.New("gnv: invalid configuration")

// NewClient validates cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("%w: BaseURL is empty", ErrConfig)
	}
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("%w: APIKey is empty", ErrConfig)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: negative Timeout", ErrConfig)
	}
	return &Client{
		base: cfg.BaseURL,
		key:  cfg.APIKey,
		http: apiclient.New(apiclient.Config{
			Provider: "gnv", HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Logger: cfg.Logger,
			MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax,
		}),
	}, nil
}

// CollectionRule asks the network to collect a surcharge per litre from every
// load of the given plates.
type CollectionRule struct {
	// Plates as typed by the user; they are normalised before sending.
	Plates string
	// SurchargePerLitre in MXN, positive, at most two decimal places.
	SurchargePerLitre decimal.Decimal
	// ClientRef is CMu's reference for the client (the Odoo partner id), echoed
	// in consumption records' matching; required.
	ClientRef string
}

// Validate reports the first problem of r, wrapping ErrInvalidPlates for
// plates and ErrInvalidRule for the other fields.
func (r CollectionRule) Validate() error {
	if _, err := NormalizePlates(r.Plates); err != nil {
		return err
	}
	if !r.SurchargePerLitre.IsPositive() {
		return fmt.Errorf("%w: surcharge per litre %s must be positive", ErrInvalidRule, r.SurchargePerLitre)
	}
	if wire.Places(r.SurchargePerLitre) > 2 {
		return fmt.Errorf("%w: surcharge per litre %s has more than 2 decimal places", ErrInvalidRule, r.SurchargePerLitre)
	}
	if r.SurchargePerLitre.GreaterThanOrEqual(decimal.NewFromInt(1000)) {
		return fmt.Errorf("%w: surcharge per litre %s is not below 1000 MXN", ErrInvalidRule, r.SurchargePerLitre)
	}
	if r.ClientRef == "" || len(r.ClientRef) > 64 {
		return fmt.Errorf("%w: client ref must have 1 to 64 characters", ErrInvalidRule)
	}
	return nil
}

// ErrInvalidRule is wrapped when a CollectionRule field other than the plates
// is invalid; nothing is sent.
var ErrInvalidRule = errors.New("gnv: invalid collection rule")

// RuleStatus is the state of a collection rule at the network.
type RuleStatus string

// Rule statuses defined by the contract.
const (
	RuleActive  RuleStatus = "active"
	RulePending RuleStatus = "pending"
)

// ActivatedRule is the network's answer to an activation.
type ActivatedRule struct {
	RuleID string     `json:"rule_id"`
	Status RuleStatus `json:"status"`
	// Plates as sent (normalised).
	Plates string `json:"-"`
	// IdempotencyKey sent with the request; reusing it cannot create a second rule.
	IdempotencyKey string `json:"-"`
}

type ruleRequest struct {
	Plates            string `json:"plates"`
	SurchargePerLitre string `json:"surcharge_per_litre"`
	ClientRef         string `json:"client_ref"`
}

// RuleIdempotencyKey is the Idempotency-Key ActivateCollection sends: derived
// from the normalised plates, the surcharge and the client ref, so activating
// the same rule twice (a retry, a double click) is one rule at the network.
func RuleIdempotencyKey(plates string, surcharge decimal.Decimal, clientRef string) string {
	sum := sha256.Sum256([]byte(plates + "\x00" + surcharge.StringFixed(2) + "\x00" + clientRef))
	return "gnv-rule-" + hex.EncodeToString(sum[:12])
}

// ActivateCollection registers rule with the network (POST /collection-rules).
// Transient failures are retried under the same Idempotency-Key. Errors: a
// validation error (ErrInvalidPlates, ErrInvalidRule) before any request,
// *APIError for an error answer, *apiclient.TransportError (Retryable) when the
// network could not be reached, or ctx.Err().
func (c *Client) ActivateCollection(ctx context.Context, rule CollectionRule) (*ActivatedRule, error) {
	if err := rule.Validate(); err != nil {
		return nil, err
	}
	plates, _ := NormalizePlates(rule.Plates)
	body, err := json.Marshal(ruleRequest{Plates: plates, SurchargePerLitre: rule.SurchargePerLitre.StringFixed(2), ClientRef: rule.ClientRef})
	if err != nil {
		return nil, fmt.Errorf("gnv: encode rule: %w", err)
	}
	key := RuleIdempotencyKey(plates, rule.SurchargePerLitre, rule.ClientRef)
	resp, err := c.http.Do(ctx, apiclient.Request{
		Method: http.MethodPost,
		URL:    apiclient.JoinURL(c.base, "collection-rules"),
		Header: http.Header{
			"X-Api-Key":       {string(c.key)},
			"Idempotency-Key": {key},
			"Content-Type":    {"application/json"},
			"Accept":          {"application/json"},
		},
		Body:  body,
		Retry: apiclient.RetryTransient,
	})
	if err != nil {
		return nil, fmt.Errorf("gnv: activate collection: %w", err)
	}
	if !resp.OK() {
		return nil, parseAPIError(resp)
	}
	var out ActivatedRule
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("gnv: decode activation answer: %w", err)
	}
	if out.RuleID == "" {
		return nil, fmt.Errorf("gnv: activation answer has no rule_id: %s", apiclient.Snippet(resp.Body, 120))
	}
	out.Plates, out.IdempotencyKey = plates, key
	return &out, nil
}
