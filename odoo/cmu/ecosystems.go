package cmu

import (
	"context"
	"fmt"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
)

// Ecosystem is a route or association of transport operators (edomex
// flow): a company partner flagged x_cmu_is_ecosystem.
type Ecosystem struct {
	ID     int64
	Name   string
	Ref    string
	Market Market
}

// NewEcosystem is an ecosystem to create.
type NewEcosystem struct {
	Name   string
	Ref    string // optional natural key: an existing partner with this ref is returned
	Market Market
}

// CreateEcosystem creates an ecosystem partner (company, flagged
// x_cmu_is_ecosystem), or returns the one with the same Ref.
func (s *Service) CreateEcosystem(ctx context.Context, n NewEcosystem) (int64, error) {
	if strings.TrimSpace(n.Name) == "" {
		return 0, invalid("name", "required")
	}
	if !n.Market.Valid() {
		return 0, invalid("market", "unknown market %q", n.Market)
	}
	if n.Ref != "" {
		ids, err := s.c.Search(ctx, odoo.ModelPartner, odoo.Eq("ref", n.Ref), &odoo.SearchOptions{Limit: 1})
		if err != nil {
			return 0, fmt.Errorf("cmu: create ecosystem %q: look up ref: %w", n.Ref, err)
		}
		if len(ids) > 0 {
			return ids[0], nil
		}
	}
	v := map[string]any{"name": n.Name, "is_company": true, "x_cmu_is_ecosystem": true, "x_cmu_market": string(n.Market)}
	if n.Ref != "" {
		v["ref"] = n.Ref
	}
	id, err := s.c.Create(ctx, odoo.ModelPartner, v, nil)
	if err != nil {
		return 0, fmt.Errorf("cmu: create ecosystem %q: %w", n.Name, err)
	}
	return id, nil
}

// Ecosystems lists the ecosystems of a market ("" for all), by name.
func (s *Service) Ecosystems(ctx context.Context, m Market) ([]Ecosystem, error) {
	dom := odoo.Eq("x_cmu_is_ecosystem", true)
	if m != "" {
		dom = odoo.And(dom, odoo.Eq("x_cmu_market", string(m)))
	}
	var rows []partnerRow
	if err := s.c.SearchRead(ctx, odoo.ModelPartner, dom, &odoo.SearchOptions{Fields: partnerFields, Order: "name, id"}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: list ecosystems: %w", err)
	}
	out := make([]Ecosystem, len(rows))
	for i, r := range rows {
		out[i] = Ecosystem{ID: r.ID, Name: r.Name, Ref: r.Ref.Value, Market: Market(r.Market.Value)}
	}
	return out, nil
}

// LinkEcosystem makes client a member of ecosystem (ecosystemID 0 unlinks).
// The target must be flagged as an ecosystem.
func (s *Service) LinkEcosystem(ctx context.Context, clientID, ecosystemID int64) error {
	if ecosystemID != 0 {
		eco, err := s.client(ctx, ecosystemID)
		if err != nil {
			return fmt.Errorf("cmu: link client %d to ecosystem: %w", clientID, err)
		}
		if !eco.IsEcosystem {
			return invalid("ecosystem", "partner %d %q is not an ecosystem", eco.ID, eco.Name)
		}
	}
	if err := s.c.Write(ctx, odoo.ModelPartner, []int64{clientID}, map[string]any{"x_cmu_ecosystem_id": odoo.Many2One{ID: ecosystemID}}, nil); err != nil {
		return fmt.Errorf("cmu: link client %d to ecosystem %d: %w", clientID, ecosystemID, err)
	}
	return nil
}

// EcosystemMembers returns the clients of an ecosystem, by name (one call).
func (s *Service) EcosystemMembers(ctx context.Context, ecosystemID int64) ([]Client, error) {
	var rows []partnerRow
	if err := s.c.SearchRead(ctx, odoo.ModelPartner, odoo.Eq("x_cmu_ecosystem_id", ecosystemID),
		&odoo.SearchOptions{Fields: partnerFields, Order: "name, id"}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: members of ecosystem %d: %w", ecosystemID, err)
	}
	out := make([]Client, len(rows))
	for i, r := range rows {
		out[i] = r.client()
	}
	return out, nil
}

// EcosystemOf returns the ecosystem of a client, nil when it has none.
func (s *Service) EcosystemOf(ctx context.Context, clientID int64) (*Ecosystem, error) {
	c, err := s.client(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if c.Ecosystem == nil {
		return nil, nil
	}
	eco, err := s.client(ctx, c.Ecosystem.ID)
	if err != nil {
		return nil, err
	}
	return &Ecosystem{ID: eco.ID, Name: eco.Name, Ref: eco.Ref, Market: eco.Market}, nil
}
