package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/cmu-mx/cmu/server"
)

// Notification is the data of a notification:new event: an alert for the
// advisors of a client (manual KYC review, unmatched plates, payment received).
type Notification struct {
	Kind      string    `json:"kind"`
	Level     string    `json:"level"` // info, warning
	Title     string    `json:"title"`
	Message   string    `json:"message"`
	ClientID  int64     `json:"clientId,omitempty"`
	LeadID    int64     `json:"leadId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// ClientUpdate is the data of a client:updated event.
type ClientUpdate struct {
	ClientID int64  `json:"clientId"`
	Reason   string `json:"reason"`
}

// publisher sends live events through the hub. Publishing is best effort:
// live events are hints (the PWA refetches), so a failure is logged, never
// returned — the business event it follows is already applied.
type publisher struct {
	hub *server.Hub
	log *slog.Logger
	now func() time.Time
}

func (p *publisher) publish(ctx context.Context, ev server.Event) {
	if p == nil || p.hub == nil {
		return
	}
	if err := p.hub.Publish(ctx, ev); err != nil {
		p.log.LogAttrs(ctx, slog.LevelWarn, "live event not published", slog.String("type", ev.Type), slog.Any("err", err))
	}
}

// applied publishes client:updated and eventlog:new for a business event on
// a client, and notification:new when n is not nil.
func (p *publisher) applied(ctx context.Context, clientID int64, market server.Market, reason string, entry *server.EventLogEntry, n *Notification) {
	if clientID != 0 {
		p.publish(ctx, server.Event{Type: server.EventClientUpdated, ClientID: clientID, Market: market,
			Data: ClientUpdate{ClientID: clientID, Reason: reason}})
	}
	if entry != nil {
		p.publish(ctx, server.Event{Type: server.EventLogNew, ClientID: entry.ClientID, Market: market, Data: entry})
	}
	if n != nil {
		if n.CreatedAt.IsZero() {
			n.CreatedAt = p.now().UTC()
		}
		p.publish(ctx, server.Event{Type: server.EventNotificationNew, ClientID: n.ClientID, Market: market, Data: n})
	}
}
