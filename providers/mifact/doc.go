// Package mifact is a client for invoice-mifact-v3, the invoicing service that
// reports whether a service order has been invoiced and where its PDFs are.
// There is no public API document; the contract comes from CMu's opportunity
// process specification (shared/providers/FACTS.md, "Contracts we define"):
//
//	POST {base}/auth/signin {"username","password"}          → token
//	GET  {base}/service-order/:id/invoice-status
//	     Authorization: Bearer <token>
//	     → {"facturado": false}
//	     | {"facturado": true, "urls": {"soles": URL, "dolares": URL},
//	        "invoice_result_head_id": 123}
//
// Configuration (read by cmd/, not here): URL_INVOICE_MIFACT_V3,
// INVOICE_MIFACT_USERNAME / INVOICE_MIFACT_PASSWORD, falling back to
// USERNAME_ADMIN / PASSWORD_ADMIN (see CredentialsFromEnv).
//
// What the specification leaves open, and what this package does:
//
//   - the signin answer: the token is read from "token", "access_token",
//     "accessToken" or "data.token"; its lifetime from "expires_in" /
//     "expiresIn" (seconds), else from the JWT "exp" claim when the token is a
//     JWT (read, not verified: it only schedules renewal), else
//     Config.TokenTTL (default 50 minutes). The token is renewed 30 s before
//     it expires, and once more whenever a call answers 401;
//   - invoice_result_head_id may be a number or a numeric string; a missing URL
//     is "";
//   - PDF downloads (DownloadPDF): http(s) only, at most Config.MaxPDFBytes
//     (default 10 MiB, else ErrPDFTooLarge), bounded by
//     Config.DownloadTimeout (default 60 s); the body must start with "%PDF-"
//     (within its first 1024 bytes, as the PDF specification tolerates) and the
//     Content-Type must be application/pdf, application/x-pdf, an octet-stream
//     type or absent, else ErrNotPDF. The bearer token is sent only to URLs on
//     the same scheme and host as the base URL, never to third-party storage.
//
// Every call is a read: retried on connection errors, 429 and 5xx except 501.
// The token cache is safe for concurrent use; at most one signin runs at a time.
package mifact
