package server

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func decodeOpp(t testing.TB, body string) *OpportunityProcessRequest {
	t.Helper()
	var r OpportunityProcessRequest
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return &r
}

func TestOpportunityClassification(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		cas     OpportunityCase
		closing Closing
		err     string
		check   func(t *testing.T, u *OpportunityUpdate)
	}{
		{name: "appointment only", body: `{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02","cDoctor":"Dr. Ruiz","cTariff":350,"reservationId":"R-1"}`,
			cas: CaseAppointmentOnly, check: func(t *testing.T, u *OpportunityUpdate) {
				want := &Appointment{ReservationID: "R-1", Date: "2026-03-02", Start: "15:30", End: "16:00", Doctor: "Dr. Ruiz", Tariff: "350"}
				if d := cmp.Diff(want, u.Appointment); d != "" {
					t.Error(d)
				}
				if !u.Appointment.HasMeeting() {
					t.Error("no meeting")
				}
			}},
		{name: "numeric reservation id", body: `{"cAppointment":"09:00-09:30","cDateReservation":"2026-03-02","reservationId":12345}`, cas: CaseAppointmentOnly,
			check: func(t *testing.T, u *OpportunityUpdate) {
				if u.Appointment.ReservationID != "12345" || u.Appointment.Start != "09:00" {
					t.Errorf("%+v", u.Appointment)
				}
			}},
		{name: "appointment without reservationId", body: `{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02"}`, err: "El campo reservationId no puede estar vacío"},
		{name: "appointment with empty reservationId", body: `{"cDoctor":"Dr. Ruiz","reservationId":"  "}`, err: "El campo reservationId no puede estar vacío"},
		{name: "appointment with null reservationId", body: `{"cSpecialty":"Cardiología","reservationId":null}`, err: "El campo reservationId no puede estar vacío"},
		{name: "main + appointment without reservationId", body: `{"cLastNameFather":"Pérez","cDateReservation":"2026-03-02","cAppointment":"10:00 - 10:30"}`, err: "El campo reservationId no puede estar vacío"},
		{name: "bad appointment format", body: `{"cAppointment":"3pm","cDateReservation":"2026-03-02","reservationId":"R"}`, err: `El campo cAppointment debe tener el formato`},
		{name: "appointment ends before start", body: `{"cAppointment":"16:00 - 15:30","cDateReservation":"2026-03-02","reservationId":"R"}`, err: "terminar después"},
		{name: "bad date", body: `{"cAppointment":"15:30 - 16:00","cDateReservation":"02/03/2026","reservationId":"R"}`, err: "El campo cDateReservation debe tener el formato"},
		{name: "time without date", body: `{"cAppointment":"15:30 - 16:00","reservationId":"R"}`, err: "El campo cDateReservation es obligatorio"},
		{name: "date without time", body: `{"cDateReservation":"2026-03-02","reservationId":"R"}`, err: "El campo cAppointment es obligatorio"},
		{name: "appointment details without meeting", body: `{"cDoctor":"Dr. Ruiz","reservationId":"R"}`, cas: CaseAppointmentOnly,
			check: func(t *testing.T, u *OpportunityUpdate) {
				if u.Appointment.HasMeeting() {
					t.Error("meeting without date")
				}
			}},
		{name: "main only", body: `{"cLastNameFather":"Pérez","cLastNameMother":"López","cCustomerDocumentType":"DNI","cCustomerDocument":"12345678"}`, cas: CaseMainOnly},
		{name: "blank appointment fields are not sent", body: `{"cPatientsname":"Ana","cAppointment":"","cDoctor":null,"reservationId":""}`, cas: CaseMainOnly},
		{name: "main + appointment", body: `{"cPatientsname":"Ana","cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02","reservationId":"R-9"}`, cas: CaseMainAndAppointment},
		{name: "other fields", body: `{"cObservaciones":"llamar","cMonto":120.5,"isPresaved":true}`, cas: CaseOther,
			check: func(t *testing.T, u *OpportunityUpdate) {
				if len(u.Request.Other) != 3 || string(u.Request.Other["cMonto"]) != "120.5" {
					t.Errorf("other = %v", u.Request.Other)
				}
			}},
		{name: "empty body", body: `{}`, cas: CaseOther},
		{name: "direct invoice", body: `{"cClinicHistory":"HC-1","cFacturas":{"comprobante_soles":"https://files.example/f1.pdf","comprobante_dolares":null}}`,
			cas: CaseMainOnly, closing: ClosingDirectInvoice, check: func(t *testing.T, u *OpportunityUpdate) {
				if u.InvoiceSoles != "https://files.example/f1.pdf" || u.InvoiceDolares != "" {
					t.Errorf("%q %q", u.InvoiceSoles, u.InvoiceDolares)
				}
			}},
		{name: "invoice without clinic history is no closing", body: `{"cFacturas":{"comprobante_soles":"https://f.example/a.pdf"}}`, cas: CaseOther},
		{name: "invoice urls null", body: `{"cClinicHistory":"HC-1","cFacturas":{"comprobante_soles":null,"comprobante_dolares":null}}`, cas: CaseMainOnly},
		{name: "invoice url invalid", body: `{"cClinicHistory":"HC-1","cFacturas":{"comprobante_dolares":"file:///etc/passwd"}}`, err: "El campo cFacturas.comprobante_dolares debe ser una URL válida"},
		{name: "service orders", body: `{"cClinicHistory":"HC-2","cOrdenesServicio":[101,102,101],"cOrdenesServicioMetadata":{"101":{"descripcion":"Consulta","numero_os":"OS-101"}}}`,
			cas: CaseMainOnly, closing: ClosingServiceOrders, check: func(t *testing.T, u *OpportunityUpdate) {
				want := []ServiceOrderRef{{ID: 101, Metadata: ServiceOrderMetadata{"descripcion": "Consulta", "numero_os": "OS-101"}}, {ID: 102}}
				if d := cmp.Diff(want, u.ServiceOrders); d != "" {
					t.Error(d)
				}
			}},
		{name: "invoice wins over service orders", body: `{"cClinicHistory":"HC","cOrdenesServicio":[1],"cFacturas":{"comprobante_soles":"https://f.example/a.pdf"}}`,
			cas: CaseMainOnly, closing: ClosingDirectInvoice, check: func(t *testing.T, u *OpportunityUpdate) {
				if u.ServiceOrders != nil {
					t.Error("orders kept")
				}
			}},
		{name: "service orders without clinic history", body: `{"cOrdenesServicio":[1]}`, cas: CaseOther},
		{name: "bad service order id", body: `{"cClinicHistory":"HC","cOrdenesServicio":[0]}`, err: "El campo cOrdenesServicio[0] debe ser mayor que 0"},
		{name: "metadata for unknown order", body: `{"cClinicHistory":"HC","cOrdenesServicio":[1],"cOrdenesServicioMetadata":{"2":{}}}`, err: "cOrdenesServicioMetadata.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := ClassifyOpportunityUpdate(42, decodeOpp(t, tt.body))
			if tt.err != "" {
				var e *Error
				if !errors.As(err, &e) || e.Kind != KindInvalid || !strings.Contains(e.Message, tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.LeadID != 42 || u.Case != tt.cas || u.Closing != tt.closing {
				t.Errorf("case %q closing %q, want %q %q", u.Case, u.Closing, tt.cas, tt.closing)
			}
			if tt.check != nil {
				tt.check(t, u)
			}
		})
	}
}

func TestOpportunityDecodeErrors(t *testing.T) {
	for _, body := range []string{`{"cOrdenesServicio":["a"]}`, `{"cFacturas":"x"}`, `{"bad key!":1}`, `{"cNested":{"a":1}}`, `null`, `{"cTariff":true}`} {
		var r OpportunityProcessRequest
		if err := json.Unmarshal([]byte(body), &r); err == nil {
			t.Errorf("%s: no error", body)
		}
	}
}

func TestParseOpportunityID(t *testing.T) {
	for in, ok := range map[string]bool{"1": true, "12345678901234567": true, "123456789012345678": false, "0": false, "-1": false, "abc": false, "": false} {
		if _, err := ParseOpportunityID(in); (err == nil) != ok {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

func TestOpportunityEndpoint(t *testing.T) {
	f := &fakeServices{}
	e := newTestEnv(t, testConfig(), f.deps())
	tok := e.adminToken()
	const path = "/opportunity/update-opportunity-procces/"
	t.Run("400 reservationId", func(t *testing.T) {
		r := e.do("PUT", path+"42", tok, `{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02"}`)
		if r.Status != 400 || string(r.Body) != `{"statusCode":400,"message":"El campo reservationId no puede estar vacío"}`+"\n" {
			t.Errorf("%d %s", r.Status, r.Body)
		}
		if f.count("UpdateOpportunityProcess") != 0 {
			t.Error("service called")
		}
	})
	t.Run("bad id", func(t *testing.T) {
		if r := e.do("PUT", path+"abc", tok, `{}`); r.Status != 400 {
			t.Errorf("%d", r.Status)
		}
	})
	t.Run("unknown nested field rejected", func(t *testing.T) {
		r := e.do("PUT", path+"42", tok, `{"cFacturas":{"comprobante_euros":"x"}}`)
		if r.Status != 400 || !strings.Contains(r.errorBody(t).Message, "comprobante_euros") {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("direct invoice closing", func(t *testing.T) {
		r := e.do("PUT", path+"42", tok, `{"cClinicHistory":"HC-1","cFacturas":{"comprobante_soles":"https://f.example/a.pdf","comprobante_dolares":null}}`)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		var resp struct {
			Success     bool
			Message     string
			Opportunity map[string]any
		}
		if err := json.Unmarshal(r.Body, &resp); err != nil {
			t.Fatal(err)
		}
		if !resp.Success || resp.Message != "Opportunity updated successfully" || resp.Opportunity["stage"] != "Cierre ganado" ||
			resp.Opportunity["cFacturacionSubEstado"] != "factura_directa" || resp.Opportunity["isPresaved"] != false ||
			resp.Opportunity["updatedAt"] != "2026-03-02 15:04:05" {
			t.Errorf("%s", r.Body)
		}
		u := f.lastArg().(*OpportunityUpdate)
		if u.LeadID != 42 || u.Closing != ClosingDirectInvoice {
			t.Errorf("%+v", u)
		}
	})
}

func TestDateTimeJSON(t *testing.T) {
	b, _ := json.Marshal(struct{ A, B DateTime }{DateTime(time.Date(2026, 3, 2, 9, 5, 7, 0, time.UTC)), DateTime{}})
	if string(b) != `{"A":"2026-03-02 09:05:07","B":null}` {
		t.Errorf("%s", b)
	}
	var d DateTime
	if err := json.Unmarshal([]byte(`"2026-03-02 09:05:07"`), &d); err != nil || time.Time(d).Minute() != 5 {
		t.Errorf("%v %v", d, err)
	}
}

func FuzzOpportunityRequest(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"cAppointment":"15:30 - 16:00","cDateReservation":"2026-03-02","reservationId":"R"}`,
		`{"cClinicHistory":"HC","cOrdenesServicio":[1,2],"cOrdenesServicioMetadata":{"1":{"numero_os":"x"}}}`,
		`{"cClinicHistory":"HC","cFacturas":{"comprobante_soles":"https://a/b.pdf"}}`, `{"cX":1,"cTariff":3.5}`, `[`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r OpportunityProcessRequest
		if err := json.Unmarshal(b, &r); err != nil {
			return
		}
		u, err := ClassifyOpportunityUpdate(1, &r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindInvalid {
				t.Fatalf("error not KindInvalid: %v", err)
			}
			return
		}
		if (u.Case == CaseAppointmentOnly || u.Case == CaseMainAndAppointment) && (u.Appointment == nil || strings.TrimSpace(u.Appointment.ReservationID) == "") {
			t.Fatalf("appointment case without reservation id: %s", b)
		}
		if u.Closing != ClosingNone && !filled(r.CClinicHistory) {
			t.Fatalf("closing without clinic history: %s", b)
		}
	})
}
