package cmu_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

func TestContributionDuplicateRefused(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		id := mustClient(t, svc, cmu.NewClient{Name: "Diego Soto", Market: cmu.MarketEdomex})
		if _, err := svc.RecordContribution(ctx, cmu.Contribution{ClientID: id, Amount: dec("100"), Source: cmu.SourceGNV, TransactionID: "T-0"}); !errors.Is(err, cmu.ErrNotFound) {
			t.Fatalf("without a savings plan: %v", err)
		}
		plan, _, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: id})
		if err != nil {
			t.Fatal(err)
		}
		c := cmu.Contribution{ClientID: id, Amount: dec("350.40"), Source: cmu.SourceConekta, TransactionID: "ord_2tW9X",
			Date: time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)}
		got, err := svc.RecordContribution(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccountID != plan.ID || !got.Amount.Equal(dec("350.40")) || got.Date.Format(time.DateOnly) != "2026-02-27" {
			t.Fatalf("recorded = %+v", got)
		}
		rec, ok := srv.Get(odoo.ModelAnalyticLine, got.LineID)
		if !ok || rec["x_cmu_transaction_id"] != "ord_2tW9X" || rec["x_cmu_source"] != "conekta" || rec["partner_id"] != id {
			t.Fatalf("line = %v", rec)
		}
		// A second service (another process: nothing in memory) refuses it too.
		other := cmu.New(newClient(t, srv, p), nil)
		_, err = other.RecordContribution(ctx, c)
		var de *cmu.DuplicateError
		if !errors.As(err, &de) || !errors.Is(err, cmu.ErrDuplicate) || de.ExistingID != got.LineID || de.Key != "ord_2tW9X" {
			t.Fatalf("duplicate: %v", err)
		}
		if n := len(srv.Records(odoo.ModelAnalyticLine)); n != 1 {
			t.Fatalf("%d lines", n)
		}
		for _, bad := range []cmu.Contribution{
			{ClientID: id, Amount: dec("0"), Source: cmu.SourceGNV, TransactionID: "x"},
			{ClientID: id, Amount: dec("1.005"), Source: cmu.SourceGNV, TransactionID: "x"},
			{ClientID: id, Amount: dec("1"), Source: "paypal", TransactionID: "x"},
			{ClientID: id, Amount: dec("1"), Source: cmu.SourceGNV},
		} {
			if _, err := svc.RecordContribution(ctx, bad); !errors.Is(err, cmu.ErrInvalid) {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
	})
}

// A contribution whose create failed (Odoo 503) is recorded once by the retry.
func TestContributionRetryAfterFault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolJSON2, "")
	id := mustClient(t, svc, cmu.NewClient{Name: "Elsa Vega", Market: cmu.MarketEdomex})
	if _, _, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: id}); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(odootest.Fault{Model: odoo.ModelAnalyticLine, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
	c := cmu.Contribution{ClientID: id, Amount: dec("99.90"), Source: cmu.SourceSPEI, TransactionID: "SPEI-777"}
	_, err := svc.RecordContribution(ctx, c)
	var oe *odoo.Error
	if !errors.As(err, &oe) || oe.Status != 503 || !strings.Contains(err.Error(), "SPEI-777") || !strings.Contains(err.Error(), "client "+itoa(id)) {
		t.Fatalf("err = %v", err)
	}
	if _, err := svc.RecordContribution(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RecordContribution(ctx, c); !errors.Is(err, cmu.ErrDuplicate) {
		t.Fatalf("third try: %v", err)
	}
	if n := len(srv.Records(odoo.ModelAnalyticLine)); n != 1 {
		t.Fatalf("%d lines", n)
	}
}

func TestRegisterPaymentIdempotent(t *testing.T) {
	for _, tc := range []struct {
		version string
		p       odoo.Protocol
	}{{"19.0", odoo.ProtocolXMLRPC}, {"19.0", odoo.ProtocolJSONRPC}, {"19.0", odoo.ProtocolJSON2}, {"17.0", odoo.ProtocolXMLRPC}} {
		t.Run(tc.version+"/"+tc.p.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv, svc := setup(t, tc.p, tc.version)
			id := mustClient(t, svc, cmu.NewClient{Name: "Fabiola Mora", Market: cmu.MarketAguascalientes})
			req := cmu.ReceivedPayment{ClientID: id, Amount: dec("25000.00"), Method: cmu.MethodSPEI, ProviderRef: "SPEI-CLAVE-001", Post: true}
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPayment, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
			if _, err := svc.RegisterPayment(ctx, req); !errors.Is(err, odoo.ErrTransport) || !strings.Contains(err.Error(), "SPEI-CLAVE-001") {
				t.Fatalf("with a 503: %v", err)
			}
			first, err := svc.RegisterPayment(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			wantState := "in_process"
			if tc.version == "17.0" {
				wantState = "posted"
			}
			if !first.Created || first.State != wantState || !first.Amount.Equal(dec("25000")) || first.ClientID != id || first.Name == "" {
				t.Fatalf("first = %+v", first)
			}
			jr, _ := srv.Get(odoo.ModelPayment, first.ID)
			journal, _ := srv.Get(odoo.ModelJournal, jr["journal_id"].(int64))
			if journal["code"] != cmu.JournalSPEI || jr["payment_type"] != "inbound" || jr["partner_type"] != "customer" {
				t.Fatalf("payment = %v, journal %v", jr, journal["code"])
			}
			second, err := svc.RegisterPayment(ctx, req)
			if err != nil || second.Created || second.ID != first.ID {
				t.Fatalf("second = %+v, %v", second, err)
			}
			if n := len(srv.Records(odoo.ModelPayment)); n != 1 {
				t.Fatalf("%d payments", n)
			}
			cnk, err := svc.RegisterPayment(ctx, cmu.ReceivedPayment{ClientID: id, Amount: dec("1999.99"), Method: cmu.MethodConekta, ProviderRef: "ord_abc"})
			if err != nil || cnk.State != "draft" {
				t.Fatalf("conekta = %+v, %v", cnk, err)
			}
			rec, _ := srv.Get(odoo.ModelPayment, cnk.ID)
			if j, _ := srv.Get(odoo.ModelJournal, rec["journal_id"].(int64)); j["code"] != cmu.JournalConekta {
				t.Fatalf("journal = %v", j["code"])
			}
			if _, err := svc.RegisterPayment(ctx, cmu.ReceivedPayment{ClientID: id, Amount: dec("1"), Method: "cash", ProviderRef: "x"}); !errors.Is(err, cmu.ErrInvalid) {
				t.Fatalf("bad method: %v", err)
			}
		})
	}
}

func TestPaymentPlan(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		pkgID, err := svc.SavePackage(ctx, cmu.DemoPackages()[0])
		if err != nil {
			t.Fatal(err)
		}
		id := mustClient(t, svc, cmu.NewClient{Name: "Gerardo Paz", Market: cmu.MarketEdomex})
		sched, err := amortization.New(amortization.Inputs{Principal: dec("200000"), AnnualRate: dec("0.36"), Periods: 104,
			Frequency: amortization.Weekly, Method: amortization.French, IVARate: dec("0.16"), Commission: dec("0.02"),
			Start: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		req := cmu.PaymentPlanRequest{ClientID: id, Ref: "COT-2026-0001", PackageID: pkgID, Components: []string{"seguro"},
			DownPayment: dec("50000"), Term: 104, Schedule: sched,
			Files: []cmu.File{{Name: "cotizacion.pdf", Mimetype: "application/pdf", Data: []byte("%PDF-1.4 demo")}}}
		// Odoo fails on the sale order: the account exists, nothing else.
		srv.InjectFault(odootest.Fault{Model: odoo.ModelSaleOrder, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
		if _, err := svc.OpenPaymentPlan(ctx, req); !errors.Is(err, odoo.ErrTransport) || !strings.Contains(err.Error(), "COT-2026-0001") {
			t.Fatalf("with a 503: %v", err)
		}
		// And then on the second attachment.
		srv.InjectFault(odootest.Fault{Model: odoo.ModelAttachment, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
		if _, err := svc.OpenPaymentPlan(ctx, req); !errors.Is(err, odoo.ErrTransport) {
			t.Fatalf("second 503: %v", err)
		}
		plan, err := svc.OpenPaymentPlan(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if !plan.Total.Equal(dec("250000")) || len(plan.AttachmentIDs) != 3 || plan.SaleOrderName == "" {
			t.Fatalf("plan = %+v", plan)
		}
		again, err := svc.OpenPaymentPlan(ctx, req)
		if err != nil || again.Created || again.SaleOrderID != plan.SaleOrderID || again.AccountID != plan.AccountID {
			t.Fatalf("again = %+v, %v", again, err)
		}
		if n := len(srv.Records(odoo.ModelSaleOrder)); n != 1 {
			t.Fatalf("%d sale orders", n)
		}
		// Without a Ref, an identical request opens one plan only.
		noRef := cmu.PaymentPlanRequest{ClientID: id, PackageID: pkgID, Term: 156, DownPayment: dec("48000")}
		p1, err := svc.OpenPaymentPlan(ctx, noRef)
		if err != nil || !p1.Created || p1.Ref != "C"+itoa(id)+"-P"+itoa(pkgID)+"-T156-E48000.00" || !p1.Total.Equal(dec("238000")) {
			t.Fatalf("without ref = %+v, %v", p1, err)
		}
		if p2, err := svc.OpenPaymentPlan(ctx, noRef); err != nil || p2.Created || p2.SaleOrderID != p1.SaleOrderID {
			t.Fatalf("again without ref = %+v, %v", p2, err)
		}
		if n := len(srv.Records(odoo.ModelAttachment)); n != 3 {
			t.Fatalf("%d attachments", n)
		}
		var lines []odoo.SaleOrderLine
		if err := svc.Odoo().SearchRead(ctx, odoo.ModelSaleOrderLine, odoo.Eq("order_id", plan.SaleOrderID),
			&odoo.SearchOptions{Fields: []string{"name", "price_unit", "price_total", "analytic_distribution"}, Order: "id"}, &lines); err != nil {
			t.Fatal(err)
		}
		if len(lines) != 4 || !lines[0].PriceUnit.Equal(dec("199900")) || !lines[3].PriceTotal.Equal(dec("12000")) ||
			!lines[0].AnalyticDistribution[itoa(plan.AccountID)].Equal(dec("100")) {
			t.Fatalf("lines = %+v", lines)
		}
		var js []odoo.Attachment
		if err := svc.Odoo().SearchRead(ctx, odoo.ModelAttachment, odoo.Eq("name", "amortizacion-COT-2026-0001.json"),
			&odoo.SearchOptions{Fields: []string{"datas", "res_model", "res_id", "mimetype"}}, &js); err != nil || len(js) != 1 {
			t.Fatal(js, err)
		}
		var back amortization.Schedule
		if err := back.UnmarshalJSON(js[0].Datas); err != nil || len(back.Rows) != 104 || !back.Payment.Equal(sched.Payment) ||
			js[0].ResModel.Value != "sale.order" || js[0].ResID != plan.SaleOrderID {
			t.Fatalf("schedule attachment: %v %+v", err, js[0].ResModel)
		}
		agg, err := svc.GetClient(ctx, id)
		if err != nil || len(agg.SaleOrders) != 2 || agg.SaleOrders[0].PlanRef != "COT-2026-0001" || agg.SaleOrders[0].AccountID != plan.AccountID ||
			len(agg.Plans) != 2 || agg.Plans[0].Kind != cmu.PlanInstalments || !agg.SaleOrders[0].AmountTotal.Equal(dec("250000")) {
			t.Fatalf("aggregate = %+v, %v", agg, err)
		}
		for _, bad := range []cmu.PaymentPlanRequest{
			{ClientID: id, Ref: "X", PackageID: pkgID, Term: 100},
			{ClientID: id, Ref: "X", PackageID: pkgID, Term: 104, Components: []string{"turbo"}, DownPayment: dec("60000")},
			{ClientID: id, Ref: "X", PackageID: pkgID, Term: 104, DownPayment: dec("47599.99")}, // 20 % of 238,000.00 is 47,600.00
			{ClientID: id, Ref: "X", PackageID: pkgID, Term: 104, DownPayment: dec("238000")},
		} {
			if _, err := svc.OpenPaymentPlan(ctx, bad); !errors.Is(err, cmu.ErrInvalid) {
				t.Fatalf("%+v: %v", bad, err)
			}
		}
	})
}
