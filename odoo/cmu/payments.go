package cmu

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// PaymentMethod is how a received payment arrived; it picks the journal.
type PaymentMethod string

// Payment methods.
const (
	MethodConekta PaymentMethod = "conekta" // journal CNK
	MethodSPEI    PaymentMethod = "spei"    // journal SPEI
)

// journal returns the journal code of the method.
func (m PaymentMethod) journal() (string, bool) {
	switch m {
	case MethodConekta:
		return JournalConekta, true
	case MethodSPEI:
		return JournalSPEI, true
	}
	return "", false
}

// ReceivedPayment is a payment to register.
type ReceivedPayment struct {
	ClientID int64
	Amount   decimal.Decimal // MXN, positive
	Method   PaymentMethod
	// ProviderRef is the provider's id (Conekta order id, SPEI tracking
	// key): registering the same reference twice returns the first payment.
	ProviderRef string
	Date        time.Time // default today
	Memo        string
	// Post confirms the payment (action_post) after creating it.
	Post bool
}

// Payment is a registered account.payment.
type Payment struct {
	ID          int64
	Name        string
	ClientID    int64
	Amount      decimal.Decimal
	JournalID   int64
	State       string
	ProviderRef string
	// Created is false when the reference was already registered.
	Created bool
}

type paymentRow struct {
	ID          int64           `odoo:"id"`
	Name        odoo.String     `odoo:"name"`
	PartnerID   odoo.Many2One   `odoo:"partner_id"`
	Amount      decimal.Decimal `odoo:"amount"`
	JournalID   odoo.Many2One   `odoo:"journal_id"`
	State       odoo.Selection  `odoo:"state"`
	ProviderRef odoo.String     `odoo:"x_cmu_provider_ref"`
}

var paymentFields = []string{"id", "name", "partner_id", "amount", "journal_id", "state", "x_cmu_provider_ref"}

func (p paymentRow) payment() *Payment {
	return &Payment{ID: p.ID, Name: p.Name.Value, ClientID: p.PartnerID.ID, Amount: p.Amount, JournalID: p.JournalID.ID,
		State: p.State.Value, ProviderRef: p.ProviderRef.Value}
}

// RegisterPayment records a received payment as an inbound customer
// account.payment in journal CNK (Conekta) or SPEI for the client,
// idempotent by provider reference (x_cmu_provider_ref, looked up first).
// With Post, a draft payment (new, or left in draft by an earlier failed
// call) is posted.
func (s *Service) RegisterPayment(ctx context.Context, p ReceivedPayment) (*Payment, error) {
	code, ok := p.Method.journal()
	if !ok {
		return nil, invalid("method", "unknown payment method %q", p.Method)
	}
	if !p.Amount.IsPositive() {
		return nil, invalid("amount", "must be positive")
	}
	if strings.TrimSpace(p.ProviderRef) == "" {
		return nil, invalid("provider reference", "required")
	}
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	journal := r.journals[code]
	if journal == 0 {
		return nil, fmt.Errorf("cmu: journal %s: %w", code, ErrNotProvisioned)
	}
	var rows []paymentRow
	if err := s.c.SearchRead(ctx, odoo.ModelPayment, odoo.Eq("x_cmu_provider_ref", p.ProviderRef),
		&odoo.SearchOptions{Fields: paymentFields, Limit: 1}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: payment %s of client %d: look up: %w", p.ProviderRef, p.ClientID, err)
	}
	var out *Payment
	if len(rows) > 0 {
		out = rows[0].payment()
	} else {
		date := p.Date
		if date.IsZero() {
			date = s.nowUTC()
		}
		memo := p.Memo
		if memo == "" {
			memo = fmt.Sprintf("%s %s", strings.ToUpper(string(p.Method)), p.ProviderRef)
		}
		v := map[string]any{"partner_id": p.ClientID, "amount": p.Amount, "journal_id": journal,
			"payment_type": "inbound", "partner_type": "customer", "date": odoo.NewDate(date.Year(), date.Month(), date.Day()),
			"payment_reference": p.ProviderRef, "x_cmu_provider_ref": p.ProviderRef}
		payFields, err := s.c.ModelFields(ctx, odoo.ModelPayment)
		if err != nil {
			return nil, fmt.Errorf("cmu: payment %s: %w", p.ProviderRef, err)
		}
		if _, ok := payFields["memo"]; ok {
			v["memo"] = memo
		} else if _, ok := payFields["ref"]; ok {
			v["ref"] = memo
		}
		id, err := s.c.Create(ctx, odoo.ModelPayment, v, nil)
		if err != nil {
			return nil, fmt.Errorf("cmu: register payment %s of client %d: %w", p.ProviderRef, p.ClientID, err)
		}
		out = &Payment{ID: id, ClientID: p.ClientID, Amount: p.Amount, JournalID: journal, State: "draft", ProviderRef: p.ProviderRef, Created: true}
	}
	if p.Post && out.State == "draft" {
		if err := s.c.Call(ctx, odoo.ModelPayment, "action_post", []any{[]int64{out.ID}}, nil, nil); err != nil && !isNoneFault(err) {
			return nil, fmt.Errorf("cmu: post payment %s (id %d) of client %d: %w", p.ProviderRef, out.ID, p.ClientID, err)
		}
		var after []paymentRow
		if err := s.c.Read(ctx, odoo.ModelPayment, []int64{out.ID}, &odoo.SearchOptions{Fields: paymentFields}, &after); err != nil {
			return nil, fmt.Errorf("cmu: read payment %d: %w", out.ID, err)
		}
		if len(after) > 0 {
			created := out.Created
			out = after[0].payment()
			out.Created = created
		}
	}
	return out, nil
}

// isNoneFault reports XML-RPC's answer to a method returning None
// (account.payment.action_post): the method ran, only its None result could
// not be marshalled. The caller re-reads the record to know the outcome.
func isNoneFault(err error) bool {
	var oe *odoo.Error
	return errors.As(err, &oe) && strings.Contains(oe.Message, "cannot marshal None")
}
