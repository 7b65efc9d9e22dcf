package fake

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Post sends a webhook: it POSTs body with a copy of header to url using hc; a
// nil hc means a client with a 30 s timeout. The caller closes the response
// body.
func Post(ctx context.Context, hc *http.Client, url string, header http.Header, body []byte) (*http.Response, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = header.Clone()
	return hc.Do(req)
}

// Deliver is Post treated as the provider treats a webhook: an answer that is
// not 2xx is an error "<name>: webhook answered <status>". The answer body is
// drained (up to 64 KiB) and closed.
func Deliver(ctx context.Context, hc *http.Client, url string, header http.Header, body []byte, name string) error {
	resp, err := Post(ctx, hc, url, header, body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s: webhook answered %s", name, resp.Status)
	}
	return nil
}
