package odoo

import (
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// planKind says how a destination type absorbs a wire value.
type planKind uint8

const (
	pkAny planKind = iota
	pkString
	pkBool
	pkInt
	pkUint
	pkFloat
	pkDecimal
	pkTime
	pkBytes
	pkMany2One
	pkNullString
	pkNullInt
	pkNullFloat
	pkSelection
	pkDate
	pkDateTime
	pkSlice
	pkArray
	pkMap
	pkStruct
	pkPtr
	pkInterface // a non-empty interface: only null/false fit
)

// plan is the cached decoding (and encoding) recipe for one Go type.
type plan struct {
	kind   planKind
	typ    reflect.Type
	elem   *plan                 // slice, array, map value, pointer target
	fields map[string]*fieldPlan // struct: wire name and aliases → field
	list   []*fieldPlan          // struct: fields in declaration order
	int64s bool                  // slice is exactly []int64 (fast path)
}

// fieldPlan describes one tagged struct field.
type fieldPlan struct {
	name      string   // primary wire name (the tag's first part)
	aliases   []string // other names of the same field on other Odoo versions
	index     []int    // reflect index path (embedded structs are flattened)
	plan      *plan
	omitEmpty bool
	goName    string
}

// planCache holds the plans of the types a Client has seen. It is safe for
// concurrent use; plans are immutable once published.
type planCache struct {
	m  sync.Map // reflect.Type → *plan
	mu sync.Mutex
}

var (
	typeMany2One  = reflect.TypeFor[Many2One]()
	typeString    = reflect.TypeFor[String]()
	typeInt       = reflect.TypeFor[Int]()
	typeFloat     = reflect.TypeFor[Float]()
	typeSelection = reflect.TypeFor[Selection]()
	typeDate      = reflect.TypeFor[Date]()
	typeDateTime  = reflect.TypeFor[DateTime]()
	typeDecimal   = reflect.TypeFor[decimal.Decimal]()
	typeTime      = reflect.TypeFor[time.Time]()
	typeInt64s    = reflect.TypeFor[[]int64]()
)

func (c *planCache) get(t reflect.Type) *plan {
	if p, ok := c.m.Load(t); ok {
		return p.(*plan)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.m.Load(t); ok {
		return p.(*plan)
	}
	building := map[reflect.Type]*plan{}
	p := c.build(t, building)
	for bt, bp := range building {
		c.m.Store(bt, bp)
	}
	return p
}

func (c *planCache) build(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := c.m.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{typ: t}
	building[t] = p
	switch t {
	case typeMany2One:
		p.kind = pkMany2One
		return p
	case typeString:
		p.kind = pkNullString
		return p
	case typeInt:
		p.kind = pkNullInt
		return p
	case typeFloat:
		p.kind = pkNullFloat
		return p
	case typeSelection:
		p.kind = pkSelection
		return p
	case typeDate:
		p.kind = pkDate
		return p
	case typeDateTime:
		p.kind = pkDateTime
		return p
	case typeDecimal:
		p.kind = pkDecimal
		return p
	case typeTime:
		p.kind = pkTime
		return p
	}
	switch t.Kind() {
	case reflect.String:
		p.kind = pkString
	case reflect.Bool:
		p.kind = pkBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = pkInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.kind = pkUint
	case reflect.Float32, reflect.Float64:
		p.kind = pkFloat
	case reflect.Interface:
		if t.NumMethod() == 0 {
			p.kind = pkAny
		} else {
			p.kind = pkInterface
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			p.kind = pkBytes
			return p
		}
		p.kind = pkSlice
		p.int64s = t == typeInt64s
		p.elem = c.build(t.Elem(), building)
	case reflect.Array:
		p.kind = pkArray
		p.elem = c.build(t.Elem(), building)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			p.kind = pkInterface
			return p
		}
		p.kind = pkMap
		p.elem = c.build(t.Elem(), building)
	case reflect.Pointer:
		p.kind = pkPtr
		p.elem = c.build(t.Elem(), building)
	case reflect.Struct:
		p.kind = pkStruct
		p.fields = map[string]*fieldPlan{}
		c.structFields(p, t, nil, building)
	default:
		p.kind = pkInterface
	}
	return p
}

// structFields collects the fields tagged `odoo:"name[,alias=old][,omitempty]"`,
// flattening embedded structs. A tag "-" skips the field; untagged fields are
// ignored (except embedded structs).
func (c *planCache) structFields(p *plan, t reflect.Type, index []int, building map[reflect.Type]*plan) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, hasTag := f.Tag.Lookup("odoo")
		idx := append(append([]int(nil), index...), i)
		if !hasTag {
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				c.structFields(p, f.Type, idx, building)
			}
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		fp := &fieldPlan{index: idx, goName: f.Name}
		parts := strings.Split(tag, ",")
		fp.name = parts[0]
		if fp.name == "" {
			fp.name = strings.ToLower(f.Name)
		}
		for _, opt := range parts[1:] {
			switch {
			case opt == "omitempty":
				fp.omitEmpty = true
			case strings.HasPrefix(opt, "alias="):
				if a := strings.TrimPrefix(opt, "alias="); a != "" {
					fp.aliases = append(fp.aliases, a)
				}
			}
		}
		fp.plan = c.build(f.Type, building)
		if _, dup := p.fields[fp.name]; dup {
			continue
		}
		p.fields[fp.name] = fp
		for _, a := range fp.aliases {
			if _, dup := p.fields[a]; !dup {
				p.fields[a] = fp
			}
		}
		p.list = append(p.list, fp)
	}
}

// fieldNames returns the primary wire names of a struct plan, in order.
func (p *plan) fieldNames() []string {
	out := make([]string, 0, len(p.list))
	for _, f := range p.list {
		out = append(out, f.name)
	}
	return out
}
