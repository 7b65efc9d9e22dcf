package cotizador

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
)

// Client identifies who a quote is for. LeadID is the Odoo crm.lead the
// quote is saved on; PartnerID the res.partner. Both may be 0 for an
// anonymous quote, which can be shown but not saved.
type Client struct {
	PartnerID int64
	LeadID    int64
	Name      string
}

// Request is what a client chooses: a market's package, the optional
// components wanted, the down payment and the term.
type Request struct {
	// Market whose package is quoted.
	Market Market
	// Client the quote is for.
	Client Client
	// Components are the codes of the optional components chosen; the
	// package's required components are always included. Order and
	// repetition do not matter.
	Components []string
	// DownPayment (enganche) in MXN, whole cents.
	DownPayment decimal.Decimal
	// Term is the number of payments; it must be one of the package's Terms.
	Term int
	// Start is the disbursement date; zero means today (the caller's clock).
	Start time.Time
}

// Quote is a priced, validated request with its schedule: the document
// shown to the client, saved on the lead and rendered as PDF. It carries
// a snapshot of the package it was computed from, so it can be checked
// and re-rendered later.
type Quote struct {
	// Folio is a stable identifier derived from the quote's inputs
	// ("COT-EDOMEX-20260105-1a2b3c4d").
	Folio string
	// CreatedAt is when the quote was made (UTC).
	CreatedAt time.Time
	// Request holds the inputs, with Start set and Components normalized
	// (sorted, unique).
	Request Request
	// Package is the snapshot of the package used.
	Package Package
	// Lines are the components quoted (required + chosen), package order.
	Lines []Component
	// Subtotal is the sum of the Lines' prices.
	Subtotal decimal.Decimal
	// Financed is Subtotal − DownPayment: the schedule's principal.
	Financed decimal.Decimal
	// Schedule is the amortization table of Financed on the package's
	// terms, with the CAT.
	Schedule *amortization.Schedule
}

// Rule names a business rule of quotes. Values are stable (they reach the
// PWA in error payloads); append only.
type Rule string

// The rules every quote must follow.
const (
	// RuleMarket: the market exists and the package belongs to it.
	RuleMarket Rule = "mercado_valido"
	// RuleTerm: the term is one of the package's allowed terms.
	RuleTerm Rule = "plazo_permitido"
	// RuleComponent: only the package's optional components may be chosen.
	RuleComponent Rule = "componente_permitido"
	// RulePositiveAmount: amounts are positive (or zero where allowed) and
	// in whole cents.
	RulePositiveAmount Rule = "monto_positivo"
	// RuleMinDownPayment: the down payment is at least the package's
	// minimum percentage of the subtotal.
	RuleMinDownPayment Rule = "enganche_minimo"
	// RuleFinanced: something is left to finance (down payment < subtotal)
	// and the schedule can be computed.
	RuleFinanced Rule = "monto_financiado"
)

// ErrInvalidQuote is matched (errors.Is) by every *ValidationError.
var ErrInvalidQuote = errors.New("cotizador: invalid quote")

// FieldError is a broken rule: the request field concerned (market, term,
// components, down_payment, start), the rule, and a message in Spanish for
// the client naming the rule's data.
type FieldError struct {
	Field   string `json:"field"`
	Rule    Rule   `json:"rule"`
	Message string `json:"message"`
}

// ValidationError lists every rule a request breaks.
type ValidationError struct {
	Errors []FieldError
}

// Error joins the Spanish messages.
func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		msgs[i] = f.Message
	}
	return "cotizador: " + strings.Join(msgs, "; ")
}

// Is makes errors.Is(err, ErrInvalidQuote) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidQuote }

// Fields returns field → message (the first message of each field), the
// shape of a Valid(ctx) map[string]string validator.
func (e *ValidationError) Fields() map[string]string {
	m := make(map[string]string, len(e.Errors))
	for _, f := range e.Errors {
		if _, ok := m[f.Field]; !ok {
			m[f.Field] = f.Message
		}
	}
	return m
}

// frequencyPlural is the Spanish adjective for n payments of frequency f.
func frequencyPlural(f amortization.Frequency) string {
	switch f {
	case amortization.Weekly:
		return "semanales"
	case amortization.Catorcenal:
		return "catorcenales"
	case amortization.Quincenal:
		return "quincenales"
	case amortization.Monthly:
		return "mensuales"
	}
	return string(f)
}

// joinSpanish joins items as "a, b y c".
func joinSpanish(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " y " + items[len(items)-1]
}

// minDownPayment is the package's minimum down payment on subtotal,
// rounded half-up to cents.
func minDownPayment(pkg *Package, subtotal decimal.Decimal) decimal.Decimal {
	return subtotal.Mul(pkg.MinDownPayment).Round(2)
}

// rule is one entry of the rules table: it appends the errors of a
// request priced on a package.
type rule struct {
	name  Rule
	check func(pkg *Package, req *Request, subtotal decimal.Decimal) []FieldError
}

// rules is the rules table, applied in order. Constant-like: never mutated.
var rules = []rule{
	{RuleMarket, func(pkg *Package, req *Request, _ decimal.Decimal) []FieldError {
		if !req.Market.Valid() {
			return []FieldError{marketError(req.Market)}
		}
		if pkg.Market != req.Market {
			return []FieldError{{"market", RuleMarket, fmt.Sprintf("El paquete %q es del mercado %s, no de %s", pkg.Name, pkg.Market, req.Market)}}
		}
		return nil
	}},
	{RuleTerm, func(pkg *Package, req *Request, _ decimal.Decimal) []FieldError {
		if slices.Contains(pkg.Terms, req.Term) {
			return nil
		}
		terms := make([]string, len(pkg.Terms))
		for i, t := range pkg.Terms {
			terms[i] = strconv.Itoa(t)
		}
		return []FieldError{{"term", RuleTerm, fmt.Sprintf("El plazo de %d pagos no está permitido para %s; plazos permitidos: %s pagos %s",
			req.Term, pkg.Market, joinSpanish(terms), frequencyPlural(pkg.Frequency))}}
	}},
	{RuleComponent, func(pkg *Package, req *Request, _ decimal.Decimal) []FieldError {
		var errs []FieldError
		for _, code := range req.Components {
			if _, ok := pkg.Component(code); !ok {
				errs = append(errs, FieldError{"components", RuleComponent, fmt.Sprintf("El componente %q no está disponible en el paquete de %s", code, pkg.Market)})
			}
		}
		return errs
	}},
	{RulePositiveAmount, func(_ *Package, req *Request, _ decimal.Decimal) []FieldError {
		switch {
		case req.DownPayment.IsNegative():
			return []FieldError{{"down_payment", RulePositiveAmount, fmt.Sprintf("El enganche no puede ser negativo (%s MXN)", FormatMXN(req.DownPayment))}}
		case !req.DownPayment.Equal(req.DownPayment.Round(2)):
			return []FieldError{{"down_payment", RulePositiveAmount, fmt.Sprintf("El enganche debe expresarse en pesos y centavos (%s)", req.DownPayment)}}
		}
		return nil
	}},
	{RuleMinDownPayment, func(pkg *Package, req *Request, subtotal decimal.Decimal) []FieldError {
		min := minDownPayment(pkg, subtotal)
		if req.DownPayment.LessThan(min) {
			return []FieldError{{"down_payment", RuleMinDownPayment, fmt.Sprintf("El enganche mínimo para %s es %s (%s MXN)", pkg.Market, formatPercent(pkg.MinDownPayment), FormatMXN(min))}}
		}
		return nil
	}},
	{RuleFinanced, func(_ *Package, req *Request, subtotal decimal.Decimal) []FieldError {
		if req.DownPayment.GreaterThanOrEqual(subtotal) {
			return []FieldError{{"down_payment", RuleFinanced, fmt.Sprintf("El enganche (%s MXN) debe ser menor que el total de los componentes (%s MXN); una compra de contado no se cotiza a plazos",
				FormatMXN(req.DownPayment), FormatMXN(subtotal))}}
		}
		return nil
	}},
}

// lines returns the quoted components: required ones and the chosen
// optional ones, in package order.
func lines(pkg *Package, chosen []string) ([]Component, decimal.Decimal) {
	var out []Component
	var subtotal decimal.Decimal
	for _, c := range pkg.Components {
		if c.Required || slices.Contains(chosen, c.Code) {
			out = append(out, c)
			subtotal = subtotal.Add(c.Price)
		}
	}
	return out, subtotal
}

// normalize sorts and de-duplicates the chosen components and sets Start
// to now's date when zero.
func normalize(req Request, now time.Time) Request {
	req.Components = slices.Compact(slices.Sorted(slices.Values(req.Components)))
	if req.Start.IsZero() {
		req.Start = now
	}
	y, m, d := req.Start.Date()
	req.Start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return req
}

// check runs the rules table.
func check(pkg *Package, req *Request) []FieldError {
	_, subtotal := lines(pkg, req.Components)
	var errs []FieldError
	for _, r := range rules {
		errs = append(errs, r.check(pkg, req, subtotal)...)
	}
	return errs
}

// NewQuote prices req on pkg: it applies every rule, computes the
// financed amount and its schedule, and returns the quote. now is the
// creation time (and the start date when req.Start is zero). Broken rules
// are returned together as a *ValidationError; an unusable package as a
// plain error.
func NewQuote(pkg Package, req Request, now time.Time) (*Quote, error) {
	if err := pkg.Validate(); err != nil {
		return nil, err
	}
	pkg = pkg.clone()
	req = normalize(req, now)
	if errs := check(&pkg, &req); len(errs) > 0 {
		return nil, &ValidationError{Errors: errs}
	}
	ls, subtotal := lines(&pkg, req.Components)
	financed := subtotal.Sub(req.DownPayment)
	s, err := amortization.New(amortization.Inputs{
		Principal:  financed,
		AnnualRate: pkg.AnnualRate,
		Periods:    req.Term,
		Frequency:  pkg.Frequency,
		Method:     pkg.method(),
		IVARate:    pkg.IVARate,
		Commission: pkg.Commission,
		Start:      req.Start,
	})
	if err != nil {
		var ie *amortization.InputError
		if errors.As(err, &ie) {
			return nil, &ValidationError{Errors: []FieldError{{"down_payment", RuleFinanced,
				fmt.Sprintf("El monto a financiar (%s MXN) no se puede calcular: %s", FormatMXN(financed), ie.Error())}}}
		}
		return nil, fmt.Errorf("cotizador: schedule: %w", err)
	}
	q := &Quote{
		CreatedAt: now.UTC(),
		Request:   req,
		Package:   pkg,
		Lines:     ls,
		Subtotal:  subtotal,
		Financed:  financed,
		Schedule:  s,
	}
	q.Folio = folio(q)
	return q, nil
}

// Valid re-applies every rule to the quote's own request and package
// snapshot and returns field → Spanish message; an empty map means valid.
// It does not consult the current package (see VerifyQuote).
func (q *Quote) Valid(ctx context.Context) map[string]string {
	_ = ctx
	pkg := q.Package
	errs := check(&pkg, &q.Request)
	if len(errs) == 0 {
		return map[string]string{}
	}
	return (&ValidationError{Errors: errs}).Fields()
}

// DownPaymentPercent is the down payment as a percentage of the subtotal,
// rounded half-up to one decimal.
func (q *Quote) DownPaymentPercent() decimal.Decimal {
	if !q.Subtotal.IsPositive() {
		return decimal.Decimal{}
	}
	return q.Request.DownPayment.Shift(2).DivRound(q.Subtotal, 1)
}

// folio derives a stable identifier from the quote's inputs.
func folio(q *Quote) string {
	h := sha256.New()
	r := q.Request
	fmt.Fprintf(h, "%s|%d|%s|%d|%d|%s|%s|%d|%s|%s", r.Market, q.Package.ID, q.Package.Name, r.Client.PartnerID, r.Client.LeadID,
		strings.Join(r.Components, ","), r.DownPayment.StringFixed(2), r.Term, r.Start.Format(time.DateOnly), q.Schedule.Payment.StringFixed(2))
	return fmt.Sprintf("COT-%s-%s-%s", strings.ToUpper(string(r.Market)), r.Start.Format("20060102"), hex.EncodeToString(h.Sum(nil))[:8])
}

// Subtotal is the total price of pkg's required components plus the
// chosen optional ones (unknown codes are ignored).
func Subtotal(pkg Package, chosen []string) decimal.Decimal {
	_, s := lines(&pkg, chosen)
	return s
}

// MinDownPayment is pkg's minimum down payment on subtotal: subtotal ×
// MinDownPayment, rounded half-up to cents.
func MinDownPayment(pkg Package, subtotal decimal.Decimal) decimal.Decimal {
	return minDownPayment(&pkg, subtotal)
}
