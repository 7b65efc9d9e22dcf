// Package mifiel generates CMu's contracts as PDF, sends them to Mifiel
// (electronic signature with FIEL, Mexico) with their signers, and verifies and
// parses Mifiel's callbacks.
//
// # API (facts: github.com/Mifiel/api-doc, ruby-api-client a4af310, python-api-client 43345cf)
//
// Base URL is configuration: ProductionURL (https://app.mifiel.com/api/v1) or
// SandboxURL (https://app-sandbox.mifiel.com/api/v1). Requests are signed with
// ApiAuth: the canonical string "METHOD,content-type,content-hash,request-URI,date"
// (request-URI = path and query, date = the Date header in HTTP-date format)
// is signed with HMAC-SHA1 keyed by the app secret, base64 encoded, and sent as
// "Authorization: APIAuth <app id>:<signature>". Whether Mifiel's server checks
// Content-MD5 (its docs, the Python SDK) or X-Authorization-Content-SHA256 (the
// Ruby SDK's api-auth ≥ 2.5) is not confirmed: requests with a body carry both
// headers and the canonical string uses the one chosen by Config.ContentHash
// (default MD5). Requests without a body carry neither and sign empty
// content-type and content-hash, as in Mifiel's documented example. Every retry
// is re-signed with a fresh Date.
//
// CreateDocument is POST /documents (multipart: file, signatories[i][name|email|
// tax_id], callback_url, sign_callback_url, external_id). Mifiel has no
// idempotency key, so it is retried only when the request provably did not
// reach Mifiel; after an ambiguous failure look the document up by its
// external_id (FindByExternalID) before sending it again. GetDocument (GET /documents/:id) and
// SignedFile (GET /documents/:id/file_signed) are retried on transient failures.
// Error bodies carry "errors" (a list) or "error".
//
// # Callbacks (our contract)
//
// Mifiel POSTs to callback_url when everybody has signed, and to
// sign_callback_url after each signature. No public source documents a
// callback signature, and the payload is only inferred to be the document
// object (JSON; form-encoded fields are accepted too). CMu therefore defines the
// verification, selected by CallbackVerifier.Scheme:
//
//   - SchemeToken (default, works with the real Mifiel): the callback URL
//     carries a secret token, ?token=<CallbackVerifier.Token> (build it with
//     CallbackURL). TokenToHeader, mounted in front of the intake handler,
//     moves it into the X-Cmu-Callback-Token header, which Verify compares in
//     constant time. The token authenticates the sender, not the body, so a
//     verified callback is only a trigger: before moving a lead to "Promesa
//     Firmada" confirm it with Client.Confirm, which re-reads the document
//     with ApiAuth and trusts only Mifiel's answer (signed_by_all).
//   - SchemeHMAC (for a relay we control and for mifieltest): header
//     "X-Cmu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>";
//     every v1 is tried (secret rotation), the timestamp must be within
//     Tolerance (default 5 minutes) of now, both ways. SignCallback builds the
//     header for tests.
//
// *CallbackVerifier satisfies webhooks.Verifier; refusals wrap the webhooks
// sentinels (ErrNotSigned, ErrInvalidHeader, ErrNoValidSignature, ErrTooOld,
// ErrTooNew). The event id is "<document id>:signed_by_all" for the final
// callback and "<document id>:signatures:<n>" for per-signature ones, so a
// redelivery deduplicates.
//
// # Contracts
//
// ContractPDF renders a ContractData (plain Go values; the server maps Odoo's
// client to it) for ContractType VentaPlazo, Ahorro or CreditoColectivo, with
// the client's name, RFC and CURP when given, plates and amounts as MXN
// decimals. ContractText is the same content as text (golden-tested).
//
// A Client and a CallbackVerifier are safe for concurrent use.
package mifiel
