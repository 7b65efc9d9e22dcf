package contracts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/mifiel"
	"github.com/cmu-mx/cmu/providers/mifiel/mifieltest"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/contracts"
	"github.com/cmu-mx/cmu/server/internal/servertest"
	"github.com/cmu-mx/cmu/webhooks"
	"github.com/golang-jwt/jwt/v5"
	"github.com/shopspring/decimal"
)

const (
	testSecret     = "contracts-test-secret-0123456789abcdef"
	callbackSecret = "mifiel-callback-secret"
)

type env struct {
	t      *testing.T
	odoo   *odootest.Server
	cmu    *cmu.Service
	mifiel *mifieltest.Server
	svc    *contracts.Service
	broker *servertest.RecordingBroker
	http   *httptest.Server
	auth   *server.Authenticator
	inbox  *webhooks.SQLStore
	seed   *cmu.SeedResult
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := t.Context()
	now := func() time.Time { return time.Now().UTC() } // Mifiel's Date header must be near the fake's clock
	e := &env{t: t, broker: &servertest.RecordingBroker{}}
	var oc *odoo.Client
	e.odoo, oc, e.cmu = servertest.Odoo(t, nil)
	var err error
	if e.seed, err = e.cmu.SeedDemo(ctx, cmu.SeedOptions{Clients: 6}); err != nil {
		t.Fatal(err)
	}
	e.mifiel = mifieltest.New(mifieltest.Options{CallbackSecret: callbackSecret})
	t.Cleanup(e.mifiel.Close)
	mc, err := mifiel.New(mifiel.Config{BaseURL: e.mifiel.BaseURL(), AppID: e.mifiel.AppID(), AppSecret: e.mifiel.AppSecret(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	hub := server.NewHub(server.HubOptions{Broker: e.broker})
	t.Cleanup(hub.Close)

	// The Mifiel webhook: intake (HMAC verifier, SQLite inbox) and processor.
	e.inbox, err = webhooks.OpenSQLite(ctx, filepath.Join(t.TempDir(), "inbox.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.inbox.Close() })
	if err := e.inbox.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.http = httptest.NewServer(mux)
	t.Cleanup(e.http.Close)
	e.svc, err = contracts.New(contracts.Config{Odoo: oc, CMU: e.cmu, Mifiel: mc, Hub: hub, Now: now,
		CallbackURL: e.http.URL + "/api/contracts/webhook/mifiel", CallbackToken: "tok-123",
		CompanySigners: []mifiel.Signer{{Name: "Representante CMu", Email: "legal@cmu.mx", TaxID: "CMU200101AAA"}},
		Surcharge: func(_ context.Context, id int64) (decimal.Decimal, error) {
			return decimal.RequireFromString("1.50"), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	proc, err := webhooks.NewProcessor(webhooks.ProcessorConfig{Store: e.inbox, PollInterval: 20 * time.Millisecond,
		Handlers: map[string]webhooks.HandlerFunc{string(server.ProviderMifiel): e.svc.ProcessCallback}})
	if err != nil {
		t.Fatal(err)
	}
	intake, err := webhooks.NewHandler(webhooks.HandlerConfig{Provider: string(server.ProviderMifiel), Inbox: e.inbox, Notify: proc.Wake,
		Verifier: &mifiel.CallbackVerifier{Scheme: mifiel.SchemeHMAC, Secrets: []string{callbackSecret}}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { proc.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	srv, err := server.NewServer(server.Config{Mode: server.ModeDevelopment, JWTSecret: testSecret, Mifiel: server.MifielConfig{CallbackToken: "tok-123"}},
		server.Deps{Hub: hub, Contracts: e.svc, Webhooks: map[server.Provider]http.Handler{server.ProviderMifiel: intake}})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", srv)
	e.auth = srv.Authenticator()
	return e
}

func (e *env) send(clientID int64, typ string) (int, []byte) {
	e.t.Helper()
	tok, err := e.auth.Sign(server.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "asesor-1"}, Role: server.RoleAdmin}, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return servertest.Do(e.t, http.MethodPost, e.http.URL+"/api/contracts/send", tok, fmt.Sprintf(`{"clientId":%d,"contractType":%q}`, clientID, typ))
}

func (e *env) notes(model string, id int64, typ string) int {
	n := 0
	for _, m := range e.odoo.Records(odoo.ModelMessage) {
		if m["model"] == model && m["res_id"] == id && m["subject"] == "cmu:"+typ {
			n++
		}
	}
	return n
}

func (e *env) stage(lead int64) string {
	l, _ := e.odoo.Get(odoo.ModelLead, lead)
	var id int64
	switch v := l["stage_id"].(type) {
	case int64:
		id = v
	case []any:
		id, _ = v[0].(int64)
	}
	st, _ := e.odoo.Get(odoo.ModelStage, id)
	name, _ := st["name"].(string)
	return name
}

func (e *env) posts() int {
	n := 0
	for _, r := range e.mifiel.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/documents") {
			n++
		}
	}
	return n
}

func TestSendAndSignedByAll(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client, lead := e.seed.Clients[0], e.seed.Leads[0]
	var sent server.ContractSent
	for i := range 2 { // a retry reuses the document
		code, body := e.send(client, "venta_plazo")
		if code != http.StatusCreated {
			t.Fatalf("send %d: %d %s", i, code, body)
		}
		var got server.ContractSent
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.DocumentID == "" || got.ClientID != client || got.ContractType != "venta_plazo" || got.Status != "pendiente_firma" ||
			(i == 1 && got.DocumentID != sent.DocumentID) {
			t.Fatalf("send %d: %+v", i, got)
		}
		sent = got
	}
	if n := e.posts(); n != 1 {
		t.Fatalf("%d documents created, want 1", n)
	}
	doc, ok := e.mifiel.Document(sent.DocumentID)
	if !ok || doc.ExternalID != contracts.Folio(client, lead, mifiel.VentaPlazo) || !strings.Contains(doc.CallbackURL, "token=tok-123") {
		t.Fatalf("document = %+v", doc)
	}
	if e.notes(odoo.ModelPartner, client, contracts.EventSent) != 1 || e.notes(odoo.ModelLead, lead, contracts.EventSent) != 1 {
		t.Fatal("sent note not posted once on client and lead")
	}

	// Everybody signs: Mifiel calls back; the intake stores, the processor moves the lead.
	dels, err := e.mifiel.SignAll(t.Context(), sent.DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(dels) == 0 {
		t.Fatal("no callback delivered")
	}
	for _, d := range dels {
		if d.Status != http.StatusOK {
			t.Fatalf("callback answered %d (%v)", d.Status, d.Err)
		}
	}
	final := dels[len(dels)-1] // the signed_by_all callback
	waitFor(t, func() bool {
		return e.stage(lead) == cmu.StagePromesaFirmada && e.notes(odoo.ModelLead, lead, contracts.EventSigned) == 1
	})
	if e.notes(odoo.ModelPartner, client, contracts.EventSigned) != 1 {
		t.Fatal("signed note not on the client")
	}
	writes := e.odoo.Calls(odoo.ModelLead, "write")
	events := e.broker.Count("contract_signed")

	// Delivered twice: Mifiel retries (intake dedup) and a reprocessing of the
	// stored delivery (at-least-once processing) change nothing.
	if d, err := e.mifiel.Redeliver(t.Context(), sent.DocumentID); err != nil || d.Status != http.StatusOK {
		t.Fatalf("redeliver: %+v %v", d, err)
	}
	hdr := final.Header.Clone()
	if err := e.svc.ProcessCallback(t.Context(), webhooks.Delivery{Provider: "mifiel", EventID: sent.DocumentID + ":signed_by_all",
		Header: hdr, Body: final.Body}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // let the processor see the (duplicate) redelivery
	if got := e.odoo.Calls(odoo.ModelLead, "write"); got != writes {
		t.Fatalf("lead written again: %d writes, had %d", got, writes)
	}
	if e.notes(odoo.ModelLead, lead, contracts.EventSigned) != 1 || e.notes(odoo.ModelPartner, client, contracts.EventSigned) != 1 {
		t.Fatal("signed note duplicated")
	}
	if got := e.broker.Count("contract_signed"); got != events || events != 1 {
		t.Fatalf("contract_signed published %d times (had %d)", got, events)
	}
}

func TestUnconfirmedCallbackDoesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	client, lead := e.seed.Clients[0], e.seed.Leads[0]
	code, body := e.send(client, "ahorro")
	if code != http.StatusCreated {
		t.Fatalf("%d %s", code, body)
	}
	var sent server.ContractSent
	json.Unmarshal(body, &sent)
	// A forged "signed" callback for a document Mifiel says is unsigned.
	forged := []byte(fmt.Sprintf(`{"id":%q,"external_id":%q,"signed_by_all":true,"signed":true}`, sent.DocumentID,
		contracts.Folio(client, lead, mifiel.Ahorro)))
	err := e.svc.ProcessCallback(t.Context(), webhooks.Delivery{Provider: "mifiel", EventID: sent.DocumentID + ":signed_by_all",
		Header: http.Header{"Content-Type": {"application/json"}}, Body: forged})
	if err != nil {
		t.Fatal(err)
	}
	if e.stage(lead) == cmu.StagePromesaFirmada || e.notes(odoo.ModelLead, lead, contracts.EventSigned) != 0 {
		t.Fatal("an unconfirmed callback moved the lead")
	}
	if err := e.svc.ProcessCallback(t.Context(), webhooks.Delivery{Provider: "mifiel", Body: []byte("not json"),
		Header: http.Header{"Content-Type": {"application/json"}}}); !webhooks.IsPermanent(err) {
		t.Fatalf("malformed callback: %v", err)
	}
}

func TestSendRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	noLead, err := e.cmu.CreateClient(t.Context(), cmu.NewClient{Name: "Sin Oportunidad", Market: cmu.MarketEdomex,
		Contact: cmu.Contact{Email: "x@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		client int64
		typ    string
		status int
		msg    string
	}{
		{e.seed.Clients[0], "arrendamiento", 400, "contractType"},
		{noLead, "venta_plazo", 422, "no tiene una oportunidad"},
		{999999, "ahorro", 404, "No encontrado"},
	} {
		code, body := e.send(tc.client, tc.typ)
		if code != tc.status || !strings.Contains(string(body), tc.msg) {
			t.Errorf("%d %s: got %d %s", tc.client, tc.typ, code, body)
		}
	}
	if n := e.posts(); n != 0 {
		t.Fatalf("%d documents created", n)
	}
}

func TestSendEachType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, typ := range mifiel.ContractTypes() {
		code, body := e.send(e.seed.Clients[0], string(typ))
		if code != http.StatusCreated {
			t.Fatalf("%s: %d %s", typ, code, body)
		}
		var sent server.ContractSent
		if err := json.Unmarshal(body, &sent); err != nil {
			t.Fatal(err)
		}
		if doc, ok := e.mifiel.Document(sent.DocumentID); !ok || doc.ExternalID != contracts.Folio(e.seed.Clients[0], e.seed.Leads[0], typ) {
			t.Fatalf("%s: document %+v", typ, doc)
		}
	}
	if n := e.posts(); n != 3 {
		t.Fatalf("%d documents, want 3", n)
	}
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
