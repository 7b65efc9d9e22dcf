// Package apiclient is the HTTP plumbing shared by CMu's provider clients
// (providers/conekta, providers/gnv, providers/airtable, providers/mifiel, …).
//
// A Client wraps hashicorp/go-retryablehttp with the policy every provider package
// follows:
//
//   - every call takes a context.Context; cancellation returns ctx.Err();
//   - transient failures (connection errors, 429, 5xx except 501) are retried with
//     jittered exponential backoff that honours Retry-After;
//   - requests that create something and carry no provider idempotency key use
//     RetryUnsent: they are retried only when the request provably never reached
//     the provider (a failed dial) or was refused with 429, so a payment or record
//     is never created twice by a retry;
//   - the final HTTP response, whatever its status, is returned with its body read
//     (bounded) so the provider package can turn it into its own typed APIError;
//     only failures without a response come back as a *TransportError;
//   - retry chatter goes to the configured *slog.Logger at debug level (nil →
//     discard); URLs are sanitised before they reach a log line or an error.
//
// The API of this package is kept stable for the provider packages that use it:
// additions only.
//
// A Client is safe for concurrent use.
package apiclient
