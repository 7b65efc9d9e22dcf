package cmu

import (
	"context"
	"fmt"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// SeedOptions size the demo data.
type SeedOptions struct {
	// Clients is the number of demo clients (default 50); 10,000 makes a
	// load-test database.
	Clients int
	// Prefix prefixes every natural key of the demo records (default "DEMO").
	Prefix string
	// Batch is the number of records per create call (default 500).
	Batch int
}

// SeedResult lists the demo records.
type SeedResult struct {
	Packages   []int64
	Ecosystems []int64
	Clients    []int64 // in seeding order
	Groups     []int64
	Leads      []int64 // one per opportunity type
	// PaymentPlans are the sale orders of the demo payment plans.
	PaymentPlans []int64
}

var (
	demoFirst = []string{"Juan", "María", "José", "Guadalupe", "Francisco", "Verónica", "Miguel", "Alejandra", "Pedro", "Rosa",
		"Luis", "Patricia", "Jorge", "Leticia", "Ricardo", "Adriana", "Arturo", "Elena", "Fernando", "Claudia"}
	demoLast = []string{"Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
		"Flores", "Gómez", "Morales", "Vázquez", "Jiménez", "Reyes", "Díaz", "Torres", "Gutiérrez", "Ruiz"}
)

// demoClient builds demo client i deterministically: two in three are in
// edomex, the rest in Aguascalientes; a third of edomex clients belong to
// the first ecosystem.
func demoClient(prefix string, i int, eco int64) map[string]any {
	m := MarketEdomex
	city := "Ecatepec de Morelos"
	plates := fmt.Sprintf("%03d-%s%d", i%1000, string(rune('A'+i%26)), i)
	if i%3 == 2 {
		m, city = MarketAguascalientes, "Aguascalientes"
		plates = fmt.Sprintf("A%d-%03d", i, i%997)
	}
	credit := []CreditStatus{CreditPendiente, CreditEnAnalisis, CreditAprobado, CreditAprobado, CreditRechazado}[i%5]
	kyc := []KYCStatus{KYCAprobado, KYCAprobado, KYCPendiente, KYCEnRevision, KYCRevisionManual, KYCAprobado}[i%6]
	v := map[string]any{
		"name":  fmt.Sprintf("%s %s %s", demoFirst[i%len(demoFirst)], demoLast[(i/len(demoFirst))%len(demoLast)], demoLast[(i*7+3)%len(demoLast)]),
		"ref":   fmt.Sprintf("%s-C-%06d", prefix, i+1),
		"email": fmt.Sprintf("cliente%06d@demo.cmu.mx", i+1), "phone": fmt.Sprintf("+52 55 %04d %04d", (i*37)%10000, i%10000),
		"city": city, "customer_rank": 1,
		"x_cmu_market": string(m), "x_cmu_plates": normalizePlates(plates),
		"x_cmu_credit_status": string(credit), "x_cmu_kyc_status": string(kyc),
	}
	if m == MarketEdomex && i%3 == 0 && eco != 0 {
		v["x_cmu_ecosystem_id"] = eco
	}
	return v
}

func chunks[T any](xs []T, n int) [][]T {
	var out [][]T
	for len(xs) > n {
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	if len(xs) > 0 {
		out = append(out, xs)
	}
	return out
}

// createMany creates vals in batches and returns the ids in order.
func (s *Service) createMany(ctx context.Context, model string, vals []map[string]any, batch int) ([]int64, error) {
	var ids []int64
	for _, b := range chunks(vals, batch) {
		got, err := s.c.CreateMany(ctx, model, b, nil)
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// SeedDemo fills Odoo with a realistic demo dataset: the document
// checklists, both markets' packages (DemoPackages), two ecosystems, the
// clients (opts.Clients; each with a savings plan and two contributions), a
// collective group of four ecosystem members with their contributions, one
// lead per opportunity type with its documents (two of them received), and
// a payment plan for the first client. Records are created in
// batches (CreateMany) and looked up by their natural keys first, so
// seeding twice, or again after a failure, adds nothing twice. Ensure must
// have run.
func (s *Service) SeedDemo(ctx context.Context, opts SeedOptions) (*SeedResult, error) {
	if opts.Clients <= 0 {
		opts.Clients = 50
	}
	if opts.Prefix == "" {
		opts.Prefix = "DEMO"
	}
	if opts.Batch <= 0 {
		opts.Batch = 500
	}
	p := opts.Prefix
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	res := &SeedResult{}
	if err := s.SeedChecklists(ctx, DefaultChecklists()); err != nil {
		return nil, err
	}
	for _, pkg := range DemoPackages() {
		pkg.Code = strings.ToLower(p) + "-" + pkg.Code
		id, err := s.SavePackage(ctx, pkg)
		if err != nil {
			return nil, err
		}
		res.Packages = append(res.Packages, id)
	}
	for i, e := range []NewEcosystem{
		{Name: "Ruta 27 Ecatepec – Indios Verdes", Market: MarketEdomex},
		{Name: "Asociación de Taxistas Colectivos de Nezahualcóyotl", Market: MarketEdomex},
	} {
		e.Ref = fmt.Sprintf("%s-ECO-%d", p, i+1)
		id, err := s.CreateEcosystem(ctx, e)
		if err != nil {
			return nil, err
		}
		res.Ecosystems = append(res.Ecosystems, id)
	}

	// Clients, looked up by ref.
	existing := map[string]int64{}
	var rows []struct {
		ID  int64       `odoo:"id"`
		Ref odoo.String `odoo:"ref"`
	}
	if err := s.c.SearchRead(ctx, odoo.ModelPartner, odoo.Cond("ref", odoo.OpEqLike, p+"-C-%"), &odoo.SearchOptions{Fields: []string{"id", "ref"}}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: seed: look up clients: %w", err)
	}
	for _, row := range rows {
		existing[row.Ref.Value] = row.ID
	}
	var missing []map[string]any
	var missingIdx []int
	res.Clients = make([]int64, opts.Clients)
	for i := range opts.Clients {
		v := demoClient(p, i, res.Ecosystems[0])
		if id := existing[v["ref"].(string)]; id != 0 {
			res.Clients[i] = id
			continue
		}
		missing = append(missing, v)
		missingIdx = append(missingIdx, i)
	}
	ids, err := s.createMany(ctx, odoo.ModelPartner, missing, opts.Batch)
	if err != nil {
		return nil, fmt.Errorf("cmu: seed: create clients: %w", err)
	}
	for k, id := range ids {
		res.Clients[missingIdx[k]] = id
	}

	// Savings accounts, looked up by client.
	accountOf := map[int64]int64{}
	for _, ch := range chunks(res.Clients, 1000) {
		var accs []accountRow
		if err := s.c.SearchRead(ctx, odoo.ModelAnalyticAccount, odoo.And(odoo.In("partner_id", ch), odoo.Eq("plan_id", r.plans[PlanSavings])),
			&odoo.SearchOptions{Fields: []string{"id", "partner_id"}}, &accs); err != nil {
			return nil, fmt.Errorf("cmu: seed: look up savings plans: %w", err)
		}
		for _, a := range accs {
			accountOf[a.PartnerID.ID] = a.ID
		}
	}
	var accVals []map[string]any
	var accClients []int64
	for i, id := range res.Clients {
		if accountOf[id] != 0 {
			continue
		}
		accClients = append(accClients, id)
		accVals = append(accVals, map[string]any{"name": fmt.Sprintf("Ahorro %s-C-%06d", p, i+1), "code": fmt.Sprintf("AH-%d", id),
			"plan_id": r.plans[PlanSavings], "partner_id": id, "x_cmu_target": decimal.NewFromInt(int64(40000 + (i%5)*10000))})
	}
	accIDs, err := s.createMany(ctx, odoo.ModelAnalyticAccount, accVals, opts.Batch)
	if err != nil {
		return nil, fmt.Errorf("cmu: seed: create savings plans: %w", err)
	}
	for k, id := range accIDs {
		accountOf[accClients[k]] = id
	}

	// Contributions, looked up by transaction id.
	seenTx := map[string]bool{}
	var lines []struct {
		Tx odoo.String `odoo:"x_cmu_transaction_id"`
	}
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticLine, odoo.Cond("x_cmu_transaction_id", odoo.OpEqLike, p+"-TX-%"),
		&odoo.SearchOptions{Fields: []string{"x_cmu_transaction_id"}}, &lines); err != nil {
		return nil, fmt.Errorf("cmu: seed: look up contributions: %w", err)
	}
	for _, l := range lines {
		seenTx[l.Tx.Value] = true
	}
	today := s.nowUTC()
	var lineVals []map[string]any
	addLine := func(tx string, acc, client int64, amount decimal.Decimal, src Source, daysAgo int) {
		if seenTx[tx] {
			return
		}
		d := today.AddDate(0, 0, -daysAgo)
		lineVals = append(lineVals, map[string]any{"name": fmt.Sprintf("Aportación %s %s", src, tx), "date": odoo.NewDate(d.Year(), d.Month(), d.Day()),
			"amount": amount, r.column: acc, "partner_id": client, "ref": tx, "x_cmu_transaction_id": tx, "x_cmu_source": string(src)})
	}
	for i, id := range res.Clients {
		gnv := decimal.New(int64(15000+(i*7919)%450000), -2)  // 150.00 … 4,649.99
		conekta := decimal.New(int64(100000+(i%9)*50000), -2) // 1,000.00 … 5,000.00
		addLine(fmt.Sprintf("%s-TX-%06d-GNV", p, i+1), accountOf[id], id, gnv, SourceGNV, 1+i%28)
		addLine(fmt.Sprintf("%s-TX-%06d-CNK", p, i+1), accountOf[id], id, conekta, SourceConekta, 2+i%25)
	}
	if _, err := s.createMany(ctx, odoo.ModelAnalyticLine, lineVals, opts.Batch); err != nil {
		return nil, fmt.Errorf("cmu: seed: create contributions: %w", err)
	}

	// A collective group of four members of the first ecosystem.
	var members []int64
	for i, id := range res.Clients {
		if i%3 == 0 && len(members) < 4 {
			members = append(members, id)
		}
	}
	if len(members) > 0 {
		g, err := s.CreateGroup(ctx, GroupRequest{Code: p + "-G1", Name: "Ruta 27 – Grupo 1", Market: MarketEdomex,
			EcosystemID: res.Ecosystems[0], MemberIDs: members, Target: decimal.NewFromInt(60000)})
		if err != nil {
			return nil, err
		}
		res.Groups = append(res.Groups, g.ID)
		lineVals = lineVals[:0]
		for k, id := range members {
			addLine(fmt.Sprintf("%s-TX-G1-%02d", p, k+1), g.AccountID, id, decimal.NewFromInt(int64(9000+k*1500)), SourceSPEI, 3+k)
		}
		if _, err := s.createMany(ctx, odoo.ModelAnalyticLine, lineVals, opts.Batch); err != nil {
			return nil, fmt.Errorf("cmu: seed: create group contributions: %w", err)
		}
	}

	// One lead per opportunity type (for three different clients), looked
	// up by name, with the first documents received.
	types := []struct {
		t     OpportunityType
		index int
	}{{TypeFinancieroEdomex, 0}, {TypeContado, 1}, {TypeFinancieroAGS, 2}}
	for _, tt := range types {
		i := min(tt.index, len(res.Clients)-1)
		name := fmt.Sprintf("%s %s: %s", p, tt.t, demoClient(p, i, 0)["name"])
		found, err := s.c.Search(ctx, odoo.ModelLead, odoo.Eq("name", name), &odoo.SearchOptions{Limit: 1})
		if err != nil {
			return nil, fmt.Errorf("cmu: seed: look up lead: %w", err)
		}
		var lead int64
		if len(found) > 0 {
			lead = found[0]
			_, err = s.SetOpportunityType(ctx, lead, tt.t)
		} else {
			lead, err = s.CreateOpportunity(ctx, NewOpportunity{ClientID: res.Clients[i], Name: name, Type: tt.t})
		}
		if err != nil {
			return nil, err
		}
		res.Leads = append(res.Leads, lead)
		for _, d := range []struct {
			code string
			st   DocumentStatus
		}{{"ine", DocAprobado}, {"curp", DocEnRevision}} {
			if _, err := s.UpdateDocumentStatus(ctx, DocumentUpdate{LeadID: lead, Code: d.code, Status: d.st, ProviderRef: fmt.Sprintf("%s-KYC-%d-%s", p, i+1, d.code)}); err != nil {
				return nil, err
			}
		}
	}

	// A payment plan (venta a plazo) for the first client.
	plan, err := s.OpenPaymentPlan(ctx, PaymentPlanRequest{ClientID: res.Clients[0], Ref: fmt.Sprintf("%s-VP-000001", p),
		PackageID: res.Packages[0], Components: []string{"seguro"}, DownPayment: decimal.NewFromInt(50000), Term: 156, LeadID: res.Leads[0]})
	if err != nil {
		return nil, err
	}
	res.PaymentPlans = append(res.PaymentPlans, plan.SaleOrderID)
	return res, nil
}
