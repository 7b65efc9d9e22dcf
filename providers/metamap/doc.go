// Package metamap verifies MetaMap (formerly Mati) KYC webhooks, decodes their
// events, maps verification results to CMu's document statuses, and calls the
// two MetaMap endpoints CMu needs (read a verification, set its status).
//
// Webhooks (FACTS.md §3): header x-signature = lowercase hex of
// HMAC-SHA256(key = the flow's webhook secret, message = the request body).
// Verification uses the raw body bytes exactly as received (MetaMap's sample
// hashes JSON.stringify(payload); re-serialising could change bytes) and
// hmac.Equal. Only the lowercase 64-hex form MetaMap sends is accepted. The
// scheme signs no timestamp, so there is no replay window: the inbox
// deduplicates on Event.ID, built from eventName, the verification id, the
// step id and the payload timestamp (FACTS: dedupe on resource + eventName +
// timestamp). MetaMap requires webhook secrets of at least 16 characters with
// upper-case, lower-case and digits; NewVerifier enforces the same.
//
// Results: identityStatus verified / reviewNeeded / rejected map to
// aprobado / revision_manual / rechazado (DocumentStatusFor);
// step_completed with alteration-detection error code
// alterationDetection.fraudAttempt means rejected and
// alterationDetection.negligence review needed (Event.Decision). identityStatus
// and status can differ within one payload; Decision prefers identityStatus.
// FACTS advises confirming by re-fetching the verification (GetVerification)
// before acting, as its shape is not documented in FACTS.md, GetVerification
// returns it undecoded.
//
// API: POST {BaseURL}/oauth with HTTP Basic client_id:client_secret and form
// grant_type=client_credentials returns a JWT access_token valid one hour,
// cached and renewed by Client (one minute early, or after a 401); GET of a
// webhook's resource URL and PUT /v2/verifications/{id}/status
// {"status":"verified|reviewNeeded|rejected"} use "Authorization: Bearer <jwt>".
// Resource URLs come from webhook payloads, so Client only follows those whose
// host is in Config.ResourceHosts (default api.getmati.com and
// api.prod.metamap.com): the bearer token never goes to another host.
//
// A Client and a Verifier are safe for concurrent use.
package metamap
