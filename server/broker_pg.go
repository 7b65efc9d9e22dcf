package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultEventChannel is the PostgreSQL NOTIFY channel of live events.
const DefaultEventChannel = "cmu_events"

// MaxNotifyPayload is the largest encoded event PostgreSQL NOTIFY carries
// (8000 bytes minus a margin); larger events fail to publish with ErrEventTooLarge.
const MaxNotifyPayload = 7900

// ErrEventTooLarge reports an event over MaxNotifyPayload bytes: publish an id
// and let clients fetch the data instead.
var ErrEventTooLarge = errors.New("server: event too large for PostgreSQL NOTIFY")

var channelPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// PostgresBroker fans events out across instances with LISTEN/NOTIFY. Publish
// runs pg_notify on the pool; Listen holds one dedicated connection and
// reconnects with backoff when it drops (events sent while it is down are lost:
// live events are hints, the PWA refetches on reconnect). Safe for concurrent use.
type PostgresBroker struct {
	db      *DB
	channel string
	log     *slog.Logger
}

// NewPostgresBroker returns a broker on db's PostgreSQL database using channel
// ("" = DefaultEventChannel; must be a lowercase identifier). logger may be nil.
func NewPostgresBroker(db *DB, logger *slog.Logger) *PostgresBroker {
	return NewPostgresBrokerChannel(db, DefaultEventChannel, logger)
}

// NewPostgresBrokerChannel is NewPostgresBroker with an explicit channel
// (tests use one per test; all instances of a deployment must share it).
func NewPostgresBrokerChannel(db *DB, channel string, logger *slog.Logger) *PostgresBroker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if channel == "" {
		channel = DefaultEventChannel
	}
	return &PostgresBroker{db: db, channel: channel, log: logger}
}

// Publish sends msg to every listening instance.
func (b *PostgresBroker) Publish(ctx context.Context, msg []byte) error {
	if !channelPattern.MatchString(b.channel) {
		return fmt.Errorf("server: invalid NOTIFY channel %q", b.channel)
	}
	if len(msg) > MaxNotifyPayload {
		return fmt.Errorf("%w: %d bytes", ErrEventTooLarge, len(msg))
	}
	if _, err := b.db.SQL.ExecContext(ctx, `SELECT pg_notify($1, $2)`, b.channel, string(msg)); err != nil {
		return fmt.Errorf("server: pg_notify: %w", err)
	}
	return nil
}

// Listen delivers every notification on the channel until ctx is done, then
// returns ctx.Err().
func (b *PostgresBroker) Listen(ctx context.Context, deliver func([]byte)) error {
	if !channelPattern.MatchString(b.channel) {
		return fmt.Errorf("server: invalid NOTIFY channel %q", b.channel)
	}
	backoff := 250 * time.Millisecond
	for {
		err := b.listenOnce(ctx, deliver)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.log.Warn("event listener disconnected; reconnecting", "error", err.Error(), "in", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(backoff*2, 30*time.Second)
	}
}

// listenOnce holds one LISTEN connection until it fails or ctx is done.
func (b *PostgresBroker) listenOnce(ctx context.Context, deliver func([]byte)) error {
	conn, err := pgx.Connect(ctx, b.db.URL)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{b.channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait: %w", err)
		}
		deliver([]byte(n.Payload))
	}
}
