package odootest

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// groupSpec is one "field[:granularity]" of a groupby.
type groupSpec struct {
	spec        string
	field       *field
	granularity string
}

// groupKey is a record's value for one groupby, comparable and printable.
type groupKey struct {
	raw   any    // stored value (id, string, bool, number) or period start
	label string // display label used for ordering
	empty bool
}

func (s *Server) parseGroupBy(m *model, raw any) ([]groupSpec, *odooError) {
	names, ok := asStrings(raw)
	if !ok {
		return nil, errValue("Invalid groupby %s", pyRepr(raw))
	}
	var out []groupSpec
	for _, n := range names {
		fname, gran, _ := strings.Cut(n, ":")
		f := m.field(fname)
		if f == nil {
			return nil, errValue("Invalid field %s on model %s", pyRepr(fname), pyRepr(m.Name))
		}
		if (f.Type == "date" || f.Type == "datetime") && gran == "" {
			gran = "month"
		}
		switch gran {
		case "", "day", "week", "month", "quarter", "year":
		default:
			return nil, errValue("Invalid granularity %s for field %s", pyRepr(gran), fname)
		}
		out = append(out, groupSpec{spec: n, field: f, granularity: gran})
	}
	return out, nil
}

func (s *Server) groupKeyOf(m *model, rec map[string]any, g groupSpec) groupKey {
	v := s.fieldValue(m, rec, g.field)
	switch g.field.Type {
	case "many2one":
		id, _ := v.(int64)
		if id == 0 {
			return groupKey{empty: true}
		}
		label := fmt.Sprint(id)
		if co := s.models[g.field.Relation]; co != nil {
			if n, ok := s.displayName(co, id).(string); ok {
				label = n
			}
		}
		return groupKey{raw: id, label: label}
	case "date", "datetime":
		str, _ := v.(string)
		if str == "" {
			return groupKey{empty: true}
		}
		t, err := time.Parse(dateLayout, str[:10])
		if err != nil {
			return groupKey{empty: true}
		}
		start := periodStart(t, g.granularity)
		return groupKey{raw: start.Format(dateLayout), label: start.Format(dateLayout)}
	case "boolean":
		b, _ := v.(bool)
		return groupKey{raw: b, label: fmt.Sprint(b)}
	}
	if v == nil || v == "" {
		return groupKey{empty: true}
	}
	return groupKey{raw: v, label: fmt.Sprint(v)}
}

func periodStart(t time.Time, gran string) time.Time {
	switch gran {
	case "day":
		return t
	case "week":
		wd := (int(t.Weekday()) + 6) % 7 // ISO weeks start on Monday
		return t.AddDate(0, 0, -wd)
	case "quarter":
		q := (int(t.Month()) - 1) / 3
		return time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, time.UTC)
	case "year":
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func periodEnd(start time.Time, gran string) time.Time {
	switch gran {
	case "day":
		return start.AddDate(0, 0, 1)
	case "week":
		return start.AddDate(0, 0, 7)
	case "quarter":
		return start.AddDate(0, 3, 0)
	case "year":
		return start.AddDate(1, 0, 0)
	}
	return start.AddDate(0, 1, 0)
}

// periodLabel is Odoo's display label of a date group ("March 2026").
func periodLabel(start time.Time, gran string) string {
	switch gran {
	case "day":
		return start.Format("02 Jan 2006")
	case "week":
		y, w := start.ISOWeek()
		return fmt.Sprintf("W%d %d", w, y)
	case "quarter":
		return fmt.Sprintf("Q%d %d", (int(start.Month())-1)/3+1, start.Year())
	case "year":
		return start.Format("2006")
	}
	return start.Format("January 2006")
}

// groupValue renders a group's value: [id, name] for many2one, the label
// for dates (read_group) or [value, label] (formatted_read_group), false
// when empty.
func (s *Server) groupValue(g groupSpec, k groupKey, formatted bool) any {
	if k.empty {
		return false
	}
	switch g.field.Type {
	case "many2one":
		return []any{k.raw, k.label}
	case "date", "datetime":
		start, _ := time.Parse(dateLayout, k.raw.(string))
		label := periodLabel(start, g.granularity)
		if formatted {
			v := start.Format(dateLayout)
			if g.field.Type == "datetime" {
				v = start.Format(datetimeLayout)
			}
			return []any{v, label}
		}
		return label
	}
	return k.raw
}

// groupDomain is the domain selecting one group's records.
func (s *Server) groupDomain(g groupSpec, k groupKey) []any {
	name := g.field.Name
	if k.empty {
		return []any{[]any{name, "=", false}}
	}
	if g.field.Type == "date" || g.field.Type == "datetime" {
		start, _ := time.Parse(dateLayout, k.raw.(string))
		end := periodEnd(start, g.granularity)
		layout := dateLayout
		if g.field.Type == "datetime" {
			layout = datetimeLayout
		}
		return []any{"&", []any{name, ">=", start.Format(layout)}, []any{name, "<", end.Format(layout)}}
	}
	return []any{[]any{name, "=", k.raw}}
}

type group struct {
	keys []groupKey
	ids  []int64
}

// groupRecords splits the matching records by the given groupbys, groups
// ordered by their values (empty last).
func (s *Server) groupRecords(m *model, domain any, specs []groupSpec) ([]*group, *odooError) {
	ids, err := s.searchIDs(m, domain, 0, -1, "id", true)
	if err != nil {
		return nil, err
	}
	index := map[string]*group{}
	var groups []*group
	labels := make([]map[int64]groupKey, len(specs)) // many2one keys per groupby
	var sig []byte
	keys := make([]groupKey, len(specs))
	for _, id := range ids {
		rec := m.recs[id]
		sig = sig[:0]
		for i, g := range specs {
			keys[i] = s.cachedGroupKey(m, rec, g, &labels[i])
			sig = appendGroupSig(sig, keys[i])
		}
		gr := index[string(sig)]
		if gr == nil {
			gr = &group{keys: slices.Clone(keys)}
			index[string(sig)] = gr
			groups = append(groups, gr)
		}
		gr.ids = append(gr.ids, id)
	}
	sort.SliceStable(groups, func(a, b int) bool {
		for i := range specs {
			ka, kb := groups[a].keys[i], groups[b].keys[i]
			var va, vb any
			if !ka.empty {
				va = ka.label
			}
			if !kb.empty {
				vb = kb.label
			}
			if specs[i].field.Type == "many2one" || specs[i].field.Type == "date" || specs[i].field.Type == "datetime" {
				// ordered by display value / period
			} else if !ka.empty && !kb.empty {
				va, vb = ka.raw, kb.raw
			}
			if c := compareSortValues(va, vb); c != 0 {
				return c < 0
			}
		}
		return false
	})
	return groups, nil
}

// cachedGroupKey is groupKeyOf, computing a many2one group's label once
// per target record.
func (s *Server) cachedGroupKey(m *model, rec map[string]any, g groupSpec, cache *map[int64]groupKey) groupKey {
	if g.field.Type != "many2one" {
		return s.groupKeyOf(m, rec, g)
	}
	id, _ := s.fieldValue(m, rec, g.field).(int64)
	if k, ok := (*cache)[id]; ok {
		return k
	}
	k := s.groupKeyOf(m, rec, g)
	if *cache == nil {
		*cache = map[int64]groupKey{}
	}
	(*cache)[id] = k
	return k
}

// appendGroupSig appends a key's identity (emptiness, type and raw value)
// to a group signature.
func appendGroupSig(sig []byte, k groupKey) []byte {
	if k.empty {
		return append(sig, 'E', '|')
	}
	switch v := k.raw.(type) {
	case int64:
		sig = append(sig, 'i')
		sig = strconv.AppendInt(sig, v, 10)
	case string:
		sig = append(sig, 's')
		sig = strconv.AppendInt(sig, int64(len(v)), 10)
		sig = append(sig, ':')
		sig = append(sig, v...)
	case bool:
		sig = append(sig, 'b')
		sig = strconv.AppendBool(sig, v)
	default:
		sig = fmt.Appendf(sig, "%T:%v", v, v)
	}
	return append(sig, '|')
}

// aggregate computes "field:func" over a group's records.
func (s *Server) aggregate(m *model, ids []int64, fname, fn string) (any, *odooError) {
	f := m.field(fname)
	if f == nil {
		return nil, errValue("Invalid field %s on model %s", pyRepr(fname), pyRepr(m.Name))
	}
	switch fn {
	case "count":
		return int64(len(ids)), nil
	case "count_distinct":
		seen := map[string]bool{}
		for _, id := range ids {
			v := s.fieldValue(m, m.recs[id], f)
			if truthy(v) {
				seen[fmt.Sprint(v)] = true
			}
		}
		return int64(len(seen)), nil
	case "array_agg":
		out := []any{}
		for _, id := range ids {
			out = append(out, s.wireValue(m, m.recs[id], f))
		}
		return out, nil
	case "bool_and", "bool_or":
		acc := fn == "bool_and"
		for _, id := range ids {
			b := truthy(s.fieldValue(m, m.recs[id], f))
			if fn == "bool_and" {
				acc = acc && b
			} else {
				acc = acc || b
			}
		}
		return acc, nil
	case "sum", "avg", "min", "max":
	default:
		return nil, errValue("Invalid aggregation function %s.", pyRepr(fn))
	}
	if f.Type != "integer" && f.Type != "float" && f.Type != "monetary" {
		if fn == "min" || fn == "max" {
			var best any
			for _, id := range ids {
				v := s.fieldValue(m, m.recs[id], f)
				if v == nil || v == "" {
					continue
				}
				if best == nil || (fn == "min") == (compareSortValues(v, best) < 0) {
					best = v
				}
			}
			if best == nil {
				return false, nil
			}
			return best, nil
		}
		return nil, errValue("Invalid aggregation %s on field %s", pyRepr(fn), pyRepr(fname))
	}
	var acc decimal.Decimal
	var best *decimal.Decimal
	for _, id := range ids {
		d := money(s.fieldValue(m, m.recs[id], f))
		acc = acc.Add(d)
		if best == nil || (fn == "min" && d.LessThan(*best)) || (fn == "max" && d.GreaterThan(*best)) {
			dd := d
			best = &dd
		}
	}
	var res decimal.Decimal
	switch fn {
	case "sum":
		res = acc
	case "avg":
		if len(ids) > 0 {
			res = acc.DivRound(decimal.NewFromInt(int64(len(ids))), 10)
		}
	default:
		if best != nil {
			res = *best
		}
	}
	if f.Type == "integer" && fn != "avg" {
		return res.IntPart(), nil
	}
	return res.InexactFloat64(), nil
}

// mReadGroup implements the legacy read_group (deprecated on 19 but still
// answered): groups with "<field>_count" (lazy) or "__count", aggregated
// numeric fields and "__domain".
func (s *Server) mReadGroup(m *model, _ []int64, p map[string]any) (any, *odooError) {
	specs, err := s.parseGroupBy(m, p["groupby"])
	if err != nil {
		return nil, err
	}
	lazy := true
	if v, ok := p["lazy"]; ok {
		lazy = truthy(v)
	}
	all := specs
	if lazy && len(specs) > 1 {
		specs = specs[:1]
	}
	fields, ok := asStrings(p["fields"])
	if !ok {
		return nil, errValue("Invalid fields %s", pyRepr(p["fields"]))
	}
	type agg struct{ out, field, fn string }
	var aggs []agg
	for _, spec := range fields {
		name, fn, hasFn := strings.Cut(spec, ":")
		out := name
		if strings.Contains(name, ":") {
			continue
		}
		if alias, rest, isAlias := strings.Cut(spec, ":"); isAlias && strings.Contains(rest, "(") {
			out = alias
			fn, name, _ = strings.Cut(strings.TrimSuffix(rest, ")"), "(")
		}
		f := m.field(name)
		if f == nil {
			return nil, errValue("Invalid field %s on model %s", pyRepr(name), pyRepr(m.Name))
		}
		grouped := false
		for _, g := range specs {
			if g.field.Name == name {
				grouped = true
			}
		}
		if grouped || name == "__count" {
			continue
		}
		if !hasFn {
			if f.Type != "integer" && f.Type != "float" && f.Type != "monetary" {
				continue
			}
			fn = "sum"
		}
		aggs = append(aggs, agg{out: out, field: name, fn: fn})
	}
	groups, err := s.groupRecords(m, p["domain"], specs)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(p, "offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(p, "limit", -1)
	if err != nil {
		return nil, err
	}
	groups = pageGroups(groups, offset, limit)
	domain, _ := p["domain"].([]any)
	out := []any{}
	for _, gr := range groups {
		o := newOmap()
		var gdom []any
		for i, g := range specs {
			o.set(g.spec, s.groupValue(g, gr.keys[i], false))
			gdom = andDomains(gdom, s.groupDomain(g, gr.keys[i]))
		}
		if lazy {
			o.set(specs[0].field.Name+"_count", int64(len(gr.ids)))
		} else {
			o.set("__count", int64(len(gr.ids)))
		}
		for _, a := range aggs {
			v, err := s.aggregate(m, gr.ids, a.field, a.fn)
			if err != nil {
				return nil, err
			}
			o.set(a.out, v)
		}
		o.set("__domain", andDomains(domain, gdom))
		if lazy && len(all) > 1 {
			rest := make([]any, 0, len(all)-1)
			for _, g := range all[1:] {
				rest = append(rest, g.spec)
			}
			o.set("__context", newOmap().set("group_by", rest))
		}
		out = append(out, o)
	}
	return out, nil
}

func pageGroups(groups []*group, offset, limit int64) []*group {
	if offset > 0 {
		if offset >= int64(len(groups)) {
			return nil
		}
		groups = groups[offset:]
	}
	if limit >= 0 && int64(len(groups)) > limit {
		groups = groups[:limit]
	}
	return groups
}

// mFormattedReadGroup implements 19.0's formatted_read_group: groups with
// the groupby values, "__extra_domain" and the requested aggregates
// ("__count", "field:sum", ...).
func (s *Server) mFormattedReadGroup(m *model, _ []int64, p map[string]any) (any, *odooError) {
	specs, err := s.parseGroupBy(m, p["groupby"])
	if err != nil {
		return nil, err
	}
	aggs, ok := asStrings(p["aggregates"])
	if !ok {
		return nil, errValue("Invalid aggregates %s", pyRepr(p["aggregates"]))
	}
	for _, a := range aggs {
		if a == "__count" {
			continue
		}
		name, fn, ok := strings.Cut(a, ":")
		if !ok {
			return nil, errValue("Invalid aggregate %s, expected 'field:aggregator'", pyRepr(a))
		}
		if m.field(name) == nil {
			return nil, errValue("Invalid field %s on model %s", pyRepr(name), pyRepr(m.Name))
		}
		_ = fn
	}
	groups, err := s.groupRecords(m, p["domain"], specs)
	if err != nil {
		return nil, err
	}
	offset, err := intParam(p, "offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(p, "limit", -1)
	if err != nil {
		return nil, err
	}
	groups = pageGroups(groups, offset, limit)
	out := []any{}
	for _, gr := range groups {
		o := newOmap()
		extra := []any{}
		for i, g := range specs {
			o.set(g.spec, s.groupValue(g, gr.keys[i], true))
			extra = andDomains(extra, s.groupDomain(g, gr.keys[i]))
		}
		o.set("__extra_domain", extra)
		for _, a := range aggs {
			if a == "__count" {
				o.set("__count", int64(len(gr.ids)))
				continue
			}
			name, fn, _ := strings.Cut(a, ":")
			v, err := s.aggregate(m, gr.ids, name, fn)
			if err != nil {
				return nil, err
			}
			o.set(a, v)
		}
		out = append(out, o)
	}
	return out, nil
}
