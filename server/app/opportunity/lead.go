package opportunity

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
)

// leadRow is the crm.lead as this package reads it.
type leadRow struct {
	ID               int64          `odoo:"id"`
	Name             string         `odoo:"name"`
	PartnerID        odoo.Many2One  `odoo:"partner_id"`
	StageID          odoo.Many2One  `odoo:"stage_id"`
	SubState         odoo.Selection `odoo:"x_cmu_facturacion_sub_estado"`
	IsPresaved       bool           `odoo:"x_cmu_is_presaved"`
	LastNameFather   odoo.String    `odoo:"x_cmu_last_name_father"`
	LastNameMother   odoo.String    `odoo:"x_cmu_last_name_mother"`
	CustomerDocType  odoo.String    `odoo:"x_cmu_customer_document_type"`
	CustomerDocument odoo.String    `odoo:"x_cmu_customer_document"`
	PatientName      odoo.String    `odoo:"x_cmu_patient_name"`
	PatientPaternal  odoo.String    `odoo:"x_cmu_patient_paternal_last_name"`
	PatientMaternal  odoo.String    `odoo:"x_cmu_patient_maternal_last_name"`
	PatientDocument  odoo.String    `odoo:"x_cmu_patient_document"`
	PatientDocType   odoo.String    `odoo:"x_cmu_patient_document_type"`
	ClinicHistory    odoo.String    `odoo:"x_cmu_clinic_history"`
	Appointment      odoo.String    `odoo:"x_cmu_appointment"`
	DateReservation  odoo.Date      `odoo:"x_cmu_date_reservation"`
	Doctor           odoo.String    `odoo:"x_cmu_doctor"`
	Environment      odoo.String    `odoo:"x_cmu_environment"`
	Specialty        odoo.String    `odoo:"x_cmu_specialty"`
	Tariff           odoo.String    `odoo:"x_cmu_tariff"`
	ReservationID    odoo.String    `odoo:"x_cmu_reservation_id"`
	CreateDate       odoo.DateTime  `odoo:"create_date"`
	WriteDate        odoo.DateTime  `odoo:"write_date"`
}

var leadFieldNames = []string{"id", "name", "partner_id", "stage_id", "x_cmu_facturacion_sub_estado", "x_cmu_is_presaved",
	"x_cmu_last_name_father", "x_cmu_last_name_mother", "x_cmu_customer_document_type", "x_cmu_customer_document",
	"x_cmu_patient_name", "x_cmu_patient_paternal_last_name", "x_cmu_patient_maternal_last_name",
	"x_cmu_patient_document", "x_cmu_patient_document_type", "x_cmu_clinic_history", "x_cmu_appointment",
	"x_cmu_date_reservation", "x_cmu_doctor", "x_cmu_environment", "x_cmu_specialty", "x_cmu_tariff",
	"x_cmu_reservation_id", "create_date", "write_date"}

// readLead reads one lead; a missing lead is a 404 *server.Error.
func (s *Service) readLead(ctx context.Context, id int64) (*leadRow, error) {
	var rows []leadRow
	if err := s.c.Read(ctx, odoo.ModelLead, []int64{id}, &odoo.SearchOptions{Fields: leadFieldNames}, &rows); err != nil {
		return nil, odooErr(err, fmt.Sprintf("la oportunidad %d", id))
	}
	if len(rows) == 0 {
		return nil, server.NewError(server.KindNotFound, fmt.Sprintf("No existe la oportunidad %d", id))
	}
	return &rows[0], nil
}

// standardLeadFields are the standard crm.lead fields an update may set
// through extra top-level keys.
var standardLeadFields = map[string]bool{"name": true, "description": true, "email_from": true, "phone": true,
	"contact_name": true, "priority": true}

// fieldValues maps the request's fields to crm.lead values, as sent: a blank
// text clears the field (false), an absent or null one is left alone.
func (s *Service) fieldValues(ctx context.Context, r *server.OpportunityProcessRequest) (map[string]any, error) {
	names := cmu.OpportunityFields()
	vals := map[string]any{}
	set := func(pwa string, t *server.Text) {
		if t == nil {
			return
		}
		v := strings.TrimSpace(string(*t))
		if v == "" {
			vals[names[pwa]] = false
			return
		}
		vals[names[pwa]] = v
	}
	for pwa, t := range map[string]*server.Text{
		"cLastNameFather": r.CLastNameFather, "cLastNameMother": r.CLastNameMother,
		"cCustomerDocumentType": r.CCustomerDocumentType, "cCustomerDocument": r.CCustomerDocument,
		"cPatientsname": r.CPatientsname, "cPatientsPaternalLastName": r.CPatientsPaternalLastName,
		"cPatientsMaternalLastName": r.CPatientsMaternalLastName, "cPatientDocument": r.CPatientDocument,
		"cPatientDocumentType": r.CPatientDocumentType, "cClinicHistory": r.CClinicHistory,
		"cAppointment": r.CAppointment, "cDateReservation": r.CDateReservation, "cDoctor": r.CDoctor,
		"cEnvironment": r.CEnvironment, "cSpecialty": r.CSpecialty, "cTariff": r.CTariff, "reservationId": r.ReservationID,
	} {
		set(pwa, t)
	}
	if len(r.Other) == 0 {
		return vals, nil
	}
	var fields map[string]odoo.Field
	for _, k := range slices.Sorted(maps.Keys(r.Other)) {
		field, ok := names[k]
		if !ok {
			if !strings.HasPrefix(k, "x_cmu_") && !standardLeadFields[k] {
				return nil, server.NewError(server.KindInvalid, fmt.Sprintf("El campo %s no se puede actualizar en la oportunidad", k))
			}
			if fields == nil {
				var err error
				if fields, err = s.c.ModelFields(ctx, odoo.ModelLead); err != nil {
					return nil, odooErr(err, "los campos de la oportunidad")
				}
			}
			if _, ok := fields[k]; !ok {
				return nil, server.NewError(server.KindInvalid, fmt.Sprintf("El campo %s no existe en la oportunidad", k))
			}
			field = k
		}
		v, err := scalar(r.Other[k])
		if err != nil {
			return nil, server.NewError(server.KindInvalid, fmt.Sprintf("El campo %s debe ser texto, número, booleano o null", k))
		}
		vals[field] = v
	}
	return vals, nil
}

// scalar decodes a JSON scalar as Odoo expects it: null → false, integers as
// int64, other numbers as float64 (the only float path: these are free
// fields, not money), strings and booleans as they are.
func scalar(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case nil:
		return false, nil
	case bool, string:
		return x, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		return x.Float64()
	}
	return nil, fmt.Errorf("not a scalar")
}

// opportunity reads the lead and its service orders into the response.
func (s *Service) opportunity(ctx context.Context, id int64) (*server.Opportunity, error) {
	l, err := s.readLead(ctx, id)
	if err != nil {
		return nil, err
	}
	o := &server.Opportunity{
		ID:                    l.ID,
		Name:                  l.Name,
		Stage:                 l.StageID.Name,
		CFacturacionSubEstado: l.SubState.Value,
		IsPresaved:            l.IsPresaved,
		CClinicHistory:        l.ClinicHistory.Value,
		ReservationID:         l.ReservationID.Value,
		CreatedAt:             dt(l.CreateDate),
		UpdatedAt:             dt(l.WriteDate),
		Fields:                map[string]any{},
	}
	for pwa, v := range map[string]odoo.String{
		"cLastNameFather": l.LastNameFather, "cLastNameMother": l.LastNameMother,
		"cCustomerDocumentType": l.CustomerDocType, "cCustomerDocument": l.CustomerDocument,
		"cPatientsname": l.PatientName, "cPatientsPaternalLastName": l.PatientPaternal,
		"cPatientsMaternalLastName": l.PatientMaternal, "cPatientDocument": l.PatientDocument,
		"cPatientDocumentType": l.PatientDocType, "cClinicHistory": l.ClinicHistory, "cAppointment": l.Appointment,
		"cDoctor": l.Doctor, "cEnvironment": l.Environment, "cSpecialty": l.Specialty, "cTariff": l.Tariff,
		"reservationId": l.ReservationID,
	} {
		if v.Valid {
			o.Fields[pwa] = v.Value
		}
	}
	if l.DateReservation.Valid {
		o.Fields["cDateReservation"] = l.DateReservation.Time.Format(time.DateOnly)
	}
	if l.PartnerID.Valid() {
		o.Fields["clientId"] = l.PartnerID.ID
	}
	var atts []odoo.Attachment
	if err := s.c.SearchRead(ctx, odoo.ModelAttachment, odoo.And(odoo.Eq("res_model", odoo.ModelLead), odoo.Eq("res_id", id),
		odoo.Cond("name", odoo.OpEqLike, attachmentPrefix+"%")), &odoo.SearchOptions{Fields: []string{"id", "name"}, Order: "id"}, &atts); err != nil {
		return nil, odooErr(err, "los comprobantes de la oportunidad")
	}
	for _, a := range atts {
		o.AttachmentIDs = append(o.AttachmentIDs, a.ID)
	}
	rows, err := s.orders(ctx, id)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		o.ServiceOrders = append(o.ServiceOrders, server.ServiceOrderInfo{ServiceOrderID: r.ServiceOrderID, Facturado: r.Facturado,
			InvoiceResultHeadID: r.InvoiceResultHeadID, URLSoles: r.URLSoles, URLDolares: r.URLDolares,
			LastCheckedAt: server.DateTime(r.LastCheckedAt.UTC())})
	}
	return o, nil
}

func dt(d odoo.DateTime) server.DateTime {
	if !d.Valid {
		return server.DateTime{}
	}
	return server.DateTime(d.Time.UTC())
}

func orderList(os []server.ServiceOrderRef) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = strconv.FormatInt(o.ID, 10)
	}
	return strings.Join(parts, ", ")
}
