package cmu

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// PlanAccount is one of a client's plans: an analytic account on a CMu plan,
// with its balance (the sum of its analytic lines, MXN, rounded to cents).
type PlanAccount struct {
	ID       int64
	ClientID int64
	Kind     PlanKind
	Name     string
	Code     string
	Balance  decimal.Decimal
	// Target is the savings goal; zero when none was set.
	Target decimal.Decimal
}

// SaleOrder is a client's sale order (a payment plan when PlanRef is set).
type SaleOrder struct {
	ID          int64
	Name        string // S00042
	State       string // draft, sent, sale, cancel
	AmountTotal decimal.Decimal
	PlanRef     string
	AccountID   int64 // the payment plan's analytic account
	PackageID   int64
}

// GroupMembership is the collective group a client belongs to.
type GroupMembership struct {
	GroupID int64
	Code    string
	Name    string
	Phase   GroupPhase
	Status  MemberStatus
	// Balance is what this member has saved into the group's master account.
	Balance decimal.Decimal
}

// ClientAggregate is everything the PWA shows about a client.
type ClientAggregate struct {
	Client
	Plans      []PlanAccount
	SaleOrders []SaleOrder
	Documents  []LeadDocument
	Group      *GroupMembership // nil when in no group
}

// ClientFilter selects the clients of a page. Zero fields do not filter.
type ClientFilter struct {
	Market      Market
	Search      string  // matches name, plates, ref or email (ilike)
	IDs         []int64 // restrict to these clients (an advisor's scope)
	EcosystemID int64   // members of this ecosystem
	Offset      int
	Limit       int // default 50
}

// ClientPage is one page of client aggregates.
type ClientPage struct {
	Items []ClientAggregate
	Total int64 // clients matching the filter, all pages
}

// ListCallsPerPage is the number of Odoo calls ListClients makes for a page,
// whatever its size (plus four the first time a Service resolves CMu's
// plans, stages and journals): clients, count, accounts, group memberships,
// groups, balances (one read_group), sale orders, documents.
const ListCallsPerPage = 8

func (f ClientFilter) domain() odoo.Domain {
	d := odoo.And(odoo.NotEq("x_cmu_market", false), odoo.Eq("x_cmu_is_ecosystem", false))
	if f.Market != "" {
		d = odoo.And(d, odoo.Eq("x_cmu_market", string(f.Market)))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		d = odoo.And(d, odoo.Or(odoo.ILike("name", q), odoo.ILike("x_cmu_plates", q), odoo.ILike("ref", q), odoo.ILike("email", q)))
	}
	if f.IDs != nil {
		d = odoo.And(d, odoo.In("id", nonNil(f.IDs)))
	}
	if f.EcosystemID != 0 {
		d = odoo.And(d, odoo.Eq("x_cmu_ecosystem_id", f.EcosystemID))
	}
	return d
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// ListClients returns a page of client aggregates (ordered by name, id) in
// ListCallsPerPage Odoo calls, independent of the page size: every relation
// is loaded for the whole page at once.
func (s *Service) ListClients(ctx context.Context, f ClientFilter) (*ClientPage, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Market != "" && !f.Market.Valid() {
		return nil, invalid("market", "unknown market %q", f.Market)
	}
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	dom := f.domain()
	var rows []partnerRow
	if err := s.c.SearchRead(ctx, odoo.ModelPartner, dom,
		&odoo.SearchOptions{Fields: partnerFields, Offset: f.Offset, Limit: f.Limit, Order: "name, id"}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: list clients: %w", err)
	}
	total, err := s.c.SearchCount(ctx, odoo.ModelPartner, dom, nil)
	if err != nil {
		return nil, fmt.Errorf("cmu: count clients: %w", err)
	}
	items, err := s.aggregate(ctx, r, rows)
	if err != nil {
		return nil, err
	}
	return &ClientPage{Items: items, Total: total}, nil
}

// GetClient returns one client aggregate (seven Odoo calls); a missing id
// is an error wrapping ErrNotFound.
func (s *Service) GetClient(ctx context.Context, id int64) (*ClientAggregate, error) {
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	var rows []partnerRow
	if err := s.c.SearchRead(ctx, odoo.ModelPartner, odoo.Eq("id", id), &odoo.SearchOptions{Fields: partnerFields}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: get client %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("cmu: client %d: %w", id, ErrNotFound)
	}
	items, err := s.aggregate(ctx, r, rows)
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

type accountRow struct {
	ID        int64           `odoo:"id"`
	Name      string          `odoo:"name"`
	Code      odoo.String     `odoo:"code"`
	PlanID    odoo.Many2One   `odoo:"plan_id"`
	PartnerID odoo.Many2One   `odoo:"partner_id"`
	Target    decimal.Decimal `odoo:"x_cmu_target"`
}

var accountFields = []string{"id", "name", "code", "plan_id", "partner_id", "x_cmu_target"}

func (a accountRow) plan(r *refs) PlanAccount {
	return PlanAccount{ID: a.ID, ClientID: a.PartnerID.ID, Kind: r.kinds[a.PlanID.ID], Name: a.Name, Code: a.Code.Value, Target: a.Target}
}

type saleOrderRow struct {
	ID          int64           `odoo:"id"`
	Name        string          `odoo:"name"`
	PartnerID   odoo.Many2One   `odoo:"partner_id"`
	State       odoo.Selection  `odoo:"state"`
	AmountTotal decimal.Decimal `odoo:"amount_total"`
	PlanRef     odoo.String     `odoo:"x_cmu_plan_ref"`
	AccountID   odoo.Many2One   `odoo:"x_cmu_analytic_account_id"`
	PackageID   odoo.Many2One   `odoo:"x_cmu_package_id"`
}

var saleOrderFields = []string{"id", "name", "partner_id", "state", "amount_total", "x_cmu_plan_ref", "x_cmu_analytic_account_id", "x_cmu_package_id"}

func (o saleOrderRow) order() SaleOrder {
	return SaleOrder{ID: o.ID, Name: o.Name, State: o.State.Value, AmountTotal: o.AmountTotal, PlanRef: o.PlanRef.Value,
		AccountID: o.AccountID.ID, PackageID: o.PackageID.ID}
}

type memberRow struct {
	ID        int64          `odoo:"id"`
	GroupID   odoo.Many2One  `odoo:"x_group_id"`
	PartnerID odoo.Many2One  `odoo:"x_partner_id"`
	Status    odoo.Selection `odoo:"x_status"`
}

var memberFields = []string{"id", "x_group_id", "x_partner_id", "x_status"}

type groupRow struct {
	ID          int64           `odoo:"id"`
	Name        odoo.String     `odoo:"x_name"`
	Code        odoo.String     `odoo:"x_code"`
	Market      odoo.Selection  `odoo:"x_market"`
	Phase       odoo.Selection  `odoo:"x_phase"`
	Target      decimal.Decimal `odoo:"x_target"`
	AccountID   odoo.Many2One   `odoo:"x_account_id"`
	EcosystemID odoo.Many2One   `odoo:"x_ecosystem_id"`
	PhaseDate   odoo.DateTime   `odoo:"x_phase_date"`
}

var groupFields = []string{"id", "x_name", "x_code", "x_market", "x_phase", "x_target", "x_account_id", "x_ecosystem_id", "x_phase_date"}

// balanceKey is one (account, partner) sum of analytic lines.
type balanceKey struct{ account, partner int64 }

// balances sums the analytic lines of accounts in one read_group, by account
// and by partner of the line. Sums are rounded half-up to cents.
func (s *Service) balances(ctx context.Context, r *refs, accounts []int64) (map[balanceKey]decimal.Decimal, error) {
	lazy := false
	var groups []map[string]any
	if err := s.c.ReadGroup(ctx, odoo.ModelAnalyticLine, odoo.In(r.column, nonNil(accounts)), []string{"amount:sum"},
		[]string{r.column, "partner_id"}, &odoo.ReadGroupOptions{Lazy: &lazy}, &groups); err != nil {
		return nil, fmt.Errorf("cmu: sum analytic lines: %w", err)
	}
	out := make(map[balanceKey]decimal.Decimal, len(groups))
	for _, g := range groups {
		acc := many2oneID(g[r.column])
		if acc == 0 {
			continue
		}
		amt, err := decimalOf(g["amount"])
		if err != nil {
			return nil, fmt.Errorf("cmu: sum analytic lines of account %d: %w", acc, err)
		}
		k := balanceKey{acc, many2oneID(g["partner_id"])}
		out[k] = out[k].Add(amt)
	}
	for k, v := range out {
		out[k] = v.Round(2)
	}
	return out, nil
}

// accountTotals sums the balances of each account over every partner.
func accountTotals(b map[balanceKey]decimal.Decimal) map[int64]decimal.Decimal {
	out := make(map[int64]decimal.Decimal, len(b))
	for k, v := range b {
		out[k.account] = out[k.account].Add(v)
	}
	return out
}

func many2oneID(v any) int64 {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			id, _ := x[0].(int64)
			return id
		}
	case int64:
		return x
	}
	return 0
}

// decimalOf parses a number decoded into any (int64, json.Number, string).
func decimalOf(v any) (decimal.Decimal, error) {
	switch x := v.(type) {
	case nil, bool:
		return decimal.Zero, nil
	case int64:
		return decimal.NewFromInt(x), nil
	case json.Number:
		return decimal.NewFromString(x.String())
	case string:
		return decimal.NewFromString(x)
	case float64:
		return decimal.NewFromFloat(x), nil
	}
	return decimal.Zero, fmt.Errorf("not a number: %T", v)
}

// aggregate loads the relations of a page of partners: six calls whatever
// len(rows).
func (s *Service) aggregate(ctx context.Context, r *refs, rows []partnerRow) ([]ClientAggregate, error) {
	ids := make([]int64, len(rows))
	items := make([]ClientAggregate, len(rows))
	index := make(map[int64]int, len(rows))
	for i, p := range rows {
		ids[i] = p.ID
		items[i] = ClientAggregate{Client: p.client(), Plans: []PlanAccount{}, SaleOrders: []SaleOrder{}, Documents: []LeadDocument{}}
		index[p.ID] = i
	}
	var accounts []accountRow
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticAccount, odoo.And(odoo.In("partner_id", ids), odoo.In("plan_id", r.planIDs())),
		&odoo.SearchOptions{Fields: accountFields, Order: "id"}, &accounts); err != nil {
		return nil, fmt.Errorf("cmu: load client plans: %w", err)
	}
	var members []memberRow
	if err := s.c.SearchRead(ctx, ModelGroupMember, odoo.In("x_partner_id", ids),
		&odoo.SearchOptions{Fields: memberFields, Order: "id"}, &members); err != nil {
		return nil, fmt.Errorf("cmu: load group memberships: %w", err)
	}
	var groupIDs []int64
	for _, m := range members {
		if !slices.Contains(groupIDs, m.GroupID.ID) {
			groupIDs = append(groupIDs, m.GroupID.ID)
		}
	}
	var groups []groupRow
	if err := s.c.SearchRead(ctx, ModelGroup, odoo.In("id", nonNil(groupIDs)), &odoo.SearchOptions{Fields: groupFields}, &groups); err != nil {
		return nil, fmt.Errorf("cmu: load groups: %w", err)
	}
	accIDs := make([]int64, 0, len(accounts)+len(groups))
	for _, a := range accounts {
		accIDs = append(accIDs, a.ID)
	}
	groupByID := map[int64]groupRow{}
	for _, g := range groups {
		groupByID[g.ID] = g
		if g.AccountID.Valid() {
			accIDs = append(accIDs, g.AccountID.ID)
		}
	}
	bal, err := s.balances(ctx, r, accIDs)
	if err != nil {
		return nil, err
	}
	var orders []saleOrderRow
	if err := s.c.SearchRead(ctx, odoo.ModelSaleOrder, odoo.In("partner_id", ids),
		&odoo.SearchOptions{Fields: saleOrderFields, Order: "id"}, &orders); err != nil {
		return nil, fmt.Errorf("cmu: load sale orders: %w", err)
	}
	var docs []leadDocumentRow
	if err := s.c.SearchRead(ctx, ModelLeadDocument, odoo.In("x_partner_id", ids),
		&odoo.SearchOptions{Fields: leadDocumentFields, Order: "x_lead_id, id"}, &docs); err != nil {
		return nil, fmt.Errorf("cmu: load documents: %w", err)
	}
	totals := accountTotals(bal)
	for _, a := range accounts {
		if i, ok := index[a.PartnerID.ID]; ok {
			p := a.plan(r)
			p.Balance = totals[a.ID]
			items[i].Plans = append(items[i].Plans, p)
		}
	}
	for _, m := range members {
		i, ok := index[m.PartnerID.ID]
		g, gok := groupByID[m.GroupID.ID]
		if !ok || !gok || items[i].Group != nil {
			continue
		}
		items[i].Group = &GroupMembership{GroupID: g.ID, Code: g.Code.Value, Name: g.Name.Value, Phase: GroupPhase(g.Phase.Value),
			Status: MemberStatus(m.Status.Value), Balance: bal[balanceKey{g.AccountID.ID, m.PartnerID.ID}]}
	}
	for _, o := range orders {
		if i, ok := index[o.PartnerID.ID]; ok {
			items[i].SaleOrders = append(items[i].SaleOrders, o.order())
		}
	}
	for _, d := range docs {
		if i, ok := index[d.PartnerID.ID]; ok {
			items[i].Documents = append(items[i].Documents, d.document())
		}
	}
	return items, nil
}
