package opportunity_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/mifact/mifacttest"
	"github.com/cmu-mx/cmu/server"
)

const appointmentBody = `{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02","cDoctor":"Dra. Ruiz",
	"cEnvironment":"Consultorio 3","cSpecialty":"Cardiología","cTariff":"350","reservationId":"RES-77"}`

func TestAppointmentOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for i := range 2 { // the second call is a retry: nothing new
		o := e.opportunityOf(e.put(appointmentBody))
		if o["reservationId"] != "RES-77" || o["meetingId"] == nil {
			t.Fatalf("call %d: opportunity = %v", i, o)
		}
		events := e.linked(odoo.ModelCalendarEvent, "res_model")
		if len(events) != 1 {
			t.Fatalf("call %d: %d calendar.event, want 1: %v", i, len(events), events)
		}
		ev := events[0]
		// 15:30–16:00 in Mexico City (UTC−6, no DST since 2022) is 21:30–22:00 UTC.
		if ev["start"] != "2026-03-02 21:30:00" || ev["stop"] != "2026-03-02 22:00:00" || toInt(ev["opportunity_id"]) != e.lead {
			t.Fatalf("event = %v", ev)
		}
		notes := e.linked(odoo.ModelMessage, "model")
		if len(notes) != 1 || !strings.Contains(notes[0]["body"].(string), "Cita agendada el 2026-03-02 15:30 - 16:00") ||
			!strings.Contains(notes[0]["body"].(string), "Ana Asesora") {
			t.Fatalf("call %d: notes = %v", i, notes)
		}
		// Posted as HTML (body_is_html), not escaped into visible tags.
		if b := notes[0]["body"].(string); !strings.Contains(b, "<b>") || strings.Contains(b, "&lt;") {
			t.Fatalf("call %d: note body not stored as HTML: %s", i, b)
		}
	}
	l := e.leadRecord()
	if l["x_cmu_reservation_id"] != "RES-77" || l["x_cmu_doctor"] != "Dra. Ruiz" || l["x_cmu_date_reservation"] != "2026-03-02" {
		t.Fatalf("lead = %v", l)
	}
	if got := e.broker.All(); !strings.Contains(got, "client:updated") || !strings.Contains(got, "eventlog:new") {
		t.Fatalf("events = %s", got)
	}
	// Moving the appointment moves the same meeting and adds a note.
	o := e.opportunityOf(e.put(strings.Replace(appointmentBody, "15:30 - 16:00", "17:00 - 17:30", 1)))
	events := e.linked(odoo.ModelCalendarEvent, "res_model")
	if len(events) != 1 || events[0]["start"] != "2026-03-02 23:00:00" || toInt(o["meetingId"]) != toInt(events[0]["id"]) {
		t.Fatalf("events after move = %v", events)
	}
	if n := len(e.linked(odoo.ModelMessage, "model")); n != 2 {
		t.Fatalf("%d notes after move, want 2", n)
	}
}

func TestMissingReservationID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	r := e.put(`{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02","cDoctor":"Dra. Ruiz"}`)
	want := `{"statusCode":400,"message":"El campo reservationId no puede estar vacío"}`
	if r.Status != http.StatusBadRequest || strings.TrimSpace(string(r.Body)) != want {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	if n := len(e.odoo.Records(odoo.ModelCalendarEvent)); n != 0 {
		t.Fatalf("%d events created", n)
	}
}

func TestMainOnlyAndOtherFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	o := e.opportunityOf(e.put(`{"cLastNameFather":"Pérez","cPatientsname":"Luis","x_cmu_tariff":"400","isPresaved":true}`))
	fields := o["fields"].(map[string]any)
	if fields["cLastNameFather"] != "Pérez" || fields["cPatientsname"] != "Luis" || fields["cTariff"] != "400" || o["isPresaved"] != true {
		t.Fatalf("opportunity = %v", o)
	}
	if len(e.odoo.Records(odoo.ModelCalendarEvent)) != 0 {
		t.Fatal("a meeting was created without appointment data")
	}
	for _, tc := range []struct{ body, msg string }{
		{`{"password":"x"}`, "El campo password no se puede actualizar en la oportunidad"},
		{`{"x_cmu_nope":"x"}`, "El campo x_cmu_nope no existe en la oportunidad"},
	} {
		r := e.put(tc.body)
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), tc.msg) {
			t.Errorf("%s: %d %s", tc.body, r.Status, r.Body)
		}
	}
	if r := e.putLead(999999, `{"cLastNameFather":"X"}`); r.Status != http.StatusNotFound {
		t.Fatalf("missing lead: %d %s", r.Status, r.Body)
	}
}

func TestForbiddenAdvisor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	other, err := e.cmu.CreateClient(t.Context(), cmuClient("Otra Persona"))
	if err != nil {
		t.Fatal(err)
	}
	lead := e.odoo.SeedT(t, odoo.ModelLead, map[string]any{"name": "otra", "type": "opportunity", "partner_id": other})[0]
	if r := e.putLead(lead, `{"cLastNameFather":"X"}`); r.Status != http.StatusForbidden {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	if l, _ := e.odoo.Get(odoo.ModelLead, lead); l["x_cmu_last_name_father"] == "X" {
		t.Fatal("forbidden update written")
	}
}

func directInvoiceBody(e *env, soles, dolares string) string {
	return fmt.Sprintf(`{"cClinicHistory":"HC-000123","cPatientsname":"Luis","cPatientsPaternalLastName":"Pérez","reservationId":"RES-9",
		"cAppointment":"09:00 - 09:30","cDateReservation":"2026-03-03",
		"cFacturas":{"comprobante_soles":%q,"comprobante_dolares":%s}}`, soles, dolares)
}

func TestDirectInvoice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	soles := e.mifact.SetFile("F001-1.pdf", "application/pdf", mifacttest.SamplePDF("Factura F001-1 soles"))
	dolares := e.mifact.SetFile("F001-1-usd.pdf", "application/pdf", mifacttest.SamplePDF("Factura F001-1 USD"))
	for i := range 2 {
		o := e.opportunityOf(e.put(directInvoiceBody(e, soles, fmt.Sprintf("%q", dolares))))
		if o["stage"] != "Cierre ganado" || o["cFacturacionSubEstado"] != "factura_directa" || o["isPresaved"] != false ||
			o["cClinicHistory"] != "HC-000123" {
			t.Fatalf("call %d: opportunity = %v", i, o)
		}
		if ids, _ := o["attachmentIds"].([]any); len(ids) != 2 {
			t.Fatalf("call %d: attachmentIds = %v", i, o["attachmentIds"])
		}
		for _, k := range []string{"createdAt", "updatedAt"} {
			if s, _ := o[k].(string); len(s) != len("2026-03-02 15:04:05") || s[10] != ' ' {
				t.Fatalf("%s = %v", k, o[k])
			}
		}
		atts := e.linked(odoo.ModelAttachment, "res_model")
		if len(atts) != 2 || atts[0]["mimetype"] != "application/pdf" {
			t.Fatalf("call %d: attachments = %d", i, len(atts))
		}
	}
	rec, ok := e.sv.Record("RES-9")
	if !ok || !strings.Contains(string(rec.Body), `"status":"factura_directa"`) || !strings.Contains(string(rec.Body), "HC-000123") || rec.Writes != 1 {
		t.Fatalf("SV record = %+v %v", rec, ok)
	}
	if n := len(e.linked(odoo.ModelCalendarEvent, "res_model")); n != 1 {
		t.Fatalf("%d meetings", n)
	}
}

func TestDirectInvoiceRefusedPDF(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{maxPDF: 4 << 10})
	big := append(mifacttest.SamplePDF("grande"), make([]byte, 8<<10)...)
	tooLarge := e.mifact.SetFile("big.pdf", "application/pdf", big)
	html := e.mifact.SetFile("page.pdf", "text/html", []byte("<html>login</html>"))
	good := e.mifact.SetFile("ok.pdf", "application/pdf", mifacttest.SamplePDF("ok"))
	e.odoo.ResetCalls()
	for _, tc := range []struct{ soles, dolares, msg string }{
		{tooLarge, "null", "El archivo de cFacturas.comprobante_soles supera el tamaño máximo permitido"},
		{good, fmt.Sprintf("%q", html), "El archivo de cFacturas.comprobante_dolares no es un PDF"},
		{e.mifact.URL + "/files/missing.pdf", "null", "No se pudo descargar cFacturas.comprobante_soles (HTTP 404)"},
	} {
		r := e.put(directInvoiceBody(e, tc.soles, tc.dolares))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), tc.msg) {
			t.Errorf("got %d %s, want 422 %q", r.Status, r.Body, tc.msg)
		}
	}
	for _, m := range []string{odoo.ModelLead, odoo.ModelAttachment, odoo.ModelCalendarEvent, odoo.ModelMessage} {
		for _, meth := range []string{"create", "write", "message_post"} {
			if n := e.odoo.Calls(m, meth); n != 0 {
				t.Errorf("%s.%s called %d times after a refused PDF", m, meth, n)
			}
		}
	}
	if _, ok := e.sv.Record("RES-9"); ok {
		t.Error("SV updated after a refused PDF")
	}
}

func TestServiceOrdersPolled(t *testing.T) {
	t.Parallel()
	serviceOrdersFlow(t, newEnv(t, envOptions{}))
}

// TestServiceOrdersPostgres runs the same flow on PostgreSQL (the table's
// other dialect: $n placeholders, JSON column, ON CONFLICT, NULL ordering).
func TestServiceOrdersPostgres(t *testing.T) {
	t.Parallel()
	serviceOrdersFlow(t, newEnv(t, envOptions{dbURL: postgresDSN(t)}))
}

func serviceOrdersFlow(t *testing.T, e *env) {
	e.mifact.AddOrder(101)
	e.mifact.AddOrder(102)
	body := `{"cClinicHistory":"HC-5","cPatientsname":"Luis","cPatientsPaternalLastName":"Pérez","reservationId":"RES-5",
		"cAppointment":"10:00 - 10:30","cDateReservation":"2026-03-04",
		"cOrdenesServicio":[101,102,101],"cOrdenesServicioMetadata":{"101":{"descripcion":"Ecocardiograma","numero_os":"OS-101"}}}`
	for i := range 2 {
		o := e.opportunityOf(e.put(body))
		if o["stage"] != "Cierre ganado" || o["cFacturacionSubEstado"] != "orden_servicio_pendiente_factura" {
			t.Fatalf("call %d: opportunity = %v", i, o)
		}
		if sos, _ := o["serviceOrders"].([]any); len(sos) != 2 {
			t.Fatalf("serviceOrders = %v", o["serviceOrders"])
		}
	}
	rows := e.rows()
	if len(rows) != 2 || rows[0]["opportunity_id"] != fmt.Sprint(e.lead) || rows[0]["facturado"] != false ||
		!strings.Contains(rows[0]["metadata"].(string), `"numero_os":"OS-101"`) || rows[1]["metadata"] != "{}" || rows[0]["checked"] != true {
		t.Fatalf("rows = %v", rows)
	}
	if rec, ok := e.sv.Record("RES-5"); !ok || !strings.Contains(string(rec.Body), "orden_servicio_pendiente_factura") {
		t.Fatalf("SV = %+v", rec)
	}
	// Nothing invoiced yet: polling changes nothing.
	if err := e.svc.PollPending(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.linked(odoo.ModelAttachment, "res_model")); n != 0 {
		t.Fatalf("%d attachments before invoicing", n)
	}
	head := e.mifact.Invoice(101)
	if err := e.svc.PollPending(t.Context()); err != nil {
		t.Fatal(err)
	}
	rows = e.rows()
	if rows[0]["facturado"] != true || rows[0]["head"] != head || rows[0]["url_soles"] == "" || rows[1]["facturado"] != false {
		t.Fatalf("rows after invoice = %v", rows)
	}
	atts := e.linked(odoo.ModelAttachment, "res_model")
	if len(atts) != 2 || !strings.HasPrefix(atts[0]["name"].(string), "factura-os101-") {
		t.Fatalf("attachments = %d", len(atts))
	}
	l := e.leadRecord()
	if l["x_cmu_facturacion_sub_estado"] != "factura_directa" || l["x_cmu_is_presaved"] != false {
		t.Fatalf("lead = %v", l)
	}
	if rec, _ := e.sv.Record("RES-5"); !strings.Contains(string(rec.Body), `"status":"factura_directa"`) {
		t.Fatalf("SV after invoice = %s", rec.Body)
	}
	if got := e.broker.All(); !strings.Contains(got, "orden_servicio_facturada") {
		t.Fatalf("events = %s", got)
	}
	// A later call of the endpoint keeps the sub-state and polls 102.
	e.mifact.ResetRequests()
	o := e.opportunityOf(e.put(`{"cLastNameMother":"López"}`))
	if o["cFacturacionSubEstado"] != "factura_directa" {
		t.Fatalf("opportunity = %v", o)
	}
	polled := 0
	for _, r := range e.mifact.Requests() {
		if strings.HasSuffix(r.Path, "/service-order/102/invoice-status") {
			polled++
		}
	}
	if polled != 1 {
		t.Fatalf("order 102 polled %d times on the endpoint call", polled)
	}
	if err := e.svc.PollPending(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := len(e.linked(odoo.ModelAttachment, "res_model")); n != 2 {
		t.Fatalf("%d attachments after a second poll", n)
	}
}

func TestRetryAfterOdooFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.odoo.InjectFault(odootest.Fault{Model: odoo.ModelLead, Method: "message_post", Kind: odootest.OdooError, Times: 1,
		Message: "Servicio de correo no disponible"})
	if r := e.put(appointmentBody); r.Status == http.StatusOK {
		t.Fatalf("first call succeeded: %s", r.Body)
	}
	if n := len(e.linked(odoo.ModelCalendarEvent, "res_model")); n != 1 {
		t.Fatalf("%d meetings after the failed call", n)
	}
	e.opportunityOf(e.put(appointmentBody))
	if n := len(e.linked(odoo.ModelCalendarEvent, "res_model")); n != 1 {
		t.Fatalf("%d meetings after the retry", n)
	}
	if n := len(e.linked(odoo.ModelMessage, "model")); n != 1 {
		t.Fatalf("%d notes after the retry", n)
	}
}

// TestCronJob runs PollPending through the server's cron leader.
func TestCronJob(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.mifact.AddOrder(301)
	e.opportunityOf(e.put(`{"cClinicHistory":"HC-7","cOrdenesServicio":[301]}`))
	e.mifact.Invoice(301)
	l := server.NewLeader(nil, server.LeaderOptions{})
	e.svc.RegisterJobs(l)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for rows := e.rows(); len(rows) != 1 || rows[0]["facturado"] != true; rows = e.rows() {
		if time.Now().After(deadline) {
			t.Fatalf("order not invoiced by the cron job: %v", rows)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if l := e.leadRecord(); l["x_cmu_facturacion_sub_estado"] != "factura_directa" {
		t.Fatalf("lead = %v", l)
	}
}

// TestDirectInvoiceRetry fails the lead write after the PDFs were attached:
// the retry completes the closing without attaching them twice.
func TestDirectInvoiceRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	soles := e.mifact.SetFile("F9.pdf", "application/pdf", mifacttest.SamplePDF("F9"))
	e.odoo.InjectFault(odootest.Fault{Model: odoo.ModelLead, Method: "write", Kind: odootest.OdooError, Times: 1,
		ErrorName: "odoo.exceptions.ValidationError", Message: "Registro bloqueado"})
	if r := e.put(directInvoiceBody(e, soles, "null")); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("first call: %d %s", r.Status, r.Body)
	}
	if l := e.leadRecord(); l["x_cmu_facturacion_sub_estado"] == "factura_directa" {
		t.Fatal("sub-state written by the failed call")
	}
	o := e.opportunityOf(e.put(directInvoiceBody(e, soles, "null")))
	if o["stage"] != "Cierre ganado" || o["cFacturacionSubEstado"] != "factura_directa" {
		t.Fatalf("opportunity = %v", o)
	}
	if n := len(e.linked(odoo.ModelAttachment, "res_model")); n != 1 {
		t.Fatalf("%d attachments after the retry, want 1", n)
	}
}
