package odootest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// scanCache holds the indexes a search or a read builds at most once
// instead of scanning a whole model per record: the children of a
// computed one2many, the messages of each record, the analytic totals of
// each account. It lives only while one search or read runs (under mu,
// while no record changes), so it is never stale.
type scanCache struct {
	inverse  map[*field]map[int64][]int64
	messages map[string]map[int64][]int64
	totals   map[string]map[int64][2]decimal.Decimal
	likes    map[likeKey]*regexp.Regexp
}

// beginScan starts a scan cache unless one is already active and returns
// the function that ends it.
func (s *Server) beginScan() func() {
	if s.scan != nil {
		return func() {}
	}
	s.scan = &scanCache{}
	return func() { s.scan = nil }
}

// inverseIndex maps each parent id to the ids (ascending) of f's comodel
// records whose inverse many2one points to it.
func (c *scanCache) inverseIndex(co *model, f *field) map[int64][]int64 {
	if idx, ok := c.inverse[f]; ok {
		return idx
	}
	idx := map[int64][]int64{}
	for _, cid := range co.sortedIDs() {
		if v, _ := co.recs[cid][f.Inverse].(int64); v != 0 {
			idx[v] = append(idx[v], cid)
		}
	}
	if c.inverse == nil {
		c.inverse = map[*field]map[int64][]int64{}
	}
	c.inverse[f] = idx
	return idx
}

// messageIndex maps each record id of modelName to its messages, newest
// first.
func (c *scanCache) messageIndex(mm *model, modelName string) map[int64][]int64 {
	if idx, ok := c.messages[modelName]; ok {
		return idx
	}
	idx := map[int64][]int64{}
	ids := mm.sortedIDs()
	for i := len(ids) - 1; i >= 0; i-- {
		r := mm.recs[ids[i]]
		if r["model"] == modelName {
			if rid, _ := r["res_id"].(int64); rid != 0 {
				idx[rid] = append(idx[rid], ids[i])
			}
		}
	}
	if c.messages == nil {
		c.messages = map[string]map[int64][]int64{}
	}
	c.messages[modelName] = idx
	return idx
}

// totalsIndex maps each analytic account id to its debit and credit over
// the lines whose column names it.
func (c *scanCache) totalsIndex(lm *model, column string) map[int64][2]decimal.Decimal {
	if idx, ok := c.totals[column]; ok {
		return idx
	}
	idx := map[int64][2]decimal.Decimal{}
	for _, r := range lm.recs {
		id, _ := r[column].(int64)
		if id == 0 {
			continue
		}
		t := idx[id]
		if amt := money(r["amount"]); amt.IsNegative() {
			t[0] = t[0].Sub(amt)
		} else {
			t[1] = t[1].Add(amt)
		}
		idx[id] = t
	}
	if c.totals == nil {
		c.totals = map[string]map[int64][2]decimal.Decimal{}
	}
	c.totals[column] = idx
	return idx
}

// idCandidates returns the ids (ascending, existing) a domain restricts the
// search to when its root, or a member of its root conjunction, is
// ('id', 'in', ids) or ('id', '=', id); pinned is false otherwise. The
// domain is still evaluated on each candidate.
func idCandidates(m *model, root *domainNode) (ids []int64, pinned bool) {
	leaves := []*domainNode{root}
	if root.kind == nodeAnd {
		leaves = root.children
	}
	for _, n := range leaves {
		if n.kind != nodeLeaf || len(n.path) != 1 || n.path[0] != "id" {
			continue
		}
		var values []any
		switch n.op {
		case "in":
			list, ok := n.value.([]any)
			if !ok {
				continue
			}
			values = list
		case "=":
			values = []any{n.value}
		default:
			continue
		}
		out := make([]int64, 0, len(values))
		ok := true
		for _, v := range values {
			if _, isBool := v.(bool); isBool {
				ok = false
				break
			}
			id, isInt := asInt(v)
			if !isInt {
				ok = false
				break
			}
			if m.recs[id] != nil {
				out = append(out, id)
			}
		}
		if !ok {
			continue
		}
		slices.Sort(out)
		return slices.Compact(out), true
	}
	return nil, false
}

// isIDOrder reports whether an order clause is ascending id order, the
// order searches produce before sorting.
func isIDOrder(keys []orderKey) bool {
	return len(keys) == 0 || len(keys) == 1 && keys[0].field == "id" && !keys[0].desc
}

// sortValue is a record's value for one order key, prepared once so that
// comparisons allocate nothing (see compareSortValues).
type sortValue struct {
	null  bool
	isNum bool
	num   float64
	str   string // fmt.Sprint of the value (strings only until needed)
	lower string
	raw   any
}

func newSortValue(v any) sortValue {
	if v == nil || v == "" {
		return sortValue{null: true}
	}
	if x, ok := asFloat(v); ok {
		return sortValue{isNum: true, num: x, raw: v}
	}
	str, ok := v.(string)
	if !ok {
		str = fmt.Sprint(v)
	}
	return sortValue{str: str, lower: strings.ToLower(str), raw: v}
}

func (a *sortValue) text() (str, lower string) {
	if a.isNum && a.str == "" {
		a.str = fmt.Sprint(a.raw)
		a.lower = strings.ToLower(a.str)
	}
	return a.str, a.lower
}

// compareSortValue orders two prepared values exactly as
// compareSortValues orders the raw ones.
func compareSortValue(a, b *sortValue) int {
	switch {
	case a.null && b.null:
		return 0
	case a.null:
		return 1
	case b.null:
		return -1
	}
	if a.isNum && b.isNum {
		switch {
		case a.num < b.num:
			return -1
		case a.num > b.num:
			return 1
		}
		return 0
	}
	sa, la := a.text()
	sb, lb := b.text()
	if c := strings.Compare(la, lb); c != 0 {
		return c
	}
	return strings.Compare(sa, sb)
}
