package odoo

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/shopspring/decimal"
)

func modelTypes() map[string]reflect.Type {
	return map[string]reflect.Type{
		ModelPartner:         reflect.TypeFor[Partner](),
		ModelAnalyticPlan:    reflect.TypeFor[AnalyticPlan](),
		ModelAnalyticAccount: reflect.TypeFor[AnalyticAccount](),
		ModelAnalyticLine:    reflect.TypeFor[AnalyticLine](),
		ModelSaleOrder:       reflect.TypeFor[SaleOrder](),
		ModelSaleOrderLine:   reflect.TypeFor[SaleOrderLine](),
		ModelLead:            reflect.TypeFor[Lead](),
		ModelStage:           reflect.TypeFor[Stage](),
		ModelAttachment:      reflect.TypeFor[Attachment](),
		ModelCalendarEvent:   reflect.TypeFor[CalendarEvent](),
		ModelJournal:         reflect.TypeFor[Journal](),
		ModelPayment:         reflect.TypeFor[Payment](),
		ModelMessage:         reflect.TypeFor[Message](),
	}
}

// compareTypedRows checks every tagged field of every decoded row against
// the recorded (oracle-parsed) row.
func compareTypedRows(t *testing.T, c *Client, model string, rows []any, got reflect.Value) {
	t.Helper()
	if got.Len() != len(rows) {
		t.Fatalf("%d typed rows, recorded %d", got.Len(), len(rows))
	}
	p := c.plans.get(got.Type().Elem())
	checked := 0
	for i, r := range rows {
		row := toMap(r)
		for _, f := range p.list {
			w, ok := row[f.name]
			for _, a := range f.aliases {
				if !ok {
					w, ok = row[a]
				}
			}
			fv := got.Index(i).FieldByIndex(f.index)
			if !ok {
				if !fv.IsZero() {
					t.Errorf("%s row %d %s: %v set but not in the answer", model, i, f.name, fv)
				}
				continue
			}
			checked++
			if msg := typedMismatch(w, fv.Interface()); msg != "" {
				t.Errorf("%s row %d field %s: %s (recorded %#v, decoded %#v)", model, i, f.name, msg, w, fv.Interface())
			}
		}
	}
	if len(rows) > 0 && checked == 0 {
		t.Errorf("%s: no typed field was checked", model)
	}
}

// typedMismatch says how decoded differs from the recorded wire value w.
func typedMismatch(w any, decoded any) string {
	empty := w == false || w == nil
	switch d := decoded.(type) {
	case Many2One:
		if empty {
			if d != (Many2One{}) {
				return "false should be unset"
			}
			return ""
		}
		l := toList(w)
		if len(l) != 2 || d.ID != toInt64(l[0]) || d.Name != l[1] {
			return "many2one differs"
		}
	case String:
		if empty != !d.Valid || (!empty && d.Value != w) {
			return "string differs"
		}
	case Selection:
		if empty != !d.Valid || (!empty && d.Value != w) {
			return "selection differs"
		}
	case string:
		if (empty && d != "") || (!empty && d != w) {
			return "string differs"
		}
	case bool:
		if d != (w == true) {
			return "bool differs"
		}
	case int64:
		if (empty && d != 0) || (!empty && d != toInt64(w)) {
			return "int differs"
		}
	case Int:
		if empty != !d.Valid || (!empty && d.Value != toInt64(w)) {
			return "int differs"
		}
	case Float:
		if empty != !d.Valid {
			return "validity differs"
		}
		if !empty {
			f, _ := w.(json.Number).Float64()
			if n, ok := w.(int64); ok {
				f = float64(n)
			}
			if f != d.Value {
				return "float differs"
			}
		}
	case decimal.Decimal:
		if empty {
			if !d.IsZero() {
				return "false should be zero"
			}
			return ""
		}
		var want decimal.Decimal
		switch n := w.(type) {
		case json.Number:
			want = decimal.RequireFromString(string(n))
		case int64:
			want = decimal.NewFromInt(n)
		}
		if !want.Equal(d) {
			return "decimal differs"
		}
	case []int64:
		l := toList(w)
		if len(l) != len(d) {
			return "id list differs"
		}
		for i := range l {
			if toInt64(l[i]) != d[i] {
				return "id list differs"
			}
		}
	case Date:
		if empty != !d.Valid || (!empty && d.String() != w) {
			return "date differs"
		}
	case DateTime:
		if empty != !d.Valid || (!empty && d.String() != w) || (!empty && d.Time.Location().String() != "UTC") {
			return "datetime differs"
		}
	case map[string]decimal.Decimal:
		if empty != (d == nil) {
			return "map differs"
		}
	case []byte:
		if empty != (d == nil) {
			return "bytes differ"
		}
	default:
		return "unchecked type"
	}
	return ""
}
