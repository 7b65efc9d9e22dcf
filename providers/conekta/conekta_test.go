package conekta_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/conekta/conektatest"
	"github.com/cmu-mx/cmu/providers/internal/apiclient"
	"github.com/cmu-mx/cmu/webhooks"
)

// testKey is generated once per test binary: RSA key generation is slow.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func setup(t *testing.T) (*conekta.Client, *conektatest.Server) {
	t.Helper()
	fake := conektatest.New(conektatest.Options{SigningKey: testKey(), Now: func() time.Time { return fixedNow }})
	fake.Start()
	t.Cleanup(fake.Close)
	c, err := conekta.NewClient(conekta.Config{BaseURL: fake.URL(), PrivateKey: fake.PrivateKey(), RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
		Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	return c, fake
}

func params(amount string) conekta.PaymentLinkParams {
	return conekta.PaymentLinkParams{
		Amount: decimal.RequireFromString(amount), Concept: "Aportación plan de ahorro",
		Customer: conekta.Customer{Name: "Ana Pérez", Email: "ana@example.mx", Phone: "5512345678"},
		ClientID: "42", Reference: "PAY-0001",
	}
}

func TestToCents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		err  error
	}{
		{"1500", 150000, nil},
		{"0.01", 1, nil},
		{"100.005", 10001, nil}, // half-up
		{"100.004", 10000, nil},
		{"20000", 2000000, nil},
		{"20000.004", 2000000, nil},
		{"20000.005", 0, conekta.ErrAmountOverLimit},
		{"20000.01", 0, conekta.ErrAmountOverLimit},
		{"0", 0, conekta.ErrInvalidAmount},
		{"0.004", 0, conekta.ErrInvalidAmount},
		{"-5", 0, conekta.ErrInvalidAmount},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := conekta.ToCents(decimal.RequireFromString(tt.in))
			if tt.err != nil {
				var ae *conekta.AmountError
				if !errors.Is(err, tt.err) || !errors.As(err, &ae) {
					t.Fatalf("err = %v, want %v as *AmountError", err, tt.err)
				}
				if errors.Is(err, conekta.ErrAmountOverLimit) == errors.Is(err, conekta.ErrInvalidAmount) {
					t.Errorf("err matches both or neither sentinel")
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ToCents(%s) = %d, %v, want %d", tt.in, got, err, tt.want)
			}
		})
	}
	if got := conekta.FromCents(150050); got.StringFixed(2) != "1500.50" {
		t.Errorf("FromCents = %s", got)
	}
}

func TestCreatePaymentLink(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	p := params("1500.50")
	p.Metadata = map[string]string{"plan": "ahorro"}
	link, err := c.CreatePaymentLink(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link.OrderID, "ord_") || !strings.HasPrefix(link.URL, fake.URL()+"/checkout/") || link.Status != "Issued" ||
		link.AmountCents != 150050 || link.Amount.StringFixed(2) != "1500.50" || link.Reference != "PAY-0001" ||
		!link.ExpiresAt.Equal(fixedNow.Add(conekta.DefaultLinkTTL)) {
		t.Errorf("link = %+v", link)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/orders" {
		t.Errorf("sent %s %s", r.Method, r.Path)
	}
	for name, want := range map[string]string{
		"Authorization": "Bearer " + string(fake.PrivateKey()), "Accept": "application/vnd.conekta-v2.3.0+json",
		"Content-Type": "application/json", "Accept-Language": "es", "Idempotency-Key": "",
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("header %s = %q, want %q", name, got, want)
		}
	}
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"currency":      "MXN",
		"customer_info": map[string]any{"name": "Ana Pérez", "email": "ana@example.mx", "phone": "5512345678"},
		"line_items":    []any{map[string]any{"name": "Aportación plan de ahorro", "quantity": 1.0, "unit_price": 150050.0}},
		"checkout": map[string]any{"type": "HostedPayment", "name": "Aportación plan de ahorro",
			"allowed_payment_methods": []any{"card", "cash", "bank_transfer"}, "expires_at": float64(fixedNow.Add(72 * time.Hour).Unix())},
		"metadata": map[string]any{"clientId": "42", "reference": "PAY-0001", "plan": "ahorro"},
	}
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	// GetOrder reads it back.
	o, err := c.GetOrder(t.Context(), link.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != link.OrderID || o.AmountCents != 150050 || o.Metadata["clientId"] != "42" || o.Checkout == nil || o.Checkout.URL != link.URL {
		t.Errorf("GetOrder = %+v", o)
	}
}

func TestCreatePaymentLinkRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	tests := []struct {
		name string
		edit func(*conekta.PaymentLinkParams)
		want error
	}{
		{"over 20,000", func(p *conekta.PaymentLinkParams) { p.Amount = decimal.RequireFromString("20000.01") }, conekta.ErrAmountOverLimit},
		{"zero", func(p *conekta.PaymentLinkParams) { p.Amount = decimal.Zero }, conekta.ErrInvalidAmount},
		{"no concept", func(p *conekta.PaymentLinkParams) { p.Concept = " " }, conekta.ErrInvalidParams},
		{"bad email", func(p *conekta.PaymentLinkParams) { p.Customer.Email = "ana" }, conekta.ErrInvalidParams},
		{"no phone", func(p *conekta.PaymentLinkParams) { p.Customer.Phone = "" }, conekta.ErrInvalidParams},
		{"no client", func(p *conekta.PaymentLinkParams) { p.ClientID = "" }, conekta.ErrInvalidParams},
		{"no reference", func(p *conekta.PaymentLinkParams) { p.Reference = "" }, conekta.ErrInvalidParams},
		{"expired", func(p *conekta.PaymentLinkParams) { p.ExpiresAt = fixedNow.Add(time.Minute) }, conekta.ErrInvalidParams},
		{"long metadata", func(p *conekta.PaymentLinkParams) { p.Metadata = map[string]string{"x": strings.Repeat("a", 250)} }, conekta.ErrInvalidParams},
	}
	for _, tt := range tests {
		p := params("100")
		tt.edit(&p)
		if _, err := c.CreatePaymentLink(t.Context(), p); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("refused params sent %d requests", n)
	}
}

func TestCreatePaymentLinkNeverSendsTwiceAfterReceipt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    func(*conektatest.Server)
		requests int
		check    func(t *testing.T, err error)
	}{
		{"500 is not retried", func(s *conektatest.Server) { s.FailNext(1, 500) }, 1, func(t *testing.T, err error) {
			var ae *conekta.APIError
			if !errors.As(err, &ae) || ae.Status != 500 || !ae.Retryable() || ae.Type != "api_error" || ae.RequestID == "" {
				t.Errorf("err = %#v", err)
			}
		}},
		{"502 is not retried", func(s *conektatest.Server) { s.FailNext(1, 502) }, 1, func(t *testing.T, err error) {
			var ae *conekta.APIError
			if !errors.As(err, &ae) || ae.Status != 502 {
				t.Errorf("err = %v", err)
			}
		}},
		{"dropped connection is not retried", func(s *conektatest.Server) { s.Inject(1, conektatest.Fault{Drop: true}) }, 1, func(t *testing.T, err error) {
			var te *apiclient.TransportError
			if !errors.As(err, &te) || !te.Retryable() {
				t.Errorf("err = %v, want TransportError", err)
			}
		}},
		{"429 is retried: Conekta did not act", func(s *conektatest.Server) { s.FailNext(2, 429) }, 3, func(t *testing.T, err error) {
			if err != nil {
				t.Errorf("err = %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, fake := setup(t)
			tt.fault(fake)
			_, err := c.CreatePaymentLink(t.Context(), params("500"))
			tt.check(t, err)
			if got := len(fake.Requests()); got != tt.requests {
				t.Errorf("%d POSTs, want %d", got, tt.requests)
			}
		})
	}
}

func TestGetOrderRetriesAndErrors(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	link, err := c.CreatePaymentLink(t.Context(), params("10"))
	if err != nil {
		t.Fatal(err)
	}
	fake.FailNext(2, 503)
	if _, err := c.GetOrder(t.Context(), link.OrderID); err != nil {
		t.Fatalf("GetOrder after 2×503: %v", err)
	}
	_, err = c.GetOrder(t.Context(), "ord_missing")
	var ae *conekta.APIError
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Type != "resource_not_found_error" || ae.Param != "id" || ae.Retryable() {
		t.Errorf("missing order: err = %v", err)
	}
	bad, _ := conekta.NewClient(conekta.Config{BaseURL: fake.URL(), PrivateKey: "key_wrong"})
	_, err = bad.GetOrder(t.Context(), link.OrderID)
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != "conekta.errors.authentication.invalid_key" || ae.Message != "Acceso no autorizado." {
		t.Errorf("bad key: err = %v", err)
	}
	if strings.Contains(err.Error(), "key_wrong") {
		t.Errorf("error leaks key: %v", err)
	}
}

func TestConfigRedacted(t *testing.T) {
	t.Parallel()
	cfg := conekta.Config{PrivateKey: "key_live_SECRET"}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "cfg", cfg)
	out := buf.String() + fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.PrivateKey)
	if strings.Contains(out, "SECRET") {
		t.Errorf("key leaked: %s", out)
	}
	if _, err := conekta.NewClient(conekta.Config{}); !errors.Is(err, conekta.ErrConfig) {
		t.Errorf("no key: err = %v", err)
	}
}

func verifier(t testing.TB, keys ...*rsa.PublicKey) *conekta.Verifier {
	t.Helper()
	if len(keys) == 0 {
		keys = []*rsa.PublicKey{&testKey().PublicKey}
	}
	v, err := conekta.NewVerifier(conekta.VerifierConfig{PublicKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestWebhookOrderPaid(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	link, err := c.CreatePaymentLink(t.Context(), params("1500.50"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := fake.Pay(link.OrderID, conektatest.MethodOXXO)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Pay(link.OrderID, conektatest.MethodOXXO); err == nil {
		t.Error("paying twice succeeded")
	}
	// The fake's PEM is what Conekta's POST /webhook_keys returns.
	pub, err := conekta.ParsePublicKey(fake.PublicKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	v := verifier(t, pub)
	we, err := v.Verify(d.Header, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if we.ID != d.EventID || we.Type != conekta.EventOrderPaid || !we.OccurredAt.Equal(fixedNow) {
		t.Errorf("Verify = %+v", we)
	}
	ev, err := v.ConstructEvent(d.Header, d.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ev.OrderPaid()
	if err != nil {
		t.Fatal(err)
	}
	want := &conekta.Payment{EventID: d.EventID, OrderID: link.OrderID, ChargeID: got.ChargeID, Amount: decimal.RequireFromString("1500.50"), AmountCents: 150050,
		Currency: "MXN", ClientID: "42", Reference: "PAY-0001", Metadata: map[string]string{"clientId": "42", "reference": "PAY-0001"},
		PaymentMethod: "oxxo", PaidAt: fixedNow}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" || got.ChargeID == "" {
		t.Errorf("OrderPaid (-want +got):\n%s", diff)
	}
}

func TestWebhookRefusals(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"evt_1","object":"event","type":"order.paid","created_at":1795000000,"data":{"object":{"id":"ord_1","amount":100,"payment_status":"paid"}}}`)
	sig, err := conekta.SignDigest(testKey(), body)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name   string
		header string
		body   []byte
		keys   []*rsa.PublicKey
		want   error
	}{
		{"valid", sig, body, nil, nil},
		{"rotation: old and new key", sig, body, []*rsa.PublicKey{&other.PublicKey, &testKey().PublicKey}, nil},
		{"missing", "", body, nil, webhooks.ErrNotSigned},
		{"not base64", "%%%", body, nil, webhooks.ErrInvalidHeader},
		{"body changed", sig, append(bytes.Clone(body), ' '), nil, webhooks.ErrNoValidSignature},
		{"signature changed", "A" + sig[1:], body, nil, webhooks.ErrNoValidSignature},
		{"other key", sig, body, []*rsa.PublicKey{&other.PublicKey}, webhooks.ErrNoValidSignature},
		{"hex sha256 instead of signature", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", body, nil, webhooks.ErrNoValidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("digest", tt.header)
			}
			_, err := verifier(t, tt.keys...).Verify(h, tt.body)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	if _, err := conekta.ParsePublicKey([]byte("not pem")); !errors.Is(err, conekta.ErrInvalidKey) {
		t.Errorf("err = %v", err)
	}
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	if _, err := conekta.NewVerifier(conekta.VerifierConfig{PublicKeys: []*rsa.PublicKey{&small.PublicKey}}); !errors.Is(err, conekta.ErrInvalidKey) {
		t.Errorf("1024-bit key accepted: %v", err)
	}
	if _, err := conekta.NewVerifier(conekta.VerifierConfig{}); !errors.Is(err, conekta.ErrInvalidKey) {
		t.Errorf("no key accepted: %v", err)
	}
}

func TestEventParsing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want error
	}{
		{"not json", `{`, conekta.ErrMalformedEvent},
		{"no id", `{"type":"order.paid"}`, conekta.ErrMalformedEvent},
		{"not an event", `{"id":"x","type":"order.paid","object":"order"}`, conekta.ErrMalformedEvent},
		{"pending order", `{"id":"e","type":"order.paid","data":{"object":{"id":"o","amount":5,"payment_status":"pending_payment"}}}`, conekta.ErrNotPaid},
		{"other type", `{"id":"e","type":"order.expired","data":{"object":{"id":"o","amount":5}}}`, conekta.ErrNotPaid},
		{"zero amount", `{"id":"e","type":"order.paid","data":{"object":{"id":"o","amount":0,"payment_status":"paid"}}}`, conekta.ErrMalformedEvent},
		{"numeric metadata kept as text", `{"id":"e","type":"order.paid","data":{"object":{"id":"o","amount":5,"payment_status":"paid","metadata":{"clientId":42}}}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := conekta.ParseEvent([]byte(tt.body))
			if err == nil {
				var p *conekta.Payment
				p, err = ev.OrderPaid()
				if err == nil && p.ClientID != "42" {
					t.Errorf("clientId = %q", p.ClientID)
				}
			}
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzVerify: a body or digest changed after signing never verifies; nothing panics.
func FuzzVerify(f *testing.F) {
	body := []byte(`{"id":"evt_1","object":"event","type":"order.paid","data":{"object":{"id":"ord_1","amount":100}}}`)
	sig, err := conekta.SignDigest(testKey(), body)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body, sig)
	f.Add(body[1:], sig)
	f.Add(body, sig[:len(sig)-4])
	f.Add([]byte{}, "")
	f.Add(body, "====")
	if fixture, err := os.ReadFile("testdata/order_paid.json"); err == nil {
		fsig, _ := conekta.SignDigest(testKey(), fixture)
		f.Add(fixture, fsig)
	}
	v := verifier(f)
	f.Fuzz(func(t *testing.T, b []byte, digest string) {
		h := http.Header{}
		h.Set("Digest", digest)
		_, err := v.Verify(h, b)
		if err == nil {
			// PKCS#1 v1.5 is deterministic: the only digest that verifies for b
			// is testKey's signature of b, which the fuzzer cannot forge; any
			// other digest (mutated, re-encoded, padded) must fail.
			want, _ := conekta.SignDigest(testKey(), b)
			if strings.TrimSpace(digest) != want {
				t.Fatalf("digest %q verified for body %q", digest, b)
			}
		}
		if ev, err := conekta.ParseEvent(b); err == nil {
			ev.OrderPaid()
		}
	})
}

func TestCreateWebhookKey(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	k, err := c.CreateWebhookKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := k.PublicKey()
	if err != nil || !pub.Equal(fake.PublicKey()) || !k.Active || k.ID == "" || !k.CreatedAt.Equal(fixedNow) {
		t.Fatalf("key = %+v, %v", k, err)
	}
	r := fake.Requests()[0]
	if r.Method != "POST" || r.Path != "/webhook_keys" || string(r.Body) != `{"active":true}` {
		t.Errorf("sent %s %s %s", r.Method, r.Path, r.Body)
	}
	fake.FailNext(1, 500)
	var ae *conekta.APIError
	if _, err := c.CreateWebhookKey(t.Context()); !errors.As(err, &ae) || len(fake.Requests()) != 2 {
		t.Errorf("500: err = %v after %d requests (want no retry)", err, len(fake.Requests()))
	}
}
