// Command odoo talks to an Odoo server from the terminal over XML-RPC,
// JSON-RPC or JSON-2, and prints every answer as JSON that does not depend on
// the protocol that carried it.
//
// Usage:
//
//	odoo [connection flags] version
//	odoo [connection flags] login
//	odoo [connection flags] call MODEL METHOD [ARGS_JSON] [KWARGS_JSON]
//	odoo [connection flags] search-read MODEL [--domain JSON] [--fields a,b] [--limit N] [--offset N] [--order "name asc"]
//	odoo [connection flags] fields MODEL [--attributes string,type,…]
//
// The connection comes from flags or, when a flag is not given, from the
// environment: ODOO_URL, ODOO_DB, ODOO_USER, ODOO_PASSWORD, ODOO_API_KEY and
// ODOO_PROTOCOL (auto, xmlrpc, jsonrpc or json2); --context sends an Odoo
// context (a JSON object) with every call. Flags may appear before or after
// the subcommand and its arguments ("--" ends them). --fake serves an in-process fake
// Odoo (package odoo/odootest) seeded with demo records and connects to it, so
// the CLI works without a real Odoo:
//
//	go run ./cmd/odoo --fake search-read res.partner --fields name,email --limit 3
//
// Output: results go to stdout as JSON indented by two spaces (one line with
// --compact), object keys sorted, HTML characters not escaped, numbers exactly
// as Odoo sent them (money never passes through float64). The same call prints
// the same bytes over every protocol. An error reported by Odoo prints
// {"error":{"kind":…,"name":…,"message":…}} on stdout and exits 1; a usage,
// connection or protocol error is a line on stderr and exits 2. Passwords and
// API keys are never printed.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
