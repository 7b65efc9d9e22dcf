package odoo_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
)

// TestFakeExplicitNamesFollowRenames uses the other version's name of a
// renamed field (tax_id on 19, tax_ids on 17; ref/memo) in explicit
// Fields, map vals and domains: the client sends the server's name and
// answers into maps come back under the caller's name, with at most one
// fields_get per model.
func TestFakeExplicitNamesFollowRenames(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			// The name this server does NOT have.
			taxName := "tax_id"
			if fc.version == "17.0" {
				taxName = "tax_ids"
			}
			prod := seedProduct(t, srv)
			partner := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Juan Pérez"})[0]
			oid := srv.SeedT(t, odoo.ModelSaleOrder, map[string]any{"partner_id": partner})[0]

			lid, err := c.Create(ctx, odoo.ModelSaleOrderLine, map[string]any{
				"order_id": oid, "product_id": prod, "name": "Plan", "price_unit": 10,
				taxName: []odoo.Command{odoo.SetCommand(1)},
			}, nil)
			if err != nil {
				t.Fatalf("create with %s: %v", taxName, err)
			}
			var rows []map[string]any
			err = c.SearchRead(ctx, odoo.ModelSaleOrderLine, odoo.Eq(taxName, 1), &odoo.SearchOptions{Fields: []string{"name", taxName}}, &rows)
			if err != nil {
				t.Fatalf("search_read with %s: %v", taxName, err)
			}
			if len(rows) != 1 || rows[0]["id"] != lid {
				t.Fatalf("rows = %v, want line %d", rows, lid)
			}
			if got, ok := rows[0][taxName].([]any); !ok || len(got) != 1 || got[0] != int64(1) {
				t.Errorf("row[%s] = %#v, want [1] under the caller's name (row %v)", taxName, rows[0][taxName], rows[0])
			}
			if err := c.Write(ctx, odoo.ModelSaleOrderLine, []int64{lid}, map[string]any{taxName: []odoo.Command{odoo.ClearCommand()}}, nil); err != nil {
				t.Fatalf("write with %s: %v", taxName, err)
			}
			ids, err := c.Search(ctx, odoo.ModelSaleOrderLine, odoo.Eq(taxName, 1), nil)
			if err != nil || len(ids) != 0 {
				t.Errorf("search after clearing = %v, %v", ids, err)
			}
			// A struct read with explicit Fields decodes the renamed field too.
			var lines []struct {
				ID    int64   `odoo:"id"`
				Taxes []int64 `odoo:"tax_ids"`
			}
			if err := c.Write(ctx, odoo.ModelSaleOrderLine, []int64{lid}, map[string]any{taxName: []int64{1}}, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.Read(ctx, odoo.ModelSaleOrderLine, []int64{lid}, &odoo.SearchOptions{Fields: []string{"tax_ids"}}, &lines); err != nil {
				t.Fatal(err)
			}
			if len(lines) != 1 || !slices.Equal(lines[0].Taxes, []int64{1}) {
				t.Errorf("typed read with explicit fields = %+v", lines)
			}
			if n := srv.Calls(odoo.ModelSaleOrderLine, "fields_get"); n != 1 {
				t.Errorf("fields_get calls = %d, want 1 (cached)", n)
			}
			// No rename needed: no fields_get for a model without renames.
			var partners []map[string]any
			if err := c.SearchRead(ctx, odoo.ModelPartner, odoo.Eq("name", "Juan Pérez"), &odoo.SearchOptions{Fields: []string{"name"}}, &partners); err != nil || len(partners) != 1 {
				t.Errorf("partners = %v, %v", partners, err)
			}
			if n := srv.Calls(odoo.ModelPartner, "fields_get"); n != 0 {
				t.Errorf("res.partner fields_get calls = %d, want 0", n)
			}
		})
	}
}

// TestFakeExplicitNamesWithoutDiscovery: with field discovery off the
// client renames only once it knows the model's fields (ModelFields), and
// never asks for them on its own.
func TestFakeExplicitNamesWithoutDiscovery(t *testing.T) {
	ctx := t.Context()
	fc := fakeCase{"19.0", odoo.ProtocolJSONRPC}
	srv, c := fakeSetup(t, fc, odoo.WithFieldDiscovery(false))
	var rows []map[string]any
	opts := &odoo.SearchOptions{Fields: []string{"name", "ref"}}
	err := c.SearchRead(ctx, "account.payment", nil, opts, &rows)
	var oe *odoo.Error
	if !errors.As(err, &oe) || oe.Kind != odoo.KindUnknownField {
		t.Fatalf("unknown name sent as given: err = %v, want Odoo's invalid field error", err)
	}
	if n := srv.Calls("account.payment", "fields_get"); n != 0 {
		t.Errorf("fields_get calls = %d with discovery off, want 0", n)
	}
	if _, err := c.ModelFields(ctx, "account.payment"); err != nil {
		t.Fatal(err)
	}
	if err := c.SearchRead(ctx, "account.payment", odoo.Eq("ref", "REF-1"), opts, &rows); err != nil {
		t.Fatalf("after ModelFields: %v", err)
	}
	if n := srv.Calls("account.payment", "fields_get"); n != 1 {
		t.Errorf("fields_get calls = %d, want 1", n)
	}
}
