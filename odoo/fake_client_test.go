package odoo_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/shopspring/decimal"
)

// These tests run the client against the in-memory fake Odoo (odootest) on
// every protocol each fake version speaks: 17.0 has no JSON-2.

// fakeCase is one (fake version, protocol) pair.
type fakeCase struct {
	version  string
	protocol odoo.Protocol
}

func (fc fakeCase) String() string { return fc.version + "/" + fc.protocol.String() }

// fakeCases lists every protocol of both fake versions.
func fakeCases() []fakeCase {
	return []fakeCase{
		{"17.0", odoo.ProtocolXMLRPC},
		{"17.0", odoo.ProtocolJSONRPC},
		{"19.0", odoo.ProtocolXMLRPC},
		{"19.0", odoo.ProtocolJSONRPC},
		{"19.0", odoo.ProtocolJSON2},
	}
}

// fakeFastRetry retries quickly so fault tests stay fast.
func fakeFastRetry() odoo.Option {
	return odoo.WithRetry(odoo.RetryPolicy{MaxRetries: 3, WaitMin: time.Millisecond, WaitMax: 5 * time.Millisecond})
}

// newFakeServer starts the fake of fc's version.
func newFakeServer(t *testing.T, fc fakeCase, opts ...odootest.Option) *odootest.Server {
	t.Helper()
	return odootest.NewServer(t, append([]odootest.Option{odootest.WithVersion(fc.version)}, opts...)...)
}

// newFakeClient returns a client speaking fc.protocol to srv with the
// admin's credentials (the API key on JSON-2).
func newFakeClient(t *testing.T, srv *odootest.Server, p odoo.Protocol, opts ...odoo.Option) *odoo.Client {
	t.Helper()
	base := []odoo.Option{odoo.WithProtocol(p), odoo.WithDatabase(srv.DB), fakeFastRetry()}
	if p == odoo.ProtocolJSON2 {
		base = append(base, odoo.WithAPIKey(srv.APIKey))
	} else {
		base = append(base, odoo.WithLogin(srv.Login, srv.Password))
	}
	c, err := odoo.NewClient(srv.URL, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// fakeSetup starts a fake and a client for fc.
func fakeSetup(t *testing.T, fc fakeCase, opts ...odoo.Option) (*odootest.Server, *odoo.Client) {
	t.Helper()
	srv := newFakeServer(t, fc)
	return srv, newFakeClient(t, srv, fc.protocol, opts...)
}

// wantKind fails unless err is an *odoo.Error of kind k that errors.Is
// matches with sentinel.
func wantKind(t *testing.T, err error, k odoo.Kind, sentinel error) *odoo.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %v", k)
	}
	var oe *odoo.Error
	if !errors.As(err, &oe) {
		t.Fatalf("err = %T %v, want *odoo.Error", err, err)
	}
	if oe.Kind != k || !errors.Is(err, sentinel) {
		t.Fatalf("err kind = %v (%v), want %v", oe.Kind, err, k)
	}
	return oe
}

func TestFakeLogin(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			mk := func(opts ...odoo.Option) *odoo.Client {
				c, err := odoo.NewClient(srv.URL, append([]odoo.Option{odoo.WithProtocol(fc.protocol), odoo.WithDatabase(srv.DB), fakeFastRetry()}, opts...)...)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			wantUID := int64(2) // the admin
			if fc.protocol == odoo.ProtocolJSON2 {
				wantUID = 0 // JSON-2 has no session: Login checks the key only
			}
			tests := []struct {
				name string
				opts []odoo.Option
				ok   bool
			}{
				{"right password", []odoo.Option{odoo.WithLogin(srv.Login, srv.Password), odoo.WithAPIKey(srv.APIKey)}, true},
				{"wrong password", []odoo.Option{odoo.WithLogin(srv.Login, "wrong"), odoo.WithAPIKey("wrong-key")}, false},
				{"api key as password", []odoo.Option{odoo.WithLogin(srv.Login, ""), odoo.WithAPIKey(srv.APIKey)}, true},
				{"wrong api key", []odoo.Option{odoo.WithLogin(srv.Login, ""), odoo.WithAPIKey("not-the-key")}, false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					c := mk(tt.opts...)
					uid, err := c.Login(ctx)
					if !tt.ok {
						wantKind(t, err, odoo.KindAccessDenied, odoo.ErrAccessDenied)
						// A failed login is not cached as a success: the next call fails too.
						_, err = c.SearchCount(ctx, odoo.ModelPartner, nil, nil)
						wantKind(t, err, odoo.KindAccessDenied, odoo.ErrAccessDenied)
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					if uid != wantUID {
						t.Errorf("uid = %d, want %d", uid, wantUID)
					}
					n, err := c.SearchCount(ctx, odoo.ModelPartner, nil, nil)
					if err != nil || n < 1 {
						t.Fatalf("SearchCount after login = %d, %v", n, err)
					}
				})
			}
		})
	}
}

func TestFakeLoginCached(t *testing.T) {
	for _, fc := range fakeCases() {
		if fc.protocol == odoo.ProtocolJSON2 {
			continue // no session to cache
		}
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			for range 3 {
				if _, err := c.SearchCount(t.Context(), odoo.ModelPartner, nil, nil); err != nil {
					t.Fatal(err)
				}
			}
			if n := srv.Calls("", "authenticate") + srv.Calls("", "login"); n != 1 {
				t.Errorf("authenticate/login calls = %d, want 1 (uid cached)", n)
			}
		})
	}
}

func TestFakeAutoProtocol(t *testing.T) {
	tests := []struct {
		version string
		apiKey  bool
		want    odoo.Protocol
	}{
		{"19.0", true, odoo.ProtocolJSON2},
		{"19.0", false, odoo.ProtocolJSONRPC},
		{"17.0", true, odoo.ProtocolJSONRPC},
		{"17.0", false, odoo.ProtocolJSONRPC},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/apikey=%v", tt.version, tt.apiKey), func(t *testing.T) {
			srv := odootest.NewServer(t, odootest.WithVersion(tt.version))
			opts := []odoo.Option{odoo.WithDatabase(srv.DB)}
			if tt.apiKey {
				opts = append(opts, odoo.WithLogin(srv.Login, ""), odoo.WithAPIKey(srv.APIKey))
			} else {
				opts = append(opts, odoo.WithLogin(srv.Login, srv.Password))
			}
			c, err := odoo.NewClient(srv.URL, opts...)
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Protocol(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if p != tt.want {
				t.Errorf("protocol = %v, want %v", p, tt.want)
			}
			v, err := c.Version(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if v.Server != tt.version {
				t.Errorf("version = %q, want %q", v.Server, tt.version)
			}
			// The detected protocol works end to end.
			var ps []odoo.Partner
			if err := c.SearchRead(t.Context(), odoo.ModelPartner, odoo.Eq("id", 3), nil, &ps); err != nil {
				t.Fatal(err)
			}
			if len(ps) != 1 || ps[0].Name != "Administrator" {
				t.Errorf("partners = %+v", ps)
			}
		})
	}
}

func TestFakePartnerCRUD(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			partners := odoo.Partners(c)

			id, err := partners.Create(ctx, map[string]any{
				"name": "Ruta 27 Ecatepec", "is_company": true, "email": "ruta27@example.mx",
				"country_id": 156, "credit_limit": decimal.RequireFromString("25000.50"),
			})
			if err != nil {
				t.Fatal(err)
			}
			p, err := partners.Get(ctx, id, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.ID != id || p.Name != "Ruta 27 Ecatepec" || !p.IsCompany || p.Email.Value != "ruta27@example.mx" ||
				p.CountryID != (odoo.Many2One{ID: 156, Name: "Mexico"}) || !p.CreditLimit.Equal(decimal.RequireFromString("25000.5")) ||
				p.Phone.Valid || p.ParentID.Valid() || !p.Active || !p.CreateDate.Valid {
				t.Errorf("created partner read back as %+v", p)
			}

			// Write, including clearing a field with an invalid nullable value.
			if err := partners.Write(ctx, []int64{id}, map[string]any{"phone": "+52 55 1234 5678", "email": odoo.String{}}); err != nil {
				t.Fatal(err)
			}
			p, err = partners.Get(ctx, id, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Phone.Value != "+52 55 1234 5678" || p.Email.Valid {
				t.Errorf("after write: phone %+v email %+v", p.Phone, p.Email)
			}
			if raw, _ := srv.Get(odoo.ModelPartner, id); raw["email"] != nil {
				t.Errorf("fake still stores email %v", raw["email"])
			}

			// CreateMany in one call.
			before := srv.Calls(odoo.ModelPartner, "create")
			ids, err := c.CreateMany(ctx, odoo.ModelPartner, []map[string]any{
				{"name": "Ana López", "parent_id": id, "city": "Ecatepec"},
				{"name": "Juan Pérez", "parent_id": id, "city": "Tlalnepantla"},
				{"name": "Zoe Ávila", "city": "Puebla"},
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(ids) != 3 || !slices.IsSorted(ids) || ids[0] <= id {
				t.Fatalf("CreateMany ids = %v", ids)
			}
			if n := srv.Calls(odoo.ModelPartner, "create") - before; n != 1 {
				t.Errorf("CreateMany made %d create calls, want 1", n)
			}
			ana, juan, zoe := ids[0], ids[1], ids[2]

			// Search, SearchRead and SearchCount with domains.
			searches := []struct {
				name   string
				domain odoo.Domain
				opts   *odoo.SearchOptions
				want   []int64
			}{
				{"ilike", odoo.ILike("name", "pérez"), nil, []int64{juan}},
				{"in", odoo.In("id", []int64{ana, zoe}), &odoo.SearchOptions{Order: "id"}, []int64{ana, zoe}},
				{"and", odoo.And(odoo.Eq("parent_id", id), odoo.ILike("city", "ecatepec")), nil, []int64{ana}},
				{"or", odoo.Or(odoo.Eq("city", "Puebla"), odoo.Eq("city", "Tlalnepantla")), &odoo.SearchOptions{Order: "name desc"}, []int64{zoe, juan}},
				{"not", odoo.And(odoo.In("id", ids), odoo.Not(odoo.Eq("parent_id", id))), nil, []int64{zoe}},
				{"order limit offset", odoo.In("id", ids), &odoo.SearchOptions{Order: "name asc", Limit: 2, Offset: 1}, []int64{juan, zoe}},
				{"no match", odoo.Eq("name", "nobody at all"), nil, []int64{}},
				{"raw domain", mustParseDomain(t, fmt.Sprintf(`["|", ["id", "=", %d], ["name", "=like", "Zoe%%"]]`, ana)), &odoo.SearchOptions{Order: "id desc"}, []int64{zoe, ana}},
			}
			for _, s := range searches {
				got, err := c.Search(ctx, odoo.ModelPartner, s.domain, s.opts)
				if err != nil {
					t.Fatalf("%s: Search: %v", s.name, err)
				}
				if got == nil || !slices.Equal(got, s.want) {
					t.Errorf("%s: Search = %v, want %v", s.name, got, s.want)
				}
				var rows []odoo.Partner
				if err := c.SearchRead(ctx, odoo.ModelPartner, s.domain, s.opts, &rows); err != nil {
					t.Fatalf("%s: SearchRead: %v", s.name, err)
				}
				gotIDs := []int64{}
				for _, r := range rows {
					gotIDs = append(gotIDs, r.ID)
				}
				if !slices.Equal(gotIDs, s.want) {
					t.Errorf("%s: SearchRead ids = %v, want %v", s.name, gotIDs, s.want)
				}
				if s.opts == nil || s.opts.Limit == 0 {
					n, err := c.SearchCount(ctx, odoo.ModelPartner, s.domain, nil)
					if err != nil || n != int64(len(s.want)) {
						t.Errorf("%s: SearchCount = %d, %v, want %d", s.name, n, err, len(s.want))
					}
				}
			}
			// The typed partner's many2one carries the display name.
			kids, err := partners.SearchRead(ctx, odoo.Eq("parent_id", id), &odoo.SearchOptions{Order: "id"})
			if err != nil {
				t.Fatal(err)
			}
			if len(kids) != 2 || kids[0].ParentID != (odoo.Many2One{ID: id, Name: "Ruta 27 Ecatepec"}) {
				t.Errorf("children = %+v", kids)
			}

			// NameSearch.
			hits, err := c.NameSearch(ctx, odoo.ModelPartner, "juan pér", nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != 1 || hits[0].ID != juan || hits[0].Name == "" {
				t.Errorf("NameSearch = %+v", hits)
			}

			// Unlink; a deleted id reads as nothing and writes as MissingError.
			if err := partners.Unlink(ctx, []int64{zoe}); err != nil {
				t.Fatal(err)
			}
			if _, ok := srv.Get(odoo.ModelPartner, zoe); ok {
				t.Error("unlinked partner still in the fake")
			}
			var gone []odoo.Partner
			if err := c.Read(ctx, odoo.ModelPartner, []int64{zoe}, nil, &gone); err != nil {
				t.Fatalf("Read of a deleted id: %v", err)
			}
			if len(gone) != 0 {
				t.Errorf("Read of a deleted id = %+v, want empty", gone)
			}
			if _, err := partners.Get(ctx, zoe, nil); !errors.Is(err, odoo.ErrNotFound) {
				t.Errorf("Get of a deleted id: %v, want ErrNotFound", err)
			}
			err = c.Write(ctx, odoo.ModelPartner, []int64{zoe}, map[string]any{"name": "ghost"}, nil)
			wantKind(t, err, odoo.KindMissingError, odoo.ErrMissingError)

			// FieldsGet.
			fields, err := c.FieldsGet(ctx, odoo.ModelPartner, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f := fields["parent_id"]; f.Type != "many2one" || f.Relation != odoo.ModelPartner {
				t.Errorf("fields_get parent_id = %+v", f)
			}
			if f := fields["type"]; f.Type != "selection" || len(f.Selection) == 0 {
				t.Errorf("fields_get type = %+v", f)
			}
			if _, ok := fields["mobile"]; ok != (fc.version == "17.0") {
				t.Errorf("fields_get has mobile = %v on %s", ok, fc.version)
			}
		})
	}
}

func mustParseDomain(t *testing.T, s string) odoo.Domain {
	t.Helper()
	d, err := odoo.ParseDomain([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestFakeReadGroup(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			srv.SeedT(t, odoo.ModelPartner,
				map[string]any{"name": "A1", "city": "Ecatepec", "credit_limit": 100.5},
				map[string]any{"name": "A2", "city": "Ecatepec", "credit_limit": 200.25},
				map[string]any{"name": "B1", "city": "Puebla", "credit_limit": 50},
			)
			dom := odoo.In("city", []string{"Ecatepec", "Puebla"})
			type group struct {
				City        odoo.String     `odoo:"city"`
				CityCount   int64           `odoo:"city_count"`
				CreditLimit decimal.Decimal `odoo:"credit_limit"`
			}
			var groups []group
			if err := c.ReadGroup(ctx, odoo.ModelPartner, dom, []string{"credit_limit:sum"}, []string{"city"}, &odoo.ReadGroupOptions{OrderBy: "city"}, &groups); err != nil {
				t.Fatal(err)
			}
			want := []group{
				{odoo.String{Value: "Ecatepec", Valid: true}, 2, decimal.RequireFromString("300.75")},
				{odoo.String{Value: "Puebla", Valid: true}, 1, decimal.RequireFromString("50")},
			}
			if len(groups) != len(want) {
				t.Fatalf("groups = %+v", groups)
			}
			for i := range want {
				if groups[i].City != want[i].City || groups[i].CityCount != want[i].CityCount || !groups[i].CreditLimit.Equal(want[i].CreditLimit) {
					t.Errorf("group %d = %+v, want %+v", i, groups[i], want[i])
				}
			}
			// lazy=false groups by every field at once, with __count.
			lazy := false
			var pairs []map[string]any
			if err := c.ReadGroup(ctx, odoo.ModelPartner, dom, []string{"credit_limit:sum"}, []string{"city", "type"},
				&odoo.ReadGroupOptions{Lazy: &lazy, OrderBy: "city"}, &pairs); err != nil {
				t.Fatal(err)
			}
			if len(pairs) != 2 || pairs[0]["city"] != "Ecatepec" || pairs[0]["type"] != "contact" || pairs[0]["__count"] != int64(2) {
				t.Errorf("lazy=false groups = %v", pairs)
			}

			var fgroups []map[string]any
			if fc.version != "19.0" {
				// formatted_read_group is new in 19: a clear UnknownMethod before.
				err := c.FormattedReadGroup(ctx, odoo.ModelPartner, dom, []string{"city"}, []string{"__count"}, nil, &fgroups)
				wantKind(t, err, odoo.KindUnknownMethod, odoo.ErrUnknownMethod)
				return
			}
			if err := c.FormattedReadGroup(ctx, odoo.ModelPartner, dom, []string{"city"}, []string{"__count", "credit_limit:sum"}, &odoo.SearchOptions{Order: "city"}, &fgroups); err != nil {
				t.Fatal(err)
			}
			if len(fgroups) != 2 || fgroups[0]["city"] != "Ecatepec" || fgroups[0]["__count"] != int64(2) || fgroups[1]["__count"] != int64(1) {
				t.Fatalf("formatted groups = %v", fgroups)
			}
			if _, ok := fgroups[0]["__extra_domain"]; !ok {
				t.Errorf("formatted group lacks __extra_domain: %v", fgroups[0])
			}
		})
	}
}

// seedProduct creates a product taxed with the fake's 15 % sale tax (id 1).
func seedProduct(t *testing.T, srv *odootest.Server) int64 {
	t.Helper()
	return srv.SeedT(t, "product.product", map[string]any{"name": "Plan Ahorro", "list_price": 1000, "taxes_id": []int{1}})[0]
}

func TestFakeSaleOrder(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			prod := seedProduct(t, srv)
			partner := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Juan Pérez"})[0]

			oid, err := c.Create(ctx, odoo.ModelSaleOrder, map[string]any{
				"partner_id": partner,
				"order_line": []odoo.Command{
					odoo.CreateCommand(map[string]any{"product_id": prod, "product_uom_qty": 2, "price_unit": decimal.RequireFromString("1000.50")}),
					odoo.CreateCommand(map[string]any{"product_id": prod, "name": "Enganche", "price_unit": decimal.RequireFromString("99.99")}),
				},
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			so, err := odoo.SaleOrders(c).Get(ctx, oid, nil)
			if err != nil {
				t.Fatal(err)
			}
			if so.PartnerID.ID != partner || so.PartnerInvoiceID.ID != partner || so.State.Value != "draft" || len(so.OrderLine) != 2 || so.Name == "" {
				t.Errorf("order = %+v", so)
			}
			// 2 × 1000.50 + 99.99 = 2100.99; 15 % tax = 315.1485 → 315.15.
			if !so.AmountUntaxed.Equal(decimal.RequireFromString("2100.99")) || !so.AmountTotal.Equal(so.AmountUntaxed.Add(so.AmountTax)) || !so.AmountTax.Equal(decimal.RequireFromString("315.15")) {
				t.Errorf("amounts untaxed %s tax %s total %s", so.AmountUntaxed, so.AmountTax, so.AmountTotal)
			}

			// The typed line reads the taxes under tax_id on 17 and tax_ids on 19.
			lines, err := odoo.SaleOrderLines(c).Read(ctx, so.OrderLine, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 2 {
				t.Fatalf("lines = %+v", lines)
			}
			for _, l := range lines {
				if !slices.Equal(l.TaxIDs, []int64{1}) || l.OrderID.ID != oid || l.ProductID.ID != prod || !l.ProductUomID.Valid() {
					t.Errorf("line = %+v", l)
				}
			}
			if !lines[0].ProductUomQty.Equal(decimal.NewFromInt(2)) || !lines[0].PriceSubtotal.Equal(decimal.RequireFromString("2001")) || lines[1].Name != "Enganche" {
				t.Errorf("line values: %+v / %+v", lines[0], lines[1])
			}

			// x2many update and delete commands through Write.
			err = c.Write(ctx, odoo.ModelSaleOrder, []int64{oid}, map[string]any{"order_line": []odoo.Command{
				odoo.UpdateCommand(lines[1].ID, map[string]any{"price_unit": 100}),
				odoo.DeleteCommand(lines[0].ID),
			}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			so, err = odoo.SaleOrders(c).Get(ctx, oid, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(so.OrderLine, []int64{lines[1].ID}) || !so.AmountUntaxed.Equal(decimal.NewFromInt(100)) {
				t.Errorf("after commands: lines %v untaxed %s", so.OrderLine, so.AmountUntaxed)
			}

			// Confirmed orders cannot be deleted: UserError.
			if err := c.Call(ctx, odoo.ModelSaleOrder, "action_confirm", []any{[]int64{oid}}, nil, nil); err != nil {
				t.Fatal(err)
			}
			err = c.Unlink(ctx, odoo.ModelSaleOrder, []int64{oid}, nil)
			oe := wantKind(t, err, odoo.KindUserError, odoo.ErrUserError)
			if oe.Name != "odoo.exceptions.UserError" || oe.Message == "" {
				t.Errorf("error = %+v", oe)
			}
			if _, ok := srv.Get(odoo.ModelSaleOrder, oid); !ok {
				t.Error("confirmed order was deleted")
			}
		})
	}
}

func TestFakeLead(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			partner := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Ana López", "email": "ana@example.mx", "phone": "5512345678"})[0]
			leads := odoo.Leads(c)
			id, err := leads.Create(ctx, map[string]any{
				"name": "Plan taxi Ana", "partner_id": partner, "expected_revenue": decimal.RequireFromString("185000.00"),
				"date_deadline": odoo.NewDate(2026, time.December, 15),
			})
			if err != nil {
				t.Fatal(err)
			}
			l, err := leads.Get(ctx, id, nil)
			if err != nil {
				t.Fatal(err)
			}
			if l.Name != "Plan taxi Ana" || l.PartnerID.ID != partner || l.EmailFrom.Value != "ana@example.mx" ||
				l.Type.Value != "opportunity" || l.StageID.Name != "New" ||
				!l.ExpectedRevenue.Equal(decimal.NewFromInt(185000)) || l.DateDeadline != odoo.NewDate(2026, time.December, 15) {
				t.Errorf("lead = %+v", l)
			}
			if err := leads.Write(ctx, []int64{id}, map[string]any{"stage_id": 2, "date_deadline": odoo.Date{}}); err != nil {
				t.Fatal(err)
			}
			got, err := leads.SearchRead(ctx, odoo.And(odoo.Eq("stage_id.name", "Qualified"), odoo.Eq("partner_id", partner)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].ID != id || got[0].DateDeadline.Valid {
				t.Errorf("leads in Qualified = %+v", got)
			}
			if err := leads.Unlink(ctx, []int64{id}); err != nil {
				t.Fatal(err)
			}
			if n, err := leads.Count(ctx, nil); err != nil || n != 0 {
				t.Errorf("Count after unlink = %d, %v", n, err)
			}
		})
	}
}

func TestFakeCrossVersionFields(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			on17 := fc.version == "17.0"

			// res.partner.mobile exists on 17 only; on 19 it stays zero.
			vals := map[string]any{"name": "Móvil"}
			if on17 {
				vals["mobile"] = "+52 55 0000 1111"
			}
			pid := srv.SeedT(t, odoo.ModelPartner, vals)[0]
			p, err := odoo.Partners(c).Get(ctx, pid, nil)
			if err != nil {
				t.Fatal(err)
			}
			if want := (odoo.String{Value: "+52 55 0000 1111", Valid: on17}); !on17 && p.Mobile != (odoo.String{}) || on17 && p.Mobile != want {
				t.Errorf("Mobile = %+v on %s", p.Mobile, fc.version)
			}

			// account.payment: ref on 17, memo on 19; Payment.Memo reads either.
			memoField := "memo"
			if on17 {
				memoField = "ref"
			}
			payID := srv.SeedT(t, odoo.ModelPayment, map[string]any{"partner_id": pid, "amount": 1500.75, memoField: "SPEI 123"})[0]
			pays, err := odoo.Payments(c).Read(ctx, []int64{payID}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(pays) != 1 || pays[0].Memo.Value != "SPEI 123" || !pays[0].Amount.Equal(decimal.RequireFromString("1500.75")) || pays[0].State.Value != "draft" {
				t.Errorf("payment = %+v", pays)
			}
			// Writing through the struct's name reaches the version's field.
			if err := odoo.Payments(c).Write(ctx, []int64{payID}, map[string]any{memoField: "SPEI 456"}); err != nil {
				t.Fatal(err)
			}
			raw, _ := srv.Get(odoo.ModelPayment, payID)
			if raw[memoField] != "SPEI 456" {
				t.Errorf("stored %s = %v", memoField, raw[memoField])
			}
		})
	}
}

func TestFakeErrorsSameKind(t *testing.T) {
	ctx := t.Context()
	tests := []struct {
		name string
		call func(c *odoo.Client, srv *odootest.Server) error
		kind odoo.Kind
		is   error
	}{
		{"unknown model", func(c *odoo.Client, _ *odootest.Server) error {
			var out []map[string]any
			return c.SearchRead(ctx, "x_no.such.model", nil, &odoo.SearchOptions{Fields: []string{"id"}}, &out)
		}, odoo.KindUnknownModel, odoo.ErrUnknownModel},
		{"unknown field in domain", func(c *odoo.Client, _ *odootest.Server) error {
			_, err := c.Search(ctx, odoo.ModelPartner, odoo.Eq("x_nope", 1), nil)
			return err
		}, odoo.KindUnknownField, odoo.ErrUnknownField},
		{"required field missing", func(c *odoo.Client, _ *odootest.Server) error {
			_, err := c.Create(ctx, odoo.ModelLead, map[string]any{"type": "opportunity"}, nil)
			return err
		}, odoo.KindValidationError, odoo.ErrValidationError},
		{"user error deleting a confirmed order", func(c *odoo.Client, srv *odootest.Server) error {
			partner := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Cliente"})[0]
			oid := srv.SeedT(t, odoo.ModelSaleOrder, map[string]any{"partner_id": partner})[0]
			if err := c.Call(ctx, odoo.ModelSaleOrder, "action_confirm", []any{[]int64{oid}}, nil, nil); err != nil {
				return fmt.Errorf("action_confirm: %w", err)
			}
			return c.Unlink(ctx, odoo.ModelSaleOrder, []int64{oid}, nil)
		}, odoo.KindUserError, odoo.ErrUserError},
		{"missing record", func(c *odoo.Client, _ *odootest.Server) error {
			return c.Write(ctx, odoo.ModelPartner, []int64{999999}, map[string]any{"name": "x"}, nil)
		}, odoo.KindMissingError, odoo.ErrMissingError},
		{"unknown method", func(c *odoo.Client, _ *odootest.Server) error {
			return c.Call(ctx, odoo.ModelPartner, "no_such_method", []any{[]int64{1}}, nil, nil)
		}, odoo.KindUnknownMethod, odoo.ErrUnknownMethod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			names := map[string]string{}
			for _, fc := range fakeCases() {
				t.Run(fc.String(), func(t *testing.T) {
					srv, c := fakeSetup(t, fc)
					oe := wantKind(t, tt.call(c, srv), tt.kind, tt.is)
					if oe.Message == "" {
						t.Errorf("empty message: %+v", oe)
					}
					names[fc.String()] = oe.Name
				})
			}
			// XML-RPC and JSON-RPC report the same exception name on both
			// versions (JSON-2 has its own for unknown models and methods:
			// werkzeug's NotFound, as the recordings show; the Kind is shared).
			first := names["17.0/xmlrpc"]
			for k, n := range names {
				if k[5:] != "json2" && n != first {
					t.Errorf("exception names differ across protocols: %v", names)
					break
				}
			}
		})
	}
}

func TestFakeLoadRelatedOneCall(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			var rows []map[string]any
			for i := range 20 {
				rows = append(rows, map[string]any{"name": fmt.Sprintf("Cliente %02d", i)})
			}
			pids := srv.SeedT(t, odoo.ModelPartner, rows...)
			// Partners 0..9 get two accounts each, 10..19 none.
			var accs []map[string]any
			for i := range 10 {
				accs = append(accs,
					map[string]any{"name": fmt.Sprintf("Ahorro %02d", i), "plan_id": 1, "partner_id": pids[i]},
					map[string]any{"name": fmt.Sprintf("Venta %02d", i), "plan_id": 1, "partner_id": pids[i]})
			}
			srv.SeedT(t, odoo.ModelAnalyticAccount, accs...)

			// A page of 15 partners, then their accounts.
			page, err := odoo.Partners(c).SearchRead(ctx, odoo.In("id", pids), &odoo.SearchOptions{Order: "id", Limit: 15, Fields: []string{"name"}})
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]int64, len(page))
			for i, p := range page {
				ids[i] = p.ID
			}
			// Learn fields first so the counter below sees LoadRelated only.
			if _, err := c.ModelFields(ctx, odoo.ModelAnalyticAccount); err != nil {
				t.Fatal(err)
			}
			srv.ResetCalls()
			byPartner, err := odoo.LoadRelated[odoo.AnalyticAccount](ctx, c, odoo.ModelAnalyticAccount, "partner_id", ids, nil, &odoo.SearchOptions{Order: "name"})
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.TotalCalls(); n != 1 || srv.Calls(odoo.ModelAnalyticAccount, "search_read") != 1 {
				t.Errorf("LoadRelated made %d calls (%d search_read), want 1", n, srv.Calls(odoo.ModelAnalyticAccount, "search_read"))
			}
			if len(byPartner) != 10 {
				t.Errorf("partners with accounts = %d, want 10", len(byPartner))
			}
			for i, pid := range ids {
				got := byPartner[pid]
				if i >= 10 {
					if len(got) != 0 {
						t.Errorf("partner %d: %+v, want none", pid, got)
					}
					continue
				}
				if len(got) != 2 || got[0].Name != fmt.Sprintf("Ahorro %02d", i) || got[1].Name != fmt.Sprintf("Venta %02d", i) || got[0].PartnerID.ID != pid || got[0].PlanID.ID != 1 {
					t.Errorf("partner %d accounts = %+v", pid, got)
				}
			}
		})
	}
}

func TestFakeChunkedRead(t *testing.T) {
	ctx := t.Context()
	const total = 2500
	rows := make([]map[string]any, total)
	for i := range rows {
		rows[i] = map[string]any{"name": fmt.Sprintf("P%04d", i)}
	}
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			ids := srv.SeedT(t, odoo.ModelPartner, rows...)
			for _, chunk := range []int{0, 400, 2500} { // 0: the default (1000)
				t.Run(fmt.Sprint("chunk=", chunk), func(t *testing.T) {
					var opts []odoo.Option
					size := 1000
					if chunk > 0 {
						opts = append(opts, odoo.WithReadChunkSize(chunk))
						size = chunk
					}
					c := newFakeClient(t, srv, fc.protocol, opts...)
					srv.ResetCalls()
					var got []odoo.Partner
					if err := c.Read(ctx, odoo.ModelPartner, ids, &odoo.SearchOptions{Fields: []string{"name"}}, &got); err != nil {
						t.Fatal(err)
					}
					want := (total + size - 1) / size
					if n := srv.Calls(odoo.ModelPartner, "read"); n != want {
						t.Errorf("read calls = %d, want %d", n, want)
					}
					if len(got) != total || got[0].ID != ids[0] || got[total-1].Name != "P2499" {
						t.Errorf("read %d records, first %+v", len(got), got[0])
					}
				})
			}
		})
	}
}

func TestFakeAutoProtocolAPIKeyOnly(t *testing.T) {
	// Odoo 19 with only an API key (no login, no database): JSON-2.
	srv19 := odootest.NewServer(t, odootest.WithVersion("19.0"))
	c, err := odoo.NewClient(srv19.URL, odoo.WithAPIKey(srv19.APIKey))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.Protocol(t.Context()); err != nil || p != odoo.ProtocolJSON2 {
		t.Fatalf("protocol = %v, %v, want json2", p, err)
	}
	if n, err := c.SearchCount(t.Context(), odoo.ModelPartner, nil, nil); err != nil || n < 1 {
		t.Errorf("SearchCount = %d, %v", n, err)
	}

	// Odoo 17 has no JSON-2: a key without a login is a clear error, no call.
	srv17 := odootest.NewServer(t, odootest.WithVersion("17.0"))
	c, err = odoo.NewClient(srv17.URL, odoo.WithDatabase(srv17.DB), odoo.WithAPIKey(srv17.APIKey))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SearchCount(t.Context(), odoo.ModelPartner, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "WithLogin") {
		t.Errorf("err = %v, want one asking for WithLogin", err)
	}
	if n := srv17.Calls(odoo.ModelPartner, "search_count"); n != 0 {
		t.Errorf("search_count reached the server %d times", n)
	}
}
