//go:build tools

// Package deps pins the project's chosen dependencies in go.mod before every
// package that uses them exists. It is never built.
package deps

import (
	_ "github.com/coder/websocket"
	_ "github.com/go-pdf/fpdf"
	_ "github.com/go-playground/validator/v10"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/julienschmidt/httprouter"
	_ "github.com/kolo/xmlrpc"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/shopspring/decimal"
	_ "github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite"
)
