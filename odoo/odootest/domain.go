package odootest

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// domain evaluation: Odoo's prefix-notation filters.

type nodeKind int

const (
	nodeLeaf nodeKind = iota
	nodeAnd
	nodeOr
	nodeNot
	nodeTrue
	nodeFalse
)

type domainNode struct {
	kind     nodeKind
	children []*domainNode
	path     []string // leaf
	op       string
	value    any
	raw      []any // the leaf as sent, for error messages

	// members is the value list of an in / not in leaf as a set, built
	// once per search on first use (nil when the list does not suit one).
	members     *memberSet
	membersDone bool
}

// memberSet is the value list of an in / not in leaf, indexed so that a
// search over many records tests each record in constant time instead of
// scanning the list per record.
type memberSet struct {
	ints     map[int64]struct{}  // integer and relational fields
	strs     map[string]struct{} // char-like fields
	hasFalse bool                // the list holds False or None
}

// memberSetFor returns the leaf's value set for field f, or nil when the
// list must be compared element by element (floats, dates, mixed types,
// a value that is not a list, name-based relational matches).
func (n *domainNode) memberSetFor(f *field) *memberSet {
	if n.membersDone {
		return n.members
	}
	n.membersDone = true
	list, ok := n.value.([]any)
	if !ok {
		return nil
	}
	ms := &memberSet{}
	switch {
	case f.Type == "integer" || f.relational() || f.Type == "many2one_reference":
		ms.ints = make(map[int64]struct{}, len(list))
		for _, w := range list {
			if w == false || w == nil {
				ms.hasFalse = true
				continue
			}
			id, ok := asInt(w)
			if !ok {
				if f.relational() || f.Type == "many2one_reference" {
					continue // compareRelational ignores such elements too
				}
				return nil
			}
			ms.ints[id] = struct{}{}
		}
	case isCharLike(f.Type):
		ms.strs = make(map[string]struct{}, len(list))
		for _, w := range list {
			if w == false || w == nil {
				ms.hasFalse = true
				continue
			}
			str, ok := w.(string)
			if !ok {
				return nil
			}
			ms.strs[str] = struct{}{}
		}
	default:
		return nil
	}
	n.members = ms
	return ms
}

// contains reports whether a stored value is in the set (the in
// semantics of compare and compareRelational); ok is false when val has a
// shape the set cannot judge.
func (ms *memberSet) contains(f *field, val any) (hit, ok bool) {
	if ms.ints != nil {
		switch v := val.(type) {
		case nil:
			return ms.hasFalse, true
		case int64:
			if v == 0 && (f.relational() || f.Type == "many2one_reference") {
				return ms.hasFalse, true
			}
			_, in := ms.ints[v]
			return in, true
		case []int64:
			if len(v) == 0 {
				return ms.hasFalse, true
			}
			for _, id := range v {
				if _, in := ms.ints[id]; in {
					return true, true
				}
			}
			return false, true
		}
		return false, false
	}
	switch v := val.(type) {
	case nil:
		return ms.hasFalse, true
	case string:
		if v == "" {
			return ms.hasFalse, true
		}
		_, in := ms.strs[v]
		return in, true
	}
	return false, false
}

var domainOperators = map[string]bool{
	"=": true, "!=": true, "<>": true, ">": true, ">=": true, "<": true, "<=": true,
	"in": true, "not in": true, "like": true, "not like": true, "ilike": true, "not ilike": true,
	"=like": true, "=ilike": true, "not =like": true, "not =ilike": true,
	"child_of": true, "parent_of": true, "=?": true, "any": true, "not any": true,
}

// parseDomain turns a domain (a list of leaves and operators) into a tree,
// adding the implicit '&' between consecutive terms.
func (s *Server) parseDomain(m *model, v any) (*domainNode, *odooError) {
	var terms []any
	switch x := v.(type) {
	case nil:
		return &domainNode{kind: nodeTrue}, nil
	case bool:
		if !x {
			return &domainNode{kind: nodeTrue}, nil
		}
		return nil, errValue("Invalid domain: %s", pyRepr(v))
	case []any:
		terms = x
	default:
		return nil, errValue("Invalid domain: %s", pyRepr(v))
	}
	var nodes []*domainNode
	pos := 0
	for pos < len(terms) {
		n, next, err := s.parseTerm(m, terms, pos)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
		pos = next
	}
	switch len(nodes) {
	case 0:
		return &domainNode{kind: nodeTrue}, nil
	case 1:
		return nodes[0], nil
	}
	return &domainNode{kind: nodeAnd, children: nodes}, nil
}

func (s *Server) parseTerm(m *model, terms []any, pos int) (*domainNode, int, *odooError) {
	if pos >= len(terms) {
		return nil, pos, errValue("Domain %s is syntactically not correct.", pyRepr(terms))
	}
	switch t := terms[pos].(type) {
	case string:
		switch t {
		case "!":
			c, next, err := s.parseTerm(m, terms, pos+1)
			if err != nil {
				return nil, next, err
			}
			return &domainNode{kind: nodeNot, children: []*domainNode{c}}, next, nil
		case "&", "|":
			a, next, err := s.parseTerm(m, terms, pos+1)
			if err != nil {
				return nil, next, err
			}
			b, next, err := s.parseTerm(m, terms, next)
			if err != nil {
				return nil, next, err
			}
			kind := nodeAnd
			if t == "|" {
				kind = nodeOr
			}
			return &domainNode{kind: kind, children: []*domainNode{a, b}}, next, nil
		}
		return nil, pos, errValue("Invalid domain term %s", pyRepr(t))
	case []any:
		n, err := s.parseLeaf(m, t)
		return n, pos + 1, err
	}
	return nil, pos, errValue("Invalid domain term %s", pyRepr(terms[pos]))
}

func (s *Server) invalidLeaf(m *model, what string, leaf []any) *odooError {
	if s.Version == "17.0" {
		return errValue("Invalid %s %s.%s in leaf %s", what, m.Name, leafPath(leaf), pyTuple(leaf))
	}
	return errValue("Invalid %s %s.%s in condition %s", what, m.Name, leafPath(leaf), pyTuple(leaf))
}

func leafPath(leaf []any) string {
	if len(leaf) > 0 {
		if s, ok := leaf[0].(string); ok {
			return strings.SplitN(s, ".", 2)[0]
		}
	}
	return ""
}

func (s *Server) parseLeaf(m *model, leaf []any) (*domainNode, *odooError) {
	if len(leaf) != 3 {
		return nil, errValue("Invalid leaf %s", pyRepr(leaf))
	}
	op, ok := leaf[1].(string)
	if !ok {
		return nil, errValue("Invalid leaf %s", pyRepr(leaf))
	}
	op = strings.ToLower(op)
	// TRUE_LEAF (1, '=', 1) and FALSE_LEAF (0, '=', 1).
	if n, ok := asInt(leaf[0]); ok && op == "=" {
		if v, ok := asInt(leaf[2]); ok && v == 1 {
			if n == 1 {
				return &domainNode{kind: nodeTrue}, nil
			}
			if n == 0 {
				return &domainNode{kind: nodeFalse}, nil
			}
		}
	}
	name, ok := leaf[0].(string)
	if !ok || name == "" {
		return nil, errValue("Invalid leaf %s", pyRepr(leaf))
	}
	if !domainOperators[op] {
		if s.Version == "17.0" {
			return nil, errValue("Invalid leaf %s", pyTuple(leaf))
		}
		return nil, errValue("Invalid operator %s in condition %s", pyRepr(op), pyTuple(leaf))
	}
	if op == "<>" {
		op = "!="
	}
	path := strings.Split(name, ".")
	// Validate the path now: Odoo refuses unknown fields before running.
	cur := m
	for i, p := range path {
		f := cur.field(p)
		if f == nil {
			if i == 0 {
				return nil, s.invalidLeaf(m, "field", leaf)
			}
			return nil, errValue("Invalid field %s.%s in condition %s", cur.Name, p, pyTuple(leaf))
		}
		if i < len(path)-1 {
			if !f.relational() || s.models[f.Relation] == nil {
				return nil, errValue("Invalid field %s.%s in condition %s", cur.Name, p, pyTuple(leaf))
			}
			cur = s.models[f.Relation]
		}
	}
	n := &domainNode{kind: nodeLeaf, path: path, op: op, value: leaf[2], raw: leaf}
	if op == "any" || op == "not any" {
		last := cur.field(path[len(path)-1])
		if !last.relational() || s.models[last.Relation] == nil {
			return nil, errValue("Invalid operator %s on field %s in condition %s", pyRepr(op), name, pyTuple(leaf))
		}
		sub, err := s.parseDomain(s.models[last.Relation], leaf[2])
		if err != nil {
			return nil, err
		}
		n.children = []*domainNode{sub}
	}
	return n, nil
}

// match evaluates the domain on one record.
func (s *Server) match(m *model, rec map[string]any, n *domainNode) bool {
	switch n.kind {
	case nodeTrue:
		return true
	case nodeFalse:
		return false
	case nodeAnd:
		for _, c := range n.children {
			if !s.match(m, rec, c) {
				return false
			}
		}
		return true
	case nodeOr:
		for _, c := range n.children {
			if s.match(m, rec, c) {
				return true
			}
		}
		return false
	case nodeNot:
		return !s.match(m, rec, n.children[0])
	}
	return s.matchLeaf(m, rec, n, n.path)
}

func (s *Server) matchLeaf(m *model, rec map[string]any, n *domainNode, path []string) bool {
	f := m.field(path[0])
	if f == nil {
		return false
	}
	if len(path) > 1 {
		co := s.models[f.Relation]
		ids := s.relatedIDs(m, rec, f)
		// Odoo reads a dotted path as "any related record matches": an
		// empty relation never matches.
		for _, id := range ids {
			if r := co.recs[id]; r != nil && s.matchLeaf(co, r, n, path[1:]) {
				return true
			}
		}
		return false
	}
	val := s.fieldValue(m, rec, f)
	switch n.op {
	case "=?":
		if !truthy(n.value) {
			return true
		}
		return s.compare(f, val, "=", n.value)
	case "any", "not any":
		co := s.models[f.Relation]
		found := false
		for _, id := range s.relatedIDs(m, rec, f) {
			if r := co.recs[id]; r != nil && s.match(co, r, n.children[0]) {
				found = true
				break
			}
		}
		return found == (n.op == "any")
	case "child_of", "parent_of":
		return s.matchHierarchy(m, rec, f, n.op, n.value)
	case "in", "not in":
		if ms := n.memberSetFor(f); ms != nil {
			if hit, ok := ms.contains(f, val); ok {
				return hit == (n.op == "in")
			}
		}
	}
	return s.compare(f, val, n.op, n.value)
}

func isNegative(op string) bool {
	switch op {
	case "!=", "not in", "not like", "not ilike", "not =like", "not =ilike", "not any":
		return true
	}
	return false
}

// relatedIDs returns the ids a relational field points to on rec.
func (s *Server) relatedIDs(m *model, rec map[string]any, f *field) []int64 {
	switch v := s.fieldValue(m, rec, f).(type) {
	case int64:
		if v != 0 {
			return []int64{v}
		}
	case []int64:
		return v
	}
	return nil
}

// compare applies a comparison operator to a field value (stored form).
func (s *Server) compare(f *field, val any, op string, want any) bool {
	switch f.Type {
	case "many2one", "one2many", "many2many", "many2one_reference":
		return s.compareRelational(f, val, op, want)
	}
	isNull := val == nil || (val == "" && isCharLike(f.Type))
	switch op {
	case "in", "not in":
		list, ok := want.([]any)
		if !ok {
			list = []any{want}
		}
		found := false
		for _, w := range list {
			if w == false || w == nil {
				if isNull || (f.Type == "boolean" && val == false) {
					found = true
				}
				continue
			}
			if !isNull && scalarEqual(f, val, w) {
				found = true
			}
		}
		return found == (op == "in")
	}
	if want == false || want == nil {
		if f.Type == "boolean" {
			b, _ := val.(bool)
			switch op {
			case "=":
				return !b
			case "!=":
				return b
			}
		}
		switch op {
		case "=":
			return isNull
		case "!=":
			return !isNull
		}
		return false
	}
	if f.Type == "boolean" {
		b, _ := val.(bool)
		w := truthy(want)
		switch op {
		case "=":
			return b == w
		case "!=":
			return b != w
		}
		return false
	}
	switch op {
	case "=":
		return !isNull && scalarEqual(f, val, want)
	case "!=":
		return isNull || !scalarEqual(f, val, want)
	case "<", "<=", ">", ">=":
		if isNull {
			return false
		}
		c, ok := scalarCompare(f, val, want)
		if !ok {
			return false
		}
		switch op {
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		}
		return c >= 0
	case "like", "ilike", "=like", "=ilike", "not like", "not ilike", "not =like", "not =ilike":
		pattern, isStr := want.(string)
		if !isStr {
			pattern = fmt.Sprint(want)
		}
		positive := !strings.HasPrefix(op, "not ")
		base := strings.TrimPrefix(op, "not ")
		if isNull {
			return !positive
		}
		text, isStr := val.(string)
		if !isStr {
			text = fmt.Sprint(val)
		}
		ok := s.likeMatch(text, pattern, base == "ilike" || base == "=ilike", base == "like" || base == "ilike")
		return ok == positive
	}
	return false
}

func isCharLike(t string) bool {
	switch t {
	case "char", "text", "html", "selection":
		return true
	}
	return false
}

func scalarEqual(f *field, val, want any) bool {
	c, ok := scalarCompare(f, val, want)
	return ok && c == 0
}

// scalarCompare orders a stored value against a domain value.
func scalarCompare(f *field, val, want any) (int, bool) {
	if a, ok := asFloat(val); ok {
		if _, isBool := val.(bool); !isBool {
			b, ok := asFloat(want)
			if !ok {
				if ws, isStr := want.(string); isStr {
					var parsed float64
					if _, err := fmt.Sscan(ws, &parsed); err == nil {
						b, ok = parsed, true
					}
				}
			}
			if !ok {
				return 0, false
			}
			switch {
			case a < b:
				return -1, true
			case a > b:
				return 1, true
			}
			return 0, true
		}
	}
	a, ok := val.(string)
	if !ok {
		return 0, false
	}
	b, ok := want.(string)
	if !ok {
		if n, isNum := asFloat(want); isNum {
			b = pyRepr(want)
			_ = n
		} else {
			return 0, false
		}
	}
	if f.Type == "datetime" && len(b) == 10 {
		b += " 00:00:00"
	}
	if f.Type == "date" && len(b) > 10 {
		b = b[:10]
	}
	return strings.Compare(a, b), true
}

// compareRelational handles many2one and x2many comparisons, where the
// domain value is an id, a list of ids, False, or a name to search.
func (s *Server) compareRelational(f *field, val any, op string, want any) bool {
	var ids []int64
	switch v := val.(type) {
	case int64:
		if v != 0 {
			ids = []int64{v}
		}
	case []int64:
		ids = v
	}
	co := s.models[f.Relation]
	// Name-based comparison: ('partner_id', 'ilike', 'juan').
	if ws, ok := want.(string); ok && co != nil {
		for _, id := range ids {
			if r := co.recs[id]; r != nil {
				name, _ := s.displayName(co, id).(string)
				nf := &field{Name: "display_name", Type: "char", Store: true}
				if s.compare(nf, name, strings.TrimPrefix(op, "not "), ws) {
					return !strings.HasPrefix(op, "not ") && op != "!="
				}
			}
		}
		return strings.HasPrefix(op, "not ") || op == "!="
	}
	var wantIDs []int64
	wantFalse := false
	switch w := want.(type) {
	case nil:
		wantFalse = true
	case bool:
		if !w {
			wantFalse = true
		}
	case []any:
		for _, e := range w {
			if id, ok := asInt(e); ok {
				wantIDs = append(wantIDs, id)
			} else if e == false || e == nil {
				wantFalse = true
			}
		}
	default:
		if id, ok := asInt(w); ok {
			wantIDs = []int64{id}
		}
	}
	hit := len(ids) == 0 && wantFalse
	for _, id := range ids {
		if contains(wantIDs, id) {
			hit = true
			break
		}
	}
	switch op {
	case "=", "in", "like", "ilike", "=like", "=ilike":
		return hit
	case "!=", "not in", "not like", "not ilike":
		return !hit
	case "<", "<=", ">", ">=":
		if len(ids) == 0 || len(wantIDs) == 0 {
			return false
		}
		f2 := &field{Type: "integer"}
		return s.compare(f2, ids[0], op, wantIDs[0])
	}
	return false
}

// matchHierarchy implements child_of and parent_of on the record itself
// (path "id") or on a many2one to a hierarchical model.
func (s *Server) matchHierarchy(m *model, rec map[string]any, f *field, op string, want any) bool {
	target := m
	var ids []int64
	if f.Name == "id" {
		ids = []int64{rec["id"].(int64)}
	} else {
		target = s.models[f.Relation]
		ids = s.relatedIDs(m, rec, f)
	}
	if target == nil {
		return false
	}
	wantIDs, ok := asIDs(want)
	if !ok {
		if name, isStr := want.(string); isStr {
			for _, id := range target.sortedIDs() {
				if dn, _ := s.displayName(target, id).(string); strings.Contains(strings.ToLower(dn), strings.ToLower(name)) {
					wantIDs = append(wantIDs, id)
				}
			}
		}
	}
	parentField := "parent_id"
	if target.field(parentField) == nil {
		// Without a hierarchy child_of is plain membership.
		for _, id := range ids {
			if contains(wantIDs, id) {
				return true
			}
		}
		return false
	}
	ancestors := func(id int64) []int64 {
		var out []int64
		seen := map[int64]bool{}
		for id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
			r := target.recs[id]
			if r == nil {
				break
			}
			id, _ = r[parentField].(int64)
		}
		return out
	}
	for _, id := range ids {
		if op == "child_of" {
			for _, a := range ancestors(id) {
				if contains(wantIDs, a) {
					return true
				}
			}
		} else {
			for _, w := range wantIDs {
				if contains(ancestors(w), id) {
					return true
				}
			}
		}
	}
	return false
}

// likeMatch implements SQL LIKE with % and _ wildcards and backslash
// escapes (wrapped in % when wrap is set, as like and ilike do); during a
// scan each pattern is compiled once.
func (s *Server) likeMatch(text, pattern string, fold, wrap bool) bool {
	if s.scan == nil {
		if wrap {
			pattern = "%" + pattern + "%"
		}
		return likeMatch(text, pattern, fold)
	}
	key := likeKey{pattern, fold, wrap}
	re, ok := s.scan.likes[key]
	if !ok {
		if wrap {
			pattern = "%" + pattern + "%"
		}
		re, _ = regexp.Compile(likeRegexp(pattern, fold))
		if s.scan.likes == nil {
			s.scan.likes = map[likeKey]*regexp.Regexp{}
		}
		s.scan.likes[key] = re
	}
	return re != nil && re.MatchString(text)
}

// likeKey identifies a compiled LIKE pattern.
type likeKey struct {
	pattern    string
	fold, wrap bool
}

// likeMatch implements SQL LIKE with % and _ wildcards and backslash escapes.
func likeMatch(text, pattern string, fold bool) bool {
	ok, err := regexp.MatchString(likeRegexp(pattern, fold), text)
	return err == nil && ok
}

// likeRegexp translates a LIKE pattern to a regular expression.
func likeRegexp(pattern string, fold bool) string {
	var re strings.Builder
	re.WriteString("(?s)^")
	if fold {
		re.WriteString("(?i)")
	}
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			re.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '%':
			re.WriteString(".*")
		case r == '_':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	return re.String()
}

// mentionsField reports whether any leaf of the domain uses the field (Odoo
// skips its implicit active filter when the domain mentions 'active').
func mentionsField(n *domainNode, name string) bool {
	if n == nil {
		return false
	}
	if n.kind == nodeLeaf && len(n.path) > 0 && n.path[0] == name {
		return true
	}
	for _, c := range n.children {
		if mentionsField(c, name) {
			return true
		}
	}
	return false
}

// normalizeDomain returns the domain with explicit '&' operators, as Odoo
// writes it back in read_group's __domain.
func normalizeDomain(d []any) []any {
	if len(d) == 0 {
		return []any{}
	}
	out := []any{}
	expected := 1
	for _, t := range d {
		if expected == 0 {
			out = append([]any{"&"}, out...)
			expected = 1
		}
		if op, ok := t.(string); ok {
			switch op {
			case "&", "|":
				expected++
			}
		} else {
			expected--
		}
		out = append(out, t)
	}
	return out
}

// andDomains combines normalized domains with '&'.
func andDomains(ds ...[]any) []any {
	var parts [][]any
	for _, d := range ds {
		if len(d) > 0 {
			parts = append(parts, normalizeDomain(d))
		}
	}
	if len(parts) == 0 {
		return []any{}
	}
	out := []any{}
	for i := 0; i < len(parts)-1; i++ {
		out = append(out, "&")
	}
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// orderKey is one "field direction" of an order clause.
type orderKey struct {
	field string
	desc  bool
}

func (s *Server) parseOrder(m *model, order string) ([]orderKey, *odooError) {
	if strings.TrimSpace(order) == "" {
		order = m.Order
	}
	var keys []orderKey
	for _, part := range strings.Split(order, ",") {
		words := strings.Fields(part)
		if len(words) == 0 {
			continue
		}
		k := orderKey{field: words[0]}
		if len(words) > 1 {
			switch strings.ToLower(words[1]) {
			case "desc":
				k.desc = true
			case "asc":
			default:
				return nil, errValue("Invalid \"order\" specified (%s). A valid \"order\" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)", order)
			}
		}
		if len(words) > 2 && !(len(words) == 4 && strings.ToLower(words[2]) == "nulls") {
			return nil, errValue("Invalid \"order\" specified (%s). A valid \"order\" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)", order)
		}
		if m.field(k.field) == nil {
			return nil, errValue("Invalid field %s on model %s", pyRepr(k.field), pyRepr(m.Name))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// sortRecords orders ids by the order clause; ties keep id order.
func (s *Server) sortRecords(m *model, ids []int64, keys []orderKey) {
	if isIDOrder(keys) {
		slices.Sort(ids)
		return
	}
	type row struct {
		id   int64
		vals []sortValue
	}
	rows := make([]row, len(ids))
	vals := make([]sortValue, len(ids)*len(keys))
	fields := make([]*field, len(keys))
	for j, k := range keys {
		fields[j] = m.field(k.field)
	}
	names := make([]map[int64]any, len(keys)) // many2one display names per key
	for i, id := range ids {
		rec := m.recs[id]
		rv := vals[i*len(keys) : (i+1)*len(keys) : (i+1)*len(keys)]
		for j, f := range fields {
			v := s.fieldValue(m, rec, f)
			if f.Type == "many2one" {
				if rid, ok := v.(int64); ok && rid != 0 {
					if co := s.models[f.Relation]; co != nil {
						if names[j] == nil {
							names[j] = map[int64]any{}
						}
						n, seen := names[j][rid]
						if !seen {
							n = s.displayName(co, rid)
							names[j][rid] = n
						}
						v = n
					}
				} else {
					v = nil
				}
			}
			rv[j] = newSortValue(v)
		}
		rows[i] = row{id, rv}
	}
	slices.SortFunc(rows, func(a, b row) int {
		for j, k := range keys {
			c := compareSortValue(&a.vals[j], &b.vals[j])
			if c == 0 {
				continue
			}
			if k.desc {
				return -c
			}
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	for i := range rows {
		ids[i] = rows[i].id
	}
}

// compareSortValues orders like PostgreSQL: NULLs after everything in
// ascending order, strings by a case-insensitive collation.
func compareSortValues(a, b any) int {
	an := a == nil || a == ""
	bn := b == nil || b == ""
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	if x, ok := asFloat(a); ok {
		if y, ok := asFloat(b); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	sa, sb := fmt.Sprint(a), fmt.Sprint(b)
	if c := strings.Compare(strings.ToLower(sa), strings.ToLower(sb)); c != 0 {
		return c
	}
	return strings.Compare(sa, sb)
}
