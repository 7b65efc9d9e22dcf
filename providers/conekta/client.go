package conekta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Defaults for Config.
const (
	DefaultBaseURL    = "https://api.conekta.io"
	DefaultAPIVersion = "2.3.0"
	// DefaultLinkTTL is how long a payment link stays payable when
	// PaymentLinkParams.ExpiresAt is zero.
	DefaultLinkTTL = 72 * time.Hour
)

// PrivateKey is a Conekta private API key ("key_…"). It prints and logs as
// "[REDACTED]".
type PrivateKey string

// String hides the key.
func (k PrivateKey) String() string { return apiclient.RedactValue(string(k)).String() }

// GoString hides the key from %#v.
func (k PrivateKey) GoString() string { return k.String() }

// LogValue hides the key from slog.
func (k PrivateKey) LogValue() slog.Value { return apiclient.RedactValue(string(k)) }

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL of the API (default DefaultBaseURL).
	BaseURL string
	// PrivateKey authenticates as "Authorization: Bearer <key>". Required.
	PrivateKey PrivateKey
	// APIVersion selects "Accept: application/vnd.conekta-v<version>+json"
	// (default DefaultAPIVersion).
	APIVersion string
	// Language is sent as Accept-Language for error messages ("es" default, or "en").
	Language string
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
	// Now is the clock for default link expiry (default time.Now).
	Now func() time.Time
}

// LogValue logs the configuration without the key.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", apiclient.SanitizeURL(c.BaseURL)), slog.Any("private_key", c.PrivateKey),
		slog.String("api_version", c.APIVersion), slog.Duration("timeout", c.Timeout))
}

// ErrConfig is wrapped by NewClient when the configuration is invalid.
var ErrConfig = errors.New("conekta: invalid configuration")

// Client calls the Conekta API. Create it with NewClient.
type Client struct {
	base, accept, lang string
	key                PrivateKey
	now                func() time.Time
	http               *apiclient.Client
}

// NewClient validates cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if cfg.PrivateKey == "" {
		return nil, fmt.Errorf("%w: PrivateKey is empty", ErrConfig)
	}
	if cfg.Timeout < 0 {
		return nil, fmt.Errorf("%w: negative Timeout", ErrConfig)
	}
	c := &Client{base: cfg.BaseURL, key: cfg.PrivateKey, lang: cfg.Language, now: cfg.Now}
	if c.base == "" {
		c.base = DefaultBaseURL
	}
	v := cfg.APIVersion
	if v == "" {
		v = DefaultAPIVersion
	}
	c.accept = "application/vnd.conekta-v" + v + "+json"
	if c.lang == "" {
		c.lang = "es"
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.http = apiclient.New(apiclient.Config{Provider: "conekta", HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Logger: cfg.Logger,
		MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax})
	return c, nil
}

// Customer is the payer, Conekta's customer_info (all three fields required).
type Customer struct {
	Name  string
	Email string
	// Phone, 10 digits for Mexico.
	Phone string
}

// PaymentLinkParams describes a payment link.
type PaymentLinkParams struct {
	// Amount in MXN: more than 0, at most MaxLinkAmountMXN; rounded half-up to
	// the cent.
	Amount decimal.Decimal
	// Concept names the line item and the checkout, e.g. "Aportación plan de ahorro".
	Concept  string
	Customer Customer
	// ClientID is CMu's client id, sent as metadata "clientId" and read back
	// from order.paid. Required.
	ClientID string
	// Reference is CMu's unique reference for this payment request, sent as
	// metadata "reference"; look it up before re-creating after an error.
	// Required.
	Reference string
	// Metadata is extra metadata (scalar strings ≤ 249 characters each);
	// "clientId" and "reference" are set from the fields above.
	Metadata map[string]string
	// AllowedPaymentMethods for the checkout (default card, cash, bank_transfer).
	AllowedPaymentMethods []string
	// ExpiresAt ends the link (default now + DefaultLinkTTL).
	ExpiresAt time.Time
	// SuccessURL and FailureURL are where the checkout sends the payer back.
	SuccessURL, FailureURL string
}

// ErrInvalidParams is wrapped when PaymentLinkParams fail validation (other
// than the amount, which returns *AmountError); nothing is sent.
var ErrInvalidParams = errors.New("conekta: invalid payment link parameters")

// PaymentLink is a created order with its hosted checkout.
type PaymentLink struct {
	OrderID string
	// URL is the link to give the client.
	URL        string
	CheckoutID string
	Status     string
	ExpiresAt  time.Time
	// Amount charged, decimal MXN, and the cents sent.
	Amount      decimal.Decimal
	AmountCents int64
	Reference   string
	// Order is the full decoded answer.
	Order *Order
}

// LineItem is an order line item (unit_price in cents).
type LineItem struct {
	Name      string `json:"name"`
	Quantity  int    `json:"quantity"`
	UnitPrice int64  `json:"unit_price"`
}

// CheckoutRequest is the order.checkout request object.
type CheckoutRequest struct {
	Type                  string   `json:"type"`
	Name                  string   `json:"name"`
	AllowedPaymentMethods []string `json:"allowed_payment_methods"`
	ExpiresAt             int64    `json:"expires_at"`
	SuccessURL            string   `json:"success_url,omitempty"`
	FailureURL            string   `json:"failure_url,omitempty"`
}

// CustomerInfo is the order.customer_info request object.
type CustomerInfo struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// OrderRequest is the JSON body of POST /orders this package sends (exported
// for conektatest).
type OrderRequest struct {
	Currency     string            `json:"currency"`
	CustomerInfo CustomerInfo      `json:"customer_info"`
	LineItems    []LineItem        `json:"line_items"`
	Checkout     *CheckoutRequest  `json:"checkout,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// BuildOrderRequest validates p and returns the POST /orders body, without
// sending anything. Errors: *AmountError, or ErrInvalidParams.
func (c *Client) BuildOrderRequest(p PaymentLinkParams) (*OrderRequest, error) {
	cents, err := ToCents(p.Amount)
	if err != nil {
		return nil, err
	}
	p.Concept = strings.TrimSpace(p.Concept)
	switch {
	case p.Concept == "" || len(p.Concept) > 249:
		return nil, fmt.Errorf("%w: concept must have 1 to 249 characters", ErrInvalidParams)
	case strings.TrimSpace(p.Customer.Name) == "":
		return nil, fmt.Errorf("%w: customer name is required", ErrInvalidParams)
	case p.Customer.Phone == "":
		return nil, fmt.Errorf("%w: customer phone is required", ErrInvalidParams)
	case p.ClientID == "" || p.Reference == "":
		return nil, fmt.Errorf("%w: ClientID and Reference are required", ErrInvalidParams)
	}
	if _, err := mail.ParseAddress(p.Customer.Email); err != nil || strings.ContainsAny(p.Customer.Email, "<> ") {
		return nil, fmt.Errorf("%w: customer email %q is not an address", ErrInvalidParams, p.Customer.Email)
	}
	meta := make(map[string]string, len(p.Metadata)+2)
	for k, v := range p.Metadata {
		meta[k] = v
	}
	meta["clientId"], meta["reference"] = p.ClientID, p.Reference
	for k, v := range meta {
		if len(v) > 249 {
			return nil, fmt.Errorf("%w: metadata %q longer than 249 characters", ErrInvalidParams, k)
		}
	}
	expires := p.ExpiresAt
	if expires.IsZero() {
		expires = c.now().Add(DefaultLinkTTL)
	}
	if !expires.After(c.now().Add(5 * time.Minute)) {
		return nil, fmt.Errorf("%w: ExpiresAt must be more than 5 minutes ahead", ErrInvalidParams)
	}
	methods := p.AllowedPaymentMethods
	if len(methods) == 0 {
		methods = []string{"card", "cash", "bank_transfer"}
	}
	return &OrderRequest{
		Currency:     "MXN",
		CustomerInfo: CustomerInfo{Name: p.Customer.Name, Email: p.Customer.Email, Phone: p.Customer.Phone},
		LineItems:    []LineItem{{Name: p.Concept, Quantity: 1, UnitPrice: cents}},
		Checkout: &CheckoutRequest{Type: "HostedPayment", Name: p.Concept, AllowedPaymentMethods: methods, ExpiresAt: expires.Unix(),
			SuccessURL: p.SuccessURL, FailureURL: p.FailureURL},
		Metadata: meta,
	}, nil
}

func (c *Client) headers() http.Header {
	return http.Header{
		"Authorization":   {"Bearer " + string(c.key)},
		"Accept":          {c.accept},
		"Accept-Language": {c.lang},
		"Content-Type":    {"application/json"},
	}
}

// CreatePaymentLink creates an order with a hosted checkout (POST /orders) and
// returns its payment link. It never retries once Conekta may have received
// the request (see the package doc). Errors: *AmountError (amount ≤ 0 or over
// MaxLinkAmountMXN) or ErrInvalidParams before any request; *APIError for an
// error answer; *apiclient.TransportError when no answer came back (the order
// may exist: look up Reference); ctx.Err().
//
// API docs: https://developers.conekta.com/reference/createorder
func (c *Client) CreatePaymentLink(ctx context.Context, p PaymentLinkParams) (*PaymentLink, error) {
	req, err := c.BuildOrderRequest(p)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("conekta: encode order: %w", err)
	}
	resp, err := c.http.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: apiclient.JoinURL(c.base, "orders"), Header: c.headers(), Body: body, Retry: apiclient.RetryUnsent})
	if err != nil {
		return nil, fmt.Errorf("conekta: create order: %w", err)
	}
	if !resp.OK() {
		return nil, parseAPIError(resp)
	}
	o, err := decodeOrder(resp.Body)
	if err != nil {
		return nil, err
	}
	if o.Checkout == nil || o.Checkout.URL == "" {
		return nil, fmt.Errorf("conekta: order %s answered without a checkout url", o.ID)
	}
	return &PaymentLink{OrderID: o.ID, URL: o.Checkout.URL, CheckoutID: o.Checkout.ID, Status: o.Checkout.Status, ExpiresAt: o.Checkout.ExpiresAt,
		Amount: FromCents(req.LineItems[0].UnitPrice), AmountCents: req.LineItems[0].UnitPrice, Reference: p.Reference, Order: o}, nil
}

// GetOrder fetches an order (GET /orders/{id}), retrying transient failures.
//
// API docs: https://developers.conekta.com/reference/getorderbyid
func (c *Client) GetOrder(ctx context.Context, id string) (*Order, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: empty order id", ErrInvalidParams)
	}
	h := c.headers()
	h.Del("Content-Type")
	resp, err := c.http.Do(ctx, apiclient.Request{Method: http.MethodGet, URL: apiclient.JoinURL(c.base, "orders", id), Header: h, Retry: apiclient.RetryTransient})
	if err != nil {
		return nil, fmt.Errorf("conekta: get order: %w", err)
	}
	if !resp.OK() {
		return nil, parseAPIError(resp)
	}
	return decodeOrder(resp.Body)
}

func decodeOrder(body []byte) (*Order, error) {
	var w wireOrder
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("conekta: decode order: %w", err)
	}
	if w.ID == "" {
		return nil, fmt.Errorf("conekta: order answer without id: %s", apiclient.Snippet(body, 120))
	}
	return w.order(), nil
}
