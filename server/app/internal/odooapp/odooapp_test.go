package odooapp_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
	"github.com/cmu-mx/cmu/server/internal/servertest"
)

func TestError(t *testing.T) {
	t.Parallel()
	passed := server.NewError(server.KindConflict, "ya existe")
	other := errors.New("connection reset")
	for _, tc := range []struct {
		name  string
		err   error
		kind  server.Kind
		msg   string
		known bool
	}{
		{"server error passes", fmt.Errorf("x: %w", passed), server.KindConflict, "ya existe", true},
		{"deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), server.KindTimeout, "Tiempo de espera agotado: la oportunidad", true},
		{"canceled", context.Canceled, server.KindUnavailable, "Solicitud cancelada: la oportunidad", true},
		{"cmu not found", fmt.Errorf("read: %w", cmu.ErrNotFound), server.KindNotFound, "No encontrado: la oportunidad", true},
		{"odoo not found", odoo.ErrNotFound, server.KindNotFound, "No encontrado: la oportunidad", true},
		{"not provisioned", cmu.ErrNotProvisioned, server.KindUnavailable, "Odoo no tiene el esquema de CMu (ejecute Ensure)", true},
		{"transport", &odoo.Error{Kind: odoo.KindTransport}, server.KindUnavailable, "Odoo no disponible", true},
		{"access denied", &odoo.Error{Kind: odoo.KindAccessDenied}, server.KindUnavailable, "Odoo no disponible", true},
		{"missing", &odoo.Error{Kind: odoo.KindMissingError}, server.KindNotFound, "No encontrado: la oportunidad", true},
		{"user error", &odoo.Error{Kind: odoo.KindUserError, Message: "no"}, server.KindUnprocessable, "Odoo rechazó la operación: no", true},
		{"validation", &odoo.Error{Kind: odoo.KindValidationError, Message: "falta"}, server.KindUnprocessable, "Odoo rechazó la operación: falta", true},
		{"server error", &odoo.Error{Kind: odoo.KindServerError}, server.KindBadGateway, "Odoo respondió con un error", true},
		{"unknown", other, server.KindUnavailable, "Odoo no disponible: la oportunidad", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := odooapp.Error(tc.err, "la oportunidad")
			se, ok := errors.AsType[*server.Error](got)
			if !ok || se.Kind != tc.kind || se.Message != tc.msg || !errors.Is(got, tc.err) {
				t.Fatalf("Error(%v) = %#v", tc.err, got)
			}
			if k := odooapp.Known(tc.err, "la oportunidad"); (k != nil) != tc.known {
				t.Fatalf("Known(%v) = %v, want known %v", tc.err, k, tc.known)
			}
		})
	}
	if odooapp.Error(nil, "x") != nil || odooapp.Known(nil, "x") != nil {
		t.Fatal("nil must map to nil")
	}
}

func TestLatestLead(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, oc, svc := servertest.Odoo(t, nil)
	client, err := svc.CreateClient(ctx, cmu.NewClient{Name: "Ana Ruiz", Market: cmu.MarketEdomex})
	if err != nil {
		t.Fatal(err)
	}
	if id, err := odooapp.LatestLead(ctx, oc, client); err != nil || id != 0 {
		t.Fatalf("no lead: %d, %v", id, err)
	}
	ids := srv.SeedT(t, odoo.ModelLead, map[string]any{"name": "uno", "partner_id": client}, map[string]any{"name": "dos", "partner_id": client})
	if id, err := odooapp.LatestLead(ctx, oc, client); err != nil || id != ids[1] {
		t.Fatalf("LatestLead = %d, %v; want %d", id, err, ids[1])
	}
}

// A note is posted once per key, as HTML (body_is_html), in cmu's history
// format so that cmu.Service.History lists it with its author.
func TestPostNoteOnce(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	srv, oc, svc := servertest.Odoo(t, nil)
	client, err := svc.CreateClient(ctx, cmu.NewClient{Name: "Ana Ruiz", Market: cmu.MarketEdomex})
	if err != nil {
		t.Fatal(err)
	}
	n := odooapp.Note{Type: "cita_agendada", Author: "Asesora <Ana>", Message: "Cita & reserva", Key: "reserva R-1"}
	id, posted, err := odooapp.PostNoteOnce(ctx, oc, odoo.ModelPartner, client, n)
	if err != nil || !posted || id == 0 {
		t.Fatalf("first post = %d, %v, %v", id, posted, err)
	}
	m, _ := srv.Get(odoo.ModelMessage, id)
	body, _ := m["body"].(string)
	if !strings.HasPrefix(body, `<p data-cmu-event="cita_agendada"><b>Asesora &lt;Ana&gt;:</b> Cita &amp; reserva [reserva R-1]`) {
		t.Fatalf("stored body %q is not CMu's HTML note", body)
	}
	if id2, posted, err := odooapp.PostNoteOnce(ctx, oc, odoo.ModelPartner, client, n); err != nil || posted || id2 != 0 {
		t.Fatalf("second post = %d, %v, %v; want nothing posted", id2, posted, err)
	}
	n.Key = "reserva R-2"
	if _, posted, err := odooapp.PostNoteOnce(ctx, oc, odoo.ModelPartner, client, n); err != nil || !posted {
		t.Fatalf("other key = %v, %v; want posted", posted, err)
	}
	h, err := svc.History(ctx, client, 10)
	if err != nil || len(h) != 2 {
		t.Fatalf("History = %+v, %v", h, err)
	}
	if h[1].Type != "cita_agendada" || h[1].Author != "Asesora <Ana>" || h[1].Message != "Cita & reserva [reserva R-1]" {
		t.Fatalf("history entry = %+v", h[1])
	}
}
