package conekta_test

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/conekta"
)

// testdata/order_paid.json follows Conekta's event_response and order/charge
// examples (OpenAPI 2.3.0: order_checkout.yml, order_cash.yml).
func TestOrderPaidFixture(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/order_paid.json")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := conekta.ParseEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ev.OrderPaid()
	if err != nil {
		t.Fatal(err)
	}
	want := &conekta.Payment{
		EventID: "6740b2f7a1c4d80001b2c3d4", OrderID: "ord_2zbhesToa1DAgNbP6", ChargeID: "62bce95741de276186407e41",
		Amount: decimal.RequireFromString("1500.50"), AmountCents: 150050, Currency: "MXN",
		ClientID: "42", Reference: "PAY-0001", Metadata: map[string]string{"clientId": "42", "reference": "PAY-0001"},
		PaymentMethod: "oxxo", PaidAt: time.Unix(1795370380, 0).UTC(),
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("OrderPaid (-want +got):\n%s", diff)
	}
	o, _ := ev.Order()
	if o.Checkout == nil || o.Checkout.Status != "Finalized" || o.Checkout.URL == "" || o.Charges[0].Fee.StringFixed(2) != "53.70" || o.Charges[0].PaymentMethodObject != "cash_payment" {
		t.Errorf("order = %+v", o)
	}
}
