// Package creditsvc implements server.CreditService (POST /api/credit/analyze)
// with the credit package's Analyzer over the KIBAN bureau and the HASE risk
// score, keeping the client's status and history in Odoo.
//
// One analysis:
//
//  1. reads the client (res.partner with CMu's fields; 404 when missing),
//     its savings balance and its most recent opportunity (crm.lead), and
//     asks Config.Consents for the client's KIBAN consent (NIP validation id);
//     a client without consent, RFC or names is a 422 and nothing is written;
//  2. records x_cmu_credit_status = en_analisis, then runs credit.Analyzer;
//  3. the Analyzer's EvidenceRecorder posts Decision.Note() as a chatter note
//     (type "analisis_credito") on the partner and on the lead;
//  4. Aprobado or Rechazado: x_cmu_credit_status is set to it and the lead is
//     moved to the stage of that name; client:updated, eventlog:new and
//     notification:new are published;
//  5. a provider that is down, slow or rate-limiting never yields a decision:
//     the status stays en_analisis, a notification says so, and the call
//     answers 503 (502 for a provider error that waiting will not fix) — ask
//     again later. A decision whose evidence could not be recorded (even after
//     one more try) is not acted upon: 503, status en_analisis.
//
// A Service is safe for concurrent use.
package creditsvc
