package opportunity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // America/Mexico_City without a system zoneinfo

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/providers/sv"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
)

// DefaultLocation is the time zone of the PWA's appointment times.
const DefaultLocation = "America/Mexico_City"

// DefaultPollEvery is the period of the invoice polling cron job.
const DefaultPollEvery = 5 * time.Minute

// DefaultPollBatch is the most service orders one PollPending run checks.
const DefaultPollBatch = 200

// JobName is the name of the polling job registered by RegisterJobs.
const JobName = "opportunity-invoice-poll"

// Config holds a Service's dependencies. Odoo and DB are required; a nil
// Mifact makes closings and polling answer 503; a nil SV skips the clinic
// history update; a nil Hub publishes nothing.
type Config struct {
	// Odoo is the client of the CMu database (crm.lead, calendar.event,
	// ir.attachment, mail.message). Required.
	Odoo *odoo.Client
	// CMU resolves CMu's stages; nil means cmu.New(Odoo, nil).
	CMU *cmu.Service
	// Mifact is invoice-mifact-v3: invoice status and PDF downloads.
	Mifact *mifact.Client
	// SV is the clinic system; nil skips the clinic history update.
	SV *sv.Client
	// DB holds opportunity_service_order (migrated). Required.
	DB *server.DB
	// Hub receives client:updated and eventlog:new; nil publishes nothing.
	Hub *server.Hub
	// Location is the time zone of cDateReservation/cAppointment
	// (default America/Mexico_City).
	Location *time.Location
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives polling failures and unpublished events; nil discards.
	Logger *slog.Logger
	// PollBatch bounds the orders one PollPending run checks (default 200).
	PollBatch int
}

// Service implements server.OpportunityService. Create it with New.
type Service struct {
	c      *odoo.Client
	cmu    *cmu.Service
	mifact *mifact.Client
	sv     *sv.Client
	db     *server.DB
	hub    *server.Hub
	loc    *time.Location
	now    func() time.Time
	log    *slog.Logger
	batch  int

	mu    sync.Mutex
	locks map[int64]*leadLock

	fieldsOnce sync.Mutex
	leadFields map[string]odoo.Field
}

type leadLock struct {
	mu   sync.Mutex
	refs int
}

var _ server.OpportunityService = (*Service)(nil)

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Odoo == nil {
		return nil, errors.New("opportunity: Config.Odoo is required")
	}
	if cfg.DB == nil || cfg.DB.SQL == nil {
		return nil, errors.New("opportunity: Config.DB is required")
	}
	s := &Service{c: cfg.Odoo, cmu: cfg.CMU, mifact: cfg.Mifact, sv: cfg.SV, db: cfg.DB, hub: cfg.Hub,
		loc: cfg.Location, now: cfg.Now, log: cfg.Logger, batch: cfg.PollBatch, locks: map[int64]*leadLock{}}
	if s.cmu == nil {
		s.cmu = cmu.New(cfg.Odoo, nil)
	}
	if s.loc == nil {
		loc, err := time.LoadLocation(DefaultLocation)
		if err != nil {
			return nil, fmt.Errorf("opportunity: load %s: %w", DefaultLocation, err)
		}
		s.loc = loc
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.batch <= 0 {
		s.batch = DefaultPollBatch
	}
	return s, nil
}

// RegisterJobs adds the invoice polling job (PollPending every five minutes)
// to the cron leader, so that only one instance runs it at a time.
func (s *Service) RegisterJobs(l *server.Leader) {
	l.Add(server.Job{Name: JobName, Every: DefaultPollEvery, Timeout: 4 * time.Minute, Run: s.PollPending})
}

// lockLead serialises the updates of one lead within this process (the
// endpoint and the cron job may touch the same lead).
func (s *Service) lockLead(id int64) func() {
	s.mu.Lock()
	l := s.locks[id]
	if l == nil {
		l = &leadLock{}
		s.locks[id] = l
	}
	l.refs++
	s.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		s.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(s.locks, id)
		}
		s.mu.Unlock()
	}
}

// UpdateOpportunityProcess applies u to its lead (see the package doc) and
// returns the updated lead. Errors are *server.Error values: 404 for a missing
// lead, 403 for an advisor who may not act on its client, 400 for a field
// that cannot be written, 422 for an invoice PDF refused by the checks, 503
// when Odoo or a provider is unavailable.
func (s *Service) UpdateOpportunityProcess(ctx context.Context, advisorID string, u *server.OpportunityUpdate) (*server.Opportunity, error) {
	if u == nil || u.LeadID <= 0 || u.Request == nil {
		return nil, server.NewError(server.KindInvalid, "Solicitud de oportunidad vacía")
	}
	unlock := s.lockLead(u.LeadID)
	defer unlock()

	lead, err := s.readLead(ctx, u.LeadID)
	if err != nil {
		return nil, err
	}
	market, err := s.authorize(ctx, lead)
	if err != nil {
		return nil, err
	}
	vals, err := s.fieldValues(ctx, u.Request)
	if err != nil {
		return nil, err
	}
	if u.Closing != server.ClosingNone && s.mifact == nil {
		return nil, server.NewError(server.KindUnavailable, "Servicio no disponible: facturación (invoice-mifact-v3) no configurada")
	}
	// Downloads first: a refused PDF leaves nothing half-written.
	var invoices []invoicePDF
	if u.Closing == server.ClosingDirectInvoice {
		if invoices, err = s.downloadInvoices(ctx, "", u.InvoiceSoles, u.InvoiceDolares); err != nil {
			return nil, err
		}
	}
	author := authorName(ctx, advisorID)
	var changed []string
	var entries []*server.EventLogEntry

	switch u.Closing {
	case server.ClosingDirectInvoice:
		stage, err := s.cmu.Stage(ctx, cmu.StageCierreGanado)
		if err != nil {
			return nil, odooErr(err, "la etapa Cierre ganado")
		}
		vals["stage_id"] = stage
		vals["x_cmu_facturacion_sub_estado"] = cmu.SubStateFacturaDirecta
		vals["x_cmu_is_presaved"] = false
	case server.ClosingServiceOrders:
		stage, err := s.cmu.Stage(ctx, cmu.StageCierreGanado)
		if err != nil {
			return nil, odooErr(err, "la etapa Cierre ganado")
		}
		vals["stage_id"] = stage
		if !s.hasInvoicedOrder(ctx, u.LeadID) {
			vals["x_cmu_facturacion_sub_estado"] = cmu.SubStateOrdenServicioPendiente
		}
	}
	// Service-order rows before the lead write: a retry finds them.
	if u.Closing == server.ClosingServiceOrders {
		if err := s.upsertOrders(ctx, u.LeadID, u.ServiceOrders); err != nil {
			return nil, err
		}
	}
	// PDFs before the lead write: the sub-state says factura_directa only
	// once its invoices are on the lead.
	for _, p := range invoices {
		if _, err := s.attach(ctx, u.LeadID, p); err != nil {
			return nil, err
		}
	}
	if len(vals) > 0 {
		if err := s.c.Write(ctx, odoo.ModelLead, []int64{u.LeadID}, vals, nil); err != nil {
			return nil, odooErr(err, "la oportunidad "+strconv.FormatInt(u.LeadID, 10))
		}
		changed = append(changed, "fields")
	}
	var meetingID int64
	if a := u.Appointment; a != nil && a.HasMeeting() {
		id, entry, err := s.scheduleMeeting(ctx, lead, a, author)
		if err != nil {
			return nil, err
		}
		meetingID = id
		if entry != nil {
			entries = append(entries, entry)
		}
		changed = append(changed, "meeting")
	}
	if u.Closing == server.ClosingDirectInvoice {
		entry, err := s.closingNote(ctx, lead, author, fmt.Sprintf("Cierre ganado con factura directa (%d comprobante(s) adjunto(s)).", len(invoices)),
			"cierre_factura_directa", invoiceKey(invoices))
		if err != nil {
			return nil, err
		}
		if entry != nil {
			entries = append(entries, entry)
		}
	}
	if u.Closing == server.ClosingServiceOrders {
		entry, err := s.closingNote(ctx, lead, author, fmt.Sprintf("Cierre ganado con órdenes de servicio %s pendientes de factura.", orderList(u.ServiceOrders)),
			"cierre_orden_servicio", "os "+orderList(u.ServiceOrders))
		if err != nil {
			return nil, err
		}
		if entry != nil {
			entries = append(entries, entry)
		}
	}
	// Poll this lead's pending orders on every call.
	if s.mifact != nil {
		n, err := s.pollLead(ctx, u.LeadID)
		if err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "opportunity: invoice poll failed", slog.Int64("lead", u.LeadID), slog.Any("err", err))
		}
		if n > 0 {
			changed = append(changed, "invoiced")
		}
	}
	if u.Closing != server.ClosingNone {
		if err := s.updateClinicHistory(ctx, u.LeadID, u.InvoiceSoles, u.InvoiceDolares, nil); err != nil {
			return nil, err
		}
	}
	out, err := s.opportunity(ctx, u.LeadID)
	if err != nil {
		return nil, err
	}
	out.MeetingID = meetingID
	if len(changed) > 0 {
		s.published(ctx, lead.PartnerID.ID, market, "opportunity_updated", entries)
	}
	return out, nil
}

// authorize checks the advisor in ctx (when any) may act on the lead's
// client, and returns the client's market ("" when unknown).
func (s *Service) authorize(ctx context.Context, lead *leadRow) (server.Market, error) {
	if !lead.PartnerID.Valid() {
		if a, ok := server.AdvisorFrom(ctx); ok && !a.Admin && len(a.Clients) > 0 {
			return "", server.NewError(server.KindForbidden, "No puede actuar sobre esta oportunidad")
		}
		return "", nil
	}
	var m server.Market
	if c, err := s.cmu.ClientInfo(ctx, lead.PartnerID.ID); err == nil {
		m = server.Market(c.Market)
	} else if !errors.Is(err, cmu.ErrNotFound) {
		return "", odooErr(err, "el cliente de la oportunidad")
	}
	if a, ok := server.AdvisorFrom(ctx); ok && !a.MayActOn(lead.PartnerID.ID, m) {
		return m, server.NewError(server.KindForbidden, "No puede actuar sobre el cliente de esta oportunidad")
	}
	return m, nil
}

// authorName is the advisor's name (or id) shown in chatter notes.
func authorName(ctx context.Context, advisorID string) string {
	if a, ok := server.AdvisorFrom(ctx); ok && a.Name != "" {
		return a.Name
	}
	if advisorID != "" {
		return advisorID
	}
	return "CMu"
}

// published emits client:updated and one eventlog:new per note.
func (s *Service) published(ctx context.Context, clientID int64, market server.Market, reason string, entries []*server.EventLogEntry) {
	if s.hub == nil {
		return
	}
	pub := func(ev server.Event) {
		if err := s.hub.Publish(ctx, ev); err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "opportunity: live event not published", slog.String("type", ev.Type), slog.Any("err", err))
		}
	}
	if clientID != 0 {
		pub(server.Event{Type: server.EventClientUpdated, ClientID: clientID, Market: market,
			Data: map[string]any{"clientId": clientID, "reason": reason}})
	}
	for _, e := range entries {
		pub(server.Event{Type: server.EventLogNew, ClientID: clientID, Market: market, Data: e})
	}
}

// odooErr maps a connector or cmu error to a *server.Error.
func odooErr(err error, what string) error { return odooapp.Error(err, what) }
