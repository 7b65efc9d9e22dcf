package odootest

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Records are stored as map[string]any keyed by field name, in a stored
// form per field type: string (char, text, html, selection, date, datetime,
// binary), int64 (integer, many2one with 0 for empty), float64 (float,
// monetary), bool, []int64 (many2many and one2many without an inverse), any
// (json). A missing key or nil is SQL NULL.

const (
	dateLayout     = "2006-01-02"
	datetimeLayout = "2006-01-02 15:04:05"
)

func (s *Server) nowString() string { return s.now().UTC().Format(datetimeLayout) }
func (s *Server) today() string     { return s.now().UTC().Format(dateLayout) }

// getModel returns a model or nil.
func (s *Server) getModel(name string) *model { return s.models[name] }

// fieldValue returns a field's value in stored form, computing the fields
// the fake derives.
func (s *Server) fieldValue(m *model, rec map[string]any, f *field) any {
	if f == nil || rec == nil {
		return nil
	}
	if f.Name == "id" {
		return rec["id"]
	}
	if v, ok := s.computeField(m, rec, f); ok {
		return v
	}
	if f.Type == "one2many" {
		if f.Name == "message_ids" || f.Name == "website_message_ids" {
			return s.messagesOf(m.Name, rec["id"].(int64))
		}
		if f.Inverse != "" {
			return s.inverseIDs(f, rec["id"].(int64))
		}
	}
	v := rec[f.Name]
	if v == nil {
		switch f.Type {
		case "boolean":
			return false
		case "integer":
			return int64(0)
		case "float", "monetary":
			return float64(0)
		case "many2one", "many2one_reference":
			return int64(0)
		case "one2many", "many2many":
			return []int64{}
		}
	}
	return v
}

// inverseIDs lists the records of f's comodel whose inverse many2one points
// to id.
func (s *Server) inverseIDs(f *field, id int64) []int64 {
	co := s.models[f.Relation]
	if co == nil {
		return []int64{}
	}
	if s.scan != nil {
		return append([]int64{}, s.scan.inverseIndex(co, f)[id]...)
	}
	out := []int64{}
	for _, cid := range co.sortedIDs() {
		if v, _ := co.recs[cid][f.Inverse].(int64); v == id {
			out = append(out, cid)
		}
	}
	return out
}

func (s *Server) messagesOf(modelName string, id int64) []int64 {
	mm := s.models["mail.message"]
	out := []int64{}
	if mm == nil {
		return out
	}
	if s.scan != nil {
		return append(out, s.scan.messageIndex(mm, modelName)[id]...)
	}
	ids := mm.sortedIDs()
	for i := len(ids) - 1; i >= 0; i-- {
		r := mm.recs[ids[i]]
		if r["model"] == modelName {
			if rid, _ := r["res_id"].(int64); rid == id {
				out = append(out, ids[i])
			}
		}
	}
	return out
}

// displayName is the record's display_name (a string, or false when the
// record has no name).
func (s *Server) displayName(m *model, id int64) any {
	rec := m.recs[id]
	if rec == nil {
		return false
	}
	str := func(k string) string { v, _ := rec[k].(string); return v }
	switch m.Name {
	case "res.partner":
		name := str("name")
		parent, _ := rec["parent_id"].(int64)
		if parent != 0 {
			if name == "" {
				if t := str("type"); t == "invoice" || t == "delivery" || t == "other" {
					if f := m.field("type"); f != nil {
						name, _ = f.selectionLabel(t)
					}
				}
			}
			if isCo, _ := rec["is_company"].(bool); !isCo {
				company := ""
				cp := s.commercialPartner(id)
				if r := m.recs[cp]; r != nil {
					if b, _ := r["is_company"].(bool); b {
						company, _ = r["name"].(string)
					}
				}
				if company == "" {
					if pr := m.recs[parent]; pr != nil {
						company, _ = pr["name"].(string)
					}
				}
				name = company + ", " + name
			}
		}
		return strings.TrimSpace(name)
	case "account.analytic.account":
		name := str("name")
		if code := str("code"); code != "" {
			name = "[" + code + "] " + name
		}
		if pid, _ := rec["partner_id"].(int64); pid != 0 {
			if p := s.models["res.partner"]; p != nil {
				if cp := p.recs[s.commercialPartner(pid)]; cp != nil {
					if n, _ := cp["name"].(string); n != "" {
						name += " - " + n
					}
				}
			}
		}
		return name
	case "account.analytic.plan":
		return s.planCompleteName(id)
	case "product.product", "product.template":
		if code := str("default_code"); code != "" {
			return "[" + code + "] " + str("name")
		}
		return str("name")
	case "sale.order.line":
		order := ""
		if oid, _ := rec["order_id"].(int64); oid != 0 {
			if om := s.models["sale.order"]; om != nil && om.recs[oid] != nil {
				order, _ = om.recs[oid]["name"].(string)
			}
		}
		line, _, _ := strings.Cut(str("name"), "\n")
		return order + " - " + line
	case "ir.model.fields":
		return fmt.Sprintf("%s (%s)", str("field_description"), str("model"))
	case "res.users":
		if pid, _ := rec["partner_id"].(int64); pid != 0 {
			if p := s.models["res.partner"]; p != nil && p.recs[pid] != nil {
				n, _ := p.recs[pid]["name"].(string)
				return n
			}
		}
		return str("login")
	}
	if m.RecName == "" {
		return fmt.Sprintf("%s,%d", m.Name, id)
	}
	if v, ok := rec[m.RecName].(string); ok && v != "" {
		return v
	}
	return false
}

func (s *Server) planCompleteName(id int64) string {
	pm := s.models["account.analytic.plan"]
	var parts []string
	seen := map[int64]bool{}
	for id != 0 && !seen[id] && pm.recs[id] != nil {
		seen[id] = true
		n, _ := pm.recs[id]["name"].(string)
		parts = append([]string{n}, parts...)
		id, _ = pm.recs[id]["parent_id"].(int64)
	}
	return strings.Join(parts, " / ")
}

// commercialPartner is the partner itself when it is a company or has no
// parent, else its parent's commercial partner.
func (s *Server) commercialPartner(id int64) int64 {
	pm := s.models["res.partner"]
	seen := map[int64]bool{}
	for !seen[id] {
		seen[id] = true
		r := pm.recs[id]
		if r == nil {
			return id
		}
		isCo, _ := r["is_company"].(bool)
		parent, _ := r["parent_id"].(int64)
		if isCo || parent == 0 {
			return id
		}
		id = parent
	}
	return id
}

// wireValue converts a stored value to what read returns on the wire:
// false for empty non-boolean fields, [id, display_name] for many2one,
// sorted id lists for x2many.
func (s *Server) wireValue(m *model, rec map[string]any, f *field) any {
	v := s.fieldValue(m, rec, f)
	switch f.Type {
	case "boolean":
		b, _ := v.(bool)
		return b
	case "integer":
		if n, ok := asInt(v); ok {
			return n
		}
		return int64(0)
	case "float", "monetary":
		if x, ok := asFloat(v); ok {
			return x
		}
		return float64(0)
	case "many2one":
		id, _ := v.(int64)
		if id == 0 {
			return false
		}
		co := s.models[f.Relation]
		if co == nil {
			return []any{id, fmt.Sprintf("%s,%d", f.Relation, id)}
		}
		if co.recs[id] == nil {
			return false
		}
		return []any{id, s.displayName(co, id)}
	case "many2one_reference":
		id, _ := v.(int64)
		if id == 0 {
			return false
		}
		return id
	case "one2many", "many2many":
		ids, _ := v.([]int64)
		co := s.models[f.Relation]
		out := []int64{}
		if co == nil {
			return append(out, ids...)
		}
		for _, id := range ids {
			if co.recs[id] != nil {
				out = append(out, id)
			}
		}
		if keys, err := s.parseOrder(co, ""); err == nil {
			s.sortRecords(co, out, keys)
		}
		return out
	case "properties":
		if v == nil {
			return []any{}
		}
		return deepCopy(v)
	case "json":
		if v == nil {
			return false
		}
		return deepCopy(v)
	}
	if v == nil || v == "" {
		return false
	}
	return v
}

// normalizeValue converts a value from a request into the stored form of f.
func (s *Server) normalizeValue(m *model, f *field, v any) (any, *odooError) {
	if f.Type == "boolean" {
		return truthy(v), nil
	}
	if v == nil || v == false {
		return nil, nil
	}
	switch f.Type {
	case "integer":
		if n, ok := asInt(v); ok {
			return n, nil
		}
		if x, ok := asFloat(v); ok {
			return int64(x), nil
		}
		return nil, errValue("invalid literal for int() with base 10: %s", pyRepr(v))
	case "float", "monetary":
		if x, ok := asFloat(v); ok {
			return x, nil
		}
		if str, ok := v.(string); ok {
			var x float64
			if _, err := fmt.Sscan(str, &x); err == nil {
				return x, nil
			}
		}
		return nil, errValue("could not convert string to float: %s", pyRepr(v))
	case "char", "text", "html", "binary":
		if str, ok := v.(string); ok {
			return str, nil
		}
		return pyRepr(v), nil
	case "selection":
		str, ok := v.(string)
		if !ok {
			if n, isInt := asInt(v); isInt {
				str = fmt.Sprint(n)
			} else {
				return nil, errValue("Wrong value for %s.%s: %s", m.Name, f.Name, pyRepr(v))
			}
		}
		if len(f.Selection) > 0 {
			if _, ok := f.selectionLabel(str); !ok {
				return nil, errValue("Wrong value for %s.%s: %s", m.Name, f.Name, pyRepr(v))
			}
		}
		return str, nil
	case "date":
		str, ok := v.(string)
		if !ok {
			return nil, errType("fromisoformat: argument must be str")
		}
		if len(str) > 10 {
			str = str[:10]
		}
		if _, err := time.Parse(dateLayout, str); err != nil {
			return nil, errValue("Invalid isoformat string: %s", pyRepr(v))
		}
		return str, nil
	case "datetime":
		str, ok := v.(string)
		if !ok {
			return nil, errType("fromisoformat: argument must be str")
		}
		str = strings.Replace(str, "T", " ", 1)
		if len(str) == 10 {
			str += " 00:00:00"
		}
		if len(str) > 19 {
			str = str[:19]
		}
		if _, err := time.Parse(datetimeLayout, str); err != nil {
			return nil, errValue("Invalid isoformat string: %s", pyRepr(v))
		}
		return str, nil
	case "many2one":
		var id int64
		switch x := v.(type) {
		case []any:
			if len(x) > 0 {
				id, _ = asInt(x[0])
			}
		default:
			n, ok := asInt(v)
			if !ok {
				return nil, errValue("Wrong value for %s.%s: %s", m.Name, f.Name, pyRepr(v))
			}
			id = n
		}
		if id == 0 {
			return nil, nil
		}
		if co := s.models[f.Relation]; co != nil && co.recs[id] == nil {
			return nil, errValidation("The operation cannot be completed: the record %s(%d,) referenced by the field '%s' (%s) does not exist.\nModel: '%s' (%s)", f.Relation, id, f.String, f.Name, m.describe(), m.Name)
		}
		return id, nil
	case "many2one_reference":
		n, ok := asInt(v)
		if !ok {
			return nil, errValue("Wrong value for %s.%s: %s", m.Name, f.Name, pyRepr(v))
		}
		return n, nil
	}
	return deepCopy(v), nil
}

func (m *model) describe() string {
	if m.Description != "" {
		return m.Description
	}
	return m.Name
}

// checkFieldNames refuses values for fields the model does not have.
func (s *Server) checkFieldNames(m *model, vals map[string]any) *odooError {
	for _, k := range sortedKeys(vals) {
		if m.field(k) == nil {
			return errValue("Invalid field %s on model %s", pyRepr(k), pyRepr(m.Name))
		}
	}
	return nil
}

// createRecord creates one record from vals (already a private copy).
func (s *Server) createRecord(m *model, vals map[string]any) (int64, *odooError) {
	if err := s.checkFieldNames(m, vals); err != nil {
		return 0, err
	}
	if err := s.beforeCreate(m, vals); err != nil {
		return 0, err
	}
	id := m.nextID
	rec := map[string]any{"id": id}
	now := s.nowString()
	for _, k := range []string{"create_date", "write_date"} {
		if m.field(k) != nil {
			rec[k] = now
		}
	}
	for _, k := range []string{"create_uid", "write_uid"} {
		if m.field(k) != nil {
			rec[k] = s.uid
		}
	}
	defaults := s.defaults(m, vals)
	var x2many []string
	for _, k := range sortedKeys(vals) {
		f := m.field(k)
		if f.x2many() {
			x2many = append(x2many, k)
			continue
		}
		if k == "id" || (!f.Store && f.Name != "display_name") {
			continue
		}
		v, err := s.normalizeValue(m, f, vals[k])
		if err != nil {
			return 0, err
		}
		rec[k] = v
	}
	for k, v := range defaults {
		if _, given := vals[k]; given {
			continue
		}
		f := m.field(k)
		if f == nil {
			continue
		}
		if f.x2many() {
			if _, ok := vals[k]; !ok {
				vals[k] = v
				x2many = append(x2many, k)
			}
			continue
		}
		rec[k] = v
	}
	if err := s.checkRequired(m, rec, x2many); err != nil {
		return 0, err
	}
	m.put(id, rec)
	sort.Strings(x2many)
	for _, k := range x2many {
		if err := s.applyX2Many(m, id, m.field(k), vals[k]); err != nil {
			m.remove(id)
			return 0, err
		}
	}
	if err := s.afterWrite(m, id, vals, true); err != nil {
		m.remove(id)
		return 0, err
	}
	return id, nil
}

// checkRequired raises Odoo's ValidationError for a missing required value.
func (s *Server) checkRequired(m *model, rec map[string]any, pending []string) *odooError {
	for _, f := range m.fields {
		if !f.Required || !f.Store || f.Type == "boolean" || f.Type == "one2many" || f.Type == "many2many" {
			continue
		}
		if f.Relation != "" && s.models[f.Relation] == nil {
			continue // relation outside the fake: Odoo would default it
		}
		if contains(pending, f.Name) {
			continue
		}
		v := rec[f.Name]
		if v == nil || v == "" || v == int64(0) && f.Type == "many2one" {
			return errValidation("The operation cannot be completed: Missing required value for the field '%s' (%s).\nModel: '%s' (%s)\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n",
				f.String, f.Name, m.describe(), m.Name)
		}
	}
	return nil
}

// writeRecords updates existing records.
func (s *Server) writeRecords(m *model, ids []int64, vals map[string]any) *odooError {
	var missing []int64
	for _, id := range ids {
		if m.recs[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return errMissing(m.Name, missing, s.uid)
	}
	if err := s.checkFieldNames(m, vals); err != nil {
		return err
	}
	if err := s.beforeWrite(m, ids, vals); err != nil {
		return err
	}
	// Normalise first so that a bad value changes nothing.
	plain := map[string]any{}
	var x2many []string
	for _, k := range sortedKeys(vals) {
		f := m.field(k)
		if f.x2many() {
			x2many = append(x2many, k)
			continue
		}
		if k == "id" || !f.Store {
			continue
		}
		v, err := s.normalizeValue(m, f, vals[k])
		if err != nil {
			return err
		}
		plain[k] = v
	}
	backup := map[int64]map[string]any{}
	for _, id := range ids {
		backup[id] = deepCopy(m.recs[id]).(map[string]any)
	}
	restore := func() {
		for id, r := range backup {
			m.recs[id] = r
		}
	}
	now := s.nowString()
	for _, id := range ids {
		rec := m.recs[id]
		for k, v := range plain {
			rec[k] = v
		}
		if m.field("write_date") != nil {
			rec["write_date"] = now
			rec["write_uid"] = s.uid
		}
		if err := s.checkRequired(m, rec, nil); err != nil {
			restore()
			return err
		}
		for _, k := range x2many {
			if err := s.applyX2Many(m, id, m.field(k), vals[k]); err != nil {
				restore()
				return err
			}
		}
		if err := s.afterWrite(m, id, vals, false); err != nil {
			restore()
			return err
		}
	}
	return nil
}

// unlinkRecords deletes records, cascading to children whose inverse is
// required and clearing other references.
func (s *Server) unlinkRecords(m *model, ids []int64) *odooError {
	var missing []int64
	for _, id := range ids {
		if m.recs[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return errMissing(m.Name, missing, s.uid)
	}
	if err := s.beforeUnlink(m, ids); err != nil {
		return err
	}
	for _, id := range ids {
		m.remove(id)
	}
	for _, other := range s.models {
		for _, f := range other.fields {
			if f.Relation != m.Name || !f.Store {
				continue
			}
			switch f.Type {
			case "many2one":
				var cascade []int64
				for rid, r := range other.recs {
					if v, _ := r[f.Name].(int64); v != 0 && contains(ids, v) {
						if f.Required {
							cascade = append(cascade, rid)
						} else {
							r[f.Name] = nil
						}
					}
				}
				if len(cascade) > 0 {
					if err := s.unlinkRecords(other, cascade); err != nil {
						return err
					}
				}
			case "many2many", "one2many":
				for _, r := range other.recs {
					if list, ok := r[f.Name].([]int64); ok {
						kept := list[:0:0]
						for _, v := range list {
							if !contains(ids, v) {
								kept = append(kept, v)
							}
						}
						r[f.Name] = kept
					}
				}
			}
		}
	}
	return nil
}

// applyX2Many runs x2many commands (or a plain id list) on record id.
func (s *Server) applyX2Many(m *model, id int64, f *field, v any) *odooError {
	co := s.models[f.Relation]
	rec := m.recs[id]
	inverse := ""
	if f.Type == "one2many" && f.Inverse != "" && co != nil && co.field(f.Inverse) != nil {
		inverse = f.Inverse
	}
	current := func() []int64 {
		if inverse != "" {
			return s.inverseIDs(f, id)
		}
		list, _ := rec[f.Name].([]int64)
		return append([]int64(nil), list...)
	}
	set := func(ids []int64) *odooError {
		if inverse == "" {
			if ids == nil {
				ids = []int64{}
			}
			rec[f.Name] = ids
			return nil
		}
		for _, old := range current() {
			if !contains(ids, old) {
				if err := s.detach(co, inverse, old); err != nil {
					return err
				}
			}
		}
		for _, nid := range ids {
			if r := co.recs[nid]; r != nil {
				r[inverse] = id
			}
		}
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		if v == nil || v == false {
			return set(nil)
		}
		return errValue("Wrong value for %s.%s: %s", m.Name, f.Name, pyRepr(v))
	}
	// A plain list of ids replaces the relation.
	if ids, isIDs := asIDs(list); isIDs && len(list) > 0 {
		if err := s.checkExisting(co, ids); err != nil {
			return err
		}
		return set(ids)
	}
	for _, c := range list {
		cmd, ok := c.([]any)
		if !ok || len(cmd) == 0 {
			return errValue("Invalid command %s for field %s.%s", pyRepr(c), m.Name, f.Name)
		}
		code, ok := asInt(cmd[0])
		if !ok {
			return errValue("Invalid command %s for field %s.%s", pyRepr(c), m.Name, f.Name)
		}
		arg := func(i int) any {
			if i < len(cmd) {
				return cmd[i]
			}
			return nil
		}
		target, _ := asInt(arg(1))
		switch code {
		case 0: // CREATE
			if co == nil {
				return errValue("Cannot create records of unknown model %s", f.Relation)
			}
			vals, _ := arg(2).(map[string]any)
			vals, _ = deepCopy(vals).(map[string]any)
			if vals == nil {
				vals = map[string]any{}
			}
			if inverse != "" {
				vals[inverse] = id
			}
			nid, err := s.createRecord(co, vals)
			if err != nil {
				return err
			}
			if inverse == "" {
				ids := current()
				rec[f.Name] = append(ids, nid)
			}
		case 1: // UPDATE
			vals, _ := arg(2).(map[string]any)
			if co != nil && vals != nil {
				if err := s.writeRecords(co, []int64{target}, deepCopy(vals).(map[string]any)); err != nil {
					return err
				}
			}
		case 2: // DELETE
			if co != nil && co.recs[target] != nil {
				if err := s.unlinkRecords(co, []int64{target}); err != nil {
					return err
				}
			}
			if inverse == "" {
				rec[f.Name] = without(current(), target)
			}
		case 3: // UNLINK
			if inverse != "" {
				if err := s.detach(co, inverse, target); err != nil {
					return err
				}
			} else {
				rec[f.Name] = without(current(), target)
			}
		case 4: // LINK
			if err := s.checkExisting(co, []int64{target}); err != nil {
				return err
			}
			ids := current()
			if !contains(ids, target) {
				ids = append(ids, target)
			}
			if err := set(ids); err != nil {
				return err
			}
		case 5: // CLEAR
			if err := set(nil); err != nil {
				return err
			}
		case 6: // SET
			ids, ok := asIDs(arg(2))
			if !ok {
				return errValue("Invalid command %s for field %s.%s", pyRepr(c), m.Name, f.Name)
			}
			if err := s.checkExisting(co, ids); err != nil {
				return err
			}
			if err := set(dedupe(ids)); err != nil {
				return err
			}
		default:
			return errValue("Invalid command %s for field %s.%s", pyRepr(c), m.Name, f.Name)
		}
	}
	return nil
}

// detach removes a one2many child from its parent: deleted when the
// inverse is required (ondelete cascade), else its inverse is cleared.
func (s *Server) detach(co *model, inverse string, id int64) *odooError {
	r := co.recs[id]
	if r == nil {
		return nil
	}
	if co.field(inverse).Required {
		return s.unlinkRecords(co, []int64{id})
	}
	r[inverse] = nil
	return nil
}

func (s *Server) checkExisting(co *model, ids []int64) *odooError {
	if co == nil {
		return nil
	}
	var missing []int64
	for _, id := range ids {
		if co.recs[id] == nil {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return errMissing(co.Name, missing, s.uid)
	}
	return nil
}

func without(ids []int64, v int64) []int64 {
	out := ids[:0:0]
	for _, id := range ids {
		if id != v {
			out = append(out, id)
		}
	}
	return out
}

func dedupe(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// searchIDs runs a search with Odoo's semantics: the implicit active
// filter, ordering, offset and limit (limit < 0 = none).
func (s *Server) searchIDs(m *model, domain any, offset, limit int64, order string, activeTest bool) ([]int64, *odooError) {
	root, err := s.parseDomain(m, domain)
	if err != nil {
		return nil, err
	}
	keys, err := s.parseOrder(m, order)
	if err != nil {
		return nil, err
	}
	filterActive := activeTest && m.field("active") != nil && !mentionsField(root, "active")
	done := s.beginScan()
	defer done()
	var active *field
	if filterActive {
		active = m.field("active")
	}
	// Filter first (over the ids the domain names, when it pins them),
	// then order only the matches.
	candidates, pinned := idCandidates(m, root)
	if !pinned {
		candidates = m.sortedIDs()
	}
	ids := []int64{}
	for _, id := range candidates {
		rec := m.recs[id]
		if active != nil {
			if a, _ := s.fieldValue(m, rec, active).(bool); !a {
				continue
			}
		}
		if s.match(m, rec, root) {
			ids = append(ids, id)
		}
	}
	if !isIDOrder(keys) {
		s.sortRecords(m, ids, keys)
	}
	if offset > 0 {
		if offset >= int64(len(ids)) {
			ids = nil
		} else {
			ids = ids[offset:]
		}
	}
	if limit >= 0 && int64(len(ids)) > limit {
		ids = ids[:limit]
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// readRecords renders records with the given fields (all when empty), in
// the order of ids, skipping ids that no longer exist.
func (s *Server) readRecords(m *model, ids []int64, fields []string) ([]any, *odooError) {
	for _, name := range fields {
		if m.field(name) == nil {
			return nil, errValue("Invalid field %s on model %s", pyRepr(name), pyRepr(m.Name))
		}
	}
	if len(fields) == 0 {
		for _, f := range m.fields {
			if f.Type != "binary" || f.Name == "datas" {
				fields = append(fields, f.Name)
			}
		}
	}
	if len(ids) > 1 {
		done := s.beginScan()
		defer done()
	}
	out := []any{}
	for _, id := range ids {
		rec := m.recs[id]
		if rec == nil {
			continue
		}
		o := newOmap().set("id", id)
		for _, name := range fields {
			if name == "id" {
				continue
			}
			o.set(name, s.wireValue(m, rec, m.field(name)))
		}
		out = append(out, o)
	}
	return out, nil
}
