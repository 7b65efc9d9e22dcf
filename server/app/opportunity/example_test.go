package opportunity_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/providers/mifact/mifacttest"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/opportunity"
)

// A closing won with a service order: the order is stored pending, then
// invoice-mifact-v3 reports it invoiced and the poll attaches its PDFs and
// moves the lead to factura_directa.
func ExampleService_PollPending() {
	ctx := context.Background()
	odooSrv := odootest.NewServer(nil, odootest.WithClock(fixedNow))
	defer odooSrv.Close()
	oc, err := odoo.NewClient(odooSrv.URL, odoo.WithDatabase(odooSrv.DB), odoo.WithLogin(odooSrv.Login, odooSrv.APIKey),
		odoo.WithAPIKey(odooSrv.APIKey))
	if err != nil {
		log.Fatal(err)
	}
	svcCMU := cmu.New(oc, nil)
	if _, err := svcCMU.Ensure(ctx); err != nil {
		log.Fatal(err)
	}
	lead := odooSrv.Seed(odoo.ModelLead, map[string]any{"name": "Consulta", "type": "opportunity"})[0]

	fake := mifacttest.New(mifacttest.Options{})
	defer fake.Close()
	mf, err := mifact.New(mifact.Config{BaseURL: fake.URL, Username: fake.Username(), Password: fake.Password()})
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "opportunity-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := server.OpenDB(ctx, "file:"+filepath.Join(dir, "server.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, server.MigrateUp, nil); err != nil {
		log.Fatal(err)
	}
	svc, err := opportunity.New(opportunity.Config{Odoo: oc, CMU: svcCMU, Mifact: mf, DB: db, Now: fixedNow})
	if err != nil {
		log.Fatal(err)
	}

	fake.AddOrder(101)
	hc, orders := server.Text("HC-1"), []int64{101}
	u, err := server.ClassifyOpportunityUpdate(lead, &server.OpportunityProcessRequest{CClinicHistory: &hc, COrdenesServicio: orders})
	if err != nil {
		log.Fatal(err)
	}
	o, err := svc.UpdateOpportunityProcess(ctx, "asesor-1", u)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(o.Stage, o.CFacturacionSubEstado, o.ServiceOrders[0].Facturado)

	fake.Invoice(101)
	if err := svc.PollPending(ctx); err != nil {
		log.Fatal(err)
	}
	var l []struct {
		SubState odoo.Selection `odoo:"x_cmu_facturacion_sub_estado"`
	}
	if err := oc.Read(ctx, odoo.ModelLead, []int64{lead}, nil, &l); err != nil {
		log.Fatal(err)
	}
	n, err := oc.SearchCount(ctx, odoo.ModelAttachment, odoo.And(odoo.Eq("res_model", odoo.ModelLead), odoo.Eq("res_id", lead)), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l[0].SubState.Value, n, "PDFs attached")
	// Output:
	// Cierre ganado orden_servicio_pendiente_factura false
	// factura_directa 2 PDFs attached
}
