package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/conekta/conektatest"
	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/gnv/gnvtest"
	"github.com/cmu-mx/cmu/providers/metamap"
	"github.com/cmu-mx/cmu/providers/metamap/metamaptest"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
	"github.com/cmu-mx/cmu/providers/spei"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/webhooks"
	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/shopspring/decimal"
)

const testSecret = "app-test-secret-0123456789abcdef-0123456789"

// env is the whole backend in development mode over real HTTP: fake Odoo
// seeded with demo data, provider fakes, SQLite, the webhook processor.
type env struct {
	t     testing.TB
	app   *App
	srv   *server.Server
	url   string
	token string
	hc    *http.Client
}

func newEnv(t testing.TB) *env { return newEnvClients(t, 50) }

func newEnvClients(t testing.TB, clients int) *env {
	t.Helper()
	return newEnvDB(t, clients, "file:"+filepath.Join(t.TempDir(), "cmu.db"))
}

func newEnvDB(t testing.TB, clients int, dburl string) *env {
	return newEnvConfig(t, clients, dburl, nil)
}

// newEnvConfig is newEnvDB with mod applied to the configuration first.
func newEnvConfig(t testing.TB, clients int, dburl string, mod func(*server.Config)) *env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.Config{Mode: server.ModeDevelopment, Addr: ln.Addr().String(),
		DatabaseURL: server.Secret(dburl), JWTSecret: testSecret}
	if mod != nil {
		mod(&cfg)
	}
	a, err := BuildWith(t.Context(), cfg, nil, Options{SeedClients: clients, PollInterval: 50 * time.Millisecond, MinBackoff: 100 * time.Millisecond})
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
	go func() { a.Run(ctx); close(done) }()
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

// sendGNV signs batch as the development GNV fake does, posts it to the
// consumption webhook and returns the acknowledged counts (200 required).
func (e *env) sendGNV(t *testing.T, id string, batch gnv.Batch) BatchCounts {
	t.Helper()
	d, err := e.app.Dev.GNV.SignedDelivery(id, batch)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := d.Send(t.Context(), e.hc, e.url+"/api/gnv/webhook/consumption")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook %s: status %d", id, resp.StatusCode)
	}
	var c BatchCounts
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatalf("webhook %s: decode counts: %v", id, err)
	}
	return c
}

// asyncWait bounds how long a test waits for asynchronous work (webhook
// processing with retries, live events). It only matters when something is
// wrong: on a loaded 2-core CI machine running every package at once, 10 s
// proved too short for a retried delivery, so the bound is generous.
const asyncWait = 30 * time.Second

// eventually polls cond until it holds or asyncWait passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(asyncWait)
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
	// Readiness follows Odoo; an Odoo behind a failing proxy is a 503.
	e.want(200, "GET", "/readyz", nil, nil)
	fo.InjectFault(odootest.Fault{Kind: odootest.HTTPStatus, Status: 503})
	b = e.want(503, "GET", fmt.Sprintf("/api/clients/%d", id), nil, nil)
	if !strings.Contains(string(b), "Odoo no disponible") {
		t.Errorf("Odoo down: %s", b)
	}
	e.want(503, "GET", "/readyz", nil, nil)
	fo.ClearFaults()
	e.want(200, "GET", "/readyz", nil, nil)
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

	// An advisor of the other market may neither see nor move the group.
	tok, err := e.srv.Authenticator().Sign(server.Claims{Markets: []server.Market{server.MarketAguascalientes},
		RegisteredClaims: jwt.RegisteredClaims{Subject: "adv-ags"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	admin := e.token
	e.token = tok
	var mine []server.Group
	e.want(200, "GET", "/api/collective-credit-groups", nil, &mine)
	if len(mine) != 0 {
		t.Errorf("aguascalientes advisor sees %d edomex groups", len(mine))
	}
	e.want(403, "POST", fmt.Sprintf("/api/collective-credit-groups/%d/transition-to-payment", gs[0].ID), nil, nil)
	e.token = admin
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

func TestGNVOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	fake := e.app.Dev.GNV
	known := e.app.Dev.Seed.Clients[0] // plates "000-A0"
	at := time.Date(2026, 11, 21, 14, 3, 0, 0, time.UTC)
	batch := gnv.Batch{BatchID: "B-2026-11-21-EST042", Date: "2026-11-21", Records: []gnv.Record{
		{TransactionID: "T-1", RawPlates: "000-A0", StationID: "EST042", Litres: decimalOf(t, "40.000"), SurchargeCollected: decimalOf(t, "60.00"), OccurredAt: at},
		{TransactionID: "T-2", RawPlates: "xyz-999", StationID: "EST042", Litres: decimalOf(t, "30.500"), SurchargeCollected: decimalOf(t, "45.75"), OccurredAt: at},
		{TransactionID: "T-3", RawPlates: "000-A0", StationID: "EST042", Litres: decimalOf(t, "0"), SurchargeCollected: decimalOf(t, "1.00"), OccurredAt: at},
	}}
	send := func(msgID string) BatchCounts {
		t.Helper()
		d, err := fake.SignedDelivery(msgID, batch)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := d.Send(ctx, e.hc, e.url+"/api/gnv/webhook/consumption")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var c BatchCounts
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != 200 {
			t.Fatalf("webhook answer %d: %v", resp.StatusCode, err)
		}
		return c
	}
	live := e.dialWS()
	first := send("msg-1")
	if first.Records != 3 || first.Accepted != 1 || first.Unmatched != 1 || first.Rejected != 1 || first.Duplicates != 0 || first.Duplicate {
		t.Fatalf("first delivery counts %+v", first)
	}
	eventually(t, "GNV contribution T-1", func() bool { return len(e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:T-1")) == 1 })
	line := e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:T-1")[0]
	if line["partner_id"] != known || fmt.Sprint(line["amount"]) != "60" {
		t.Errorf("contribution line %v", line)
	}
	var waiting []UnmatchedConsumption
	eventually(t, "unmatched T-2", func() bool {
		var err error
		waiting, err = e.app.GNV.ListUnmatched(ctx, "", 0)
		return err == nil && len(waiting) == 1
	})
	waitEvent(t, live, server.EventNotificationNew, "XYZ999")
	if w := waiting[0]; w.TransactionID != "T-2" || w.Plates != "XYZ999" || w.Amount.String() != "45.75" || w.Litres.String() != "30.5" {
		t.Errorf("waiting row %+v", w)
	}

	again := send("msg-1") // the network retries the same delivery
	if !again.Duplicate || again.Duplicates != 2 || again.Accepted != 0 || again.Unmatched != 0 {
		t.Errorf("redelivery counts %+v", again)
	}
	resent := send("msg-2") // the same records in a new delivery
	if resent.Duplicate || resent.Duplicates != 2 || resent.Accepted != 0 || resent.Unmatched != 0 {
		t.Errorf("resent records counts %+v", resent)
	}
	eventually(t, "inbox drained", func() bool {
		ds, err := e.app.Inbox.List(ctx, webhooks.ListOptions{Provider: "gnv", State: webhooks.StateDone})
		return err == nil && len(ds) == 2
	})
	if n := len(e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:T-1")); n != 1 {
		t.Errorf("T-1 recorded %d times", n)
	}

	// Registering the plates applies the waiting consumption.
	owner := e.app.Dev.Seed.Clients[7]
	var act server.GNVActivation
	e.want(201, "POST", "/api/gnv/activate-collection", map[string]any{"clientId": owner, "placas": "xyz-999", "sobreprecio": "1.50"}, &act)
	if act.Placas != "XYZ999" || act.RuleID == "" || act.Sobreprecio.String() != "1.5" {
		t.Errorf("activation %+v", act)
	}
	if rules := fake.Rules(); len(rules) != 1 || rules[0].Plates != "XYZ999" || rules[0].ClientRef != fmt.Sprint(owner) {
		t.Errorf("rules at the network %+v", rules)
	}
	lines := e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:T-2")
	if len(lines) != 1 || lines[0]["partner_id"] != owner || fmt.Sprint(lines[0]["amount"]) != "45.75" {
		t.Errorf("applied waiting consumption %v", lines)
	}
	if w, err := e.app.GNV.ListUnmatched(ctx, "", 0); err != nil || len(w) != 0 {
		t.Errorf("still waiting %v %v", w, err)
	}
	if p, _ := e.app.Dev.Odoo.Get("res.partner", owner); p["x_cmu_plates"] != "XYZ999" {
		t.Errorf("partner plates %v", p["x_cmu_plates"])
	}
	// A new batch for those plates is now a contribution of the owner.
	batch.Records = []gnv.Record{{TransactionID: "T-4", RawPlates: "XYZ 999", StationID: "EST042", Litres: decimalOf(t, "10"), SurchargeCollected: decimalOf(t, "15.00"), OccurredAt: at}}
	if c := send("msg-3"); c.Accepted != 1 {
		t.Errorf("batch after activation %+v", c)
	}
	eventually(t, "T-4 recorded", func() bool { return len(e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:T-4")) == 1 })

	b := e.want(409, "POST", "/api/gnv/activate-collection", map[string]any{"clientId": e.app.Dev.Seed.Clients[8], "placas": "XYZ999", "sobreprecio": "1.50"}, nil)
	if !strings.Contains(string(b), "otro cliente") {
		t.Errorf("plates of another client: %s", b)
	}
	// A forged delivery is refused and stores nothing.
	d, err := fake.SignedDelivery("msg-forged", batch)
	if err != nil {
		t.Fatal(err)
	}
	d.Body = bytes.Replace(d.Body, []byte("15.00"), []byte("99.00"), 1)
	resp, err := d.Send(ctx, e.hc, e.url+"/api/gnv/webhook/consumption")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("forged delivery answered %d", resp.StatusCode)
	}
}

func TestPaymentsOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	client := e.app.Dev.Seed.Clients[2]

	var sp server.PaymentLink
	e.want(201, "POST", "/api/payments/generate-link", map[string]any{"clientId": client, "amount": "25000.00"}, &sp)
	ref, _ := spei.Reference(client)
	if sp.Method != server.PaymentSPEI || sp.SPEI == nil || sp.SPEI.Reference != ref || len(sp.SPEI.CLABE) != 18 ||
		sp.SPEI.Amount.String() != "25000.00" || sp.URL != "" {
		t.Errorf("SPEI instructions %+v %+v", sp, sp.SPEI)
	}
	var link server.PaymentLink
	e.want(201, "POST", "/api/payments/generate-link", map[string]any{"clientId": client, "amount": "20000.00"}, &link)
	if link.Method != server.PaymentConekta || !strings.HasPrefix(link.URL, e.app.Dev.Conekta.URL()+"/checkout/") || link.Amount.String() != "20000.00" {
		t.Fatalf("Conekta link %+v", link)
	}

	// The client pays on the checkout page: the fake delivers order.paid to
	// the server, signed with the key the server verifies.
	live := e.dialWS()
	resp, err := e.hc.PostForm(link.URL+"/pay", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var orderID string
	eventually(t, "Conekta payment registered", func() bool {
		for _, p := range e.app.Dev.Odoo.Records("account.payment") {
			if p["partner_id"] == client && strings.HasPrefix(fmt.Sprint(p["x_cmu_provider_ref"]), "ord_") {
				orderID = fmt.Sprint(p["x_cmu_provider_ref"])
				return true
			}
		}
		return false
	})
	eventually(t, "Conekta contribution", func() bool {
		return len(e.records("account.analytic.line", "x_cmu_transaction_id", "conekta:"+orderID)) == 1
	})
	waitEvent(t, live, server.EventNotificationNew, "pago_recibido")
	// Conekta sends the event again (new event id) and retries it (same id).
	d, err := e.app.Dev.Conekta.Event("order.paid", orderID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		resp, err := d.Send(ctx, e.hc, e.url+"/api/payments/webhook/conekta")
		if err != nil {
			t.Fatal(err)
		}
		var ack server.WebhookAck
		json.NewDecoder(resp.Body).Decode(&ack)
		resp.Body.Close()
		if resp.StatusCode != 200 || ack.Duplicate != (i == 1) {
			t.Errorf("delivery %d: %d %+v", i, resp.StatusCode, ack)
		}
	}
	eventually(t, "Conekta inbox drained", func() bool {
		ds, err := e.app.Inbox.List(ctx, webhooks.ListOptions{Provider: "conekta", State: webhooks.StateDone})
		return err == nil && len(ds) == 2
	})
	if ps := e.records("account.payment", "x_cmu_provider_ref", orderID); len(ps) != 1 || fmt.Sprint(ps[0]["amount"]) != "20000" {
		t.Errorf("payments of %s: %v", orderID, ps)
	}
	if ls := e.records("account.analytic.line", "x_cmu_transaction_id", "conekta:"+orderID); len(ls) != 1 {
		t.Errorf("contributions of %s: %d", orderID, len(ls))
	}
	e.want(404, "POST", "/api/payments/generate-link", map[string]any{"clientId": 987654, "amount": "100.00"}, nil)

	// Idempotency-Key: a retried request replays the first link, no second order.
	orders := e.app.Dev.Conekta.OrderCount()
	var links [2]server.PaymentLink
	for i := range links {
		b, _ := json.Marshal(map[string]any{"clientId": client, "amount": "300.00"})
		req, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/api/payments/generate-link", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "link-300-a")
		resp, err := e.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&links[i])
		resp.Body.Close()
	}
	if links[0].URL == "" || links[0].URL != links[1].URL || e.app.Dev.Conekta.OrderCount() != orders+1 {
		t.Errorf("idempotent link: %q then %q, %d orders created", links[0].URL, links[1].URL, e.app.Dev.Conekta.OrderCount()-orders)
	}
	// Webhook metrics are on the server's registry.
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"/metrics", nil)
	mresp, err := e.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(mresp.Body)
	mresp.Body.Close()
	if !strings.Contains(string(mb), `cmu_webhooks_`) || !strings.Contains(string(mb), `provider="conekta"`) {
		t.Errorf("metrics lack the webhook inbox series")
	}
}

// wsEvent is one live event as the PWA receives it.
type wsEvent struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// dialWS connects a real WebSocket client with the advisor token and
// returns a channel of the events it receives.
func (e *env) dialWS() <-chan wsEvent {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.url, "http")+"/ws?token="+e.token, nil)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	ch := make(chan wsEvent, 64)
	go func() {
		defer close(ch)
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var ev wsEvent
			if json.Unmarshal(b, &ev) == nil {
				ch <- ev
			}
		}
	}()
	e.t.Cleanup(func() { c.Close(websocket.StatusNormalClosure, ""); cancel() })
	return ch
}

// waitLive publishes a probe event every 100 ms until the WebSocket client
// receives one, so the live-event path (including a PostgreSQL LISTEN) is up.
func waitLive(t *testing.T, e *env, live <-chan wsEvent) {
	t.Helper()
	deadline := time.Now().Add(asyncWait)
	for time.Now().Before(deadline) {
		if err := e.app.Deps.Hub.Publish(t.Context(), server.Event{Type: "probe", Data: "listening"}); err != nil {
			t.Fatal(err)
		}
		select {
		case ev, ok := <-live:
			if !ok {
				t.Fatal("WebSocket closed before live events flowed")
			}
			if ev.Type == "probe" {
				// Drain probes published while the listener was coming up.
				for {
					select {
					case <-live:
					case <-time.After(200 * time.Millisecond):
						return
					}
				}
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatal("live events never reached the WebSocket client")
}

// waitEvent returns the first event of type typ whose data contains sub.
func waitEvent(t *testing.T, ch <-chan wsEvent, typ, sub string) wsEvent {
	t.Helper()
	timeout := time.After(asyncWait)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("WebSocket closed before %s %q", typ, sub)
			}
			if ev.Type == typ && strings.Contains(string(ev.Data), sub) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event with %q", typ, sub)
		}
	}
}

func TestKYCOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	live := e.dialWS()
	fake := e.app.Dev.MetaMap
	lead := e.app.Dev.Seed.Leads[1]
	leadRec, _ := e.app.Dev.Odoo.Get(odoo.ModelLead, lead)
	client := leadRec["partner_id"].(int64)
	deliver := func(p metamaptest.Payload) {
		t.Helper()
		d, err := fake.SignedEvent(p)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := d.Send(ctx, e.hc, e.url+"/api/kyc/webhook/metamap")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("MetaMap delivery answered %d", resp.StatusCode)
		}
	}
	docStatus := func(code string) string {
		for _, d := range e.records("x_cmu_lead_document", "x_lead_id", lead) {
			if d["x_code"] == code {
				return fmt.Sprint(d["x_status"])
			}
		}
		return ""
	}

	// Manual review: document status, KYC status, one Airtable task, alerts.
	review := metamaptest.Payload{EventName: metamap.EventVerificationCompleted, VerificationID: "650000000000000000000001",
		IdentityStatus: metamap.StatusReviewNeeded, Status: metamap.StatusReviewNeeded, Metadata: map[string]any{"lead_id": fmt.Sprint(lead)},
		Timestamp: time.Date(2026, 11, 22, 18, 0, 0, 0, time.UTC)}
	deliver(review)
	// Published in order: client:updated, eventlog:new, notification:new.
	waitEvent(t, live, server.EventClientUpdated, fmt.Sprintf(`"clientId":%d`, client))
	waitEvent(t, live, server.EventLogNew, "kyc_revision_manual")
	n := waitEvent(t, live, server.EventNotificationNew, "kyc_revision_manual")
	var note Notification
	if err := json.Unmarshal(n.Data, &note); err != nil || note.ClientID != client || note.LeadID != lead || !strings.Contains(note.Message, "650000000000000000000001") {
		t.Errorf("notification %s: %v", n.Data, err)
	}
	recs := e.app.Dev.Airtable.Records(DefaultAirtableTable)
	if len(recs) != 1 || recs[0].Fields["Verificación"] != "650000000000000000000001" || fmt.Sprint(recs[0].Fields["Oportunidad ID"]) != fmt.Sprint(lead) {
		t.Fatalf("Airtable tasks %+v", recs)
	}
	if st := docStatus("ine"); st != "revision_manual" {
		t.Errorf("document ine is %q", st)
	}
	if p, _ := e.app.Dev.Odoo.Get("res.partner", client); p["x_cmu_kyc_status"] != "revision_manual" {
		t.Errorf("client KYC status %v", p["x_cmu_kyc_status"])
	}
	// MetaMap notifies again (a new delivery of the same review): no second task.
	review.Timestamp = review.Timestamp.Add(time.Minute)
	deliver(review)
	eventually(t, "MetaMap inbox drained", func() bool {
		ds, err := e.app.Inbox.List(ctx, webhooks.ListOptions{Provider: "metamap", State: webhooks.StateDone})
		return err == nil && len(ds) == 2
	})
	if recs := e.app.Dev.Airtable.Records(DefaultAirtableTable); len(recs) != 1 {
		t.Errorf("%d Airtable tasks after a repeated review", len(recs))
	}

	// Approved after review; a rejected CURP by alteration detection.
	deliver(metamaptest.Payload{EventName: metamap.EventVerificationUpdated, VerificationID: "650000000000000000000001",
		IdentityStatus: metamap.StatusVerified, Status: metamap.StatusVerified, Metadata: map[string]any{"lead_id": fmt.Sprint(lead)}})
	deliver(metamaptest.Payload{EventName: metamap.EventStepCompleted, VerificationID: "650000000000000000000002", StepID: metamap.StepAlterationDetection,
		StepErrorCode: metamap.CodeFraudAttempt, StepErrorType: "StepError", Metadata: map[string]any{"lead_id": lead, "document": "curp"}})
	eventually(t, "document statuses", func() bool { return docStatus("ine") == "aprobado" && docStatus("curp") == "rechazado" })
	waitEvent(t, live, server.EventLogNew, "kyc_rechazado")
	// A verification for an unknown lead is dead-lettered, not retried.
	deliver(metamaptest.Payload{EventName: metamap.EventVerificationCompleted, VerificationID: "650000000000000000000003",
		IdentityStatus: metamap.StatusVerified, Metadata: map[string]any{"lead_id": "L-0001"}})
	eventually(t, "dead letter", func() bool {
		ds, err := e.app.Inbox.List(ctx, webhooks.ListOptions{Provider: "metamap", State: webhooks.StateDead})
		return err == nil && len(ds) == 1
	})
}

func TestGNVSweepAndOpportunity(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	e.sendGNV(t, "sweep-1", gnv.Batch{BatchID: "B-SWEEP", Date: "2026-11-21", Records: []gnv.Record{
		{TransactionID: "S-1", RawPlates: "QRS-777", StationID: "EST001", Litres: decimalOf(t, "20"), SurchargeCollected: decimalOf(t, "30.00"), OccurredAt: at}}})
	eventually(t, "waiting row", func() bool { w, err := e.app.GNV.ListUnmatched(ctx, "QRS777", 0); return err == nil && len(w) == 1 })
	// The plates are registered in Odoo directly; the cron sweep applies the row.
	client := e.app.Dev.Seed.Clients[11]
	plates := "QRS777"
	if err := e.app.CMU.UpdateClient(ctx, client, cmu.ClientUpdate{Plates: &plates}); err != nil {
		t.Fatal(err)
	}
	if err := e.app.GNV.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if ls := e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:S-1"); len(ls) != 1 || ls[0]["partner_id"] != client {
		t.Errorf("swept consumption %v", ls)
	}
	if w, _ := e.app.GNV.ListUnmatched(ctx, "", 0); len(w) != 0 {
		t.Errorf("still waiting %v", w)
	}

	// The opportunity process is wired (server/app/opportunity).
	lead := e.app.Dev.Seed.Leads[0]
	var out server.OpportunityProcessResponse
	e.want(200, "PUT", fmt.Sprintf("/opportunity/update-opportunity-procces/%d", lead), map[string]any{"cLastNameFather": "Pérez"}, &out)
	if !out.Success || out.Opportunity == nil || out.Opportunity.ID != lead {
		t.Errorf("opportunity update %+v", out)
	}
	b := e.want(400, "PUT", fmt.Sprintf("/opportunity/update-opportunity-procces/%d", lead), map[string]any{"cAppointment": "15:30 - 16:00", "cDateReservation": "2026-03-02"}, nil)
	if !strings.Contains(string(b), "El campo reservationId no puede estar vacío") {
		t.Errorf("appointment without reservation: %s", b)
	}
}

// TestBuildProduction builds from a production configuration whose URLs,
// keys and secrets point at fakes started here: real clients from config.
func TestBuildProduction(t *testing.T) {
	ctx := t.Context()
	fo := odootest.NewServer(t)
	gf := gnvtest.New(gnvtest.Options{})
	gf.Start()
	t.Cleanup(gf.Close)
	cf := conektatest.New(conektatest.Options{})
	cf.Start()
	t.Cleanup(cf.Close)
	pem := filepath.Join(t.TempDir(), "conekta.pem")
	if err := os.WriteFile(pem, cf.PublicKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	dburl := "file:" + filepath.Join(t.TempDir(), "prod.db")
	cfg := server.Config{Mode: server.ModeProduction, Addr: "127.0.0.1:0", DatabaseURL: server.Secret(dburl), JWTSecret: testSecret,
		Odoo:    server.OdooConfig{URL: fo.URL, DB: fo.DB, User: fo.Login, Password: server.Secret(fo.Password), Protocol: "xmlrpc"},
		GNV:     server.GNVConfig{APIURL: gf.URL(), APIKey: server.Secret(gf.APIKey()), WebhookSecret: server.Secret(string(gf.Secret()))},
		Conekta: server.ConektaConfig{APIURL: cf.URL(), APIKey: server.Secret(cf.PrivateKey()), WebhookPublicKeyFile: pem},
		SPEI:    server.SPEIConfig{CLABE: "002010077777777771", Beneficiary: "CMU"}}

	if _, err := BuildWith(ctx, cfg, nil, Options{}); err == nil || !strings.Contains(err.Error(), "pending migrations") {
		t.Fatalf("production with an unmigrated database: %v", err)
	}
	db, err := server.OpenDB(ctx, dburl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, server.MigrateUp, nil); err != nil {
		t.Fatal(err)
	}
	db.Close()
	a, err := BuildWith(ctx, cfg, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if a.Dev != nil || a.Deps.GNV == nil || a.Deps.Webhooks[server.ProviderGNV] == nil || a.Deps.Webhooks[server.ProviderConekta] == nil ||
		a.Deps.Webhooks[server.ProviderMetaMap] != nil || a.Deps.Opportunity == nil {
		t.Fatalf("production wiring: dev %v, GNV %v, webhooks %v", a.Dev, a.Deps.GNV, a.Deps.Webhooks)
	}
	if _, err := a.CMU.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	seed, err := a.CMU.SeedDemo(ctx, cmu.SeedOptions{Clients: 3})
	if err != nil {
		t.Fatal(err)
	}
	link, err := a.Deps.Payments.ConektaLink(ctx, seed.Clients[0], decimalOf(t, "150.00"))
	if err != nil || !strings.HasPrefix(link.URL, cf.URL()) || cf.OrderCount() != 1 {
		t.Fatalf("link %+v %v", link, err)
	}
	sp, err := a.Deps.Payments.SPEIInstructions(ctx, seed.Clients[0], decimalOf(t, "30000.00"))
	if err != nil || sp.SPEI.CLABE != "002010077777777771" {
		t.Fatalf("SPEI %+v %v", sp, err)
	}
	if err := a.Deps.Probes[0].Check(ctx); err != nil {
		t.Errorf("Odoo probe: %v", err)
	}
}

func TestCreditOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	client := e.app.Dev.Seed.Clients[3]
	if err := e.app.Odoo.Write(ctx, odoo.ModelPartner, []int64{client}, map[string]any{"vat": "PEGJ800101AB1"}, nil); err != nil {
		t.Fatal(err)
	}
	var d server.CreditDecision
	e.want(200, "POST", "/api/credit/analyze", map[string]any{"clientId": client}, &d)
	if d.ClientID != client || (d.Decision != "Aprobado" && d.Decision != "Rechazado") {
		t.Errorf("decision %+v", d)
	}
	if p, _ := e.app.Dev.Odoo.Get(odoo.ModelPartner, client); p["x_cmu_credit_status"] != strings.ToLower(d.Decision) {
		t.Errorf("credit status %v after %s", p["x_cmu_credit_status"], d.Decision)
	}
	if e.app.Dev.Kiban.Queries() != 1 || e.app.Dev.Hase.Scored() != 1 {
		t.Errorf("providers: %d bureau queries, %d scores", e.app.Dev.Kiban.Queries(), e.app.Dev.Hase.Scored())
	}

	// A consent recorded by the advisor is the one used.
	other := e.app.Dev.Seed.Clients[4]
	nip := e.app.Dev.Kiban.Authorize("NIP-RECORDED-4")
	e.want(201, "POST", "/api/events", map[string]any{"clientId": other, "type": EventKibanConsent, "message": nip}, nil)
	got, err := historyConsents{svc: e.app.CMU}.ConsentID(ctx, other)
	if err != nil || got != nip {
		t.Errorf("recorded consent %q, %v", got, err)
	}
	if _, err := (historyConsents{svc: e.app.CMU}).ConsentID(ctx, e.app.Dev.Seed.Clients[5]); err == nil {
		t.Error("a client without consent has one")
	}
}

func TestContractsOverHTTP(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	client, lead := e.app.Dev.Seed.Clients[0], e.app.Dev.Seed.Leads[0] // has the demo payment plan
	var sent server.ContractSent
	e.want(201, "POST", "/api/contracts/send", map[string]any{"clientId": client, "contractType": "venta_plazo"}, &sent)
	if sent.DocumentID == "" || sent.ClientID != client {
		t.Fatalf("contract %+v", sent)
	}
	// Everybody signs at the (fake) Mifiel, which calls the server back
	// through the token URL; the lead moves to "Promesa Firmada".
	if _, err := e.app.Dev.Mifiel.SignAll(ctx, sent.DocumentID); err != nil {
		t.Fatal(err)
	}
	stage, err := e.app.CMU.Stage(ctx, cmu.StagePromesaFirmada)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "lead in Promesa Firmada", func() bool {
		l, _ := e.app.Dev.Odoo.Get(odoo.ModelLead, lead)
		return l["stage_id"] == stage
	})
	// A callback without the token is refused.
	st, _ := e.do("POST", "/api/contracts/webhook/mifiel", map[string]any{"id": sent.DocumentID}, nil)
	if st != 401 {
		t.Errorf("callback without token answered %d", st)
	}

	// A savings contract needs the surcharge of the client's GNV activation.
	saver, err := e.app.CMU.CreateClient(ctx, cmu.NewClient{Name: "Ahorradora Prueba Uno", Ref: "T-SAVER", Market: cmu.MarketEdomex,
		Contact: cmu.Contact{Email: "ahorro@example.com", Phone: "5511112222", VAT: "PEUA800101AB1"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.CMU.CreateOpportunity(ctx, cmu.NewOpportunity{ClientID: saver, Type: cmu.TypeFinancieroEdomex}); err != nil {
		t.Fatal(err)
	}
	e.want(201, "POST", "/api/savings-plans", map[string]any{"clientId": saver, "targetAmount": "40000.00"}, nil)
	b := e.want(422, "POST", "/api/contracts/send", map[string]any{"clientId": saver, "contractType": "ahorro"}, nil)
	if !strings.Contains(string(b), "sobreprecio") {
		t.Errorf("savings contract before activation: %s", b)
	}
	e.want(201, "POST", "/api/gnv/activate-collection", map[string]any{"clientId": saver, "placas": "SAV-123", "sobreprecio": "2.25"}, nil)
	e.want(201, "POST", "/api/contracts/send", map[string]any{"clientId": saver, "contractType": "ahorro"}, nil)
	sur, err := e.app.GNV.Surcharge(ctx, saver)
	if err != nil || sur.String() != "2.25" {
		t.Errorf("surcharge %s %v", sur, err)
	}
}

// TestPostgres runs the GNV flow (inbox, waiting table, activation) and the
// live events (LISTEN/NOTIFY broker) on PostgreSQL. It needs
// CMU_TEST_POSTGRES_DSN and uses a schema of its own.
func TestPostgres(t *testing.T) {
	dsn := os.Getenv("CMU_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("CMU_TEST_POSTGRES_DSN is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	ctx := t.Context()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("app_test_%d", time.Now().UnixNano())
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	e := newEnvDB(t, 20, dsn+sep+"search_path="+schema)
	live := e.dialWS()
	// Events published before the broker's LISTEN connection is up are lost
	// (documented on server.PostgresBroker); wait until one makes the round
	// trip through PostgreSQL before starting the flow.
	waitLive(t, e, live)
	at := time.Date(2026, 11, 21, 14, 3, 0, 0, time.UTC)
	c := e.sendGNV(t, "pg-1", gnv.Batch{BatchID: "B-PG", Date: "2026-11-21", Records: []gnv.Record{
		{TransactionID: "P-1", RawPlates: "000-A0", StationID: "EST042", Litres: decimalOf(t, "40.000"), SurchargeCollected: decimalOf(t, "60.00"), OccurredAt: at},
		{TransactionID: "P-2", RawPlates: "PGX-001", StationID: "EST042", Litres: decimalOf(t, "30.500"), SurchargeCollected: decimalOf(t, "45.75"), OccurredAt: at}}})
	if c.Accepted != 1 || c.Unmatched != 1 {
		t.Fatalf("counts %+v", c)
	}
	waitEvent(t, live, server.EventNotificationNew, "PGX001")
	var w []UnmatchedConsumption
	eventually(t, "waiting row", func() bool { w, err = e.app.GNV.ListUnmatched(ctx, "", 0); return err == nil && len(w) == 1 })
	if w[0].Amount.String() != "45.75" || w[0].Litres.String() != "30.5" || !w[0].OccurredAt.Equal(at) {
		t.Errorf("waiting row %+v", w[0])
	}
	owner := e.app.Dev.Seed.Clients[7]
	e.want(201, "POST", "/api/gnv/activate-collection", map[string]any{"clientId": owner, "placas": "PGX-001", "sobreprecio": "1.50"}, nil)
	if ls := e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:P-2"); len(ls) != 1 || ls[0]["partner_id"] != owner {
		t.Errorf("applied %v", ls)
	}
	if w, err := e.app.GNV.ListUnmatched(ctx, "", 0); err != nil || len(w) != 0 {
		t.Errorf("still waiting %v %v", w, err)
	}
}

// TestOdooOutage: while Odoo answers 503 (a proxy in front of it), every
// webhook delivery is still accepted (the inbox does not depend on Odoo) and
// none is lost: once Odoo is back, the processor's retries apply all of them.
// CMU_SOAK_SECONDS lengthens the outage (default 3).
func TestOdooOutage(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	outage := 3 * time.Second
	if v := os.Getenv("CMU_SOAK_SECONDS"); v != "" {
		if d, err := time.ParseDuration(v + "s"); err == nil {
			outage = d
		}
	}
	fo := e.app.Dev.Odoo
	lead := e.app.Dev.Seed.Leads[2]
	fo.InjectFault(odootest.Fault{Kind: odootest.HTTPStatus, Status: 503})
	at := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	start := time.Now()
	sent := 0
	var slowest time.Duration
	for i := 0; time.Since(start) < outage; i++ {
		d, err := e.app.Dev.GNV.SignedDelivery(fmt.Sprintf("out-%d", i), gnv.Batch{BatchID: fmt.Sprintf("B-OUT-%d", i), Date: "2026-11-21",
			Records: []gnv.Record{{TransactionID: fmt.Sprintf("O-%d", i), RawPlates: "000-A0", StationID: "EST9", Litres: decimalOf(t, "10"),
				SurchargeCollected: decimalOf(t, "15.00"), OccurredAt: at}}})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		resp, err := d.Send(ctx, e.hc, e.url+"/api/gnv/webhook/consumption")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("delivery %d during the outage answered %d", i, resp.StatusCode)
		}
		slowest = max(slowest, time.Since(t0))
		sent++
		time.Sleep(100 * time.Millisecond)
	}
	md, err := e.app.Dev.MetaMap.SignedEvent(metamaptest.Payload{EventName: metamap.EventVerificationCompleted, VerificationID: "650000000000000000000009",
		IdentityStatus: metamap.StatusVerified, Metadata: map[string]any{"lead_id": fmt.Sprint(lead)}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := md.Send(ctx, e.hc, e.url+"/api/kyc/webhook/metamap")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("MetaMap delivery during the outage answered %d", resp.StatusCode)
	}
	if n := len(e.records("account.analytic.line", "x_cmu_transaction_id", "gnv:O-0")); n != 0 {
		t.Fatalf("applied while Odoo was down")
	}
	fo.ClearFaults()
	deadline := time.Now().Add(45 * time.Second)
	for {
		done, err := e.app.Inbox.List(ctx, webhooks.ListOptions{State: webhooks.StateDone, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(done) == sent+1 {
			break
		}
		if time.Now().After(deadline) {
			dead, _ := e.app.Inbox.List(ctx, webhooks.ListOptions{State: webhooks.StateDead})
			t.Fatalf("%d of %d deliveries done after Odoo came back (%d dead)", len(done), sent+1, len(dead))
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i := range sent {
		if n := len(e.records("account.analytic.line", "x_cmu_transaction_id", fmt.Sprintf("gnv:O-%d", i))); n != 1 {
			t.Errorf("consumption O-%d recorded %d times", i, n)
		}
	}
	t.Logf("%d GNV deliveries (slowest intake %s) and 1 MetaMap delivery accepted during a %s Odoo outage, all applied after it", sent, slowest, outage)
}

// Consumption of unknown plates is listed over HTTP (GET /api/gnv/unmatched,
// filtered by plates in any spelling, paginated) until registering the
// plates applies it.
func TestGNVUnmatchedListedOverHTTP(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 22, 8, 30, 0, 0, time.UTC)
	if c := e.sendGNV(t, "unmatched-http-1", gnv.Batch{BatchID: "B-UNM", Date: "2026-11-22", Records: []gnv.Record{
		{TransactionID: "U-1", RawPlates: "LST-001", StationID: "EST007", Litres: decimalOf(t, "20.000"), SurchargeCollected: decimalOf(t, "30.00"), OccurredAt: at},
		{TransactionID: "U-2", RawPlates: "LST-001", StationID: "EST007", Litres: decimalOf(t, "10.500"), SurchargeCollected: decimalOf(t, "15.75"), OccurredAt: at.Add(time.Hour)},
		{TransactionID: "U-3", RawPlates: "LST-002", StationID: "EST008", Litres: decimalOf(t, "5.000"), SurchargeCollected: decimalOf(t, "7.50"), OccurredAt: at}}}); c.Unmatched != 3 || c.Accepted != 0 {
		t.Fatalf("counts %+v", c)
	}

	var all server.UnmatchedGNVPage
	eventually(t, "three waiting rows listed", func() bool {
		all = server.UnmatchedGNVPage{}
		st, _ := e.do("GET", "/api/gnv/unmatched", nil, &all)
		return st == http.StatusOK && all.Total == 3
	})
	if len(all.Items) != 3 || all.Page != 1 || all.PageSize != 50 {
		t.Fatalf("list %+v", all)
	}
	var mine server.UnmatchedGNVPage
	e.want(200, "GET", "/api/gnv/unmatched?placas=lst-001&pageSize=1&page=2", nil, &mine)
	if mine.Total != 2 || len(mine.Items) != 1 || mine.Page != 2 || mine.PageSize != 1 {
		t.Fatalf("filtered page %+v", mine)
	}
	if u := mine.Items[0]; u.TransactionID != "U-2" || u.Plates != "LST001" || u.Station != "EST007" || u.Amount.String() != "15.75" ||
		u.Litres.String() != "10.5" || !u.OccurredAt.Equal(at.Add(time.Hour)) || u.AppliedAt != nil {
		t.Errorf("second row of LST-001 %+v", u)
	}
	if st, b := e.do("GET", "/api/gnv/unmatched?placas=a%20b", nil, nil); st != http.StatusBadRequest || !strings.Contains(string(b), "placas") {
		t.Errorf("invalid plates: %d %s", st, b)
	}

	// Registering LST-001 applies its two records; only LST-002's stays listed.
	owner := e.app.Dev.Seed.Clients[5]
	e.want(201, "POST", "/api/gnv/activate-collection", map[string]any{"clientId": owner, "placas": "LST-001", "sobreprecio": "1.50"}, nil)
	for _, tx := range []string{"gnv:U-1", "gnv:U-2"} {
		if ls := e.records("account.analytic.line", "x_cmu_transaction_id", tx); len(ls) != 1 || ls[0]["partner_id"] != owner {
			t.Errorf("%s applied as %v", tx, ls)
		}
	}
	var left server.UnmatchedGNVPage
	e.want(200, "GET", "/api/gnv/unmatched", nil, &left)
	if left.Total != 1 || len(left.Items) != 1 || left.Items[0].TransactionID != "U-3" {
		t.Errorf("after activation %+v", left)
	}
	e.want(200, "GET", "/api/gnv/unmatched?placas=LST001", nil, &left)
	if left.Total != 0 || left.Items == nil || len(left.Items) != 0 {
		t.Errorf("LST-001 still listed %+v", left)
	}
}

// The Mifiel callback URL is built on CMU_PUBLIC_URL (the proxy's URL) when
// set, and on the listen address otherwise.
func TestContractCallbackURLIsPublic(t *testing.T) {
	for _, tc := range []struct {
		name, public string
		want         func(e *env) string
	}{
		{"listen address by default", "", func(e *env) string { return e.url + "/api/contracts/webhook/mifiel?token=" }},
		{"public URL behind a proxy", "https://cmu.example.com/backend",
			func(*env) string { return "https://cmu.example.com/backend/api/contracts/webhook/mifiel?token=" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvConfig(t, 20, "file:"+filepath.Join(t.TempDir(), "cmu.db"), func(c *server.Config) { c.PublicURL = tc.public })
			var sent server.ContractSent
			e.want(201, "POST", "/api/contracts/send", map[string]any{"clientId": e.app.Dev.Seed.Clients[0], "contractType": "venta_plazo"}, &sent)
			d, ok := e.app.Dev.Mifiel.Document(sent.DocumentID)
			if !ok {
				t.Fatalf("document %s not at the fake", sent.DocumentID)
			}
			if want := tc.want(e); !strings.HasPrefix(d.CallbackURL, want) || len(d.CallbackURL) == len(want) {
				t.Errorf("callback_url %q, want %q followed by the token", d.CallbackURL, want)
			}
		})
	}
}

// With a real (here: separately started) Mifiel and no CMU_PUBLIC_URL, the
// server warns at start that Mifiel is told to call back the listen
// address; with CMU_PUBLIC_URL, or with the development fake, it does not.
func TestPublicURLWarning(t *testing.T) {
	m := mifieltest.New(mifieltest.Options{})
	t.Cleanup(m.Close)
	for _, tc := range []struct {
		name      string
		mod       func(*server.Config)
		wantWarns bool
	}{
		{"external Mifiel, no public URL", func(c *server.Config) {}, true},
		{"external Mifiel, public URL", func(c *server.Config) { c.PublicURL = "https://api.cmu.example" }, false},
		{"development fake", func(c *server.Config) { c.Mifiel = server.MifielConfig{} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			cfg := server.Config{Mode: server.ModeDevelopment, Addr: "127.0.0.1:0", JWTSecret: testSecret,
				DatabaseURL: server.Secret("file:" + filepath.Join(t.TempDir(), "cmu.db")),
				Mifiel:      server.MifielConfig{APIURL: m.BaseURL(), AppID: m.AppID(), AppSecret: server.Secret(m.AppSecret()), CallbackToken: "tok"}}
			tc.mod(&cfg)
			a, err := BuildWith(t.Context(), cfg, slog.New(slog.NewTextHandler(&logs, nil)), Options{SeedClients: 1})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Close(); err != nil {
				t.Error(err)
			}
			if got := strings.Contains(logs.String(), "CMU_PUBLIC_URL is unset"); got != tc.wantWarns {
				t.Errorf("warned %v, want %v; logs:\n%s", got, tc.wantWarns, logs.String())
			}
		})
	}
}
