// Command cmu-server is CMu's reference backend for the advisors' PWA.
//
// Usage:
//
//	cmu-server              serve (development mode by default: SQLite file,
//	                        automatic migrations, a printed advisor token)
//	cmu-server migrate up   apply pending migrations
//	cmu-server migrate down roll back the most recent migration
//	cmu-server token [sub]  print an HS256 advisor token (admin role, 30 days)
//
// Configuration comes from environment variables only; the list with defaults
// is server.ConfigVars (and the README). SIGINT/SIGTERM shut down gracefully
// within 10 seconds.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app"
	"github.com/golang-jwt/jwt/v5"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Environ(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cmu-server:", err)
		os.Exit(1)
	}
}

const usage = `usage: cmu-server [migrate up | migrate down | token [advisor-id]]`

// shutdownTimeout bounds graceful shutdown.
const shutdownTimeout = 10 * time.Second

// run is the whole program: main only adds the process environment and exit
// status, so tests call run directly. environ (os.Environ) lets LoadConfig
// reject unknown CMU_* variables.
func run(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	cfg, err := server.LoadConfig(getenv, environ)
	if err != nil {
		return err
	}
	var h slog.Handler = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel})
	if cfg.Mode == server.ModeDevelopment {
		h = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel})
	}
	logger := slog.New(h)

	switch {
	case len(args) == 0:
		return serve(ctx, cfg, logger, stdout)
	case len(args) == 2 && args[0] == "migrate" && (args[1] == "up" || args[1] == "down"):
		dir := server.MigrateUp
		if args[1] == "down" {
			dir = server.MigrateDown
		}
		return migrate(ctx, cfg, dir, logger, stdout)
	case len(args) >= 1 && len(args) <= 2 && args[0] == "token":
		sub := "dev-advisor"
		if len(args) == 2 {
			sub = args[1]
		}
		auth, err := server.NewAuthenticator(cfg, nil)
		if err != nil {
			return err
		}
		tok, err := auth.Sign(server.Claims{Role: server.RoleAdmin, RegisteredClaims: subject(sub)}, 30*24*time.Hour)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, tok)
		return err
	}
	return errors.New(usage)
}

func migrate(ctx context.Context, cfg server.Config, dir server.MigrateDirection, logger *slog.Logger, stdout io.Writer) error {
	db, err := server.OpenDB(ctx, cfg.DatabaseURL.Reveal())
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := db.Migrate(ctx, dir, logger)
	for _, r := range rs {
		fmt.Fprintf(stdout, "%s %d %s\n", r.Direction, r.Version, r.Source)
	}
	if err != nil {
		return err
	}
	v, err := db.MigrationVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database at version %d\n", v)
	return nil
}

func serve(ctx context.Context, cfg server.Config, logger *slog.Logger, stdout io.Writer) error {
	logger.Info("starting", "config", cfg)
	// app.Build opens and migrates the database (development) or refuses pending
	// migrations (production), and composes every business service: in development
	// over an in-process fake Odoo with demo data and the provider fakes.
	a, err := app.Build(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.Close()
	// a.Config, not cfg: development mode fills in the fakes' URLs and secrets.
	srv, err := server.NewServer(a.Config, a.Deps)
	if err != nil {
		return err
	}
	db, hub, metrics := a.Deps.DB, a.Deps.Hub, a.Deps.Metrics

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// bg reports a background task that stopped with an error (not on ctx end).
	bg := make(chan error, 2)
	background := func(name string, fn func(context.Context) error) {
		go func() {
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				bg <- fmt.Errorf("%s: %w", name, err)
			}
		}()
	}
	// The webhook processor and the hub's broker feed; stopped before a.Close runs.
	appDone := make(chan error, 1)
	go func() { appDone <- a.Run(ctx) }()
	defer func() { cancel(); <-appDone }()
	leader := server.NewLeader(db, server.LeaderOptions{Logger: logger, Metrics: metrics})
	leader.Add(server.Job{Name: "purge-idempotency-keys", Every: time.Hour, Run: func(ctx context.Context) error {
		_, err := db.PurgeIdempotencyKeys(ctx, time.Now())
		return err
	}})
	a.RegisterJobs(leader)
	background("cron leader", leader.Run)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on CMU_ADDR %s: %w", cfg.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(hub.Close)
	fmt.Fprintf(stdout, "cmu-server listening on http://%s (mode %s)\n", ln.Addr(), cfg.Mode)
	if cfg.Mode == server.ModeDevelopment && cfg.JWTPublicKeyFile == "" {
		tok, err := srv.Authenticator().Sign(server.Claims{Role: server.RoleAdmin, Name: "Asesor de desarrollo", RegisteredClaims: subject("dev-advisor")}, 365*24*time.Hour)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "development token (admin, 365 days):\n  export TOKEN=%s\n  curl -H \"Authorization: Bearer $TOKEN\" http://%s/api/clients\n", tok, ln.Addr())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()

	select {
	case err := <-serveErr:
		return err
	case err := <-bg:
		if err != nil {
			logger.Error("background task failed", "error", err.Error())
		}
		return shutdown(hs, logger, err)
	case <-ctx.Done():
		return shutdown(hs, logger, nil)
	}
}

func shutdown(hs *http.Server, logger *slog.Logger, cause error) error {
	logger.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return errors.Join(cause, fmt.Errorf("shutdown: %w", err))
	}
	logger.Info("stopped")
	return cause
}

func subject(sub string) jwt.RegisteredClaims { return jwt.RegisteredClaims{Subject: sub} }
