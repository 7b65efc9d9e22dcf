package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Text is a JSON value the PWA may send as a string or as a number (ids,
// tariffs); it keeps the text. A JSON null decodes as a nil *Text.
type Text string

// UnmarshalJSON accepts a JSON string or number.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: textType}
	}
	*t = Text(n.String())
	return nil
}

// filled reports whether the field was sent with a non-blank value.
func filled(t *Text) bool { return t != nil && strings.TrimSpace(string(*t)) != "" }

// OpportunityInvoices are the invoice PDF URLs of a direct-invoice closing.
type OpportunityInvoices struct {
	ComprobanteSoles   *string `json:"comprobante_soles"`
	ComprobanteDolares *string `json:"comprobante_dolares"`
}

// ServiceOrderMetadata describes one service order; unknown keys are kept.
type ServiceOrderMetadata map[string]any

// OpportunityProcessRequest is the body of PUT
// /opportunity/update-opportunity-procces/:id exactly as the PWA sends it. Every
// field is optional; a nil field was not sent. Other holds any additional
// top-level field (the "other" case updates them as sent).
type OpportunityProcessRequest struct {
	// Main (patient and customer) data.
	CLastNameFather           *Text `json:"cLastNameFather,omitempty"`
	CLastNameMother           *Text `json:"cLastNameMother,omitempty"`
	CCustomerDocumentType     *Text `json:"cCustomerDocumentType,omitempty"`
	CCustomerDocument         *Text `json:"cCustomerDocument,omitempty"`
	CPatientsname             *Text `json:"cPatientsname,omitempty"`
	CPatientsPaternalLastName *Text `json:"cPatientsPaternalLastName,omitempty"`
	CPatientsMaternalLastName *Text `json:"cPatientsMaternalLastName,omitempty"`
	CPatientDocument          *Text `json:"cPatientDocument,omitempty"`
	CPatientDocumentType      *Text `json:"cPatientDocumentType,omitempty"`
	CClinicHistory            *Text `json:"cClinicHistory,omitempty"`

	// Appointment data: cAppointment "15:30 - 16:00", cDateReservation "2026-03-02".
	CAppointment     *Text `json:"cAppointment,omitempty"`
	CDateReservation *Text `json:"cDateReservation,omitempty"`
	CDoctor          *Text `json:"cDoctor,omitempty"`
	CEnvironment     *Text `json:"cEnvironment,omitempty"`
	CSpecialty       *Text `json:"cSpecialty,omitempty"`
	CTariff          *Text `json:"cTariff,omitempty"`
	ReservationID    *Text `json:"reservationId,omitempty"`

	// Closing data.
	CFacturas                *OpportunityInvoices            `json:"cFacturas,omitempty"`
	COrdenesServicio         []int64                         `json:"cOrdenesServicio,omitempty"`
	COrdenesServicioMetadata map[string]ServiceOrderMetadata `json:"cOrdenesServicioMetadata,omitempty"`

	// Other top-level fields, updated as sent (scalars only).
	Other map[string]json.RawMessage `json:"-"`
}

var otherFieldPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// UnmarshalJSON decodes the known fields strictly and collects the remaining
// top-level scalar fields in Other.
func (r *OpportunityProcessRequest) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	if all == nil {
		return &json.UnmarshalTypeError{Value: "null", Type: opportunityRequestType}
	}
	known := map[string]json.RawMessage{}
	other := map[string]json.RawMessage{}
	for k, v := range all {
		if opportunityKnownFields[k] {
			known[k] = v
			continue
		}
		if !otherFieldPattern.MatchString(k) {
			return fmt.Errorf("json: unknown field %q", k)
		}
		if t := bytes.TrimSpace(v); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
			return &json.UnmarshalTypeError{Value: "object", Type: textType, Field: k}
		}
		other[k] = v
	}
	kb, err := json.Marshal(known)
	if err != nil {
		return err
	}
	type plain OpportunityProcessRequest
	var p plain
	dec := json.NewDecoder(bytes.NewReader(kb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	*r = OpportunityProcessRequest(p)
	if len(other) > 0 {
		r.Other = other
	}
	return nil
}

// opportunityKnownFields is the constant set of the request's JSON names.
var opportunityKnownFields = map[string]bool{
	"cLastNameFather": true, "cLastNameMother": true, "cCustomerDocumentType": true, "cCustomerDocument": true,
	"cPatientsname": true, "cPatientsPaternalLastName": true, "cPatientsMaternalLastName": true,
	"cPatientDocument": true, "cPatientDocumentType": true, "cClinicHistory": true,
	"cAppointment": true, "cDateReservation": true, "cDoctor": true, "cEnvironment": true, "cSpecialty": true,
	"cTariff": true, "reservationId": true,
	"cFacturas": true, "cOrdenesServicio": true, "cOrdenesServicioMetadata": true,
}

// OpportunityCase is what an update carries.
type OpportunityCase string

const (
	// CaseAppointmentOnly carries appointment data only.
	CaseAppointmentOnly OpportunityCase = "appointment"
	// CaseMainOnly carries main (customer/patient) data only.
	CaseMainOnly OpportunityCase = "main"
	// CaseMainAndAppointment carries both.
	CaseMainAndAppointment OpportunityCase = "main_appointment"
	// CaseOther carries neither: the fields are updated as sent.
	CaseOther OpportunityCase = "other"
)

// Closing is the closing-won variant an update triggers.
type Closing string

const (
	// ClosingNone: the update does not close the opportunity.
	ClosingNone Closing = ""
	// ClosingDirectInvoice: cClinicHistory + at least one invoice URL.
	ClosingDirectInvoice Closing = "factura_directa"
	// ClosingServiceOrders: cClinicHistory + cOrdenesServicio.
	ClosingServiceOrders Closing = "orden_servicio_pendiente_factura"
)

// Billing sub-states (cFacturacionSubEstado) and the closing stage name.
const (
	// SubStateFacturaDirecta: invoiced (direct invoice or polled service orders).
	SubStateFacturaDirecta = "factura_directa"
	// SubStateOrdenServicioPendienteFactura: service orders awaiting their invoice.
	SubStateOrdenServicioPendienteFactura = "orden_servicio_pendiente_factura"
	// StageCierreGanado is the crm.stage of a won closing.
	StageCierreGanado = "Cierre ganado"
)

func (r *OpportunityProcessRequest) mainFields() []*Text {
	return []*Text{r.CLastNameFather, r.CLastNameMother, r.CCustomerDocumentType, r.CCustomerDocument,
		r.CPatientsname, r.CPatientsPaternalLastName, r.CPatientsMaternalLastName, r.CPatientDocument,
		r.CPatientDocumentType, r.CClinicHistory}
}

func (r *OpportunityProcessRequest) appointmentFields() []*Text {
	return []*Text{r.CAppointment, r.CDateReservation, r.CDoctor, r.CEnvironment, r.CSpecialty, r.CTariff, r.ReservationID}
}

// HasMain reports whether any main field was sent non-blank.
func (r *OpportunityProcessRequest) HasMain() bool {
	return slices.ContainsFunc(r.mainFields(), filled)
}

// HasAppointment reports whether any appointment field was sent non-blank.
func (r *OpportunityProcessRequest) HasAppointment() bool {
	return slices.ContainsFunc(r.appointmentFields(), filled)
}

// DetectCase classifies the update: only appointment, only main, main +
// appointment, or other. Blank strings and nulls count as not sent.
func (r *OpportunityProcessRequest) DetectCase() OpportunityCase {
	m, a := r.HasMain(), r.HasAppointment()
	switch {
	case m && a:
		return CaseMainAndAppointment
	case a:
		return CaseAppointmentOnly
	case m:
		return CaseMainOnly
	}
	return CaseOther
}

// InvoiceURLs returns the non-blank invoice URLs (soles, dólares).
func (r *OpportunityProcessRequest) InvoiceURLs() (soles, dolares string) {
	if r.CFacturas == nil {
		return "", ""
	}
	if p := r.CFacturas.ComprobanteSoles; p != nil {
		soles = strings.TrimSpace(*p)
	}
	if p := r.CFacturas.ComprobanteDolares; p != nil {
		dolares = strings.TrimSpace(*p)
	}
	return soles, dolares
}

// DetectClosing returns the closing-won variant: direct invoice when
// cClinicHistory and at least one invoice URL are present (it wins over
// service orders, since the invoice already exists), service orders when
// cClinicHistory and cOrdenesServicio are present, else none.
func (r *OpportunityProcessRequest) DetectClosing() Closing {
	if !filled(r.CClinicHistory) {
		return ClosingNone
	}
	if s, d := r.InvoiceURLs(); s != "" || d != "" {
		return ClosingDirectInvoice
	}
	if len(r.COrdenesServicio) > 0 {
		return ClosingServiceOrders
	}
	return ClosingNone
}

// Appointment is the parsed meeting of an appointment update.
type Appointment struct {
	ReservationID string
	// Date is cDateReservation (YYYY-MM-DD); Start and End are "HH:MM" from
	// cAppointment. All are empty when not sent; a meeting needs all three.
	Date, Start, End                       string
	Doctor, Environment, Specialty, Tariff string
}

// HasMeeting reports whether a calendar.event can be created.
func (a *Appointment) HasMeeting() bool { return a.Date != "" && a.Start != "" && a.End != "" }

// ServiceOrderRef is one service order of a closing with its metadata.
type ServiceOrderRef struct {
	ID       int64
	Metadata ServiceOrderMetadata
}

// OpportunityUpdate is the validated, classified update handed to the
// OpportunityService.
type OpportunityUpdate struct {
	LeadID  int64
	Case    OpportunityCase
	Closing Closing
	// Appointment is set for the appointment cases.
	Appointment *Appointment
	// InvoiceSoles and InvoiceDolares are the direct-invoice URLs (may be empty).
	InvoiceSoles, InvoiceDolares string
	// ServiceOrders are set for ClosingServiceOrders, deduplicated, in request order.
	ServiceOrders []ServiceOrderRef
	Request       *OpportunityProcessRequest
}

var appointmentPattern = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$`)

// ParseOpportunityID validates the :id path parameter: the crm.lead id, a
// positive integer of at most 17 digits (opportunity_id is varchar(17)).
func ParseOpportunityID(s string) (int64, error) {
	if len(s) == 0 || len(s) > 17 {
		return 0, NewError(KindInvalid, "El parámetro id debe ser un número de oportunidad válido")
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, NewError(KindInvalid, "El parámetro id debe ser un número de oportunidad válido")
	}
	return id, nil
}

// ClassifyOpportunityUpdate validates the request and builds the update: case,
// closing, parsed appointment, invoice URLs and service orders. Errors are
// KindInvalid *Errors in Spanish, among them
// "El campo reservationId no puede estar vacío" for appointment data without a
// reservation id.
func ClassifyOpportunityUpdate(leadID int64, r *OpportunityProcessRequest) (*OpportunityUpdate, error) {
	u := &OpportunityUpdate{LeadID: leadID, Case: r.DetectCase(), Closing: r.DetectClosing(), Request: r}
	if u.Case == CaseAppointmentOnly || u.Case == CaseMainAndAppointment {
		if !filled(r.ReservationID) {
			return nil, NewError(KindInvalid, "El campo reservationId no puede estar vacío")
		}
		a := &Appointment{ReservationID: strings.TrimSpace(string(*r.ReservationID))}
		if filled(r.CAppointment) {
			m := appointmentPattern.FindStringSubmatch(strings.TrimSpace(string(*r.CAppointment)))
			if m == nil {
				return nil, NewError(KindInvalid, `El campo cAppointment debe tener el formato "HH:mm - HH:mm", p. ej. "15:30 - 16:00"`)
			}
			a.Start, a.End = m[1]+":"+m[2], m[3]+":"+m[4]
			if a.End <= a.Start {
				return nil, NewError(KindInvalid, "El campo cAppointment debe terminar después de empezar")
			}
		}
		if filled(r.CDateReservation) {
			d := strings.TrimSpace(string(*r.CDateReservation))
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return nil, NewError(KindInvalid, `El campo cDateReservation debe tener el formato "yyyy-MM-dd", p. ej. "2026-03-02"`)
			}
			a.Date = d
		}
		if (a.Date == "") != (a.Start == "") {
			missing := "cDateReservation"
			if a.Start == "" {
				missing = "cAppointment"
			}
			return nil, NewError(KindInvalid, "El campo "+missing+" es obligatorio para agendar la cita")
		}
		for _, f := range []struct {
			dst *string
			src *Text
		}{{&a.Doctor, r.CDoctor}, {&a.Environment, r.CEnvironment}, {&a.Specialty, r.CSpecialty}, {&a.Tariff, r.CTariff}} {
			if filled(f.src) {
				*f.dst = strings.TrimSpace(string(*f.src))
			}
		}
		u.Appointment = a
	}
	if r.CFacturas != nil {
		for _, f := range []struct {
			name string
			v    *string
		}{{"cFacturas.comprobante_soles", r.CFacturas.ComprobanteSoles}, {"cFacturas.comprobante_dolares", r.CFacturas.ComprobanteDolares}} {
			if f.v == nil || strings.TrimSpace(*f.v) == "" {
				continue
			}
			if !validHTTPURL(strings.TrimSpace(*f.v)) {
				return nil, NewError(KindInvalid, "El campo "+f.name+" debe ser una URL válida")
			}
		}
		u.InvoiceSoles, u.InvoiceDolares = r.InvoiceURLs()
	}
	seen := map[int64]bool{}
	for i, id := range r.COrdenesServicio {
		if id <= 0 {
			return nil, NewError(KindInvalid, fmt.Sprintf("El campo cOrdenesServicio[%d] debe ser mayor que 0", i))
		}
		if !seen[id] {
			seen[id] = true
			u.ServiceOrders = append(u.ServiceOrders, ServiceOrderRef{ID: id, Metadata: r.COrdenesServicioMetadata[strconv.FormatInt(id, 10)]})
		}
	}
	for k := range r.COrdenesServicioMetadata {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || !seen[id] {
			return nil, NewError(KindInvalid, fmt.Sprintf("El campo cOrdenesServicioMetadata.%s no corresponde a ninguna orden de cOrdenesServicio", k))
		}
	}
	if u.Closing != ClosingServiceOrders {
		u.ServiceOrders = nil
	}
	return u, nil
}

func validHTTPURL(s string) bool {
	p, err := url.Parse(s)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// DateTime formats as "yyyy-MM-dd HH:mm:ss" (the PWA's format), in the time's
// own location.
type DateTime time.Time

// DateTimeLayout is the layout of DateTime.
const DateTimeLayout = "2006-01-02 15:04:05"

// MarshalJSON writes "yyyy-MM-dd HH:mm:ss", or null for the zero time.
func (d DateTime) MarshalJSON() ([]byte, error) {
	t := time.Time(d)
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(DateTimeLayout) + `"`), nil
}

// UnmarshalJSON reads "yyyy-MM-dd HH:mm:ss" (UTC) or null.
func (d *DateTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = DateTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(DateTimeLayout, s)
	if err != nil {
		return errors.New("fecha con formato distinto de yyyy-MM-dd HH:mm:ss")
	}
	*d = DateTime(t)
	return nil
}

// OpportunityService applies an opportunity-process update in Odoo (lead
// fields, meeting + chatter, closing, attachments, service-order rows, SV
// clinic history) and returns the updated lead.
type OpportunityService interface {
	UpdateOpportunityProcess(ctx context.Context, advisorID string, u *OpportunityUpdate) (*Opportunity, error)
}

// Opportunity is the updated lead returned to the PWA.
type Opportunity struct {
	ID                    int64              `json:"id"`
	Name                  string             `json:"name"`
	Stage                 string             `json:"stage"`
	CFacturacionSubEstado string             `json:"cFacturacionSubEstado"`
	IsPresaved            bool               `json:"isPresaved"`
	CClinicHistory        string             `json:"cClinicHistory,omitempty"`
	ReservationID         string             `json:"reservationId,omitempty"`
	MeetingID             int64              `json:"meetingId,omitempty"`
	AttachmentIDs         []int64            `json:"attachmentIds,omitempty"`
	ServiceOrders         []ServiceOrderInfo `json:"serviceOrders,omitempty"`
	Fields                map[string]any     `json:"fields,omitempty"`
	CreatedAt             DateTime           `json:"createdAt"`
	UpdatedAt             DateTime           `json:"updatedAt"`
}

// ServiceOrderInfo is one row of opportunity_service_order as shown to the PWA.
type ServiceOrderInfo struct {
	ServiceOrderID      int64    `json:"serviceOrderId"`
	Facturado           bool     `json:"facturado"`
	InvoiceResultHeadID int64    `json:"invoiceResultHeadId,omitempty"`
	URLSoles            string   `json:"urlSoles,omitempty"`
	URLDolares          string   `json:"urlDolares,omitempty"`
	LastCheckedAt       DateTime `json:"lastCheckedAt"`
}

// OpportunityProcessResponse is the 200 body of the opportunity process.
type OpportunityProcessResponse struct {
	Success     bool         `json:"success"`
	Message     string       `json:"message"`
	Opportunity *Opportunity `json:"opportunity"`
}

var (
	textType               = reflect.TypeFor[Text]()
	opportunityRequestType = reflect.TypeFor[OpportunityProcessRequest]()
)
