package credit

import (
	"errors"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/kiban"
)

// Status is the credit status of a client (Odoo's x_cmu_credit_status).
type Status string

// Statuses.
const (
	Aprobado   Status = "aprobado"
	Rechazado  Status = "rechazado"
	EnAnalisis Status = "en_analisis"
)

// Rules are the decision thresholds. They are plain data (JSON-encodable) so
// they can come from configuration.
type Rules struct {
	// MinBureauScore rejects a bureau score below it (0 = no minimum).
	MinBureauScore int `json:"min_bureau_score"`
	// RequireBureauScore rejects an applicant without a bureau score. When
	// false, a thin file is left to HASE.
	RequireBureauScore bool `json:"require_bureau_score"`
	// MaxPastDueBalance rejects a total past-due balance above it, in pesos;
	// not Valid = no limit.
	MaxPastDueBalance decimal.NullDecimal `json:"max_past_due_balance"`
	// RejectFlags are bureau flags that reject on their own.
	RejectFlags []kiban.Flag `json:"reject_flags"`
	// MinHASEScore rejects a HASE score below it (0–1000).
	MinHASEScore int `json:"min_hase_score"`
	// FollowHASEDecision rejects when HASE's hint is "rechazado", whatever the
	// score.
	FollowHASEDecision bool `json:"follow_hase_decision"`
}

// DefaultRules returns the rules used when Config.Rules is nil: bureau score
// ≥ 550 when present, past-due balance ≤ 1,000.00 MXN, no account 60+ days late,
// HASE score ≥ 600 and HASE's hint followed. Placeholders until the business
// specifies them.
func DefaultRules() Rules {
	return Rules{
		MinBureauScore:     550,
		MaxPastDueBalance:  decimal.NewNullDecimal(decimal.RequireFromString("1000.00")),
		RejectFlags:        []kiban.Flag{kiban.FlagSevereDelinquency},
		MinHASEScore:       600,
		FollowHASEDecision: true,
	}
}

// Validate reports rules that cannot be applied.
func (r Rules) Validate() error {
	var errs []error
	if r.MinBureauScore < 0 {
		errs = append(errs, errors.New("min_bureau_score must not be negative"))
	}
	if r.MinHASEScore < 0 || r.MinHASEScore > hase.MaxScore {
		errs = append(errs, fmt.Errorf("min_hase_score must be within 0–%d", hase.MaxScore))
	}
	if r.MaxPastDueBalance.Valid && r.MaxPastDueBalance.Decimal.IsNegative() {
		errs = append(errs, errors.New("max_past_due_balance must not be negative"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("credit: invalid rules: %w", errors.Join(errs...))
	}
	return nil
}

// Reason explains one failed rule, or why no decision was made.
type Reason struct {
	// Code is stable ("score_buro_bajo", "score_hase_bajo", …).
	Code string `json:"code"`
	// Message is Spanish text for advisors.
	Message string `json:"message"`
	// Source is "kiban", "hase" or "reglas".
	Source string `json:"source"`
}

// Reason codes of Evaluate.
const (
	ReasonBureauScoreLow      = "score_buro_bajo"
	ReasonNoBureauScore       = "sin_score_buro"
	ReasonPastDue             = "saldo_vencido_excedido"
	ReasonBureauFlag          = "bandera_buro"
	ReasonHASEScoreLow        = "score_hase_bajo"
	ReasonHASERejected        = "hase_rechazado"
	ReasonProviderUnavailable = "proveedor_no_disponible"
	ReasonProviderError       = "error_proveedor"
)

// Evaluate applies r to a report and a score. It is pure: the same inputs give
// the same decision. It returns Aprobado with no reasons, or Rechazado with one
// reason per failed rule.
func (r Rules) Evaluate(rep *kiban.Report, res *hase.Result) (Status, []Reason) {
	var reasons []Reason
	if rep.Score.Valid {
		if rep.Score.Value < r.MinBureauScore {
			reasons = append(reasons, Reason{ReasonBureauScoreLow, fmt.Sprintf("Score de buró %d menor al mínimo %d", rep.Score.Value, r.MinBureauScore), "kiban"})
		}
	} else if r.RequireBureauScore {
		reasons = append(reasons, Reason{ReasonNoBureauScore, "Sin score de buró", "kiban"})
	}
	if r.MaxPastDueBalance.Valid {
		if pd := rep.PastDueBalance(); pd.GreaterThan(r.MaxPastDueBalance.Decimal) {
			reasons = append(reasons, Reason{ReasonPastDue, fmt.Sprintf("Saldo vencido %s MXN mayor al máximo %s MXN", pd.StringFixed(2), r.MaxPastDueBalance.Decimal.StringFixed(2)), "kiban"})
		}
	}
	for _, f := range r.RejectFlags {
		if rep.HasFlag(f) {
			reasons = append(reasons, Reason{ReasonBureauFlag, "Bandera de buró: " + string(f), "kiban"})
		}
	}
	if res.Score < r.MinHASEScore {
		reasons = append(reasons, Reason{ReasonHASEScoreLow, fmt.Sprintf("Score HASE %d menor al mínimo %d", res.Score, r.MinHASEScore), "hase"})
	}
	if r.FollowHASEDecision && res.Decision == hase.Rejected {
		reasons = append(reasons, Reason{ReasonHASERejected, "HASE recomienda rechazar", "hase"})
	}
	if len(reasons) == 0 {
		return Aprobado, nil
	}
	return Rechazado, reasons
}
