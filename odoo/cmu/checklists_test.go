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

func TestChecklists(t *testing.T) {
	forEachProtocol(t, func(t *testing.T, p odoo.Protocol) {
		ctx := context.Background()
		srv, svc := setup(t, p, "")
		if err := svc.SeedChecklists(ctx, cmu.DefaultChecklists()); err != nil {
			t.Fatal(err)
		}
		before := writes(srv)
		if err := svc.SeedChecklists(ctx, cmu.DefaultChecklists()); err != nil || writes(srv) != before {
			t.Fatalf("second seed: %v, %d writes", err, writes(srv)-before)
		}
		lists, err := svc.Checklists(ctx)
		if err != nil || len(lists) != 3 {
			t.Fatal(lists, err)
		}
		for i, want := range cmu.DefaultChecklists() {
			if lists[i].Type != want.Type || len(lists[i].Requirements) != len(want.Requirements) || lists[i].Requirements[0].Code != want.Requirements[0].Code {
				t.Fatalf("checklist %d = %+v", i, lists[i])
			}
		}
		client := mustClient(t, svc, cmu.NewClient{Name: "Hugo Lara", Market: cmu.MarketAguascalientes})
		// The status records fail once: the lead exists and SetOpportunityType completes it.
		srv.InjectFault(odootest.Fault{Model: cmu.ModelLeadDocument, Method: "create", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
		lead, err := svc.CreateOpportunity(ctx, cmu.NewOpportunity{ClientID: client, Type: cmu.TypeContado})
		if !errors.Is(err, odoo.ErrTransport) || lead == 0 {
			t.Fatalf("with a 503: %d, %v", lead, err)
		}
		docs, err := svc.SetOpportunityType(ctx, lead, cmu.TypeContado)
		if err != nil || len(docs) != 4 || docs[0].Status != cmu.DocPendiente || docs[0].ClientID != client {
			t.Fatalf("docs = %+v, %v", docs, err)
		}
		// Changing the type adds the new type's documents only.
		docs, err = svc.SetOpportunityType(ctx, lead, cmu.TypeFinancieroAGS)
		if err != nil || len(docs) != 9 {
			t.Fatalf("financiero_ags docs = %d, %v", len(docs), err)
		}
		missing, err := svc.MissingDocuments(ctx, lead)
		if err != nil || len(missing) != 8 {
			t.Fatalf("missing = %d, %v", len(missing), err)
		}
		pdf := &cmu.File{Name: "ine.pdf", Mimetype: "application/pdf", Data: []byte("%PDF ine")}
		srv.InjectFault(odootest.Fault{Model: cmu.ModelLeadDocument, Method: "write", Kind: odootest.HTTPStatus, Status: 503, Times: 1})
		if _, err := svc.UpdateDocumentStatus(ctx, cmu.DocumentUpdate{LeadID: lead, Code: "ine", Status: cmu.DocRevisionManual,
			ProviderRef: "mm_verif_1", File: pdf}); !errors.Is(err, odoo.ErrTransport) || !strings.Contains(err.Error(), "lead "+itoa(lead)) {
			t.Fatalf("with a 503: %v", err)
		}
		d, err := svc.UpdateDocumentStatus(ctx, cmu.DocumentUpdate{LeadID: lead, Code: "ine", Status: cmu.DocRevisionManual, ProviderRef: "mm_verif_1", File: pdf})
		if err != nil || d.Status != cmu.DocRevisionManual || d.AttachmentID == 0 || d.ProviderRef != "mm_verif_1" || !d.UpdatedAt.Equal(fixedNow()) {
			t.Fatalf("update = %+v, %v", d, err)
		}
		if n := len(srv.Records(odoo.ModelAttachment)); n != 1 {
			t.Fatalf("%d attachments after the retry", n)
		}
		if _, err := svc.UpdateDocumentStatus(ctx, cmu.DocumentUpdate{LeadID: lead, Code: "ine", Status: cmu.DocAprobado}); err != nil {
			t.Fatal(err)
		}
		missing, err = svc.MissingDocuments(ctx, lead)
		if err != nil || len(missing) != 7 {
			t.Fatalf("missing after approval = %d, %v", len(missing), err)
		}
		for _, m := range missing {
			if m.Code == "ine" || !m.Required {
				t.Fatalf("missing lists %+v", m)
			}
		}
		agg, err := svc.GetClient(ctx, client)
		if err != nil || len(agg.Documents) != 9 || agg.Documents[0].Code != "ine" || agg.Documents[0].Status != cmu.DocAprobado ||
			agg.Documents[0].AttachmentID != d.AttachmentID {
			t.Fatalf("aggregate documents = %+v, %v", agg.Documents, err)
		}
		if _, err := svc.UpdateDocumentStatus(ctx, cmu.DocumentUpdate{LeadID: lead, Code: "pasaporte", Status: cmu.DocAprobado}); !errors.Is(err, cmu.ErrNotFound) {
			t.Fatal(err)
		}
		if _, err := svc.UpdateDocumentStatus(ctx, cmu.DocumentUpdate{LeadID: lead, Code: "ine", Status: "listo"}); !errors.Is(err, cmu.ErrInvalid) {
			t.Fatal(err)
		}
	})
}

func TestHistory(t *testing.T) {
	for _, tc := range []struct {
		version string
		p       odoo.Protocol
	}{{"19.0", odoo.ProtocolXMLRPC}, {"19.0", odoo.ProtocolJSONRPC}, {"19.0", odoo.ProtocolJSON2}, {"17.0", odoo.ProtocolXMLRPC}, {"17.0", odoo.ProtocolJSONRPC}} {
		t.Run(tc.version+"/"+tc.p.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv, svc := setup(t, tc.p, tc.version)
			if err := svc.SeedChecklists(ctx, cmu.DefaultChecklists()); err != nil {
				t.Fatal(err)
			}
			client := mustClient(t, svc, cmu.NewClient{Name: "Irma Solís", Market: cmu.MarketEdomex})
			lead, err := svc.CreateOpportunity(ctx, cmu.NewOpportunity{ClientID: client, Type: cmu.TypeFinancieroEdomex})
			if err != nil {
				t.Fatal(err)
			}
			ids, err := svc.PostEvent(ctx, cmu.Event{ClientID: client, LeadID: lead, Type: "pago_recibido", Message: "Pago SPEI <25,000.00> recibido\nclave 001", Author: "Asesor Ana"})
			if err != nil || len(ids) != 2 {
				t.Fatalf("PostEvent = %v, %v", ids, err)
			}
			if _, err := svc.PostEvent(ctx, cmu.Event{ClientID: client, Type: "kyc_revision_manual", Message: "INE a revisión manual"}); err != nil {
				t.Fatal(err)
			}
			h, err := svc.History(ctx, client, 0)
			if err != nil || len(h) != 3 {
				t.Fatalf("history = %+v, %v", h, err)
			}
			if h[0].Type != "kyc_revision_manual" || h[0].Model != "res.partner" || h[0].Message != "INE a revisión manual" {
				t.Fatalf("newest = %+v", h[0])
			}
			if h[1].Model != "crm.lead" || h[1].ResID != lead || h[1].Author != "Asesor Ana" || h[1].Message != "Pago SPEI <25,000.00> recibido\nclave 001" || h[1].CreatedAt.IsZero() {
				t.Fatalf("lead note = %+v", h[1])
			}
			m, _ := srv.Get(odoo.ModelMessage, ids[0])
			if m["message_type"] != "comment" || m["model"] != "res.partner" {
				t.Fatalf("message = %v", m)
			}
			if h, err := svc.History(ctx, client, 1); err != nil || len(h) != 1 {
				t.Fatal(h, err)
			}
			srv.InjectFault(odootest.Fault{Model: odoo.ModelPartner, Method: "message_post", Kind: odootest.OdooError,
				ErrorName: "odoo.exceptions.AccessError", Message: "You are not allowed to modify 'Contact' (res.partner) records."})
			_, err = svc.PostEvent(ctx, cmu.Event{ClientID: client, Type: "x", Message: "y"})
			var oe *odoo.Error
			if !errors.Is(err, odoo.ErrAccessError) || !errors.As(err, &oe) || !strings.Contains(err.Error(), "client "+itoa(client)) {
				t.Fatalf("access error: %v", err)
			}
		})
	}
}
