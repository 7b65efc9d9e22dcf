package cmu_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/shopspring/decimal"
)

// exampleService starts a fake Odoo and returns a service over JSON-2.
func exampleService() (*odootest.Server, *cmu.Service) {
	srv := odootest.NewServer(nil, odootest.WithClock(fixedNow))
	c, err := odoo.NewClient(srv.URL, odoo.WithDatabase(srv.DB), odoo.WithLogin(srv.Login, srv.APIKey), odoo.WithAPIKey(srv.APIKey))
	if err != nil {
		log.Fatal(err)
	}
	return srv, cmu.New(c, &cmu.Options{Now: fixedNow})
}

func ExampleService_Ensure() {
	srv, svc := exampleService()
	defer srv.Close()
	ctx := context.Background()

	plan, err := svc.Plan(ctx) // dry run
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan[0])
	fmt.Println(plan[len(plan)-1])
	done, err := svc.Ensure(ctx)
	if err != nil {
		log.Fatal(err)
	}
	again, err := svc.Ensure(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(done) == len(plan), len(again))
	// Output:
	// create model x_cmu_product_package (CMu paquete de producto)
	// create journal "SPEI" (SPEI)
	// true 0
}

func ExampleService_ListClients() {
	srv, svc := exampleService()
	defer srv.Close()
	ctx := context.Background()
	if _, err := svc.Ensure(ctx); err != nil {
		log.Fatal(err)
	}
	if _, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 200}); err != nil {
		log.Fatal(err)
	}
	srv.ResetCalls()
	page, err := svc.ListClients(ctx, cmu.ClientFilter{Market: cmu.MarketAguascalientes, Limit: 3})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range page.Items {
		fmt.Printf("%s (%s) plans=%d balance=%s\n", c.Name, c.Market, len(c.Plans), c.Plans[0].Balance.StringFixed(2))
	}
	fmt.Println("total:", page.Total, "odoo calls:", srv.TotalCalls())
	// Output:
	// Adriana García Ramírez (aguascalientes) plans=1 balance=7921.65
	// Adriana González Ramírez (aguascalientes) plans=1 balance=6673.05
	// Adriana Sánchez Ramírez (aguascalientes) plans=1 balance=5424.45
	// total: 66 odoo calls: 8
}

func ExampleService_RecordContribution() {
	srv, svc := exampleService()
	defer srv.Close()
	ctx := context.Background()
	if _, err := svc.Ensure(ctx); err != nil {
		log.Fatal(err)
	}
	id, err := svc.CreateClient(ctx, cmu.NewClient{Name: "Ana Torres", Market: cmu.MarketEdomex, Plates: "MX-123-AB"})
	if err != nil {
		log.Fatal(err)
	}
	if _, _, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: id, Target: decimal.RequireFromString("50000")}); err != nil {
		log.Fatal(err)
	}
	c := cmu.Contribution{ClientID: id, Amount: decimal.RequireFromString("187.50"), Source: cmu.SourceGNV, TransactionID: "GNV-LOAD-0001"}
	if _, err := svc.RecordContribution(ctx, c); err != nil {
		log.Fatal(err)
	}
	_, err = svc.RecordContribution(ctx, c) // the station resends the same load
	var dup *cmu.DuplicateError
	fmt.Println(errors.As(err, &dup), dup.Key)
	agg, err := svc.GetClient(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(agg.Plans[0].Name, agg.Plans[0].Balance.StringFixed(2), "of", agg.Plans[0].Target.StringFixed(2))
	// Output:
	// true GNV-LOAD-0001
	// Ahorro Ana Torres 187.50 of 50000.00
}

func ExampleService_TransitionToPayment() {
	srv, svc := exampleService()
	defer srv.Close()
	ctx := context.Background()
	if _, err := svc.Ensure(ctx); err != nil {
		log.Fatal(err)
	}
	res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 12})
	if err != nil {
		log.Fatal(err)
	}
	_, err = svc.TransitionToPayment(ctx, res.Groups[0], "Asesor 7")
	var rule *cmu.RuleError
	if errors.As(err, &rule) {
		fmt.Println(rule.Rule, rule.Balance.StringFixed(2), "<", rule.Target.StringFixed(2))
	}
	// Output:
	// savings_reach_target 45000.00 < 60000.00
}
