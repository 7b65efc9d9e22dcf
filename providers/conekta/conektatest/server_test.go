package conektatest_test

import (
	"bytes"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/conekta/conektatest"
)

// TestCheckoutPageDeliversWebhook drives the development-mode flow: open the
// link, press "Pagar", and the configured webhook receives a verifiable order.paid.
func TestCheckoutPageDeliversWebhook(t *testing.T) {
	var mu sync.Mutex
	var got []byte
	var hdr http.Header
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, hdr = b, r.Header.Clone()
		mu.Unlock()
	}))
	defer hook.Close()
	fake := conektatest.New(conektatest.Options{WebhookURL: hook.URL})
	fake.Start()
	defer fake.Close()
	c, _ := conekta.NewClient(conekta.Config{BaseURL: fake.URL(), PrivateKey: fake.PrivateKey()})
	link, err := c.CreatePaymentLink(t.Context(), conekta.PaymentLinkParams{Amount: decimal.NewFromInt(250), Concept: "Aportación",
		Customer: conekta.Customer{Name: "Ana", Email: "ana@example.mx", Phone: "5512345678"}, ClientID: "7", Reference: "R-7",
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	page, err := http.Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(html), "$250.00 MXN") || !strings.Contains(string(html), "Pagar") {
		t.Fatalf("checkout page: %s", html)
	}
	resp, err := http.PostForm(link.URL+"/pay", url.Values{"method": {"spei"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if got == nil {
		t.Fatal("webhook not delivered")
	}
	v, _ := conekta.NewVerifier(conekta.VerifierConfig{PublicKeys: []*rsa.PublicKey{fake.PublicKey()}})
	ev, err := v.ConstructEvent(hdr, got)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ev.OrderPaid()
	if err != nil || p.PaymentMethod != "spei" || p.ClientID != "7" || p.AmountCents != 25000 {
		t.Errorf("payment = %+v, %v", p, err)
	}
	if o, _ := fake.Order(link.OrderID); o["payment_status"] != "paid" || fake.OrderCount() != 1 {
		t.Errorf("order state = %v", o["payment_status"])
	}
	if !bytes.Contains(fake.PublicKeyPEM(), []byte("BEGIN PUBLIC KEY")) {
		t.Error("PEM")
	}
}
