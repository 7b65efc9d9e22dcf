package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cmu-mx/cmu/cotizador"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
	"github.com/shopspring/decimal"
)

// Plans implements server.PlansService: one savings plan per client and
// payment plans (venta a plazo) priced by the cotizador on the client's
// market package, opened in Odoo with the schedule attached.
type Plans struct {
	svc *cmu.Service
	oc  *odoo.Client
	cot *Cotizador
	pub *publisher
	now func() time.Time
}

var _ server.PlansService = (*Plans)(nil)

// CreateSavingsPlan implements server.PlansService. A client has one savings
// plan: a second request is a 409 naming the existing plan.
func (p *Plans) CreateSavingsPlan(ctx context.Context, req server.CreateSavingsPlanRequest) (*server.Plan, error) {
	cl, err := p.svc.ClientInfo(ctx, req.ClientID)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	var target decimal.Decimal
	if req.TargetAmount != "" {
		if target, err = decimal.NewFromString(req.TargetAmount); err != nil {
			return nil, invalid("El campo targetAmount debe ser un monto")
		}
	}
	acc, created, err := p.svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: req.ClientID, Name: req.Name, Target: target})
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el plan de ahorro del cliente %d", req.ClientID))
	}
	if !created {
		return nil, server.NewError(server.KindConflict, fmt.Sprintf("El cliente %d ya tiene un plan de ahorro (%d)", req.ClientID, acc.ID))
	}
	out := &server.Plan{ID: acc.ID, ClientID: req.ClientID, Kind: server.PlanSavings, Name: acc.Name, Balance: server.NewMoney(acc.Balance)}
	if !acc.Target.IsZero() {
		t := server.NewMoney(acc.Target)
		out.Target = &t
	}
	p.pub.applied(ctx, req.ClientID, server.Market(cl.Market), "plan_ahorro", nil, nil)
	return out, nil
}

// CreatePaymentPlan implements server.PlansService: the request is priced
// by the cotizador on the market's package (or PackageID), then opened in Odoo
// (analytic account, sale order, schedule as JSON and CSV, quote PDF). The
// quote folio is the plan's natural key, so a retry opens nothing twice.
func (p *Plans) CreatePaymentPlan(ctx context.Context, req server.CreatePaymentPlanRequest) (*server.PaymentPlan, error) {
	cl, err := p.svc.ClientInfo(ctx, req.ClientID)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	lead, err := latestLead(ctx, p.oc, req.ClientID)
	if errors.Is(err, &server.Error{Kind: server.KindUnprocessable}) {
		lead, err = 0, nil // a payment plan does not need a lead
	}
	if err != nil {
		return nil, err
	}
	q, err := p.cot.quoteFor(ctx, cl, lead, req.Market, req.TermMonths, req.Frequency, req.DownPayment)
	if err != nil {
		return nil, err
	}
	if req.PackageID != 0 && req.PackageID != q.Package.ID {
		return nil, unprocessable("El paquete %d no es el paquete vigente de %s (%d)", req.PackageID, req.Market, q.Package.ID)
	}
	var pdf bytes.Buffer
	if err := cotizador.WritePDF(&pdf, q, nil); err != nil {
		return nil, fmt.Errorf("app: payment plan PDF: %w", err)
	}
	pp, err := p.svc.OpenPaymentPlan(ctx, cmu.PaymentPlanRequest{ClientID: req.ClientID, Ref: q.Folio, PackageID: q.Package.ID,
		DownPayment: q.Request.DownPayment, Term: q.Request.Term, LeadID: lead, Schedule: q.Schedule,
		Files: []cmu.File{{Name: q.Folio + ".pdf", Mimetype: "application/pdf", Data: pdf.Bytes()}}})
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el plan de venta a plazo del cliente %d", req.ClientID))
	}
	p.pub.applied(ctx, req.ClientID, server.Market(cl.Market), "plan_venta_plazo", nil, nil)
	return &server.PaymentPlan{SaleOrderID: pp.SaleOrderID, AnalyticAccountID: pp.AccountID, Name: pp.SaleOrderName,
		Total: server.NewMoney(pp.Total), DownPayment: server.NewMoney(q.Request.DownPayment), Installment: server.NewMoney(q.Schedule.Payment),
		TermMonths: req.TermMonths, Frequency: frequencyOf(q.Package.Frequency)}, nil
}
