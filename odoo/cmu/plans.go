package cmu

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// SavingsPlanRequest opens a client's savings plan.
type SavingsPlanRequest struct {
	ClientID int64
	Name     string          // default "Ahorro <client>"
	Target   decimal.Decimal // savings goal (MXN); zero for none
}

// OpenSavingsPlan returns the client's analytic account on "CMu / Ahorro",
// creating it the first time: a second request for the same client returns
// the existing account (created is false) and changes nothing.
func (s *Service) OpenSavingsPlan(ctx context.Context, req SavingsPlanRequest) (plan *PlanAccount, created bool, err error) {
	if req.Target.IsNegative() {
		return nil, false, invalid("target", "must not be negative")
	}
	return s.openAccount(ctx, req.ClientID, PlanSavings, "", req.Name, req.Target)
}

// openAccount finds or creates the client's account on plan kind. code,
// when set, distinguishes several accounts of one client on the same plan
// (one per payment plan); the savings plan has one account per client.
func (s *Service) openAccount(ctx context.Context, clientID int64, kind PlanKind, code, name string, target decimal.Decimal) (*PlanAccount, bool, error) {
	r, err := s.refs(ctx)
	if err != nil {
		return nil, false, err
	}
	planID := r.plans[kind]
	dom := odoo.And(odoo.Eq("partner_id", clientID), odoo.Eq("plan_id", planID))
	if code != "" {
		dom = odoo.And(dom, odoo.Eq("code", code))
	}
	var rows []accountRow
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticAccount, dom, &odoo.SearchOptions{Fields: accountFields, Order: "id", Limit: 1}, &rows); err != nil {
		return nil, false, fmt.Errorf("cmu: %s plan of client %d: %w", kind, clientID, err)
	}
	if len(rows) > 0 {
		p := rows[0].plan(r)
		bal, err := s.balances(ctx, r, []int64{p.ID})
		if err != nil {
			return nil, false, err
		}
		p.Balance = accountTotals(bal)[p.ID]
		return &p, false, nil
	}
	c, err := s.client(ctx, clientID)
	if err != nil {
		return nil, false, fmt.Errorf("cmu: %s plan: %w", kind, err)
	}
	if name == "" {
		name = fmt.Sprintf("%s %s", planLabel(kind), c.Name)
	}
	if code == "" {
		code = fmt.Sprintf("%s-%d", planPrefix(kind), clientID)
	}
	v := map[string]any{"name": name, "code": code, "plan_id": planID, "partner_id": clientID}
	if !target.IsZero() {
		v["x_cmu_target"] = target
	}
	id, err := s.c.Create(ctx, odoo.ModelAnalyticAccount, v, nil)
	if err != nil {
		return nil, false, fmt.Errorf("cmu: create %s plan of client %d: %w", kind, clientID, err)
	}
	return &PlanAccount{ID: id, ClientID: clientID, Kind: kind, Name: name, Code: code, Target: target}, true, nil
}

func planLabel(k PlanKind) string {
	switch k {
	case PlanSavings:
		return "Ahorro"
	case PlanInstalments:
		return "Venta a plazo"
	}
	return "Crédito colectivo"
}

func planPrefix(k PlanKind) string {
	switch k {
	case PlanSavings:
		return "AH"
	case PlanInstalments:
		return "VP"
	}
	return "CC"
}

// PaymentPlanRequest opens a venta a plazo.
type PaymentPlanRequest struct {
	ClientID int64
	// Ref is the plan's natural key (e.g. the quote folio): a second request
	// with the same Ref returns the first plan. Empty means one derived from
	// the request (client, package, term, down payment, components), so an
	// identical request is not opened twice.
	Ref string
	// PackageID is the product package sold (x_cmu_product_package).
	PackageID int64
	// Components are the codes of the package components chosen; the
	// required ones are always included. Nil means the required ones only.
	Components  []string
	DownPayment decimal.Decimal
	Term        int // number of payments
	LeadID      int64
	// Schedule, when set, is attached to the sale order as JSON
	// ("amortizacion-<Ref>.json") and CSV ("amortizacion-<Ref>.csv").
	Schedule *amortization.Schedule
	// Files are attached as they are (e.g. the quote PDF).
	Files []File
}

// PaymentPlan is an opened venta a plazo.
type PaymentPlan struct {
	Ref           string
	SaleOrderID   int64
	SaleOrderName string
	AccountID     int64
	Total         decimal.Decimal // sum of the lines (components' prices)
	AttachmentIDs []int64
	// Created is false when the plan already existed (every step found).
	Created bool
}

type productRow struct {
	ID          int64       `odoo:"id"`
	DefaultCode odoo.String `odoo:"default_code"`
}

// OpenPaymentPlan creates (or completes) a venta a plazo: the client's
// analytic account on "CMu / Venta a plazo" (code VP-<Ref>), a sale.order
// (x_cmu_plan_ref = Ref) with one line per chosen package component, each
// distributed 100 % to that account, and the schedule attached. The term
// must be one of the package's and the down payment at least the package's
// minimum (rounded half-up to cents) and below the total. Every step looks
// its record up first, so a call after a failure completes the plan
// without duplicating anything.
func (s *Service) OpenPaymentPlan(ctx context.Context, req PaymentPlanRequest) (*PaymentPlan, error) {
	if strings.TrimSpace(req.Ref) == "" {
		comps := slices.Clone(req.Components)
		slices.Sort(comps)
		req.Ref = fmt.Sprintf("C%d-P%d-T%d-E%s", req.ClientID, req.PackageID, req.Term, req.DownPayment.StringFixed(2))
		if len(comps) > 0 {
			req.Ref += "-" + strings.Join(comps, "+")
		}
	}
	if req.Term <= 0 {
		return nil, invalid("term", "must be positive")
	}
	if req.DownPayment.IsNegative() {
		return nil, invalid("down payment", "must not be negative")
	}
	pkg, err := s.Package(ctx, req.PackageID)
	if err != nil {
		return nil, fmt.Errorf("cmu: payment plan %s: %w", req.Ref, err)
	}
	if !slices.Contains(pkg.Terms, req.Term) {
		return nil, invalid("term", "%d is not an allowed term of package %s (%v)", req.Term, pkg.Code, pkg.Terms)
	}
	var chosen []PackageComponent
	for _, c := range pkg.Components {
		if c.Required || slices.Contains(req.Components, c.Code) {
			chosen = append(chosen, c)
		}
	}
	for _, code := range req.Components {
		if _, ok := pkg.Component(code); !ok {
			return nil, invalid("components", "package %s has no component %q", pkg.Code, code)
		}
	}
	subtotal := decimal.Zero
	for _, c := range chosen {
		subtotal = subtotal.Add(c.Price)
	}
	if minDown := subtotal.Mul(pkg.MinDownPayment).Round(2); req.DownPayment.LessThan(minDown) {
		return nil, invalid("down payment", "%s is below the package's minimum %s (%s of %s)", req.DownPayment.StringFixed(2),
			minDown.StringFixed(2), pkg.MinDownPayment.String(), subtotal.StringFixed(2))
	}
	if req.DownPayment.GreaterThanOrEqual(subtotal) {
		return nil, invalid("down payment", "%s leaves nothing to finance (total %s)", req.DownPayment.StringFixed(2), subtotal.StringFixed(2))
	}
	out := &PaymentPlan{Ref: req.Ref}
	acc, created, err := s.openAccount(ctx, req.ClientID, PlanInstalments, "VP-"+req.Ref, "", decimal.Zero)
	if err != nil {
		return nil, fmt.Errorf("cmu: payment plan %s: %w", req.Ref, err)
	}
	out.AccountID, out.Created = acc.ID, created
	var orders []saleOrderRow
	if err := s.c.SearchRead(ctx, odoo.ModelSaleOrder, odoo.Eq("x_cmu_plan_ref", req.Ref),
		&odoo.SearchOptions{Fields: saleOrderFields, Limit: 1}, &orders); err != nil {
		return nil, fmt.Errorf("cmu: payment plan %s: look up sale order: %w", req.Ref, err)
	}
	if len(orders) > 0 {
		if orders[0].PartnerID.ID != req.ClientID {
			return nil, invalid("ref", "payment plan %s belongs to client %d", req.Ref, orders[0].PartnerID.ID)
		}
		out.SaleOrderID, out.SaleOrderName, out.Total = orders[0].ID, orders[0].Name, orders[0].AmountTotal
	} else {
		id, total, err := s.createPlanOrder(ctx, req, pkg, chosen, acc.ID)
		if err != nil {
			return nil, fmt.Errorf("cmu: payment plan %s of client %d: %w", req.Ref, req.ClientID, err)
		}
		var rows []saleOrderRow
		if err := s.c.Read(ctx, odoo.ModelSaleOrder, []int64{id}, &odoo.SearchOptions{Fields: saleOrderFields}, &rows); err != nil || len(rows) == 0 {
			return nil, fmt.Errorf("cmu: payment plan %s: read sale order %d: %w", req.Ref, id, err)
		}
		out.SaleOrderID, out.SaleOrderName, out.Total, out.Created = id, rows[0].Name, total, true
	}
	files := slices.Clone(req.Files)
	if req.Schedule != nil {
		js, err := json.Marshal(req.Schedule)
		if err != nil {
			return nil, fmt.Errorf("cmu: payment plan %s: encode schedule: %w", req.Ref, err)
		}
		var csv strings.Builder
		if err := req.Schedule.WriteCSV(&csv); err != nil {
			return nil, fmt.Errorf("cmu: payment plan %s: schedule CSV: %w", req.Ref, err)
		}
		files = append(files,
			File{Name: "amortizacion-" + req.Ref + ".json", Mimetype: "application/json", Data: js},
			File{Name: "amortizacion-" + req.Ref + ".csv", Mimetype: "text/csv", Data: []byte(csv.String())})
	}
	for _, f := range files {
		id, err := s.attach(ctx, odoo.ModelSaleOrder, out.SaleOrderID, f)
		if err != nil {
			return nil, fmt.Errorf("cmu: payment plan %s: %w", req.Ref, err)
		}
		out.AttachmentIDs = append(out.AttachmentIDs, id)
	}
	return out, nil
}

func (s *Service) createPlanOrder(ctx context.Context, req PaymentPlanRequest, pkg *ProductPackage, chosen []PackageComponent, accountID int64) (int64, decimal.Decimal, error) {
	products, err := s.ensureProducts(ctx, chosen)
	if err != nil {
		return 0, decimal.Zero, err
	}
	lineFields, err := s.c.ModelFields(ctx, odoo.ModelSaleOrderLine)
	if err != nil {
		return 0, decimal.Zero, err
	}
	taxField := "tax_ids"
	if _, ok := lineFields[taxField]; !ok {
		taxField = "tax_id"
	}
	total := decimal.Zero
	lines := make([]odoo.Command, len(chosen))
	for i, c := range chosen {
		total = total.Add(c.Price)
		lines[i] = odoo.CreateCommand(map[string]any{
			"product_id": products[c.ProductRef], "name": c.Name, "product_uom_qty": 1, "price_unit": c.Price,
			// Prices already include taxes (the package's price to the client).
			taxField:                []odoo.Command{odoo.SetCommand()},
			"analytic_distribution": map[string]any{fmt.Sprint(accountID): 100},
		})
	}
	v := map[string]any{"partner_id": req.ClientID, "x_cmu_plan_ref": req.Ref, "client_order_ref": req.Ref,
		"x_cmu_analytic_account_id": accountID, "x_cmu_package_id": pkg.ID, "x_cmu_down_payment": req.DownPayment,
		"x_cmu_term": req.Term, "order_line": lines}
	if req.LeadID != 0 {
		v["opportunity_id"] = req.LeadID
	}
	id, err := s.c.Create(ctx, odoo.ModelSaleOrder, v, nil)
	if err != nil {
		return 0, decimal.Zero, err
	}
	return id, total, nil
}

// ensureProducts returns the product.product ids of components by product
// reference (default_code), creating the missing products (two calls).
func (s *Service) ensureProducts(ctx context.Context, comps []PackageComponent) (map[string]int64, error) {
	refs := make([]string, 0, len(comps))
	for _, c := range comps {
		if c.ProductRef == "" {
			return nil, invalid("component", "%s has no product reference", c.Code)
		}
		if !slices.Contains(refs, c.ProductRef) {
			refs = append(refs, c.ProductRef)
		}
	}
	var rows []productRow
	if err := s.c.SearchRead(ctx, "product.product", odoo.In("default_code", refs),
		&odoo.SearchOptions{Fields: []string{"id", "default_code"}, Order: "id"}, &rows); err != nil {
		return nil, fmt.Errorf("look up products: %w", err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		if out[r.DefaultCode.Value] == 0 {
			out[r.DefaultCode.Value] = r.ID
		}
	}
	var missing []string
	var vals []map[string]any
	for _, c := range comps {
		if out[c.ProductRef] == 0 && !slices.Contains(missing, c.ProductRef) {
			missing = append(missing, c.ProductRef)
			vals = append(vals, map[string]any{"name": c.Name, "default_code": c.ProductRef, "list_price": c.Price, "sale_ok": true, "taxes_id": []odoo.Command{odoo.SetCommand()}})
		}
	}
	if len(vals) > 0 {
		ids, err := s.c.CreateMany(ctx, "product.product", vals, nil)
		if err != nil {
			return nil, fmt.Errorf("create products: %w", err)
		}
		for i, ref := range missing {
			out[ref] = ids[i]
		}
	}
	return out, nil
}
