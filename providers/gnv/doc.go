// Package gnv talks to the natural-gas (GNV) station network that collects CMu's
// per-litre surcharge (sobreprecio) when a client's vehicle loads fuel, and
// verifies the network's consumption webhooks.
//
// The GNV network publishes no API, so the contract is CMu's own
// (shared/providers/FACTS.md, "Contracts we define"); the network implements it
// and gnvtest fakes it:
//
// Activation. POST {BaseURL}/collection-rules with header X-Api-Key and an
// Idempotency-Key header, body
//
//	{"plates":"ABC123D","surcharge_per_litre":"1.50","client_ref":"42"}
//
// answers 200/201 {"rule_id":"rule_…","status":"active"}. Plates are sent
// normalised (see NormalizePlates) and the surcharge as a decimal string with two
// places. Retrying with the same Idempotency-Key returns the original answer
// without registering a second rule, which is what lets Client.ActivateCollection
// retry transient failures. Errors answer {"error":{"code":"…","message":"…"}}
// with the request id in X-Request-Id: 400 malformed JSON, 401 missing or wrong
// key (code "unauthorized"), 409 plates already ruled for another client_ref
// (code "plates_taken"), 422 invalid field (code "invalid_request"), 429 and 5xx
// transient.
//
// Consumption webhook. The network POSTs a daily batch signed per Standard
// Webhooks (https://www.standardwebhooks.com/): headers webhook-id (stable across
// retries of the same batch: the inbox deduplicates on it), webhook-timestamp
// (Unix seconds of this attempt) and webhook-signature, a space-separated list of
// "v1,<base64 HMAC-SHA256>" over id + "." + timestamp + "." + raw body, keyed
// with the base64-decoded part of a "whsec_…" secret. Body:
//
//	{"type":"gnv.consumption.batch","batch_id":"B-2026-11-21-EST042","date":"2026-11-21",
//	 "records":[{"transaction_id":"T-1","plates":"ABC-123-D","station_id":"EST042",
//	             "litres":"38.500","surcharge_collected":"57.75","occurred_at":"2026-11-21T14:03:00Z"}]}
//
// "type" is optional and defaults to EventConsumptionBatch; litres and
// surcharge_collected may be JSON numbers or strings but are always read as
// decimals, never floats. Verifier checks signatures in constant time against
// one or more secrets (rotation), refuses timestamps more than Tolerance (5
// minutes) away from now in either direction, and satisfies webhooks.Verifier.
// Allowlist adds the optional source-IP check, which needs the remote address
// and so lives beside Verify rather than in it.
//
// ParseBatch and Record.Validate are the pure domain logic the server uses before
// matching records to clients; deduplication by transaction id and matching
// against Odoo belong to the server.
//
// A Client and a Verifier are safe for concurrent use.
package gnv
