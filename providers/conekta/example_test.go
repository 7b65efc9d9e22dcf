package conekta_test

import (
	"context"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/conekta/conektatest"
)

// ExampleClient_CreatePaymentLink creates a link on the fake, pays it there and
// verifies the resulting order.paid webhook.
func ExampleClient_CreatePaymentLink() {
	fake := conektatest.New(conektatest.Options{})
	fake.Start()
	defer fake.Close()

	c, err := conekta.NewClient(conekta.Config{BaseURL: fake.URL(), PrivateKey: fake.PrivateKey(), Timeout: 10 * time.Second})
	if err != nil {
		panic(err)
	}
	link, err := c.CreatePaymentLink(context.Background(), conekta.PaymentLinkParams{
		Amount: decimal.RequireFromString("1500.50"), Concept: "Aportación plan de ahorro",
		Customer: conekta.Customer{Name: "Ana Pérez", Email: "ana@example.mx", Phone: "5512345678"},
		ClientID: "42", Reference: "PAY-0001",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(link.AmountCents, link.Status)

	delivery, _ := fake.Pay(link.OrderID, conektatest.MethodCard)
	pub, _ := conekta.ParsePublicKey(fake.PublicKeyPEM())
	v, _ := conekta.NewVerifier(conekta.VerifierConfig{PublicKeys: []*rsa.PublicKey{pub}})
	ev, err := v.ConstructEvent(delivery.Header, delivery.Body)
	if err != nil {
		panic(err)
	}
	paid, _ := ev.OrderPaid()
	fmt.Println(ev.Type, paid.Amount.StringFixed(2), paid.ClientID, paid.PaymentMethod)

	_, err = c.CreatePaymentLink(context.Background(), conekta.PaymentLinkParams{Amount: decimal.NewFromInt(25000)})
	fmt.Println(err)
	// Output:
	// 150050 Issued
	// order.paid 1500.50 42 credit
	// conekta: amount 25000 MXN: over the 20000 MXN payment-link limit; use SPEI
}
