// Package hase is a client for HASE, CMu's internal credit-risk model. HASE has
// no public API (nothing was found under that name); the contract is ours, kept
// in this package and implemented by hasetest:
//
//	POST {BaseURL}/score                      (path: Config.ScorePath)
//	Authorization: Bearer <Config.APIKey>
//	Idempotency-Key: <ScoreRequest.RequestKey>   (optional)
//	Content-Type: application/json
//
//	{"applicant_id":"42","market":"edomex","product":"venta_plazo",
//	 "plates":"ABC-123-D","requested_amount":"250000.00",
//	 "bureau":{"execution_id":"…","score":680,"flags":["saldo_vencido"],
//	           "open_accounts":2,"past_due_balance":"350.00",
//	           "total_balance":"2060.00","worst_mop":2},
//	 "savings":{"balance":"15000.00","months":6,"contributions":42},
//	 "gnv":{"months":6,"avg_monthly_litres":"850.50","avg_monthly_surcharge":"1275.75"}}
//
//	200 {"score":0–1000,"decision":"aprobado"|"rechazado",
//	     "reasons":[{"code":"saldo_vencido","description":"…"}],
//	     "model_version":"…","request_id":"…"}
//	4xx/5xx {"error":{"code":"…","message":"…"}}
//
// Money is a decimal string in pesos; a missing bureau score is null. Reasons may
// also arrive as plain strings (they become Reason.Code). The request id is taken
// from the X-Request-Id header, else from "request_id". A score outside 0–1000
// or an unknown decision is a decode error: a model answer we cannot read is
// never turned into a decision.
//
// The decision in the answer is a hint; the approval threshold that CMu applies
// is configuration of the caller (package credit's Rules.MinHASEScore) and of
// the model (hasetest.Options.Threshold), to be specified by the business.
//
// Scoring has no side effects, so Score is retried on connection errors, 429 and
// 5xx except 501 with backoff; the Idempotency-Key lets a real HASE deduplicate.
// A Client is safe for concurrent use.
package hase
