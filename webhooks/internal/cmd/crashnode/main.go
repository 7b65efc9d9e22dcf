// Command crashnode is the process the webhooks crash test kills: it serves the
// intake for provider "test" (HMAC scheme of internal/hmactest) on a loopback
// port with a SQLite or PostgreSQL inbox and processes deliveries by recording
// each applied event in table crash_applied, in the transaction that marks the
// delivery done. crash_applied has no unique key, so a delivery applied twice
// shows as two rows.
//
// It prints "listening <addr>" on stdout once it accepts connections, and serves
// GET /state with the inbox counts. It runs until killed (SIGTERM: graceful).
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cmu-mx/cmu/webhooks"
	"github.com/cmu-mx/cmu/webhooks/internal/hmactest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "crashnode:", err)
		os.Exit(1)
	}
}

func run() error {
	sqlitePath := flag.String("sqlite", "", "SQLite inbox file")
	pgDSN := flag.String("postgres", "", "PostgreSQL DSN (instead of -sqlite)")
	secret := flag.String("secret", "", "HMAC secret")
	workers := flag.Int("workers", 4, "processor workers")
	lease := flag.Duration("lease", time.Second, "claim lease")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	var (
		store   *webhooks.SQLStore
		err     error
		ddl     string
		insert  string
		writers = 1
	)
	if *pgDSN != "" {
		store, err = webhooks.OpenPostgres(ctx, *pgDSN)
		ddl = `CREATE TABLE IF NOT EXISTS crash_applied (provider TEXT NOT NULL, event_id TEXT NOT NULL, inbox_id BIGINT NOT NULL)`
		insert = `INSERT INTO crash_applied (provider, event_id, inbox_id) VALUES ($1, $2, $3)`
		writers = 4
	} else {
		store, err = webhooks.OpenSQLite(ctx, *sqlitePath)
		ddl = `CREATE TABLE IF NOT EXISTS crash_applied (provider TEXT NOT NULL, event_id TEXT NOT NULL, inbox_id INTEGER NOT NULL)`
		insert = `INSERT INTO crash_applied (provider, event_id, inbox_id) VALUES (?, ?, ?)`
	}
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	if _, err := store.DB().ExecContext(ctx, ddl); err != nil {
		return err
	}

	batcher := webhooks.NewBatcher(store, webhooks.BatcherConfig{Writers: writers})
	defer batcher.Close()
	proc, err := webhooks.NewProcessor(webhooks.ProcessorConfig{
		Store:   store,
		Workers: *workers,
		Lease:   *lease,
		TxHandlers: map[string]webhooks.TxHandlerFunc{"test": func(ctx context.Context, tx *sql.Tx, d webhooks.Delivery) error {
			_, err := tx.ExecContext(ctx, insert, d.Provider, d.EventID, d.ID)
			return err
		}},
		MinBackoff:   10 * time.Millisecond,
		MaxBackoff:   100 * time.Millisecond,
		PollInterval: 20 * time.Millisecond,
		Logger:       logger,
	})
	if err != nil {
		return err
	}
	intake, err := webhooks.NewHandler(webhooks.HandlerConfig{
		Provider: "test",
		Verifier: hmactest.Verifier([]byte(*secret), nil),
		Inbox:    batcher,
		Notify:   proc.Wake,
		Logger:   logger.With("component", "intake"),
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", intake)
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		counts, err := store.Counts(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		byState := map[webhooks.State]int64{}
		for _, c := range counts {
			byState[c.State] += c.N
		}
		json.NewEncoder(w).Encode(byState)
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("listening %s\n", ln.Addr())
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	go func() { errc <- proc.Run(ctx) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
