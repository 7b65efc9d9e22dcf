package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app"
	"github.com/golang-jwt/jwt/v5"
)

// ExampleBuild composes the backend in development mode (fake Odoo with demo
// data, provider fakes, SQLite) and lists clients over HTTP.
func ExampleBuild() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "cmu-app-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	cfg := server.Config{Mode: server.ModeDevelopment, Addr: "127.0.0.1:8080",
		DatabaseURL: server.Secret("file:" + filepath.Join(dir, "cmu.db")), JWTSecret: "example-secret-0123456789abcdef-0123456789"}
	a, err := app.Build(ctx, cfg, nil)
	if err != nil {
		panic(err)
	}
	defer a.Close()
	srv, err := server.NewServer(a.Config, a.Deps)
	if err != nil {
		panic(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- a.Run(runCtx) }()
	defer func() { stop(); <-done }()

	tok, err := srv.Authenticator().Sign(server.Claims{Role: server.RoleAdmin, RegisteredClaims: jwt.RegisteredClaims{Subject: "asesor-1"}}, time.Hour)
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", hs.URL+"/api/clients?pageSize=2&market=aguascalientes", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := hs.Client().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var page server.ClientPage
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, len(page.Items), page.Total, page.Items[0].Market)
	// Output: 200 2 16 aguascalientes
}
