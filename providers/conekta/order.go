package conekta

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
)

// Order is the part of Conekta's order object CMu uses. Amounts are decimal
// MXN, converted from Conekta's integer cents.
type Order struct {
	ID            string
	Livemode      bool
	Currency      string
	Amount        decimal.Decimal
	AmountCents   int64
	PaymentStatus string // "paid", "pending_payment", "expired", … ("" before any attempt)
	// Metadata as strings (Conekta metadata values are scalars; numbers and
	// booleans keep their JSON text).
	Metadata  map[string]string
	Checkout  *Checkout
	Charges   []Charge
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Checkout is an order's hosted payment page.
type Checkout struct {
	ID        string
	Type      string // "HostedPayment"
	Status    string // "Issued", "Finalized", "Expired"
	URL       string // the payment link to give the client
	Slug      string
	ExpiresAt time.Time
	// AllowedPaymentMethods as Conekta lists them ("card", "cash", "bank_transfer"…).
	AllowedPaymentMethods []string
}

// Charge is one payment attempt of an order.
type Charge struct {
	ID          string
	Status      string // "paid", "pending_payment", "declined", …
	Amount      decimal.Decimal
	AmountCents int64
	Fee         decimal.Decimal
	OrderID     string
	PaidAt      time.Time
	// PaymentMethod is the charge's payment_method.type: "credit", "debit",
	// "oxxo", "spei", … as Conekta reports it.
	PaymentMethod string
	// PaymentMethodObject is payment_method.object: "card_payment",
	// "cash_payment", "bank_transfer_payment", …
	PaymentMethodObject string
}

type wireOrder struct {
	ID            string                     `json:"id"`
	Object        string                     `json:"object"`
	Livemode      bool                       `json:"livemode"`
	Currency      string                     `json:"currency"`
	Amount        int64                      `json:"amount"`
	PaymentStatus *string                    `json:"payment_status"`
	Metadata      map[string]json.RawMessage `json:"metadata"`
	Checkout      *wireCheckout              `json:"checkout"`
	Charges       *struct {
		Data []wireCharge `json:"data"`
	} `json:"charges"`
	CreatedAt int64 `json:"created_at"`
	UpdatedAt int64 `json:"updated_at"`
}

type wireCheckout struct {
	ID                    string   `json:"id"`
	Type                  string   `json:"type"`
	Status                string   `json:"status"`
	URL                   string   `json:"url"`
	Slug                  string   `json:"slug"`
	ExpiresAt             int64    `json:"expires_at"`
	AllowedPaymentMethods []string `json:"allowed_payment_methods"`
}

type wireCharge struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Status        string `json:"status"`
	Amount        int64  `json:"amount"`
	Fee           int64  `json:"fee"`
	OrderID       string `json:"order_id"`
	PaidAt        *int64 `json:"paid_at"`
	PaymentMethod *struct {
		Object string `json:"object"`
		Type   string `json:"type"`
	} `json:"payment_method"`
}

func unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

func (w wireCharge) charge() Charge {
	c := Charge{ID: w.ID, Status: w.Status, Amount: FromCents(w.Amount), AmountCents: w.Amount, Fee: FromCents(w.Fee), OrderID: w.OrderID}
	if w.PaidAt != nil {
		c.PaidAt = unix(*w.PaidAt)
	}
	if w.PaymentMethod != nil {
		c.PaymentMethod, c.PaymentMethodObject = w.PaymentMethod.Type, w.PaymentMethod.Object
	}
	return c
}

func (w wireOrder) order() *Order {
	o := &Order{ID: w.ID, Livemode: w.Livemode, Currency: w.Currency, Amount: FromCents(w.Amount), AmountCents: w.Amount,
		Metadata: metadataStrings(w.Metadata), CreatedAt: unix(w.CreatedAt), UpdatedAt: unix(w.UpdatedAt)}
	if w.PaymentStatus != nil {
		o.PaymentStatus = *w.PaymentStatus
	}
	if w.Checkout != nil {
		o.Checkout = &Checkout{ID: w.Checkout.ID, Type: w.Checkout.Type, Status: w.Checkout.Status, URL: w.Checkout.URL,
			Slug: w.Checkout.Slug, ExpiresAt: unix(w.Checkout.ExpiresAt), AllowedPaymentMethods: w.Checkout.AllowedPaymentMethods}
	}
	if w.Charges != nil {
		for _, c := range w.Charges.Data {
			o.Charges = append(o.Charges, c.charge())
		}
	}
	return o
}

func metadataStrings(m map[string]json.RawMessage) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, raw := range m {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			out[k] = s
			continue
		}
		if string(raw) == "null" {
			continue
		}
		out[k] = string(raw)
	}
	return out
}

// PaidCharge returns the order's first charge with status "paid", if any.
func (o *Order) PaidCharge() (Charge, bool) {
	for _, c := range o.Charges {
		if c.Status == "paid" {
			return c, true
		}
	}
	return Charge{}, false
}
