package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
	"github.com/shopspring/decimal"
)

// Groups implements server.GroupsService over odoo/cmu's collective credit
// groups.
type Groups struct {
	svc *cmu.Service
	pub *publisher
}

var _ server.GroupsService = (*Groups)(nil)

// ListGroups implements server.GroupsService: administrators see every
// group, others the groups of their markets or with one of their clients.
func (g *Groups) ListGroups(ctx context.Context, scope server.Scope) ([]server.Group, error) {
	var f cmu.GroupFilter
	if !scope.All {
		switch {
		case slices.Contains(scope.Markets, server.MarketEdomex) && slices.Contains(scope.Markets, server.MarketAguascalientes):
		case len(scope.Markets) == 1:
			f.Market = cmu.Market(scope.Markets[0])
		case len(scope.ClientIDs) > 0:
			f.ClientIDs = scope.ClientIDs
		default:
			return []server.Group{}, nil
		}
	}
	gs, err := g.svc.ListGroups(ctx, f)
	if err != nil {
		return nil, mapError(err, "los grupos")
	}
	out := make([]server.Group, 0, len(gs))
	for i := range gs {
		out = append(out, groupOf(&gs[i]))
	}
	return out, nil
}

// CreateGroup implements server.GroupsService. The group's natural key is
// derived from its market, name and members, so a retried request completes
// or returns the same group.
func (g *Groups) CreateGroup(ctx context.Context, req server.CreateGroupRequest) (*server.Group, error) {
	target, err := decimal.NewFromString(req.TargetAmount)
	if err != nil {
		return nil, invalid("El campo targetAmount debe ser un monto")
	}
	members := slices.Clone(req.MemberIDs)
	slices.Sort(members)
	members = slices.Compact(members)
	if len(members) != len(req.MemberIDs) {
		return nil, invalid("El campo memberIds tiene integrantes repetidos")
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|", req.Market, strings.TrimSpace(req.Name))
	for _, m := range members {
		h.Write([]byte(strconv.FormatInt(m, 10) + ","))
	}
	code := "G-" + strings.ToUpper(hex.EncodeToString(h.Sum(nil))[:12])
	grp, err := g.svc.CreateGroup(ctx, cmu.GroupRequest{Code: code, Name: req.Name, Market: cmu.Market(req.Market),
		EcosystemID: req.EcosystemID, MemberIDs: members, Target: target})
	if err != nil {
		return nil, mapError(err, "el grupo "+req.Name)
	}
	for _, m := range grp.Members {
		g.pub.applied(ctx, m.ClientID, req.Market, "grupo", nil, nil)
	}
	out := groupOf(grp)
	return &out, nil
}

// TransitionToPayment implements server.GroupsService: a group whose rules
// do not hold is a 422 naming the failed rule in Spanish.
//
// The route does not check the advisor against the group, so this does: an
// advisor who may act on none of its members (nor on its market) gets 403.
func (g *Groups) TransitionToPayment(ctx context.Context, id int64) (*server.Group, error) {
	author := "CMu"
	if a, ok := server.AdvisorFrom(ctx); ok {
		author = authorName(ctx, a.ID)
		if !a.Admin {
			grp, err := g.svc.Group(ctx, id)
			if err != nil {
				return nil, mapError(err, fmt.Sprintf("el grupo %d", id))
			}
			allowed := a.MayActOn(0, server.Market(grp.Market))
			for _, m := range grp.Members {
				allowed = allowed || a.MayActOn(m.ClientID, "")
			}
			if !allowed {
				return nil, server.NewError(server.KindForbidden, fmt.Sprintf("No tiene permiso para actuar sobre el grupo %d", id))
			}
		}
	}
	grp, err := g.svc.TransitionToPayment(ctx, id, author)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el grupo %d", id))
	}
	for _, m := range grp.Members {
		g.pub.applied(ctx, m.ClientID, server.Market(grp.Market), "grupo_pago", nil, nil)
	}
	out := groupOf(grp)
	return &out, nil
}

func groupOf(g *cmu.Group) server.Group {
	out := server.Group{ID: g.ID, Name: g.Name, Market: server.Market(g.Market), Phase: string(g.Phase), EcosystemID: g.EcosystemID,
		Members: make([]server.GroupMember, 0, len(g.Members)), Balance: server.NewMoney(g.Balance), Target: server.NewMoney(g.Target)}
	for _, m := range g.Members {
		out.Members = append(out.Members, server.GroupMember{ClientID: m.ClientID, Name: m.Name, Balance: server.NewMoney(m.Balance)})
	}
	return out
}
