package mifact

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// Errors of DownloadPDF that retrying will not fix.
var (
	// ErrPDFTooLarge: the file exceeds Config.MaxPDFBytes.
	ErrPDFTooLarge = errors.New("mifact: PDF larger than the limit")
	// ErrNotPDF: the content type or the content is not a PDF.
	ErrNotPDF = errors.New("mifact: not a PDF")
)

// PDF is a downloaded invoice.
type PDF struct {
	// URL is the URL it came from, sanitised.
	URL string
	// Filename comes from Content-Disposition, else from the URL path.
	Filename    string
	ContentType string
	Data        []byte
}

type downloader struct {
	rc      *retryablehttp.Client
	max     int64
	timeout time.Duration
}

func newDownloader(hc *http.Client, logger *slog.Logger, cfg Config) *downloader {
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = apiclient.DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	wmin, wmax := cfg.RetryWaitMin, cfg.RetryWaitMax
	if wmin <= 0 {
		wmin = apiclient.DefaultRetryWaitMin
	}
	if wmax < wmin {
		wmax = max(apiclient.DefaultRetryWaitMax, wmin)
	}
	return &downloader{
		rc: &retryablehttp.Client{
			HTTPClient: hc, RetryMax: retries, RetryWaitMin: wmin, RetryWaitMax: wmax,
			CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				return apiclient.ShouldRetry(apiclient.RetryTransient, resp, err), nil
			},
			Backoff:      apiclient.Backoff,
			ErrorHandler: retryablehttp.PassthroughErrorHandler,
		},
		max:     cfg.MaxPDFBytes,
		timeout: cfg.DownloadTimeout,
	}
}

// DownloadPDF fetches one invoice URL (from InvoiceStatus.URLs or from the
// opportunity's cFacturas) with the limits in the package doc. It returns
// ErrPDFTooLarge or ErrNotPDF (wrapped) for files that must not be attached, an
// *APIError for an HTTP error status, ctx.Err() on cancellation, and a
// transport error otherwise.
func (c *Client) DownloadPDF(ctx context.Context, rawURL string) (*PDF, error) {
	u, ok := apiclient.ParseHTTPURL(rawURL)
	if !ok {
		return nil, fmt.Errorf("mifact: download: invalid URL %q", apiclient.SanitizeURL(rawURL))
	}
	safe := apiclient.SanitizeURL(rawURL)
	ctx, cancel := context.WithTimeout(ctx, c.dl.timeout)
	defer cancel()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("mifact: download %s: %w", safe, err)
	}
	req.Header.Set("Accept", "application/pdf")
	if strings.EqualFold(u.Scheme, c.base.Scheme) && strings.EqualFold(u.Host, c.base.Host) {
		tok, err := c.token(ctx)
		if err != nil {
			return nil, fmt.Errorf("mifact: download %s: %w", safe, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := c.dl.rc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("mifact: download %s: %w", safe, ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = fmt.Errorf("%s: %w", ue.Op, ue.Err)
		}
		return nil, &apiclient.TransportError{Provider: "mifact", Method: http.MethodGet, URL: safe, Attempts: 1, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("mifact: download %s: %w", safe, decodeError(&apiclient.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}))
	}
	if resp.ContentLength > c.dl.max {
		return nil, fmt.Errorf("%w: %s declares %d bytes, limit %d", ErrPDFTooLarge, safe, resp.ContentLength, c.dl.max)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.dl.max+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("mifact: download %s: %w", safe, ctx.Err())
		}
		return nil, &apiclient.TransportError{Provider: "mifact", Method: http.MethodGet, URL: safe, Attempts: 1, Err: fmt.Errorf("read body: %w", err)}
	}
	if int64(len(data)) > c.dl.max {
		return nil, fmt.Errorf("%w: %s exceeds %d bytes", ErrPDFTooLarge, safe, c.dl.max)
	}
	ct := resp.Header.Get("Content-Type")
	if err := CheckPDF(ct, data); err != nil {
		return nil, fmt.Errorf("%w: %s", err, safe)
	}
	return &PDF{URL: safe, Filename: filename(resp.Header.Get("Content-Disposition"), u), ContentType: "application/pdf", Data: data}, nil
}

// CheckPDF applies the download content rule: an accepted content type (or
// none) and the "%PDF-" signature within the first 1024 bytes. It returns nil
// or an error wrapping ErrNotPDF.
func CheckPDF(contentType string, data []byte) error {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return fmt.Errorf("%w: content type %q", ErrNotPDF, contentType)
		}
		switch mt {
		case "application/pdf", "application/x-pdf", "application/octet-stream", "binary/octet-stream":
		default:
			return fmt.Errorf("%w: content type %q", ErrNotPDF, mt)
		}
	}
	head := data[:min(len(data), 1024)]
	if !bytes.Contains(head, []byte("%PDF-")) {
		return fmt.Errorf("%w: no %%PDF- signature", ErrNotPDF)
	}
	return nil
}

func filename(disposition string, u *url.URL) string {
	if disposition != "" {
		if _, p, err := mime.ParseMediaType(disposition); err == nil {
			if name := path.Base(strings.ReplaceAll(p["filename"], `\`, "/")); name != "." && name != ".." && name != "/" {
				return name
			}
		}
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == ".." || name == "" {
		return "factura.pdf"
	}
	return name
}
