package odoo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// cacheClient is a client of srv over p with quick retries.
func cacheClient(t *testing.T, srv *odootest.Server, p odoo.Protocol) *odoo.Client {
	t.Helper()
	opts := []odoo.Option{odoo.WithDatabase(srv.DB), odoo.WithProtocol(p),
		odoo.WithRetry(odoo.RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond})}
	if p == odoo.ProtocolJSON2 {
		opts = append(opts, odoo.WithLogin(srv.Login, srv.APIKey), odoo.WithAPIKey(srv.APIKey))
	} else {
		opts = append(opts, odoo.WithLogin(srv.Login, srv.Password))
	}
	c, err := odoo.NewClient(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type platesPartner struct {
	ID     int64       `odoo:"id"`
	Name   string      `odoo:"name"`
	Plates odoo.String `odoo:"x_plates"`
}

type colorStage struct {
	ID    int64  `odoo:"id"`
	Name  string `odoo:"name"`
	Color string `odoo:"x_color"`
}

func partnerModelID(t *testing.T, c *odoo.Client, model string) int64 {
	t.Helper()
	ids, err := c.Search(context.Background(), odoo.ModelIrModel, odoo.Eq("model", model), nil)
	if err != nil || len(ids) != 1 {
		t.Fatalf("ir.model of %s: %v %v", model, ids, err)
	}
	return ids[0]
}

func readPlates(t *testing.T, c *odoo.Client, id int64) platesPartner {
	t.Helper()
	rows, err := odoo.NewRecords[platesPartner](c, odoo.ModelPartner).Read(context.Background(), []int64{id}, nil)
	if err != nil || len(rows) != 1 {
		t.Fatalf("read partner: %v %v", rows, err)
	}
	return rows[0]
}

// A field created by someone else stays invisible to typed reads until
// ForgetFields; one created through the client is seen at once.
func TestForgetFields(t *testing.T) {
	t.Parallel()
	for _, p := range []odoo.Protocol{odoo.ProtocolXMLRPC, odoo.ProtocolJSONRPC, odoo.ProtocolJSON2} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := odootest.NewServer(t)
			c, other := cacheClient(t, srv, p), cacheClient(t, srv, p)
			partner := srv.Seed(odoo.ModelPartner, map[string]any{"name": "Juan"})[0]
			if got := readPlates(t, c, partner); got.Name != "Juan" || got.Plates.Valid {
				t.Fatalf("before the field exists: %+v", got)
			}
			// Another client creates the field: c's cache is stale.
			if _, err := other.Create(ctx, odoo.ModelIrModelFields, map[string]any{"model_id": partnerModelID(t, other, odoo.ModelPartner),
				"name": "x_plates", "field_description": "Placas", "ttype": "char"}, nil); err != nil {
				t.Fatal(err)
			}
			if err := other.Write(ctx, odoo.ModelPartner, []int64{partner}, map[string]any{"x_plates": "ABC-123"}, nil); err != nil {
				t.Fatal(err)
			}
			if got := readPlates(t, c, partner); got.Plates.Valid {
				t.Fatalf("stale cache read the new field: %+v", got)
			}
			before := srv.Calls(odoo.ModelPartner, "fields_get")
			c.ForgetFields("crm.lead") // another model: nothing changes
			readPlates(t, c, partner)
			if srv.Calls(odoo.ModelPartner, "fields_get") != before {
				t.Fatal("forgetting crm.lead forgot res.partner")
			}
			c.ForgetFields(odoo.ModelPartner)
			if got := readPlates(t, c, partner); got.Plates.Value != "ABC-123" {
				t.Fatalf("after ForgetFields: %+v", got)
			}
			if srv.Calls(odoo.ModelPartner, "fields_get") != before+1 {
				t.Fatal("fields not learned again")
			}
			c.ForgetFields()
			readPlates(t, c, partner)
			if srv.Calls(odoo.ModelPartner, "fields_get") != before+2 {
				t.Fatal("ForgetFields() kept res.partner")
			}
		})
	}
}

// Creating, writing or deleting ir.model.fields through the client forgets
// the fields it learned: the model named in vals, else every model.
func TestFieldsCacheFollowsSchemaChanges(t *testing.T) {
	t.Parallel()
	for _, p := range []odoo.Protocol{odoo.ProtocolXMLRPC, odoo.ProtocolJSONRPC, odoo.ProtocolJSON2} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv := odootest.NewServer(t)
			c := cacheClient(t, srv, p)
			partner := srv.Seed(odoo.ModelPartner, map[string]any{"name": "Juan"})[0]
			stages := odoo.NewRecords[colorStage](c, odoo.ModelStage)
			readPlates(t, c, partner)
			if _, err := stages.SearchRead(ctx, nil, nil); err != nil {
				t.Fatal(err)
			}
			stageFieldsGets := func() int { return srv.Calls(odoo.ModelStage, "fields_get") }
			partnerFieldsGets := func() int { return srv.Calls(odoo.ModelPartner, "fields_get") }

			// vals naming the model: only that model is forgotten.
			p0, s0 := partnerFieldsGets(), stageFieldsGets()
			fid, err := c.Create(ctx, odoo.ModelIrModelFields, map[string]any{"model": odoo.ModelPartner, "model_id": partnerModelID(t, c, odoo.ModelPartner),
				"name": "x_plates", "field_description": "Placas", "ttype": "char"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Write(ctx, odoo.ModelPartner, []int64{partner}, map[string]any{"x_plates": "XYZ-9"}, nil); err != nil {
				t.Fatal(err)
			}
			if got := readPlates(t, c, partner); got.Plates.Value != "XYZ-9" {
				t.Fatalf("field created through the client not read: %+v", got)
			}
			if _, err := stages.SearchRead(ctx, nil, nil); err != nil {
				t.Fatal(err)
			}
			if partnerFieldsGets() != p0+1 || stageFieldsGets() != s0 {
				t.Fatalf("fields_get calls: partner +%d, stage +%d; want +1, +0", partnerFieldsGets()-p0, stageFieldsGets()-s0)
			}

			// vals by model_id only (a batch): every model is forgotten.
			p1, s1 := partnerFieldsGets(), stageFieldsGets()
			if _, err := c.CreateMany(ctx, odoo.ModelIrModelFields, []map[string]any{{"model_id": partnerModelID(t, c, odoo.ModelStage),
				"name": "x_color", "field_description": "Color", "ttype": "char"}}, nil); err != nil {
				t.Fatal(err)
			}
			rows, err := stages.SearchRead(ctx, odoo.Eq("name", "Won"), nil)
			if err != nil || len(rows) != 1 {
				t.Fatal(rows, err)
			}
			srv.SeedT(t, odoo.ModelStage, map[string]any{"name": "Cierre", "x_color": "verde"})
			rows, err = stages.SearchRead(ctx, odoo.Eq("name", "Cierre"), nil)
			if err != nil || len(rows) != 1 || rows[0].Color != "verde" {
				t.Fatalf("stage with the new field: %+v, %v", rows, err)
			}
			readPlates(t, c, partner)
			if partnerFieldsGets() != p1+1 || stageFieldsGets() != s1+1 {
				t.Fatalf("fields_get calls after a create by model_id: partner +%d, stage +%d; want +1, +1", partnerFieldsGets()-p1, stageFieldsGets()-s1)
			}

			// A failed create (Odoo refuses it) keeps the cache.
			p2 := partnerFieldsGets()
			_, err = c.Create(ctx, odoo.ModelIrModelFields, map[string]any{"model": odoo.ModelPartner, "name": "plates", "field_description": "x", "ttype": "char"}, nil)
			var oe *odoo.Error
			if !errors.As(err, &oe) {
				t.Fatalf("create without x_: %v", err)
			}
			readPlates(t, c, partner)
			if partnerFieldsGets() != p2 {
				t.Fatal("a refused create forgot the fields")
			}

			// Deleting the field: the typed read stops asking for it (the
			// server would refuse a read naming a field it lacks).
			if err := c.Unlink(ctx, odoo.ModelIrModelFields, []int64{fid}, nil); err != nil {
				t.Fatal(err)
			}
			if got := readPlates(t, c, partner); got.Plates.Valid || got.Name != "Juan" {
				t.Fatalf("after deleting the field: %+v", got)
			}
		})
	}
}
