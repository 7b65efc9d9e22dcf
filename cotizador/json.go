package cotizador

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/amortization"
)

// money is a decimal that encodes with exactly two decimals ("1234.50").
type money decimal.Decimal

// MarshalJSON writes the amount as a string with two decimals.
func (m money) MarshalJSON() ([]byte, error) {
	return json.Marshal(decimal.Decimal(m).StringFixed(2))
}

// UnmarshalJSON reads a decimal string with at most two decimals.
func (m *money) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("amount must be a string: %w", err)
	}
	if strings.ContainsAny(s, "eE \t") {
		return fmt.Errorf("invalid amount %q", s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return err
	}
	if !d.Equal(d.Truncate(2)) {
		return fmt.Errorf("amount %q has more than two decimals", s)
	}
	*m = money(d)
	return nil
}

// rate is a decimal fraction, encoded by decimal as a string without
// trailing zeros ("0.36").
type rate = decimal.Decimal

type componentJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	ProductRef string `json:"product_ref"`
	Price      money  `json:"price"`
	Required   bool   `json:"required"`
}

type packageJSON struct {
	ID             int64                  `json:"id"`
	Name           string                 `json:"name"`
	Market         Market                 `json:"market"`
	Components     []componentJSON        `json:"components"`
	AnnualRate     rate                   `json:"annual_rate"`
	Terms          []int                  `json:"terms"`
	Frequency      amortization.Frequency `json:"frequency"`
	Method         amortization.Method    `json:"method"`
	MinDownPayment rate                   `json:"min_down_payment"`
	IVARate        rate                   `json:"iva_rate"`
	Commission     rate                   `json:"commission"`
}

type clientJSON struct {
	PartnerID int64  `json:"partner_id"`
	LeadID    int64  `json:"lead_id"`
	Name      string `json:"name"`
}

type quoteJSON struct {
	Folio            string                 `json:"folio"`
	CreatedAt        time.Time              `json:"created_at"`
	Client           clientJSON             `json:"client"`
	Market           Market                 `json:"market"`
	Components       []string               `json:"components"`
	DownPayment      money                  `json:"down_payment"`
	Term             int                    `json:"term"`
	StartDate        string                 `json:"start_date"`
	Package          packageJSON            `json:"package"`
	Lines            []componentJSON        `json:"lines"`
	Subtotal         money                  `json:"subtotal"`
	DownPaymentPct   string                 `json:"down_payment_percent"`
	Financed         money                  `json:"financed"`
	CommissionAmount money                  `json:"commission_amount"`
	LevelPayment     money                  `json:"level_payment"`
	Schedule         *amortization.Schedule `json:"schedule"`
}

func (p Package) toJSON() packageJSON {
	terms := p.Terms
	if terms == nil {
		terms = []int{}
	}
	return packageJSON{
		ID: p.ID, Name: p.Name, Market: p.Market,
		Components: componentsToJSON(p.Components),
		AnnualRate: p.AnnualRate, Terms: terms, Frequency: p.Frequency,
		Method: p.method(), MinDownPayment: p.MinDownPayment, IVARate: p.IVARate,
		Commission: p.Commission,
	}
}

func (w packageJSON) toPackage() Package {
	return Package{
		ID: w.ID, Name: w.Name, Market: w.Market,
		Components: componentsFromJSON(w.Components),
		AnnualRate: w.AnnualRate, Terms: w.Terms, Frequency: w.Frequency,
		Method: w.Method, MinDownPayment: w.MinDownPayment, IVARate: w.IVARate,
		Commission: w.Commission,
	}
}

// MarshalJSON encodes the package for the PWA (GET
// /api/cotizador/paquete/:mercado): {"id","name","market","components":
// [{"code","name","product_ref","price","required"}],"annual_rate",
// "terms","frequency","method","min_down_payment","iva_rate",
// "commission"} with prices as two-decimal strings and rates as decimal
// fraction strings ("0.36").
func (p Package) MarshalJSON() ([]byte, error) {
	return json.Marshal(p.toJSON())
}

// UnmarshalJSON decodes the shape MarshalJSON writes.
func (p *Package) UnmarshalJSON(b []byte) error {
	var w packageJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("cotizador: decode package: %w", err)
	}
	*p = w.toPackage()
	return nil
}

func componentsToJSON(cs []Component) []componentJSON {
	out := make([]componentJSON, len(cs))
	for i, c := range cs {
		out[i] = componentJSON{c.Code, c.Name, c.ProductRef, money(c.Price), c.Required}
	}
	return out
}

func componentsFromJSON(cs []componentJSON) []Component {
	out := make([]Component, len(cs))
	for i, c := range cs {
		out[i] = Component{c.Code, c.Name, c.ProductRef, decimal.Decimal(c.Price), c.Required}
	}
	return out
}

// MarshalJSON encodes the quote document: folio, created_at, the inputs
// (client, market, components, down_payment, term, start_date), the
// package snapshot, the priced lines, subtotal, down_payment_percent,
// financed, commission_amount, level_payment and the schedule in
// amortization's JSON shape. Money is a string with two decimals; rates
// are decimal strings (fractions).
func (q Quote) MarshalJSON() ([]byte, error) {
	comps := q.Request.Components
	if comps == nil {
		comps = []string{}
	}
	w := quoteJSON{
		Folio:          q.Folio,
		CreatedAt:      q.CreatedAt,
		Client:         clientJSON(q.Request.Client),
		Market:         q.Request.Market,
		Components:     comps,
		DownPayment:    money(q.Request.DownPayment),
		Term:           q.Request.Term,
		StartDate:      q.Request.Start.Format(time.DateOnly),
		Package:        q.Package.toJSON(),
		Lines:          componentsToJSON(q.Lines),
		Subtotal:       money(q.Subtotal),
		DownPaymentPct: q.DownPaymentPercent().StringFixed(1),
		Financed:       money(q.Financed),
		Schedule:       q.Schedule,
	}
	if q.Schedule != nil {
		w.CommissionAmount = money(q.Schedule.CommissionAmount)
		w.LevelPayment = money(q.Schedule.LevelPayment)
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes the document MarshalJSON writes. The schedule's
// Inputs are rebuilt from the quote's own fields; nothing is recomputed —
// use VerifyQuote before trusting a decoded quote.
func (q *Quote) UnmarshalJSON(b []byte) error {
	var w quoteJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("cotizador: decode quote: %w", err)
	}
	start, err := time.Parse(time.DateOnly, w.StartDate)
	if err != nil {
		return fmt.Errorf("cotizador: decode quote start_date: %w", err)
	}
	pkg := w.Package.toPackage()
	out := Quote{
		Folio:     w.Folio,
		CreatedAt: w.CreatedAt,
		Request: Request{
			Market: w.Market, Client: Client(w.Client), Components: w.Components,
			DownPayment: decimal.Decimal(w.DownPayment), Term: w.Term, Start: start,
		},
		Package:  pkg,
		Lines:    componentsFromJSON(w.Lines),
		Subtotal: decimal.Decimal(w.Subtotal),
		Financed: decimal.Decimal(w.Financed),
		Schedule: w.Schedule,
	}
	if out.Schedule != nil {
		out.Schedule.CommissionAmount = decimal.Decimal(w.CommissionAmount)
		out.Schedule.LevelPayment = decimal.Decimal(w.LevelPayment)
		out.Schedule.Inputs = amortization.Inputs{
			Principal: out.Financed, AnnualRate: pkg.AnnualRate, Periods: w.Term, Frequency: pkg.Frequency,
			Method: pkg.method(), IVARate: pkg.IVARate, Commission: pkg.Commission, Start: start,
		}
	}
	*q = out
	return nil
}

type requestJSON struct {
	Market      Market          `json:"market"`
	Client      clientJSON      `json:"client"`
	Components  []string        `json:"components"`
	DownPayment decimal.Decimal `json:"down_payment"`
	Term        int             `json:"term"`
	StartDate   string          `json:"start_date,omitempty"`
}

// MarshalJSON encodes the request as {"market","client":{"partner_id",
// "lead_id","name"},"components","down_payment","term","start_date"}
// with down_payment a two-decimal string and start_date YYYY-MM-DD
// (omitted when zero).
func (r Request) MarshalJSON() ([]byte, error) {
	comps := r.Components
	if comps == nil {
		comps = []string{}
	}
	w := struct {
		Market      Market     `json:"market"`
		Client      clientJSON `json:"client"`
		Components  []string   `json:"components"`
		DownPayment money      `json:"down_payment"`
		Term        int        `json:"term"`
		StartDate   string     `json:"start_date,omitempty"`
	}{Market: r.Market, Client: clientJSON(r.Client), Components: comps, DownPayment: money(r.DownPayment), Term: r.Term}
	if !r.Start.IsZero() {
		w.StartDate = r.Start.Format(time.DateOnly)
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what the PWA posts: the shape MarshalJSON writes,
// with down_payment as a string or a JSON number (parsed from its text,
// never through float64) and start_date optional.
func (r *Request) UnmarshalJSON(b []byte) error {
	var w requestJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("cotizador: decode request: %w", err)
	}
	out := Request{Market: w.Market, Client: Client(w.Client), Components: w.Components, DownPayment: w.DownPayment, Term: w.Term}
	if w.StartDate != "" {
		t, err := time.Parse(time.DateOnly, w.StartDate)
		if err != nil {
			return fmt.Errorf("cotizador: decode request start_date: %w", err)
		}
		out.Start = t
	}
	*r = out
	return nil
}
