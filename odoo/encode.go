package odoo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// valueWriter receives a value to encode in one wire format.
type valueWriter interface {
	null()
	boolean(bool)
	integer(int64)
	double(text string) // a number literal (may be integral, e.g. from a decimal)
	str(string)
	beginArray()
	endArray()
	beginStruct()
	key(string)
	endStruct()
}

// encoder walks Go values and feeds a valueWriter.
type encoder struct {
	plans *planCache
	w     valueWriter
}

const maxEncodeDepth = 64

func (e *encoder) encode(v any, depth int) error {
	if depth > maxEncodeDepth {
		return fmt.Errorf("odoo: value nested deeper than %d (cycle?)", maxEncodeDepth)
	}
	switch x := v.(type) {
	case nil:
		e.w.null()
		return nil
	case Marshaler:
		if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() {
			e.w.null()
			return nil
		}
		y, err := x.MarshalOdoo()
		if err != nil {
			return fmt.Errorf("odoo: MarshalOdoo of %T: %w", x, err)
		}
		return e.encode(y, depth+1)
	case bool:
		e.w.boolean(x)
	case int:
		e.w.integer(int64(x))
	case int64:
		e.w.integer(x)
	case int32:
		e.w.integer(int64(x))
	case string:
		e.w.str(x)
	case float64:
		return e.float(x)
	case decimal.Decimal:
		e.w.double(x.String())
	case time.Time:
		if x.IsZero() {
			e.w.boolean(false)
		} else {
			e.w.str(x.UTC().Format(DateTimeFormat))
		}
	case json.Number:
		s := string(x)
		if validInt([]byte(s)) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return fmt.Errorf("odoo: integer %s out of range", s)
			}
			e.w.integer(n)
		} else if validNumber([]byte(s)) {
			e.w.double(s)
		} else {
			return fmt.Errorf("odoo: invalid number %q", s)
		}
	case []byte:
		e.w.str(base64.StdEncoding.EncodeToString(x))
	case []any:
		e.w.beginArray()
		for _, el := range x {
			if err := e.encode(el, depth+1); err != nil {
				return err
			}
		}
		e.w.endArray()
	case []int64:
		e.w.beginArray()
		for _, n := range x {
			e.w.integer(n)
		}
		e.w.endArray()
	case []string:
		e.w.beginArray()
		for _, s := range x {
			e.w.str(s)
		}
		e.w.endArray()
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		e.w.beginStruct()
		for _, k := range keys {
			e.w.key(k)
			if err := e.encode(x[k], depth+1); err != nil {
				return err
			}
		}
		e.w.endStruct()
	default:
		return e.reflectValue(reflect.ValueOf(v), depth)
	}
	return nil
}

func (e *encoder) float(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("odoo: cannot encode %v", f)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !bytes.ContainsAny([]byte(s), ".eE") {
		s += ".0"
	}
	e.w.double(s)
	return nil
}

func (e *encoder) reflectValue(v reflect.Value, depth int) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.w.null()
			return nil
		}
		return e.encode(v.Elem().Interface(), depth+1)
	case reflect.Bool:
		e.w.boolean(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.w.integer(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := v.Uint()
		if u > math.MaxInt64 {
			return fmt.Errorf("odoo: integer %d out of range", u)
		}
		e.w.integer(int64(u))
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float())
	case reflect.String:
		e.w.str(v.String())
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() && v.Type().Elem().Kind() == reflect.Uint8 {
			e.w.boolean(false)
			return nil
		}
		e.w.beginArray()
		for i := range v.Len() {
			if err := e.encode(v.Index(i).Interface(), depth+1); err != nil {
				return err
			}
		}
		e.w.endArray()
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("odoo: cannot encode %s: map keys must be strings", v.Type())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			if a.String() < b.String() {
				return -1
			}
			if a.String() > b.String() {
				return 1
			}
			return 0
		})
		e.w.beginStruct()
		for _, k := range keys {
			e.w.key(k.String())
			if err := e.encode(v.MapIndex(k).Interface(), depth+1); err != nil {
				return err
			}
		}
		e.w.endStruct()
	case reflect.Struct:
		p := e.plans.get(v.Type())
		e.w.beginStruct()
		for _, f := range p.list {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && isEmptyValue(fv) {
				continue
			}
			e.w.key(f.name)
			if err := e.encode(fv.Interface(), depth+1); err != nil {
				return err
			}
		}
		e.w.endStruct()
	default:
		return fmt.Errorf("odoo: cannot encode %s", v.Type())
	}
	return nil
}

// isEmptyValue is omitempty's test: zero values, empty slices and maps, and
// the nullable types when not Valid.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	}
	return v.IsZero()
}

// ---- XML-RPC ----

// xmlWriter writes XML-RPC values.
type xmlWriter struct {
	buf   *bytes.Buffer
	stack []bool // true = inside a struct (values close a member)
}

func (w *xmlWriter) after() {
	if n := len(w.stack); n > 0 && w.stack[n-1] {
		w.buf.WriteString("</member>\n")
	}
}

func (w *xmlWriter) scalar(tag, text string) {
	w.buf.WriteString("<value><")
	w.buf.WriteString(tag)
	w.buf.WriteByte('>')
	w.buf.WriteString(text)
	w.buf.WriteString("</")
	w.buf.WriteString(tag)
	w.buf.WriteString("></value>\n")
	w.after()
}

func (w *xmlWriter) null() {
	w.buf.WriteString("<value><nil/></value>\n")
	w.after()
}

func (w *xmlWriter) boolean(b bool) {
	if b {
		w.scalar("boolean", "1")
	} else {
		w.scalar("boolean", "0")
	}
}

func (w *xmlWriter) integer(n int64) {
	if n >= math.MinInt32 && n <= math.MaxInt32 {
		w.scalar("int", strconv.FormatInt(n, 10))
	} else {
		w.scalar("i8", strconv.FormatInt(n, 10))
	}
}

func (w *xmlWriter) double(s string) { w.scalar("double", s) }

func (w *xmlWriter) str(s string) {
	w.buf.WriteString("<value><string>")
	escapeXML(w.buf, s)
	w.buf.WriteString("</string></value>\n")
	w.after()
}

func (w *xmlWriter) beginArray() {
	w.buf.WriteString("<value><array><data>\n")
	w.stack = append(w.stack, false)
}

func (w *xmlWriter) endArray() {
	w.stack = w.stack[:len(w.stack)-1]
	w.buf.WriteString("</data></array></value>\n")
	w.after()
}

func (w *xmlWriter) beginStruct() {
	w.buf.WriteString("<value><struct>\n")
	w.stack = append(w.stack, true)
}

func (w *xmlWriter) key(k string) {
	w.buf.WriteString("<member>\n<name>")
	escapeXML(w.buf, k)
	w.buf.WriteString("</name>\n")
}

func (w *xmlWriter) endStruct() {
	w.stack = w.stack[:len(w.stack)-1]
	w.buf.WriteString("</struct></value>\n")
	w.after()
}

func escapeXML(buf *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#13;"
		default:
			if s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' {
				esc = "\uFFFD" // not representable in XML 1.0
			} else {
				continue
			}
		}
		buf.WriteString(s[last:i])
		buf.WriteString(esc)
		last = i + 1
	}
	buf.WriteString(s[last:])
}

// encodeMethodCall writes an XML-RPC methodCall.
func encodeMethodCall(buf *bytes.Buffer, plans *planCache, method string, params []any) error {
	buf.WriteString("<?xml version=\"1.0\"?>\n<methodCall>\n<methodName>")
	escapeXML(buf, method)
	buf.WriteString("</methodName>\n<params>\n")
	enc := encoder{plans: plans, w: &xmlWriter{buf: buf}}
	for _, p := range params {
		buf.WriteString("<param>\n")
		if err := enc.encode(p, 0); err != nil {
			return err
		}
		buf.WriteString("</param>\n")
	}
	buf.WriteString("</params>\n</methodCall>\n")
	return nil
}

// ---- JSON ----

// jsonWriter writes compact JSON.
type jsonWriter struct {
	buf      *bytes.Buffer
	first    []bool // per open container: no element written yet
	afterKey bool
}

func (w *jsonWriter) sep() {
	if w.afterKey {
		w.afterKey = false
		return
	}
	if n := len(w.first); n > 0 {
		if w.first[n-1] {
			w.first[n-1] = false
		} else {
			w.buf.WriteByte(',')
		}
	}
}

func (w *jsonWriter) null() { w.sep(); w.buf.WriteString("null") }
func (w *jsonWriter) integer(n int64) {
	w.sep()
	var tmp [24]byte
	w.buf.Write(strconv.AppendInt(tmp[:0], n, 10))
}
func (w *jsonWriter) double(s string) { w.sep(); w.buf.WriteString(s) }
func (w *jsonWriter) boolean(b bool) {
	w.sep()
	if b {
		w.buf.WriteString("true")
	} else {
		w.buf.WriteString("false")
	}
}
func (w *jsonWriter) str(s string) { w.sep(); writeJSONString(w.buf, s) }
func (w *jsonWriter) beginArray() {
	w.sep()
	w.buf.WriteByte('[')
	w.first = append(w.first, true)
}
func (w *jsonWriter) endArray() {
	w.first = w.first[:len(w.first)-1]
	w.buf.WriteByte(']')
}
func (w *jsonWriter) beginStruct() {
	w.sep()
	w.buf.WriteByte('{')
	w.first = append(w.first, true)
}
func (w *jsonWriter) key(k string) {
	w.sep()
	writeJSONString(w.buf, k)
	w.buf.WriteByte(':')
	w.afterKey = true
}
func (w *jsonWriter) endStruct() {
	w.first = w.first[:len(w.first)-1]
	w.buf.WriteByte('}')
}

const hexDigits = "0123456789abcdef"

func writeJSONString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				buf.WriteString(s[last:i])
				buf.WriteString(`\ufffd`)
				i++
				last = i
				continue
			}
			if r == '\u2028' || r == '\u2029' {
				buf.WriteString(s[last:i])
				buf.WriteString(`\u202`)
				buf.WriteByte(hexDigits[r&0xF])
				i += size
				last = i
				continue
			}
			i += size
			continue
		}
		buf.WriteString(s[last:i])
		switch c {
		case '"':
			buf.WriteString(`\"`)
		case '\\':
			buf.WriteString(`\\`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			buf.WriteString(`\u00`)
			buf.WriteByte(hexDigits[c>>4])
			buf.WriteByte(hexDigits[c&0xF])
		}
		i++
		last = i
	}
	buf.WriteString(s[last:])
	buf.WriteByte('"')
}

// encodeJSON writes v as JSON.
func encodeJSON(buf *bytes.Buffer, plans *planCache, v any) error {
	enc := encoder{plans: plans, w: &jsonWriter{buf: buf}}
	return enc.encode(v, 0)
}
