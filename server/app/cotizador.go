package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/cotizador"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
	"github.com/shopspring/decimal"
)

// OdooPackages is a cotizador.PackageSource over Odoo's product packages
// (x_cmu_product_package through odoo/cmu): a market's package is its first
// active one. Safe for concurrent use.
type OdooPackages struct {
	Service *cmu.Service
}

var _ cotizador.PackageSource = OdooPackages{}

// Package implements cotizador.PackageSource.
func (s OdooPackages) Package(ctx context.Context, m cotizador.Market) (cotizador.Package, error) {
	ps, err := s.Service.Packages(ctx, cmu.Market(m))
	if err != nil {
		return cotizador.Package{}, fmt.Errorf("app: packages of %s: %w", m, err)
	}
	for _, p := range ps {
		if p.Active {
			return cotizadorPackage(&p), nil
		}
	}
	return cotizador.Package{}, fmt.Errorf("app: market %s: %w", m, cotizador.ErrNoPackage)
}

// cotizadorPackage maps an Odoo package to the cotizador's.
func cotizadorPackage(p *cmu.ProductPackage) cotizador.Package {
	out := cotizador.Package{ID: p.ID, Name: p.Name, Market: cotizador.Market(p.Market), AnnualRate: p.AnnualRate,
		Terms: slices.Clone(p.Terms), Frequency: p.Frequency, Method: p.Method, MinDownPayment: p.MinDownPayment,
		IVARate: p.IVARate, Commission: p.Commission}
	for _, c := range p.Components {
		out.Components = append(out.Components, cotizador.Component{Code: c.Code, Name: c.Name, ProductRef: c.ProductRef, Price: c.Price, Required: c.Required})
	}
	return out
}

// OdooQuoteStore is a cotizador.Store over Odoo: each file becomes an
// ir.attachment on the crm.lead (an attachment of the same name already on
// the lead is reused, so a retried save duplicates nothing) and the note is
// posted on the partner and the lead. Safe for concurrent use.
type OdooQuoteStore struct {
	Service *cmu.Service
	Odoo    *odoo.Client
}

var _ cotizador.Store = OdooQuoteStore{}

type authorKey struct{}

// SaveQuote implements cotizador.Store. The receipt lists the attachments in
// the order of q.Files and the lead's message id.
func (s OdooQuoteStore) SaveQuote(ctx context.Context, q cotizador.SavedQuote) (cotizador.Receipt, error) {
	r := cotizador.Receipt{Folio: q.Folio, LeadID: q.LeadID}
	for _, f := range q.Files {
		id, err := attach(ctx, s.Odoo, odoo.ModelLead, q.LeadID, f.Name, f.MimeType, f.Data)
		if err != nil {
			return r, fmt.Errorf("app: save quote %s: %w", q.Folio, err)
		}
		r.AttachmentIDs = append(r.AttachmentIDs, id)
	}
	author, _ := ctx.Value(authorKey{}).(string)
	if author == "" {
		author = "Cotizador CMu"
	}
	ids, err := s.Service.PostEvent(ctx, cmu.Event{ClientID: q.PartnerID, LeadID: q.LeadID, Type: "cotizacion_guardada", Message: q.Note, Author: author})
	if err != nil {
		return r, fmt.Errorf("app: save quote %s: note: %w", q.Folio, err)
	}
	if len(ids) > 0 {
		r.MessageID = ids[len(ids)-1]
	}
	return r, nil
}

// attach returns the attachment named name on model/id, creating it when
// absent (two calls at most).
func attach(ctx context.Context, oc *odoo.Client, model string, id int64, name, mimetype string, data []byte) (int64, error) {
	ids, err := oc.Search(ctx, odoo.ModelAttachment, odoo.And(odoo.Eq("res_model", model), odoo.Eq("res_id", id), odoo.Eq("name", name)),
		&odoo.SearchOptions{Limit: 1})
	if err != nil {
		return 0, fmt.Errorf("look up attachment %q: %w", name, err)
	}
	if len(ids) > 0 {
		return ids[0], nil
	}
	v := map[string]any{"name": name, "type": "binary", "datas": data, "res_model": model, "res_id": id, "mimetype": mimetype}
	aid, err := oc.Create(ctx, odoo.ModelAttachment, v, nil)
	if err != nil {
		return 0, fmt.Errorf("attach %q: %w", name, err)
	}
	return aid, nil
}

// Cotizador implements server.CotizadorService: packages from Odoo and quotes
// saved as JSON + PDF on the client's lead after cotizador.VerifyQuote.
type Cotizador struct {
	svc *cmu.Service
	oc  *odoo.Client
	cot *cotizador.Cotizador
	pub *publisher
	now func() time.Time
}

var _ server.CotizadorService = (*Cotizador)(nil)

// Package implements server.CotizadorService: the market's first active
// package in Odoo, with its components' product ids.
func (c *Cotizador) Package(ctx context.Context, m server.Market) (*server.ProductPackage, error) {
	ps, err := c.svc.Packages(ctx, cmu.Market(m))
	if err != nil {
		return nil, mapError(err, "el mercado "+string(m))
	}
	for i := range ps {
		if ps[i].Active {
			return productPackage(&ps[i]), nil
		}
	}
	return nil, server.NewError(server.KindNotFound, "No hay paquete de productos activo para el mercado "+string(m))
}

// productPackage maps an Odoo package to the PWA's (percentages in the Pct
// fields, rates as fractions).
func productPackage(p *cmu.ProductPackage) *server.ProductPackage {
	hundred := decimal.NewFromInt(100)
	out := &server.ProductPackage{ID: p.ID, Market: server.Market(p.Market), Name: p.Name,
		Components: make([]server.PackageComponent, 0, len(p.Components)), Total: server.NewMoney(p.Total()),
		AnnualRate: p.AnnualRate, AllowedTerms: slices.Clone(p.Terms), Frequency: frequencyOf(p.Frequency),
		MinDownPaymentPct: p.MinDownPayment.Mul(hundred), IVARate: p.IVARate, OpeningCommissionPct: p.Commission.Mul(hundred)}
	for _, c := range p.Components {
		out.Components = append(out.Components, server.PackageComponent{ProductID: c.ProductID, Name: c.Name, Price: server.NewMoney(c.Price)})
	}
	return out
}

// frequencyOf names an amortization frequency as the PWA does.
func frequencyOf(f amortization.Frequency) server.Frequency {
	switch f {
	case amortization.Weekly:
		return "semanal"
	case amortization.Monthly:
		return "mensual"
	}
	return server.Frequency(f) // quincenal, catorcenal
}

// periods converts a term in months to the package's number of payments;
// it must be whole and allowed by the package.
func periods(p *cotizador.Package, months int, want server.Frequency) (int, error) {
	if want != "" && want != frequencyOf(p.Frequency) {
		return 0, unprocessable("El paquete de %s se paga con frecuencia %s, no %s", p.Market, frequencyOf(p.Frequency), want)
	}
	ppy := p.Frequency.PeriodsPerYear()
	allowed := make([]string, 0, len(p.Terms))
	for _, t := range p.Terms {
		if t*12%ppy == 0 {
			allowed = append(allowed, strconv.Itoa(t*12/ppy))
		}
	}
	if months*ppy%12 == 0 && slices.Contains(p.Terms, months*ppy/12) {
		return months * ppy / 12, nil
	}
	return 0, unprocessable("El plazo de %d meses no está permitido para el paquete de %s (plazos: %s meses)", months, p.Market, strings.Join(allowed, ", "))
}

// quoteFor prices a request on the market's package: the client's market must
// be the request's.
func (c *Cotizador) quoteFor(ctx context.Context, cl *cmu.Client, leadID int64, m server.Market, months int, freq server.Frequency, down string) (*cotizador.Quote, error) {
	if server.Market(cl.Market) != m {
		return nil, unprocessable("El cliente %d es del mercado %s, no de %s", cl.ID, cl.Market, m)
	}
	p, err := c.cot.Package(ctx, cotizador.Market(m))
	if err != nil {
		return nil, mapError(err, "el mercado "+string(m))
	}
	n, err := periods(&p, months, freq)
	if err != nil {
		return nil, err
	}
	dp, err := decimal.NewFromString(down)
	if err != nil {
		return nil, invalid("El campo downPayment debe ser un monto")
	}
	q, err := cotizador.NewQuote(p, cotizador.Request{Market: cotizador.Market(m),
		Client: cotizador.Client{PartnerID: cl.ID, LeadID: leadID, Name: cl.Name}, DownPayment: dp, Term: n}, c.now())
	if err != nil {
		return nil, mapError(err, "la cotización")
	}
	return q, nil
}

// SaveQuote implements server.CotizadorService. Without a lead id the
// client's most recent opportunity is used.
func (c *Cotizador) SaveQuote(ctx context.Context, advisorID string, req server.SaveQuoteRequest) (*server.SavedQuote, error) {
	cl, err := c.svc.ClientInfo(ctx, req.ClientID)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	lead := req.LeadID
	if lead != 0 {
		if err := checkLeadOf(ctx, c.oc, lead, req.ClientID); err != nil {
			return nil, err
		}
	} else if lead, err = latestLead(ctx, c.oc, req.ClientID); err != nil {
		return nil, err
	}
	q, err := c.quoteFor(ctx, cl, lead, req.Market, req.TermMonths, req.Frequency, req.DownPayment)
	if err != nil {
		return nil, err
	}
	author := authorName(ctx, advisorID)
	rc, err := c.cot.Save(context.WithValue(ctx, authorKey{}, author), q)
	if err != nil {
		return nil, mapError(err, "la cotización")
	}
	out := &server.SavedQuote{LeadID: rc.LeadID, Financed: server.NewMoney(q.Financed), Installment: server.NewMoney(q.Schedule.Payment),
		TotalPaid: server.NewMoney(q.Schedule.Totals.Payment), CAT: q.Schedule.CAT, Schedule: scheduleRows(q.Schedule)}
	if len(rc.AttachmentIDs) == 2 {
		out.JSONAttachmentID, out.PDFAttachmentID = rc.AttachmentIDs[0], rc.AttachmentIDs[1]
	}
	c.pub.applied(ctx, req.ClientID, server.Market(cl.Market), "cotizacion", &server.EventLogEntry{ID: rc.MessageID, ClientID: req.ClientID,
		LeadID: rc.LeadID, Type: "cotizacion_guardada", Message: cotizador.Note(q), Author: author, CreatedAt: c.now().UTC()}, nil)
	return out, nil
}

// latestLead returns the client's most recent opportunity (one call).
func latestLead(ctx context.Context, oc *odoo.Client, clientID int64) (int64, error) {
	id, err := odooapp.LatestLead(ctx, oc, clientID)
	if err != nil {
		return 0, mapError(err, fmt.Sprintf("las oportunidades del cliente %d", clientID))
	}
	if id == 0 {
		return 0, unprocessable("El cliente %d no tiene una oportunidad donde guardar la cotización", clientID)
	}
	return id, nil
}

// scheduleRows maps amortization rows for the PWA.
func scheduleRows(s *amortization.Schedule) []server.ScheduleRow {
	out := make([]server.ScheduleRow, 0, len(s.Rows))
	for _, r := range s.Rows {
		out = append(out, server.ScheduleRow{Number: r.N, DueDate: r.DueDate.Format(amortization.DateLayout), Payment: server.NewMoney(r.Payment),
			Principal: server.NewMoney(r.Principal), Interest: server.NewMoney(r.Interest), IVA: server.NewMoney(r.IVA), Balance: server.NewMoney(r.ClosingBalance)})
	}
	return out
}
