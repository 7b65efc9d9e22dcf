package cmu

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// GroupPhase is a collective group's phase (x_phase).
type GroupPhase string

// Phases: saving, then collective payment.
const (
	PhaseSaving  GroupPhase = "ahorro"
	PhasePayment GroupPhase = "pago"
)

// MemberStatus is a group member's status (x_status).
type MemberStatus string

// Member statuses; only active members let a group move to payment.
const (
	MemberActive     MemberStatus = "activo"
	MemberDelinquent MemberStatus = "moroso"
	MemberLeft       MemberStatus = "baja"
)

// GroupRequest creates a collective credit group.
type GroupRequest struct {
	// Code is the group's natural key (x_code): a second request with the
	// same code completes or returns the first group. Empty means
	// "<market>-<name in lower case, dashes for spaces>", so a group is
	// identified by its name within its market.
	Code        string
	Name        string
	Market      Market
	EcosystemID int64
	MemberIDs   []int64
	Target      decimal.Decimal // group savings needed to move to payment (MXN)
}

// Group is a collective credit group with its members and balances.
type Group struct {
	ID          int64
	Code        string
	Name        string
	Market      Market
	Phase       GroupPhase
	PhaseDate   time.Time // when the phase last changed (zero while saving)
	Target      decimal.Decimal
	AccountID   int64 // master analytic account on "CMu / Crédito colectivo"
	EcosystemID int64
	Balance     decimal.Decimal // sum of the master account's lines
	Members     []GroupMember
}

// GroupMember is a client in a group with what they saved in it.
type GroupMember struct {
	ID       int64 // x_cmu_credit_group_member id
	ClientID int64
	Name     string
	Status   MemberStatus
	Balance  decimal.Decimal
}

// CreateGroup creates a group in its saving phase with a master analytic
// account (code CC-<Code>) and its members (active). Each step looks its
// record up first — the account by code, the group by code, the members
// by client — so a call after a failure completes the group without
// duplicates; members already in the group are kept.
func (s *Service) CreateGroup(ctx context.Context, req GroupRequest) (*Group, error) {
	if strings.TrimSpace(req.Name) == "" {
		return nil, invalid("name", "required")
	}
	if strings.TrimSpace(req.Code) == "" {
		req.Code = string(req.Market) + "-" + strings.Join(strings.Fields(strings.ToLower(req.Name)), "-")
	}
	if !req.Market.Valid() {
		return nil, invalid("market", "unknown market %q", req.Market)
	}
	if !req.Target.IsPositive() {
		return nil, invalid("target", "must be positive")
	}
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	code := "CC-" + req.Code
	var accs []accountRow
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticAccount, odoo.And(odoo.Eq("code", code), odoo.Eq("plan_id", r.plans[PlanCollective])),
		&odoo.SearchOptions{Fields: []string{"id"}, Limit: 1}, &accs); err != nil {
		return nil, fmt.Errorf("cmu: group %s: look up master account: %w", req.Code, err)
	}
	var acc int64
	if len(accs) > 0 {
		acc = accs[0].ID
	} else {
		v := map[string]any{"name": "Crédito colectivo " + req.Name, "code": code, "plan_id": r.plans[PlanCollective], "x_cmu_target": req.Target}
		if req.EcosystemID != 0 {
			v["partner_id"] = req.EcosystemID
		}
		if acc, err = s.c.Create(ctx, odoo.ModelAnalyticAccount, v, nil); err != nil {
			return nil, fmt.Errorf("cmu: group %s: create master account: %w", req.Code, err)
		}
	}
	var groups []groupRow
	if err := s.c.SearchRead(ctx, ModelGroup, odoo.Eq("x_code", req.Code), &odoo.SearchOptions{Fields: groupFields, Limit: 1}, &groups); err != nil {
		return nil, fmt.Errorf("cmu: group %s: look up: %w", req.Code, err)
	}
	var gid int64
	if len(groups) > 0 {
		gid = groups[0].ID
	} else {
		v := map[string]any{"x_name": req.Name, "x_code": req.Code, "x_market": string(req.Market), "x_phase": string(PhaseSaving),
			"x_target": req.Target, "x_account_id": acc}
		if req.EcosystemID != 0 {
			v["x_ecosystem_id"] = req.EcosystemID
		}
		if gid, err = s.c.Create(ctx, ModelGroup, v, nil); err != nil {
			return nil, fmt.Errorf("cmu: group %s: create: %w", req.Code, err)
		}
	}
	var members []memberRow
	if err := s.c.SearchRead(ctx, ModelGroupMember, odoo.Eq("x_group_id", gid), &odoo.SearchOptions{Fields: memberFields}, &members); err != nil {
		return nil, fmt.Errorf("cmu: group %s: read members: %w", req.Code, err)
	}
	var vals []map[string]any
	var seen []int64
	for _, id := range req.MemberIDs {
		if slices.Contains(seen, id) || slices.ContainsFunc(members, func(m memberRow) bool { return m.PartnerID.ID == id }) {
			continue
		}
		seen = append(seen, id)
		vals = append(vals, map[string]any{"x_name": fmt.Sprintf("%s / %d", req.Code, id), "x_group_id": gid, "x_partner_id": id, "x_status": string(MemberActive)})
	}
	if len(vals) > 0 {
		if _, err := s.c.CreateMany(ctx, ModelGroupMember, vals, nil); err != nil {
			return nil, fmt.Errorf("cmu: group %s: add members: %w", req.Code, err)
		}
	}
	return s.Group(ctx, gid)
}

// GroupFilter selects groups. Zero fields do not filter.
type GroupFilter struct {
	Market    Market
	IDs       []int64
	ClientIDs []int64 // groups having one of these clients as member
}

// ListGroups returns groups with members and balances in three calls
// (groups, members, one read_group for the balances; four with ClientIDs)
// whatever the number of groups.
func (s *Service) ListGroups(ctx context.Context, f GroupFilter) ([]Group, error) {
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	var dom odoo.Domain
	if f.Market != "" {
		dom = odoo.And(dom, odoo.Eq("x_market", string(f.Market)))
	}
	if f.IDs != nil {
		dom = odoo.And(dom, odoo.In("id", nonNil(f.IDs)))
	}
	if f.ClientIDs != nil {
		var ms []memberRow
		if err := s.c.SearchRead(ctx, ModelGroupMember, odoo.In("x_partner_id", nonNil(f.ClientIDs)), &odoo.SearchOptions{Fields: memberFields}, &ms); err != nil {
			return nil, fmt.Errorf("cmu: groups of clients: %w", err)
		}
		ids := []int64{}
		for _, m := range ms {
			ids = append(ids, m.GroupID.ID)
		}
		dom = odoo.And(dom, odoo.In("id", ids))
	}
	var rows []groupRow
	if err := s.c.SearchRead(ctx, ModelGroup, dom, &odoo.SearchOptions{Fields: groupFields, Order: "id"}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: list groups: %w", err)
	}
	ids := make([]int64, len(rows))
	accs := make([]int64, 0, len(rows))
	for i, g := range rows {
		ids[i] = g.ID
		if g.AccountID.Valid() {
			accs = append(accs, g.AccountID.ID)
		}
	}
	var members []memberRow
	if err := s.c.SearchRead(ctx, ModelGroupMember, odoo.In("x_group_id", ids), &odoo.SearchOptions{Fields: memberFields, Order: "id"}, &members); err != nil {
		return nil, fmt.Errorf("cmu: list group members: %w", err)
	}
	bal, err := s.balances(ctx, r, accs)
	if err != nil {
		return nil, err
	}
	totals := accountTotals(bal)
	out := make([]Group, len(rows))
	for i, g := range rows {
		grp := Group{ID: g.ID, Code: g.Code.Value, Name: g.Name.Value, Market: Market(g.Market.Value), Phase: GroupPhase(g.Phase.Value),
			Target: g.Target, AccountID: g.AccountID.ID, EcosystemID: g.EcosystemID.ID, Balance: totals[g.AccountID.ID], Members: []GroupMember{}}
		if g.PhaseDate.Valid {
			grp.PhaseDate = g.PhaseDate.Time
		}
		for _, m := range members {
			if m.GroupID.ID == g.ID {
				grp.Members = append(grp.Members, GroupMember{ID: m.ID, ClientID: m.PartnerID.ID, Name: m.PartnerID.Name,
					Status: MemberStatus(m.Status.Value), Balance: bal[balanceKey{g.AccountID.ID, m.PartnerID.ID}]})
			}
		}
		out[i] = grp
	}
	return out, nil
}

// Group returns one group, or an error wrapping ErrNotFound.
func (s *Service) Group(ctx context.Context, id int64) (*Group, error) {
	gs, err := s.ListGroups(ctx, GroupFilter{IDs: []int64{id}})
	if err != nil {
		return nil, fmt.Errorf("cmu: group %d: %w", id, err)
	}
	if len(gs) == 0 {
		return nil, fmt.Errorf("cmu: group %d: %w", id, ErrNotFound)
	}
	return &gs[0], nil
}

// SetMemberStatus changes a member's status in a group.
func (s *Service) SetMemberStatus(ctx context.Context, groupID, clientID int64, st MemberStatus) error {
	if st != MemberActive && st != MemberDelinquent && st != MemberLeft {
		return invalid("status", "unknown member status %q", st)
	}
	ids, err := s.c.Search(ctx, ModelGroupMember, odoo.And(odoo.Eq("x_group_id", groupID), odoo.Eq("x_partner_id", clientID)), nil)
	if err != nil {
		return fmt.Errorf("cmu: member %d of group %d: %w", clientID, groupID, err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("cmu: member %d of group %d: %w", clientID, groupID, ErrNotFound)
	}
	if err := s.c.Write(ctx, ModelGroupMember, ids, map[string]any{"x_status": string(st)}, nil); err != nil {
		return fmt.Errorf("cmu: set status of member %d of group %d: %w", clientID, groupID, err)
	}
	return nil
}

// transitionMarker identifies the chatter note of a group's transition.
func transitionMarker(g *Group) string { return fmt.Sprintf("cmu:transicion_pago:%s", g.Code) }

// CheckTransition reports whether a saving group may move to payment: nil,
// or a *RuleError naming the first rule that fails (members present, every
// member active, savings ≥ target).
func CheckTransition(g *Group) error {
	if g.Phase != PhaseSaving {
		return &RuleError{GroupID: g.ID, GroupName: g.Name, Rule: RulePhase}
	}
	if len(g.Members) == 0 {
		return &RuleError{GroupID: g.ID, GroupName: g.Name, Rule: RuleHasMembers}
	}
	var inactive []string
	for _, m := range g.Members {
		if m.Status != MemberActive {
			inactive = append(inactive, fmt.Sprintf("%s (%s)", m.Name, m.Status))
		}
	}
	if len(inactive) > 0 {
		return &RuleError{GroupID: g.ID, GroupName: g.Name, Rule: RuleMembersActive, Inactive: inactive}
	}
	if g.Balance.LessThan(g.Target) {
		return &RuleError{GroupID: g.ID, GroupName: g.Name, Rule: RuleSavingsTarget, Balance: g.Balance, Target: g.Target}
	}
	return nil
}

// TransitionToPayment moves a group from saving to payment when the rules
// hold (CheckTransition), writes the phase and its date, and records a
// chatter note on the group's master analytic account. Otherwise it
// returns the *RuleError (errors.Is(err, ErrTransitionRefused)). A group
// already in payment is returned as it is, after making sure its note
// exists — so a call after a failure between the write and the note
// completes it.
func (s *Service) TransitionToPayment(ctx context.Context, groupID int64, author string) (*Group, error) {
	g, err := s.Group(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if g.Phase == PhasePayment {
		n, err := s.c.SearchCount(ctx, odoo.ModelMessage, odoo.And(odoo.Eq("model", odoo.ModelAnalyticAccount), odoo.Eq("res_id", g.AccountID),
			odoo.Eq("subject", transitionMarker(g))), nil)
		if err != nil {
			return nil, fmt.Errorf("cmu: group %d %q: look up transition note: %w", g.ID, g.Name, err)
		}
		if n == 0 {
			if err := s.transitionNote(ctx, g, author); err != nil {
				return nil, err
			}
		}
		return g, nil
	}
	if err := CheckTransition(g); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	if err := s.c.Write(ctx, ModelGroup, []int64{g.ID}, map[string]any{"x_phase": string(PhasePayment), "x_phase_date": odoo.NewDateTime(now)}, nil); err != nil {
		return nil, fmt.Errorf("cmu: group %d %q: move to payment: %w", g.ID, g.Name, err)
	}
	g.Phase, g.PhaseDate = PhasePayment, now
	if err := s.transitionNote(ctx, g, author); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "cmu: group moved to payment", "group", g.ID, "balance", g.Balance.StringFixed(2), "target", g.Target.StringFixed(2))
	return g, nil
}

func (s *Service) transitionNote(ctx context.Context, g *Group, author string) error {
	names := make([]string, len(g.Members))
	for i, m := range g.Members {
		names[i] = m.Name
	}
	msg := fmt.Sprintf("Grupo %s pasa de ahorro a pago. Ahorro del grupo %s MXN, meta %s MXN. Integrantes activos: %s.",
		g.Name, g.Balance.StringFixed(2), g.Target.StringFixed(2), strings.Join(names, ", "))
	body := noteBody(Event{Type: "transicion_pago", Message: msg, Author: author})
	if _, err := s.note(ctx, odoo.ModelAnalyticAccount, g.AccountID, transitionMarker(g), body); err != nil {
		return fmt.Errorf("cmu: group %d %q: transition note: %w", g.ID, g.Name, err)
	}
	return nil
}
