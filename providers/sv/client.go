package sv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL is SV's URL (env SV_URL). Required.
	BaseURL string
	// APIKey is the credential; optional, never logged.
	APIKey string
	// AuthHeader is the header carrying it (default "Authorization").
	AuthHeader string
	// AuthScheme prefixes the key (default "Bearer"; "-" sends the bare key).
	AuthScheme string
	// PathPrefix is the resource path (default "/clinic-history-crm").
	PathPrefix string

	// HTTPClient performs the requests; nil means a new client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt when HTTPClient is nil (default 30 s).
	Timeout time.Duration
	// Logger receives retry diagnostics at debug level; nil discards them.
	Logger *slog.Logger
	// MaxRetries: 0 means 3, negative disables retries.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff (defaults 500 ms, 30 s).
	RetryWaitMin, RetryWaitMax time.Duration
}

// LogValue implements slog.LogValuer: the key is redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.BaseURL), slog.Any("api_key", apiclient.RedactValue(c.APIKey)))
}

// String describes c without the key.
func (c Config) String() string {
	return fmt.Sprintf("sv.Config{BaseURL:%q APIKey:%s}", c.BaseURL, apiclient.RedactValue(c.APIKey))
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// Patient identifies the patient.
type Patient struct {
	FirstName        string `json:"first_name"`
	PaternalLastName string `json:"paternal_last_name"`
	MaternalLastName string `json:"maternal_last_name,omitempty"`
	DocumentType     string `json:"document_type,omitempty"`
	DocumentNumber   string `json:"document_number,omitempty"`
}

// PaymentStatus is the opportunity's invoicing sub-state.
type PaymentStatus string

// Payment statuses.
const (
	DirectInvoice       PaymentStatus = "factura_directa"
	ServiceOrderPending PaymentStatus = "orden_servicio_pendiente_factura"
)

// InvoiceURLs are the invoice PDFs per currency; "" when absent.
type InvoiceURLs struct {
	Soles   string `json:"soles,omitempty"`
	Dolares string `json:"dolares,omitempty"`
}

// Payment describes how the opportunity was paid.
type Payment struct {
	Status              PaymentStatus       `json:"status"`
	InvoiceURLs         InvoiceURLs         `json:"invoice_urls"`
	ServiceOrders       []int64             `json:"service_orders,omitempty"`
	InvoiceResultHeadID int64               `json:"invoice_result_head_id,omitempty"`
	Amount              decimal.NullDecimal `json:"amount,omitzero"`
	Currency            string              `json:"currency,omitempty"`
}

// Update is one clinic history update.
type Update struct {
	// ReservationID is the path key. Required.
	ReservationID string  `json:"-"`
	Patient       Patient `json:"patient"`
	// ClinicHistory is the clinic history number. Required.
	ClinicHistory string  `json:"clinic_history"`
	Payment       Payment `json:"payment"`
}

// Valid reports problems by field name; nil when u can be sent.
func (u Update) Valid() map[string]string {
	p := map[string]string{}
	if strings.TrimSpace(u.ReservationID) == "" {
		p["reservationId"] = "required"
	}
	if strings.TrimSpace(u.ClinicHistory) == "" {
		p["clinicHistory"] = "required"
	}
	if u.Patient.FirstName == "" || u.Patient.PaternalLastName == "" {
		p["patient"] = "first name and paternal last name required"
	}
	switch u.Payment.Status {
	case DirectInvoice, ServiceOrderPending:
	default:
		p["payment.status"] = "must be factura_directa or orden_servicio_pendiente_factura"
	}
	if u.Payment.Amount.Valid && u.Payment.Amount.Decimal.IsNegative() {
		p["payment.amount"] = "must not be negative"
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// ValidationError reports an update that was not sent.
type ValidationError struct{ Fields map[string]string }

// Error implements error.
func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	slices.Sort(parts)
	return "sv: invalid update: " + strings.Join(parts, ", ")
}

// Result is SV's answer.
type Result struct {
	ReservationID string `json:"reservation_id"`
	ClinicHistory string `json:"clinic_history"`
	// Changed is false when the record already held this update.
	Changed bool `json:"changed"`
	// UpdatedAt is as sent (ISO 8601).
	UpdatedAt string `json:"updated_at"`
	// RequestID is the X-Request-Id header, when sent.
	RequestID string `json:"-"`
}

// APIError is an error answer from SV.
type APIError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("sv", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether the call may succeed later (429, 5xx except 501).
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

// Client calls SV. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base string
	http *apiclient.Client
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if _, ok := apiclient.ParseHTTPURL(cfg.BaseURL); !ok {
		return nil, fmt.Errorf("sv: invalid Config.BaseURL %q", apiclient.SanitizeURL(cfg.BaseURL))
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("sv: Config.Timeout must not be negative")
	}
	if cfg.AuthHeader == "" {
		cfg.AuthHeader = "Authorization"
	}
	if cfg.AuthScheme == "" {
		cfg.AuthScheme = "Bearer"
	}
	if cfg.PathPrefix == "" {
		cfg.PathPrefix = "/clinic-history-crm"
	}
	return &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/") + "/" + strings.Trim(cfg.PathPrefix, "/"),
		http: apiclient.New(apiclient.Config{
			Provider: "sv", HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Logger: cfg.Logger,
			MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax,
		}),
	}, nil
}

// UpdateClinicHistory sends u (PUT, idempotent by reservation id).
func (c *Client) UpdateClinicHistory(ctx context.Context, u Update) (*Result, error) {
	if p := u.Valid(); p != nil {
		return nil, &ValidationError{Fields: p}
	}
	body, err := json.Marshal(u)
	if err != nil {
		return nil, fmt.Errorf("sv: update clinic history: encode: %w", err)
	}
	h := http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}}
	if c.cfg.APIKey != "" {
		v := c.cfg.APIKey
		if c.cfg.AuthScheme != "-" {
			v = c.cfg.AuthScheme + " " + v
		}
		h.Set(c.cfg.AuthHeader, v)
	}
	resp, err := c.http.Do(ctx, apiclient.Request{
		Method: http.MethodPut, URL: c.base + "/" + url.PathEscape(strings.TrimSpace(u.ReservationID)),
		Header: h, Body: body, Retry: apiclient.RetryTransient,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("sv: update clinic history %s: %w", u.ReservationID, err)
	}
	reqID := resp.Header.Get("X-Request-Id")
	if !resp.OK() {
		e := &APIError{Status: resp.StatusCode, RequestID: reqID}
		var eb struct {
			Error   json.RawMessage `json:"error"`
			Message string          `json:"message"`
			Code    string          `json:"code"`
		}
		if json.Unmarshal(resp.Body, &eb) == nil {
			var inner struct{ Code, Message string }
			if json.Unmarshal(eb.Error, &inner) == nil {
				e.Code, e.Message = inner.Code, inner.Message
			} else {
				var s string
				if json.Unmarshal(eb.Error, &s) == nil {
					e.Message = s
				}
			}
			if e.Code == "" {
				e.Code = eb.Code
			}
			if e.Message == "" {
				e.Message = eb.Message
			}
		} else {
			e.Message = apiclient.Snippet(resp.Body, 200)
		}
		return nil, fmt.Errorf("sv: update clinic history %s: %w", u.ReservationID, e)
	}
	res := &Result{ReservationID: u.ReservationID, ClinicHistory: u.ClinicHistory, Changed: true}
	if resp.StatusCode != http.StatusNoContent && len(strings.TrimSpace(string(resp.Body))) > 0 {
		if err := json.Unmarshal(resp.Body, res); err != nil {
			return nil, fmt.Errorf("sv: update clinic history %s: decode answer: %w", u.ReservationID, err)
		}
	}
	res.RequestID = reqID
	return res, nil
}
