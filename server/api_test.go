package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/shopspring/decimal"
)

func TestNilServicesAnswer503(t *testing.T) {
	e := newTestEnv(t, testConfig(), Deps{})
	tok := e.adminToken()
	for _, rt := range e.srv.table {
		if rt.Tag == "operations" || rt.Path == "/ws" {
			continue
		}
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			path := strings.NewReplacer(":id", "1", ":mercado", "edomex").Replace(rt.Path)
			r := e.do(rt.Method, path, tok, "{}")
			if r.Status != http.StatusServiceUnavailable {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			eb := r.errorBody(t)
			if eb.StatusCode != 503 || !strings.HasPrefix(eb.Message, "Servicio no disponible: ") {
				t.Errorf("body %+v", eb)
			}
		})
	}
}

func TestAuthentication(t *testing.T) {
	f := &fakeServices{}
	e := newTestEnv(t, testConfig(), f.deps())
	other := NewHS256Authenticator([]byte("another-secret-0123456789abcdef0123"), nil)
	otherTok, _ := other.Sign(Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "a"}}, time.Hour)
	expired := NewHS256Authenticator([]byte(testSecret), func() time.Time { return time.Now().Add(-2 * time.Hour) })
	expiredTok, _ := expired.Sign(Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "a"}}, time.Hour)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "a"}}).SignedString([]byte(testSecret))
	noSub := e.token("", nil)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, Claims{RegisteredClaims: jwt.RegisteredClaims{Subject: "a", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour))}}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tests := []struct {
		name, header string
		status       int
		msg          string
	}{
		{"no header", "", 401, "Falta el token"},
		{"basic scheme", "Basic YTpi", 401, "Falta el token"},
		{"garbage", "Bearer abc", 401, "Token inválido"},
		{"other secret", "Bearer " + otherTok, 401, "Token inválido"},
		{"expired", "Bearer " + expiredTok, 401, "Token expirado"},
		{"no exp", "Bearer " + noExp, 401, "Token inválido"},
		{"no sub", "Bearer " + noSub, 401, "falta el asesor"},
		{"alg none", "Bearer " + none, 401, "Token inválido"},
		{"valid", "Bearer " + e.adminToken(), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", "/api/clients", "", nil, "Authorization", tt.header)
			if r.Status != tt.status {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			if tt.status == 401 {
				if eb := r.errorBody(t); eb.StatusCode != 401 || !strings.Contains(eb.Message, tt.msg) {
					t.Errorf("body %+v", eb)
				}
				if r.Header.Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate")
				}
			}
		})
	}
}

func TestAuthorizationByClientAndMarket(t *testing.T) {
	f := &fakeServices{markets: map[int64]Market{20: MarketAguascalientes}}
	e := newTestEnv(t, testConfig(), f.deps())
	byClient := e.token("adv-1", func(c *Claims) { c.Clients = []int64{10} })
	byMarket := e.token("adv-2", func(c *Claims) { c.Markets = []Market{MarketAguascalientes} })
	body := func(id int64) string { return `{"clientId":` + itoa(id) + `,"amount":"100.00"}` }
	tests := []struct {
		name   string
		tok    string
		client int64
		status int
	}{
		{"listed client", byClient, 10, 201},
		{"unlisted client", byClient, 11, 403},
		{"client of the advisor's market", byMarket, 20, 201},
		{"client of another market", byMarket, 21, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/api/payments/generate-link", tt.tok, body(tt.client))
			if r.Status != tt.status {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			if tt.status == 403 && r.errorBody(t).Message != "El asesor no puede actuar sobre el cliente "+itoa(tt.client) {
				t.Errorf("message %s", r.Body)
			}
		})
	}
	t.Run("get client of another market", func(t *testing.T) {
		if r := e.do("GET", "/api/clients/21", byMarket, nil); r.Status != 403 {
			t.Errorf("status %d", r.Status)
		}
		if r := e.do("GET", "/api/clients/20", byMarket, nil); r.Status != 200 {
			t.Errorf("status %d", r.Status)
		}
	})
	t.Run("unmatched GNV list", func(t *testing.T) {
		if r := e.do("GET", "/api/gnv/unmatched", "", nil); r.Status != 401 {
			t.Fatalf("without token: status %d", r.Status)
		}
		r := e.do("GET", "/api/gnv/unmatched?placas=+abc-123-d+&page=3&pageSize=20", byClient, nil)
		if r.Status != 200 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		if p := f.lastArg().(ListUnmatchedGNVParams); p != (ListUnmatchedGNVParams{Page: 3, PageSize: 20, Placas: "ABC-123-D"}) {
			t.Errorf("params %+v", p)
		}
		var page UnmatchedGNVPage
		if err := json.Unmarshal(r.Body, &page); err != nil || page.Total != 1 || len(page.Items) != 1 || page.Items[0].Amount.String() != "60.00" || page.Page != 3 {
			t.Errorf("page %s (%v)", r.Body, err)
		}
		e.do("GET", "/api/gnv/unmatched", byClient, nil)
		if p := f.lastArg().(ListUnmatchedGNVParams); p.Page != 1 || p.PageSize != 50 || p.Placas != "" {
			t.Errorf("default params %+v", p)
		}
	})
	t.Run("list passes the scope", func(t *testing.T) {
		if r := e.do("GET", "/api/clients?page=2&pageSize=10&market=edomex", byClient, nil); r.Status != 200 {
			t.Fatalf("status %d %s", r.Status, r.Body)
		}
		p := f.lastArg().(ListClientsParams)
		if p.Page != 2 || p.PageSize != 10 || p.Market != MarketEdomex || p.Scope.AdvisorID != "adv-1" || len(p.Scope.ClientIDs) != 1 {
			t.Errorf("params %+v", p)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRequestValidation(t *testing.T) {
	f := &fakeServices{}
	cfg := testConfig()
	cfg.BodyLimitBytes = 1024
	e := newTestEnv(t, cfg, f.deps())
	tok := e.adminToken()
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		msg                      string
	}{
		{"missing clientId", "POST", "/api/payments/generate-link", `{"amount":"10.00"}`, nil, 400, "El campo clientId es obligatorio"},
		{"missing amount", "POST", "/api/payments/generate-link", `{"clientId":1}`, nil, 400, "El campo amount es obligatorio"},
		{"amount as number", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":10.5}`, nil, 400, "El campo amount debe ser de tipo texto"},
		{"negative amount", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"-1.00"}`, nil, 400, "El campo amount debe ser un importe positivo"},
		{"zero amount", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"0"}`, nil, 400, "El campo amount debe ser un importe positivo"},
		{"three decimals", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"1.005"}`, nil, 400, "hasta dos decimales"},
		{"exponent", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"1e3"}`, nil, 400, "El campo amount"},
		{"clientId string", "POST", "/api/payments/generate-link", `{"clientId":"1","amount":"1"}`, nil, 400, "El campo clientId debe ser de tipo número entero"},
		{"unknown field", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"1","extra":true}`, nil, 400, "El campo extra no está permitido"},
		{"syntax", "POST", "/api/payments/generate-link", `{"clientId":1,`, nil, 400, "JSON"},
		{"empty body", "POST", "/api/payments/generate-link", ``, nil, 400, "El cuerpo de la solicitud es obligatorio"},
		{"trailing data", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"1"} {}`, nil, 400, "único objeto JSON"},
		{"array body", "POST", "/api/payments/generate-link", `[1]`, nil, 400, "objeto JSON"},
		{"too large", "POST", "/api/payments/generate-link", `{"clientId":1,"amount":"1","x":"` + strings.Repeat("a", 2000) + `"}`, nil, 413, "excede el límite de 1024 bytes"},
		{"not json", "POST", "/api/payments/generate-link", `a=b`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "JSON"},
		{"placas format", "POST", "/api/gnv/activate-collection", `{"clientId":1,"placas":"a b","sobreprecio":"1.50"}`, nil, 400, "El campo placas"},
		{"sobreprecio text", "POST", "/api/gnv/activate-collection", `{"clientId":1,"placas":"ABC-123","sobreprecio":"uno"}`, nil, 400, "El campo sobreprecio debe ser un número decimal positivo"},
		{"market enum", "POST", "/api/payment-plans", `{"clientId":1,"market":"cdmx","termMonths":12,"downPayment":"100"}`, nil, 400, "El campo market debe ser un mercado válido"},
		{"term bound", "POST", "/api/payment-plans", `{"clientId":1,"market":"edomex","termMonths":500,"downPayment":"100"}`, nil, 400, "El campo termMonths debe ser menor o igual a 120"},
		{"frequency enum", "POST", "/api/payment-plans", `{"clientId":1,"market":"edomex","termMonths":12,"downPayment":"100","frequency":"diaria"}`, nil, 400, "El campo frequency debe ser uno de: semanal, quincenal, mensual"},
		{"members min", "POST", "/api/collective-credit-groups", `{"name":"G","market":"edomex","memberIds":[1],"targetAmount":"1000"}`, nil, 400, "El campo memberIds debe tener al menos 2 elementos"},
		{"member id", "POST", "/api/collective-credit-groups", `{"name":"G","market":"edomex","memberIds":[1,0],"targetAmount":"1000"}`, nil, 400, "El campo memberIds[1] debe ser mayor que 0"},
		{"contractType", "POST", "/api/contracts/send", `{"clientId":1}`, nil, 400, "El campo contractType es obligatorio"},
		{"path id", "GET", "/api/clients/abc", ``, nil, 400, "El parámetro id"},
		{"page", "GET", "/api/clients?page=x", ``, nil, 400, "El parámetro page debe ser un número entero"},
		{"pageSize bound", "GET", "/api/clients?pageSize=1000", ``, nil, 400, "El campo pageSize debe ser menor o igual a 200"},
		{"unmatched page", "GET", "/api/gnv/unmatched?page=0", ``, nil, 400, "El campo page debe ser mayor o igual a 1"},
		{"unmatched pageSize", "GET", "/api/gnv/unmatched?pageSize=x", ``, nil, 400, "El parámetro pageSize debe ser un número entero"},
		{"unmatched placas", "GET", "/api/gnv/unmatched?placas=" + strings.Repeat("A", 13), ``, nil, 400, "El campo placas"},
		{"unknown market", "GET", "/api/cotizador/paquete/cdmx", ``, nil, 404, "Mercado desconocido"},
		{"unknown route", "GET", "/api/nope", ``, nil, 404, "Ruta no encontrada"},
		{"not found from service", "GET", "/api/clients/404", ``, nil, 404, "Cliente no encontrado"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			r := e.do(tt.method, tt.path, tok, body, tt.hdr...)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			eb := r.errorBody(t)
			if eb.StatusCode != tt.status || !strings.Contains(eb.Message, tt.msg) {
				t.Errorf("body %+v, want message containing %q", eb, tt.msg)
			}
		})
	}
}

func TestPaymentRule(t *testing.T) {
	f := &fakeServices{}
	e := newTestEnv(t, testConfig(), f.deps())
	tok := e.adminToken()
	for _, tt := range []struct {
		amount string
		method PaymentMethod
	}{{"1.00", PaymentConekta}, {"20000.00", PaymentConekta}, {"20000", PaymentConekta}, {"20000.01", PaymentSPEI}, {"150000.50", PaymentSPEI}} {
		t.Run(tt.amount, func(t *testing.T) {
			r := e.do("POST", "/api/payments/generate-link", tok, `{"clientId":5,"amount":"`+tt.amount+`"}`)
			if r.Status != 201 {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			var pl PaymentLink
			if err := json.Unmarshal(r.Body, &pl); err != nil {
				t.Fatal(err)
			}
			if pl.Method != tt.method || !pl.Amount.Equal(decimal.RequireFromString(tt.amount)) {
				t.Errorf("got %+v", pl)
			}
			if !strings.Contains(string(r.Body), `"amount":"`) {
				t.Errorf("amount not a JSON string: %s", r.Body)
			}
		})
	}
}

func TestHandlersDelegate(t *testing.T) {
	f := &fakeServices{}
	e := newTestEnv(t, testConfig(), f.deps())
	tok := e.adminToken()
	tests := []struct {
		method, path, body string
		status             int
		call               string
		want               string
	}{
		{"GET", "/api/clients/7", "", 200, "GetClient", `"id":7`},
		{"POST", "/api/events", `{"clientId":7,"type":"nota","message":"Llamada"}`, 201, "CreateEvent", `"author":"admin-1"`},
		{"POST", "/api/savings-plans", `{"clientId":7,"name":"Ahorro","targetAmount":"50000.00"}`, 201, "CreateSavingsPlan", `"kind":"ahorro"`},
		{"POST", "/api/payment-plans", `{"clientId":7,"market":"edomex","termMonths":24,"downPayment":"15000.00","frequency":"semanal"}`, 201, "CreatePaymentPlan", `"termMonths":24`},
		{"GET", "/api/collective-credit-groups", "", 200, "ListGroups", `[]`},
		{"POST", "/api/collective-credit-groups", `{"name":"Ruta 5","market":"edomex","memberIds":[1,2,3],"targetAmount":"90000"}`, 201, "CreateGroup", `"phase":"ahorro"`},
		{"POST", "/api/collective-credit-groups/3/transition-to-payment", "", 200, "TransitionToPayment", `"phase":"pago"`},
		{"GET", "/api/cotizador/paquete/aguascalientes", "", 200, "Package", `"annualRate":"0.36"`},
		{"POST", "/api/cotizador/save", `{"clientId":7,"leadId":9,"market":"edomex","termMonths":12,"downPayment":"1000"}`, 201, "SaveQuote", `"leadId":9`},
		{"POST", "/api/gnv/activate-collection", `{"clientId":7,"placas":" abc-123-d ","sobreprecio":"1.50"}`, 201, "ActivateCollection", `"placas":"ABC-123-D"`},
		{"POST", "/api/contracts/send", `{"clientId":7,"contractType":"promesa"}`, 201, "Send", `"contractType":"promesa"`},
		{"POST", "/api/credit/analyze", `{"clientId":7}`, 200, "Analyze", `"decision":"Aprobado"`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			var body any
			if tt.body != "" {
				body = tt.body
			}
			before := f.count(tt.call)
			r := e.do(tt.method, tt.path, tok, body)
			if r.Status != tt.status {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			if f.count(tt.call) != before+1 {
				t.Errorf("%s not called", tt.call)
			}
			if !strings.Contains(string(r.Body), tt.want) {
				t.Errorf("body %s lacks %s", r.Body, tt.want)
			}
		})
	}
}

func TestServiceErrorsMapToStatus(t *testing.T) {
	for _, tt := range []struct {
		err    error
		status int
		msg    string
	}{
		{NewError(KindUnprocessable, "El grupo no está listo"), 422, "El grupo no está listo"},
		{WrapError(KindBadGateway, "Odoo respondió con error", errors.New("boom")), 502, "Odoo respondió con error"},
		{NewError(KindConflict, "Conflicto"), 409, "Conflicto"},
		{context.DeadlineExceeded, 504, "Tiempo de espera agotado"},
		{errors.New("secret internal detail"), 500, "Error interno del servidor"},
		{WrapError(KindInternal, "detalle", errors.New("x")), 500, "Error interno del servidor"},
	} {
		t.Run(tt.msg, func(t *testing.T) {
			f := &fakeServices{fail: tt.err}
			e := newTestEnv(t, testConfig(), f.deps())
			r := e.do("POST", "/api/credit/analyze", e.adminToken(), `{"clientId":1}`)
			if eb := r.errorBody(t); r.Status != tt.status || eb.StatusCode != tt.status || eb.Message != tt.msg {
				t.Errorf("got %d %+v", r.Status, eb)
			}
		})
	}
}

func TestWebhookRoutes(t *testing.T) {
	f := &fakeServices{}
	cfg := testConfig()
	cfg.Mifiel.CallbackToken = "cb-token"
	e := newTestEnv(t, cfg, f.deps())
	for _, tt := range []struct {
		name, path, sig string
		status          int
	}{
		{"gnv signed", "/api/gnv/webhook/consumption", "ok", 200},
		{"gnv unsigned", "/api/gnv/webhook/consumption", "", 401},
		{"conekta", "/api/payments/webhook/conekta", "ok", 200},
		{"metamap", "/api/kyc/webhook/metamap", "ok", 200},
		{"mifiel without token", "/api/contracts/webhook/mifiel", "ok", 401},
		{"mifiel with token", "/api/contracts/webhook/mifiel?token=cb-token", "ok", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", tt.path, "", `{"id":"evt_1"}`, "X-Test-Signature", tt.sig)
			if r.Status != tt.status {
				t.Fatalf("status %d %s", r.Status, r.Body)
			}
			if tt.status == 200 && !strings.Contains(string(r.Body), `"message":"Webhook recibido"`) {
				t.Errorf("body %s", r.Body)
			}
		})
	}
	t.Run("gnv source allowlist", func(t *testing.T) {
		cfg := testConfig()
		cfg.GNV.AllowedCIDRs = nil
		getenv, _ := envOf(map[string]string{"GNV_ALLOWED_CIDRS": "10.1.2.0/24"})
		c, err := LoadConfig(getenv, nil)
		if err != nil {
			t.Fatal(err)
		}
		cfg.GNV.AllowedCIDRs = c.GNV.AllowedCIDRs
		e := newTestEnv(t, cfg, f.deps())
		if r := e.do("POST", "/api/gnv/webhook/consumption", "", `{}`, "X-Test-Signature", "ok"); r.Status != 403 {
			t.Errorf("status %d", r.Status)
		}
	})
}

func TestOperationsRoutes(t *testing.T) {
	f := &fakeServices{}
	failing := Probe{Name: "odoo", Check: func(context.Context) error { return errors.New("down") }}
	e := newTestEnv(t, testConfig(), f.deps())
	if r := e.do("GET", "/healthz", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"status":"ok"`) {
		t.Errorf("healthz %d %s", r.Status, r.Body)
	}
	if r := e.do("GET", "/readyz", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"database":"ok"`) {
		t.Errorf("readyz %d %s", r.Status, r.Body)
	}
	d := f.deps()
	d.Probes = []Probe{failing}
	e2 := newTestEnv(t, testConfig(), d)
	if r := e2.do("GET", "/readyz", "", nil); r.Status != 503 || !strings.Contains(string(r.Body), `"odoo":"error"`) {
		t.Errorf("readyz with failing probe %d %s", r.Status, r.Body)
	}
	e.do("GET", "/api/clients/7", e.adminToken(), nil)
	e.do("GET", "/api/nope", "", nil)
	r := e.do("GET", "/metrics", "", nil)
	for _, want := range []string{
		`cmu_http_requests_total{method="GET",route="/api/clients/:id",status="200"} 1`,
		`cmu_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`cmu_http_request_duration_seconds_bucket{method="GET",route="/healthz"`,
		`cmu_websocket_clients 0`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	e.srv.Metrics().ObserveOdooCall("res.partner", "search_read", time.Millisecond, nil)
	e.srv.Metrics().SetWebhookInboxDepth("conekta", "pending", 3)
	r = e.do("GET", "/metrics", "", nil)
	for _, want := range []string{`cmu_odoo_calls_total{method="search_read",model="res.partner",outcome="ok"} 1`, `cmu_webhook_inbox_depth{provider="conekta",state="pending"} 3`} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if r := e.do("DELETE", "/healthz", "", nil); r.Status != 405 {
		t.Errorf("405 expected, got %d", r.Status)
	}
}

func TestCORS(t *testing.T) {
	cfg := testConfig()
	cfg.AllowedOrigins = []string{"app.cmu.mx"}
	e := newTestEnv(t, cfg, Deps{})
	r := e.do("OPTIONS", "/api/clients", "", nil, "Origin", "https://app.cmu.mx", "Access-Control-Request-Method", "GET")
	if r.Status != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.cmu.mx" {
		t.Errorf("preflight %d %v", r.Status, r.Header)
	}
	r = e.do("GET", "/healthz", "", nil, "Origin", "https://evil.example")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("foreign origin allowed")
	}
}

func TestRoutesAreAllRegistered(t *testing.T) {
	e := newTestEnv(t, testConfig(), Deps{})
	want := []string{
		"GET /api/clients", "GET /api/clients/:id", "POST /api/events", "POST /api/savings-plans", "POST /api/payment-plans",
		"GET /api/collective-credit-groups", "POST /api/collective-credit-groups", "POST /api/collective-credit-groups/:id/transition-to-payment",
		"GET /api/cotizador/paquete/:mercado", "POST /api/cotizador/save", "POST /api/gnv/activate-collection", "GET /api/gnv/unmatched", "POST /api/gnv/webhook/consumption",
		"POST /api/payments/generate-link", "POST /api/payments/webhook/conekta", "POST /api/kyc/webhook/metamap", "POST /api/contracts/send",
		"POST /api/contracts/webhook/mifiel", "POST /api/credit/analyze", "PUT /opportunity/update-opportunity-procces/:id", "GET /ws",
		"GET /healthz", "GET /readyz", "GET /metrics", "GET /openapi.json",
	}
	have := map[string]bool{}
	for _, rt := range e.srv.table {
		have[rt.Method+" "+rt.Path] = true
		if h, _, _ := e.srv.router.Lookup(rt.Method, rt.Path); h == nil {
			t.Errorf("%s %s in the table but not routed", rt.Method, rt.Path)
		}
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("DESIGN.md route %s missing", w)
		}
	}
	if len(have) != len(want) {
		t.Errorf("%d routes, want %d", len(have), len(want))
	}
}
