package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/conekta"
	"github.com/cmu-mx/cmu/providers/spei"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/webhooks"
	"github.com/shopspring/decimal"
)

// Payments implements server.PaymentsService (Conekta links up to 20,000 MXN,
// SPEI instructions above) and processes Conekta's order.paid webhooks.
type Payments struct {
	svc     *cmu.Service
	conekta *conekta.Client // nil: links unavailable
	account spei.Account
	bank    string // bank name shown; empty = from the CLABE catalogue
	pub     *publisher
	log     *slog.Logger
	now     func() time.Time
}

var _ server.PaymentsService = (*Payments)(nil)

// ConektaLink implements server.PaymentsService: a hosted-checkout order whose
// metadata carries the client id and a unique reference.
func (p *Payments) ConektaLink(ctx context.Context, clientID int64, amount decimal.Decimal) (*server.PaymentLink, error) {
	if p.conekta == nil {
		return nil, server.NewError(server.KindUnavailable, "Servicio no disponible: Conekta no está configurado")
	}
	cl, err := p.svc.ClientInfo(ctx, clientID)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", clientID))
	}
	phone := lastDigits(cl.Contact.Phone, 10)
	if cl.Contact.Email == "" || len(phone) != 10 {
		return nil, unprocessable("El cliente %d necesita correo y teléfono de 10 dígitos para una liga de pago", clientID)
	}
	ref := fmt.Sprintf("CMU-%d-%d", clientID, p.now().UnixNano())
	l, err := p.conekta.CreatePaymentLink(ctx, conekta.PaymentLinkParams{Amount: amount, Concept: "Aportación plan de ahorro CMu",
		Customer: conekta.Customer{Name: cl.Name, Email: cl.Contact.Email, Phone: phone},
		ClientID: strconv.FormatInt(clientID, 10), Reference: ref})
	if err != nil {
		if errors.Is(err, conekta.ErrAmountOverLimit) || errors.Is(err, conekta.ErrInvalidAmount) {
			return nil, unprocessable("Monto inválido para una liga de pago Conekta (máximo 20,000.00 MXN)")
		}
		return nil, mapError(err, "la liga de pago")
	}
	exp := l.ExpiresAt
	return &server.PaymentLink{Method: server.PaymentConekta, ClientID: clientID, Amount: server.NewMoney(l.Amount), URL: l.URL, ExpiresAt: &exp}, nil
}

// SPEIInstructions implements server.PaymentsService: CMu's account and the
// client's 7-digit numeric reference (spei.Reference).
func (p *Payments) SPEIInstructions(ctx context.Context, clientID int64, amount decimal.Decimal) (*server.PaymentLink, error) {
	if _, err := p.svc.ClientInfo(ctx, clientID); err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", clientID))
	}
	in, err := spei.NewInstructions(p.account, clientID, amount, "")
	switch {
	case errors.Is(err, spei.ErrInvalidAccount):
		return nil, server.WrapError(server.KindUnavailable, "Servicio no disponible: la cuenta SPEI de CMu no está configurada", err)
	case errors.Is(err, spei.ErrInvalidClientID):
		return nil, unprocessable("El cliente %d no admite referencia SPEI numérica", clientID)
	case err != nil:
		return nil, unprocessable("Monto inválido para SPEI: debe ser mayor a 20,000.00 MXN")
	}
	bank := p.bank
	if bank == "" {
		bank = in.Bank.Name
	}
	return &server.PaymentLink{Method: server.PaymentSPEI, ClientID: clientID, Amount: server.NewMoney(in.Amount),
		SPEI: &server.SPEIInstructions{CLABE: string(in.CLABE), Bank: bank, Beneficiary: in.Beneficiary, Reference: in.Reference, Amount: server.NewMoney(in.Amount)}}, nil
}

// lastDigits returns the last n digits of s (all when fewer).
func lastDigits(s string, n int) string {
	d := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
	if len(d) > n {
		d = d[len(d)-n:]
	}
	return d
}

// contribute records a contribution on the client's savings plan, opening
// the plan first when the client has none. created is false when the
// transaction id was already recorded (a retry or a replayed delivery).
func contribute(ctx context.Context, svc *cmu.Service, c cmu.Contribution) (created bool, err error) {
	_, err = svc.RecordContribution(ctx, c)
	if errors.Is(err, cmu.ErrNotFound) && c.AccountID == 0 {
		if _, _, err = svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: c.ClientID}); err != nil {
			return false, err
		}
		_, err = svc.RecordContribution(ctx, c)
	}
	if errors.Is(err, cmu.ErrDuplicate) {
		return false, nil
	}
	return err == nil, err
}

// ProcessConekta is the webhooks.HandlerFunc of Conekta deliveries. An
// order.paid registers the payment in journal CNK (idempotent by order id) and
// the contribution on the client's savings plan (unique transaction
// "conekta:<order id>"), so the money counts exactly once however often the
// event is delivered; other events are acknowledged and ignored.
func (p *Payments) ProcessConekta(ctx context.Context, d webhooks.Delivery) error {
	ev, err := conekta.ParseEvent(d.Body)
	if err != nil {
		return webhooks.Permanent(err)
	}
	if ev.Type != conekta.EventOrderPaid {
		return nil
	}
	pay, err := ev.OrderPaid()
	if err != nil {
		return webhooks.Permanent(err)
	}
	clientID, err := strconv.ParseInt(pay.ClientID, 10, 64)
	if err != nil || clientID <= 0 {
		return webhooks.Permanent(fmt.Errorf("app: conekta order %s: metadata clientId %q is not a client id", pay.OrderID, pay.ClientID))
	}
	cl, err := p.svc.ClientInfo(ctx, clientID)
	if errors.Is(err, cmu.ErrNotFound) {
		return webhooks.Permanent(fmt.Errorf("app: conekta order %s: %w", pay.OrderID, err))
	}
	if err != nil {
		return err
	}
	date := pay.PaidAt
	if date.IsZero() {
		date = p.now()
	}
	payment, err := p.svc.RegisterPayment(ctx, cmu.ReceivedPayment{ClientID: clientID, Amount: pay.Amount, Method: cmu.MethodConekta,
		ProviderRef: pay.OrderID, Date: date, Memo: "Conekta " + pay.OrderID + " (" + pay.PaymentMethod + ")", Post: true})
	if err != nil {
		return fmt.Errorf("app: conekta order %s: payment: %w", pay.OrderID, err)
	}
	created, err := contribute(ctx, p.svc, cmu.Contribution{ClientID: clientID, Amount: pay.Amount.Round(2), Source: cmu.SourceConekta,
		TransactionID: "conekta:" + pay.OrderID, Date: date, Description: "Pago Conekta " + pay.OrderID})
	if err != nil {
		return fmt.Errorf("app: conekta order %s: contribution: %w", pay.OrderID, err)
	}
	if !created && !payment.Created {
		return nil // applied by an earlier delivery
	}
	msg := fmt.Sprintf("Pago recibido por Conekta: %s MXN (orden %s, %s)", pay.Amount.StringFixed(2), pay.OrderID, pay.PaymentMethod)
	entry := &server.EventLogEntry{ClientID: clientID, Type: "pago_recibido", Message: msg, Author: "Conekta", CreatedAt: p.now().UTC()}
	if ids, err := p.svc.PostEvent(ctx, cmu.Event{ClientID: clientID, Type: entry.Type, Message: msg, Author: entry.Author}); err != nil {
		p.log.LogAttrs(ctx, slog.LevelWarn, "payment note not posted", slog.Int64("client", clientID), slog.Any("err", err))
	} else if len(ids) > 0 {
		entry.ID = ids[0]
	}
	p.pub.applied(ctx, clientID, server.Market(cl.Market), "pago", entry, &Notification{Kind: "pago_recibido", Level: "info",
		Title: "Pago recibido", Message: fmt.Sprintf("%s: %s", cl.Name, msg), ClientID: clientID})
	return nil
}
