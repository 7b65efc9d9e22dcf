// Package airtable creates records in one Airtable base and table (CMu uses it
// for manual-review tasks), respecting Airtable's rate limit.
//
// API facts used (FACTS.md §6): POST https://api.airtable.com/v0/{baseId}/{table}
// with "Authorization: Bearer <personal access token>" (scope
// data.records:write) and body {"records":[{"fields":{…}}…],"typecast":bool},
// at most 10 records per request; the answer lists the created records
// {"id":"rec…","createdTime":…,"fields":{…}}. Errors answer
// {"error":{"type","message"}} or {"error":"NOT_FOUND"}, decoded into *APIError.
//
// Rate limit: 5 requests per second per base; beyond it Airtable answers 429 and
// requests fail for 30 seconds. A Client spaces its requests to the base
// (a FIFO queue of time slots, RequestsPerSecond, default 5, plus a 10 ms
// margin), and after a 429 holds every queued request for Penalty (default
// 30 s) before retrying. Share one Client per base across goroutines so the
// queue sees all traffic; Airtable's separate 50 requests/second per token
// across bases is not tracked.
//
// No duplicates on retry: Airtable has no idempotency key, so a create is
// retried only when Airtable provably did not act: 429, a failed dial, and the
// 502 and 503 answers Airtable documents as safe to retry. Other failures are
// returned; CreateRecords reports which records were created before the
// failure (*BatchError).
//
// A Client is safe for concurrent use.
package airtable
