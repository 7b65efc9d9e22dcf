// Package kiban is a client for KIBAN's "link" API (https://docs.kiban.cloud): the
// consent NIP flow and the Buró de Crédito personas-físicas query ("by kiban"),
// decoded into a typed bureau Report (score, accounts, flags).
//
// # Wire contract
//
// Facts (docs.kiban.cloud, kiban-cloud/kiban-sdk link.openapi.yaml):
//
//   - hosts: ProductionURL (https://link.kiban.com) and SandboxURL
//     (https://sandbox.link.kiban.com); the base URL is configuration;
//   - auth: header "x-api-key: <key>"; optional "origin" (free attribution text)
//     and "mock: true" (do not call the real bureau) headers;
//   - POST /api/v2/nip/send {"method":"sms"|"email"|"whatsapp", …} sends the
//     consent NIP; POST /api/v2/nip/validate {"id","nip"} → response.validated;
//   - POST /api/v2/bc_pf_by_kiban/query with "authorization":{"tipo":"nip","id"},
//     "parameters_bc_pf_by_kiban":{"productoRequerido"}, "nombre", "domicilio";
//     sandbox canned answers are chosen with the testCaseId query parameter;
//   - every call answers an execution {id, status ("SUCCESS"), request, response,
//     errorMessage, …}; GET /api/v2/{service}/{subservice}/{id} re-reads one.
//
// Inferred or third-party only, and therefore configurable (Config):
// the score segment response.scoreBuroCredito[] {codigoScore, nombreScore,
// valorScore, codigoRazon1..3} (BC Score code "007", Config.ScoreCode), the
// accounts segment "cuentas" with Buró's field names (saldoActual, saldoVencido,
// formaPagoActual, …; amounts may carry a trailing sign, "1260+"), the service
// path (Config.BureauService, default "bc_pf_by_kiban") and productoRequerido
// (default "501"). The decoder also accepts the segments nested under
// response.respuesta.persona, as Buró's own report nests them. Error bodies are
// read from "message" (string or list), "error", "errorMessage" and "code".
//
// # Retries
//
// Reads (Execution) are retried on connection errors, 429 and 5xx except 501. The NIP send and the bureau query are billed and the query leaves an
// inquiry on the person's report, and KIBAN has no idempotency key: they are
// retried only when the request provably never reached KIBAN (dial error or 429).
// Any other failure is returned as a retryable error for the caller to decide.
//
// Flags are derived by this package from the report, not sent by KIBAN: see Flag.
//
// A Client is safe for concurrent use.
package kiban
