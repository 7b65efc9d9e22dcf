package cmu

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
)

// Custom model names (ir.model).
const (
	ModelChecklist    = "x_cmu_doc_checklist"
	ModelRequirement  = "x_cmu_doc_requirement"
	ModelLeadDocument = "x_cmu_lead_document"
	ModelGroup        = "x_cmu_credit_group"
	ModelGroupMember  = "x_cmu_credit_group_member"
	ModelPackage      = "x_cmu_product_package"
	ModelComponent    = "x_cmu_package_component"
)

// Analytic plans, stages and journals Ensure provisions.
const (
	// RootPlanName is the root analytic plan; the CMu plans are its
	// children, so their complete names read "CMu / Ahorro" and so on.
	RootPlanName = "CMu"
	// StagePromesaFirmada is the stage a lead reaches when its contract is signed.
	StagePromesaFirmada = "Promesa Firmada"
	// StageAprobado is the stage of an approved credit.
	StageAprobado = "Aprobado"
	// StageRechazado is the stage of a rejected credit.
	StageRechazado = "Rechazado"
	// StageCierreGanado is the won closing stage (is_won).
	StageCierreGanado = "Cierre ganado"
	// JournalConekta is the code of the Conekta journal.
	JournalConekta = "CNK"
	// JournalSPEI is the code of the SPEI bank journal.
	JournalSPEI = "SPEI"
)

// SelectionOption is one value of a selection field.
type SelectionOption struct {
	Value string
	Label string
}

// FieldSpec describes one custom field (ir.model.fields).
type FieldSpec struct {
	Name      string // x_… (x_cmu_… on standard models)
	Label     string
	Type      string // Odoo ttype: char, text, boolean, integer, float, date, datetime, selection, many2one…
	Relation  string // for many2one
	Selection []SelectionOption
	Index     bool
}

// ModelSpec describes the custom fields CMu adds to one model; Custom is
// true when the model itself is CMu's (created through ir.model).
type ModelSpec struct {
	Model       string
	Description string
	Custom      bool
	Fields      []FieldSpec
}

// PlanSpec is an analytic plan under RootPlanName.
type PlanSpec struct {
	Kind PlanKind
	Name string // "Ahorro" → complete name "CMu / Ahorro"
}

// StageSpec is a CRM stage.
type StageSpec struct {
	Name     string
	Sequence int
	Won      bool
}

// JournalSpec is an account.journal.
type JournalSpec struct {
	Code string
	Name string
	Type string // "bank"
}

// Schema is everything CMu provisions in Odoo.
type Schema struct {
	Models   []ModelSpec
	Plans    []PlanSpec
	Stages   []StageSpec
	Journals []JournalSpec
	// AccessGroup is the external id ("module.name") of the res.groups
	// whose users get read, write, create and delete rights on CMu's
	// custom models through ir.model.access rows (DefaultAccessGroup
	// unless Options.AccessGroup says otherwise).
	AccessGroup string
}

// DefaultAccessGroup is the group Ensure grants CMu's custom models to:
// internal users. Odoo creates no access rule for a model created through
// ir.model, so without one only the superuser — not the admin, not an API
// user — may use it (an odoo.exceptions.AccessError otherwise). Every
// internal user is in base.group_user (group_system implies it), so this
// covers the admin and a dedicated, non-administrator API user alike;
// portal and public users stay out.
const DefaultAccessGroup = "base.group_user"

// accessGroupNames are the English names of well-known groups, the
// fallback when ir.model.data cannot be read.
var accessGroupNames = map[string]string{
	"base.group_user":   "Internal User",
	"base.group_system": "Settings",
}

func sel(pairs ...string) []SelectionOption {
	out := make([]SelectionOption, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, SelectionOption{Value: pairs[i], Label: pairs[i+1]})
	}
	return out
}

func marketSelection() []SelectionOption {
	return sel(string(MarketEdomex), "Estado de México", string(MarketAguascalientes), "Aguascalientes")
}

func documentStatusSelection() []SelectionOption {
	return sel(string(DocPendiente), "Pendiente", string(DocRecibido), "Recibido", string(DocEnRevision), "En revisión",
		string(DocRevisionManual), "Revisión manual", string(DocAprobado), "Aprobado", string(DocRechazado), "Rechazado")
}

func opportunityTypeSelection() []SelectionOption {
	return sel(string(TypeContado), "Contado", string(TypeFinancieroAGS), "Financiero Aguascalientes",
		string(TypeFinancieroEdomex), "Financiero Estado de México")
}

// DefaultSchema returns CMu's schema (a fresh value on each call).
func DefaultSchema() Schema {
	char := func(name, label string) FieldSpec { return FieldSpec{Name: name, Label: label, Type: "char"} }
	return Schema{
		Models: []ModelSpec{
			{Model: odoo.ModelPartner, Fields: []FieldSpec{
				{Name: "x_cmu_market", Label: "Mercado CMu", Type: "selection", Selection: marketSelection(), Index: true},
				{Name: "x_cmu_plates", Label: "Placas", Type: "char", Index: true},
				{Name: "x_cmu_ecosystem_id", Label: "Ecosistema", Type: "many2one", Relation: odoo.ModelPartner, Index: true},
				{Name: "x_cmu_is_ecosystem", Label: "Es ecosistema", Type: "boolean"},
				{Name: "x_cmu_credit_status", Label: "Estatus de crédito", Type: "selection", Selection: sel(
					string(CreditPendiente), "Pendiente", string(CreditEnAnalisis), "En análisis",
					string(CreditAprobado), "Aprobado", string(CreditRechazado), "Rechazado")},
				{Name: "x_cmu_kyc_status", Label: "Estatus KYC", Type: "selection", Selection: sel(
					string(KYCPendiente), "Pendiente", string(KYCEnRevision), "En revisión",
					string(KYCRevisionManual), "Revisión manual", string(KYCAprobado), "Aprobado", string(KYCRechazado), "Rechazado")},
			}},
			{Model: odoo.ModelLead, Fields: []FieldSpec{
				{Name: "x_cmu_opportunity_type", Label: "Tipo de oportunidad", Type: "selection", Selection: opportunityTypeSelection(), Index: true},
				{Name: "x_cmu_facturacion_sub_estado", Label: "Subestado de facturación", Type: "selection", Selection: sel(
					SubStateFacturaDirecta, "Factura directa", SubStateOrdenServicioPendiente, "Orden de servicio pendiente de factura")},
				{Name: "x_cmu_is_presaved", Label: "Pre-guardada", Type: "boolean"},
				char("x_cmu_last_name_father", "Apellido paterno"),
				char("x_cmu_last_name_mother", "Apellido materno"),
				char("x_cmu_customer_document_type", "Tipo de documento del cliente"),
				char("x_cmu_customer_document", "Documento del cliente"),
				char("x_cmu_patient_name", "Nombre del paciente"),
				char("x_cmu_patient_paternal_last_name", "Apellido paterno del paciente"),
				char("x_cmu_patient_maternal_last_name", "Apellido materno del paciente"),
				char("x_cmu_patient_document", "Documento del paciente"),
				char("x_cmu_patient_document_type", "Tipo de documento del paciente"),
				char("x_cmu_clinic_history", "Historia clínica"),
				char("x_cmu_appointment", "Horario de la cita"),
				{Name: "x_cmu_date_reservation", Label: "Fecha de la cita", Type: "date"},
				char("x_cmu_doctor", "Médico"),
				char("x_cmu_environment", "Consultorio"),
				char("x_cmu_specialty", "Especialidad"),
				char("x_cmu_tariff", "Tarifa"),
				{Name: "x_cmu_reservation_id", Label: "Reserva", Type: "char", Index: true},
			}},
			{Model: odoo.ModelAnalyticAccount, Fields: []FieldSpec{
				{Name: "x_cmu_target", Label: "Meta de ahorro", Type: "float"},
			}},
			{Model: odoo.ModelAnalyticLine, Fields: []FieldSpec{
				{Name: "x_cmu_transaction_id", Label: "Transacción externa", Type: "char", Index: true},
				{Name: "x_cmu_source", Label: "Origen", Type: "selection", Selection: sel(
					string(SourceGNV), "GNV (sobreprecio)", string(SourceConekta), "Conekta", string(SourceSPEI), "SPEI", string(SourceOther), "Otro")},
			}},
			{Model: odoo.ModelPayment, Fields: []FieldSpec{
				{Name: "x_cmu_provider_ref", Label: "Referencia del proveedor", Type: "char", Index: true},
			}},
			{Model: ModelPackage, Description: "CMu paquete de producto", Custom: true, Fields: []FieldSpec{
				char("x_code", "Código"),
				{Name: "x_market", Label: "Mercado", Type: "selection", Selection: marketSelection()},
				{Name: "x_annual_rate", Label: "Tasa anual", Type: "float"},
				char("x_terms", "Plazos permitidos"),
				{Name: "x_frequency", Label: "Frecuencia", Type: "selection", Selection: sel(
					"weekly", "Semanal", "catorcenal", "Catorcenal", "quincenal", "Quincenal", "monthly", "Mensual")},
				{Name: "x_method", Label: "Método", Type: "selection", Selection: sel("french", "Francés", "german", "Alemán", "flat", "Saldos globales")},
				{Name: "x_min_down_payment", Label: "Enganche mínimo", Type: "float"},
				{Name: "x_iva_rate", Label: "IVA", Type: "float"},
				{Name: "x_commission", Label: "Comisión por apertura", Type: "float"},
				{Name: "x_active", Label: "Activo", Type: "boolean"},
			}},
			{Model: ModelComponent, Description: "CMu componente de paquete", Custom: true, Fields: []FieldSpec{
				{Name: "x_package_id", Label: "Paquete", Type: "many2one", Relation: ModelPackage, Index: true},
				char("x_code", "Código"),
				char("x_product_ref", "Referencia de producto"),
				{Name: "x_product_id", Label: "Producto", Type: "many2one", Relation: "product.product"},
				{Name: "x_price", Label: "Precio", Type: "float"},
				{Name: "x_required", Label: "Obligatorio", Type: "boolean"},
				{Name: "x_sequence", Label: "Secuencia", Type: "integer"},
			}},
			{Model: odoo.ModelSaleOrder, Fields: []FieldSpec{
				{Name: "x_cmu_plan_ref", Label: "Referencia del plan CMu", Type: "char", Index: true},
				{Name: "x_cmu_analytic_account_id", Label: "Cuenta del plan", Type: "many2one", Relation: odoo.ModelAnalyticAccount},
				{Name: "x_cmu_package_id", Label: "Paquete", Type: "many2one", Relation: ModelPackage},
				{Name: "x_cmu_down_payment", Label: "Enganche", Type: "float"},
				{Name: "x_cmu_term", Label: "Plazo (pagos)", Type: "integer"},
			}},
			{Model: ModelChecklist, Description: "CMu lista de documentos", Custom: true, Fields: []FieldSpec{
				{Name: "x_opportunity_type", Label: "Tipo de oportunidad", Type: "selection", Selection: opportunityTypeSelection()},
			}},
			{Model: ModelRequirement, Description: "CMu documento requerido", Custom: true, Fields: []FieldSpec{
				{Name: "x_checklist_id", Label: "Lista", Type: "many2one", Relation: ModelChecklist, Index: true},
				char("x_code", "Código"),
				{Name: "x_sequence", Label: "Secuencia", Type: "integer"},
				{Name: "x_required", Label: "Obligatorio", Type: "boolean"},
			}},
			{Model: ModelLeadDocument, Description: "CMu estatus de documento", Custom: true, Fields: []FieldSpec{
				{Name: "x_lead_id", Label: "Oportunidad", Type: "many2one", Relation: odoo.ModelLead, Index: true},
				{Name: "x_partner_id", Label: "Cliente", Type: "many2one", Relation: odoo.ModelPartner, Index: true},
				{Name: "x_requirement_id", Label: "Requisito", Type: "many2one", Relation: ModelRequirement},
				char("x_code", "Código"),
				{Name: "x_required", Label: "Obligatorio", Type: "boolean"},
				{Name: "x_status", Label: "Estatus", Type: "selection", Selection: documentStatusSelection()},
				{Name: "x_attachment_id", Label: "Archivo", Type: "many2one", Relation: odoo.ModelAttachment},
				char("x_provider_ref", "Referencia del proveedor"),
				{Name: "x_note", Label: "Nota", Type: "text"},
				{Name: "x_status_date", Label: "Fecha de estatus", Type: "datetime"},
			}},
			{Model: ModelGroup, Description: "CMu grupo de crédito colectivo", Custom: true, Fields: []FieldSpec{
				char("x_code", "Código"),
				{Name: "x_market", Label: "Mercado", Type: "selection", Selection: marketSelection()},
				{Name: "x_phase", Label: "Fase", Type: "selection", Selection: sel(string(PhaseSaving), "Ahorro", string(PhasePayment), "Pago")},
				{Name: "x_target", Label: "Meta de ahorro", Type: "float"},
				{Name: "x_account_id", Label: "Cuenta maestra", Type: "many2one", Relation: odoo.ModelAnalyticAccount},
				{Name: "x_ecosystem_id", Label: "Ecosistema", Type: "many2one", Relation: odoo.ModelPartner},
				{Name: "x_phase_date", Label: "Fecha de cambio de fase", Type: "datetime"},
			}},
			{Model: ModelGroupMember, Description: "CMu integrante de grupo", Custom: true, Fields: []FieldSpec{
				{Name: "x_group_id", Label: "Grupo", Type: "many2one", Relation: ModelGroup, Index: true},
				{Name: "x_partner_id", Label: "Cliente", Type: "many2one", Relation: odoo.ModelPartner, Index: true},
				{Name: "x_status", Label: "Estatus", Type: "selection", Selection: sel(
					string(MemberActive), "Activo", string(MemberDelinquent), "Moroso", string(MemberLeft), "Baja")},
			}},
		},
		Plans: []PlanSpec{
			{Kind: PlanSavings, Name: "Ahorro"},
			{Kind: PlanInstalments, Name: "Venta a plazo"},
			{Kind: PlanCollective, Name: "Crédito colectivo"},
		},
		Stages: []StageSpec{
			{Name: StagePromesaFirmada, Sequence: 40},
			{Name: StageAprobado, Sequence: 50},
			{Name: StageRechazado, Sequence: 60},
			{Name: StageCierreGanado, Sequence: 80, Won: true},
		},
		Journals: []JournalSpec{
			{Code: JournalConekta, Name: "Conekta", Type: "bank"},
			{Code: JournalSPEI, Name: "SPEI", Type: "bank"},
		},
		AccessGroup: DefaultAccessGroup,
	}
}

// ChangeKind is what a Change creates or modifies.
type ChangeKind string

// Kinds of change.
const (
	ChangeModel     ChangeKind = "model"     // create an ir.model
	ChangeAccess    ChangeKind = "access"    // grant a custom model to the access group (ir.model.access)
	ChangeField     ChangeKind = "field"     // create an ir.model.fields
	ChangeSelection ChangeKind = "selection" // add an ir.model.fields.selection value
	ChangePlan      ChangeKind = "plan"      // create an account.analytic.plan
	ChangeStage     ChangeKind = "stage"     // create a crm.stage (or mark it won)
	ChangeJournal   ChangeKind = "journal"   // create an account.journal
)

// Change is one thing Ensure creates (or created).
type Change struct {
	Kind   ChangeKind
	Model  string // the model concerned (for fields and selections)
	Name   string // model, field, selection value, plan, stage or journal code
	Detail string // type, relation, label…
}

// String describes the change on one line, e.g. "create field res.partner.x_cmu_market (selection)".
func (c Change) String() string {
	switch c.Kind {
	case ChangeField:
		return fmt.Sprintf("create field %s.%s (%s)", c.Model, c.Name, c.Detail)
	case ChangeSelection:
		return fmt.Sprintf("add selection value %q to %s", c.Name, c.Model)
	case ChangeModel:
		return fmt.Sprintf("create model %s (%s)", c.Name, c.Detail)
	case ChangeAccess:
		return fmt.Sprintf("grant %s to %s (ir.model.access %s)", c.Model, c.Detail, c.Name)
	}
	if c.Detail != "" {
		return fmt.Sprintf("create %s %q (%s)", c.Kind, c.Name, c.Detail)
	}
	return fmt.Sprintf("create %s %q", c.Kind, c.Name)
}

// schemaState is what Odoo already has.
type schemaState struct {
	models    map[string]int64              // model → ir.model id
	fields    map[string]map[string]irField // model → field name → field
	selection map[int64]map[string]bool     // ir.model.fields id → values
	plans     map[string]odoo.AnalyticPlan  // plan name → plan (root and children)
	stages    map[string]odoo.Stage         // stage name → stage
	journals  map[string]odoo.Journal       // code → journal
	rootPlan  int64
	group     int64                 // the access group's res.groups id
	access    map[string][]irAccess // custom model → its rows for the group
}

type irAccess struct {
	ID      int64         `odoo:"id"`
	Name    string        `odoo:"name"`
	ModelID odoo.Many2One `odoo:"model_id"`
	Read    bool          `odoo:"perm_read"`
	Write   bool          `odoo:"perm_write"`
	Create  bool          `odoo:"perm_create"`
	Unlink  bool          `odoo:"perm_unlink"`
}

func (a irAccess) full() bool { return a.Read && a.Write && a.Create && a.Unlink }

type irModelData struct {
	ResID int64 `odoo:"res_id"`
}

// accessName is the name of the ir.model.access row Ensure creates, e.g.
// access_x_cmu_doc_checklist_user for base.group_user.
func accessName(model, group string) string {
	_, name, _ := strings.Cut(group, ".")
	return "access_" + strings.ReplaceAll(model, ".", "_") + "_" + strings.TrimPrefix(name, "group_")
}

type irField struct {
	ID       int64  `odoo:"id"`
	Name     string `odoo:"name"`
	Model    string `odoo:"model"`
	TType    string `odoo:"ttype"`
	Relation string `odoo:"relation"`
}

type irModel struct {
	ID    int64  `odoo:"id"`
	Model string `odoo:"model"`
}

type irSelection struct {
	ID      int64         `odoo:"id"`
	FieldID odoo.Many2One `odoo:"field_id"`
	Value   string        `odoo:"value"`
}

// pendingChange is a Change with what applying it needs.
type pendingChange struct {
	Change
	field FieldSpec
	fid   int64 // existing field for ChangeSelection
	opt   SelectionOption
	stage StageSpec
	plan  PlanSpec
	jrnl  JournalSpec
	exist int64 // existing stage to mark won, or access row to complete
}

func (s *Service) readSchema(ctx context.Context, sc Schema) (*schemaState, error) {
	st := &schemaState{models: map[string]int64{}, fields: map[string]map[string]irField{},
		selection: map[int64]map[string]bool{}, plans: map[string]odoo.AnalyticPlan{},
		stages: map[string]odoo.Stage{}, journals: map[string]odoo.Journal{}, access: map[string][]irAccess{}}
	var modelNames, fieldNames []string
	for _, m := range sc.Models {
		modelNames = append(modelNames, m.Model)
		for _, f := range m.Fields {
			if !slices.Contains(fieldNames, f.Name) {
				fieldNames = append(fieldNames, f.Name)
			}
		}
	}
	var models []irModel
	if err := s.c.SearchRead(ctx, odoo.ModelIrModel, odoo.In("model", modelNames), &odoo.SearchOptions{Fields: []string{"id", "model"}}, &models); err != nil {
		return nil, fmt.Errorf("cmu: read schema models: %w", err)
	}
	for _, m := range models {
		st.models[m.Model] = m.ID
	}
	if err := s.readAccess(ctx, sc, st); err != nil {
		return nil, err
	}
	var fields []irField
	if err := s.c.SearchRead(ctx, odoo.ModelIrModelFields, odoo.And(odoo.In("model", modelNames), odoo.In("name", fieldNames)),
		&odoo.SearchOptions{Fields: []string{"id", "name", "model", "ttype", "relation"}}, &fields); err != nil {
		return nil, fmt.Errorf("cmu: read schema fields: %w", err)
	}
	var selIDs []int64
	for _, f := range fields {
		if st.fields[f.Model] == nil {
			st.fields[f.Model] = map[string]irField{}
		}
		st.fields[f.Model][f.Name] = f
		if f.TType == "selection" {
			selIDs = append(selIDs, f.ID)
		}
	}
	if len(selIDs) > 0 {
		var sels []irSelection
		if err := s.c.SearchRead(ctx, "ir.model.fields.selection", odoo.In("field_id", selIDs),
			&odoo.SearchOptions{Fields: []string{"id", "field_id", "value"}}, &sels); err != nil {
			return nil, fmt.Errorf("cmu: read schema selections: %w", err)
		}
		for _, v := range sels {
			if st.selection[v.FieldID.ID] == nil {
				st.selection[v.FieldID.ID] = map[string]bool{}
			}
			st.selection[v.FieldID.ID][v.Value] = true
		}
	}
	planNames := []string{RootPlanName}
	for _, p := range sc.Plans {
		planNames = append(planNames, p.Name)
	}
	var plans []odoo.AnalyticPlan
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticPlan, odoo.In("name", planNames),
		&odoo.SearchOptions{Fields: []string{"id", "name", "parent_id"}, Order: "id"}, &plans); err != nil {
		return nil, fmt.Errorf("cmu: read analytic plans: %w", err)
	}
	for _, p := range plans {
		if p.Name == RootPlanName && !p.ParentID.Valid() && st.rootPlan == 0 {
			st.rootPlan = p.ID
		}
	}
	for _, p := range plans {
		if p.Name == RootPlanName && p.ID == st.rootPlan {
			st.plans[p.Name] = p
		} else if st.rootPlan != 0 && p.ParentID.ID == st.rootPlan {
			st.plans[p.Name] = p
		}
	}
	var stageNames []string
	for _, x := range sc.Stages {
		stageNames = append(stageNames, x.Name)
	}
	var stages []odoo.Stage
	if err := s.c.SearchRead(ctx, odoo.ModelStage, odoo.In("name", stageNames),
		&odoo.SearchOptions{Fields: []string{"id", "name", "is_won"}, Order: "id"}, &stages); err != nil {
		return nil, fmt.Errorf("cmu: read CRM stages: %w", err)
	}
	for _, x := range stages {
		if _, ok := st.stages[x.Name]; !ok {
			st.stages[x.Name] = x
		}
	}
	var codes []string
	for _, j := range sc.Journals {
		codes = append(codes, j.Code)
	}
	var journals []odoo.Journal
	if err := s.c.SearchRead(ctx, odoo.ModelJournal, odoo.In("code", codes),
		&odoo.SearchOptions{Fields: []string{"id", "name", "code", "type"}, Order: "id"}, &journals); err != nil {
		return nil, fmt.Errorf("cmu: read journals: %w", err)
	}
	for _, j := range journals {
		if _, ok := st.journals[j.Code]; !ok {
			st.journals[j.Code] = j
		}
	}
	return st, nil
}

// readAccess resolves the access group and reads the ir.model.access rows
// granting it CMu's existing custom models (two or three search_read
// calls; none when the schema has no custom model).
func (s *Service) readAccess(ctx context.Context, sc Schema, st *schemaState) error {
	var customIDs []int64
	custom := false
	for _, m := range sc.Models {
		if m.Custom {
			custom = true
			if id, ok := st.models[m.Model]; ok {
				customIDs = append(customIDs, id)
			}
		}
	}
	if !custom {
		return nil
	}
	gid, err := s.resolveGroup(ctx, sc.AccessGroup)
	if err != nil {
		return err
	}
	st.group = gid
	if len(customIDs) == 0 {
		return nil
	}
	var rows []irAccess
	if err := s.c.SearchRead(ctx, "ir.model.access", odoo.And(odoo.In("model_id", customIDs), odoo.Eq("group_id", gid)),
		&odoo.SearchOptions{Fields: []string{"id", "name", "model_id", "perm_read", "perm_write", "perm_create", "perm_unlink"}, Order: "id"}, &rows); err != nil {
		return fmt.Errorf("cmu: read access rights of the custom models: %w", err)
	}
	byID := map[int64]string{}
	for name, id := range st.models {
		byID[id] = name
	}
	for _, r := range rows {
		if name, ok := byID[r.ModelID.ID]; ok {
			st.access[name] = append(st.access[name], r)
		}
	}
	return nil
}

// resolveGroup finds a group by external id through ir.model.data (module,
// name → res_id), falling back to res.groups by English name for the
// well-known groups when the external id is not found.
func (s *Service) resolveGroup(ctx context.Context, xmlid string) (int64, error) {
	module, name, ok := strings.Cut(xmlid, ".")
	if !ok || module == "" || name == "" {
		return 0, &InvalidError{Field: "AccessGroup", Reason: fmt.Sprintf("%q is not an external id (module.name)", xmlid)}
	}
	var data []irModelData
	if err := s.c.SearchRead(ctx, "ir.model.data", odoo.And(odoo.Eq("module", module), odoo.Eq("name", name), odoo.Eq("model", "res.groups")),
		&odoo.SearchOptions{Fields: []string{"res_id"}, Limit: 1}, &data); err != nil {
		return 0, fmt.Errorf("cmu: look up group %s: %w", xmlid, err)
	}
	if len(data) == 1 && data[0].ResID != 0 {
		return data[0].ResID, nil
	}
	if en, ok := accessGroupNames[xmlid]; ok {
		var groups []struct {
			ID int64 `odoo:"id"`
		}
		// Group names are translated: search the English one.
		if err := s.c.SearchRead(ctx, "res.groups", odoo.Eq("name", en),
			&odoo.SearchOptions{Fields: []string{"id"}, Order: "id", Limit: 1, Context: &odoo.Context{Lang: "en_US"}}, &groups); err != nil {
			return 0, fmt.Errorf("cmu: look up group %q: %w", en, err)
		}
		if len(groups) == 1 {
			return groups[0].ID, nil
		}
	}
	return 0, fmt.Errorf("cmu: access group %s not found in Odoo: %w", xmlid, ErrNotProvisioned)
}

// diff lists what is missing, or the conflicts found.
func diffSchema(sc Schema, st *schemaState) ([]pendingChange, error) {
	var out []pendingChange
	var conflicts []error
	for _, m := range sc.Models {
		if _, ok := st.models[m.Model]; !ok {
			if !m.Custom {
				return nil, fmt.Errorf("cmu: model %s is not installed in Odoo: %w", m.Model, ErrNotProvisioned)
			}
			out = append(out, pendingChange{Change: Change{Kind: ChangeModel, Model: m.Model, Name: m.Model, Detail: m.Description}})
		}
		if m.Custom {
			if c, ok := accessChange(sc, st, m.Model); ok {
				out = append(out, c)
			}
		}
		for _, f := range m.Fields {
			have, ok := st.fields[m.Model][f.Name]
			if !ok {
				detail := f.Type
				if f.Relation != "" {
					detail += " → " + f.Relation
				}
				out = append(out, pendingChange{Change: Change{Kind: ChangeField, Model: m.Model, Name: f.Name, Detail: detail}, field: f})
				continue
			}
			if have.TType != f.Type || (f.Relation != "" && have.Relation != f.Relation) {
				want, got := f.Type, have.TType
				if f.Relation != "" {
					want += "(" + f.Relation + ")"
					got += "(" + have.Relation + ")"
				}
				conflicts = append(conflicts, &SchemaConflictError{Model: m.Model, Field: f.Name, Want: want, Got: got})
				continue
			}
			for _, o := range f.Selection {
				if !st.selection[have.ID][o.Value] {
					out = append(out, pendingChange{Change: Change{Kind: ChangeSelection, Model: m.Model + "." + f.Name, Name: o.Value, Detail: o.Label},
						fid: have.ID, opt: o})
				}
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, errors.Join(conflicts...)
	}
	if _, ok := st.plans[RootPlanName]; !ok {
		out = append(out, pendingChange{Change: Change{Kind: ChangePlan, Name: RootPlanName, Detail: "root"}})
	}
	for _, p := range sc.Plans {
		if _, ok := st.plans[p.Name]; !ok {
			out = append(out, pendingChange{Change: Change{Kind: ChangePlan, Name: p.Name, Detail: RootPlanName + " / " + p.Name}, plan: p})
		}
	}
	for _, x := range sc.Stages {
		have, ok := st.stages[x.Name]
		switch {
		case !ok:
			d := ""
			if x.Won {
				d = "won"
			}
			out = append(out, pendingChange{Change: Change{Kind: ChangeStage, Name: x.Name, Detail: d}, stage: x})
		case x.Won && !have.IsWon:
			out = append(out, pendingChange{Change: Change{Kind: ChangeStage, Name: x.Name, Detail: "mark won"}, stage: x, exist: have.ID})
		}
	}
	for _, j := range sc.Journals {
		if _, ok := st.journals[j.Code]; !ok {
			out = append(out, pendingChange{Change: Change{Kind: ChangeJournal, Name: j.Code, Detail: j.Name}, jrnl: j})
		}
	}
	// List the changes in the order Ensure applies them.
	slices.SortStableFunc(out, func(a, b pendingChange) int {
		return slices.Index(changeOrder, a.Kind) - slices.Index(changeOrder, b.Kind)
	})
	return out, nil
}

// accessChange is the access row a custom model still needs: none when a
// row grants the group every right; the completion of Ensure's own row
// when it lacks some; a new row otherwise.
func accessChange(sc Schema, st *schemaState, model string) (pendingChange, bool) {
	name := accessName(model, sc.AccessGroup)
	var own int64
	for _, r := range st.access[model] {
		if r.full() {
			return pendingChange{}, false
		}
		if r.Name == name && own == 0 {
			own = r.ID
		}
	}
	return pendingChange{Change: Change{Kind: ChangeAccess, Model: model, Name: name, Detail: sc.AccessGroup}, exist: own}, true
}

// changeOrder is the order in which Ensure applies the kinds of change:
// access rights right after the models, before anything uses them.
var changeOrder = []ChangeKind{ChangeModel, ChangeAccess, ChangeField, ChangeSelection, ChangePlan, ChangeStage, ChangeJournal}

func publicChanges(p []pendingChange) []Change {
	out := make([]Change, len(p))
	for i, c := range p {
		out[i] = c.Change
	}
	return out
}

// schema is DefaultSchema with the service's options applied.
func (s *Service) schema() Schema {
	sc := DefaultSchema()
	if s.accessGroup != "" {
		sc.AccessGroup = s.accessGroup
	}
	return sc
}

// Plan is Ensure's dry run: it reads Odoo (nine search_read calls at
// most) and lists what Ensure would create, without writing anything. A
// field that exists with another type is a *SchemaConflictError (several
// are joined).
func (s *Service) Plan(ctx context.Context) ([]Change, error) {
	sc := s.schema()
	st, err := s.readSchema(ctx, sc)
	if err != nil {
		return nil, err
	}
	p, err := diffSchema(sc, st)
	if err != nil {
		return nil, err
	}
	return publicChanges(p), nil
}

// Ensure creates what CMu needs in Odoo and is missing — custom models,
// their access rights (ir.model.access rows granting Schema.AccessGroup,
// internal users by default, read, write, create and delete: Odoo gives a
// model created through ir.model no access rule, so without them only
// the superuser could use it), fields and selection values, the analytic
// plans, CRM stages and journals — through the API only, and returns what
// it created. Creating access rows needs an administrator (group_system).
// On an Odoo that has
// everything it only reads (no create, no write). It changes nothing when a
// field exists with another type (*SchemaConflictError). It is re-runnable:
// after a failure half-way, running it again creates only what is still
// missing.
func (s *Service) Ensure(ctx context.Context) ([]Change, error) {
	sc := s.schema()
	st, err := s.readSchema(ctx, sc)
	if err != nil {
		return nil, err
	}
	pending, err := diffSchema(sc, st)
	if err != nil {
		return nil, err
	}
	if len(pending) == 0 {
		return nil, nil
	}
	defer s.forget() // ids and columns change: resolve them again
	var done []Change
	apply := func(kind ChangeKind, fn func([]pendingChange) error) error {
		var batch []pendingChange
		for _, p := range pending {
			if p.Kind == kind {
				batch = append(batch, p)
			}
		}
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return err
		}
		done = append(done, publicChanges(batch)...)
		return nil
	}
	steps := []struct {
		kind ChangeKind
		fn   func([]pendingChange) error
	}{
		{ChangeModel, func(b []pendingChange) error { return s.createModels(ctx, b, st) }},
		{ChangeAccess, func(b []pendingChange) error { return s.createAccess(ctx, b, st) }},
		{ChangeField, func(b []pendingChange) error { return s.createFields(ctx, b, st) }},
		{ChangeSelection, func(b []pendingChange) error { return s.createSelections(ctx, b) }},
		{ChangePlan, func(b []pendingChange) error { return s.createPlans(ctx, b, st) }},
		{ChangeStage, func(b []pendingChange) error { return s.createStages(ctx, b) }},
		{ChangeJournal, func(b []pendingChange) error { return s.createJournals(ctx, b) }},
	}
	for _, step := range steps {
		if err := apply(step.kind, step.fn); err != nil {
			return done, err
		}
	}
	s.log.InfoContext(ctx, "cmu: schema provisioned", "changes", len(done))
	return done, nil
}

func (s *Service) createModels(ctx context.Context, b []pendingChange, st *schemaState) error {
	vals := make([]map[string]any, len(b))
	for i, p := range b {
		vals[i] = map[string]any{"model": p.Name, "name": p.Detail}
	}
	ids, err := s.c.CreateMany(ctx, odoo.ModelIrModel, vals, nil)
	if err != nil {
		return fmt.Errorf("cmu: ensure: create models: %w", err)
	}
	for i, p := range b {
		st.models[p.Name] = ids[i]
	}
	return nil
}

func (s *Service) createAccess(ctx context.Context, b []pendingChange, st *schemaState) error {
	var vals []map[string]any
	all := map[string]any{"perm_read": true, "perm_write": true, "perm_create": true, "perm_unlink": true}
	for _, p := range b {
		if p.exist != 0 {
			if err := s.c.Write(ctx, "ir.model.access", []int64{p.exist}, all, nil); err != nil {
				return fmt.Errorf("cmu: ensure: complete access rights %s: %w", p.Name, err)
			}
			continue
		}
		v := map[string]any{"name": p.Name, "model_id": st.models[p.Model], "group_id": st.group}
		for k, x := range all {
			v[k] = x
		}
		vals = append(vals, v)
	}
	if len(vals) > 0 {
		if _, err := s.c.CreateMany(ctx, "ir.model.access", vals, nil); err != nil {
			return fmt.Errorf("cmu: ensure: grant the custom models to %s: %w", b[0].Detail, err)
		}
	}
	return nil
}

func (s *Service) createFields(ctx context.Context, b []pendingChange, st *schemaState) error {
	vals := make([]map[string]any, 0, len(b))
	for _, p := range b {
		f := p.field
		v := map[string]any{"name": f.Name, "model_id": st.models[p.Model], "field_description": f.Label, "ttype": f.Type}
		if f.Relation != "" {
			v["relation"] = f.Relation
			v["on_delete"] = "set null"
		}
		if f.Index {
			v["index"] = true
		}
		if len(f.Selection) > 0 {
			cmds := make([]odoo.Command, len(f.Selection))
			for i, o := range f.Selection {
				cmds[i] = odoo.CreateCommand(map[string]any{"value": o.Value, "name": o.Label, "sequence": i + 1})
			}
			v["selection_ids"] = cmds
		}
		vals = append(vals, v)
	}
	if _, err := s.c.CreateMany(ctx, odoo.ModelIrModelFields, vals, nil); err != nil {
		return fmt.Errorf("cmu: ensure: create fields: %w", err)
	}
	return nil
}

func (s *Service) createSelections(ctx context.Context, b []pendingChange) error {
	vals := make([]map[string]any, len(b))
	for i, p := range b {
		vals[i] = map[string]any{"field_id": p.fid, "value": p.opt.Value, "name": p.opt.Label, "sequence": 100 + i}
	}
	if _, err := s.c.CreateMany(ctx, "ir.model.fields.selection", vals, nil); err != nil {
		return fmt.Errorf("cmu: ensure: add selection values: %w", err)
	}
	return nil
}

func (s *Service) createPlans(ctx context.Context, b []pendingChange, st *schemaState) error {
	root := st.rootPlan
	var children []map[string]any
	for _, p := range b {
		if p.Name == RootPlanName && p.plan.Kind == "" {
			id, err := s.c.Create(ctx, odoo.ModelAnalyticPlan, map[string]any{"name": RootPlanName, "description": "Planes de clientes CMu"}, nil)
			if err != nil {
				return fmt.Errorf("cmu: ensure: create analytic plan %s: %w", RootPlanName, err)
			}
			root = id
			continue
		}
		children = append(children, map[string]any{"name": p.Name, "parent_id": root})
	}
	if len(children) > 0 {
		if _, err := s.c.CreateMany(ctx, odoo.ModelAnalyticPlan, children, nil); err != nil {
			return fmt.Errorf("cmu: ensure: create analytic plans under %s: %w", RootPlanName, err)
		}
	}
	return nil
}

func (s *Service) createStages(ctx context.Context, b []pendingChange) error {
	var vals []map[string]any
	for _, p := range b {
		if p.exist != 0 {
			if err := s.c.Write(ctx, odoo.ModelStage, []int64{p.exist}, map[string]any{"is_won": true}, nil); err != nil {
				return fmt.Errorf("cmu: ensure: mark stage %q won: %w", p.Name, err)
			}
			continue
		}
		vals = append(vals, map[string]any{"name": p.stage.Name, "sequence": p.stage.Sequence, "is_won": p.stage.Won})
	}
	if len(vals) > 0 {
		if _, err := s.c.CreateMany(ctx, odoo.ModelStage, vals, nil); err != nil {
			return fmt.Errorf("cmu: ensure: create CRM stages: %w", err)
		}
	}
	return nil
}

func (s *Service) createJournals(ctx context.Context, b []pendingChange) error {
	vals := make([]map[string]any, len(b))
	for i, p := range b {
		vals[i] = map[string]any{"name": p.jrnl.Name, "code": p.jrnl.Code, "type": p.jrnl.Type}
	}
	if _, err := s.c.CreateMany(ctx, odoo.ModelJournal, vals, nil); err != nil {
		return fmt.Errorf("cmu: ensure: create journals %s: %w", strings.Join(func() []string {
			out := make([]string, len(b))
			for i, p := range b {
				out[i] = p.Name
			}
			return out
		}(), ", "), err)
	}
	return nil
}
