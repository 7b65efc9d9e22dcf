package odoo

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Op is a domain comparison operator.
type Op string

// Domain operators understood by Odoo 16–19.
const (
	OpEq         Op = "="
	OpNotEq      Op = "!="
	OpGt         Op = ">"
	OpGte        Op = ">="
	OpLt         Op = "<"
	OpLte        Op = "<="
	OpIn         Op = "in"
	OpNotIn      Op = "not in"
	OpLike       Op = "like"
	OpNotLike    Op = "not like"
	OpILike      Op = "ilike"
	OpNotILike   Op = "not ilike"
	OpEqLike     Op = "=like"
	OpEqILike    Op = "=ilike"
	OpChildOf    Op = "child_of"
	OpParentOf   Op = "parent_of"
	OpAny        Op = "any"
	OpNotAny     Op = "not any"
	OpEqQuestion Op = "=?"
)

func validOp(op string) bool {
	switch Op(op) {
	case OpEq, OpNotEq, OpGt, OpGte, OpLt, OpLte, OpIn, OpNotIn, OpLike, OpNotLike, OpILike, OpNotILike,
		OpEqLike, OpEqILike, OpChildOf, OpParentOf, OpAny, OpNotAny, OpEqQuestion, "<>":
		return true
	}
	return false
}

// Condition is one domain leaf: (field, operator, value). Field may be a
// dotted path ("partner_id.country_id.code").
type Condition struct {
	Field string
	Op    Op
	Value any
}

// MarshalOdoo encodes the leaf as Odoo's [field, operator, value].
func (c Condition) MarshalOdoo() (any, error) {
	return []any{c.Field, string(c.Op), c.Value}, nil
}

// Domain is an Odoo search domain in prefix (Polish) notation: its elements
// are Conditions (or raw 3-element []any leaves) and the operators "&", "|"
// and "!". Top-level expressions are implicitly ANDed; the empty domain
// matches every record. Build it with Cond, And, Or and Not, or from raw
// data with RawDomain / ParseDomain.
type Domain []any

// Cond returns the one-leaf domain field op value.
func Cond(field string, op Op, value any) Domain {
	return Domain{Condition{Field: field, Op: op, Value: value}}
}

// Eq is Cond(field, "=", value).
func Eq(field string, value any) Domain { return Cond(field, OpEq, value) }

// NotEq is Cond(field, "!=", value).
func NotEq(field string, value any) Domain { return Cond(field, OpNotEq, value) }

// In is Cond(field, "in", values).
func In(field string, values any) Domain { return Cond(field, OpIn, values) }

// NotIn is Cond(field, "not in", values).
func NotIn(field string, values any) Domain { return Cond(field, OpNotIn, values) }

// ILike is Cond(field, "ilike", value).
func ILike(field string, value string) Domain { return Cond(field, OpILike, value) }

// exprCount returns how many top-level expressions d holds, or an error if
// an operator lacks operands.
func exprCount(d Domain) (int, error) {
	n := 0
	for i := len(d) - 1; i >= 0; i-- {
		switch x := d[i].(type) {
		case string:
			switch x {
			case "!":
				if n < 1 {
					return 0, fmt.Errorf("odoo: domain: %q at %d lacks its operand", x, i)
				}
			case "&", "|":
				if n < 2 {
					return 0, fmt.Errorf("odoo: domain: %q at %d lacks its operands", x, i)
				}
				n--
			default:
				return 0, fmt.Errorf("odoo: domain: unknown operator %q at %d", x, i)
			}
		default:
			if err := checkLeaf(x); err != nil {
				return 0, fmt.Errorf("odoo: domain term %d: %w", i, err)
			}
			n++
		}
	}
	return n, nil
}

func checkLeaf(x any) error {
	switch l := x.(type) {
	case Condition:
		if l.Field == "" {
			return fmt.Errorf("empty field")
		}
		if !validOp(string(l.Op)) {
			return fmt.Errorf("unknown operator %q", l.Op)
		}
		return nil
	case []any:
		if len(l) != 3 {
			return fmt.Errorf("leaf has %d elements, want 3", len(l))
		}
		switch f := l[0].(type) {
		case string:
			if f == "" {
				return fmt.Errorf("empty field")
			}
		case int, int64, json.Number, float64: // Odoo's TRUE/FALSE leaves (1, '=', 1)
		default:
			return fmt.Errorf("field is %T, want a string", l[0])
		}
		op, ok := l[1].(string)
		if !ok || !validOp(op) {
			return fmt.Errorf("unknown operator %v", l[1])
		}
		return nil
	}
	return fmt.Errorf("term is %T, want a condition or an operator", x)
}

// Validate checks the domain's structure (operators, arity, leaves).
func (d Domain) Validate() error {
	_, err := exprCount(d)
	return err
}

// normalized returns d with explicit "&" for its implicit conjunction, so
// that it is one expression.
func (d Domain) normalized() Domain {
	n, err := exprCount(d)
	if err != nil || n <= 1 {
		return d
	}
	out := make(Domain, 0, n-1+len(d))
	for range n - 1 {
		out = append(out, "&")
	}
	return append(out, d...)
}

func combine(op string, ds []Domain) Domain {
	parts := make([]Domain, 0, len(ds))
	for _, d := range ds {
		if len(d) > 0 {
			parts = append(parts, d.normalized())
		}
	}
	if len(parts) == 0 {
		return Domain{}
	}
	out := Domain{}
	for range len(parts) - 1 {
		out = append(out, op)
	}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// And combines domains with "&" (empty domains are skipped).
func And(ds ...Domain) Domain { return combine("&", ds) }

// Or combines domains with "|". An empty domain matches everything, so Or
// with an empty operand is the empty domain.
func Or(ds ...Domain) Domain {
	for _, d := range ds {
		if len(d) == 0 {
			return Domain{}
		}
	}
	return combine("|", ds)
}

// Not negates d with "!". Not of the empty domain matches nothing.
func Not(d Domain) Domain {
	if len(d) == 0 {
		return Domain{[]any{int64(0), "=", int64(1)}}
	}
	return append(Domain{"!"}, d.normalized()...)
}

// RawDomain checks and wraps a domain given as data (e.g. decoded from JSON).
func RawDomain(terms []any) (Domain, error) {
	d := Domain(terms)
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// ParseDomain parses a JSON domain such as
// `["|", ["name", "ilike", "ruta"], ["id", "in", [1, 2]]]`. Numbers keep
// their text (integers stay integers on the wire).
func ParseDomain(data []byte) (Domain, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var terms []any
	if err := dec.Decode(&terms); err != nil {
		return nil, fmt.Errorf("odoo: domain JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("odoo: domain JSON: trailing data")
	}
	return RawDomain(terms)
}
