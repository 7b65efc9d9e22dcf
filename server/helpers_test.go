package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/shopspring/decimal"
)

const testSecret = "test-secret-0123456789abcdef-0123456789"

// testEnv is a server over real HTTP with a migrated SQLite database.
type testEnv struct {
	t    *testing.T
	srv  *Server
	http *httptest.Server
	db   *DB
	auth *Authenticator
}

func testConfig() Config {
	return Config{Mode: ModeDevelopment, JWTSecret: testSecret, BodyLimitBytes: 64 << 10}
}

func openTestSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := OpenDB(t.Context(), "file:"+filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context(), MigrateUp, nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// newTestEnv starts a server; deps.DB defaults to a fresh SQLite database.
func newTestEnv(t *testing.T, cfg Config, deps Deps) *testEnv {
	t.Helper()
	if deps.DB == nil {
		deps.DB = openTestSQLite(t)
	}
	srv, err := NewServer(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	t.Cleanup(srv.Hub().Close)
	return &testEnv{t: t, srv: srv, http: hs, db: deps.DB, auth: srv.Authenticator()}
}

// token signs a token for advisor sub with the given claims tweaks.
func (e *testEnv) token(sub string, mod func(*Claims)) string {
	e.t.Helper()
	c := Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: sub}}
	if mod != nil {
		mod(&c)
	}
	tok, err := e.auth.Sign(c, time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

func (e *testEnv) adminToken() string {
	return e.token("admin-1", func(c *Claims) { c.Role = RoleAdmin })
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) errorBody(t *testing.T) ErrorBody {
	t.Helper()
	var eb ErrorBody
	if err := json.Unmarshal(r.Body, &eb); err != nil {
		t.Fatalf("error body %q: %v", r.Body, err)
	}
	return eb
}

// do sends a request; body may be a string, []byte or a value to encode.
func (e *testEnv) do(method, path, token string, body any, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.http.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// fakeServices implements every service interface, recording calls.
type fakeServices struct {
	mu      sync.Mutex
	calls   []string
	markets map[int64]Market
	delay   time.Duration
	fail    error
	last    any
}

func (f *fakeServices) record(name string, v any) error {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	f.last = v
	d, err := f.delay, f.fail
	f.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	return err
}

func (f *fakeServices) count(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == name {
			n++
		}
	}
	return n
}

func (f *fakeServices) lastArg() any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *fakeServices) deps() Deps {
	return Deps{Clients: f, Plans: f, Groups: f, Cotizador: f, GNV: f, GNVUnmatched: f, Payments: f, Contracts: f, Credit: f, Opportunity: f, Webhooks: map[Provider]http.Handler{
		ProviderGNV: f.intake(ProviderGNV), ProviderConekta: f.intake(ProviderConekta), ProviderMetaMap: f.intake(ProviderMetaMap), ProviderMifiel: f.intake(ProviderMifiel)}}
}

func (f *fakeServices) market(id int64) Market {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.markets[id]; ok {
		return m
	}
	return MarketEdomex
}

func (f *fakeServices) ListClients(_ context.Context, p ListClientsParams) (*ClientPage, error) {
	if err := f.record("ListClients", p); err != nil {
		return nil, err
	}
	return &ClientPage{Items: []Client{{ID: 7, Name: "Ana", Market: MarketEdomex}}, Page: p.Page, PageSize: p.PageSize, Total: 1}, nil
}

func (f *fakeServices) ListUnmatchedGNV(_ context.Context, p ListUnmatchedGNVParams) (*UnmatchedGNVPage, error) {
	if err := f.record("ListUnmatchedGNV", p); err != nil {
		return nil, err
	}
	return &UnmatchedGNVPage{Items: []UnmatchedGNVConsumption{{ID: 1, TransactionID: "T-1", Plates: "ABC123D", Station: "EST001",
		Litres: decimal.RequireFromString("40"), Amount: NewMoney(decimal.RequireFromString("60"))}}, Page: p.Page, PageSize: p.PageSize, Total: 1}, nil
}

func (f *fakeServices) GetClient(_ context.Context, id int64) (*Client, error) {
	if err := f.record("GetClient", id); err != nil {
		return nil, err
	}
	if id == 404 {
		return nil, NewError(KindNotFound, "Cliente no encontrado")
	}
	return &Client{ID: id, Name: "Ana", Market: f.market(id)}, nil
}

func (f *fakeServices) ClientMarket(_ context.Context, id int64) (Market, error) {
	return f.market(id), f.record("ClientMarket", id)
}

func (f *fakeServices) CreateEvent(_ context.Context, adv string, r CreateEventRequest) (*EventLogEntry, error) {
	if err := f.record("CreateEvent", r); err != nil {
		return nil, err
	}
	return &EventLogEntry{ID: int64(f.count("CreateEvent")), ClientID: r.ClientID, Type: r.Type, Message: r.Message, Author: adv, CreatedAt: time.Date(2026, 3, 2, 15, 30, 0, 0, time.UTC)}, nil
}

func (f *fakeServices) CreateSavingsPlan(_ context.Context, r CreateSavingsPlanRequest) (*Plan, error) {
	return &Plan{ID: 1, ClientID: r.ClientID, Kind: PlanSavings, Name: r.Name}, f.record("CreateSavingsPlan", r)
}

func (f *fakeServices) CreatePaymentPlan(_ context.Context, r CreatePaymentPlanRequest) (*PaymentPlan, error) {
	return &PaymentPlan{SaleOrderID: 1, TermMonths: r.TermMonths}, f.record("CreatePaymentPlan", r)
}

func (f *fakeServices) ListGroups(_ context.Context, s Scope) ([]Group, error) {
	return nil, f.record("ListGroups", s)
}

func (f *fakeServices) CreateGroup(_ context.Context, r CreateGroupRequest) (*Group, error) {
	return &Group{ID: 3, Name: r.Name, Market: r.Market, Phase: "ahorro"}, f.record("CreateGroup", r)
}

func (f *fakeServices) TransitionToPayment(_ context.Context, id int64) (*Group, error) {
	return &Group{ID: id, Phase: "pago"}, f.record("TransitionToPayment", id)
}

func (f *fakeServices) Package(_ context.Context, m Market) (*ProductPackage, error) {
	return &ProductPackage{ID: 1, Market: m, AnnualRate: decimal.RequireFromString("0.36")}, f.record("Package", m)
}

func (f *fakeServices) SaveQuote(_ context.Context, _ string, r SaveQuoteRequest) (*SavedQuote, error) {
	return &SavedQuote{LeadID: r.LeadID}, f.record("SaveQuote", r)
}

func (f *fakeServices) ActivateCollection(_ context.Context, r ActivateCollectionRequest) (*GNVActivation, error) {
	return &GNVActivation{ClientID: r.ClientID, Placas: r.Placas, Sobreprecio: decimal.RequireFromString(r.Sobreprecio), RuleID: "r1", Status: "active"}, f.record("ActivateCollection", r)
}

func (f *fakeServices) ConektaLink(_ context.Context, id int64, amount decimal.Decimal) (*PaymentLink, error) {
	return &PaymentLink{Method: PaymentConekta, ClientID: id, Amount: NewMoney(amount), URL: "https://pay.conekta.com/checkout/x"}, f.record("ConektaLink", amount)
}

func (f *fakeServices) SPEIInstructions(_ context.Context, id int64, amount decimal.Decimal) (*PaymentLink, error) {
	return &PaymentLink{Method: PaymentSPEI, ClientID: id, Amount: NewMoney(amount), SPEI: &SPEIInstructions{CLABE: "002010077777777771", Amount: NewMoney(amount)}}, f.record("SPEIInstructions", amount)
}

func (f *fakeServices) Send(_ context.Context, r SendContractRequest) (*ContractSent, error) {
	return &ContractSent{DocumentID: "d1", ClientID: r.ClientID, ContractType: r.ContractType, Status: "sent"}, f.record("Send", r)
}

func (f *fakeServices) Analyze(_ context.Context, r AnalyzeCreditRequest) (*CreditDecision, error) {
	return &CreditDecision{ClientID: r.ClientID, Decision: "Aprobado", Score: 700}, f.record("Analyze", r)
}

func (f *fakeServices) UpdateOpportunityProcess(_ context.Context, _ string, u *OpportunityUpdate) (*Opportunity, error) {
	if err := f.record("UpdateOpportunityProcess", u); err != nil {
		return nil, err
	}
	o := &Opportunity{ID: u.LeadID, Stage: "Nuevo", IsPresaved: true, UpdatedAt: DateTime(time.Date(2026, 3, 2, 15, 4, 5, 0, time.UTC))}
	if u.Closing == ClosingDirectInvoice {
		o.Stage, o.CFacturacionSubEstado, o.IsPresaved = StageCierreGanado, SubStateFacturaDirecta, false
	}
	return o, nil
}

// intake stands in for a webhooks.Handler: it accepts deliveries carrying
// X-Test-Signature: ok.
func (f *fakeServices) intake(p Provider) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Test-Signature") != "ok" {
			writeJSON(w, http.StatusUnauthorized, ErrorBody{StatusCode: 401, Message: "Firma del webhook inválida"})
			return
		}
		f.record("Accept", string(p)+":"+string(body))
		writeJSON(w, http.StatusOK, WebhookAck{StatusCode: 200, Message: "Webhook recibido", ID: int64(f.count("Accept"))})
	})
}

func subjectClaims(sub string) jwt.RegisteredClaims { return jwt.RegisteredClaims{Subject: sub} }

func newBenchServer(b *testing.B, h http.Handler) string {
	hs := httptest.NewServer(h)
	b.Cleanup(hs.Close)
	return hs.URL
}
