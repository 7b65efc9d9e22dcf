package odoo

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// tokKind is the kind of a wire token, common to the XML-RPC and JSON scanners.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokNull
	tokBool
	tokInt
	tokFloat
	tokString
	tokTime   // XML-RPC dateTime.iso8601
	tokBase64 // XML-RPC base64
	tokArray
	tokArrayEnd
	tokObject
	tokObjectEnd
	tokKey
)

var tokNames = [...]string{
	tokEOF: "end of input", tokNull: "null", tokBool: "boolean", tokInt: "int", tokFloat: "double",
	tokString: "string", tokTime: "dateTime", tokBase64: "base64", tokArray: "array",
	tokArrayEnd: "end of array", tokObject: "struct", tokObjectEnd: "end of struct", tokKey: "member name",
}

func (k tokKind) String() string {
	if int(k) < len(tokNames) {
		return tokNames[k]
	}
	return "token"
}

// token is one scanned wire value or structural mark. text is only valid
// until the next call to source.next.
type token struct {
	kind tokKind
	text []byte
	b    bool
}

// source produces tokens from one response body.
type source interface {
	next() (token, error)
}

// maxDepth bounds nesting of arrays and structs in any decoded body.
const maxDepth = 128

// syntaxError is a malformed body.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("malformed response at byte %d: %s", e.offset, e.msg)
}

// decoder decodes tokens straight into Go values following cached plans.
type decoder struct {
	src     source
	plans   *planCache
	model   string
	field   string            // innermost struct field being decoded, for errors
	renames map[string]string // answer field name → tag name, for renamed fields
}

// decodeTop decodes one value from src into dst, which must be a non-nil
// pointer (or nil to discard the value).
func (d *decoder) decodeTop(dst any) error {
	t, err := d.src.next()
	if err != nil {
		return err
	}
	return d.decodeTokInto(t, dst)
}

func (d *decoder) decodeTokInto(t token, dst any) error {
	if dst == nil {
		return d.skip(t)
	}
	// Fast paths that need no plan.
	switch p := dst.(type) {
	case *any:
		v, err := d.anyValue(t)
		if err != nil {
			return err
		}
		*p = v
		return nil
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("odoo: decode destination must be a non-nil pointer, got %T", dst)
	}
	ev := rv.Elem()
	return d.value(t, ev, d.plans.get(ev.Type()))
}

func (d *decoder) mismatch(p *plan, t token) error {
	return &DecodeError{Model: d.model, Field: d.field, Want: p.typ.String(), Got: t.kind.String()}
}

// isEmpty reports whether t is Odoo's "no value" (false or null) for a non-boolean destination.
func isEmpty(t token) bool {
	return t.kind == tokNull || (t.kind == tokBool && !t.b)
}

// value decodes the value starting with token t into v (settable).
func (d *decoder) value(t token, v reflect.Value, p *plan) error {
	switch t.kind {
	case tokArrayEnd, tokObjectEnd, tokKey, tokEOF:
		return &syntaxError{msg: "unexpected " + t.kind.String(), offset: -1}
	}
	switch p.kind {
	case pkAny:
		x, err := d.anyValue(t)
		if err != nil {
			return err
		}
		if x == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(x))
		}
		return nil
	case pkBool:
		switch t.kind {
		case tokBool:
			v.SetBool(t.b)
			return nil
		case tokNull:
			v.SetBool(false)
			return nil
		case tokInt:
			v.SetBool(string(t.text) != "0")
			return nil
		}
		return d.fail(p, t)
	case pkPtr:
		if t.kind == tokNull || (isEmpty(t) && p.elem.kind != pkBool && p.elem.kind != pkAny) {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(p.typ.Elem()))
		}
		return d.value(t, v.Elem(), p.elem)
	}
	if isEmpty(t) {
		v.SetZero()
		return nil
	}
	switch p.kind {
	case pkString:
		switch t.kind {
		case tokString, tokTime, tokBase64, tokInt, tokFloat:
			v.SetString(string(t.text))
			return nil
		}
	case pkNullString, pkSelection:
		switch t.kind {
		case tokString, tokTime, tokBase64, tokInt, tokFloat:
			v.Field(0).SetString(string(t.text))
			v.Field(1).SetBool(true)
			return nil
		}
	case pkInt:
		if t.kind == tokInt || t.kind == tokFloat {
			n, ok := parseIntText(t)
			if ok && !v.OverflowInt(n) {
				v.SetInt(n)
				return nil
			}
		}
		if t.kind == tokArray {
			// A many2one [id, "name"] read into an integer keeps the id.
			var m Many2One
			if err := d.many2one(t, reflect.ValueOf(&m).Elem(), p); err != nil {
				return err
			}
			if !v.OverflowInt(m.ID) {
				v.SetInt(m.ID)
				return nil
			}
			return d.mismatch(p, t)
		}
	case pkUint:
		if t.kind == tokInt || t.kind == tokFloat {
			n, ok := parseIntText(t)
			if ok && n >= 0 && !v.OverflowUint(uint64(n)) {
				v.SetUint(uint64(n))
				return nil
			}
		}
	case pkNullInt:
		if t.kind == tokInt || t.kind == tokFloat {
			if n, ok := parseIntText(t); ok {
				v.Field(0).SetInt(n)
				v.Field(1).SetBool(true)
				return nil
			}
		}
	case pkFloat:
		if t.kind == tokInt || t.kind == tokFloat {
			f, err := strconv.ParseFloat(string(t.text), 64)
			if err == nil && !v.OverflowFloat(f) {
				v.SetFloat(f)
				return nil
			}
		}
	case pkNullFloat:
		if t.kind == tokInt || t.kind == tokFloat {
			f, err := strconv.ParseFloat(string(t.text), 64)
			if err == nil {
				v.Field(0).SetFloat(f)
				v.Field(1).SetBool(true)
				return nil
			}
		}
	case pkDecimal:
		if t.kind == tokInt || t.kind == tokFloat || t.kind == tokString {
			dec, err := parseDecimal(t.text)
			if err == nil {
				*(v.Addr().Interface().(*decimal.Decimal)) = dec
				return nil
			}
		}
	case pkTime:
		if t.kind == tokString || t.kind == tokTime {
			if tm, ok := parseTimeBytes(t.text); ok {
				*(v.Addr().Interface().(*time.Time)) = tm
				return nil
			}
		}
	case pkDate:
		if t.kind == tokString || t.kind == tokTime {
			if tm, ok := parseTimeBytes(t.text); ok {
				*(v.Addr().Interface().(*Date)) = Date{Time: tm, Valid: true}
				return nil
			}
		}
	case pkDateTime:
		if t.kind == tokString || t.kind == tokTime {
			if tm, ok := parseTimeBytes(t.text); ok {
				*(v.Addr().Interface().(*DateTime)) = DateTime{Time: tm, Valid: true}
				return nil
			}
		}
	case pkBytes:
		if t.kind == tokString || t.kind == tokBase64 {
			b, err := decodeBase64(t.text)
			if err == nil {
				v.SetBytes(b)
				return nil
			}
		}
	case pkMany2One:
		return d.many2one(t, v, p)
	case pkSlice:
		if t.kind == tokArray {
			return d.slice(v, p)
		}
	case pkArray:
		if t.kind == tokArray {
			return d.array(v, p)
		}
	case pkMap:
		if t.kind == tokObject {
			return d.mapValue(v, p)
		}
	case pkStruct:
		if t.kind == tokObject {
			return d.structValue(v, p)
		}
	}
	return d.fail(p, t)
}

// fail reports a mismatch after consuming the rest of the offending value,
// so a caller may keep decoding siblings if it wants to.
func (d *decoder) fail(p *plan, t token) error {
	err := d.mismatch(p, t)
	if serr := d.skip(t); serr != nil {
		return serr
	}
	return err
}

func parseIntText(t token) (int64, bool) {
	if t.kind == tokInt {
		n, err := strconv.ParseInt(string(t.text), 10, 64)
		return n, err == nil
	}
	f, err := strconv.ParseFloat(string(t.text), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

func parseDecimal(b []byte) (decimal.Decimal, error) {
	if len(b) == 0 {
		return decimal.Decimal{}, errors.New("empty number")
	}
	return decimal.NewFromString(string(b))
}

func decodeBase64(b []byte) ([]byte, error) {
	clean := b
	for _, c := range b {
		if c == '\n' || c == '\r' || c == ' ' || c == '\t' {
			clean = make([]byte, 0, len(b))
			for _, c := range b {
				if c != '\n' && c != '\r' && c != ' ' && c != '\t' {
					clean = append(clean, c)
				}
			}
			break
		}
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
	n, err := base64.StdEncoding.Decode(out, clean)
	return out[:n], err
}

func (d *decoder) many2one(t token, v reflect.Value, p *plan) error {
	m := v.Addr().Interface().(*Many2One)
	switch t.kind {
	case tokInt:
		n, ok := parseIntText(t)
		if !ok {
			return d.mismatch(p, t)
		}
		*m = Many2One{ID: n}
		return nil
	case tokArray:
		*m = Many2One{}
		for i := 0; ; i++ {
			e, err := d.src.next()
			if err != nil {
				return err
			}
			if e.kind == tokArrayEnd {
				return nil // [] reads as unset
			}
			switch {
			case i == 0 && e.kind == tokInt:
				n, ok := parseIntText(e)
				if !ok {
					return d.mismatch(p, e)
				}
				m.ID = n
			case i == 1 && (e.kind == tokString || isEmpty(e)):
				if e.kind == tokString {
					m.Name = string(e.text)
				}
			default:
				err := d.mismatch(p, e)
				if serr := d.skip(e); serr != nil {
					return serr
				}
				if i < 2 {
					// consume the rest of the array before failing
					if serr := d.skipRest(tokArrayEnd); serr != nil {
						return serr
					}
					return err
				}
			}
		}
	}
	return d.fail(p, t)
}

func (d *decoder) slice(v reflect.Value, p *plan) error {
	if p.int64s {
		sp := v.Addr().Interface().(*[]int64)
		s := (*sp)[:0]
		for {
			e, err := d.src.next()
			if err != nil {
				return err
			}
			if e.kind == tokArrayEnd {
				if s == nil {
					s = []int64{}
				}
				*sp = s
				return nil
			}
			if e.kind != tokInt {
				err := d.mismatch(p.elem, e)
				if serr := d.skip(e); serr != nil {
					return serr
				}
				if serr := d.skipRest(tokArrayEnd); serr != nil {
					return serr
				}
				return err
			}
			n, ok := parseIntText(e)
			if !ok {
				return d.mismatch(p.elem, e)
			}
			s = append(s, n)
		}
	}
	n := 0
	if v.IsNil() {
		v.Set(reflect.MakeSlice(p.typ, 0, 4))
	}
	for {
		e, err := d.src.next()
		if err != nil {
			return err
		}
		if e.kind == tokArrayEnd {
			v.SetLen(n)
			return nil
		}
		if n >= v.Cap() {
			nv := reflect.MakeSlice(p.typ, n, 2*n+4)
			reflect.Copy(nv, v)
			v.Set(nv)
		}
		v.SetLen(n + 1)
		ev := v.Index(n)
		ev.SetZero()
		if err := d.value(e, ev, p.elem); err != nil {
			return err
		}
		n++
	}
}

func (d *decoder) array(v reflect.Value, p *plan) error {
	n := 0
	for {
		e, err := d.src.next()
		if err != nil {
			return err
		}
		if e.kind == tokArrayEnd {
			for i := n; i < v.Len(); i++ {
				v.Index(i).SetZero()
			}
			return nil
		}
		if n < v.Len() {
			if err := d.value(e, v.Index(n), p.elem); err != nil {
				return err
			}
		} else if err := d.skip(e); err != nil {
			return err
		}
		n++
	}
}

func (d *decoder) mapValue(v reflect.Value, p *plan) error {
	if v.IsNil() {
		v.Set(reflect.MakeMap(p.typ))
	}
	for {
		k, err := d.src.next()
		if err != nil {
			return err
		}
		if k.kind == tokObjectEnd {
			return nil
		}
		if k.kind != tokKey {
			return &syntaxError{msg: "expected member name", offset: -1}
		}
		key := string(k.text)
		if alt, ok := d.renames[key]; ok {
			key = alt // the caller's name for a renamed field
		}
		e, err := d.src.next()
		if err != nil {
			return err
		}
		ev := reflect.New(p.typ.Elem()).Elem()
		saved := d.field
		d.field = key
		if err := d.value(e, ev, p.elem); err != nil {
			return err
		}
		d.field = saved
		v.SetMapIndex(reflect.ValueOf(key).Convert(p.typ.Key()), ev)
	}
}

func (d *decoder) structValue(v reflect.Value, p *plan) error {
	for {
		k, err := d.src.next()
		if err != nil {
			return err
		}
		if k.kind == tokObjectEnd {
			return nil
		}
		if k.kind != tokKey {
			return &syntaxError{msg: "expected member name", offset: -1}
		}
		fp := p.fields[string(k.text)]
		if fp == nil && d.renames != nil {
			if alt, ok := d.renames[string(k.text)]; ok {
				fp = p.fields[alt]
			}
		}
		e, err := d.src.next()
		if err != nil {
			return err
		}
		if fp == nil {
			if err := d.skip(e); err != nil {
				return err
			}
			continue
		}
		fv := v
		if len(fp.index) == 1 {
			fv = v.Field(fp.index[0])
		} else {
			fv = v.FieldByIndex(fp.index)
		}
		saved := d.field
		d.field = fp.name
		if err := d.value(e, fv, fp.plan); err != nil {
			return err
		}
		d.field = saved
	}
}

// skip consumes the value that starts with t.
func (d *decoder) skip(t token) error {
	switch t.kind {
	case tokArray:
		return d.skipRest(tokArrayEnd)
	case tokObject:
		return d.skipRest(tokObjectEnd)
	case tokArrayEnd, tokObjectEnd, tokKey, tokEOF:
		return &syntaxError{msg: "unexpected " + t.kind.String(), offset: -1}
	}
	return nil
}

// skipRest consumes tokens up to the end of the current container.
func (d *decoder) skipRest(end tokKind) error {
	depth := 0
	for {
		t, err := d.src.next()
		if err != nil {
			return err
		}
		switch t.kind {
		case tokArray, tokObject:
			depth++
		case tokArrayEnd, tokObjectEnd:
			if depth == 0 {
				if t.kind != end {
					return &syntaxError{msg: "mismatched container end", offset: -1}
				}
				return nil
			}
			depth--
		case tokEOF:
			return &syntaxError{msg: "unexpected end of input", offset: -1}
		}
	}
}

// anyValue decodes into the normalised generic form shared by every
// protocol: map[string]any, []any, int64 (json.Number beyond int64),
// json.Number for non-integers (the wire text, so no float rounding), string
// (dates and base64 stay text), bool and nil.
func (d *decoder) anyValue(t token) (any, error) {
	switch t.kind {
	case tokNull:
		return nil, nil
	case tokBool:
		return t.b, nil
	case tokInt:
		n, err := strconv.ParseInt(string(t.text), 10, 64)
		if err != nil {
			return json.Number(string(t.text)), nil
		}
		return n, nil
	case tokFloat:
		return json.Number(string(t.text)), nil
	case tokString, tokTime, tokBase64:
		return string(t.text), nil
	case tokArray:
		out := []any{}
		for {
			e, err := d.src.next()
			if err != nil {
				return nil, err
			}
			if e.kind == tokArrayEnd {
				return out, nil
			}
			x, err := d.anyValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
	case tokObject:
		out := map[string]any{}
		for {
			k, err := d.src.next()
			if err != nil {
				return nil, err
			}
			if k.kind == tokObjectEnd {
				return out, nil
			}
			if k.kind != tokKey {
				return nil, &syntaxError{msg: "expected member name", offset: -1}
			}
			key := string(k.text)
			e, err := d.src.next()
			if err != nil {
				return nil, err
			}
			x, err := d.anyValue(e)
			if err != nil {
				return nil, err
			}
			out[key] = x
		}
	}
	return nil, &syntaxError{msg: "unexpected " + t.kind.String(), offset: -1}
}

// parseTimeBytes parses Odoo's "2006-01-02" and "2006-01-02 15:04:05" (UTC)
// without allocating, falling back to parseOdooTime for other forms.
func parseTimeBytes(b []byte) (time.Time, bool) {
	if len(b) != 10 && len(b) != 19 {
		return parseOdooTime(string(b))
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || b[4] != '-' || b[7] != '-' || mo < 1 || mo > 12 || d < 1 || d > daysIn(time.Month(mo), y) {
		return parseOdooTime(string(b))
	}
	if len(b) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
	}
	h, ok4 := num(11, 2)
	mi, ok5 := num(14, 2)
	sec, ok6 := num(17, 2)
	if !ok4 || !ok5 || !ok6 || (b[10] != ' ' && b[10] != 'T') || b[13] != ':' || b[16] != ':' || h > 23 || mi > 59 || sec > 59 {
		return parseOdooTime(string(b))
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
