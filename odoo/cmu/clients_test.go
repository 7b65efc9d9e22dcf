package cmu_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Listing a page of N client aggregates costs the same number of Odoo calls
// for N = 1 and N = 500.
func TestListClientsConstantCalls(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 500})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ListClients(ctx, cmu.ClientFilter{Limit: 1}); err != nil { // warm: plans, stages, journals resolved
			t.Fatal(err)
		}
		calls := map[int]int{}
		for _, n := range []int{1, 500} {
			srv.ResetCalls()
			page, err := svc.ListClients(ctx, cmu.ClientFilter{Limit: n})
			if err != nil {
				t.Fatal(err)
			}
			calls[n] = srv.TotalCalls()
			if len(page.Items) != n || page.Total != 500 {
				t.Fatalf("N=%d: %d items, total %d", n, len(page.Items), page.Total)
			}
			// The relations really are loaded for every client of the page.
			var plans, docs, groups int
			for _, it := range page.Items {
				if len(it.Plans) == 0 || it.Plans[0].Balance.IsZero() {
					t.Fatalf("client %d has no funded plan: %+v", it.ID, it.Plans)
				}
				plans += len(it.Plans)
				docs += len(it.Documents)
				if it.Group != nil {
					groups++
				}
			}
			// 500 savings plans + the demo payment plan.
			if n == 500 && (plans != 501 || docs == 0 || groups != 4) {
				t.Fatalf("N=500: %d plans, %d documents, %d group members", plans, docs, groups)
			}
		}
		if calls[1] != calls[500] || calls[1] != cmu.ListCallsPerPage {
			t.Fatalf("calls: N=1 → %d, N=500 → %d, want %d for both", calls[1], calls[500], cmu.ListCallsPerPage)
		}
		if len(res.Leads) != 3 {
			t.Fatalf("leads = %v", res.Leads)
		}
	})
}

func TestClientAggregate(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		_, svc := setup(t, p, "")
		eco, err := svc.CreateEcosystem(ctx, cmu.NewEcosystem{Name: "Ruta 12 Texcoco", Market: cmu.MarketEdomex, Ref: "ECO-12"})
		if err != nil {
			t.Fatal(err)
		}
		id := mustClient(t, svc, cmu.NewClient{Name: "Ana Torres", Ref: "C-1", Market: cmu.MarketEdomex, Plates: " mx 123 ab ",
			EcosystemID: eco, Contact: cmu.Contact{Email: "ana@example.com", Phone: "+52 55 1234 5678", City: "Texcoco"}})
		again := mustClient(t, svc, cmu.NewClient{Name: "Ana Torres (again)", Ref: "C-1", Market: cmu.MarketEdomex})
		if again != id {
			t.Fatalf("same ref gave client %d then %d", id, again)
		}
		other := mustClient(t, svc, cmu.NewClient{Name: "Beto Ruiz", Market: cmu.MarketEdomex})
		plan, created, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: id, Target: dec("50000")})
		if err != nil || !created {
			t.Fatal(created, err)
		}
		for i, amt := range []string{"1500.50", "249.75"} {
			if _, err := svc.RecordContribution(ctx, cmu.Contribution{ClientID: id, Amount: dec(amt), Source: cmu.SourceGNV,
				TransactionID: "GNV-" + string(rune('A'+i))}); err != nil {
				t.Fatal(err)
			}
		}
		st := cmu.CreditAprobado
		kyc := cmu.KYCRevisionManual
		if err := svc.UpdateClient(ctx, id, cmu.ClientUpdate{CreditStatus: &st, KYCStatus: &kyc}); err != nil {
			t.Fatal(err)
		}
		agg, err := svc.GetClient(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if agg.Name != "Ana Torres" || agg.Market != cmu.MarketEdomex || agg.Plates != "MX123AB" || agg.Ecosystem == nil ||
			agg.Ecosystem.ID != eco || agg.Ecosystem.Name != "Ruta 12 Texcoco" || agg.CreditStatus != cmu.CreditAprobado ||
			agg.KYCStatus != cmu.KYCRevisionManual || agg.Contact.Email != "ana@example.com" || agg.Contact.City != "Texcoco" {
			t.Fatalf("client = %+v", agg.Client)
		}
		if len(agg.Plans) != 1 || agg.Plans[0].ID != plan.ID || agg.Plans[0].Kind != cmu.PlanSavings ||
			!agg.Plans[0].Balance.Equal(dec("1750.25")) || !agg.Plans[0].Target.Equal(dec("50000")) {
			t.Fatalf("plans = %+v", agg.Plans)
		}
		if agg.Group != nil || len(agg.SaleOrders) != 0 || len(agg.Documents) != 0 {
			t.Fatalf("unexpected relations: %+v", agg)
		}

		// Ecosystems both ways.
		members, err := svc.EcosystemMembers(ctx, eco)
		if err != nil || len(members) != 1 || members[0].ID != id {
			t.Fatalf("members = %+v, %v", members, err)
		}
		if err := svc.LinkEcosystem(ctx, other, eco); err != nil {
			t.Fatal(err)
		}
		if e, err := svc.EcosystemOf(ctx, other); err != nil || e == nil || e.ID != eco || e.Market != cmu.MarketEdomex {
			t.Fatalf("EcosystemOf = %+v, %v", e, err)
		}
		if err := svc.LinkEcosystem(ctx, other, id); !errors.Is(err, cmu.ErrInvalid) {
			t.Fatalf("linking to a non-ecosystem: %v", err)
		}
		if err := svc.LinkEcosystem(ctx, other, 0); err != nil {
			t.Fatal(err)
		}
		if e, err := svc.EcosystemOf(ctx, other); err != nil || e != nil {
			t.Fatalf("after unlink: %+v, %v", e, err)
		}
		page, err := svc.ListClients(ctx, cmu.ClientFilter{EcosystemID: eco})
		if err != nil || page.Total != 1 {
			t.Fatalf("clients of ecosystem: %+v, %v", page, err)
		}
		if ecos, err := svc.Ecosystems(ctx, cmu.MarketEdomex); err != nil || len(ecos) != 1 || ecos[0].Ref != "ECO-12" {
			t.Fatalf("Ecosystems = %+v, %v", ecos, err)
		}
		if c, err := svc.ClientByPlates(ctx, "mx-123ab"); err == nil {
			t.Fatalf("plates with a dash matched %+v", c)
		}
		if c, err := svc.ClientByPlates(ctx, "mx123ab"); err != nil || c.ID != id {
			t.Fatalf("ClientByPlates = %+v, %v", c, err)
		}

		// Filters.
		for _, tc := range []struct {
			name string
			f    cmu.ClientFilter
			want int64
		}{
			{"all", cmu.ClientFilter{}, 2},
			{"market", cmu.ClientFilter{Market: cmu.MarketAguascalientes}, 0},
			{"search plates", cmu.ClientFilter{Search: "123ab"}, 1},
			{"search name", cmu.ClientFilter{Search: "beto"}, 1},
			{"scope", cmu.ClientFilter{IDs: []int64{other}}, 1},
			{"empty scope", cmu.ClientFilter{IDs: []int64{}}, 0},
		} {
			page, err := svc.ListClients(ctx, tc.f)
			if err != nil || page.Total != tc.want || int64(len(page.Items)) != tc.want {
				t.Fatalf("%s: %+v, %v", tc.name, page, err)
			}
		}
		if _, err := svc.GetClient(ctx, 999999); !errors.Is(err, cmu.ErrNotFound) {
			t.Fatalf("missing client: %v", err)
		}
		if _, err := svc.CreateClient(ctx, cmu.NewClient{Name: "X", Market: "cdmx"}); !errors.Is(err, cmu.ErrInvalid) {
			t.Fatalf("bad market: %v", err)
		}
	})
}

func TestSavingsPlanOnce(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		id := mustClient(t, svc, cmu.NewClient{Name: "Carla Núñez", Market: cmu.MarketAguascalientes})
		first, created, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: id})
		if err != nil || !created || first.Name != "Ahorro Carla Núñez" || first.Code != "AH-"+itoa(id) {
			t.Fatalf("first = %+v, %v, %v", first, created, err)
		}
		before := writes(srv)
		second, created, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: id, Name: "Otro nombre"})
		if err != nil || created || second.ID != first.ID || second.Name != first.Name {
			t.Fatalf("second = %+v, %v, %v", second, created, err)
		}
		if writes(srv) != before {
			t.Fatal("the second request wrote to Odoo")
		}
		if _, _, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: 424242}); !errors.Is(err, cmu.ErrNotFound) {
			t.Fatalf("missing client: %v", err)
		}
	})
}
