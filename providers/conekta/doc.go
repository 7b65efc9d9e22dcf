// Package conekta creates Conekta payment links (orders with a hosted
// checkout) for voluntary contributions up to 20,000 MXN and verifies Conekta's
// webhooks.
//
// API facts used (shared/providers/FACTS.md §1, Conekta OpenAPI 2.3.0):
// base URL https://api.conekta.io; "Authorization: Bearer <private key>";
// "Accept: application/vnd.conekta-v2.3.0+json"; amounts are integer cents on
// the wire (this package takes and returns decimal MXN and converts, rounding
// half-up to the cent); POST /orders with "checkout" {"type":"HostedPayment"}
// answers the order whose checkout carries the payment link "url"; errors
// answer {"object":"error","type":…,"log_id":…,"details":[{"code","param",
// "message","debug_message"}]} (401, 402, 404, 422, 5xx), decoded into
// *APIError.
//
// No second charge. Conekta's Idempotency-Key header is defined in its spec
// repository but referenced by no endpoint and documented nowhere, so this
// package neither sends nor relies on it. CreatePaymentLink is therefore
// retried only when Conekta provably did not receive it (the connection could
// not be opened, or a 429); any other failure is returned, and the caller
// (which put its Reference in the order metadata) must look the order up
// before creating another. GetOrder, a read, retries every transient failure.
//
// Webhooks. Conekta signs each delivery with the RSA key pair created by
// POST /webhook_keys: the "digest" header carries the signature of the raw body
// made with Conekta's private key; the response of that call gives the public
// key (PEM, "BEGIN PUBLIC KEY"), which is the Verifier's configuration. The
// docs describe the header only as "the sha256 of the message encrypted with
// the private key"; this package implements the reading of FACTS.md, marked
// inferred there: digest = base64(RSA PKCS#1 v1.5 signature over SHA-256 of the
// raw body). Check it against one real test delivery (POST /webhooks/{id}/test)
// before go-live. The scheme carries no signed timestamp, so there is no replay
// window: deliveries are deduplicated on the event id (webhooks.Event.ID).
// SignDigest is the signing side, for tests, conektatest and
// examples/webhook-sign.
//
// A Client and a Verifier are safe for concurrent use.
package conekta
