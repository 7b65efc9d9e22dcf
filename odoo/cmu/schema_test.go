package cmu_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

func TestEnsureIdempotent(t *testing.T) {
	for _, tc := range []struct {
		version string
		p       odoo.Protocol
	}{{"19.0", odoo.ProtocolXMLRPC}, {"19.0", odoo.ProtocolJSONRPC}, {"19.0", odoo.ProtocolJSON2}, {"17.0", odoo.ProtocolXMLRPC}, {"17.0", odoo.ProtocolJSONRPC}} {
		t.Run(tc.version+"/"+tc.p.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := odootest.NewServer(t, odootest.WithVersion(tc.version))
			svc := cmu.New(newClient(t, srv, tc.p), nil)
			plan, err := svc.Plan(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if w := writes(srv); w != 0 {
				t.Fatalf("Plan wrote %d times", w)
			}
			done, err := svc.Ensure(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(done) != len(plan) || len(plan) < 60 {
				t.Fatalf("Ensure made %d changes, dry run listed %d", len(done), len(plan))
			}
			for i := range plan {
				if plan[i] != done[i] {
					t.Fatalf("change %d: planned %v, made %v", i, plan[i], done[i])
				}
			}
			// What Ensure created is really there.
			fields, err := svc.Odoo().FieldsGet(ctx, "res.partner", nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f := fields["x_cmu_market"]; f.Type != "selection" || len(f.Selection) != 2 || f.Selection[0][0] != "edomex" {
				t.Fatalf("x_cmu_market = %+v", f)
			}
			if f := fields["x_cmu_ecosystem_id"]; f.Type != "many2one" || f.Relation != "res.partner" {
				t.Fatalf("x_cmu_ecosystem_id = %+v", f)
			}
			var plans []odoo.AnalyticPlan
			if err := svc.Odoo().SearchRead(ctx, odoo.ModelAnalyticPlan, odoo.Eq("parent_id.name", "CMu"),
				&odoo.SearchOptions{Fields: []string{"complete_name"}, Order: "id"}, &plans); err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, p := range plans {
				names = append(names, p.CompleteName.Value)
			}
			if want := []string{"CMu / Ahorro", "CMu / Venta a plazo", "CMu / Crédito colectivo"}; len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
				t.Fatalf("plans = %q", names)
			}
			won, err := odoo.Stages(svc.Odoo()).SearchRead(ctx, odoo.Eq("name", cmu.StageCierreGanado), nil)
			if err != nil || len(won) != 1 || !won[0].IsWon {
				t.Fatalf("stage Cierre ganado = %+v, %v", won, err)
			}
			for _, code := range []string{cmu.JournalConekta, cmu.JournalSPEI} {
				if n, err := svc.Odoo().SearchCount(ctx, odoo.ModelJournal, odoo.Eq("code", code), nil); err != nil || n != 1 {
					t.Fatalf("journal %s: %d, %v", code, n, err)
				}
			}

			// Second run: reads only.
			before := writes(srv)
			again, err := svc.Ensure(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != 0 || writes(srv) != before {
				t.Fatalf("second Ensure: %d changes, %d writes", len(again), writes(srv)-before)
			}
			if p, err := svc.Plan(ctx); err != nil || len(p) != 0 {
				t.Fatalf("Plan after Ensure = %v, %v", p, err)
			}
		})
	}
}

func TestEnsureConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := odootest.NewServer(t)
	c := newClient(t, srv, odoo.ProtocolJSON2)
	var models []struct {
		ID int64 `odoo:"id"`
	}
	if err := c.SearchRead(ctx, odoo.ModelIrModel, odoo.Eq("model", "res.partner"), &odoo.SearchOptions{Fields: []string{"id"}}, &models); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx, odoo.ModelIrModelFields, map[string]any{"name": "x_cmu_market", "model_id": models[0].ID,
		"field_description": "Market (text)", "ttype": "char"}, nil); err != nil {
		t.Fatal(err)
	}
	svc := cmu.New(c, nil)
	before := writes(srv)
	for _, run := range []func(context.Context) ([]cmu.Change, error){svc.Plan, svc.Ensure} {
		_, err := run(ctx)
		var ce *cmu.SchemaConflictError
		if !errors.As(err, &ce) || !errors.Is(err, cmu.ErrSchemaConflict) {
			t.Fatalf("err = %v, want a SchemaConflictError", err)
		}
		if ce.Model != "res.partner" || ce.Field != "x_cmu_market" || ce.Want != "selection" || ce.Got != "char" {
			t.Fatalf("conflict = %+v", ce)
		}
		if want := "cmu: schema conflict: field res.partner.x_cmu_market exists as char, CMu needs selection"; err.Error() != want {
			t.Fatalf("message = %q", err.Error())
		}
	}
	if writes(srv) != before {
		t.Fatal("Ensure wrote despite the conflict")
	}
}

// A field missing selection values gets them added, nothing else changes.
func TestEnsureAddsSelectionValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv, svc := setup(t, odoo.ProtocolXMLRPC, "")
	c := svc.Odoo()
	var sels []struct {
		ID int64 `odoo:"id"`
	}
	if err := c.SearchRead(ctx, "ir.model.fields.selection", odoo.And(odoo.Eq("field_id.name", "x_cmu_kyc_status"), odoo.Eq("value", "revision_manual")),
		&odoo.SearchOptions{Fields: []string{"id"}}, &sels); err != nil || len(sels) != 1 {
		t.Fatalf("selection value: %v %v", sels, err)
	}
	if err := c.Unlink(ctx, "ir.model.fields.selection", []int64{sels[0].ID}, nil); err != nil {
		t.Fatal(err)
	}
	srv.ResetCalls()
	done, err := svc.Ensure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0].Kind != cmu.ChangeSelection || done[0].Name != "revision_manual" || done[0].Model != "res.partner.x_cmu_kyc_status" {
		t.Fatalf("changes = %v", done)
	}
	if srv.Calls("ir.model.fields.selection", "create") != 1 || writes(srv) != 1 {
		t.Fatalf("writes = %d", writes(srv))
	}
}

// A 503 in the middle of Ensure leaves a state the next run completes
// without duplicates.
func TestEnsureResumesAfterFault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := odootest.NewServer(t)
	svc := cmu.New(newClient(t, srv, odoo.ProtocolJSONRPC), nil)
	srv.InjectFault(odootest.Fault{Model: odoo.ModelIrModelFields, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
	done, err := svc.Ensure(ctx)
	if !errors.Is(err, odoo.ErrTransport) {
		t.Fatalf("err = %v, want a transport error", err)
	}
	if len(done) == 0 || done[0].Kind != cmu.ChangeModel {
		t.Fatalf("done before the fault = %v", done)
	}
	if _, err := svc.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if p, err := svc.Plan(ctx); err != nil || len(p) != 0 {
		t.Fatalf("Plan = %v, %v", p, err)
	}
	if n := len(srv.Records(cmu.ModelGroup)); n != 0 {
		t.Fatal(n)
	}
	var models []map[string]any
	for _, r := range srv.Records(odoo.ModelIrModel) {
		if r["model"] == cmu.ModelGroup {
			models = append(models, r)
		}
	}
	if len(models) != 1 {
		t.Fatalf("%d ir.model records for %s", len(models), cmu.ModelGroup)
	}
}
