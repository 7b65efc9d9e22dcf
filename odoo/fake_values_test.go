package odoo_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// Values, commands, context and custom models through the fake, on every
// protocol.

// fakeNow is the fixed clock of tests comparing whole records.
func fakeNow() time.Time { return time.Date(2026, time.November, 22, 21, 46, 54, 0, time.UTC) }

func TestFakeSameResultEveryProtocol(t *testing.T) {
	ctx := t.Context()
	fields := []string{"name", "is_company", "parent_id", "child_ids", "category_id", "credit_limit", "email", "phone",
		"country_id", "create_date", "type", "active", "customer_rank"}
	for _, version := range []string{"17.0", "19.0"} {
		t.Run(version, func(t *testing.T) {
			// One fake, one client per protocol: every protocol must decode the
			// same records into the same values.
			srv := odootest.NewServer(t, odootest.WithVersion(version), odootest.WithClock(fakeNow))
			cat := srv.SeedT(t, odoo.ModelPartnerCategory, map[string]any{"name": "Taxi"})[0]
			co := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Ruta 27", "is_company": true, "country_id": 156,
				"credit_limit": "25000.50", "category_id": []int64{cat}, "email": "r27@example.mx"})[0]
			srv.SeedT(t, odoo.ModelPartner,
				map[string]any{"name": "Ana López", "parent_id": co, "credit_limit": "0.1", "phone": "5512345678"},
				map[string]any{"name": "Juan Pérez", "parent_id": co, "credit_limit": "1234567.89"})
			dom := odoo.Or(odoo.Eq("id", co), odoo.Eq("parent_id", co))
			opts := &odoo.SearchOptions{Fields: fields, Order: "id"}

			var first string
			var firstMaps []map[string]any
			var firstTyped []odoo.Partner
			for _, fc := range fakeCases() {
				if fc.version != version {
					continue
				}
				c := newFakeClient(t, srv, fc.protocol)
				var maps []map[string]any
				if err := c.SearchRead(ctx, odoo.ModelPartner, dom, opts, &maps); err != nil {
					t.Fatalf("%s: %v", fc, err)
				}
				typed, err := odoo.Partners(c).SearchRead(ctx, dom, &odoo.SearchOptions{Order: "id"})
				if err != nil {
					t.Fatalf("%s: %v", fc, err)
				}
				if len(maps) != 3 || len(typed) != 3 {
					t.Fatalf("%s: %d maps, %d typed records, want 3", fc, len(maps), len(typed))
				}
				if first == "" {
					first, firstMaps, firstTyped = fc.String(), maps, typed
					continue
				}
				if d := cmp.Diff(firstMaps, maps); d != "" {
					t.Errorf("maps differ between %s and %s (-+):\n%s", first, fc, d)
				}
				if d := cmp.Diff(firstTyped, typed); d != "" {
					t.Errorf("typed records differ between %s and %s (-+):\n%s", first, fc, d)
				}
			}
			// And the values are the right ones.
			p := firstTyped[0]
			if p.Name != "Ruta 27" || !p.IsCompany || !slices.Equal(p.CategoryID, []int64{cat}) || len(p.ChildIDs) != 2 ||
				p.CreateDate != odoo.NewDateTime(fakeNow()) || p.Type.Value != "contact" || p.Phone.Valid {
				t.Errorf("company = %+v", p)
			}
			for i, want := range []string{"25000.5", "0.1", "1234567.89"} {
				if !firstTyped[i].CreditLimit.Equal(decimal.RequireFromString(want)) {
					t.Errorf("credit_limit %d = %s, want %s", i, firstTyped[i].CreditLimit, want)
				}
			}
			// Maps hold the normalised values: false stays false, ids are
			// int64, many2one is [id, name], non-integers keep their text.
			wantAna := map[string]any{"id": firstTyped[1].ID, "name": "Ana López", "is_company": false, "parent_id": []any{co, "Ruta 27"},
				"child_ids": []any{}, "category_id": []any{}, "credit_limit": json.Number("0.1"), "email": false, "phone": "5512345678",
				"country_id": false, "create_date": "2026-11-22 21:46:54", "type": "contact", "active": true, "customer_rank": int64(0)}
			if d := cmp.Diff(wantAna, firstMaps[1]); d != "" {
				t.Errorf("map record (-want +got):\n%s", d)
			}
		})
	}
}

func TestFakeX2ManyCommands(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			cats := srv.SeedT(t, odoo.ModelPartnerCategory,
				map[string]any{"name": "Taxi"}, map[string]any{"name": "Colectivo"}, map[string]any{"name": "Carga"})
			id, err := c.Create(ctx, odoo.ModelPartner, map[string]any{
				"name":        "Flotilla",
				"category_id": []odoo.Command{odoo.SetCommand(cats[0], cats[1])},
				"child_ids": []odoo.Command{
					odoo.CreateCommand(map[string]any{"name": "Chofer 1"}),
					odoo.CreateCommand(map[string]any{"name": "Chofer 2"}),
				},
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			read := func() odoo.Partner {
				t.Helper()
				p, err := odoo.Partners(c).Get(ctx, id, &odoo.SearchOptions{Fields: []string{"category_id", "child_ids"}})
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(p.CategoryID)
				return p
			}
			p := read()
			if !slices.Equal(p.CategoryID, cats[:2]) || len(p.ChildIDs) != 2 {
				t.Fatalf("after create: %+v", p)
			}
			children := slices.Clone(p.ChildIDs)
			steps := []struct {
				name     string
				vals     map[string]any
				wantCats []int64
				wantKids int
			}{
				{"link", map[string]any{"category_id": []odoo.Command{odoo.LinkCommand(cats[2])}}, cats, 2},
				{"unlink", map[string]any{"category_id": []odoo.Command{odoo.UnlinkCommand(cats[0])}}, cats[1:], 2},
				{"clear", map[string]any{"category_id": []odoo.Command{odoo.ClearCommand()}}, nil, 2},
				{"set", map[string]any{"category_id": []odoo.Command{odoo.SetCommand(cats[2])}}, cats[2:], 2},
				{"update and delete children", map[string]any{"child_ids": []odoo.Command{
					odoo.UpdateCommand(children[0], map[string]any{"name": "Chofer Uno"}),
					odoo.DeleteCommand(children[1]),
				}}, cats[2:], 1},
			}
			for _, s := range steps {
				if err := c.Write(ctx, odoo.ModelPartner, []int64{id}, s.vals, nil); err != nil {
					t.Fatalf("%s: %v", s.name, err)
				}
				p := read()
				if !slices.Equal(p.CategoryID, s.wantCats) && (len(p.CategoryID) != 0 || len(s.wantCats) != 0) || len(p.ChildIDs) != s.wantKids {
					t.Errorf("%s: categories %v children %v, want %v and %d children", s.name, p.CategoryID, p.ChildIDs, s.wantCats, s.wantKids)
				}
			}
			// Unlinked categories still exist; the deleted child does not.
			if _, ok := srv.Get(odoo.ModelPartnerCategory, cats[0]); !ok {
				t.Error("unlink deleted the category")
			}
			if _, ok := srv.Get(odoo.ModelPartner, children[1]); ok {
				t.Error("delete command left the child")
			}
			if rec, _ := srv.Get(odoo.ModelPartner, children[0]); rec["name"] != "Chofer Uno" {
				t.Errorf("updated child = %v", rec)
			}
		})
	}
}

func TestFakeContextPerClientAndCall(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			// Partner 2 (OdooBot) is archived: hidden unless active_test is off.
			plain := newFakeClient(t, srv, fc.protocol)
			all := odoo.Context{Extra: map[string]any{"active_test": false}}
			archived := newFakeClient(t, srv, fc.protocol, odoo.WithContext(all))
			dom := odoo.In("id", []int64{2, 3})
			tests := []struct {
				name string
				c    *odoo.Client
				opts *odoo.SearchOptions
				want []int64
			}{
				{"default", plain, nil, []int64{3}},
				{"per call", plain, &odoo.SearchOptions{Context: &all, Order: "id"}, []int64{2, 3}},
				{"per client", archived, &odoo.SearchOptions{Order: "id"}, []int64{2, 3}},
				{"domain on active wins", plain, nil, nil},
			}
			for _, tt := range tests {
				d := dom
				if tt.name == "domain on active wins" {
					d = odoo.And(dom, odoo.Eq("active", false))
					tt.want = []int64{2}
				}
				got, err := tt.c.Search(ctx, odoo.ModelPartner, d, tt.opts)
				if err != nil {
					t.Fatalf("%s: %v", tt.name, err)
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%s: ids %v, want %v", tt.name, got, tt.want)
				}
			}
		})
	}
}

func TestFakeCustomModelAndField(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			_, cl := fakeSetup(t, fc)
			partner, err := cl.Create(ctx, odoo.ModelPartner, map[string]any{"name": "Dueño"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			// A custom model with its fields, created through the API.
			mid, err := cl.Create(ctx, odoo.ModelIrModel, map[string]any{
				"name": "Vehículo", "model": "x_vehicle",
				"field_id": []odoo.Command{
					odoo.CreateCommand(map[string]any{"name": "x_name", "field_description": "Placa", "ttype": "char"}),
					odoo.CreateCommand(map[string]any{"name": "x_partner_id", "field_description": "Dueño", "ttype": "many2one", "relation": "res.partner"}),
					odoo.CreateCommand(map[string]any{"name": "x_value", "field_description": "Valor", "ttype": "monetary"}),
				},
			}, nil)
			if err != nil || mid == 0 {
				t.Fatalf("ir.model create = %d, %v", mid, err)
			}
			type vehicle struct {
				ID      int64           `odoo:"id"`
				Plate   string          `odoo:"x_name"`
				Owner   odoo.Many2One   `odoo:"x_partner_id"`
				Value   decimal.Decimal `odoo:"x_value"`
				Missing odoo.String     `odoo:"x_not_a_field"` // tolerated: the server lacks it
			}
			vehicles := odoo.NewRecords[vehicle](cl, "x_vehicle")
			vid, err := vehicles.Create(ctx, map[string]any{"x_name": "ABC-123", "x_partner_id": partner, "x_value": decimal.RequireFromString("185000.25")})
			if err != nil {
				t.Fatal(err)
			}
			got, err := vehicles.SearchRead(ctx, odoo.Eq("x_partner_id.name", "Dueño"), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := []vehicle{{ID: vid, Plate: "ABC-123", Owner: odoo.Many2One{ID: partner, Name: "Dueño"}, Value: decimal.RequireFromString("185000.25")}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("vehicles (-want +got):\n%s", d)
			}

			// A custom field on a standard model.
			if _, err := cl.Create(ctx, odoo.ModelIrModelFields, map[string]any{
				"model": odoo.ModelPartner, "name": "x_rfc", "field_description": "RFC", "ttype": "char",
			}, nil); err != nil {
				t.Fatal(err)
			}
			if err := cl.Write(ctx, odoo.ModelPartner, []int64{partner}, map[string]any{"x_rfc": "PEJJ800101AAA"}, nil); err != nil {
				t.Fatal(err)
			}
			ids, err := cl.Search(ctx, odoo.ModelPartner, odoo.Eq("x_rfc", "PEJJ800101AAA"), nil)
			if err != nil || !slices.Equal(ids, []int64{partner}) {
				t.Errorf("search by custom field = %v, %v", ids, err)
			}
			// Names without x_ are refused with a ValidationError. XML-RPC
			// sends every UserError subclass as fault 2 with the message only,
			// so the client can report no more than UserError there.
			_, err = cl.Create(ctx, odoo.ModelIrModel, map[string]any{"name": "Malo", "model": "vehicle"}, nil)
			if fc.protocol == odoo.ProtocolXMLRPC {
				oe := wantKind(t, err, odoo.KindUserError, odoo.ErrUserError)
				if oe.Code != 2 || oe.Message != "The model name must start with 'x_'." {
					t.Errorf("fault = %+v", oe)
				}
			} else {
				oe := wantKind(t, err, odoo.KindValidationError, odoo.ErrValidationError)
				if oe.Name != "odoo.exceptions.ValidationError" {
					t.Errorf("name = %q", oe.Name)
				}
			}
		})
	}
}

func TestFakeMessagePost(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, cl := fakeSetup(t, fc)
			lead := srv.SeedT(t, odoo.ModelLead, map[string]any{"name": "Plan taxi"})[0]
			var msgID int64
			err := cl.Call(ctx, odoo.ModelLead, "message_post", []any{[]int64{lead}},
				map[string]any{"body": "Cotización guardada", "message_type": "comment", "subtype_xmlid": "mail.mt_note"}, &msgID)
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := odoo.Messages(cl).SearchRead(ctx, odoo.And(odoo.Eq("model", odoo.ModelLead), odoo.Eq("res_id", lead)), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || msgs[0].ID != msgID || !strings.Contains(msgs[0].Body.Value, "Cotización guardada") ||
				msgs[0].MessageType.Value != "comment" || !msgs[0].AuthorID.Valid() || !msgs[0].Date.Valid {
				t.Errorf("messages = %+v", msgs)
			}
		})
	}
}

func TestFakeDatesAndBinary(t *testing.T) {
	ctx := t.Context()
	start := time.Date(2026, time.December, 1, 16, 30, 0, 0, time.UTC)
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			_, cl := fakeSetup(t, fc)
			// A datetime given in Mexico City time is sent in UTC.
			mx := time.FixedZone("CST", -6*3600)
			eid, err := cl.Create(ctx, odoo.ModelCalendarEvent, map[string]any{
				"name": "Firma de contrato", "start": odoo.NewDateTime(start.In(mx)), "duration": 1.5,
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := odoo.CalendarEvents(cl).Get(ctx, eid, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !ev.Start.Time.Equal(start) || ev.Start.Time.Location() != time.UTC || !ev.Stop.Time.Equal(start.Add(90*time.Minute)) || ev.Duration.Value != 1.5 || ev.Allday {
				t.Errorf("event = %+v", ev)
			}

			type newAttachment struct {
				Name     string `odoo:"name"`
				Datas    []byte `odoo:"datas"`
				ResModel string `odoo:"res_model"`
				ResID    int64  `odoo:"res_id"`
			}
			content := []byte("contrato firmado\x00\xff")
			aid, err := cl.Create(ctx, odoo.ModelAttachment, newAttachment{Name: "contrato.txt", Datas: content, ResModel: odoo.ModelCalendarEvent, ResID: eid}, nil)
			if err != nil {
				t.Fatal(err)
			}
			att, err := odoo.Attachments(cl).Get(ctx, aid, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(att.Datas) != string(content) || att.FileSize != int64(len(content)) || att.ResID != eid || att.ResModel.Value != odoo.ModelCalendarEvent || att.Type.Value != "binary" {
				t.Errorf("attachment = %+v", att)
			}
		})
	}
}

func TestFakeAnalyticBalances(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, cl := fakeSetup(t, fc)
			partner := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Juan Pérez"})[0]
			acc, err := cl.Create(ctx, odoo.ModelAnalyticAccount, map[string]any{"name": "Ahorro Juan", "plan_id": 1, "partner_id": partner}, nil)
			if err != nil {
				t.Fatal(err)
			}
			amounts := []string{"1000.10", "1623.35", "-0.45"}
			for _, a := range amounts {
				if _, err := cl.Create(ctx, odoo.ModelAnalyticLine, map[string]any{"name": "Aportación", "account_id": acc, "amount": decimal.RequireFromString(a), "partner_id": partner}, nil); err != nil {
					t.Fatal(err)
				}
			}
			got, err := odoo.AnalyticAccounts(cl).Get(ctx, acc, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Balance.Equal(decimal.RequireFromString("2623.00")) || got.PlanID.ID != 1 || got.PartnerID.ID != partner ||
				!got.Credit.Equal(decimal.RequireFromString("2623.45")) || !got.Debit.Equal(decimal.RequireFromString("0.45")) {
				t.Errorf("account = %+v", got)
			}
			lines, err := odoo.AnalyticLines(cl).SearchRead(ctx, odoo.Eq("account_id", acc), &odoo.SearchOptions{Order: "id"})
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != len(amounts) {
				t.Fatalf("lines = %+v", lines)
			}
			for i, l := range lines {
				if !l.Amount.Equal(decimal.RequireFromString(amounts[i])) || l.AccountID.ID != acc || !l.Date.Valid {
					t.Errorf("line %d = %+v", i, l)
				}
			}
		})
	}
}

func TestFakeForeignAnswers(t *testing.T) {
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, cl := fakeSetup(t, fc)
			if _, err := cl.Login(t.Context()); err != nil {
				t.Fatal(err)
			}
			var rows []map[string]any
			read := func() error {
				rows = nil
				return cl.SearchRead(t.Context(), odoo.ModelPartner, nil, &odoo.SearchOptions{Fields: []string{"name"}}, &rows)
			}

			// A truncated body is a transport error, never a partial result.
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search_read", Kind: odootest.Truncated, Times: 1})
			err := read()
			wantKind(t, err, odoo.KindTransport, odoo.ErrTransport)
			if len(rows) != 0 {
				t.Errorf("truncated answer decoded %d rows", len(rows))
			}

			// A proxy's HTML page on a non-retried status names status and type.
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search_read", Kind: odootest.HTTPStatus, Status: 500, Times: 1})
			err = read()
			oe := wantKind(t, err, odoo.KindTransport, odoo.ErrTransport)
			if oe.Status != 500 || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "text/html") {
				t.Errorf("HTML 500: %v (status %d)", err, oe.Status)
			}

			// An expired session is Odoo's exception, reported once, not retried.
			srv.ResetCalls()
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "search_read", Kind: odootest.SessionExpired, Times: 1})
			err = read()
			if !errors.As(err, &oe) || oe.Name != "odoo.http.SessionExpiredException" {
				t.Errorf("session expired: %v", err)
			}
			if n := srv.Calls(odoo.ModelPartner, "search_read"); n != 1 {
				t.Errorf("search_read calls = %d, want 1", n)
			}

			// The next call is served normally.
			if err := read(); err != nil || len(rows) == 0 {
				t.Errorf("after faults: %d rows, %v", len(rows), err)
			}
		})
	}
}
