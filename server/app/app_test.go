package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
	"github.com/golang-jwt/jwt/v5"
	"github.com/shopspring/decimal"
)

const testSecret = "app-test-secret-0123456789abcdef-0123456789"

// env is the whole backend in development mode over real HTTP: fake Odoo
// seeded with demo data, provider fakes, SQLite, the webhook processor.
type env struct {
	t     *testing.T
	app   *App
	srv   *server.Server
	url   string
	token string
	hc    *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Mode: server.ModeDevelopment, Addr: ln.Addr().String(),
		DatabaseURL: server.Secret("file:" + filepath.Join(t.TempDir(), "cmu.db")), JWTSecret: testSecret}
	a, err := BuildWith(t.Context(), cfg, nil, Options{SeedClients: 50, PollInterval: 50 * time.Millisecond, MinBackoff: 100 * time.Millisecond})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	srv, err := server.NewServer(a.Config, a.Deps)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { a.Processor.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	tok, err := srv.Authenticator().Sign(server.Claims{Role: server.RoleAdmin, Name: "Asesora Prueba",
		RegisteredClaims: jwt.RegisteredClaims{Subject: "adv-1"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, app: a, srv: srv, url: hs.URL, token: tok, hc: hs.Client()}
}

// do sends a JSON request with the advisor token and decodes the answer
// into out (when not nil); it returns the status and the raw body.
func (e *env) do(method, path string, body any, out any) (int, []byte) {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.url+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.hc.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, b
}

// want fails unless the status is code.
func (e *env) want(code int, method, path string, body, out any) []byte {
	e.t.Helper()
	st, b := e.do(method, path, body, out)
	if st != code {
		e.t.Fatalf("%s %s = %d %s, want %d", method, path, st, b, code)
	}
	return b
}

// eventually polls cond until it holds or 10 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// records returns the fake Odoo's records of model whose field equals value.
func (e *env) records(model, field string, value any) []map[string]any {
	var out []map[string]any
	for _, r := range e.app.Dev.Odoo.Records(model) {
		if fmt.Sprint(r[field]) == fmt.Sprint(value) {
			out = append(out, r)
		}
	}
	return out
}

func TestClientsOverHTTP(t *testing.T) {
	e := newEnv(t)
	fo := e.app.Dev.Odoo

	var p1, p50 server.ClientPage
	// Warm up (first page resolves CMu's plans, stages and journals once).
	e.want(200, "GET", "/api/clients?pageSize=5", nil, nil)
	fo.ResetCalls()
	e.want(200, "GET", "/api/clients?page=1&pageSize=1", nil, &p1)
	calls1 := fo.TotalCalls()
	fo.ResetCalls()
	e.want(200, "GET", "/api/clients?page=1&pageSize=50", nil, &p50)
	calls50 := fo.TotalCalls()
	t.Logf("Odoo calls per request: %d (page of 1), %d (page of 50)", calls1, calls50)
	if calls1 != calls50 || calls1 > cmu.ListCallsPerPage {
		t.Errorf("Odoo calls per page: %d for 1 client, %d for 50, want equal and ≤ %d", calls1, calls50, cmu.ListCallsPerPage)
	}
	if len(p1.Items) != 1 || len(p50.Items) != 50 || p50.Total != 50 || p1.Total != 50 {
		t.Fatalf("pages: %d/%d items, totals %d/%d", len(p1.Items), len(p50.Items), p1.Total, p50.Total)
	}
	var withPlan, withEco, withGroup, withSO int
	for _, c := range p50.Items {
		if len(c.Plans) > 0 && c.Plans[0].Balance.IsPositive() {
			withPlan++
		}
		if c.Ecosystem != nil {
			withEco++
		}
		if c.Group != nil {
			withGroup++
		}
		if len(c.SaleOrders) > 0 {
			withSO++
		}
	}
	if withPlan != 50 || withEco == 0 || withGroup == 0 || withSO == 0 {
		t.Errorf("nested data: %d with funded plans, %d with ecosystem, %d in a group, %d with sale orders", withPlan, withEco, withGroup, withSO)
	}
	var p2 server.ClientPage
	e.want(200, "GET", "/api/clients?page=2&pageSize=20&market=edomex", nil, &p2)
	for _, c := range p2.Items {
		if c.Market != server.MarketEdomex {
			t.Errorf("market filter: client %d is %s", c.ID, c.Market)
		}
	}

	id := e.app.Dev.Seed.Clients[0]
	var c server.Client
	e.want(200, "GET", fmt.Sprintf("/api/clients/%d", id), nil, &c)
	if c.ID != id || c.Name == "" || len(c.Plans) == 0 || len(c.Documents) == 0 || c.Contact.Email == "" {
		t.Errorf("client %d: %+v", id, c)
	}
	b := e.want(404, "GET", "/api/clients/999999", nil, nil)
	if !strings.Contains(string(b), `"statusCode":404`) {
		t.Errorf("404 body %s", b)
	}

	// Events: a note on the partner and the lead.
	lead := e.app.Dev.Seed.Leads[0]
	var ev server.EventLogEntry
	e.want(201, "POST", "/api/events", map[string]any{"clientId": id, "leadId": lead, "type": "llamada", "message": "Llamó para pedir su saldo"}, &ev)
	if ev.ID == 0 || ev.Author != "Asesora Prueba" {
		t.Errorf("event %+v", ev)
	}
	var onLead, onPartner int
	for _, m := range fo.Records("mail.message") {
		if strings.Contains(fmt.Sprint(m["body"]), "Llamó para pedir su saldo") {
			switch m["model"] {
			case odoo.ModelLead:
				onLead++
			case odoo.ModelPartner:
				onPartner++
			}
		}
	}
	if onLead != 1 || onPartner != 1 {
		t.Errorf("notes: %d on lead, %d on partner", onLead, onPartner)
	}
	other := e.app.Dev.Seed.Clients[5]
	b = e.want(422, "POST", "/api/events", map[string]any{"clientId": other, "leadId": lead, "type": "llamada", "message": "x"}, nil)
	if !strings.Contains(string(b), "no pertenece") {
		t.Errorf("lead of another client: %s", b)
	}
}

func TestPlansOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()

	// Savings plan: once per client.
	id, err := e.app.CMU.CreateClient(ctx, cmu.NewClient{Name: "Cliente Nuevo", Ref: "T-NEW-1", Market: cmu.MarketEdomex,
		Contact: cmu.Contact{Email: "nuevo@example.com", Phone: "5512345678"}})
	if err != nil {
		t.Fatal(err)
	}
	var plan server.Plan
	e.want(201, "POST", "/api/savings-plans", map[string]any{"clientId": id, "targetAmount": "50000.00"}, &plan)
	if plan.ID == 0 || plan.Kind != server.PlanSavings || plan.Target == nil || plan.Target.String() != "50000.00" || plan.Balance.String() != "0.00" {
		t.Errorf("plan %+v", plan)
	}
	b := e.want(409, "POST", "/api/savings-plans", map[string]any{"clientId": id}, nil)
	if !strings.Contains(string(b), "ya tiene un plan de ahorro") {
		t.Errorf("second plan: %s", b)
	}
	e.want(404, "POST", "/api/savings-plans", map[string]any{"clientId": 987654}, nil)

	// Payment plan on the market package: 36 months weekly = 156 payments.
	client := e.app.Dev.Seed.Clients[3] // edomex
	var pp server.PaymentPlan
	e.want(201, "POST", "/api/payment-plans", map[string]any{"clientId": client, "market": "edomex", "termMonths": 36, "downPayment": "60000.00"}, &pp)
	if pp.SaleOrderID == 0 || pp.AnalyticAccountID == 0 || pp.Frequency != "semanal" || pp.Total.String() != "238000.00" ||
		!pp.Installment.IsPositive() || pp.DownPayment.String() != "60000.00" {
		t.Errorf("payment plan %+v", pp)
	}
	so, ok := e.app.Dev.Odoo.Get("sale.order", pp.SaleOrderID)
	if !ok || so["partner_id"] != client {
		t.Errorf("sale order %v", so)
	}
	var files []string
	for _, a := range e.records("ir.attachment", "res_id", pp.SaleOrderID) {
		if a["res_model"] == "sale.order" {
			files = append(files, fmt.Sprint(a["name"]))
		}
	}
	if len(files) < 2 {
		t.Errorf("sale order attachments %v, want the schedule and the quote PDF", files)
	}
	// Same request again: the quote folio is the plan's key, nothing duplicated.
	var pp2 server.PaymentPlan
	e.want(201, "POST", "/api/payment-plans", map[string]any{"clientId": client, "market": "edomex", "termMonths": 36, "downPayment": "60000.00"}, &pp2)
	if pp2.SaleOrderID != pp.SaleOrderID {
		t.Errorf("repeated plan opened sale order %d, first %d", pp2.SaleOrderID, pp.SaleOrderID)
	}

	for _, tc := range []struct {
		name string
		body map[string]any
		code int
		msg  string
	}{
		{"term not allowed", map[string]any{"clientId": client, "market": "edomex", "termMonths": 13, "downPayment": "60000.00"}, 422, "plazos: 24, 36, 48 meses"},
		{"down payment below minimum", map[string]any{"clientId": client, "market": "edomex", "termMonths": 24, "downPayment": "1000.00"}, 422, "enganche mínimo"},
		{"other market", map[string]any{"clientId": client, "market": "aguascalientes", "termMonths": 24, "downPayment": "60000.00"}, 422, "es del mercado edomex"},
		{"frequency of another package", map[string]any{"clientId": client, "market": "edomex", "termMonths": 24, "downPayment": "60000.00", "frequency": "mensual"}, 422, "frecuencia semanal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, b := e.do("POST", "/api/payment-plans", tc.body, nil)
			if st != tc.code || !strings.Contains(string(b), tc.msg) {
				t.Errorf("= %d %s, want %d with %q", st, b, tc.code, tc.msg)
			}
		})
	}
}

func TestGroupsOverHTTP(t *testing.T) {
	e := newEnv(t)
	var gs []server.Group
	e.want(200, "GET", "/api/collective-credit-groups", nil, &gs)
	if len(gs) != 1 || len(gs[0].Members) != 4 || !gs[0].Balance.IsPositive() {
		t.Fatalf("demo groups %+v", gs)
	}
	members := []int64{e.app.Dev.Seed.Clients[1], e.app.Dev.Seed.Clients[4]}
	var g server.Group
	body := map[string]any{"name": "Ruta 5 – Grupo A", "market": "edomex", "memberIds": members, "targetAmount": "1500.00"}
	e.want(201, "POST", "/api/collective-credit-groups", body, &g)
	if g.ID == 0 || g.Phase != "ahorro" || len(g.Members) != 2 || g.Target.String() != "1500.00" {
		t.Fatalf("group %+v", g)
	}
	var again server.Group
	e.want(201, "POST", "/api/collective-credit-groups", body, &again)
	if again.ID != g.ID {
		t.Errorf("same group request created group %d, first %d", again.ID, g.ID)
	}
	path := fmt.Sprintf("/api/collective-credit-groups/%d/transition-to-payment", g.ID)
	b := e.want(422, "POST", path, nil, nil)
	if !strings.Contains(string(b), "no alcanza la meta (1,500.00 MXN)") {
		t.Errorf("refused transition: %s", b)
	}
	// Savings reach the target: the transition goes through.
	full, err := e.app.CMU.Group(t.Context(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range members {
		if _, err := e.app.CMU.RecordContribution(t.Context(), cmu.Contribution{ClientID: m, AccountID: full.AccountID,
			Amount: decimalOf(t, "750.00"), Source: cmu.SourceOther, TransactionID: fmt.Sprintf("T-GRP-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	var moved server.Group
	e.want(200, "POST", path, nil, &moved)
	if moved.Phase != "pago" || moved.Balance.String() != "1500.00" {
		t.Errorf("moved group %+v", moved)
	}
	e.want(404, "POST", "/api/collective-credit-groups/999999/transition-to-payment", nil, nil)
}

func TestCotizadorOverHTTP(t *testing.T) {
	e := newEnv(t)
	for _, m := range []string{"edomex", "aguascalientes"} {
		var p server.ProductPackage
		e.want(200, "GET", "/api/cotizador/paquete/"+m, nil, &p)
		if p.ID == 0 || string(p.Market) != m || len(p.Components) < 3 || !p.Total.IsPositive() || len(p.AllowedTerms) != 3 || p.Components[0].ProductID == 0 {
			t.Errorf("package %s: %+v", m, p)
		}
	}
	var p server.ProductPackage
	e.want(200, "GET", "/api/cotizador/paquete/edomex", nil, &p)
	if p.Frequency != "semanal" || p.MinDownPaymentPct.String() != "20" || p.Total.String() != "250000.00" {
		t.Errorf("edomex package: frequency %s, min down payment %s %%, total %s", p.Frequency, p.MinDownPaymentPct, p.Total)
	}
	e.want(404, "GET", "/api/cotizador/paquete/cdmx", nil, nil)

	client, lead := e.app.Dev.Seed.Clients[0], e.app.Dev.Seed.Leads[0]
	var q server.SavedQuote
	e.want(201, "POST", "/api/cotizador/save", map[string]any{"clientId": client, "market": "edomex", "termMonths": 24, "downPayment": "50000.00"}, &q)
	if q.LeadID != lead || q.JSONAttachmentID == 0 || q.PDFAttachmentID == 0 || len(q.Schedule) != 104 || !q.CAT.IsPositive() ||
		q.Financed.String() != "188000.00" {
		t.Fatalf("saved quote: lead %d (want %d), attachments %d/%d, %d rows, CAT %s, financed %s", q.LeadID, lead,
			q.JSONAttachmentID, q.PDFAttachmentID, len(q.Schedule), q.CAT, q.Financed)
	}
	pdf, ok := e.app.Dev.Odoo.Get("ir.attachment", q.PDFAttachmentID)
	if !ok || pdf["res_model"] != odoo.ModelLead || pdf["res_id"] != lead || pdf["mimetype"] != "application/pdf" {
		t.Errorf("PDF attachment %v", pdf)
	}
	notes := 0
	for _, m := range e.records("mail.message", "res_id", lead) {
		if m["model"] == odoo.ModelLead && strings.Contains(fmt.Sprint(m["body"]), "Cotización COT-EDOMEX") {
			notes++
		}
	}
	if notes != 1 {
		t.Errorf("%d quote notes on the lead", notes)
	}
	b := e.want(422, "POST", "/api/cotizador/save", map[string]any{"clientId": client, "market": "edomex", "termMonths": 24, "downPayment": "100.00"}, nil)
	if !strings.Contains(string(b), "El enganche mínimo para edomex es 20%") {
		t.Errorf("rule message: %s", b)
	}
	noLead := e.app.Dev.Seed.Clients[9]
	b = e.want(422, "POST", "/api/cotizador/save", map[string]any{"clientId": noLead, "market": "edomex", "termMonths": 24, "downPayment": "50000.00"}, nil)
	if !strings.Contains(string(b), "no tiene una oportunidad") {
		t.Errorf("no lead: %s", b)
	}
}

func decimalOf(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
