package creditsvc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/credit"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
	"github.com/shopspring/decimal"
)

// EventType is the history type of the evidence note.
const EventType = "analisis_credito"

// ErrNoConsent is returned by a ConsentSource for a client who has not
// authorised the bureau query (no validated NIP).
var ErrNoConsent = errors.New("creditsvc: no bureau consent")

// ConsentSource tells the KIBAN consent of a client: the NIP validation id
// (kiban.NIPValidation.ID) recorded when the client authorised the bureau
// query. It returns ErrNoConsent (or "") when there is none.
type ConsentSource interface {
	ConsentID(ctx context.Context, clientID int64) (string, error)
}

// ConsentFunc adapts a function to ConsentSource.
type ConsentFunc func(ctx context.Context, clientID int64) (string, error)

// ConsentID calls f.
func (f ConsentFunc) ConsentID(ctx context.Context, clientID int64) (string, error) {
	return f(ctx, clientID)
}

// Config holds a Service's dependencies; Odoo, Bureau, Scorer and Consents
// are required.
type Config struct {
	// Odoo is the client of the CMu database. Required.
	Odoo *odoo.Client
	// CMU is CMu's service over Odoo; nil means cmu.New(Odoo, nil).
	CMU *cmu.Service
	// Bureau is the KIBAN client (*kiban.Client). Required.
	Bureau credit.Bureau
	// Scorer is the HASE client (*hase.Client). Required.
	Scorer credit.Scorer
	// Consents gives each client's bureau consent. Required.
	Consents ConsentSource
	// Rules are the decision thresholds; nil means credit.DefaultRules().
	Rules *credit.Rules
	// Hub receives client:updated, eventlog:new and notification:new; nil
	// publishes nothing.
	Hub *server.Hub
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service implements server.CreditService. Create it with New.
type Service struct {
	cfg Config
	cmu *cmu.Service
	now func() time.Time
	log *slog.Logger
}

var _ server.CreditService = (*Service)(nil)

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Odoo == nil:
		return nil, errors.New("creditsvc: Config.Odoo is required")
	case cfg.Bureau == nil:
		return nil, errors.New("creditsvc: Config.Bureau is required")
	case cfg.Scorer == nil:
		return nil, errors.New("creditsvc: Config.Scorer is required")
	case cfg.Consents == nil:
		return nil, errors.New("creditsvc: Config.Consents is required")
	}
	if cfg.Rules != nil {
		if err := cfg.Rules.Validate(); err != nil {
			return nil, fmt.Errorf("creditsvc: rules: %w", err)
		}
	}
	s := &Service{cfg: cfg, cmu: cfg.CMU, now: cfg.Now, log: cfg.Logger}
	if s.cmu == nil {
		s.cmu = cmu.New(cfg.Odoo, nil)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return s, nil
}

// Analyze runs the credit analysis of one client (see the package doc).
func (s *Service) Analyze(ctx context.Context, req server.AnalyzeCreditRequest) (*server.CreditDecision, error) {
	agg, err := s.cmu.GetClient(ctx, req.ClientID)
	if err != nil {
		return nil, odooErr(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	lead, err := s.latestLead(ctx, req.ClientID)
	if err != nil {
		return nil, err
	}
	consent, err := s.cfg.Consents.ConsentID(ctx, req.ClientID)
	if err != nil && !errors.Is(err, ErrNoConsent) {
		return nil, server.WrapError(server.KindUnavailable, "No se pudo leer la autorización de consulta al buró", err)
	}
	if consent == "" {
		return nil, server.NewError(server.KindUnprocessable, "El cliente no ha autorizado la consulta al buró de crédito (NIP de KIBAN)")
	}
	ap := applicant(agg, lead, consent)
	if p := ap.Valid(); p != nil {
		return nil, server.NewError(server.KindUnprocessable, "Faltan datos del cliente para el análisis de crédito: "+problems(p))
	}
	market := server.Market(agg.Market)
	if err := s.setStatus(ctx, req.ClientID, cmu.CreditEnAnalisis); err != nil {
		return nil, err
	}
	rec := &recorder{s: s, clientID: req.ClientID, leadID: lead.ID}
	an, err := credit.New(credit.Config{Bureau: s.cfg.Bureau, Scorer: s.cfg.Scorer, Recorder: rec, Rules: s.cfg.Rules,
		Now: s.now, Logger: s.log})
	if err != nil {
		return nil, fmt.Errorf("creditsvc: %w", err)
	}
	d, err := an.Analyze(ctx, ap)
	if errors.Is(err, credit.ErrEvidenceNotRecorded) {
		// The decision is made; record its evidence once more before acting.
		err = rec.RecordDecision(ctx, d)
		if err != nil {
			err = fmt.Errorf("%w: %w", credit.ErrEvidenceNotRecorded, err)
		}
	}
	if err != nil {
		return nil, s.undecided(ctx, req.ClientID, lead.ID, market, rec.entry, err)
	}
	status, stage, label := cmu.CreditAprobado, cmu.StageAprobado, "Aprobado"
	if d.Status == credit.Rechazado {
		status, stage, label = cmu.CreditRechazado, cmu.StageRechazado, "Rechazado"
	} else if d.Status != credit.Aprobado {
		return nil, s.undecided(ctx, req.ClientID, lead.ID, market, rec.entry, fmt.Errorf("creditsvc: unexpected status %q", d.Status))
	}
	if err := s.setStatus(ctx, req.ClientID, status); err != nil {
		return nil, err
	}
	if lead.ID != 0 {
		if err := s.cmu.SetLeadStage(ctx, lead.ID, stage); err != nil {
			return nil, odooErr(err, "la etapa "+stage)
		}
	}
	out := &server.CreditDecision{ClientID: req.ClientID, Decision: label, Reasons: []string{}, DecidedAt: d.DecidedAt.UTC()}
	if d.Evidence.HASEScore != nil {
		out.Score = *d.Evidence.HASEScore
	}
	for _, r := range d.Reasons {
		out.Reasons = append(out.Reasons, r.Message)
	}
	level, msg := "info", fmt.Sprintf("Crédito aprobado para %s", agg.Name)
	if d.Status == credit.Rechazado {
		level, msg = "warning", fmt.Sprintf("Crédito rechazado para %s: %s", agg.Name, strings.Join(out.Reasons, "; "))
	}
	s.publish(ctx, req.ClientID, lead.ID, market, "credit_"+string(status), rec.entry, notification{
		Kind: "credit_decision", Level: level, Title: "Análisis de crédito: " + label, Message: msg,
		ClientID: req.ClientID, LeadID: lead.ID, CreatedAt: s.now().UTC()})
	return out, nil
}

// undecided answers a provider failure: the status stays en_analisis, the
// advisors are told, and the error maps to 503 (retryable) or 502.
func (s *Service) undecided(ctx context.Context, clientID, leadID int64, m server.Market, entry *server.EventLogEntry, err error) error {
	kind, msg := server.KindBadGateway, "El proveedor de análisis de crédito respondió con un error; el cliente queda en análisis"
	var pe *credit.ProviderError
	switch {
	case errors.Is(err, credit.ErrProviderUnavailable):
		kind, msg = server.KindUnavailable, "Proveedor de análisis de crédito no disponible; el cliente queda en análisis, intente más tarde"
		if errors.As(err, &pe) {
			msg = fmt.Sprintf("Proveedor de análisis de crédito no disponible (%s); el cliente queda en análisis, intente más tarde", pe.Provider)
		}
	case errors.Is(err, credit.ErrEvidenceNotRecorded):
		kind, msg = server.KindUnavailable, "No se pudo registrar la evidencia del análisis en Odoo; el cliente queda en análisis, intente más tarde"
	case errors.As(err, &pe):
		msg = fmt.Sprintf("El proveedor de análisis de crédito (%s) respondió con un error; el cliente queda en análisis", pe.Provider)
	}
	s.publish(ctx, clientID, leadID, m, "credit_en_analisis", entry, notification{Kind: "credit_decision", Level: "warning",
		Title: "Análisis de crédito: en análisis", Message: msg, ClientID: clientID, LeadID: leadID, CreatedAt: s.now().UTC()})
	return server.WrapError(kind, msg, err)
}

func (s *Service) setStatus(ctx context.Context, clientID int64, st cmu.CreditStatus) error {
	if err := s.cmu.UpdateClient(ctx, clientID, cmu.ClientUpdate{CreditStatus: &st}); err != nil {
		return odooErr(err, "el estatus de crédito del cliente")
	}
	return nil
}

// leadRow is the client's opportunity as read here.
type leadRow struct {
	ID   int64          `odoo:"id"`
	Type odoo.Selection `odoo:"x_cmu_opportunity_type"`
}

// latestLead returns the client's most recent opportunity (zero when none).
func (s *Service) latestLead(ctx context.Context, clientID int64) (leadRow, error) {
	var rows []leadRow
	if err := s.cfg.Odoo.SearchRead(ctx, odoo.ModelLead, odoo.Eq("partner_id", clientID),
		&odoo.SearchOptions{Fields: []string{"id", "x_cmu_opportunity_type"}, Order: "id desc", Limit: 1}, &rows); err != nil {
		return leadRow{}, odooErr(err, "las oportunidades del cliente")
	}
	if len(rows) == 0 {
		return leadRow{}, nil
	}
	return rows[0], nil
}

// applicant maps the Odoo client to the analysis input.
func applicant(c *cmu.ClientAggregate, lead leadRow, consent string) credit.Applicant {
	first, paternal, maternal := splitName(c.Name)
	ap := credit.Applicant{
		ID: strconv.FormatInt(c.ID, 10), FirstName: first, PaternalLastName: paternal, MaternalLastName: maternal,
		RFC: strings.ToUpper(strings.TrimSpace(c.Contact.VAT)), ConsentID: consent,
		Address: kiban.Address{Street: c.Contact.Street, City: c.Contact.City, PostalCode: c.Contact.Zip},
		Market:  string(c.Market), Plates: c.Plates,
	}
	switch {
	case c.Group != nil:
		ap.Product = "credito_colectivo"
	case lead.Type.Value == string(cmu.TypeFinancieroAGS) || lead.Type.Value == string(cmu.TypeFinancieroEdomex):
		ap.Product = "venta_plazo"
	case lead.Type.Valid:
		ap.Product = lead.Type.Value
	}
	for _, p := range c.Plans {
		if p.Kind == cmu.PlanSavings {
			ap.Savings.Balance = ap.Savings.Balance.Add(p.Balance)
		}
	}
	for _, so := range c.SaleOrders {
		if so.PlanRef != "" && so.State != "cancel" {
			ap.RequestedAmount = decimal.Max(ap.RequestedAmount, so.AmountTotal)
		}
	}
	return ap
}

// splitName splits a Mexican full name: the last two words are the paternal
// and maternal surnames (the last one only when there are two words).
func splitName(full string) (first, paternal, maternal string) {
	w := strings.Fields(full)
	switch len(w) {
	case 0:
		return "", "", ""
	case 1:
		return w[0], "", ""
	case 2:
		return w[0], w[1], ""
	}
	return strings.Join(w[:len(w)-2], " "), w[len(w)-2], w[len(w)-1]
}

func problems(p map[string]string) string {
	names := map[string]string{"rfc": "RFC (10 o 13 caracteres)", "firstName": "nombre", "paternalLastName": "apellido paterno",
		"consentId": "autorización NIP", "id": "id", "requestedAmount": "monto solicitado"}
	var out []string
	for k := range p {
		if n, ok := names[k]; ok {
			out = append(out, n)
		} else {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// recorder posts the decision's evidence as a chatter note on the client and
// the lead; it keeps the log entry for the live event.
type recorder struct {
	s        *Service
	clientID int64
	leadID   int64
	entry    *server.EventLogEntry
}

// RecordDecision implements credit.EvidenceRecorder.
func (r *recorder) RecordDecision(ctx context.Context, d credit.Decision) error {
	note := d.Note()
	ids, err := r.s.cmu.PostEvent(ctx, cmu.Event{ClientID: r.clientID, LeadID: r.leadID, Type: EventType, Message: note, Author: "CMu"})
	if err != nil {
		return err
	}
	var id int64
	if len(ids) > 0 {
		id = ids[0]
	}
	r.entry = &server.EventLogEntry{ID: id, ClientID: r.clientID, LeadID: r.leadID, Type: EventType, Message: note, Author: "CMu",
		CreatedAt: r.s.now().UTC()}
	return nil
}

// notification is the data of notification:new.
type notification struct {
	Kind      string    `json:"kind"`
	Level     string    `json:"level"`
	Title     string    `json:"title"`
	Message   string    `json:"message"`
	ClientID  int64     `json:"clientId,omitempty"`
	LeadID    int64     `json:"leadId,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

func (s *Service) publish(ctx context.Context, clientID, leadID int64, m server.Market, reason string, entry *server.EventLogEntry, n notification) {
	if s.cfg.Hub == nil {
		return
	}
	evs := []server.Event{{Type: server.EventClientUpdated, ClientID: clientID, Market: m,
		Data: map[string]any{"clientId": clientID, "reason": reason}}}
	if entry != nil {
		evs = append(evs, server.Event{Type: server.EventLogNew, ClientID: clientID, Market: m, Data: entry})
	}
	evs = append(evs, server.Event{Type: server.EventNotificationNew, ClientID: clientID, Market: m, Data: n})
	for _, ev := range evs {
		if err := s.cfg.Hub.Publish(ctx, ev); err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "creditsvc: live event not published", slog.String("type", ev.Type), slog.Any("err", err))
		}
	}
}

// odooErr maps a connector or cmu error to a *server.Error.
func odooErr(err error, what string) error { return odooapp.Error(err, what) }
