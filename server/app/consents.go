package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/cmu-mx/cmu/odoo/cmu"
	creditsvc "github.com/cmu-mx/cmu/server/app/credit"
)

// EventKibanConsent is the history type under which an advisor records a
// client's KIBAN consent: POST /api/events {"type":"kiban_consentimiento",
// "message":"<NIP validation id>"} after the client validated the NIP.
const EventKibanConsent = "kiban_consentimiento"

// historyConsents is the creditsvc.ConsentSource over the client's history:
// the newest kiban_consentimiento note carries the NIP validation id. In
// development, fallback authorises a consent at the KIBAN fake when the
// client has none recorded.
type historyConsents struct {
	svc      *cmu.Service
	fallback func(clientID int64) string
}

var _ creditsvc.ConsentSource = historyConsents{}

// ConsentID implements creditsvc.ConsentSource (two Odoo calls).
func (h historyConsents) ConsentID(ctx context.Context, clientID int64) (string, error) {
	hist, err := h.svc.History(ctx, clientID, 200)
	if err != nil {
		return "", fmt.Errorf("app: consent of client %d: %w", clientID, err)
	}
	for _, e := range hist { // newest first
		if e.Type != EventKibanConsent {
			continue
		}
		if f := strings.Fields(e.Message); len(f) > 0 {
			return f[len(f)-1], nil
		}
	}
	if h.fallback != nil {
		return h.fallback(clientID), nil
	}
	return "", creditsvc.ErrNoConsent
}
