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

// Odoo's errors come back as *odoo.Error (errors.Is with the kind
// sentinels) wrapped with the client, plan or group concerned.
func TestOdooErrorsNameTheSubject(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 6})
		if err != nil {
			t.Fatal(err)
		}
		client := res.Clients[1]
		fresh := mustClient(t, svc, cmu.NewClient{Name: "Sin plan", Market: cmu.MarketEdomex})
		accessDenied := func(model, method string) odootest.Fault {
			return odootest.Fault{Model: model, Method: method, Kind: odootest.OdooError, Times: 1,
				ErrorName: "odoo.exceptions.AccessError", Message: "You are not allowed to create 'Analytic Account' records."}
		}
		for _, tc := range []struct {
			name  string
			fault odootest.Fault
			op    func() error
			want  []string
		}{
			{"savings plan", accessDenied(odoo.ModelAnalyticAccount, "create"), func() error {
				_, _, err := svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: fresh})
				return err
			}, []string{"ahorro plan of client " + itoa(fresh)}},
			{"contribution", accessDenied(odoo.ModelAnalyticLine, "create"), func() error {
				_, err := svc.RecordContribution(ctx, cmu.Contribution{ClientID: client, Amount: dec("10"), Source: cmu.SourceGNV, TransactionID: "E-1"})
				return err
			}, []string{"E-1", "client " + itoa(client)}},
			{"group", accessDenied(cmu.ModelGroupMember, "search_read"), func() error {
				_, err := svc.TransitionToPayment(ctx, res.Groups[0], "x")
				return err
			}, []string{"group " + itoa(res.Groups[0]), "list group members"}},
			{"group create", accessDenied(cmu.ModelGroup, "create"), func() error {
				_, err := svc.CreateGroup(ctx, cmu.GroupRequest{Code: "E-G", Name: "Grupo E", Market: cmu.MarketEdomex, MemberIDs: []int64{client}, Target: dec("1")})
				return err
			}, []string{"group E-G"}},
			{"client page", accessDenied(odoo.ModelSaleOrder, "search_read"), func() error {
				_, err := svc.ListClients(ctx, cmu.ClientFilter{})
				return err
			}, []string{"load sale orders"}},
			{"lead stage", accessDenied(odoo.ModelLead, "write"), func() error {
				return svc.SetLeadStage(ctx, res.Leads[0], cmu.StagePromesaFirmada)
			}, []string{"lead " + itoa(res.Leads[0]), "Promesa Firmada"}},
		} {
			srv.InjectFault(tc.fault)
			err := tc.op()
			srv.ClearFaults()
			var oe *odoo.Error
			if !errors.Is(err, odoo.ErrAccessError) || !errors.As(err, &oe) || !strings.Contains(oe.Message, "not allowed") {
				t.Fatalf("%s: err = %v", tc.name, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("%s: %q does not name %q", tc.name, err, w)
				}
			}
		}
	})
}

func TestSetLeadStage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolJSONRPC, "17.0")
	res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 3})
	if err != nil {
		t.Fatal(err)
	}
	lead := res.Leads[0]
	if err := svc.SetLeadStage(ctx, lead, cmu.StageCierreGanado); err != nil {
		t.Fatal(err)
	}
	rec, _ := srv.Get(odoo.ModelLead, lead)
	won, _ := svc.Stage(ctx, cmu.StageCierreGanado)
	if rec["stage_id"] != won || rec["probability"] != 100.0 {
		t.Fatalf("lead = stage %v, probability %v", rec["stage_id"], rec["probability"])
	}
	before := writes(srv)
	if err := svc.SetLeadStage(ctx, lead, cmu.StageCierreGanado); err != nil || writes(srv) != before {
		t.Fatalf("same stage: %v, %d writes", err, writes(srv)-before)
	}
	if err := svc.SetLeadStage(ctx, lead, "Inexistente"); !errors.Is(err, cmu.ErrNotProvisioned) {
		t.Fatal(err)
	}
	if err := svc.SetLeadStage(ctx, 777777, cmu.StageAprobado); !errors.Is(err, cmu.ErrNotFound) {
		t.Fatal(err)
	}
	fields := cmu.OpportunityFields()
	lf, err := svc.Odoo().FieldsGet(ctx, odoo.ModelLead, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for pwa, f := range fields {
		if _, ok := lf[f]; !ok {
			t.Fatalf("%s → %s is not provisioned", pwa, f)
		}
	}
}

// ListGroups costs the same calls for one group and for thirty.
func TestListGroupsConstantCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolJSON2, "")
	res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 60})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 29 {
		members := []int64{res.Clients[i*2], res.Clients[i*2+1]}
		if _, err := svc.CreateGroup(ctx, cmu.GroupRequest{Code: "T-" + itoa(int64(i)), Name: "Grupo " + itoa(int64(i)), Market: cmu.MarketEdomex,
			MemberIDs: members, Target: dec("1000")}); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetCalls()
	one, err := svc.ListGroups(ctx, cmu.GroupFilter{IDs: res.Groups})
	if err != nil || len(one) != 1 {
		t.Fatal(one, err)
	}
	c1 := srv.TotalCalls()
	srv.ResetCalls()
	all, err := svc.ListGroups(ctx, cmu.GroupFilter{})
	if err != nil || len(all) != 30 {
		t.Fatal(len(all), err)
	}
	if c30 := srv.TotalCalls(); c1 != c30 || c1 != 3 {
		t.Fatalf("calls: 1 group → %d, 30 groups → %d", c1, c30)
	}
}

func TestNotProvisioned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := odootest.NewServer(t)
	svc := cmu.New(newClient(t, srv, odoo.ProtocolXMLRPC), nil)
	if _, err := svc.ListClients(ctx, cmu.ClientFilter{}); !errors.Is(err, cmu.ErrNotProvisioned) || !strings.Contains(err.Error(), "CMu / Ahorro") {
		t.Fatalf("ListClients before Ensure: %v", err)
	}
	if _, err := svc.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ListClients(ctx, cmu.ClientFilter{}); err != nil {
		t.Fatalf("after Ensure: %v", err)
	}
}

func TestAttachFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolJSON2, "")
	res, err := svc.SeedDemo(ctx, cmu.SeedOptions{Clients: 3})
	if err != nil {
		t.Fatal(err)
	}
	files := []cmu.File{{Name: "cotizacion.json", Mimetype: "application/json", Data: []byte(`{"total":"250000.00"}`)},
		{Name: "cotizacion.pdf", Mimetype: "application/pdf", Data: []byte("%PDF-1.4")}}
	srv.InjectFault(odootest.Fault{Model: odoo.ModelAttachment, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
	if _, err := svc.AttachFiles(ctx, odoo.ModelLead, res.Leads[0], files...); !errors.Is(err, odoo.ErrTransport) {
		t.Fatalf("with a 503: %v", err)
	}
	ids, err := svc.AttachFiles(ctx, odoo.ModelLead, res.Leads[0], files...)
	if err != nil || len(ids) != 2 {
		t.Fatal(ids, err)
	}
	again, err := svc.AttachFiles(ctx, odoo.ModelLead, res.Leads[0], files...)
	if err != nil || again[0] != ids[0] || again[1] != ids[1] {
		t.Fatal(again, err)
	}
	var atts []odoo.Attachment
	if err := svc.Odoo().SearchRead(ctx, odoo.ModelAttachment, odoo.And(odoo.Eq("res_model", odoo.ModelLead), odoo.Eq("res_id", res.Leads[0])),
		&odoo.SearchOptions{Fields: []string{"name", "datas", "mimetype"}, Order: "id"}, &atts); err != nil || len(atts) != 2 {
		t.Fatal(atts, err)
	}
	if string(atts[1].Datas) != "%PDF-1.4" || atts[0].Mimetype.Value != "application/json" {
		t.Fatalf("attachments = %+v", atts)
	}
}
