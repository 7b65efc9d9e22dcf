package odoo_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

// Smaller client behaviours checked against the fake on every protocol.

func TestFakeWithUIDSkipsAuthenticate(t *testing.T) {
	for _, fc := range fakeCases() {
		if fc.protocol == odoo.ProtocolJSON2 {
			continue // JSON-2 has no uid to give
		}
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			c := newFakeClient(t, srv, fc.protocol, odoo.WithUID(2))
			n, err := c.SearchCount(t.Context(), odoo.ModelPartner, nil, nil)
			if err != nil || n < 1 {
				t.Fatalf("SearchCount = %d, %v", n, err)
			}
			if a := srv.Calls("", "authenticate") + srv.Calls("", "login"); a != 0 {
				t.Errorf("authenticate calls = %d, want 0", a)
			}
		})
	}
}

func TestFakeTypedStructWrites(t *testing.T) {
	ctx := t.Context()
	// A create/write struct: omitempty leaves unset fields out, nullable
	// types without Valid and an unset Many2One are written as false.
	type partnerVals struct {
		Name     string        `odoo:"name,omitempty"`
		Email    odoo.String   `odoo:"email,omitempty"`
		City     odoo.String   `odoo:"city"`
		ParentID odoo.Many2One `odoo:"parent_id"`
		Date     odoo.Date     `odoo:"date,omitempty"` // gone on 19: only sent when set
	}
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv, c := fakeSetup(t, fc)
			parent := srv.SeedT(t, odoo.ModelPartner, map[string]any{"name": "Flotilla"})[0]
			id, err := odoo.Partners(c).Create(ctx, partnerVals{Name: "Chofer", Email: odoo.String{Value: "chofer@example.mx", Valid: true},
				City: odoo.String{Value: "Ecatepec", Valid: true}, ParentID: odoo.Many2One{ID: parent}})
			if err != nil {
				t.Fatal(err)
			}
			p, err := odoo.Partners(c).Get(ctx, id, nil)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "Chofer" || p.Email.Value != "chofer@example.mx" || p.City.Value != "Ecatepec" || p.ParentID.ID != parent || p.ParentID.Name != "Flotilla" {
				t.Errorf("created = %+v", p)
			}
			// Clearing: City and ParentID are written as false; Name and Email
			// (omitempty, zero) are left alone.
			if err := odoo.Partners(c).Write(ctx, []int64{id}, partnerVals{}); err != nil {
				t.Fatal(err)
			}
			raw, _ := srv.Get(odoo.ModelPartner, id)
			if raw["city"] != nil || raw["parent_id"] != int64(0) || raw["name"] != "Chofer" || raw["email"] != "chofer@example.mx" {
				t.Errorf("after clearing write: %v", raw)
			}
			// A recursive hierarchy is a ValidationError on every protocol.
			err = c.Write(ctx, odoo.ModelPartner, []int64{parent}, map[string]any{"parent_id": parent}, nil)
			oe := wantKind(t, err, odoo.KindValidationError, odoo.ErrValidationError)
			// ValidationError subclasses UserError on Odoo.
			if !errors.Is(err, odoo.ErrUserError) || errors.Is(err, odoo.ErrAccessError) {
				t.Errorf("validation error %v: Is(ErrUserError) = %v, want true (and not ErrAccessError)", oe, errors.Is(err, odoo.ErrUserError))
			}
		})
	}
}

func TestFakeReadKeepsOrderAcrossChunks(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			var rows []map[string]any
			for i := range 7 {
				rows = append(rows, map[string]any{"name": fmt.Sprintf("P%d", i)})
			}
			ids := srv.SeedT(t, odoo.ModelPartner, rows...)
			slices.Reverse(ids)
			c := newFakeClient(t, srv, fc.protocol, odoo.WithReadChunkSize(3))
			srv.ResetCalls()
			got, err := odoo.Partners(c).Read(ctx, ids, &odoo.SearchOptions{Fields: []string{"name"}})
			if err != nil {
				t.Fatal(err)
			}
			gotIDs := make([]int64, len(got))
			for i, p := range got {
				gotIDs[i] = p.ID
			}
			if !slices.Equal(gotIDs, ids) {
				t.Errorf("read order %v, want %v", gotIDs, ids)
			}
			if n := srv.Calls(odoo.ModelPartner, "read"); n != 3 {
				t.Errorf("read calls = %d, want 3 (7 ids by 3)", n)
			}
			// An empty id list makes no call and returns no records.
			srv.ResetCalls()
			none, err := odoo.Partners(c).Read(ctx, nil, &odoo.SearchOptions{Fields: []string{"name"}})
			if err != nil || len(none) != 0 || srv.TotalCalls() != 0 {
				t.Errorf("Read(nil) = %v, %v after %d calls", none, err, srv.TotalCalls())
			}
		})
	}
}

func TestFakeLoadRelatedChunks(t *testing.T) {
	ctx := t.Context()
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			srv := newFakeServer(t, fc)
			var rows []map[string]any
			for i := range 25 {
				rows = append(rows, map[string]any{"name": fmt.Sprintf("Cliente %02d", i)})
			}
			pids := srv.SeedT(t, odoo.ModelPartner, rows...)
			var leads []map[string]any
			for i, pid := range pids {
				leads = append(leads, map[string]any{"name": fmt.Sprintf("Plan %02d", i), "partner_id": pid})
			}
			srv.SeedT(t, odoo.ModelLead, leads...)
			c := newFakeClient(t, srv, fc.protocol, odoo.WithReadChunkSize(10))
			srv.ResetCalls()
			byPartner, err := odoo.LoadRelated[odoo.Lead](ctx, c, odoo.ModelLead, "partner_id", pids,
				odoo.Eq("active", true), &odoo.SearchOptions{Fields: []string{"name", "partner_id"}})
			if err != nil {
				t.Fatal(err)
			}
			if n := srv.Calls(odoo.ModelLead, "search_read"); n != 3 {
				t.Errorf("search_read calls = %d, want 3 (25 parents by 10)", n)
			}
			if srv.TotalCalls() != srv.Calls(odoo.ModelLead, "search_read")+srv.Calls("", "authenticate")+srv.Calls("", "login") {
				t.Errorf("other calls were made: %d in all", srv.TotalCalls())
			}
			for i, pid := range pids {
				if l := byPartner[pid]; len(l) != 1 || l[0].Name != fmt.Sprintf("Plan %02d", i) {
					t.Errorf("partner %d leads = %+v", pid, l)
				}
			}
		})
	}
}

func TestFakeLogsRedactSecrets(t *testing.T) {
	const (
		login    = "api@cmu.example.mx"
		password = "pw-Zq8sT1x9"
		apiKey   = "key-4b2f9e77c1d0"
	)
	for _, fc := range fakeCases() {
		t.Run(fc.String(), func(t *testing.T) {
			var clientLog, serverLog bytes.Buffer
			debug := &slog.HandlerOptions{Level: slog.LevelDebug}
			srv := newFakeServer(t, fc, odootest.WithAdmin(login, password), odootest.WithAPIKey(apiKey),
				odootest.WithLogger(slog.New(slog.NewTextHandler(&serverLog, debug))))
			logger := slog.New(slog.NewTextHandler(&clientLog, debug))
			c, err := odoo.NewClient(srv.URL, odoo.WithProtocol(fc.protocol), odoo.WithDatabase(srv.DB),
				odoo.WithLogin(login, password), odoo.WithAPIKey(apiKey), odoo.WithLogger(logger))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Search(t.Context(), odoo.ModelPartner, odoo.Eq("name", "Administrator"), nil); err != nil {
				t.Fatal(err)
			}
			logger.Debug("client", "client", c)
			bad, err := odoo.NewClient(srv.URL, odoo.WithProtocol(fc.protocol), odoo.WithDatabase(srv.DB),
				odoo.WithLogin(login, password+"x"), odoo.WithAPIKey(apiKey+"x"), odoo.WithLogger(logger))
			if err != nil {
				t.Fatal(err)
			}
			_, err = bad.Login(t.Context())
			wantKind(t, err, odoo.KindAccessDenied, odoo.ErrAccessDenied)
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), apiKey) {
				t.Errorf("error text holds a secret: %v", err)
			}
			if clientLog.Len() == 0 || serverLog.Len() == 0 {
				t.Fatalf("nothing logged (client %d bytes, server %d bytes)", clientLog.Len(), serverLog.Len())
			}
			for name, log := range map[string]string{"client": clientLog.String(), "server": serverLog.String()} {
				for _, secret := range []string{password, apiKey} {
					if strings.Contains(log, secret) {
						t.Errorf("%s log holds secret %q:\n%s", name, secret, log)
					}
				}
			}
		})
	}
}
