// Package app composes CMu's reference backend from the libraries: it
// implements the server's consumer-side interfaces (server.ClientsService,
// PlansService, GroupsService, CotizadorService, GNVService, PaymentsService)
// over odoo/cmu, cotizador, amortization and the provider clients, processes
// the GNV, Conekta and MetaMap webhooks asynchronously through the durable
// inbox (package webhooks), publishes live events on the server's hub, and
// builds everything from a server.Config (Build) — including the services of
// its subpackages opportunity, contracts (with the Mifiel callback) and credit.
//
// # Composition
//
//	a, err := app.Build(ctx, cfg, logger) // database (migrated in development), hub, Odoo, providers
//	if err != nil { … }
//	defer a.Close()                        // after Run returned
//	srv, err := server.NewServer(a.Config, a.Deps)
//	go a.Run(ctx)                          // webhook processor + hub broker feed
//	a.RegisterJobs(leader)                 // invoice polling, GNV sweep
//
// Pass a.Config, not cfg, to server.NewServer: in development it carries the
// generated Mifiel callback token the server checks.
//
// In development mode with no ODOO_URL, Build starts an in-process fake Odoo
// (odootest) provisioned with cmu.Service.Ensure and seeded with demo data, and
// every provider without credentials gets its in-process fake, with the
// clients pointed at it and the signing secrets shared, so the fakes' signed
// webhook deliveries verify (App.Dev).
//
// # Errors
//
// Library errors become *server.Error values: not found → 404, business rules
// and validation → 422 with a Spanish message (the cotizador's own messages,
// the failed group rule), Odoo or a provider unreachable → 503, a provider's
// refusal → 502.
//
// # Webhooks
//
// Every delivery is verified, stored and acknowledged by the intake, then
// processed by App.Processor; processing is idempotent (contributions unique by
// transaction id, payments by provider reference, attachments by name,
// Airtable tasks marked in the client's history) so that at-least-once
// processing applies each business event once. The GNV intake answers
// synchronously with the counts of accepted, duplicate, unmatched and rejected
// records (BatchCounts), computed before the delivery is stored.
//
// Every type here is safe for concurrent use.
package app
