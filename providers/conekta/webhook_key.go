package conekta

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/cmu-mx/cmu/providers/internal/apiclient"
)

// WebhookKey is the RSA key pair Conekta signs webhooks with; Conekta keeps the
// private half and returns the public one.
type WebhookKey struct {
	ID        string
	Active    bool
	Livemode  bool
	CreatedAt time.Time
	// PublicKeyPEM is the "BEGIN PUBLIC KEY" PEM to configure the Verifier with.
	PublicKeyPEM string
}

// PublicKey parses PublicKeyPEM (see ParsePublicKey).
func (k *WebhookKey) PublicKey() (*rsa.PublicKey, error) {
	return ParsePublicKey([]byte(k.PublicKeyPEM))
}

// CreateWebhookKey asks Conekta for a new active webhook signing key
// (POST /webhook_keys {"active":true}) and returns its public key; store it in
// the configuration of the Verifier. Like every create it is retried only when
// Conekta provably did not receive it.
//
// API docs: https://developers.conekta.com/docs/autenticación-webhooks
func (c *Client) CreateWebhookKey(ctx context.Context) (*WebhookKey, error) {
	resp, err := c.http.Do(ctx, apiclient.Request{Method: http.MethodPost, URL: apiclient.JoinURL(c.base, "webhook_keys"), Header: c.headers(),
		Body: []byte(`{"active":true}`), Retry: apiclient.RetryUnsent})
	if err != nil {
		return nil, fmt.Errorf("conekta: create webhook key: %w", err)
	}
	if !resp.OK() {
		return nil, parseAPIError(resp)
	}
	var w struct {
		ID        string `json:"id"`
		Active    bool   `json:"active"`
		Livemode  bool   `json:"livemode"`
		CreatedAt int64  `json:"created_at"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(resp.Body, &w); err != nil {
		return nil, fmt.Errorf("conekta: decode webhook key: %w", err)
	}
	k := &WebhookKey{ID: w.ID, Active: w.Active, Livemode: w.Livemode, CreatedAt: unix(w.CreatedAt), PublicKeyPEM: w.PublicKey}
	if _, err := k.PublicKey(); err != nil {
		return nil, fmt.Errorf("conekta: webhook key %s: %w", w.ID, err)
	}
	return k, nil
}
