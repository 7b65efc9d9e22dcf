package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/airtable"
	"github.com/cmu-mx/cmu/providers/metamap"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/webhooks"
)

// KYC processes MetaMap webhooks: the decided status goes to the lead's
// document (x_cmu_lead_document) and the client's KYC status; a manual review
// also creates an Airtable task and alerts the advisors.
//
// CMu starts verifications with metadata {"lead_id": <crm.lead id>} and
// optionally {"document": <requirement code>} (default "ine").
type KYC struct {
	svc      *cmu.Service
	oc       *odoo.Client
	airtable *airtable.Client // nil: no tasks (logged)
	pub      *publisher
	log      *slog.Logger
	now      func() time.Time
}

// eventManualReview is the history type of a manual-review task; it also
// marks that the Airtable task exists.
const eventManualReview = "kyc_revision_manual"

// ProcessMetaMap is the webhooks.HandlerFunc of MetaMap deliveries. Events
// that decide nothing (verification_started…) are acknowledged and ignored.
func (k *KYC) ProcessMetaMap(ctx context.Context, d webhooks.Delivery) error {
	ev, err := metamap.ParseEvent(d.Body)
	if err != nil {
		return webhooks.Permanent(err)
	}
	st, ok := ev.Decision()
	if !ok {
		return nil
	}
	leadID, err := strconv.ParseInt(ev.MetadataString("lead_id"), 10, 64)
	if err != nil || leadID <= 0 {
		return webhooks.Permanent(fmt.Errorf("app: metamap %s: metadata lead_id %q is not a lead id", ev.VerificationID, ev.MetadataString("lead_id")))
	}
	code := ev.MetadataString("document")
	if code == "" {
		code = "ine"
	}
	var leads []struct {
		ID        int64         `odoo:"id"`
		PartnerID odoo.Many2One `odoo:"partner_id"`
	}
	if err := k.oc.Read(ctx, odoo.ModelLead, []int64{leadID}, &odoo.SearchOptions{Fields: []string{"id", "partner_id"}}, &leads); err != nil {
		return fmt.Errorf("app: metamap %s: lead %d: %w", ev.VerificationID, leadID, err)
	}
	if len(leads) == 0 || leads[0].PartnerID.ID == 0 {
		return webhooks.Permanent(fmt.Errorf("app: metamap %s: lead %d not found or without client", ev.VerificationID, leadID))
	}
	clientID := leads[0].PartnerID.ID
	cl, err := k.svc.ClientInfo(ctx, clientID)
	if err != nil {
		return fmt.Errorf("app: metamap %s: client %d: %w", ev.VerificationID, clientID, err)
	}
	status := cmu.DocumentStatus(st)
	doc, err := k.svc.UpdateDocumentStatus(ctx, cmu.DocumentUpdate{LeadID: leadID, Code: code, Status: status, ProviderRef: ev.VerificationID,
		Note: "MetaMap " + ev.Name})
	if errors.Is(err, cmu.ErrNotFound) || errors.Is(err, cmu.ErrInvalid) {
		return webhooks.Permanent(fmt.Errorf("app: metamap %s: document %s of lead %d: %w", ev.VerificationID, code, leadID, err))
	}
	if err != nil {
		return fmt.Errorf("app: metamap %s: document %s of lead %d: %w", ev.VerificationID, code, leadID, err)
	}
	kyc := cmu.KYCStatus(st)
	if kyc != cl.KYCStatus {
		if err := k.svc.UpdateClient(ctx, clientID, cmu.ClientUpdate{KYCStatus: &kyc}); err != nil {
			return fmt.Errorf("app: metamap %s: KYC status of client %d: %w", ev.VerificationID, clientID, err)
		}
	}
	market := server.Market(cl.Market)
	if status != cmu.DocRevisionManual {
		msg := fmt.Sprintf("Documento %s (%s): %s según MetaMap (verificación %s)", doc.Name, code, status, ev.VerificationID)
		entry := &server.EventLogEntry{ClientID: clientID, LeadID: leadID, Type: "kyc_" + string(status), Message: msg, Author: "MetaMap", CreatedAt: k.now().UTC()}
		if ids, err := k.svc.PostEvent(ctx, cmu.Event{ClientID: clientID, LeadID: leadID, Type: entry.Type, Message: msg, Author: entry.Author}); err != nil {
			k.log.LogAttrs(ctx, slog.LevelWarn, "KYC note not posted", slog.Int64("lead", leadID), slog.Any("err", err))
		} else if len(ids) > 0 {
			entry.ID = ids[0]
		}
		k.pub.applied(ctx, clientID, market, "kyc", entry, nil)
		return nil
	}
	return k.manualReview(ctx, cl, leadID, doc, ev)
}

// manualReview creates the Airtable task once per verification: the history
// note posted after the task is created is the marker a retry looks for.
func (k *KYC) manualReview(ctx context.Context, cl *cmu.Client, leadID int64, doc *cmu.LeadDocument, ev *metamap.Event) error {
	hist, err := k.svc.History(ctx, cl.ID, 200)
	if err != nil {
		return fmt.Errorf("app: metamap %s: history of client %d: %w", ev.VerificationID, cl.ID, err)
	}
	for _, h := range hist {
		if h.Type == eventManualReview && strings.Contains(h.Message, ev.VerificationID) {
			return nil // task already created by an earlier delivery
		}
	}
	task := "sin tarea (Airtable no configurado)"
	if k.airtable != nil {
		rec, err := k.airtable.CreateRecord(ctx, airtable.Fields{
			"Cliente": cl.Name, "Cliente ID": cl.ID, "Oportunidad ID": leadID, "Documento": doc.Name,
			"Verificación": ev.VerificationID, "Evento": ev.Name, "Dashboard": ev.DashboardURL,
			"Mercado": string(cl.Market), "Estado": "Pendiente", "Creado": k.now().UTC().Format(time.RFC3339),
		})
		if err != nil {
			return fmt.Errorf("app: metamap %s: airtable task: %w", ev.VerificationID, err)
		}
		task = "tarea Airtable " + rec.ID
	} else {
		k.log.LogAttrs(ctx, slog.LevelWarn, "manual KYC review without Airtable", slog.Int64("lead", leadID))
	}
	msg := fmt.Sprintf("Revisión manual de KYC del documento %s (verificación %s): %s", doc.Name, ev.VerificationID, task)
	entry := &server.EventLogEntry{ClientID: cl.ID, LeadID: leadID, Type: eventManualReview, Message: msg, Author: "MetaMap", CreatedAt: k.now().UTC()}
	ids, err := k.svc.PostEvent(ctx, cmu.Event{ClientID: cl.ID, LeadID: leadID, Type: eventManualReview, Message: msg, Author: entry.Author})
	if err != nil {
		return fmt.Errorf("app: metamap %s: note: %w", ev.VerificationID, err)
	}
	if len(ids) > 0 {
		entry.ID = ids[0]
	}
	k.pub.applied(ctx, cl.ID, server.Market(cl.Market), "kyc", entry, &Notification{Kind: eventManualReview, Level: "warning",
		Title: "KYC en revisión manual", Message: cl.Name + ": " + msg, ClientID: cl.ID, LeadID: leadID})
	return nil
}
