package cmu

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/odoo"
)

// Market is one of CMu's two markets (x_cmu_market).
type Market string

// Markets.
const (
	MarketEdomex         Market = "edomex"
	MarketAguascalientes Market = "aguascalientes"
)

// Valid reports whether m is a known market.
func (m Market) Valid() bool { return m == MarketEdomex || m == MarketAguascalientes }

// PlanKind is the kind of a client's plan: the analytic plan its account
// belongs to.
type PlanKind string

// Plan kinds and their analytic plans.
const (
	PlanSavings     PlanKind = "ahorro"            // "CMu / Ahorro"
	PlanInstalments PlanKind = "venta_plazo"       // "CMu / Venta a plazo"
	PlanCollective  PlanKind = "credito_colectivo" // "CMu / Crédito colectivo"
)

// Options configure a Service. The zero value is usable.
type Options struct {
	// Now is the clock (default time.Now); it dates contributions, status
	// changes and phase transitions.
	Now func() time.Time
	// Logger receives a few info lines (schema provisioned, group
	// transitions); nil discards.
	Logger *slog.Logger
	// AccessGroup is the external id of the group Ensure grants CMu's
	// custom models to (DefaultAccessGroup, "base.group_user", when
	// empty); the API user must be in it.
	AccessGroup string
}

// Service is CMu's business over one Odoo database. It is safe for
// concurrent use; create one per odoo.Client and reuse it: it caches the
// ids of CMu's analytic plans, stages and journals once resolved.
type Service struct {
	c           *odoo.Client
	now         func() time.Time
	log         *slog.Logger
	accessGroup string

	mu  sync.Mutex
	ref *refs // resolved ids; nil until first needed
}

// refs are the ids Ensure provisioned, resolved once.
type refs struct {
	rootPlan int64
	plans    map[PlanKind]int64
	kinds    map[int64]PlanKind
	column   string // account.analytic.line field holding the CMu account
	stages   map[string]int64
	journals map[string]int64
}

// New returns a Service over c.
func New(c *odoo.Client, opts *Options) *Service {
	s := &Service{c: c, now: time.Now, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if opts != nil {
		if opts.Now != nil {
			s.now = opts.Now
		}
		if opts.Logger != nil {
			s.log = opts.Logger
		}
		s.accessGroup = opts.AccessGroup
	}
	return s
}

// Odoo returns the underlying Odoo client.
func (s *Service) Odoo() *odoo.Client { return s.c }

func (s *Service) forget() {
	s.mu.Lock()
	s.ref = nil
	s.mu.Unlock()
}

// refs resolves (once) the analytic plans, the analytic line column of the
// CMu root plan, the stages and the journals: four read calls the first
// time, none after.
func (s *Service) refs(ctx context.Context) (*refs, error) {
	s.mu.Lock()
	r := s.ref
	s.mu.Unlock()
	if r != nil {
		return r, nil
	}
	sc := DefaultSchema()
	r = &refs{plans: map[PlanKind]int64{}, kinds: map[int64]PlanKind{}, stages: map[string]int64{}, journals: map[string]int64{}}
	names := []string{RootPlanName}
	for _, p := range sc.Plans {
		names = append(names, p.Name)
	}
	var plans []odoo.AnalyticPlan
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticPlan, odoo.In("name", names),
		&odoo.SearchOptions{Fields: []string{"id", "name", "parent_id"}, Order: "id"}, &plans); err != nil {
		return nil, fmt.Errorf("cmu: resolve analytic plans: %w", err)
	}
	for _, p := range plans {
		if p.Name == RootPlanName && !p.ParentID.Valid() && r.rootPlan == 0 {
			r.rootPlan = p.ID
		}
	}
	for _, spec := range sc.Plans {
		for _, p := range plans {
			if p.Name == spec.Name && r.rootPlan != 0 && p.ParentID.ID == r.rootPlan {
				r.plans[spec.Kind] = p.ID
				r.kinds[p.ID] = spec.Kind
				break
			}
		}
		if r.plans[spec.Kind] == 0 {
			return nil, fmt.Errorf("cmu: analytic plan %q: %w", RootPlanName+" / "+spec.Name, ErrNotProvisioned)
		}
	}
	lineFields, err := s.c.FieldsGet(ctx, odoo.ModelAnalyticLine, []string{"type", "relation"}, nil)
	if err != nil {
		return nil, fmt.Errorf("cmu: resolve analytic line columns: %w", err)
	}
	col := fmt.Sprintf("x_plan%d_id", r.rootPlan)
	if f, ok := lineFields[col]; ok && f.Relation == odoo.ModelAnalyticAccount {
		r.column = col
	} else {
		// The CMu root plan is Odoo's project plan, whose column is account_id.
		r.column = "account_id"
	}
	for _, f := range []string{"x_cmu_transaction_id", "x_cmu_source"} {
		if _, ok := lineFields[f]; !ok {
			return nil, fmt.Errorf("cmu: field %s.%s: %w", odoo.ModelAnalyticLine, f, ErrNotProvisioned)
		}
	}
	var stageNames []string
	for _, x := range sc.Stages {
		stageNames = append(stageNames, x.Name)
	}
	var stages []odoo.Stage
	if err := s.c.SearchRead(ctx, odoo.ModelStage, odoo.In("name", stageNames),
		&odoo.SearchOptions{Fields: []string{"id", "name"}, Order: "id"}, &stages); err != nil {
		return nil, fmt.Errorf("cmu: resolve CRM stages: %w", err)
	}
	for _, x := range stages {
		if r.stages[x.Name] == 0 {
			r.stages[x.Name] = x.ID
		}
	}
	var codes []string
	for _, j := range sc.Journals {
		codes = append(codes, j.Code)
	}
	var journals []odoo.Journal
	if err := s.c.SearchRead(ctx, odoo.ModelJournal, odoo.In("code", codes),
		&odoo.SearchOptions{Fields: []string{"id", "code"}, Order: "id"}, &journals); err != nil {
		return nil, fmt.Errorf("cmu: resolve journals: %w", err)
	}
	for _, j := range journals {
		if r.journals[j.Code] == 0 {
			r.journals[j.Code] = j.ID
		}
	}
	s.mu.Lock()
	s.ref = r
	s.mu.Unlock()
	return r, nil
}

func (r *refs) planIDs() []int64 {
	return []int64{r.plans[PlanSavings], r.plans[PlanInstalments], r.plans[PlanCollective]}
}

// Stage returns the id of one of the CRM stages Ensure provisions
// (StagePromesaFirmada, StageAprobado, StageRechazado, StageCierreGanado).
func (s *Service) Stage(ctx context.Context, name string) (int64, error) {
	r, err := s.refs(ctx)
	if err != nil {
		return 0, err
	}
	id := r.stages[name]
	if id == 0 {
		return 0, fmt.Errorf("cmu: CRM stage %q: %w", name, ErrNotProvisioned)
	}
	return id, nil
}

// AnalyticPlanID returns the id of the analytic plan of kind.
func (s *Service) AnalyticPlanID(ctx context.Context, kind PlanKind) (int64, error) {
	r, err := s.refs(ctx)
	if err != nil {
		return 0, err
	}
	id := r.plans[kind]
	if id == 0 {
		return 0, invalid("plan kind", "unknown plan kind %q", kind)
	}
	return id, nil
}

// nowUTC is the clock in UTC, truncated to the second as Odoo stores it.
func (s *Service) nowUTC() time.Time { return s.now().UTC().Truncate(time.Second) }

// idsOf turns the answer of message_post (an id on 17, a list
// on 19) into ids.
func idsOf(v any) []int64 {
	switch x := v.(type) {
	case int64:
		return []int64{x}
	case []any:
		var out []int64
		for _, e := range x {
			if id, ok := e.(int64); ok {
				out = append(out, id)
			}
		}
		return out
	}
	return nil
}
