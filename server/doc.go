// Package server is CMu's reference HTTP backend for the advisors' PWA: the
// route map (routes.go), authentication, validation, idempotency, the server
// database and its migrations, the WebSocket hub and the cron leader. The
// business work is delegated to small consumer-side interfaces
// (ClientsService, PlansService, GroupsService, CotizadorService, GNVService,
// PaymentsService, ContractsService, CreditService, OpportunityService,
// WebhookIntake) that adapters over the libraries implement; cmd/cmu-server
// composes everything.
//
// # Composition
//
// NewServer(cfg, deps) returns an http.Handler. Every dependency is passed in
// Deps; a nil service makes its routes answer
//
//	503 {"statusCode":503,"message":"Servicio no disponible: <área>"}
//
// after authentication, so the whole API is routed and documented from day one.
// Only cmd/cmu-server reads the environment (LoadConfig; the variables are
// listed by ConfigVars and ConfigMarkdown).
//
// # Errors and validation
//
// Every error answer is {"statusCode":N,"message":"…"} with a Spanish message.
// Handlers and services return *Error values whose Kind chooses the status
// (KindInvalid 400, KindUnauthorized 401, KindForbidden 403, KindNotFound 404,
// KindConflict 409, KindUnprocessable 422, KindUnavailable 503…); any other
// error is a 500 whose detail is logged, never sent. Request bodies are JSON
// objects read under Config.BodyLimitBytes (413 above it), with unknown fields
// and trailing data rejected; validation uses go-playground/validator tags and
// names the field by its JSON name ("El campo clientId es obligatorio"). Money
// travels as decimal strings ("1234.50"): the money tag requires a positive
// amount with at most two decimals.
//
// # Authentication
//
// PWA routes need Authorization: Bearer <JWT> (HS256 with CMU_JWT_SECRET or
// RS256 with CMU_JWT_PUBLIC_KEY_FILE); "sub" is the advisor id and "exp" is
// required. Claims (see Claims) may restrict the advisor to client ids
// ("clients") or markets ("markets"); "role":"admin" acts on every client.
// Handlers answer 403 when the advisor may not act on the client. GET /ws also
// accepts ?token= because browsers cannot set WebSocket headers; the request
// log never includes query strings.
//
// # Idempotency
//
// Routes that create things honour Idempotency-Key: the same key and body
// replay the stored response without running the handler again
// (Idempotent-Replayed: true), a different body gets 422, and a concurrent
// repeat gets 409 with Retry-After: 1. Keys live 24 hours in the server
// database (DB.PurgeIdempotencyKeys).
//
// # Live events
//
// Hub serves GET /ws with coder/websocket: events are {"type":…,"data":…},
// addressed to advisors by id, by client (advisors allowed on it) or to all.
// Each connection has a bounded queue; a client that cannot keep up is closed
// with 1008 and never slows the others. With PostgreSQL, PostgresBroker carries
// events between instances through LISTEN/NOTIFY.
//
// # Concurrency and timeouts
//
// Server, Hub, Metrics, Authenticator, DB and Leader are safe for concurrent
// use. cmd/cmu-server sets http.Server read (30 s), write (60 s), header (10 s)
// and idle (120 s) timeouts and shuts down within 10 s; WebSocket writes and
// pings get 5 s each.
package server
