package creditsvc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/hase"
	"github.com/cmu-mx/cmu/providers/hase/hasetest"
	"github.com/cmu-mx/cmu/providers/kiban"
	"github.com/cmu-mx/cmu/providers/kiban/kibantest"
	"github.com/cmu-mx/cmu/server"
	creditsvc "github.com/cmu-mx/cmu/server/app/credit"
	"github.com/cmu-mx/cmu/server/internal/servertest"
	"github.com/golang-jwt/jwt/v5"
)

const (
	testSecret = "credit-test-secret-0123456789abcdef"
	rfc        = "PELJ800101AB1"
)

func fixedNow() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC) }

type env struct {
	t       *testing.T
	odoo    *odootest.Server
	cmu     *cmu.Service
	kiban   *kibantest.Server
	hase    *hasetest.Server
	broker  *servertest.RecordingBroker
	http    *httptest.Server
	auth    *server.Authenticator
	client  int64
	lead    int64
	consent string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	e := &env{t: t, broker: &servertest.RecordingBroker{}}
	var oc *odoo.Client
	e.odoo, oc, e.cmu = servertest.Odoo(t, fixedNow)
	var err error
	if err := e.cmu.SeedChecklists(ctx, cmu.DefaultChecklists()); err != nil {
		t.Fatal(err)
	}
	e.client, err = e.cmu.CreateClient(ctx, cmu.NewClient{Name: "Juan Pérez López", Market: cmu.MarketEdomex, Plates: "ABC-123-D",
		Contact: cmu.Contact{Email: "juan@example.com", VAT: rfc, Street: "Av. Juárez 10", City: "Toluca", Zip: "50000"}})
	if err != nil {
		t.Fatal(err)
	}
	e.lead, err = e.cmu.CreateOpportunity(ctx, cmu.NewOpportunity{ClientID: e.client, Type: cmu.TypeFinancieroEdomex})
	if err != nil {
		t.Fatal(err)
	}
	e.kiban = kibantest.New(kibantest.Options{})
	t.Cleanup(e.kiban.Close)
	e.hase = hasetest.New(hasetest.Options{})
	t.Cleanup(e.hase.Close)
	kc, err := kiban.New(kiban.Config{BaseURL: e.kiban.URL, APIKey: e.kiban.APIKey(), MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	hc, err := hase.New(hase.Config{BaseURL: e.hase.URL, APIKey: e.hase.APIKey(), MaxRetries: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.consent = e.kiban.Authorize("")
	consents := creditsvc.ConsentFunc(func(_ context.Context, id int64) (string, error) {
		if id == e.client {
			return e.consent, nil
		}
		return "", creditsvc.ErrNoConsent
	})
	hub := server.NewHub(server.HubOptions{Broker: e.broker})
	t.Cleanup(hub.Close)
	svc, err := creditsvc.New(creditsvc.Config{Odoo: oc, CMU: e.cmu, Bureau: kc, Scorer: hc, Consents: consents, Hub: hub, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(server.Config{Mode: server.ModeDevelopment, JWTSecret: testSecret},
		server.Deps{Hub: hub, Credit: svc, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(srv)
	t.Cleanup(e.http.Close)
	e.auth = srv.Authenticator()
	return e
}

func (e *env) analyze(clientID int64) (int, []byte) {
	e.t.Helper()
	tok, err := e.auth.Sign(server.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "asesor-1"}, Role: server.RoleAdmin}, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return servertest.Do(e.t, http.MethodPost, e.http.URL+"/api/credit/analyze", tok, fmt.Sprintf(`{"clientId":%d}`, clientID))
}

func (e *env) state() (credit, stage string, notes int) {
	p, _ := e.odoo.Get(odoo.ModelPartner, e.client)
	l, _ := e.odoo.Get(odoo.ModelLead, e.lead)
	credit, _ = p["x_cmu_credit_status"].(string)
	if s, ok := l["stage_id"].([]any); ok && len(s) == 2 {
		stage, _ = s[1].(string)
	} else if id, ok := l["stage_id"].(int64); ok {
		st, _ := e.odoo.Get(odoo.ModelStage, id)
		stage, _ = st["name"].(string)
	}
	for _, m := range e.odoo.Records(odoo.ModelMessage) {
		if m["subject"] == "cmu:"+creditsvc.EventType {
			notes++
		}
	}
	return credit, stage, notes
}

func TestAnalyze(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		bureau   kibantest.Bureau
		decision string
		status   string
		reason   bool
	}{
		{"aprobado", kibantest.Bureau{Score: 900, Accounts: []kibantest.Account{{Lender: "Banco", Balance: "1000", PastDue: "0"}}}, "Aprobado", "aprobado", false},
		{"rechazado", kibantest.Bureau{Score: 480, Accounts: []kibantest.Account{{Lender: "Banco", Balance: "9000", PastDue: "5000", MOP: "05"}}}, "Rechazado", "rechazado", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.kiban.SetBureau(rfc, tc.bureau)
			code, body := e.analyze(e.client)
			if code != http.StatusOK {
				t.Fatalf("%d %s", code, body)
			}
			var d server.CreditDecision
			if err := json.Unmarshal(body, &d); err != nil {
				t.Fatal(err)
			}
			if d.Decision != tc.decision || d.ClientID != e.client || (len(d.Reasons) > 0) != tc.reason || d.Score <= 0 {
				t.Fatalf("decision = %+v", d)
			}
			credit, stage, notes := e.state()
			if credit != tc.status || stage != tc.decision || notes != 2 { // partner and lead
				t.Fatalf("credit %q stage %q notes %d", credit, stage, notes)
			}
			ev := e.broker.All()
			for _, want := range []string{"client:updated", "eventlog:new", "notification:new", "Análisis de crédito: " + tc.decision} {
				if !strings.Contains(ev, want) {
					t.Errorf("events lack %q: %s", want, ev)
				}
			}
		})
	}
}

func TestAnalyzeProviderDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.kiban.FailNext(1, http.StatusBadGateway)
	code, body := e.analyze(e.client)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "(kiban); el cliente queda en análisis") {
		t.Fatalf("kiban down: %d %s", code, body)
	}
	if credit, _, _ := e.state(); credit != "en_analisis" {
		t.Fatalf("credit %q after kiban failure", credit)
	}
	e.hase.FailNext(1, http.StatusServiceUnavailable)
	code, body = e.analyze(e.client)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "(hase); el cliente queda en análisis") {
		t.Fatalf("%d %s", code, body)
	}
	credit, stage, notes := e.state()
	if credit != "en_analisis" || stage == "Aprobado" || stage == "Rechazado" || notes < 2 {
		t.Fatalf("credit %q stage %q notes %d", credit, stage, notes)
	}
	if ev := e.broker.All(); !strings.Contains(ev, "notification:new") || !strings.Contains(ev, "en análisis") {
		t.Fatalf("events = %s", ev)
	}
	// Back up: the next call decides.
	code, body = e.analyze(e.client)
	if code != http.StatusOK {
		t.Fatalf("after recovery: %d %s", code, body)
	}
}

func TestAnalyzeRefusedBeforeProviders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other, err := e.cmu.CreateClient(t.Context(), cmu.NewClient{Name: "Ana Ruiz", Market: cmu.MarketEdomex, Contact: cmu.Contact{VAT: "RUAA900101XX1"}})
	if err != nil {
		t.Fatal(err)
	}
	code, body := e.analyze(other)
	if code != http.StatusUnprocessableEntity || !strings.Contains(string(body), "no ha autorizado") {
		t.Fatalf("no consent: %d %s", code, body)
	}
	if code, body := e.analyze(999999); code != http.StatusNotFound {
		t.Fatalf("missing client: %d %s", code, body)
	}
	if e.kiban.Queries() != 0 || e.hase.Scored() != 0 {
		t.Fatal("providers called")
	}
	if p, _ := e.odoo.Get(odoo.ModelPartner, other); p["x_cmu_credit_status"] == "en_analisis" {
		t.Fatal("status written for a refused analysis")
	}
}
