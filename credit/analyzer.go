package credit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/kiban"
)

// Bureau queries the credit bureau. *kiban.Client satisfies it.
type Bureau interface {
	QueryBureau(ctx context.Context, q kiban.BureauQuery) (*kiban.Report, error)
}

// Scorer scores an applicant. *hase.Client satisfies it.
type Scorer interface {
	Score(ctx context.Context, r hase.ScoreRequest) (*hase.Result, error)
}

// EvidenceRecorder keeps a decision's evidence, e.g. as a note on the client in
// Odoo. It is called once per Analyze that reached a provider, whatever the
// outcome.
type EvidenceRecorder interface {
	RecordDecision(ctx context.Context, d Decision) error
}

// Sentinel errors.
var (
	// ErrProviderUnavailable: a provider was down, timed out, rate-limited or
	// answered 5xx; the decision is EnAnalisis and the call can be retried.
	ErrProviderUnavailable = errors.New("credit: provider unavailable")
	// ErrEvidenceNotRecorded: the decision was made but the EvidenceRecorder
	// failed.
	ErrEvidenceNotRecorded = errors.New("credit: evidence not recorded")
)

// ProviderError reports a provider failure that prevented a decision.
type ProviderError struct {
	// Provider is "kiban" or "hase".
	Provider string
	// Retryable is true when waiting may fix it; then the error matches
	// ErrProviderUnavailable.
	Retryable bool
	Err       error
}

// Error implements error.
func (e *ProviderError) Error() string {
	kind := "failed"
	if e.Retryable {
		kind = "unavailable"
	}
	return fmt.Sprintf("credit: %s %s: %v", e.Provider, kind, e.Err)
}

// Unwrap returns the provider's error.
func (e *ProviderError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrProviderUnavailable) true for retryable failures.
func (e *ProviderError) Is(target error) bool {
	return target == ErrProviderUnavailable && e.Retryable
}

// ValidationError reports an Applicant that cannot be analysed.
type ValidationError struct {
	// Fields maps a field name to its problem.
	Fields map[string]string
}

// Error implements error.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "credit: invalid applicant: " + strings.Join(parts, ", ")
}

// Applicant is the input of an analysis. The server maps the Odoo client to it.
type Applicant struct {
	// ID is the client's id (the Odoo res.partner id). Required.
	ID               string
	FirstName        string
	PaternalLastName string
	MaternalLastName string
	// RFC is required (10 or 13 characters).
	RFC string
	// CURP is kept in the evidence; the bureau query does not need it.
	CURP    string
	Address kiban.Address
	// ConsentID is the KIBAN NIP validation id: the applicant's recorded
	// consent to the bureau query. Required.
	ConsentID string
	// Market ("edomex", "aguascalientes"), Product ("venta_plazo",
	// "credito_colectivo", …) and Plates are passed to HASE.
	Market, Product, Plates string
	// RequestedAmount is in pesos.
	RequestedAmount decimal.Decimal
	Savings         hase.Savings
	GNV             hase.GNVConsumption
}

// Valid returns the problems of a by field name; nil when it can be analysed.
func (a Applicant) Valid() map[string]string {
	p := map[string]string{}
	if strings.TrimSpace(a.ID) == "" {
		p["id"] = "required"
	}
	if n := len(strings.TrimSpace(a.RFC)); n != 10 && n != 13 {
		p["rfc"] = "must have 10 or 13 characters"
	}
	if a.FirstName == "" {
		p["firstName"] = "required"
	}
	if a.PaternalLastName == "" {
		p["paternalLastName"] = "required"
	}
	if a.ConsentID == "" {
		p["consentId"] = "required (KIBAN NIP validation)"
	}
	if a.RequestedAmount.IsNegative() {
		p["requestedAmount"] = "must not be negative"
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// Evidence is what the decision was based on.
type Evidence struct {
	// BureauExecutionID is KIBAN's execution id ("" when the query failed).
	BureauExecutionID string `json:"bureau_execution_id,omitempty"`
	// BureauScore is nil when the bureau returned none or was not reached.
	BureauScore    *int                `json:"bureau_score"`
	BureauFlags    []kiban.Flag        `json:"bureau_flags,omitempty"`
	PastDueBalance decimal.NullDecimal `json:"past_due_balance"`
	// HASERequestID is HASE's request id ("" when not reached).
	HASERequestID    string        `json:"hase_request_id,omitempty"`
	HASEScore        *int          `json:"hase_score"`
	HASEDecision     hase.Decision `json:"hase_decision,omitempty"`
	HASEModelVersion string        `json:"hase_model_version,omitempty"`
	HASEReasons      []hase.Reason `json:"hase_reasons,omitempty"`
	// Rules are the rules applied.
	Rules Rules `json:"rules"`
}

// Decision is the outcome of Analyze.
type Decision struct {
	ApplicantID string `json:"applicant_id"`
	Status      Status `json:"status"`
	// Reasons lists the failed rules (Rechazado) or why there is no decision
	// (EnAnalisis); empty for Aprobado.
	Reasons   []Reason  `json:"reasons"`
	Evidence  Evidence  `json:"evidence"`
	DecidedAt time.Time `json:"decided_at"`
}

// Config configures an Analyzer.
type Config struct {
	// Bureau and Scorer are required.
	Bureau Bureau
	Scorer Scorer
	// Recorder keeps the evidence; nil records nothing.
	Recorder EvidenceRecorder
	// Rules; nil means DefaultRules().
	Rules *Rules
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Analyzer runs credit analyses.
type Analyzer struct {
	bureau   Bureau
	scorer   Scorer
	recorder EvidenceRecorder
	rules    Rules
	now      func() time.Time
	logger   *slog.Logger
}

// New validates cfg and returns an Analyzer.
func New(cfg Config) (*Analyzer, error) {
	if cfg.Bureau == nil || cfg.Scorer == nil {
		return nil, errors.New("credit: Config.Bureau and Config.Scorer are required")
	}
	rules := DefaultRules()
	if cfg.Rules != nil {
		rules = *cfg.Rules
		rules.RejectFlags = slices.Clone(rules.RejectFlags)
	}
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	a := &Analyzer{bureau: cfg.Bureau, scorer: cfg.Scorer, recorder: cfg.Recorder, rules: rules, now: cfg.Now, logger: cfg.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// Rules returns a copy of the rules in use.
func (a *Analyzer) Rules() Rules {
	r := a.rules
	r.RejectFlags = slices.Clone(r.RejectFlags)
	return r
}

// Analyze queries the bureau, scores the applicant and decides; see the package
// doc for the error contract. The returned Decision is always meaningful: when
// err is a provider error its Status is EnAnalisis.
func (a *Analyzer) Analyze(ctx context.Context, ap Applicant) (Decision, error) {
	d := Decision{ApplicantID: ap.ID, Status: EnAnalisis, Evidence: Evidence{Rules: a.Rules()}}
	if p := ap.Valid(); p != nil {
		d.DecidedAt = a.now()
		return d, &ValidationError{Fields: p}
	}

	rep, err := a.bureau.QueryBureau(ctx, kiban.BureauQuery{
		AuthorizationID: ap.ConsentID, FirstName: ap.FirstName, PaternalLastName: ap.PaternalLastName,
		MaternalLastName: ap.MaternalLastName, RFC: ap.RFC, Address: ap.Address,
	})
	if err != nil {
		return a.undecided(ctx, d, "kiban", err)
	}
	d.Evidence.BureauExecutionID = rep.ExecutionID
	if rep.Score.Valid {
		v := rep.Score.Value
		d.Evidence.BureauScore = &v
	}
	d.Evidence.BureauFlags = slices.Clone(rep.Flags)
	d.Evidence.PastDueBalance = decimal.NewNullDecimal(rep.PastDueBalance())

	open := 0
	for _, acc := range rep.Accounts {
		if acc.Open() {
			open++
		}
	}
	flags := make([]string, len(rep.Flags))
	for i, f := range rep.Flags {
		flags[i] = string(f)
	}
	res, err := a.scorer.Score(ctx, hase.ScoreRequest{
		ApplicantID: ap.ID, Market: ap.Market, Product: ap.Product, Plates: ap.Plates,
		RequestedAmount: ap.RequestedAmount,
		Bureau: hase.BureauSummary{
			ExecutionID: rep.ExecutionID, Score: d.Evidence.BureauScore, Flags: flags, OpenAccounts: open,
			PastDueBalance: rep.PastDueBalance(), TotalBalance: rep.TotalBalance(), WorstMOP: rep.WorstMOP(),
		},
		Savings:    ap.Savings,
		GNV:        ap.GNV,
		RequestKey: "credit-" + ap.ID + "-" + rep.ExecutionID,
	})
	if err != nil {
		return a.undecided(ctx, d, "hase", err)
	}
	score := res.Score
	d.Evidence.HASEScore = &score
	d.Evidence.HASERequestID = res.RequestID
	d.Evidence.HASEDecision = res.Decision
	d.Evidence.HASEModelVersion = res.ModelVersion
	d.Evidence.HASEReasons = slices.Clone(res.Reasons)

	d.Status, d.Reasons = a.rules.Evaluate(rep, res)
	d.DecidedAt = a.now()
	a.logger.InfoContext(ctx, "credit decision", "applicant", ap.ID, "status", d.Status, "bureau_execution", rep.ExecutionID, "hase_request", res.RequestID)
	return d, a.record(ctx, d)
}

// undecided finishes an analysis a provider prevented: EnAnalisis, the
// classified error, and the evidence gathered so far recorded.
func (a *Analyzer) undecided(ctx context.Context, d Decision, provider string, err error) (Decision, error) {
	d.DecidedAt = a.now()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// The caller gave up: nothing to record, no provider to blame.
		return d, ctx.Err()
	}
	pe := &ProviderError{Provider: provider, Retryable: transient(err), Err: err}
	if pe.Retryable {
		d.Reasons = []Reason{{ReasonProviderUnavailable, "Proveedor " + strings.ToUpper(provider) + " no disponible; reintentar más tarde", provider}}
	} else {
		d.Reasons = []Reason{{ReasonProviderError, "Error de " + strings.ToUpper(provider) + ": " + err.Error(), provider}}
	}
	if rerr := a.record(context.WithoutCancel(ctx), d); rerr != nil {
		return d, errors.Join(pe, rerr)
	}
	return d, pe
}

func (a *Analyzer) record(ctx context.Context, d Decision) error {
	if a.recorder == nil {
		return nil
	}
	if err := a.recorder.RecordDecision(ctx, d); err != nil {
		return fmt.Errorf("%w: %w", ErrEvidenceNotRecorded, err)
	}
	return nil
}

// transient reports whether err is worth retrying later: a provider error
// that says so (Retryable() bool), a timeout, or a network error.
func transient(err error) bool {
	var r interface{ Retryable() bool }
	if errors.As(err, &r) {
		return r.Retryable()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}
