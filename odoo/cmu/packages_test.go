package cmu_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestPackagesRoundTrip(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		want := cmu.DemoPackages()
		for i := range want {
			id, err := svc.SavePackage(ctx, want[i])
			if err != nil {
				t.Fatal(err)
			}
			want[i].ID = id
		}
		got, err := svc.Packages(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		ignore := cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })
		clear := func(ps []cmu.ProductPackage) {
			for i := range ps {
				for j := range ps[i].Components {
					ps[i].Components[j].ID, ps[i].Components[j].ProductID = 0, 0
				}
			}
		}
		for _, g := range got {
			for _, c := range g.Components {
				if c.ProductID == 0 {
					t.Fatalf("component %s has no product", c.Code)
				}
			}
		}
		clear(got)
		if d := cmp.Diff(want, got, ignore); d != "" {
			t.Fatalf("packages (-want +got):\n%s", d)
		}
		ags, err := svc.Packages(ctx, cmu.MarketAguascalientes)
		if err != nil || len(ags) != 1 || ags[0].Frequency != amortization.Quincenal || !ags[0].Total().Equal(dec("858900")) {
			t.Fatalf("ags = %+v, %v", ags, err)
		}
		// Saving again changes values in place, drops stale components.
		edo := cmu.DemoPackages()[0]
		edo.AnnualRate = dec("0.345")
		edo.Components = edo.Components[:3]
		if id, err := svc.SavePackage(ctx, edo); err != nil || id != want[0].ID {
			t.Fatal(id, err)
		}
		pkg, err := svc.Package(ctx, want[0].ID)
		if err != nil || !pkg.AnnualRate.Equal(dec("0.345")) || len(pkg.Components) != 3 {
			t.Fatalf("after update = %+v, %v", pkg, err)
		}
		if n := len(srv.Records(cmu.ModelPackage)); n != 2 {
			t.Fatalf("%d packages", n)
		}
		bad := cmu.DemoPackages()[0]
		bad.Frequency = "daily"
		if _, err := svc.SavePackage(ctx, bad); !errors.Is(err, cmu.ErrInvalid) {
			t.Fatal(err)
		}
		if _, err := svc.Package(ctx, 4040); !errors.Is(err, cmu.ErrNotFound) {
			t.Fatal(err)
		}
	})
}

func TestSeedDemo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolJSON2, "")
	res, err := svc.SeedDemo(ctx, cmu.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Clients) != 50 || len(res.Packages) != 2 || len(res.Ecosystems) != 2 || len(res.Groups) != 1 || len(res.Leads) != 3 {
		t.Fatalf("result = %+v", res)
	}
	before := writes(srv)
	again, err := svc.SeedDemo(ctx, cmu.SeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Only the packages are rewritten in place (SavePackage updates).
	if w := writes(srv) - before; w != srv.Calls(cmu.ModelPackage, "write")+srv.Calls(cmu.ModelComponent, "write") || len(srv.Records(odoo.ModelPartner)) != 4+2+50 {
		t.Fatalf("second seed: %d writes, %d partners", w, len(srv.Records(odoo.ModelPartner)))
	}
	if d := cmpIDs(res.Clients, again.Clients); d != "" {
		t.Fatal(d)
	}
	markets := map[cmu.Market]int{}
	page, err := svc.ListClients(ctx, cmu.ClientFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Items {
		markets[c.Market]++
	}
	if markets[cmu.MarketEdomex] < 30 || markets[cmu.MarketAguascalientes] < 15 {
		t.Fatalf("markets = %v", markets)
	}
	members, err := svc.EcosystemMembers(ctx, res.Ecosystems[0])
	if err != nil || len(members) < 10 {
		t.Fatalf("ecosystem members = %d, %v", len(members), err)
	}
	g, err := svc.Group(ctx, res.Groups[0])
	if err != nil || len(g.Members) != 4 || !g.Balance.Equal(dec("45000")) {
		t.Fatalf("group = %+v, %v", g, err)
	}
	for i, lead := range res.Leads {
		docs, err := svc.LeadDocuments(ctx, lead)
		if err != nil || len(docs) == 0 {
			t.Fatalf("lead %d documents: %v", i, err)
		}
	}
}

// 10,000 clients seed in batches against the fake in reasonable time.
func TestSeedDemoLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 clients: skipped with -short")
	}
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolJSON2, "")
	start := time.Now()
	res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 10000})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if len(res.Clients) != 10000 || srv.Calls(odoo.ModelPartner, "create") > 25 {
		t.Fatalf("%d clients in %d partner creates", len(res.Clients), srv.Calls(odoo.ModelPartner, "create"))
	}
	t.Logf("seeded 10,000 clients in %v (%d calls)", took, srv.TotalCalls())
	if took > 90*time.Second {
		t.Fatalf("seeding took %v", took)
	}
}

func cmpIDs(a, b []int64) string { return cmp.Diff(a, b) }
