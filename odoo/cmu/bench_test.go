package cmu_test

import (
	"context"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
)

// BenchmarkListClients lists pages of client aggregates from the fake
// (seeded with 1,000 demo clients) and reports the Odoo calls per page.
func BenchmarkListClients(b *testing.B) {
	for _, tc := range []struct {
		name string
		p    odoo.Protocol
		n    int
	}{
		{"json2/1000", odoo.ProtocolJSON2, 1000},
		{"xmlrpc/1000", odoo.ProtocolXMLRPC, 1000},
		{"json2/50", odoo.ProtocolJSON2, 50},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			srv, svc := setup(b, tc.p, "")
			if _, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 1000}); err != nil {
				b.Fatal(err)
			}
			srv.ResetCalls()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				page, err := svc.ListClients(ctx, cmu.ClientFilter{Limit: tc.n})
				if err != nil || len(page.Items) != tc.n {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(srv.TotalCalls())/float64(b.N), "odoo-calls/op")
			b.ReportMetric(float64(tc.n), "clients/op")
		})
	}
}

// BenchmarkGetClientEach is the baseline ListClients avoids: one GetClient
// per client of a page of 50 (N+1 round trips).
func BenchmarkGetClientEach(b *testing.B) {
	ctx := context.Background()
	srv, svc := setup(b, odoo.ProtocolJSON2, "")
	if _, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 1000}); err != nil {
		b.Fatal(err)
	}
	page, err := svc.ListClients(ctx, cmu.ClientFilter{Limit: 50})
	if err != nil {
		b.Fatal(err)
	}
	srv.ResetCalls()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, c := range page.Items {
			if _, err := svc.GetClient(ctx, c.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(srv.TotalCalls())/float64(b.N), "odoo-calls/op")
	b.ReportMetric(50, "clients/op")
}
