package cmu_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

func TestGroupLifecycle(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		eco, err := svc.CreateEcosystem(ctx, cmu.NewEcosystem{Name: "Ruta 5", Market: cmu.MarketEdomex})
		if err != nil {
			t.Fatal(err)
		}
		a := mustClient(t, svc, cmu.NewClient{Name: "Abel", Market: cmu.MarketEdomex, EcosystemID: eco})
		b := mustClient(t, svc, cmu.NewClient{Name: "Berta", Market: cmu.MarketEdomex, EcosystemID: eco})
		c := mustClient(t, svc, cmu.NewClient{Name: "Ciro", Market: cmu.MarketEdomex, EcosystemID: eco})
		req := cmu.GroupRequest{Code: "R5-G1", Name: "Ruta 5 grupo 1", Market: cmu.MarketEdomex, EcosystemID: eco,
			MemberIDs: []int64{a, b, c, a}, Target: dec("30000")}
		// The group record fails to be created: the master account exists; the retry reuses it.
		srv.InjectFault(odootest.Fault{Model: cmu.ModelGroup, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
		if _, err := svc.CreateGroup(ctx, req); !errors.Is(err, odoo.ErrTransport) || !strings.Contains(err.Error(), "R5-G1") {
			t.Fatalf("with a 503: %v", err)
		}
		g, err := svc.CreateGroup(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := svc.CreateGroup(ctx, req); err != nil || again.ID != g.ID {
			t.Fatalf("again = %+v, %v", again, err)
		}
		if n := len(srv.Records(cmu.ModelGroup)); n != 1 {
			t.Fatalf("%d groups", n)
		}
		accounts := 0
		for _, r := range srv.Records(odoo.ModelAnalyticAccount) {
			if r["code"] == "CC-R5-G1" {
				accounts++
			}
		}
		if accounts != 1 || len(g.Members) != 3 || g.Phase != cmu.PhaseSaving || g.AccountID == 0 || g.EcosystemID != eco {
			t.Fatalf("group = %+v, %d master accounts", g, accounts)
		}

		// Not enough savings yet.
		for i, who := range []int64{a, b, c} {
			if _, err := svc.RecordContribution(ctx, cmu.Contribution{ClientID: who, AccountID: g.AccountID, Amount: dec("9000"),
				Source: cmu.SourceSPEI, TransactionID: "G-" + itoa(int64(i))}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = svc.TransitionToPayment(ctx, g.ID, "Asesor 7")
		var re *cmu.RuleError
		if !errors.As(err, &re) || re.Rule != cmu.RuleSavingsTarget || !errors.Is(err, cmu.ErrTransitionRefused) ||
			!strings.Contains(err.Error(), "savings 27000.00 below target 30000.00") || !strings.Contains(err.Error(), "Ruta 5 grupo 1") {
			t.Fatalf("below target: %v", err)
		}
		if _, err := svc.RecordContribution(ctx, cmu.Contribution{ClientID: b, AccountID: g.AccountID, Amount: dec("3000"),
			Source: cmu.SourceConekta, TransactionID: "G-3"}); err != nil {
			t.Fatal(err)
		}
		// A member who is not active blocks the transition.
		if err := svc.SetMemberStatus(ctx, g.ID, c, cmu.MemberDelinquent); err != nil {
			t.Fatal(err)
		}
		_, err = svc.TransitionToPayment(ctx, g.ID, "Asesor 7")
		if !errors.As(err, &re) || re.Rule != cmu.RuleMembersActive || len(re.Inactive) != 1 || !strings.Contains(err.Error(), "Ciro (moroso)") {
			t.Fatalf("inactive member: %v", err)
		}
		if err := svc.SetMemberStatus(ctx, g.ID, c, cmu.MemberActive); err != nil {
			t.Fatal(err)
		}
		groups, err := svc.ListGroups(ctx, cmu.GroupFilter{Market: cmu.MarketEdomex})
		if err != nil || len(groups) != 1 {
			t.Fatal(groups, err)
		}
		got := groups[0]
		if !got.Balance.Equal(dec("30000")) || !got.Members[1].Balance.Equal(dec("12000")) || got.Members[1].Name != "Berta" {
			t.Fatalf("balances = %s, members %+v", got.Balance, got.Members)
		}
		// The note fails once after the phase was written: the retry adds it.
		srv.InjectFault(odootest.Fault{Model: odoo.ModelAnalyticAccount, Method: "message_post", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
		if _, err := svc.TransitionToPayment(ctx, g.ID, "Asesor 7"); !errors.Is(err, odoo.ErrTransport) {
			t.Fatalf("503 on the note: %v", err)
		}
		moved, err := svc.TransitionToPayment(ctx, g.ID, "Asesor 7")
		if err != nil || moved.Phase != cmu.PhasePayment || !moved.PhaseDate.Equal(fixedNow()) {
			t.Fatalf("moved = %+v, %v", moved, err)
		}
		if _, err := svc.TransitionToPayment(ctx, g.ID, "Asesor 7"); err != nil {
			t.Fatal(err)
		}
		notes := 0
		for _, m := range srv.Records(odoo.ModelMessage) {
			if m["model"] == odoo.ModelAnalyticAccount && m["res_id"] == g.AccountID {
				notes++
				if body, _ := m["body"].(string); !strings.Contains(body, "pasa de ahorro a pago") || !strings.Contains(body, "30000.00") {
					t.Fatalf("note = %q", body)
				}
			}
		}
		if notes != 1 {
			t.Fatalf("%d transition notes", notes)
		}
		// The member's aggregate shows the group.
		agg, err := svc.GetClient(ctx, b)
		if err != nil || agg.Group == nil || agg.Group.Phase != cmu.PhasePayment || !agg.Group.Balance.Equal(dec("12000")) {
			t.Fatalf("aggregate group = %+v, %v", agg.Group, err)
		}
		// Without a code, the group is identified by market and name.
		byName := cmu.GroupRequest{Name: "Ruta 5  Grupo B", Market: cmu.MarketEdomex, MemberIDs: []int64{a}, Target: dec("1000")}
		g1, err := svc.CreateGroup(ctx, byName)
		if err != nil || g1.Code != "edomex-ruta-5-grupo-b" {
			t.Fatalf("group without code = %+v, %v", g1, err)
		}
		if g2, err := svc.CreateGroup(ctx, byName); err != nil || g2.ID != g1.ID {
			t.Fatalf("again = %+v, %v", g2, err)
		}
		mine, err := svc.ListGroups(ctx, cmu.GroupFilter{ClientIDs: []int64{c}})
		if err != nil || len(mine) != 1 {
			t.Fatal(mine, err)
		}
		if _, err := svc.Group(ctx, 98765); !errors.Is(err, cmu.ErrNotFound) {
			t.Fatal(err)
		}
	})
}

func TestCheckTransitionRules(t *testing.T) {
	t.Parallel()
	active := []cmu.GroupMember{{Name: "A", Status: cmu.MemberActive}, {Name: "B", Status: cmu.MemberActive}}
	for _, tc := range []struct {
		name string
		g    cmu.Group
		rule cmu.Rule
	}{
		{"ready", cmu.Group{Phase: cmu.PhaseSaving, Members: active, Balance: dec("100"), Target: dec("100")}, ""},
		{"already paying", cmu.Group{Phase: cmu.PhasePayment, Members: active, Balance: dec("100"), Target: dec("100")}, cmu.RulePhase},
		{"no members", cmu.Group{Phase: cmu.PhaseSaving, Balance: dec("100"), Target: dec("1")}, cmu.RuleHasMembers},
		{"one left", cmu.Group{Phase: cmu.PhaseSaving, Members: []cmu.GroupMember{{Name: "A", Status: cmu.MemberLeft}}, Balance: dec("100"), Target: dec("1")}, cmu.RuleMembersActive},
		{"a cent short", cmu.Group{Phase: cmu.PhaseSaving, Members: active, Balance: dec("99.99"), Target: dec("100")}, cmu.RuleSavingsTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := cmu.CheckTransition(&tc.g)
			var re *cmu.RuleError
			switch {
			case tc.rule == "" && err != nil:
				t.Fatal(err)
			case tc.rule != "" && (!errors.As(err, &re) || re.Rule != tc.rule):
				t.Fatalf("err = %v, want rule %s", err, tc.rule)
			}
		})
	}
}
