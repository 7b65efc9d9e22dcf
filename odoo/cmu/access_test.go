package cmu_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// userClient logs into srv as another user over p.
func userClient(t *testing.T, srv *odootest.Server, p odoo.Protocol, login, password, key string) *odoo.Client {
	t.Helper()
	opts := []odoo.Option{odoo.WithDatabase(srv.DB), odoo.WithProtocol(p),
		odoo.WithRetry(odoo.RetryPolicy{MaxRetries: 1, WaitMin: time.Millisecond, WaitMax: time.Millisecond})}
	if p == odoo.ProtocolJSON2 {
		opts = append(opts, odoo.WithLogin(login, key), odoo.WithAPIKey(key))
	} else {
		opts = append(opts, odoo.WithLogin(login, password))
	}
	c, err := odoo.NewClient(srv.URL, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// useCustomModel creates, writes, reads and deletes a product package as
// the given client and returns the first error.
func useCustomModel(ctx context.Context, c *odoo.Client) error {
	id, err := c.Create(ctx, cmu.ModelPackage, map[string]any{"x_name": "Paquete de prueba"}, nil)
	if err != nil {
		return err
	}
	if err := c.Write(ctx, cmu.ModelPackage, []int64{id}, map[string]any{"x_name": "Paquete"}, nil); err != nil {
		return err
	}
	var rows []map[string]any
	if err := c.SearchRead(ctx, cmu.ModelPackage, odoo.Eq("id", id), &odoo.SearchOptions{Fields: []string{"x_name"}}, &rows); err != nil {
		return err
	}
	if len(rows) != 1 {
		return errors.New("package not read back")
	}
	return c.Unlink(ctx, cmu.ModelPackage, []int64{id}, nil)
}

func accessRows(t *testing.T, c *odoo.Client, group int64) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := c.SearchRead(context.Background(), "ir.model.access", odoo.And(odoo.Eq("model_id.model", cmu.ModelPackage), odoo.Eq("group_id", group)),
		&odoo.SearchOptions{Fields: []string{"name", "perm_read", "perm_write", "perm_create", "perm_unlink"}}, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// Ensure (as the admin) grants the custom models to internal users: a
// non-administrator API user can then use them, and could not before.
func TestEnsureGrantsCustomModelsToInternalUsers(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		// Strict access: the admin too needs the rows, as on real Odoo.
		srv := odootest.NewServer(t, odootest.WithStrictAccess(), odootest.WithInternalUser("api", "pw-api", "key-api"))
		admin := cmu.New(newClient(t, srv, p), nil)
		api := userClient(t, srv, p, "api", "pw-api", "key-api")

		// The models exist but carry no access rule (as after a
		// provisioning that predates this fix): AccessError for
		// everyone, admin included.
		var gone []int64
		if _, err := admin.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
		for _, r := range srv.Records("ir.model.access") {
			gone = append(gone, r["id"].(int64))
		}
		if len(gone) != 7 {
			t.Fatalf("Ensure created %d access rows, want 7", len(gone))
		}
		if err := admin.Odoo().Unlink(ctx, "ir.model.access", gone, nil); err != nil {
			t.Fatal(err)
		}
		for who, c := range map[string]*odoo.Client{"api": api, "admin": admin.Odoo()} {
			err := useCustomModel(ctx, c)
			var oe *odoo.Error
			if !errors.Is(err, odoo.ErrAccessError) || !errors.As(err, &oe) || !strings.Contains(oe.Message, "(x_cmu_product_package)") {
				t.Fatalf("%s without access rows: %v", who, err)
			}
		}

		plan, err := admin.Plan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) != 7 {
			t.Fatalf("plan = %v", plan)
		}
		for _, c := range plan {
			if c.Kind != cmu.ChangeAccess || c.Detail != cmu.DefaultAccessGroup || c.Name != "access_"+c.Model+"_user" {
				t.Fatalf("change %+v", c)
			}
		}
		srv.ResetCalls()
		done, err := admin.Ensure(ctx)
		if err != nil || len(done) != 7 {
			t.Fatalf("Ensure = %v, %v", done, err)
		}
		if n := srv.Calls("ir.model.access", "create"); n != 1 || writes(srv) != 1 {
			t.Fatalf("%d access creates, %d writes; want one batch", n, writes(srv))
		}
		for who, c := range map[string]*odoo.Client{"api": api, "admin": admin.Odoo()} {
			if err := useCustomModel(ctx, c); err != nil {
				t.Fatalf("%s after Ensure: %v", who, err)
			}
		}
		rows := accessRows(t, admin.Odoo(), 1)
		if len(rows) != 1 || rows[0]["name"] != "access_x_cmu_product_package_user" || rows[0]["perm_unlink"] != true {
			t.Fatalf("access rows %v", rows)
		}

		// A right taken away from Ensure's row is given back, by a
		// write on that row (no duplicate row).
		if err := admin.Odoo().Write(ctx, "ir.model.access", []int64{int64(rows[0]["id"].(int64))}, map[string]any{"perm_unlink": false}, nil); err != nil {
			t.Fatal(err)
		}
		srv.ResetCalls()
		done, err = admin.Ensure(ctx)
		if err != nil || len(done) != 1 || done[0].Model != cmu.ModelPackage || done[0].Kind != cmu.ChangeAccess {
			t.Fatalf("Ensure = %v, %v", done, err)
		}
		if srv.Calls("ir.model.access", "write") != 1 || srv.Calls("ir.model.access", "create") != 0 {
			t.Fatal("the incomplete row was not completed in place")
		}
		if rows := accessRows(t, admin.Odoo(), 1); len(rows) != 1 || rows[0]["perm_unlink"] != true {
			t.Fatalf("access rows %v", rows)
		}
		if again, err := admin.Ensure(ctx); err != nil || len(again) != 0 {
			t.Fatalf("third Ensure = %v, %v", again, err)
		}
	})
}

func TestEnsureAccessGroupOption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := odootest.NewServer(t, odootest.WithStrictAccess(), odootest.WithInternalUser("ana", "pw-ana", ""),
		odootest.WithInternalUser("contadora", "pw-c", "", "account.group_account_invoice"))
	admin := cmu.New(newClient(t, srv, odoo.ProtocolJSONRPC), &cmu.Options{AccessGroup: "account.group_account_invoice"})
	done, err := admin.Ensure(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done[7].Kind != cmu.ChangeAccess || done[7].String() != "grant x_cmu_product_package to account.group_account_invoice (ir.model.access access_x_cmu_product_package_account_invoice)" {
		t.Fatalf("change %v", done[7])
	}
	if rows := accessRows(t, admin.Odoo(), 8); len(rows) != 1 {
		t.Fatalf("rows for the invoicing group: %v", rows)
	}
	if err := useCustomModel(ctx, userClient(t, srv, odoo.ProtocolJSONRPC, "contadora", "pw-c", "")); err != nil {
		t.Errorf("member of the group: %v", err)
	}
	if err := useCustomModel(ctx, userClient(t, srv, odoo.ProtocolJSONRPC, "ana", "pw-ana", "")); !errors.Is(err, odoo.ErrAccessError) {
		t.Errorf("internal user outside the group: %v", err)
	}

	for _, tc := range []struct {
		group string
		want  error
	}{{"nope", cmu.ErrInvalid}, {"base.group_nope", cmu.ErrNotProvisioned}} {
		svc := cmu.New(newClient(t, srv, odoo.ProtocolJSONRPC), &cmu.Options{AccessGroup: tc.group})
		for _, run := range []func(context.Context) ([]cmu.Change, error){svc.Plan, svc.Ensure} {
			if _, err := run(ctx); !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.group) {
				t.Errorf("group %q: %v, want %v", tc.group, err, tc.want)
			}
		}
	}
}

// Without the external id (a database where ir.model.data lost it), the
// group is found by its English name.
func TestEnsureFindsGroupByName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := odootest.NewServer(t)
	c := newClient(t, srv, odoo.ProtocolXMLRPC)
	ids, err := c.Search(ctx, "ir.model.data", odoo.And(odoo.Eq("module", "base"), odoo.Eq("name", "group_user")), nil)
	if err != nil || len(ids) != 1 {
		t.Fatalf("xmlid: %v %v", ids, err)
	}
	if err := c.Unlink(ctx, "ir.model.data", ids, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := cmu.New(c, nil).Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if rows := accessRows(t, c, 1); len(rows) != 1 {
		t.Fatalf("rows %v", rows)
	}
}

// After Ensure by an administrator, CMu's whole flow runs as a
// non-administrator internal API user on a fake that checks the admin too
// (what a real Odoo does): demo data across every custom model, a client
// aggregate page, a collective group and the document checklist.
func TestServicesRunAsInternalUser(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := odootest.NewServer(t, odootest.WithStrictAccess(), odootest.WithClock(fixedNow),
		odootest.WithInternalUser("api", "pw-api", "key-api", "analytic.group_analytic_accounting", "account.group_account_user"))
	if _, err := cmu.New(newClient(t, srv, odoo.ProtocolJSON2), nil).Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	api := cmu.New(userClient(t, srv, odoo.ProtocolJSON2, "api", "pw-api", "key-api"), &cmu.Options{Now: fixedNow})
	res, err := api.SeedDemo(ctx, cmu.SeedOptions{Clients: 20})
	if err != nil {
		t.Fatalf("SeedDemo as the API user: %v", err)
	}
	page, err := api.ListClients(ctx, cmu.ClientFilter{})
	if err != nil || len(page.Items) == 0 {
		t.Fatalf("ListClients: %v, %v", page, err)
	}
	groups, err := api.ListGroups(ctx, cmu.GroupFilter{})
	if err != nil || len(groups) == 0 {
		t.Fatalf("ListGroups: %v, %v", groups, err)
	}
	if cl, err := api.Checklists(ctx); err != nil || len(cl) == 0 {
		t.Fatalf("Checklists: %v, %v", cl, err)
	}
	if docs, err := api.MissingDocuments(ctx, res.Leads[0]); err != nil || len(docs) == 0 {
		t.Fatalf("MissingDocuments: %v, %v", docs, err)
	}
}
