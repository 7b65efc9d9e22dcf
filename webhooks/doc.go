// Package webhooks is CMu's provider-agnostic webhook intake: verify, persist in a
// durable inbox, acknowledge, then process asynchronously with retries, backoff and
// a dead-letter state.
//
// # Flow
//
// A [Handler] serves one provider's webhook endpoint. For each POST it
//
//  1. reads the body through a size limit (413 when larger),
//  2. asks the provider's [Verifier] whether the delivery is authentic (any refusal
//     is a 401 with a JSON body {"statusCode":401,"message":"…"} and nothing is
//     stored),
//  3. writes the delivery — raw body byte for byte, headers, event id and type,
//     received time — to the inbox keyed by (provider, event id),
//  4. answers 200 only after that write is committed; a delivery whose key is
//     already in the inbox is answered 200 as a duplicate and is not processed
//     again; when the inbox cannot be written it answers 503 so that the provider
//     retries.
//
// Providers whose 200 must carry data (GNV answers counts of accepted, duplicate
// and unmatched records) set HandlerConfig.Respond, which runs after the commit
// and returns the response body; a provider that needs full control may instead
// call an [Inserter] from its own handler.
//
// A [Processor] runs a pool of workers that claim pending deliveries from the
// inbox under a lease, call the function registered for the provider, and mark
// the delivery done. A failed attempt is retried with exponential backoff and
// jitter; after MaxAttempts (or at once for an error wrapped with [Permanent]) the
// delivery is dead-lettered with its last error, and [Processor.Replay] (or
// [Store.Replay]) puts it back to pending. A claim whose worker or process died
// is taken again once its lease expires (DefaultLease, 5 minutes; a processing
// function's context ends with its lease, and leases are not extended, so a
// function must finish within it).
//
// # Delivery guarantees and the contract for processing functions
//
// Acknowledged deliveries are never lost: the 200 is written only after the inbox
// transaction committed (SQLite runs with synchronous=FULL, see [OpenSQLite]).
//
// Processing is at least once: a process can die after a [HandlerFunc] applied
// its side effect but before the done mark was committed, and the delivery is then
// processed again when its lease expires. A HandlerFunc must therefore be
// idempotent, keyed by (Delivery.Provider, Delivery.EventID) — for example an
// Odoo analytic line whose external id is the event id, or a provider
// idempotency key.
//
// When the side effect lives in the same database as the inbox, register a
// [TxHandlerFunc] instead: the processor runs it and the done mark in one
// transaction ([SQLStore.CompleteTx]), so the effect is applied exactly once —
// either both commit or neither does, and a claim that lost its lease cannot
// commit.
//
// # Stores
//
// [Store] is the inbox interface; [SQLStore] implements it on database/sql for
// SQLite ([OpenSQLite], driver modernc.org/sqlite) and PostgreSQL ([NewPostgres],
// driver pgx, claims with FOR UPDATE SKIP LOCKED so that several server instances
// share the work). The DDL is exported ([SQLiteSchema], [PostgresSchema]) so that
// the server's migrations can reuse it. On SQLite, a [Batcher] in front of the
// store commits several concurrent deliveries per transaction (group commit)
// while each request still waits for its own commit before it is acknowledged.
//
// # Concurrency
//
// Handler, Processor, Batcher and SQLStore are safe for concurrent use. Create one
// Batcher per store and share it between the providers' handlers.
package webhooks
