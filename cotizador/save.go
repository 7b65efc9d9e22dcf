package cotizador

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
)

// ErrQuoteMismatch is matched (errors.Is) by a *MismatchError: a submitted
// quote differs from what the server computes from its inputs.
var ErrQuoteMismatch = errors.New("cotizador: quote does not match its recomputation")

// MismatchError names the first field (a JSON path such as
// "schedule.rows[3].interest") where a submitted quote differs from the
// recomputed one.
type MismatchError struct {
	Field string
	Got   string
	Want  string
}

// Error is in Spanish, for the advisor.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("cotizador: la cotización no coincide con el cálculo del servidor en %s: recibido %s, esperado %s", e.Field, e.Got, e.Want)
}

// Is makes errors.Is(err, ErrQuoteMismatch) true.
func (e *MismatchError) Is(target error) bool { return target == ErrQuoteMismatch }

// VerifyQuote recomputes q from its own inputs (market, client, chosen
// components, down payment, term, start date) on the market's current
// package from src, and returns nil only if every field of the document —
// package snapshot, lines, amounts, the whole schedule and CAT, the folio —
// is identical. Broken rules come back as a *ValidationError, differences
// as a *MismatchError. The server never stores a table it would not
// produce itself.
func VerifyQuote(ctx context.Context, src PackageSource, q *Quote) error {
	_, err := verify(ctx, src, q)
	return err
}

// verify is VerifyQuote returning the server's own recomputation.
func verify(ctx context.Context, src PackageSource, q *Quote) (*Quote, error) {
	if q == nil || q.Schedule == nil {
		return nil, &MismatchError{Field: "schedule", Got: "null", Want: "la tabla de amortización"}
	}
	if !q.Request.Market.Valid() {
		return nil, &ValidationError{Errors: []FieldError{marketError(q.Request.Market)}}
	}
	pkg, err := src.Package(ctx, q.Request.Market)
	if err != nil {
		return nil, fmt.Errorf("cotizador: verify quote: %w", err)
	}
	if q.Request.Start.IsZero() {
		return nil, &MismatchError{Field: "start_date", Got: "", Want: "una fecha"}
	}
	fresh, err := NewQuote(pkg, q.Request, q.CreatedAt)
	if err != nil {
		return nil, err
	}
	if equalQuotes(q, fresh) {
		return fresh, nil
	}
	got, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("cotizador: verify quote: %w", err)
	}
	want, err := json.Marshal(fresh)
	if err != nil {
		return nil, fmt.Errorf("cotizador: verify quote: %w", err)
	}
	if bytes.Equal(got, want) {
		// Same document, different values: amounts finer than a cent.
		return nil, &MismatchError{Field: "(importes con más de dos decimales)", Got: "", Want: ""}
	}
	return nil, firstDifference(got, want)
}

// equalQuotes compares every field that reaches the quote document, by
// value (decimal.Equal), without encoding.
func equalQuotes(a, b *Quote) bool {
	ra, rb := a.Request, b.Request
	if a.Folio != b.Folio || !a.CreatedAt.Equal(b.CreatedAt) || ra.Market != rb.Market || ra.Client != rb.Client ||
		!slices.Equal(ra.Components, rb.Components) || !ra.DownPayment.Equal(rb.DownPayment) || ra.Term != rb.Term ||
		!ra.Start.Equal(rb.Start) {
		return false
	}
	pa, pb := &a.Package, &b.Package
	if pa.ID != pb.ID || pa.Name != pb.Name || pa.Market != pb.Market || !equalComponents(pa.Components, pb.Components) ||
		!pa.AnnualRate.Equal(pb.AnnualRate) || !slices.Equal(pa.Terms, pb.Terms) || pa.Frequency != pb.Frequency ||
		pa.method() != pb.method() || !pa.MinDownPayment.Equal(pb.MinDownPayment) || !pa.IVARate.Equal(pb.IVARate) ||
		!pa.Commission.Equal(pb.Commission) {
		return false
	}
	if !equalComponents(a.Lines, b.Lines) || !a.Subtotal.Equal(b.Subtotal) || !a.Financed.Equal(b.Financed) {
		return false
	}
	sa, sb := a.Schedule, b.Schedule
	if sa == nil || sb == nil {
		return sa == sb
	}
	if !sa.Payment.Equal(sb.Payment) || !sa.CAT.Equal(sb.CAT) || !sa.CommissionAmount.Equal(sb.CommissionAmount) ||
		!sa.LevelPayment.Equal(sb.LevelPayment) || !sa.Totals.Interest.Equal(sb.Totals.Interest) ||
		!sa.Totals.IVA.Equal(sb.Totals.IVA) || !sa.Totals.Principal.Equal(sb.Totals.Principal) ||
		!sa.Totals.Payment.Equal(sb.Totals.Payment) || len(sa.Rows) != len(sb.Rows) {
		return false
	}
	for i := range sa.Rows {
		x, y := &sa.Rows[i], &sb.Rows[i]
		if x.N != y.N || !x.DueDate.Equal(y.DueDate) || !x.OpeningBalance.Equal(y.OpeningBalance) ||
			!x.Interest.Equal(y.Interest) || !x.IVA.Equal(y.IVA) || !x.Principal.Equal(y.Principal) ||
			!x.Payment.Equal(y.Payment) || !x.ClosingBalance.Equal(y.ClosingBalance) {
			return false
		}
	}
	return true
}

func equalComponents(a, b []Component) bool {
	return slices.EqualFunc(a, b, func(x, y Component) bool {
		return x.Code == y.Code && x.Name == y.Name && x.ProductRef == y.ProductRef && x.Required == y.Required && x.Price.Equal(y.Price)
	})
}

// firstDifference compares two JSON documents leaf by leaf.
func firstDifference(got, want []byte) error {
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		return err
	}
	if err := json.Unmarshal(want, &w); err != nil {
		return err
	}
	gl, wl := map[string]string{}, map[string]string{}
	var order []string
	flatten("", w, wl, &order)
	flatten("", g, gl, nil)
	for _, path := range order {
		if gl[path] != wl[path] {
			return &MismatchError{Field: path, Got: gl[path], Want: wl[path]}
		}
	}
	var extra []string
	for path := range gl {
		if _, ok := wl[path]; !ok {
			extra = append(extra, path)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		return &MismatchError{Field: extra[0], Got: gl[extra[0]], Want: "(nada)"}
	}
	return &MismatchError{Field: "(documento)", Got: string(got), Want: string(want)}
}

// flatten maps each leaf of a decoded JSON value to its path, recording
// the paths in document order when order is non-nil (object keys sorted).
func flatten(prefix string, v any, out map[string]string, order *[]string) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, v[k], out, order)
		}
	case []any:
		out[prefix+".length"] = strconv.Itoa(len(v))
		if order != nil {
			*order = append(*order, prefix+".length")
		}
		for i, e := range v {
			flatten(prefix+"["+strconv.Itoa(i)+"]", e, out, order)
		}
	default:
		b, _ := json.Marshal(v)
		out[prefix] = string(b)
		if order != nil {
			*order = append(*order, prefix)
		}
	}
}

func marketError(m Market) FieldError {
	return FieldError{"market", RuleMarket, fmt.Sprintf("El mercado %q no existe; los mercados son edomex y aguascalientes", m)}
}

// RuleLead: a quote is saved on a lead (crm.lead) of the client.
const RuleLead Rule = "oportunidad_requerida"

// Attachment is a file to attach to the lead.
type Attachment struct {
	Name     string
	MimeType string
	Data     []byte
}

// SavedQuote is what a Store persists: the quote's JSON and PDF for the
// client's lead, and the chatter note to post.
type SavedQuote struct {
	Folio     string
	LeadID    int64
	PartnerID int64
	// Files are the JSON document ("<folio>.json", application/json) and
	// the PDF ("<folio>.pdf", application/pdf).
	Files []Attachment
	// Note is the chatter note, in Spanish.
	Note string
}

// Receipt is what a Store returns: the Odoo ids it created.
type Receipt struct {
	Folio         string  `json:"folio"`
	LeadID        int64   `json:"lead_id"`
	AttachmentIDs []int64 `json:"attachment_ids"`
	MessageID     int64   `json:"message_id"`
}

// Store persists verified quotes: in Odoo, ir.attachment records on the
// crm.lead plus a mail.message note (implemented in odoo/cmu).
// Implementations must be safe for concurrent use.
type Store interface {
	SaveQuote(ctx context.Context, q SavedQuote) (Receipt, error)
}

// MemoryStore is an in-process Store for development mode and tests. The
// zero value is ready; it is safe for concurrent use.
type MemoryStore struct {
	mu    sync.Mutex
	next  int64
	saved []SavedQuote
}

var _ Store = (*MemoryStore)(nil)

// SaveQuote implements Store, numbering attachments and notes from 1.
func (m *MemoryStore) SaveQuote(ctx context.Context, q SavedQuote) (Receipt, error) {
	if err := ctx.Err(); err != nil {
		return Receipt{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := Receipt{Folio: q.Folio, LeadID: q.LeadID}
	for range q.Files {
		m.next++
		r.AttachmentIDs = append(r.AttachmentIDs, m.next)
	}
	m.next++
	r.MessageID = m.next
	q.Files = slices.Clone(q.Files)
	m.saved = append(m.saved, q)
	return r, nil
}

// Saved returns the quotes saved so far, oldest first.
func (m *MemoryStore) Saved() []SavedQuote {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.saved)
}

// Cotizador is the quote service the server calls: it prices requests on
// the current packages and saves verified quotes. Fields are set once;
// methods are safe for concurrent use when Packages and Store are.
type Cotizador struct {
	// Packages is the source of product packages (required).
	Packages PackageSource
	// Store persists saved quotes (required by Save only).
	Store Store
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (c *Cotizador) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Package returns the current package of a market (GET
// /api/cotizador/paquete/:mercado). An unknown market is a
// *ValidationError.
func (c *Cotizador) Package(ctx context.Context, market Market) (Package, error) {
	if !market.Valid() {
		return Package{}, &ValidationError{Errors: []FieldError{marketError(market)}}
	}
	p, err := c.Packages.Package(ctx, market)
	if err != nil {
		return Package{}, fmt.Errorf("cotizador: package %s: %w", market, err)
	}
	return p, nil
}

// Quote prices req on its market's current package (see NewQuote).
func (c *Cotizador) Quote(ctx context.Context, req Request) (*Quote, error) {
	pkg, err := c.Package(ctx, req.Market)
	if err != nil {
		return nil, err
	}
	return NewQuote(pkg, req, c.now())
}

// Save verifies q (VerifyQuote), renders the JSON and PDF of the server's
// own recomputation (identical to q) and stores them
// on the client's lead with a chatter note (POST /api/cotizador/save). A
// quote without a lead is a *ValidationError (RuleLead); one that differs
// from its recomputation a *MismatchError; nothing is stored then.
func (c *Cotizador) Save(ctx context.Context, q *Quote) (Receipt, error) {
	if c.Store == nil {
		return Receipt{}, errors.New("cotizador: save: no Store configured")
	}
	if q == nil || q.Request.Client.LeadID <= 0 {
		return Receipt{}, &ValidationError{Errors: []FieldError{{"client.lead_id", RuleLead,
			"La cotización debe estar ligada a una oportunidad del cliente para guardarse"}}}
	}
	// Store the server's own computation, proven identical to q.
	q, err := verify(ctx, c.Packages, q)
	if err != nil {
		return Receipt{}, err
	}
	doc, err := json.MarshalIndent(q, "", "  ")
	if err != nil {
		return Receipt{}, fmt.Errorf("cotizador: save %s: %w", q.Folio, err)
	}
	var pdf bytes.Buffer
	if err := WritePDF(&pdf, q, nil); err != nil {
		return Receipt{}, fmt.Errorf("cotizador: save %s: %w", q.Folio, err)
	}
	r, err := c.Store.SaveQuote(ctx, SavedQuote{
		Folio:     q.Folio,
		LeadID:    q.Request.Client.LeadID,
		PartnerID: q.Request.Client.PartnerID,
		Files: []Attachment{
			{Name: q.Folio + ".json", MimeType: "application/json", Data: doc},
			{Name: q.Folio + ".pdf", MimeType: "application/pdf", Data: pdf.Bytes()},
		},
		Note: Note(q),
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("cotizador: save %s: %w", q.Folio, err)
	}
	return r, nil
}

// Note is the chatter note posted with a saved quote, in Spanish.
func Note(q *Quote) string {
	s := q.Schedule
	return fmt.Sprintf("Cotización %s guardada: %s (%s). Total %s MXN, enganche %s MXN (%s%%), monto financiado %s MXN, %d pagos %s de %s MXN con IVA, tasa anual %s, CAT %s%% sin IVA.",
		q.Folio, q.Package.Name, q.Package.Market.DisplayName(), FormatMXN(q.Subtotal), FormatMXN(q.Request.DownPayment),
		q.DownPaymentPercent().StringFixed(1), FormatMXN(q.Financed), q.Request.Term, frequencyPlural(q.Package.Frequency),
		FormatMXN(s.Payment), formatPercent(q.Package.AnnualRate), s.CATString())
}
