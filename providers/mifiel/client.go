package mifiel

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Base URLs (the older www./sandbox. hosts also exist: it is configuration).
const (
	ProductionURL = "https://app.mifiel.com/api/v1"
	SandboxURL    = "https://app-sandbox.mifiel.com/api/v1"
)

// Config configures a Client. Zero fields mean the documented defaults.
type Config struct {
	// BaseURL including /api/v1. Required.
	BaseURL string
	// AppID and AppSecret are the API credentials. Required; the secret is
	// never logged.
	AppID, AppSecret string
	// ContentHash selects the signed body hash (default HashMD5).
	ContentHash ContentHash

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
	// Now is the clock for the Date header; nil means time.Now.
	Now func() time.Time
}

// LogValue implements slog.LogValuer: the secret is redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", c.BaseURL), slog.String("app_id", c.AppID), slog.Any("app_secret", apiclient.RedactValue(c.AppSecret)))
}

// String describes c without the secret.
func (c Config) String() string {
	return fmt.Sprintf("mifiel.Config{BaseURL:%q AppID:%q AppSecret:%s}", c.BaseURL, c.AppID, apiclient.RedactValue(c.AppSecret))
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// APIError is an error answer from Mifiel.
type APIError struct {
	Status int
	// Code is empty: Mifiel's error bodies carry messages only.
	Code string
	// Message joins the "errors" list or is the "error" text.
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	return apiclient.ErrorText("mifiel", e.Status, e.Code, e.Message, e.RequestID)
}

// Retryable reports whether the call may succeed later (429, 5xx except 501).
func (e *APIError) Retryable() bool { return apiclient.RetryableStatus(e.Status) }

// Client calls Mifiel. It is safe for concurrent use.
type Client struct {
	cfg  Config
	base string
	http *apiclient.Client
	now  func() time.Time
}

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if _, ok := apiclient.ParseHTTPURL(cfg.BaseURL); !ok {
		return nil, fmt.Errorf("mifiel: invalid Config.BaseURL %q", apiclient.SanitizeURL(cfg.BaseURL))
	}
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, errors.New("mifiel: Config.AppID and Config.AppSecret are required")
	}
	switch cfg.ContentHash {
	case "":
		cfg.ContentHash = HashMD5
	case HashMD5, HashSHA256:
	default:
		return nil, fmt.Errorf("mifiel: unknown Config.ContentHash %q", cfg.ContentHash)
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("mifiel: Config.Timeout must not be negative")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{
		cfg:  cfg,
		base: strings.TrimRight(cfg.BaseURL, "/"),
		now:  now,
		http: apiclient.New(apiclient.Config{
			Provider: "mifiel", HTTPClient: cfg.HTTPClient, Timeout: cfg.Timeout, Logger: cfg.Logger,
			MaxRetries: cfg.MaxRetries, RetryWaitMin: cfg.RetryWaitMin, RetryWaitMax: cfg.RetryWaitMax,
		}),
	}, nil
}

func (c *Client) do(ctx context.Context, op, method, path, contentType string, body []byte, retry apiclient.RetryMode) (*apiclient.Response, error) {
	h := http.Header{"Accept": {"application/json"}}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(ctx, apiclient.Request{
		Method: method, URL: c.base + path, Header: h, Body: body, Retry: retry,
		Sign: func(r *http.Request) error {
			SignRequest(r, body, c.cfg.AppID, c.cfg.AppSecret, c.cfg.ContentHash, c.now())
			return nil
		},
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("mifiel: %s: %w", op, err)
	}
	if !resp.OK() {
		return nil, fmt.Errorf("mifiel: %s: %w", op, decodeError(resp))
	}
	return resp, nil
}

func decodeError(resp *apiclient.Response) *APIError {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id")}
	var b struct {
		Errors json.RawMessage `json:"errors"`
		Error  json.RawMessage `json:"error"`
	}
	if json.Unmarshal(resp.Body, &b) != nil {
		e.Message = apiclient.Snippet(resp.Body, 200)
		return e
	}
	for _, m := range []json.RawMessage{b.Errors, b.Error} {
		if t := apiclient.JSONText(m, 200); t != "" {
			e.Message = t
			break
		}
	}
	return e
}

// SignerType is a signatory's role (Mifiel's newer guide).
type SignerType string

// Signer types.
const (
	RoleSigner   SignerType = "signer"
	RoleReviewer SignerType = "reviewer"
)

// Signer is one signatory of a document.
type Signer struct {
	Name  string
	Email string
	// TaxID is the RFC.
	TaxID string
	// Type is optional (signer when empty).
	Type SignerType
}

// CreateDocumentRequest creates a document to be signed.
type CreateDocumentRequest struct {
	// File is the PDF. Required.
	File []byte
	// FileName is the PDF's name (default "contrato.pdf").
	FileName string
	Signers  []Signer
	// CallbackURL is POSTed when everybody has signed (see CallbackURL).
	CallbackURL string
	// SignCallbackURL is POSTed after each signature; optional.
	SignCallbackURL string
	// ExternalID is CMu's reference (e.g. the lead id); it comes back on the
	// document and identifies it after an ambiguous failure.
	ExternalID string
}

// Valid reports the problems of r by field name; nil when it can be sent.
func (r CreateDocumentRequest) Valid() map[string]string {
	p := map[string]string{}
	if !bytes.HasPrefix(r.File, []byte("%PDF-")) {
		p["file"] = "must be a PDF"
	}
	if len(r.Signers) == 0 {
		p["signers"] = "at least one is required"
	}
	for i, s := range r.Signers {
		if s.Name == "" || !strings.Contains(s.Email, "@") {
			p["signers["+strconv.Itoa(i)+"]"] = "name and email are required"
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// ValidationError reports a request that was not sent.
type ValidationError struct {
	Fields map[string]string
}

// Error implements error.
func (e *ValidationError) Error() string {
	var parts []string
	for k, v := range e.Fields {
		parts = append(parts, k+": "+v)
	}
	slices.Sort(parts)
	return "mifiel: invalid request: " + strings.Join(parts, ", ")
}

// CreateDocument uploads the PDF with its signers.
//
// API docs: https://github.com/Mifiel/api-doc (documents, "Create document").
func (c *Client) CreateDocument(ctx context.Context, r CreateDocumentRequest) (*Document, error) {
	if p := r.Valid(); p != nil {
		return nil, &ValidationError{Fields: p}
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	name := r.FileName
	if name == "" {
		name = "contrato.pdf"
	}
	fw, err := mw.CreatePart(map[string][]string{
		"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, name)},
		"Content-Type":        {"application/pdf"},
	})
	if err != nil {
		return nil, fmt.Errorf("mifiel: create document: %w", err)
	}
	fw.Write(r.File)
	field := func(k, v string) {
		if v != "" {
			mw.WriteField(k, v)
		}
	}
	for i, s := range r.Signers {
		pfx := "signatories[" + strconv.Itoa(i) + "]"
		field(pfx+"[name]", s.Name)
		field(pfx+"[email]", s.Email)
		field(pfx+"[tax_id]", strings.ToUpper(s.TaxID))
		field(pfx+"[type]", string(s.Type))
	}
	field("callback_url", r.CallbackURL)
	field("sign_callback_url", r.SignCallbackURL)
	field("external_id", r.ExternalID)
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("mifiel: create document: %w", err)
	}
	resp, err := c.do(ctx, "create document", http.MethodPost, "/documents", mw.FormDataContentType(), buf.Bytes(), apiclient.RetryUnsent)
	if err != nil {
		return nil, err
	}
	return parseDocument(resp.Body, "create document")
}

// GetDocument reads a document.
func (c *Client) GetDocument(ctx context.Context, id string) (*Document, error) {
	if id == "" {
		return nil, &ValidationError{Fields: map[string]string{"id": "required"}}
	}
	resp, err := c.do(ctx, "get document", http.MethodGet, "/documents/"+url.PathEscape(id), "", nil, apiclient.RetryTransient)
	if err != nil {
		return nil, err
	}
	return parseDocument(resp.Body, "get document")
}

// ErrNotFound is returned by FindByExternalID when no document carries the id.
var ErrNotFound = errors.New("mifiel: document not found")

// FindByExternalID lists the account's documents (GET /documents) and returns
// the most recent one whose external_id is externalID, or ErrNotFound. Use it
// after CreateDocument failed ambiguously (timeout, 5xx) to learn whether the
// document was created before sending it again.
func (c *Client) FindByExternalID(ctx context.Context, externalID string) (*Document, error) {
	if externalID == "" {
		return nil, &ValidationError{Fields: map[string]string{"externalId": "required"}}
	}
	resp, err := c.do(ctx, "list documents", http.MethodGet, "/documents", "", nil, apiclient.RetryTransient)
	if err != nil {
		return nil, err
	}
	var docs []Document
	if err := json.Unmarshal(resp.Body, &docs); err != nil {
		return nil, fmt.Errorf("mifiel: list documents: decode: %w", err)
	}
	for i := len(docs) - 1; i >= 0; i-- {
		if docs[i].ExternalID == externalID {
			return &docs[i], nil
		}
	}
	return nil, fmt.Errorf("%w: external_id %q", ErrNotFound, externalID)
}

// SignedFile downloads the signed PDF of a document.
func (c *Client) SignedFile(ctx context.Context, id string) ([]byte, error) {
	if id == "" {
		return nil, &ValidationError{Fields: map[string]string{"id": "required"}}
	}
	resp, err := c.do(ctx, "signed file", http.MethodGet, "/documents/"+url.PathEscape(id)+"/file_signed", "", nil, apiclient.RetryTransient)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// Confirm re-reads the document a callback names and returns the event as
// Mifiel's API states it now. Use it before acting on a SchemeToken callback.
func (c *Client) Confirm(ctx context.Context, ev *CallbackEvent) (*CallbackEvent, error) {
	if ev == nil || ev.DocumentID == "" {
		return nil, errors.New("mifiel: confirm: event without document id")
	}
	doc, err := c.GetDocument(ctx, ev.DocumentID)
	if err != nil {
		return nil, err
	}
	return eventFromDocument(doc), nil
}

func parseDocument(b []byte, op string) (*Document, error) {
	var d Document
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("mifiel: %s: decode document: %w", op, err)
	}
	if d.ID == "" {
		return nil, fmt.Errorf("mifiel: %s: document without id", op)
	}
	return &d, nil
}
