package odootest

import (
	"fmt"
	"sort"
)

// irModelIDs are ir.model ids of a real database with the recorded modules,
// for the models whose id the recordings show.
var irModelIDs = map[string]map[string]int64{
	"17.0": {"res.partner": 85},
	"19.0": {"res.partner": 90},
}

// seed loads the standard data of a fresh database with the modules of the
// recordings (base, contacts, crm, sale_management, account, analytic,
// calendar, mail), without demo data.
func (s *Server) seed() error {
	type row = map[string]any
	data := []struct {
		model string
		rows  []row
	}{
		{"res.currency", []row{
			{"id": int64(1), "name": "USD", "symbol": "$", "full_name": "United States dollar", "active": true, "rounding": 0.01, "decimal_places": int64(2)},
			{"id": int64(33), "name": "MXN", "symbol": "$", "full_name": "Mexican Peso", "active": false, "rounding": 0.01, "decimal_places": int64(2)},
		}},
		{"res.country", []row{
			{"id": int64(156), "name": "Mexico", "code": "MX", "phone_code": int64(52), "currency_id": int64(33)},
			{"id": int64(233), "name": "United States", "code": "US", "phone_code": int64(1), "currency_id": int64(1)},
		}},
		{"res.partner", []row{
			{"id": int64(1), "name": "My Company", "is_company": true, "active": true, "type": "contact"},
			{"id": int64(2), "name": "OdooBot", "active": false, "type": "contact", "email": "odoobot@example.com"},
			{"id": int64(3), "name": "Administrator", "active": true, "type": "contact", "parent_id": int64(1), "email": "admin@yourcompany.example.com"},
			{"id": int64(4), "name": "Public user", "active": false, "type": "contact", "parent_id": int64(1)},
		}},
		{"res.company", []row{
			{"id": int64(1), "name": "My Company", "partner_id": int64(1), "currency_id": int64(1), "sequence": int64(10), "active": true},
		}},
		{"res.users", []row{
			{"id": int64(1), "login": "__system__", "partner_id": int64(2), "active": false, "company_id": int64(1)},
			{"id": int64(2), "login": s.Login, "partner_id": int64(3), "active": true, "company_id": int64(1)},
		}},
		{"crm.team", []row{
			{"id": int64(1), "name": "Sales", "sequence": int64(10), "active": true, "company_id": int64(1), "user_id": int64(2)},
		}},
		{"crm.stage", []row{
			{"id": int64(1), "name": "New", "sequence": int64(1), "is_won": false, "fold": false},
			{"id": int64(2), "name": "Qualified", "sequence": int64(2), "is_won": false, "fold": false},
			{"id": int64(3), "name": "Proposition", "sequence": int64(3), "is_won": false, "fold": false},
			{"id": int64(4), "name": "Won", "sequence": int64(70), "is_won": true, "fold": false},
		}},
		{"mail.message.subtype", []row{
			{"id": int64(1), "name": "Discussions", "sequence": int64(0), "internal": false, "default": true},
			{"id": int64(2), "name": "Note", "sequence": int64(100), "internal": true, "default": false},
		}},
		{"product.category", []row{
			{"id": int64(1), "name": "All", "complete_name": "All"},
		}},
		{"uom.uom", []row{
			{"id": int64(1), "name": "Units", "active": true, "sequence": int64(1), "rounding": 0.01},
		}},
		{"account.analytic.plan", []row{
			{"id": int64(1), "name": "Project", "sequence": int64(10), "default_applicability": "optional"},
		}},
		{"account.tax", []row{
			{"id": int64(1), "name": "15%", "amount": 15.0, "amount_type": "percent", "type_tax_use": "sale", "active": true, "sequence": int64(1), "company_id": int64(1)},
			{"id": int64(2), "name": "15%", "amount": 15.0, "amount_type": "percent", "type_tax_use": "purchase", "active": true, "sequence": int64(1), "company_id": int64(1)},
		}},
		{"account.journal", []row{
			{"id": int64(1), "name": "Customer Invoices", "code": "INV", "type": "sale", "sequence": int64(5)},
			{"id": int64(2), "name": "Vendor Bills", "code": "BILL", "type": "purchase", "sequence": int64(6)},
			{"id": int64(3), "name": "Miscellaneous Operations", "code": "MISC", "type": "general", "sequence": int64(9)},
			{"id": int64(4), "name": "Exchange Difference", "code": "EXCH", "type": "general", "sequence": int64(9)},
			{"id": int64(5), "name": "Cash Basis Taxes", "code": "CABA", "type": "general", "sequence": int64(10)},
			{"id": int64(6), "name": "Bank", "code": "BNK1", "type": "bank", "sequence": int64(10)},
			{"id": int64(7), "name": "Cash", "code": "CSH1", "type": "cash", "sequence": int64(10)},
		}},
	}
	for _, d := range data {
		m := s.models[d.model]
		if m == nil {
			return fmt.Errorf("odootest: seed: no model %s", d.model)
		}
		for _, r := range d.rows {
			if err := s.insertRaw(m, r); err != nil {
				return fmt.Errorf("odootest: seed %s: %w", d.model, err)
			}
		}
	}
	if err := s.seedIRModel(); err != nil {
		return err
	}
	return s.seedAccess()
}

// insertRaw stores a record as given (no hooks), filling defaults and
// magic fields.
func (s *Server) insertRaw(m *model, vals map[string]any) error {
	id, _ := asInt(vals["id"])
	if id == 0 {
		id = m.nextID
	}
	rec := map[string]any{"id": id}
	for k, v := range s.defaults(m, vals) {
		if f := m.field(k); f != nil && !f.x2many() {
			rec[k] = v
		}
	}
	for k, v := range vals {
		if k == "id" {
			continue
		}
		f := m.field(k)
		if f == nil {
			return fmt.Errorf("no field %s.%s", m.Name, k)
		}
		if f.x2many() {
			ids, _ := asIDs(v)
			rec[k] = ids
			continue
		}
		nv, err := s.normalizeValue(m, f, v)
		if err != nil {
			return err
		}
		rec[k] = nv
	}
	now := s.nowString()
	for _, k := range []string{"create_date", "write_date"} {
		if m.field(k) != nil {
			rec[k] = now
		}
	}
	for _, k := range []string{"create_uid", "write_uid"} {
		if m.field(k) != nil {
			rec[k] = int64(1)
		}
	}
	m.put(id, rec)
	return nil
}

// seedIRModel describes every model in ir.model and ir.model.fields.
func (s *Server) seedIRModel() error {
	im, fm := s.models["ir.model"], s.models["ir.model.fields"]
	names := make([]string, 0, len(s.models))
	for n := range s.models {
		names = append(names, n)
	}
	sort.Strings(names)
	known := irModelIDs[s.Version]
	used := map[int64]bool{}
	for _, id := range known {
		used[id] = true
	}
	next := int64(1)
	for _, n := range names {
		id, ok := known[n]
		if !ok {
			for used[next] {
				next++
			}
			id = next
			used[id] = true
		}
		m := s.models[n]
		if err := s.insertRaw(im, map[string]any{"id": id, "name": m.describe(), "model": n, "state": "base", "order": m.Order}); err != nil {
			return err
		}
	}
	for _, n := range names {
		m := s.models[n]
		mid := s.irModelID(n)
		for _, f := range m.fields {
			vals := map[string]any{
				"name": f.Name, "model": n, "model_id": mid, "field_description": f.String, "ttype": f.Type,
				"relation": f.Relation, "relation_field": f.Inverse, "required": f.Required,
				"readonly": f.Readonly, "store": f.Store, "state": "base", "complete_name": n + "." + f.Name,
			}
			if f.Relation == "" {
				delete(vals, "relation")
			}
			if f.Inverse == "" {
				delete(vals, "relation_field")
			}
			if err := s.insertRaw(fm, vals); err != nil {
				return err
			}
		}
	}
	return nil
}

func int64sToAny(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// addUser creates a user (and its partner) with the given login.
func (s *Server) addUser(login string, groups []int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pm, um := s.models["res.partner"], s.models["res.users"]
	pid, oerr := s.createRecord(pm, map[string]any{"name": login})
	if oerr != nil {
		return 0, oerr
	}
	uid, oerr := s.createRecord(um, map[string]any{"login": login, "partner_id": pid,
		userGroupsField(s.Version): []any{[]any{int64(6), int64(0), int64sToAny(groups)}}})
	if oerr != nil {
		return 0, oerr
	}
	return uid, nil
}
