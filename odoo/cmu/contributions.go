package cmu

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// Source is where a contribution comes from (x_cmu_source).
type Source string

// Contribution sources.
const (
	SourceGNV     Source = "gnv"     // surcharge per litre at a natural-gas station
	SourceConekta Source = "conekta" // card or OXXO payment link
	SourceSPEI    Source = "spei"    // bank transfer
	SourceOther   Source = "otro"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	return s == SourceGNV || s == SourceConekta || s == SourceSPEI || s == SourceOther
}

// Contribution is money a client puts into a plan.
type Contribution struct {
	ClientID int64
	// AccountID is the plan account credited; zero means the client's
	// savings plan (which must exist). For a collective group, pass the
	// group's master account: the line carries the client as partner.
	AccountID int64
	Amount    decimal.Decimal // MXN, positive, whole cents
	Source    Source
	// TransactionID is the provider's id of the movement (GNV load, Conekta
	// order, SPEI tracking key); it is unique across contributions.
	TransactionID string
	Date          time.Time // default today (Service clock, UTC)
	Description   string
}

// RecordedContribution is a contribution stored as an analytic line.
type RecordedContribution struct {
	LineID    int64
	AccountID int64
	ClientID  int64
	Amount    decimal.Decimal
	Source    Source
	Date      time.Time
}

// RecordContribution stores c as an account.analytic.line on the plan
// account, with its transaction id in x_cmu_transaction_id. The id is
// checked in Odoo first: an id already recorded is a *DuplicateError
// (errors.Is(err, ErrDuplicate)) carrying the existing line, so a retry
// after a lost answer is recognisable and never counts twice. Two calls
// (three when the savings account must be found).
func (s *Service) RecordContribution(ctx context.Context, c Contribution) (*RecordedContribution, error) {
	if !c.Amount.IsPositive() {
		return nil, invalid("amount", "must be positive")
	}
	if !c.Amount.Equal(c.Amount.Round(2)) {
		return nil, invalid("amount", "%s is not in whole cents", c.Amount)
	}
	if !c.Source.Valid() {
		return nil, invalid("source", "unknown source %q", c.Source)
	}
	if strings.TrimSpace(c.TransactionID) == "" {
		return nil, invalid("transaction id", "required")
	}
	r, err := s.refs(ctx)
	if err != nil {
		return nil, err
	}
	var existing []struct {
		ID int64 `odoo:"id"`
	}
	if err := s.c.SearchRead(ctx, odoo.ModelAnalyticLine, odoo.Eq("x_cmu_transaction_id", c.TransactionID),
		&odoo.SearchOptions{Fields: []string{"id"}, Limit: 1}, &existing); err != nil {
		return nil, fmt.Errorf("cmu: contribution %s of client %d: check duplicate: %w", c.TransactionID, c.ClientID, err)
	}
	if len(existing) > 0 {
		return nil, &DuplicateError{Model: odoo.ModelAnalyticLine, Key: c.TransactionID, ExistingID: existing[0].ID}
	}
	acc := c.AccountID
	if acc == 0 {
		var rows []accountRow
		if err := s.c.SearchRead(ctx, odoo.ModelAnalyticAccount, odoo.And(odoo.Eq("partner_id", c.ClientID), odoo.Eq("plan_id", r.plans[PlanSavings])),
			&odoo.SearchOptions{Fields: []string{"id"}, Order: "id", Limit: 1}, &rows); err != nil {
			return nil, fmt.Errorf("cmu: contribution %s: savings plan of client %d: %w", c.TransactionID, c.ClientID, err)
		}
		if len(rows) == 0 {
			return nil, fmt.Errorf("cmu: contribution %s: savings plan of client %d: %w", c.TransactionID, c.ClientID, ErrNotFound)
		}
		acc = rows[0].ID
	}
	date := c.Date
	if date.IsZero() {
		date = s.nowUTC()
	}
	d := odoo.NewDate(date.Year(), date.Month(), date.Day())
	name := c.Description
	if name == "" {
		name = fmt.Sprintf("Aportación %s %s", c.Source, c.TransactionID)
	}
	id, err := s.c.Create(ctx, odoo.ModelAnalyticLine, map[string]any{
		"name": name, "date": d, "amount": c.Amount, r.column: acc, "partner_id": c.ClientID,
		"ref": c.TransactionID, "x_cmu_transaction_id": c.TransactionID, "x_cmu_source": string(c.Source),
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("cmu: record contribution %s on account %d of client %d: %w", c.TransactionID, acc, c.ClientID, err)
	}
	return &RecordedContribution{LineID: id, AccountID: acc, ClientID: c.ClientID, Amount: c.Amount, Source: c.Source, Date: d.Time}, nil
}
