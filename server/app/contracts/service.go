package contracts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/amortization"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/internal/odooapp"
	"github.com/cmu-mx/cmu/webhooks"
	"github.com/shopspring/decimal"
)

// History types of the chatter notes this package posts.
const (
	EventSent   = "contrato_enviado"
	EventSigned = "contrato_firmado"
)

// SurchargeFunc returns the GNV surcharge per litre (MXN) collected for a
// client, printed on savings contracts; zero when none is active.
type SurchargeFunc func(ctx context.Context, clientID int64) (decimal.Decimal, error)

// Config holds a Service's dependencies; Odoo and Mifiel are required.
type Config struct {
	// Odoo is the client of the CMu database. Required.
	Odoo *odoo.Client
	// CMU is CMu's service over Odoo; nil means cmu.New(Odoo, nil).
	CMU *cmu.Service
	// Mifiel sends documents and confirms callbacks. Required.
	Mifiel *mifiel.Client
	// CallbackURL is the public URL of POST /api/contracts/webhook/mifiel;
	// CallbackToken, when set, is added to it as ?token= (mifiel.CallbackURL).
	CallbackURL, CallbackToken string
	// CompanySigners sign every contract after the client (CMu's
	// representative).
	CompanySigners []mifiel.Signer
	// Company is CMu's party name on contracts (default "CMu").
	Company string
	// Surcharge gives the surcharge per litre for ahorro contracts; nil makes
	// ahorro contracts answer 422.
	Surcharge SurchargeFunc
	// Hub receives client:updated and eventlog:new; nil publishes nothing.
	Hub *server.Hub
	// Now is the clock (default time.Now): the contract date.
	Now func() time.Time
	// Logger; nil discards.
	Logger *slog.Logger
}

// Service implements server.ContractsService and the Mifiel callback
// processing. Create it with New.
type Service struct {
	cfg      Config
	cmu      *cmu.Service
	callback string
	now      func() time.Time
	log      *slog.Logger
}

var _ server.ContractsService = (*Service)(nil)

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Odoo == nil {
		return nil, errors.New("contracts: Config.Odoo is required")
	}
	if cfg.Mifiel == nil {
		return nil, errors.New("contracts: Config.Mifiel is required")
	}
	s := &Service{cfg: cfg, cmu: cfg.CMU, now: cfg.Now, log: cfg.Logger, callback: cfg.CallbackURL}
	if cfg.CallbackURL != "" && cfg.CallbackToken != "" {
		u, err := mifiel.CallbackURL(cfg.CallbackURL, cfg.CallbackToken)
		if err != nil {
			return nil, fmt.Errorf("contracts: callback URL: %w", err)
		}
		s.callback = u
	}
	if s.cmu == nil {
		s.cmu = cmu.New(cfg.Odoo, nil)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.cfg.Company == "" {
		s.cfg.Company = "CMu"
	}
	return s, nil
}

// Folio returns the contract folio (also Mifiel's external_id) of a client's
// lead and contract type: "CMU-<client>-<lead>-<type>".
func Folio(clientID, leadID int64, t mifiel.ContractType) string {
	return fmt.Sprintf("CMU-%d-%d-%s", clientID, leadID, t)
}

var folioPattern = regexp.MustCompile(`^CMU-([1-9]\d{0,17})-([1-9]\d{0,17})-([a-z_]+)$`)

// ParseFolio reads a folio built by Folio.
func ParseFolio(f string) (clientID, leadID int64, t mifiel.ContractType, ok bool) {
	m := folioPattern.FindStringSubmatch(f)
	if m == nil {
		return 0, 0, "", false
	}
	clientID, err1 := strconv.ParseInt(m[1], 10, 64)
	leadID, err2 := strconv.ParseInt(m[2], 10, 64)
	if err1 != nil || err2 != nil || clientID <= 0 || leadID <= 0 {
		return 0, 0, "", false
	}
	return clientID, leadID, mifiel.ContractType(m[3]), true
}

// Send creates the client's contract at Mifiel (see the package doc).
func (s *Service) Send(ctx context.Context, req server.SendContractRequest) (*server.ContractSent, error) {
	ct := mifiel.ContractType(req.ContractType)
	known := false
	for _, t := range mifiel.ContractTypes() {
		known = known || t == ct
	}
	if !known {
		return nil, server.NewError(server.KindInvalid, "El campo contractType debe ser venta_plazo, ahorro o credito_colectivo")
	}
	agg, err := s.cmu.GetClient(ctx, req.ClientID)
	if err != nil {
		return nil, odooErr(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	leadID, err := s.latestLead(ctx, req.ClientID)
	if err != nil {
		return nil, err
	}
	if leadID == 0 {
		return nil, server.NewError(server.KindUnprocessable, "El cliente no tiene una oportunidad abierta para el contrato")
	}
	if strings.TrimSpace(agg.Contact.Email) == "" {
		return nil, server.NewError(server.KindUnprocessable, "El cliente no tiene correo electrónico para firmar en Mifiel")
	}
	data, err := s.contractData(ctx, agg, leadID, ct)
	if err != nil {
		return nil, err
	}
	folio := data.Folio
	doc, err := s.cfg.Mifiel.FindByExternalID(ctx, folio)
	switch {
	case err == nil:
		// Already sent (a retry): reuse it.
	case errors.Is(err, mifiel.ErrNotFound):
		doc, err = s.cfg.Mifiel.SendContract(ctx, mifiel.SendContractRequest{Data: data, CompanySigners: s.cfg.CompanySigners,
			CallbackURL: s.callback, ExternalID: folio})
		if err != nil {
			return nil, providerErr(err)
		}
	default:
		return nil, providerErr(err)
	}
	entry, err := s.noteOnce(ctx, agg.ID, leadID, EventSent,
		fmt.Sprintf("Contrato %s enviado a firma en Mifiel (folio %s).", ct, folio), "mifiel "+doc.ID)
	if err != nil {
		return nil, err
	}
	if entry != nil {
		s.publish(ctx, agg.ID, server.Market(agg.Market), "contract_sent", entry)
	}
	status := "pendiente_firma"
	if doc.SignedByAll {
		status = "firmado"
	}
	return &server.ContractSent{DocumentID: doc.ID, ClientID: agg.ID, ContractType: string(ct), Status: status}, nil
}

// contractData maps the Odoo client to the contract of type t.
func (s *Service) contractData(ctx context.Context, agg *cmu.ClientAggregate, leadID int64, t mifiel.ContractType) (mifiel.ContractData, error) {
	d := mifiel.ContractData{
		Type: t, Folio: Folio(agg.ID, leadID, t), Date: s.now(), City: city(agg.Market), Company: s.cfg.Company,
		Client: mifiel.ContractClient{Name: agg.Name, RFC: agg.Contact.VAT, Email: agg.Contact.Email, Phone: agg.Contact.Phone,
			Address: strings.TrimSpace(strings.Join(nonEmpty(agg.Contact.Street, agg.Contact.City, agg.Contact.Zip), ", "))},
		Market: string(agg.Market), Plates: agg.Plates,
	}
	switch t {
	case mifiel.VentaPlazo:
		p, err := s.paymentPlan(ctx, agg)
		if err != nil {
			return d, err
		}
		if p == nil {
			return d, server.NewError(server.KindUnprocessable, "El cliente no tiene un plan de pagos (venta a plazo) para el contrato")
		}
		d.Price, d.DownPayment, d.Term = p.total, p.downPayment, p.term
		d.Vehicle, d.Frequency, d.Payment, d.AnnualRate = p.vehicle, p.frequency, p.payment, p.annualRate
	case mifiel.Ahorro:
		for _, pl := range agg.Plans {
			if pl.Kind == cmu.PlanSavings {
				d.SavingsGoal = pl.Target
			}
		}
		if !d.SavingsGoal.IsPositive() {
			return d, server.NewError(server.KindUnprocessable, "El plan de ahorro del cliente no tiene meta de ahorro")
		}
		if s.cfg.Surcharge != nil {
			sur, err := s.cfg.Surcharge(ctx, agg.ID)
			if err != nil {
				return d, server.WrapError(server.KindUnavailable, "No se pudo obtener el sobreprecio de GNV del cliente", err)
			}
			d.SurchargePerLitre = sur
		}
		if !d.SurchargePerLitre.IsPositive() {
			return d, server.NewError(server.KindUnprocessable, "El cliente no tiene un sobreprecio de GNV activo para el contrato de ahorro")
		}
	case mifiel.CreditoColectivo:
		if agg.Group == nil {
			return d, server.NewError(server.KindUnprocessable, "El cliente no pertenece a un grupo de crédito colectivo")
		}
		g, err := s.cmu.Group(ctx, agg.Group.GroupID)
		if err != nil {
			return d, odooErr(err, "el grupo del cliente")
		}
		d.GroupName, d.GroupMembers, d.GroupTarget = g.Name, len(g.Members), g.Target
		p, err := s.paymentPlan(ctx, agg)
		if err != nil {
			return d, err
		}
		if p == nil {
			return d, server.NewError(server.KindUnprocessable, "El cliente no tiene un plan de pagos con el monto de su crédito")
		}
		d.CreditAmount = p.total.Sub(p.downPayment)
	}
	if p := d.Valid(); p != nil {
		var names []string
		for k, v := range p {
			names = append(names, k+" ("+v+")")
		}
		return d, server.NewError(server.KindUnprocessable, "Faltan datos para el contrato: "+strings.Join(names, ", "))
	}
	return d, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func city(m cmu.Market) string {
	if m == cmu.MarketAguascalientes {
		return "Aguascalientes, Aguascalientes"
	}
	return "Toluca, Estado de México"
}

// plan is a payment plan's contract terms.
type plan struct {
	total, downPayment, payment, annualRate decimal.Decimal
	term                                    int
	frequency, vehicle                      string
}

type saleOrderRow struct {
	ID          int64           `odoo:"id"`
	AmountTotal decimal.Decimal `odoo:"amount_total"`
	PlanRef     odoo.String     `odoo:"x_cmu_plan_ref"`
	DownPayment decimal.Decimal `odoo:"x_cmu_down_payment"`
	Term        int64           `odoo:"x_cmu_term"`
	PackageID   odoo.Many2One   `odoo:"x_cmu_package_id"`
	State       odoo.Selection  `odoo:"state"`
}

var frequencyLabel = map[amortization.Frequency]string{amortization.Weekly: "semanal", amortization.Catorcenal: "catorcenal",
	amortization.Quincenal: "quincenal", amortization.Monthly: "mensual"}

// paymentPlan returns the client's latest payment plan with its instalment,
// nil when there is none.
func (s *Service) paymentPlan(ctx context.Context, agg *cmu.ClientAggregate) (*plan, error) {
	var rows []saleOrderRow
	if err := s.cfg.Odoo.SearchRead(ctx, odoo.ModelSaleOrder, odoo.And(odoo.Eq("partner_id", agg.ID), odoo.NotEq("x_cmu_plan_ref", false),
		odoo.NotEq("state", "cancel")), &odoo.SearchOptions{Order: "id desc", Limit: 1}, &rows); err != nil {
		return nil, odooErr(err, "el plan de pagos del cliente")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	so := rows[0]
	p := &plan{total: so.AmountTotal.Round(2), downPayment: so.DownPayment.Round(2), term: int(so.Term)}
	if !so.PackageID.Valid() || p.term <= 0 {
		return nil, server.NewError(server.KindUnprocessable, "El plan de pagos del cliente no tiene paquete o plazo")
	}
	pkg, err := s.cmu.Package(ctx, so.PackageID.ID)
	if err != nil {
		return nil, odooErr(err, "el paquete del plan de pagos")
	}
	p.vehicle, p.frequency = pkg.Name, frequencyLabel[pkg.Frequency]
	p.annualRate = pkg.AnnualRate.Mul(decimal.NewFromInt(100))
	principal := p.total.Sub(p.downPayment)
	if !principal.IsPositive() {
		return nil, server.NewError(server.KindUnprocessable, "El enganche del plan de pagos cubre el precio: no hay monto a financiar")
	}
	sch, err := amortization.New(amortization.Inputs{Principal: principal, AnnualRate: pkg.AnnualRate, Periods: p.term,
		Frequency: pkg.Frequency, Method: pkg.Method, IVARate: pkg.IVARate, Commission: pkg.Commission, Start: s.now()})
	if err != nil {
		return nil, server.WrapError(server.KindUnprocessable, "No se pudo calcular la tabla de amortización del plan: "+err.Error(), err)
	}
	p.payment = sch.Payment
	return p, nil
}

// latestLead returns the client's most recent opportunity id (0 when none).
func (s *Service) latestLead(ctx context.Context, clientID int64) (int64, error) {
	id, err := odooapp.LatestLead(ctx, s.cfg.Odoo, clientID)
	if err != nil {
		return 0, odooErr(err, "las oportunidades del cliente")
	}
	return id, nil
}

// ProcessCallback is the webhooks.HandlerFunc of the "mifiel" provider (see
// the package doc). It is idempotent.
func (s *Service) ProcessCallback(ctx context.Context, d webhooks.Delivery) error {
	ev, err := mifiel.ParseCallback(d.Body, d.Header.Get("Content-Type"))
	if err != nil {
		return webhooks.Permanent(fmt.Errorf("contracts: mifiel callback %s: %w", d.EventID, err))
	}
	conf, err := s.cfg.Mifiel.Confirm(ctx, ev)
	if err != nil {
		if ae, ok := errors.AsType[*mifiel.APIError](err); ok && ae.Status == 404 {
			return webhooks.Permanent(fmt.Errorf("contracts: confirm document %s: %w", ev.DocumentID, err))
		}
		return fmt.Errorf("contracts: confirm document %s: %w", ev.DocumentID, err)
	}
	if !conf.SignedByAll {
		return nil
	}
	ext := conf.ExternalID
	if ext == "" && conf.Document != nil {
		ext = conf.Document.ExternalID
	}
	if ext == "" {
		ext = ev.ExternalID
	}
	clientID, leadID, ct, ok := ParseFolio(ext)
	if !ok {
		return webhooks.Permanent(fmt.Errorf("contracts: document %s: external_id %q is not a CMu folio", conf.DocumentID, ext))
	}
	changed := false
	entry, err := s.noteOnce(ctx, clientID, leadID, EventSigned,
		fmt.Sprintf("Contrato %s firmado por todos en Mifiel (folio %s); etapa Promesa Firmada.", ct, ext), "mifiel "+conf.DocumentID)
	if err != nil {
		return err
	}
	changed = entry != nil
	moved, err := s.moveToPromesa(ctx, leadID)
	if err != nil {
		return err
	}
	changed = changed || moved
	if changed {
		var m server.Market
		if c, err := s.cmu.ClientInfo(ctx, clientID); err == nil {
			m = server.Market(c.Market)
		}
		s.publish(ctx, clientID, m, "contract_signed", entry)
	}
	return nil
}

// moveToPromesa moves the lead to "Promesa Firmada" unless it is there; it
// reports whether it wrote.
func (s *Service) moveToPromesa(ctx context.Context, leadID int64) (bool, error) {
	stage, err := s.cmu.Stage(ctx, cmu.StagePromesaFirmada)
	if err != nil {
		return false, fmt.Errorf("contracts: stage %s: %w", cmu.StagePromesaFirmada, err)
	}
	var rows []struct {
		ID      int64         `odoo:"id"`
		StageID odoo.Many2One `odoo:"stage_id"`
	}
	if err := s.cfg.Odoo.Read(ctx, odoo.ModelLead, []int64{leadID}, &odoo.SearchOptions{Fields: []string{"id", "stage_id"}}, &rows); err != nil {
		return false, fmt.Errorf("contracts: read lead %d: %w", leadID, err)
	}
	if len(rows) == 0 {
		return false, webhooks.Permanent(fmt.Errorf("contracts: lead %d: %w", leadID, odoo.ErrNotFound))
	}
	if rows[0].StageID.ID == stage {
		return false, nil
	}
	if err := s.cmu.SetLeadStage(ctx, leadID, cmu.StagePromesaFirmada); err != nil {
		return false, fmt.Errorf("contracts: move lead %d: %w", leadID, err)
	}
	return true, nil
}

// noteOnce posts an internal note (cmu history format, subject
// "cmu:<typ>") on the client and on the lead, each unless a note of that
// type holding key is already there. It returns the log entry when a note was
// posted, nil otherwise.
func (s *Service) noteOnce(ctx context.Context, clientID, leadID int64, typ, msg, key string) (*server.EventLogEntry, error) {
	n := odooapp.Note{Type: typ, Author: "CMu", Message: msg, Key: key}
	var entry *server.EventLogEntry
	for _, rec := range []struct {
		model string
		id    int64
	}{{odoo.ModelPartner, clientID}, {odoo.ModelLead, leadID}} {
		msgID, posted, err := odooapp.PostNoteOnce(ctx, s.cfg.Odoo, rec.model, rec.id, n)
		if err != nil {
			return nil, odooErr(err, "el historial del cliente")
		}
		if posted && entry == nil {
			entry = &server.EventLogEntry{ID: msgID, ClientID: clientID, LeadID: leadID, Type: typ, Message: n.Text(),
				Author: "CMu", CreatedAt: s.now().UTC()}
		}
	}
	return entry, nil
}

func (s *Service) publish(ctx context.Context, clientID int64, m server.Market, reason string, entry *server.EventLogEntry) {
	if s.cfg.Hub == nil {
		return
	}
	evs := []server.Event{{Type: server.EventClientUpdated, ClientID: clientID, Market: m,
		Data: map[string]any{"clientId": clientID, "reason": reason}}}
	if entry != nil {
		evs = append(evs, server.Event{Type: server.EventLogNew, ClientID: clientID, Market: m, Data: entry})
	}
	for _, ev := range evs {
		if err := s.cfg.Hub.Publish(ctx, ev); err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "contracts: live event not published", slog.String("type", ev.Type), slog.Any("err", err))
		}
	}
}

// providerErr maps a Mifiel failure to a *server.Error.
func providerErr(err error) error {
	if ve, ok := errors.AsType[*mifiel.ValidationError](err); ok {
		var names []string
		for k := range ve.Fields {
			names = append(names, k)
		}
		return server.WrapError(server.KindUnprocessable, "Faltan datos para enviar el contrato: "+strings.Join(names, ", "), err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return server.WrapError(server.KindTimeout, "Tiempo de espera agotado con Mifiel", err)
	}
	if ae, ok := errors.AsType[*mifiel.APIError](err); ok {
		if ae.Retryable() {
			return server.WrapError(server.KindUnavailable, "Mifiel no disponible; intente más tarde", err)
		}
		return server.WrapError(server.KindBadGateway, fmt.Sprintf("Mifiel rechazó el contrato (HTTP %d): %s", ae.Status, ae.Message), err)
	}
	return server.WrapError(server.KindUnavailable, "Mifiel no disponible; intente más tarde", err)
}

// odooErr maps a connector or cmu error to a *server.Error.
func odooErr(err error, what string) error { return odooapp.Error(err, what) }
