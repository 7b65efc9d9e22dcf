// Package credit turns a bureau report (KIBAN) and an internal risk score (HASE)
// into CMu's credit decision: Aprobado, Rechazado or, when the decision cannot
// be made now, EnAnalisis ("en_analisis").
//
// An Analyzer runs, in order:
//
//  1. the bureau query (Bureau, satisfied by *kiban.Client) with the
//     applicant's recorded consent (the NIP validation id);
//  2. the scoring (Scorer, satisfied by *hase.Client), fed with a summary of
//     the report and the applicant's savings and GNV history;
//  3. the Rules — data, not code: minimum bureau score, past-due limit,
//     knock-out flags, minimum HASE score, whether HASE's own "rechazado"
//     hint rejects. Every failed rule becomes a Reason; no failed rule means
//     Aprobado;
//  4. the EvidenceRecorder (the Odoo note writer, supplied by the server; a
//     MemoryRecorder is provided for tests) with the Decision, whose Evidence
//     carries both scores, the flags, the reasons and both providers' request
//     ids. Decision.Note renders it as the text of that note.
//
// # Failures
//
// A provider that is down, times out, rate-limits or answers 5xx never yields
// Aprobado or Rechazado: Analyze returns a Decision with Status EnAnalisis and a
// *ProviderError for which errors.Is(err, ErrProviderUnavailable) is true — ask
// again later. A provider error that waiting will not fix (bad credentials,
// invalid consent, an unreadable answer) also yields EnAnalisis, with a
// *ProviderError that is not ErrProviderUnavailable. An invalid Applicant is a
// *ValidationError before any provider is called. When the decision was made
// but the evidence could not be recorded, Analyze returns the Decision together
// with an error matching ErrEvidenceNotRecorded; the caller should retry the
// recording before acting on the decision.
//
// The default rules (DefaultRules) are placeholders to be specified by the
// business; pass Config.Rules to change them. An Analyzer is safe for
// concurrent use when its Bureau, Scorer and EvidenceRecorder are.
package credit
