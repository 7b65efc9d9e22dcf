package cmu

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cmu-mx/cmu/odoo"
)

// OpportunityType is a lead's CMu type (x_cmu_opportunity_type); it decides
// the document checklist.
type OpportunityType string

// Opportunity types.
const (
	TypeContado          OpportunityType = "contado"
	TypeFinancieroAGS    OpportunityType = "financiero_ags"
	TypeFinancieroEdomex OpportunityType = "financiero_edomex"
)

// Valid reports whether t is a known type.
func (t OpportunityType) Valid() bool {
	return t == TypeContado || t == TypeFinancieroAGS || t == TypeFinancieroEdomex
}

// Billing sub-states of a won lead (x_cmu_facturacion_sub_estado).
const (
	SubStateFacturaDirecta         = "factura_directa"
	SubStateOrdenServicioPendiente = "orden_servicio_pendiente_factura"
)

// DocumentStatus is the status of one required document of a lead.
type DocumentStatus string

// Document statuses.
const (
	DocPendiente      DocumentStatus = "pendiente"
	DocRecibido       DocumentStatus = "recibido"
	DocEnRevision     DocumentStatus = "en_revision"
	DocRevisionManual DocumentStatus = "revision_manual"
	DocAprobado       DocumentStatus = "aprobado"
	DocRechazado      DocumentStatus = "rechazado"
)

// Valid reports whether d is a known status.
func (d DocumentStatus) Valid() bool {
	switch d {
	case DocPendiente, DocRecibido, DocEnRevision, DocRevisionManual, DocAprobado, DocRechazado:
		return true
	}
	return false
}

// RequirementSpec is one document of a checklist to seed.
type RequirementSpec struct {
	Code     string // stable key, e.g. "ine"
	Name     string
	Required bool
}

// ChecklistSpec is a checklist to seed for one opportunity type.
type ChecklistSpec struct {
	Type         OpportunityType
	Name         string
	Requirements []RequirementSpec
}

// DefaultChecklists returns CMu's document checklists per opportunity type
// (a fresh value on each call).
func DefaultChecklists() []ChecklistSpec {
	common := []RequirementSpec{
		{Code: "ine", Name: "INE vigente (frente y reverso)", Required: true},
		{Code: "comprobante_domicilio", Name: "Comprobante de domicilio (no mayor a 3 meses)", Required: true},
		{Code: "curp", Name: "CURP", Required: true},
		{Code: "rfc", Name: "Constancia de situación fiscal (RFC)", Required: false},
	}
	financed := append(slices.Clone(common),
		RequirementSpec{Code: "concesion", Name: "Título de concesión de transporte público", Required: true},
		RequirementSpec{Code: "tarjeta_circulacion", Name: "Tarjeta de circulación", Required: true},
		RequirementSpec{Code: "estados_cuenta", Name: "Estados de cuenta (3 meses)", Required: true},
		RequirementSpec{Code: "buro_autorizacion", Name: "Autorización de consulta de buró", Required: true},
	)
	ags := append(slices.Clone(financed),
		RequirementSpec{Code: "gafete_ags", Name: "Gafete de operador (Aguascalientes)", Required: true})
	edomex := append(slices.Clone(financed),
		RequirementSpec{Code: "carta_ecosistema", Name: "Carta de la ruta / ecosistema", Required: true},
		RequirementSpec{Code: "licencia_semov", Name: "Licencia tipo C (Semov)", Required: true})
	return []ChecklistSpec{
		{Type: TypeContado, Name: "Contado", Requirements: common},
		{Type: TypeFinancieroAGS, Name: "Financiero Aguascalientes", Requirements: ags},
		{Type: TypeFinancieroEdomex, Name: "Financiero Estado de México", Requirements: edomex},
	}
}

// Requirement is one document of a checklist.
type Requirement struct {
	ID       int64
	Code     string
	Name     string
	Sequence int64
	Required bool
}

// Checklist is the document checklist of an opportunity type.
type Checklist struct {
	ID           int64
	Type         OpportunityType
	Name         string
	Requirements []Requirement
}

type checklistRow struct {
	ID   int64          `odoo:"id"`
	Name odoo.String    `odoo:"x_name"`
	Type odoo.Selection `odoo:"x_opportunity_type"`
}

type requirementRow struct {
	ID          int64         `odoo:"id"`
	Name        odoo.String   `odoo:"x_name"`
	ChecklistID odoo.Many2One `odoo:"x_checklist_id"`
	Code        odoo.String   `odoo:"x_code"`
	Sequence    int64         `odoo:"x_sequence"`
	Required    bool          `odoo:"x_required"`
}

// SeedChecklists creates the checklists and requirements of specs that do
// not exist yet (by type, then by requirement code); existing ones are left
// untouched. Re-runnable.
func (s *Service) SeedChecklists(ctx context.Context, specs []ChecklistSpec) error {
	var types []string
	for _, sp := range specs {
		if !sp.Type.Valid() {
			return invalid("opportunity type", "unknown type %q", sp.Type)
		}
		types = append(types, string(sp.Type))
	}
	var lists []checklistRow
	if err := s.c.SearchRead(ctx, ModelChecklist, odoo.In("x_opportunity_type", types),
		&odoo.SearchOptions{Fields: []string{"id", "x_name", "x_opportunity_type"}, Order: "id"}, &lists); err != nil {
		return fmt.Errorf("cmu: seed checklists: %w", err)
	}
	byType := map[OpportunityType]int64{}
	for _, l := range lists {
		if byType[OpportunityType(l.Type.Value)] == 0 {
			byType[OpportunityType(l.Type.Value)] = l.ID
		}
	}
	var missing []ChecklistSpec
	var vals []map[string]any
	for _, sp := range specs {
		if byType[sp.Type] == 0 {
			missing = append(missing, sp)
			vals = append(vals, map[string]any{"x_name": sp.Name, "x_opportunity_type": string(sp.Type)})
		}
	}
	if len(vals) > 0 {
		ids, err := s.c.CreateMany(ctx, ModelChecklist, vals, nil)
		if err != nil {
			return fmt.Errorf("cmu: seed checklists: create: %w", err)
		}
		for i, sp := range missing {
			byType[sp.Type] = ids[i]
		}
	}
	listIDs := make([]int64, 0, len(byType))
	for _, id := range byType {
		listIDs = append(listIDs, id)
	}
	var reqs []requirementRow
	if err := s.c.SearchRead(ctx, ModelRequirement, odoo.In("x_checklist_id", listIDs),
		&odoo.SearchOptions{Fields: []string{"id", "x_checklist_id", "x_code"}}, &reqs); err != nil {
		return fmt.Errorf("cmu: seed checklists: read requirements: %w", err)
	}
	have := map[int64]map[string]bool{}
	for _, r := range reqs {
		if have[r.ChecklistID.ID] == nil {
			have[r.ChecklistID.ID] = map[string]bool{}
		}
		have[r.ChecklistID.ID][r.Code.Value] = true
	}
	vals = vals[:0]
	for _, sp := range specs {
		lid := byType[sp.Type]
		for i, rq := range sp.Requirements {
			if !have[lid][rq.Code] {
				vals = append(vals, map[string]any{"x_name": rq.Name, "x_code": rq.Code, "x_checklist_id": lid,
					"x_sequence": (i + 1) * 10, "x_required": rq.Required})
			}
		}
	}
	if len(vals) > 0 {
		if _, err := s.c.CreateMany(ctx, ModelRequirement, vals, nil); err != nil {
			return fmt.Errorf("cmu: seed checklists: create requirements: %w", err)
		}
	}
	return nil
}

// Checklists returns every checklist with its requirements (two calls).
func (s *Service) Checklists(ctx context.Context) ([]Checklist, error) {
	return s.checklists(ctx, nil)
}

func (s *Service) checklists(ctx context.Context, t *OpportunityType) ([]Checklist, error) {
	var dom odoo.Domain
	if t != nil {
		dom = odoo.Eq("x_opportunity_type", string(*t))
	}
	var lists []checklistRow
	if err := s.c.SearchRead(ctx, ModelChecklist, dom,
		&odoo.SearchOptions{Fields: []string{"id", "x_name", "x_opportunity_type"}, Order: "id"}, &lists); err != nil {
		return nil, fmt.Errorf("cmu: read checklists: %w", err)
	}
	ids := make([]int64, len(lists))
	for i, l := range lists {
		ids[i] = l.ID
	}
	var reqs []requirementRow
	if err := s.c.SearchRead(ctx, ModelRequirement, odoo.In("x_checklist_id", ids),
		&odoo.SearchOptions{Fields: []string{"id", "x_name", "x_checklist_id", "x_code", "x_sequence", "x_required"}, Order: "x_sequence, id"}, &reqs); err != nil {
		return nil, fmt.Errorf("cmu: read checklist requirements: %w", err)
	}
	out := make([]Checklist, len(lists))
	for i, l := range lists {
		out[i] = Checklist{ID: l.ID, Type: OpportunityType(l.Type.Value), Name: l.Name.Value, Requirements: []Requirement{}}
		for _, r := range reqs {
			if r.ChecklistID.ID == l.ID {
				out[i].Requirements = append(out[i].Requirements, Requirement{ID: r.ID, Code: r.Code.Value, Name: r.Name.Value, Sequence: r.Sequence, Required: r.Required})
			}
		}
	}
	return out, nil
}

// ChecklistFor returns the checklist of an opportunity type, or an error
// wrapping ErrNotFound when none was seeded.
func (s *Service) ChecklistFor(ctx context.Context, t OpportunityType) (*Checklist, error) {
	if !t.Valid() {
		return nil, invalid("opportunity type", "unknown type %q", t)
	}
	lists, err := s.checklists(ctx, &t)
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return nil, fmt.Errorf("cmu: checklist for %s: %w", t, ErrNotFound)
	}
	return &lists[0], nil
}

// LeadDocument is the status of one required document of a lead.
type LeadDocument struct {
	ID            int64
	LeadID        int64
	ClientID      int64
	RequirementID int64
	Code          string
	Name          string
	Required      bool
	Status        DocumentStatus
	AttachmentID  int64
	ProviderRef   string
	Note          string
	UpdatedAt     time.Time // zero until the status first changes
}

type leadDocumentRow struct {
	ID            int64          `odoo:"id"`
	Name          odoo.String    `odoo:"x_name"`
	LeadID        odoo.Many2One  `odoo:"x_lead_id"`
	PartnerID     odoo.Many2One  `odoo:"x_partner_id"`
	RequirementID odoo.Many2One  `odoo:"x_requirement_id"`
	Code          odoo.String    `odoo:"x_code"`
	Required      bool           `odoo:"x_required"`
	Status        odoo.Selection `odoo:"x_status"`
	AttachmentID  odoo.Many2One  `odoo:"x_attachment_id"`
	ProviderRef   odoo.String    `odoo:"x_provider_ref"`
	Note          odoo.String    `odoo:"x_note"`
	StatusDate    odoo.DateTime  `odoo:"x_status_date"`
}

var leadDocumentFields = []string{"id", "x_name", "x_lead_id", "x_partner_id", "x_requirement_id", "x_code", "x_required",
	"x_status", "x_attachment_id", "x_provider_ref", "x_note", "x_status_date"}

func (d leadDocumentRow) document() LeadDocument {
	out := LeadDocument{ID: d.ID, LeadID: d.LeadID.ID, ClientID: d.PartnerID.ID, RequirementID: d.RequirementID.ID,
		Code: d.Code.Value, Name: d.Name.Value, Required: d.Required, Status: DocumentStatus(d.Status.Value),
		AttachmentID: d.AttachmentID.ID, ProviderRef: d.ProviderRef.Value, Note: d.Note.Value}
	if d.StatusDate.Valid {
		out.UpdatedAt = d.StatusDate.Time
	}
	return out
}

// NewOpportunity is a lead to create for a client.
type NewOpportunity struct {
	ClientID int64
	Name     string // default "<client>: <type>"
	Type     OpportunityType
}

type leadRow struct {
	ID        int64          `odoo:"id"`
	Name      string         `odoo:"name"`
	PartnerID odoo.Many2One  `odoo:"partner_id"`
	Type      odoo.Selection `odoo:"x_cmu_opportunity_type"`
	StageID   odoo.Many2One  `odoo:"stage_id"`
}

var leadFields = []string{"id", "name", "partner_id", "x_cmu_opportunity_type", "stage_id"}

// CreateOpportunity creates a crm.lead (type opportunity) for a client with
// its CMu type and the type's document status records. When the lead was
// created but its documents were not (Odoo failed in between), the error
// comes with the lead id: call SetOpportunityType(ctx, id, type) to finish.
func (s *Service) CreateOpportunity(ctx context.Context, n NewOpportunity) (int64, error) {
	if !n.Type.Valid() {
		return 0, invalid("opportunity type", "unknown type %q", n.Type)
	}
	c, err := s.client(ctx, n.ClientID)
	if err != nil {
		return 0, err
	}
	name := n.Name
	if name == "" {
		name = fmt.Sprintf("%s: %s", c.Name, n.Type)
	}
	id, err := s.c.Create(ctx, odoo.ModelLead, map[string]any{"name": name, "type": "opportunity", "partner_id": c.ID,
		"x_cmu_opportunity_type": string(n.Type), "x_cmu_is_presaved": true}, nil)
	if err != nil {
		return 0, fmt.Errorf("cmu: create opportunity for client %d: %w", c.ID, err)
	}
	if _, err := s.SetOpportunityType(ctx, id, n.Type); err != nil {
		return id, err
	}
	return id, nil
}

func (s *Service) lead(ctx context.Context, id int64) (*leadRow, error) {
	var rows []leadRow
	if err := s.c.Read(ctx, odoo.ModelLead, []int64{id}, &odoo.SearchOptions{Fields: leadFields}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: read lead %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("cmu: lead %d: %w", id, ErrNotFound)
	}
	return &rows[0], nil
}

// SetOpportunityType sets a lead's type and creates the status records
// (pendiente) of the type's checklist that the lead does not have yet; it
// returns the lead's documents. Re-runnable.
func (s *Service) SetOpportunityType(ctx context.Context, leadID int64, t OpportunityType) ([]LeadDocument, error) {
	cl, err := s.ChecklistFor(ctx, t)
	if err != nil {
		return nil, err
	}
	l, err := s.lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	if l.Type.Value != string(t) {
		if err := s.c.Write(ctx, odoo.ModelLead, []int64{leadID}, map[string]any{"x_cmu_opportunity_type": string(t)}, nil); err != nil {
			return nil, fmt.Errorf("cmu: set type of lead %d: %w", leadID, err)
		}
	}
	docs, err := s.LeadDocuments(ctx, leadID)
	if err != nil {
		return nil, err
	}
	var vals []map[string]any
	for _, r := range cl.Requirements {
		if slices.ContainsFunc(docs, func(d LeadDocument) bool { return d.Code == r.Code }) {
			continue
		}
		v := map[string]any{"x_name": r.Name, "x_lead_id": leadID, "x_requirement_id": r.ID, "x_code": r.Code,
			"x_required": r.Required, "x_status": string(DocPendiente)}
		if l.PartnerID.Valid() {
			v["x_partner_id"] = l.PartnerID.ID
		}
		vals = append(vals, v)
	}
	if len(vals) == 0 {
		return docs, nil
	}
	if _, err := s.c.CreateMany(ctx, ModelLeadDocument, vals, nil); err != nil {
		return nil, fmt.Errorf("cmu: create document records of lead %d: %w", leadID, err)
	}
	return s.LeadDocuments(ctx, leadID)
}

// LeadDocuments returns a lead's document status records (one call).
func (s *Service) LeadDocuments(ctx context.Context, leadID int64) ([]LeadDocument, error) {
	var rows []leadDocumentRow
	if err := s.c.SearchRead(ctx, ModelLeadDocument, odoo.Eq("x_lead_id", leadID),
		&odoo.SearchOptions{Fields: leadDocumentFields, Order: "id"}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: documents of lead %d: %w", leadID, err)
	}
	out := make([]LeadDocument, len(rows))
	for i, r := range rows {
		out[i] = r.document()
	}
	return out, nil
}

// DocumentUpdate changes the status of one document of a lead.
type DocumentUpdate struct {
	LeadID      int64
	Code        string // requirement code, e.g. "ine"
	Status      DocumentStatus
	ProviderRef string // e.g. the MetaMap verification id
	Note        string
	// File, when set, is attached to the lead (ir.attachment) and linked;
	// an attachment of the same name already on the lead is reused.
	File *File
	// AttachmentID links an existing attachment instead of File.
	AttachmentID int64
}

// UpdateDocumentStatus records a document's new status with its provider
// reference and attachment. Re-runnable: the attachment is looked up by
// name on the lead before it is created, and an update identical to what
// is recorded (same status and reference) writes nothing.
func (s *Service) UpdateDocumentStatus(ctx context.Context, u DocumentUpdate) (*LeadDocument, error) {
	if !u.Status.Valid() {
		return nil, invalid("status", "unknown document status %q", u.Status)
	}
	var rows []leadDocumentRow
	if err := s.c.SearchRead(ctx, ModelLeadDocument, odoo.And(odoo.Eq("x_lead_id", u.LeadID), odoo.Eq("x_code", u.Code)),
		&odoo.SearchOptions{Fields: leadDocumentFields, Limit: 1}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: document %s of lead %d: %w", u.Code, u.LeadID, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("cmu: document %s of lead %d: %w", u.Code, u.LeadID, ErrNotFound)
	}
	att := u.AttachmentID
	if u.File != nil {
		id, err := s.attach(ctx, odoo.ModelLead, u.LeadID, *u.File)
		if err != nil {
			return nil, fmt.Errorf("cmu: document %s of lead %d: %w", u.Code, u.LeadID, err)
		}
		att = id
	}
	cur := rows[0].document()
	if cur.Status == u.Status && cur.ProviderRef == u.ProviderRef && (u.Note == "" || u.Note == cur.Note) && (att == 0 || att == cur.AttachmentID) {
		return &cur, nil // already recorded: a repeated webhook changes nothing
	}
	now := s.nowUTC()
	v := map[string]any{"x_status": string(u.Status), "x_status_date": odoo.NewDateTime(now)}
	if u.ProviderRef != "" {
		v["x_provider_ref"] = u.ProviderRef
	}
	if u.Note != "" {
		v["x_note"] = u.Note
	}
	if att != 0 {
		v["x_attachment_id"] = att
	}
	if err := s.c.Write(ctx, ModelLeadDocument, []int64{rows[0].ID}, v, nil); err != nil {
		return nil, fmt.Errorf("cmu: update document %s of lead %d: %w", u.Code, u.LeadID, err)
	}
	d := rows[0].document()
	d.Status, d.UpdatedAt = u.Status, now
	if u.ProviderRef != "" {
		d.ProviderRef = u.ProviderRef
	}
	if u.Note != "" {
		d.Note = u.Note
	}
	if att != 0 {
		d.AttachmentID = att
	}
	return &d, nil
}

// MissingDocuments returns what a lead still lacks: the required documents
// of its type's checklist that are not aprobado (those without a status
// record too, as pendiente).
func (s *Service) MissingDocuments(ctx context.Context, leadID int64) ([]LeadDocument, error) {
	l, err := s.lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	t := OpportunityType(l.Type.Value)
	if !t.Valid() {
		return nil, invalid("lead", "lead %d has no CMu opportunity type", leadID)
	}
	cl, err := s.ChecklistFor(ctx, t)
	if err != nil {
		return nil, err
	}
	docs, err := s.LeadDocuments(ctx, leadID)
	if err != nil {
		return nil, err
	}
	out := []LeadDocument{}
	for _, r := range cl.Requirements {
		if !r.Required {
			continue
		}
		i := slices.IndexFunc(docs, func(d LeadDocument) bool { return d.Code == r.Code })
		if i < 0 {
			out = append(out, LeadDocument{LeadID: leadID, ClientID: l.PartnerID.ID, RequirementID: r.ID, Code: r.Code, Name: r.Name, Required: true, Status: DocPendiente})
			continue
		}
		if docs[i].Status != DocAprobado {
			out = append(out, docs[i])
		}
	}
	return out, nil
}

var errNoFileName = errors.New("file name is required")
