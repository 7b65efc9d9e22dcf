package opportunity_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/cmu-mx/cmu/providers/mifact"
	"github.com/cmu-mx/cmu/providers/mifact/mifacttest"
	"github.com/cmu-mx/cmu/providers/sv"
	"github.com/cmu-mx/cmu/providers/sv/svtest"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/server/app/opportunity"
	"github.com/cmu-mx/cmu/server/internal/servertest"
	"github.com/golang-jwt/jwt/v5"
)

const testSecret = "opportunity-test-secret-0123456789abcdef"

func fixedNow() time.Time { return time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC) }

type env struct {
	t      *testing.T
	odoo   *odootest.Server
	cmu    *cmu.Service
	mifact *mifacttest.Server
	sv     *svtest.Server
	db     *server.DB
	svc    *opportunity.Service
	broker *servertest.RecordingBroker
	http   *httptest.Server
	auth   *server.Authenticator
	client int64
	lead   int64
}

type envOptions struct {
	maxPDF int64
	// dbURL is the server database (default: a fresh SQLite file).
	dbURL string
}

// postgresDSN returns CMU_TEST_POSTGRES_DSN with a fresh schema as
// search_path (dropped after the test), or skips the test.
func postgresDSN(t *testing.T) string { return servertest.PostgresDSN(t, "app_opportunity_test_") }

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	ctx := t.Context()
	e := &env{t: t, broker: &servertest.RecordingBroker{}}
	var oc *odoo.Client
	e.odoo, oc, e.cmu = servertest.Odoo(t, fixedNow)
	var err error
	e.client, err = e.cmu.CreateClient(ctx, cmu.NewClient{Name: "Juan Pérez López", Market: cmu.MarketEdomex, Plates: "ABC-123-D",
		Contact: cmu.Contact{Email: "juan@example.com", VAT: "PELJ800101AB1"}})
	if err != nil {
		t.Fatal(err)
	}
	e.lead = e.odoo.SeedT(t, odoo.ModelLead, map[string]any{"name": "Juan: consulta", "type": "opportunity", "partner_id": e.client})[0]

	e.mifact = mifacttest.New(mifacttest.Options{})
	t.Cleanup(e.mifact.Close)
	mf, err := mifact.New(mifact.Config{BaseURL: e.mifact.URL, Username: e.mifact.Username(), Password: e.mifact.Password(),
		MaxPDFBytes: o.maxPDF, DownloadTimeout: 5 * time.Second, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	e.sv = svtest.New(svtest.Options{})
	t.Cleanup(e.sv.Close)
	svc, err := sv.New(sv.Config{BaseURL: e.sv.URL, APIKey: e.sv.APIKey(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if o.dbURL == "" {
		o.dbURL = "file:" + filepath.Join(t.TempDir(), "server.db")
	}
	e.db, err = server.OpenDB(ctx, o.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	if _, err := e.db.Migrate(ctx, server.MigrateUp, nil); err != nil {
		t.Fatal(err)
	}
	hub := server.NewHub(server.HubOptions{Broker: e.broker})
	t.Cleanup(hub.Close)
	e.svc, err = opportunity.New(opportunity.Config{Odoo: oc, CMU: e.cmu, Mifact: mf, SV: svc, DB: e.db, Hub: hub, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.NewServer(server.Config{Mode: server.ModeDevelopment, JWTSecret: testSecret, BodyLimitBytes: 64 << 10},
		server.Deps{DB: e.db, Hub: hub, Opportunity: e.svc, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	e.http = httptest.NewServer(srv)
	t.Cleanup(e.http.Close)
	e.auth = srv.Authenticator()
	return e
}

func (e *env) token() string {
	e.t.Helper()
	tok, err := e.auth.Sign(server.Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "asesor-1"}, Name: "Ana Asesora",
		Clients: []int64{e.client}}, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type response struct {
	Status int
	Body   []byte
}

// put sends the opportunity-process request for the env's lead.
func (e *env) put(body string) response {
	e.t.Helper()
	return e.putLead(e.lead, body)
}

func (e *env) putLead(lead int64, body string) response {
	e.t.Helper()
	st, b := servertest.Do(e.t, http.MethodPut, e.http.URL+"/opportunity/update-opportunity-procces/"+strconv.FormatInt(lead, 10), e.token(), body)
	return response{Status: st, Body: b}
}

// opportunityOf decodes a 200 answer.
func (e *env) opportunityOf(r response) map[string]any {
	e.t.Helper()
	if r.Status != http.StatusOK {
		e.t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var body struct {
		Success     bool           `json:"success"`
		Message     string         `json:"message"`
		Opportunity map[string]any `json:"opportunity"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		e.t.Fatal(err)
	}
	if !body.Success || body.Message != "Opportunity updated successfully" || body.Opportunity == nil {
		e.t.Fatalf("body = %s", r.Body)
	}
	return body.Opportunity
}

func (e *env) leadRecord() map[string]any {
	e.t.Helper()
	l, ok := e.odoo.Get(odoo.ModelLead, e.lead)
	if !ok {
		e.t.Fatal("lead gone")
	}
	return l
}

// records returns the records of model linked to the env's lead.
func (e *env) linked(model, resModelField string) []map[string]any {
	var out []map[string]any
	for _, r := range e.odoo.Records(model) {
		if r[resModelField] == odoo.ModelLead && toInt(r["res_id"]) == e.lead {
			out = append(out, r)
		}
	}
	return out
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func (e *env) rows() []map[string]any {
	e.t.Helper()
	rows, err := e.db.SQL.QueryContext(e.t.Context(), `SELECT opportunity_id, service_order_id, metadata, facturado,
		COALESCE(invoice_result_head_id, 0), COALESCE(url_soles, ''), last_checked_at IS NOT NULL FROM opportunity_service_order ORDER BY service_order_id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var opp, meta, soles string
		var so, head int64
		var fact, checked bool
		if err := rows.Scan(&opp, &so, &meta, &fact, &head, &soles, &checked); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, map[string]any{"opportunity_id": opp, "service_order_id": so, "metadata": meta, "facturado": fact,
			"head": head, "url_soles": soles, "checked": checked})
	}
	return out
}

func cmuClient(name string) cmu.NewClient {
	return cmu.NewClient{Name: name, Market: cmu.MarketAguascalientes, Contact: cmu.Contact{Email: "otra@example.com"}}
}
