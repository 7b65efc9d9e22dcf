package odoo

import (
	"context"
	"fmt"
	"reflect"
)

// Records is a typed view of one model: its methods decode into T (a struct
// with `odoo` tags). Obtain one with NewRecords or the shortcuts (Partners,
// Leads…); it is a small value, cheap to copy.
type Records[T any] struct {
	c     *Client
	model string
}

// NewRecords returns the typed view of model on c.
func NewRecords[T any](c *Client, model string) Records[T] { return Records[T]{c: c, model: model} }

// Model returns the model name.
func (r Records[T]) Model() string { return r.model }

// SearchRead returns the records matching domain (an empty slice when none).
func (r Records[T]) SearchRead(ctx context.Context, domain Domain, opts *SearchOptions) ([]T, error) {
	out := []T{}
	err := r.c.SearchRead(ctx, r.model, domain, opts, &out)
	return out, err
}

// Read returns the records ids, in chunks (see Client.Read).
func (r Records[T]) Read(ctx context.Context, ids []int64, opts *SearchOptions) ([]T, error) {
	out := []T{}
	err := r.c.Read(ctx, r.model, ids, opts, &out)
	return out, err
}

// Get returns one record; a missing id is an error wrapping ErrNotFound.
func (r Records[T]) Get(ctx context.Context, id int64, opts *SearchOptions) (T, error) {
	var out T
	err := r.c.Get(ctx, r.model, id, opts, &out)
	return out, err
}

// Search returns matching ids.
func (r Records[T]) Search(ctx context.Context, domain Domain, opts *SearchOptions) ([]int64, error) {
	return r.c.Search(ctx, r.model, domain, opts)
}

// Count returns how many records match domain.
func (r Records[T]) Count(ctx context.Context, domain Domain) (int64, error) {
	return r.c.SearchCount(ctx, r.model, domain, nil)
}

// Create creates one record from vals (a map or a tagged struct whose empty
// fields are tagged omitempty) and returns its id.
func (r Records[T]) Create(ctx context.Context, vals any) (int64, error) {
	return r.c.Create(ctx, r.model, vals, nil)
}

// Write sets vals on ids.
func (r Records[T]) Write(ctx context.Context, ids []int64, vals any) error {
	return r.c.Write(ctx, r.model, ids, vals, nil)
}

// Unlink deletes ids.
func (r Records[T]) Unlink(ctx context.Context, ids []int64) error {
	return r.c.Unlink(ctx, r.model, ids, nil)
}

// Partners is the typed view of res.partner.
func Partners(c *Client) Records[Partner] { return NewRecords[Partner](c, ModelPartner) }

// AnalyticPlans is the typed view of account.analytic.plan.
func AnalyticPlans(c *Client) Records[AnalyticPlan] {
	return NewRecords[AnalyticPlan](c, ModelAnalyticPlan)
}

// AnalyticAccounts is the typed view of account.analytic.account.
func AnalyticAccounts(c *Client) Records[AnalyticAccount] {
	return NewRecords[AnalyticAccount](c, ModelAnalyticAccount)
}

// AnalyticLines is the typed view of account.analytic.line.
func AnalyticLines(c *Client) Records[AnalyticLine] {
	return NewRecords[AnalyticLine](c, ModelAnalyticLine)
}

// SaleOrders is the typed view of sale.order.
func SaleOrders(c *Client) Records[SaleOrder] { return NewRecords[SaleOrder](c, ModelSaleOrder) }

// SaleOrderLines is the typed view of sale.order.line.
func SaleOrderLines(c *Client) Records[SaleOrderLine] {
	return NewRecords[SaleOrderLine](c, ModelSaleOrderLine)
}

// Leads is the typed view of crm.lead.
func Leads(c *Client) Records[Lead] { return NewRecords[Lead](c, ModelLead) }

// Stages is the typed view of crm.stage.
func Stages(c *Client) Records[Stage] { return NewRecords[Stage](c, ModelStage) }

// Attachments is the typed view of ir.attachment.
func Attachments(c *Client) Records[Attachment] { return NewRecords[Attachment](c, ModelAttachment) }

// CalendarEvents is the typed view of calendar.event.
func CalendarEvents(c *Client) Records[CalendarEvent] {
	return NewRecords[CalendarEvent](c, ModelCalendarEvent)
}

// Journals is the typed view of account.journal.
func Journals(c *Client) Records[Journal] { return NewRecords[Journal](c, ModelJournal) }

// Payments is the typed view of account.payment.
func Payments(c *Client) Records[Payment] { return NewRecords[Payment](c, ModelPayment) }

// Messages is the typed view of mail.message.
func Messages(c *Client) Records[Message] { return NewRecords[Message](c, ModelMessage) }

// LoadRelated loads, in one search_read per chunk of parent ids (not one
// per parent), the records of model whose many2one inverseField points to
// one of parentIDs, and groups them by parent id. T must have a field
// tagged inverseField (Many2One, int64 or Int). extra further filters the
// related records. Example: every partner's analytic accounts for a page of
// partners: LoadRelated[AnalyticAccount](ctx, c, "account.analytic.account",
// "partner_id", ids, nil, nil).
func LoadRelated[T any](ctx context.Context, c *Client, model, inverseField string, parentIDs []int64, extra Domain, opts *SearchOptions) (map[int64][]T, error) {
	out := make(map[int64][]T, len(parentIDs))
	if len(parentIDs) == 0 {
		return out, nil
	}
	p := c.plans.get(reflect.TypeFor[T]())
	fp := p.fields[inverseField]
	if p.kind != pkStruct || fp == nil {
		return nil, fmt.Errorf("odoo: LoadRelated: %T has no field tagged %q", *new(T), inverseField)
	}
	for start := 0; start < len(parentIDs); start += c.chunk {
		end := min(start+c.chunk, len(parentIDs))
		var rows []T
		d := And(In(inverseField, parentIDs[start:end]), extra)
		o := SearchOptions{}
		if opts != nil {
			o = *opts
		}
		if o.Fields != nil && !contains(o.Fields, inverseField) {
			o.Fields = append(append([]string(nil), o.Fields...), inverseField)
		}
		if err := c.SearchRead(ctx, model, d, &o, &rows); err != nil {
			return nil, err
		}
		for _, row := range rows {
			fv := reflect.ValueOf(&row).Elem().FieldByIndex(fp.index)
			var pid int64
			switch x := fv.Interface().(type) {
			case Many2One:
				pid = x.ID
			case Int:
				pid = x.Value
			case int64:
				pid = x
			default:
				return nil, fmt.Errorf("odoo: LoadRelated: field %q of %T is %T, want Many2One or int64", inverseField, row, x)
			}
			out[pid] = append(out[pid], row)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
