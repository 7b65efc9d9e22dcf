// Package conektatest is a fake Conekta API for tests and for the server's
// development mode. It serves POST /orders (with a hosted checkout),
// GET /orders/{id}, and a minimal checkout page (GET /checkout/{slug}, whose
// "Pagar" button marks the order paid and delivers order.paid to
// Options.WebhookURL). It answers Conekta's error JSON (401
// authentication_error, 404 resource_not_found_error, 422
// parameter_validation_error; the detail codes of the last two are the fake's
// own, Conekta's catalogue is not public), signs its webhook events with an RSA
// key exactly as package conekta verifies them, records requests, and injects
// faults.
//
// A Server is safe for concurrent use.
package conektatest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/internal/fake"
)

// RecordedRequest is a request the fake received.
type RecordedRequest = fake.Recorded

// Fault is an injected failure (see Server.Inject).
type Fault = fake.Fault

// DefaultPrivateKey is the API key the fake accepts when Options.PrivateKey is empty.
const DefaultPrivateKey conekta.PrivateKey = "key_test_cmu_fake"

// Options configures a fake. Zero fields mean the documented defaults.
type Options struct {
	// PrivateKey the fake accepts as Bearer token (default DefaultPrivateKey).
	PrivateKey conekta.PrivateKey
	// SigningKey signs webhook events (default: a fresh 2048-bit key; pass one
	// to save the generation time in tests that start many fakes).
	SigningKey *rsa.PrivateKey
	// WebhookURL, when set, receives the events the checkout page triggers.
	WebhookURL string
	// Now is the fake's clock (default time.Now).
	Now func() time.Time
}

// Server is the fake Conekta.
type Server struct {
	core       fake.Core
	srv        *httptest.Server
	key        conekta.PrivateKey
	signing    *rsa.PrivateKey
	webhookURL string
	now        func() time.Time

	mu     sync.Mutex
	orders map[string]map[string]any
	slugs  map[string]string // slug → order id
	events int
}

// New returns an unstarted fake; call Start (or use Handler in-process).
func New(opts Options) *Server {
	s := &Server{key: opts.PrivateKey, signing: opts.SigningKey, webhookURL: opts.WebhookURL, now: opts.Now,
		orders: map[string]map[string]any{}, slugs: map[string]string{}}
	if s.key == "" {
		s.key = DefaultPrivateKey
	}
	if s.signing == nil {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("conektatest: generate key: %v", err))
		}
		s.signing = k
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.srv = httptest.NewUnstartedServer(s.Handler())
	return s
}

// Start starts the fake on a loopback port.
func (s *Server) Start() { s.srv.Start() }

// Close shuts the fake down.
func (s *Server) Close() { s.srv.Close() }

// URL is the base URL for conekta.Config.BaseURL (after Start).
func (s *Server) URL() string { return s.srv.URL }

// PrivateKey is the API key the fake accepts.
func (s *Server) PrivateKey() conekta.PrivateKey { return s.key }

// SigningKey is the private key that signs events.
func (s *Server) SigningKey() *rsa.PrivateKey { return s.signing }

// PublicKey is the key to give conekta.VerifierConfig.
func (s *Server) PublicKey() *rsa.PublicKey { return &s.signing.PublicKey }

// PublicKeyPEM is the public key as POST /webhook_keys returns it.
func (s *Server) PublicKeyPEM() []byte {
	der, _ := x509.MarshalPKIXPublicKey(&s.signing.PublicKey)
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// Requests returns the requests received so far.
func (s *Server) Requests() []RecordedRequest { return s.core.Requests() }

// FailNext answers the next n requests with status and Conekta's error JSON
// (type "api_error"; 429 carries Retry-After: 0).
func (s *Server) FailNext(n, status int) {
	h := http.Header{}
	if status == http.StatusTooManyRequests {
		h.Set("Retry-After", "0")
	}
	s.core.FailNext(n, Fault{Status: status, Header: h, Body: errorJSON("api_error", "conekta.errors.api.system.general_failure", "", "Fake failure.")})
}

// Inject queues an arbitrary fault for the next n requests.
func (s *Server) Inject(n int, f Fault) { s.core.FailNext(n, f) }

// Handler serves the fake without a listener.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", s.auth(s.createOrder))
	mux.HandleFunc("GET /orders/{id}", s.auth(s.getOrder))
	mux.HandleFunc("POST /webhook_keys", s.auth(s.createWebhookKey))
	mux.HandleFunc("GET /checkout/{slug}", s.checkoutPage)
	mux.HandleFunc("POST /checkout/{slug}/pay", s.checkoutPay)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "resource_not_found_error", "conekta.errors.resource_not_found.entity", "", "El recurso no ha sido encontrado.")
	})
	return s.core.Wrap(mux)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func errorJSON(typ, code, param, msg string) []byte {
	b := conekta.ErrorBody{Object: "error", Type: typ, LogID: randomHex(12), Details: []conekta.ErrorDetail{{Code: code, Message: msg, DebugMessage: msg}}}
	if param != "" {
		b.Details[0].Param = &param
	}
	data, _ := json.Marshal(b)
	return data
}

func writeError(w http.ResponseWriter, status int, typ, code, param, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(errorJSON(typ, code, param, msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			writeError(w, http.StatusUnauthorized, "authentication_error", "conekta.errors.authentication.missing_key", "", "Acceso no autorizado.")
			return
		}
		if h != "Bearer "+string(s.key) {
			writeError(w, http.StatusUnauthorized, "authentication_error", "conekta.errors.authentication.invalid_key", "", "Acceso no autorizado.")
			return
		}
		next(w, r)
	}
}

func (s *Server) createOrder(w http.ResponseWriter, r *http.Request) {
	var req conekta.OrderRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "parameter_validation_error", "conekta.errors.parameter_validation.json", "", "El formato de la solicitud no es válido.")
		return
	}
	now := s.now()
	missing := func(param string) {
		writeError(w, http.StatusUnprocessableEntity, "parameter_validation_error", "conekta.errors.parameter_validation.missing", param, "El parámetro "+param+" es requerido.")
	}
	switch {
	case req.Currency == "":
		missing("currency")
		return
	case req.CustomerInfo.Name == "":
		missing("customer_info.name")
		return
	case req.CustomerInfo.Email == "":
		missing("customer_info.email")
		return
	case req.CustomerInfo.Phone == "":
		missing("customer_info.phone")
		return
	case len(req.LineItems) == 0:
		missing("line_items")
		return
	}
	var amount int64
	items := []map[string]any{}
	for i, li := range req.LineItems {
		if li.Name == "" || li.Quantity < 1 || li.UnitPrice < 1 {
			writeError(w, http.StatusUnprocessableEntity, "parameter_validation_error", "conekta.errors.parameter_validation.line_items", fmt.Sprintf("line_items.%d", i), "Línea de producto inválida.")
			return
		}
		amount += li.UnitPrice * int64(li.Quantity)
		items = append(items, map[string]any{"object": "line_item", "id": "line_item_" + randomHex(8), "name": li.Name, "quantity": li.Quantity, "unit_price": li.UnitPrice, "metadata": map[string]any{}})
	}
	for k, v := range req.Metadata {
		if len(v) > 249 {
			writeError(w, http.StatusUnprocessableEntity, "parameter_validation_error", "conekta.errors.parameter_validation.metadata", "metadata."+k, "Metadata demasiado larga.")
			return
		}
	}
	id := "ord_" + randomHex(9)
	order := map[string]any{
		"id": id, "object": "order", "livemode": false, "amount": amount, "amount_refunded": 0, "currency": req.Currency,
		"payment_status": nil, "metadata": req.Metadata, "created_at": now.Unix(), "updated_at": now.Unix(), "charges": nil,
		"customer_info": map[string]any{"object": "customer_info", "name": req.CustomerInfo.Name, "email": req.CustomerInfo.Email, "phone": req.CustomerInfo.Phone},
		"line_items":    map[string]any{"object": "list", "has_more": false, "total": len(items), "data": items},
	}
	if req.Metadata == nil {
		order["metadata"] = map[string]any{}
	}
	if c := req.Checkout; c != nil {
		if c.ExpiresAt <= now.Unix() {
			writeError(w, http.StatusUnprocessableEntity, "parameter_validation_error", "conekta.errors.parameter_validation.checkout.expires_at", "checkout.expires_at", "La fecha de expiración no es válida.")
			return
		}
		cid := randomHex(16)
		slug := strings.ReplaceAll(cid, "-", "")
		base := s.srv.URL
		if base == "" {
			base = "http://conekta.invalid"
		}
		order["checkout"] = map[string]any{
			"id": cid, "object": "checkout", "type": c.Type, "name": c.Name, "status": "Issued", "slug": slug,
			"url": base + "/checkout/" + slug, "expires_at": c.ExpiresAt, "allowed_payment_methods": c.AllowedPaymentMethods,
			"success_url": c.SuccessURL, "failure_url": c.FailureURL, "recurrent": false, "livemode": false,
			"paid_payments_count": 0, "payments_limit_count": nil, "starts_at": now.Unix(),
		}
		s.mu.Lock()
		s.slugs[slug] = id
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.orders[id] = order
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, order)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	o, ok := s.orders[r.PathValue("id")]
	var data []byte
	if ok {
		data, _ = json.Marshal(o)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "resource_not_found_error", "conekta.errors.resource_not_found.entity", "id", "El recurso no ha sido encontrado.")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(data)
}

// Order returns the stored order as conekta.GetOrder would decode it.
func (s *Server) Order(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return nil, false
	}
	data, _ := json.Marshal(o)
	var cp map[string]any
	json.Unmarshal(data, &cp)
	return cp, true
}

// OrderCount is the number of orders created.
func (s *Server) OrderCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.orders)
}

// Delivery is a signed webhook event ready to send.
type Delivery struct {
	EventID string
	Header  http.Header
	Body    []byte
}

// Send POSTs d to url with hc; nil hc means a client with a 30 s timeout.
func (d Delivery) Send(ctx context.Context, hc *http.Client, url string) (*http.Response, error) {
	return fake.Post(ctx, hc, url, d.Header, d.Body)
}

// PaymentMethod types the fake's Pay accepts, as Conekta reports them in
// charges[].payment_method.type.
const (
	MethodCard = "credit"
	MethodOXXO = "oxxo"
	MethodSPEI = "spei"
)

// Pay marks order id paid with a charge of the given method ("credit",
// "debit", "oxxo", "spei") and returns the signed order.paid delivery. Paying
// an order twice is an error, as at Conekta.
func (s *Server) Pay(id, method string) (Delivery, error) {
	now := s.now()
	s.mu.Lock()
	o, ok := s.orders[id]
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("conektatest: no order %q", id)
	}
	if o["payment_status"] == "paid" {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("conektatest: order %q already paid", id)
	}
	object := map[string]string{"credit": "card_payment", "debit": "card_payment", "oxxo": "cash_payment", "spei": "bank_transfer_payment"}[method]
	if object == "" {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("conektatest: unknown payment method %q", method)
	}
	charge := map[string]any{"id": randomHex(12), "object": "charge", "status": "paid", "amount": o["amount"], "currency": o["currency"],
		"fee": 0, "order_id": id, "paid_at": now.Unix(), "created_at": now.Unix(), "livemode": false,
		"payment_method": map[string]any{"object": object, "type": method}}
	o["payment_status"] = "paid"
	o["updated_at"] = now.Unix()
	o["charges"] = map[string]any{"object": "list", "has_more": false, "total": 1, "data": []any{charge}}
	if c, ok := o["checkout"].(map[string]any); ok {
		c["status"] = "Finalized"
		c["paid_payments_count"] = 1
	}
	s.mu.Unlock()
	return s.Event(conekta.EventOrderPaid, id)
}

// Event returns a signed delivery of an event of type typ whose data.object is
// the current state of order id.
func (s *Server) Event(typ, id string) (Delivery, error) {
	o, ok := s.Order(id)
	if !ok {
		return Delivery{}, fmt.Errorf("conektatest: no order %q", id)
	}
	s.mu.Lock()
	s.events++
	evID := fmt.Sprintf("evt_%s%04d", randomHex(6), s.events)
	s.mu.Unlock()
	body, err := json.Marshal(map[string]any{"id": evID, "object": "event", "type": typ, "livemode": false, "created_at": s.now().Unix(),
		"data": map[string]any{"object": o, "previous_attributes": map[string]any{}}, "webhook_status": "pending", "webhook_logs": []any{}})
	if err != nil {
		return Delivery{}, err
	}
	return s.SignBody(evID, body)
}

// SignBody signs arbitrary bytes with the fake's key.
func (s *Server) SignBody(eventID string, body []byte) (Delivery, error) {
	d, err := conekta.SignDigest(s.signing, body)
	if err != nil {
		return Delivery{}, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set(conekta.HeaderDigest, d)
	return Delivery{EventID: eventID, Header: h, Body: body}, nil
}

var checkoutTmpl = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Conekta (fake) — {{.Name}}</title></head>
<body><h1>{{.Name}}</h1><p>Orden {{.OrderID}} — ${{.Amount}} MXN — {{.Status}}</p>
{{if ne .Status "paid"}}<form method="post" action="/checkout/{{.Slug}}/pay">
<select name="method"><option value="credit">Tarjeta</option><option value="oxxo">OXXO</option><option value="spei">SPEI</option></select>
<button type="submit">Pagar</button></form>{{end}}</body></html>`))

func (s *Server) lookupSlug(slug string) (string, map[string]any, bool) {
	s.mu.Lock()
	id, ok := s.slugs[slug]
	s.mu.Unlock()
	if !ok {
		return "", nil, false
	}
	o, ok := s.Order(id)
	return id, o, ok
}

func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	id, o, ok := s.lookupSlug(r.PathValue("slug"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	amount, _ := o["amount"].(float64)
	status, _ := o["payment_status"].(string)
	if status == "" {
		status = "pendiente"
	}
	name := ""
	if c, ok := o["checkout"].(map[string]any); ok {
		name, _ = c["name"].(string)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	checkoutTmpl.Execute(w, map[string]any{"Name": name, "OrderID": id, "Amount": conekta.FromCents(int64(amount)).StringFixed(2), "Status": status, "Slug": r.PathValue("slug")})
}

func (s *Server) checkoutPay(w http.ResponseWriter, r *http.Request) {
	id, _, ok := s.lookupSlug(r.PathValue("slug"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	method := r.FormValue("method")
	if method == "" {
		method = MethodCard
	}
	d, err := s.Pay(id, method)
	if err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	if s.webhookURL != "" {
		resp, err := d.Send(r.Context(), nil, s.webhookURL)
		if err != nil {
			http.Error(w, "webhook delivery failed: "+err.Error(), http.StatusBadGateway)
			return
		}
		resp.Body.Close()
	}
	http.Redirect(w, r, "/checkout/"+r.PathValue("slug"), http.StatusSeeOther)
}

// createWebhookKey answers POST /webhook_keys with the fake's signing key.
func (s *Server) createWebhookKey(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"id": randomHex(12), "object": "webhook_key", "active": true, "livemode": false,
		"created_at": s.now().Unix(), "public_key": string(s.PublicKeyPEM())})
}
