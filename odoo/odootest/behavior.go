package odootest

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"html"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Model-specific behaviour: defaults, computed fields, constraints and
// business methods, each as real Odoo has it for the models the fake seeds.

// projectPlanID is the analytic plan whose column on account.analytic.line
// is account_id (Odoo's "project plan"); other root plans get a column
// x_plan<ID>_id when created, as Odoo does.
const projectPlanID = 1

// defaults returns default values for fields absent from vals.
func (s *Server) defaults(m *model, vals map[string]any) map[string]any {
	d := map[string]any{}
	setIf := func(name string, v any) {
		if m.field(name) != nil {
			d[name] = v
		}
	}
	if f := m.field("active"); f != nil && f.Type == "boolean" {
		d["active"] = true
	}
	if f := m.field("company_id"); f != nil && f.Relation == "res.company" && m.Name != "res.partner" {
		d["company_id"] = int64(1)
	}
	if f := m.field("currency_id"); f != nil && f.Store && f.Relation == "res.currency" && m.Name != "res.partner" && m.Name != "res.country" && m.Name != "res.company" {
		d["currency_id"] = int64(1)
	}
	if f := m.field("sequence"); f != nil && f.Type == "integer" {
		d["sequence"] = int64(10)
	}
	today := s.today()
	now := s.nowString()
	switch m.Name {
	case "res.partner":
		setIf("type", "contact")
		if f := m.field("autopost_bills"); f != nil {
			d["autopost_bills"] = "ask"
		}
		if f := m.field("lang"); f != nil {
			if _, ok := f.selectionLabel("en_US"); ok {
				d["lang"] = "en_US"
			}
		}
	case "crm.lead":
		d["type"] = "opportunity"
		setIf("priority", "0")
		setIf("user_id", s.uid)
		setIf("probability", 10.0)
		if st := s.models["crm.stage"]; st != nil {
			if ids, err := s.searchIDs(st, []any{}, 0, 1, "", true); err == nil && len(ids) > 0 {
				d["stage_id"] = ids[0]
			}
		}
		if s.models["crm.team"] != nil && s.models["crm.team"].recs[1] != nil {
			setIf("team_id", int64(1))
		}
	case "crm.stage":
		d["sequence"] = int64(1)
	case "sale.order":
		d["name"] = "New"
		d["state"] = "draft"
		d["date_order"] = now
		d["validity_date"] = s.now().UTC().AddDate(0, 0, 30).Format(dateLayout)
		d["invoice_status"] = "no"
		d["user_id"] = s.uid
		if s.models["crm.team"] != nil && s.models["crm.team"].recs[1] != nil {
			d["team_id"] = int64(1)
		}
	case "sale.order.line":
		setIf("product_uom_qty", 1.0)
		setIf("product_uom_id", int64(1))
		setIf("product_uom", int64(1))
		setIf("customer_lead", 0.0)
		setIf("discount", 0.0)
	case "account.analytic.line":
		d["date"] = today
		d["amount"] = 0.0
		d["user_id"] = s.uid
	case "account.analytic.plan":
		setIf("default_applicability", "optional")
	case "calendar.event":
		setIf("show_as", "busy")
		setIf("duration", 1.0)
		setIf("user_id", s.uid)
		if m.field("partner_ids") != nil {
			d["partner_ids"] = []any{[]any{int64(6), int64(0), []any{s.adminPartner}}}
		}
	case "ir.attachment":
		setIf("type", "binary")
	case "account.payment":
		if s.Version == "17.0" {
			d["name"] = "/"
		}
		d["date"] = today
		d["state"] = "draft"
		setIf("payment_type", "inbound")
		setIf("partner_type", "customer")
		setIf("amount", 0.0)
		if j := s.models["account.journal"]; j != nil {
			if ids, err := s.searchIDs(j, []any{[]any{"type", "in", []any{"bank", "cash"}}}, 0, 1, "", true); err == nil && len(ids) > 0 {
				d["journal_id"] = ids[0]
			}
		}
	case "account.journal":
		setIf("invoice_reference_type", "invoice")
		setIf("invoice_reference_model", "odoo")
	case "product.template", "product.product":
		d["type"] = "consu"
		d["categ_id"] = int64(1)
		d["uom_id"] = int64(1)
		d["sale_ok"] = true
		d["purchase_ok"] = true
		d["list_price"] = 1.0
		d["priority"] = "0"
		if s.Version == "17.0" && s.models["account.tax"] != nil && s.models["account.tax"].recs[1] != nil {
			d["taxes_id"] = []any{[]any{int64(6), int64(0), []any{int64(1)}}}
		}
	case "mail.message":
		d["date"] = now
		d["message_type"] = "comment"
		d["author_id"] = s.adminPartner
	case "res.users":
		d["company_id"] = int64(1)
	case "ir.model":
		d["state"] = "manual"
	case "ir.model.fields":
		d["state"] = "manual"
		d["store"] = true
	case "account.tax":
		d["amount_type"] = "percent"
		d["type_tax_use"] = "sale"
	}
	return d
}

// beforeCreate completes vals the way Odoo's create overrides do.
func (s *Server) beforeCreate(m *model, vals map[string]any) *odooError {
	switch m.Name {
	case "ir.model":
		name, _ := vals["model"].(string)
		if !strings.HasPrefix(name, "x_") {
			return errValidation("The model name must start with 'x_'.")
		}
		if s.models[name] != nil {
			return errValidation("The model name %s already exists.", pyRepr(name))
		}
		// The model exists as soon as its ir.model record does, so that the
		// fields created through field_id can attach to it.
		nm := newModel(name, fmt.Sprint(vals["name"]))
		nm.Custom = true
		nm.RecName = "x_name"
		for _, d := range magicFields {
			nm.addField(parseFdef(d))
		}
		if truthy(vals["is_mail_thread"]) {
			addMailThread(nm)
		}
		s.models[name] = nm
		if _, ok := vals["field_id"]; !ok {
			vals["field_id"] = []any{[]any{int64(0), int64(0), map[string]any{
				"name": "x_name", "field_description": "Name", "ttype": "char", "copied": true,
			}}}
		}
	case "ir.model.fields":
		name, _ := vals["name"].(string)
		if !strings.HasPrefix(name, "x_") {
			return errValidation("Custom fields must have a name that starts with 'x_'!")
		}
		mid, _ := asInt(vals["model_id"])
		im := s.models["ir.model"]
		target := ""
		if r := im.recs[mid]; r != nil {
			target, _ = r["model"].(string)
		} else if mn, ok := vals["model"].(string); ok {
			target = mn
			if id := s.irModelID(mn); id != 0 {
				vals["model_id"] = id
			}
		}
		tm := s.models[target]
		if tm == nil {
			return errValidation("The operation cannot be completed: Missing required value for the field 'Model' (model_id).\nModel: 'Fields' (ir.model.fields)\n- create/update: a mandatory field is not set\n- delete: another model requires the record being deleted, you can archive it instead\n")
		}
		if tm.field(name) != nil {
			return errValidation("Field names must be unique per model.")
		}
		vals["model"] = target
		ttype, _ := vals["ttype"].(string)
		if (ttype == "many2one" || ttype == "many2many" || ttype == "one2many") && s.models[fmt.Sprint(vals["relation"])] == nil {
			return errValidation("Unknown model name '%v' in Related Model", vals["relation"])
		}
	case "sale.order.line":
		pid, _ := asInt(vals["product_id"])
		if pm := s.models["product.product"]; pm != nil && pm.recs[pid] != nil {
			prod := pm.recs[pid]
			if _, ok := vals["name"]; !ok {
				if n, ok := s.displayName(pm, pid).(string); ok {
					vals["name"] = n
				}
			}
			if _, ok := vals["price_unit"]; !ok {
				vals["price_unit"] = prod["list_price"]
			}
			tf := s.taxField()
			if tf != "" && m.field(tf) != nil {
				if _, ok := vals[tf]; !ok {
					if taxes, _ := prod["taxes_id"].([]int64); len(taxes) > 0 {
						ids := make([]any, len(taxes))
						for i, t := range taxes {
							ids[i] = t
						}
						vals[tf] = []any{[]any{int64(6), int64(0), ids}}
					}
				}
			}
		}
		if oid, _ := asInt(vals["order_id"]); oid != 0 {
			if om := s.models["sale.order"]; om != nil && om.recs[oid] != nil {
				if m.field("state") != nil {
					vals["state"] = om.recs[oid]["state"]
				}
			}
		}
	case "res.partner":
		partnerCompanyType(vals)
	case "sale.order":
		if pid, ok := asInt(vals["partner_id"]); ok && pid != 0 {
			for _, k := range []string{"partner_invoice_id", "partner_shipping_id"} {
				if _, set := vals[k]; !set {
					vals[k] = pid
				}
			}
		}
	case "crm.lead":
		if pid, ok := asInt(vals["partner_id"]); ok && pid != 0 {
			if p := s.models["res.partner"]; p != nil && p.recs[pid] != nil {
				for dst, src := range map[string]string{"email_from": "email", "phone": "phone"} {
					if _, set := vals[dst]; !set && m.field(dst) != nil && truthy(p.recs[pid][src]) {
						vals[dst] = p.recs[pid][src]
					}
				}
			}
		}
		if !truthy(vals["name"]) {
			if pid, ok := asInt(vals["partner_id"]); ok && pid != 0 {
				if p := s.models["res.partner"]; p != nil && p.recs[pid] != nil {
					if n, _ := p.recs[pid]["name"].(string); n != "" {
						vals["name"] = n + "'s opportunity"
					}
				}
			}
		}
	case "product.product":
		if _, ok := vals["product_tmpl_id"]; !ok && !s.creatingVariant {
			tm := s.models["product.template"]
			tvals := map[string]any{}
			for k, v := range vals {
				if tm.field(k) != nil && k != "id" {
					tvals[k] = deepCopy(v)
				}
			}
			s.creatingVariant = true
			tid, err := s.createRecord(tm, tvals)
			s.creatingVariant = false
			if err != nil {
				return err
			}
			vals["product_tmpl_id"] = tid
		}
	case "ir.attachment":
		if _, ok := vals["mimetype"]; !ok {
			name, _ := vals["name"].(string)
			vals["mimetype"] = guessMimetype(name, attachmentBytes(vals))
		}
	case "calendar.event":
		if _, ok := vals["stop"]; !ok {
			if start, ok := vals["start"].(string); ok {
				if t, err := time.Parse(datetimeLayout, normalizeDatetime(start)); err == nil {
					hours := 1.0
					if d, ok := asFloat(vals["duration"]); ok {
						hours = d
					}
					vals["stop"] = t.Add(time.Duration(hours * float64(time.Hour))).Format(datetimeLayout)
				}
			}
		}
	}
	return nil
}

func normalizeDatetime(s string) string {
	s = strings.Replace(s, "T", " ", 1)
	if len(s) == 10 {
		s += " 00:00:00"
	}
	if len(s) > 19 {
		s = s[:19]
	}
	return s
}

// taxField is sale.order.line's taxes field: tax_id on 17, tax_ids on 19.
func (s *Server) taxField() string {
	if s.Version == "17.0" {
		return "tax_id"
	}
	return "tax_ids"
}

// partnerCompanyType applies res.partner.company_type's inverse.
func partnerCompanyType(vals map[string]any) {
	if ct, ok := vals["company_type"]; ok {
		if _, set := vals["is_company"]; !set {
			vals["is_company"] = ct == "company"
		}
	}
}

func (s *Server) beforeWrite(m *model, ids []int64, vals map[string]any) *odooError {
	if m.Name == "res.partner" {
		partnerCompanyType(vals)
	}
	if m.Name == "ir.model" {
		// mail's IrModel.write: the flags only go from False to True, on
		// custom models; a model turning into a mail.thread gets chatter.
		if v, ok := vals["is_mail_thread"]; ok {
			for _, id := range ids {
				if m.recs[id]["state"] != "manual" {
					return errUser("Only custom models can be modified.")
				}
				if m.recs[id]["is_mail_thread"] == true && !truthy(v) {
					return errUser("Field \"Mail Thread\" cannot be changed to \"False\".")
				}
			}
			if truthy(v) {
				for _, id := range ids {
					if cm := s.models[fmt.Sprint(m.recs[id]["model"])]; cm != nil {
						addMailThread(cm)
					}
				}
			}
		}
	}
	if m.Name == "ir.model.fields" {
		if name, ok := vals["name"]; ok {
			for _, id := range ids {
				if m.recs[id]["name"] != name {
					return errUser("Renaming fields is not supported by the fake Odoo.")
				}
			}
		}
	}
	return nil
}

// afterWrite runs constraints and side effects after a create or write.
func (s *Server) afterWrite(m *model, id int64, vals map[string]any, created bool) *odooError {
	rec := m.recs[id]
	_, parentChanged := vals["parent_id"]
	switch m.Name {
	case "res.partner":
		if parentChanged && s.hasCycle(m, id, "parent_id") {
			return errValidation("You cannot create recursive Partner hierarchies.")
		}
	case "res.partner.category":
		if parentChanged && s.hasCycle(m, id, "parent_id") {
			return errValidation("You can not create recursive tags.")
		}
	case "account.analytic.plan":
		if parentChanged && s.hasCycle(m, id, "parent_id") {
			return errValidation("Recursion Detected.")
		}
		if created && id != projectPlanID && !truthy(rec["parent_id"]) {
			if lm := s.models["account.analytic.line"]; lm != nil {
				name, _ := rec["name"].(string)
				lm.addField(&field{Name: fmt.Sprintf("x_plan%d_id", id), Type: "many2one", String: name,
					Relation: "account.analytic.account", Store: true, Custom: true})
			}
		}
	case "crm.lead":
		if _, ok := vals["stage_id"]; ok || created {
			won := false
			if sid, _ := rec["stage_id"].(int64); sid != 0 {
				if st := s.models["crm.stage"]; st != nil && st.recs[sid] != nil {
					won, _ = st.recs[sid]["is_won"].(bool)
				}
			}
			if won {
				rec["probability"] = 100.0
				if m.field("date_closed") != nil {
					rec["date_closed"] = s.nowString()
				}
			} else if !created {
				if p, _ := rec["probability"].(float64); p == 100 {
					rec["probability"] = 10.0
				}
				rec["date_closed"] = nil
			}
		}
	case "sale.order":
		if created && (!truthy(rec["name"]) || rec["name"] == "New") {
			rec["name"] = fmt.Sprintf("S%05d", id)
		}
	case "product.template":
		if created && !s.creatingVariant {
			pm := s.models["product.product"]
			pvals := map[string]any{"product_tmpl_id": id}
			for k, v := range rec {
				if f := pm.field(k); f != nil && f.Store && k != "id" && !strings.HasSuffix(k, "_uid") && !strings.HasSuffix(k, "_date") {
					pvals[k] = deepCopy(v)
				}
			}
			if taxes, ok := rec["taxes_id"].([]int64); ok {
				ids := make([]any, len(taxes))
				for i, t := range taxes {
					ids[i] = t
				}
				pvals["taxes_id"] = []any{[]any{int64(6), int64(0), ids}}
			}
			s.creatingVariant = true
			_, err := s.createRecord(pm, pvals)
			s.creatingVariant = false
			if err != nil {
				return err
			}
		}
	case "ir.model.fields":
		if created {
			target, _ := rec["model"].(string)
			if tm := s.models[target]; tm != nil {
				s.registerCustomField(tm, rec)
			}
		} else {
			s.refreshCustomField(rec)
		}
	case "ir.model.fields.selection":
		if fid, _ := rec["field_id"].(int64); fid != 0 {
			if fr := s.models["ir.model.fields"].recs[fid]; fr != nil {
				s.refreshCustomField(fr)
			}
		}
	}
	return nil
}

// addMailThread makes a custom model inherit mail.thread (ir.model's
// is_mail_thread): it gets message_ids, and message_post answers on it.
func addMailThread(m *model) {
	if m.field("message_ids") == nil {
		f := parseFdef("message_ids:one2many:Messages|rel=mail.message|nostore")
		m.addField(f)
	}
}

// irModelID returns the ir.model id of a model name.
func (s *Server) irModelID(name string) int64 {
	im := s.models["ir.model"]
	for id, r := range im.recs {
		if r["model"] == name {
			return id
		}
	}
	return 0
}

// registerCustomField adds the field an ir.model.fields record describes.
func (s *Server) registerCustomField(tm *model, rec map[string]any) {
	str := func(k string) string { v, _ := rec[k].(string); return v }
	f := &field{
		Name:     str("name"),
		Type:     str("ttype"),
		String:   str("field_description"),
		Relation: str("relation"),
		Required: rec["required"] == true,
		Readonly: rec["readonly"] == true,
		Store:    rec["store"] != false,
		Custom:   true,
	}
	if f.Type == "one2many" {
		f.Inverse = str("relation_field")
	}
	if f.Type == "selection" {
		f.Selection = s.customSelection(rec)
	}
	tm.addField(f)
}

func (s *Server) refreshCustomField(rec map[string]any) {
	target, _ := rec["model"].(string)
	tm := s.models[target]
	if tm == nil {
		return
	}
	name, _ := rec["name"].(string)
	if tm.field(name) != nil {
		s.registerCustomField(tm, rec)
	}
}

// customSelection reads a selection field's options from its
// ir.model.fields.selection records, or from the deprecated "selection"
// text ("[('a', 'A'), ('b', 'B')]").
func (s *Server) customSelection(rec map[string]any) []any {
	out := []any{}
	sm := s.models["ir.model.fields.selection"]
	id, _ := rec["id"].(int64)
	if sm != nil {
		ids := []int64{}
		for _, sid := range sm.sortedIDs() {
			if fid, _ := sm.recs[sid]["field_id"].(int64); fid == id {
				ids = append(ids, sid)
			}
		}
		if keys, err := s.parseOrder(sm, ""); err == nil {
			s.sortRecords(sm, ids, keys)
		}
		for _, sid := range ids {
			r := sm.recs[sid]
			out = append(out, []any{r["value"], r["name"]})
		}
	}
	if len(out) == 0 {
		if text, ok := rec["selection"].(string); ok {
			out = parsePySelection(text)
		}
	}
	return out
}

// parsePySelection parses a Python list of 2-tuples of string literals.
func parsePySelection(text string) []any {
	var out []any
	var strs []string
	for i := 0; i < len(text); i++ {
		q := text[i]
		if q != '\'' && q != '"' {
			continue
		}
		var b strings.Builder
		j := i + 1
		for ; j < len(text) && text[j] != q; j++ {
			if text[j] == '\\' && j+1 < len(text) {
				j++
			}
			b.WriteByte(text[j])
		}
		strs = append(strs, b.String())
		i = j
	}
	for i := 0; i+1 < len(strs); i += 2 {
		out = append(out, []any{strs[i], strs[i+1]})
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// hasCycle reports whether following parent links from id returns to id.
func (s *Server) hasCycle(m *model, id int64, parent string) bool {
	seen := map[int64]bool{}
	cur := id
	for cur != 0 {
		if seen[cur] {
			return true
		}
		seen[cur] = true
		r := m.recs[cur]
		if r == nil {
			return false
		}
		cur, _ = r[parent].(int64)
		if cur == id {
			return true
		}
	}
	return false
}

func (s *Server) beforeUnlink(m *model, ids []int64) *odooError {
	switch m.Name {
	case "sale.order":
		for _, id := range ids {
			if st := m.recs[id]["state"]; st != "draft" && st != "cancel" {
				return errUser("You can not delete a sent quotation or a confirmed sales order. You must first cancel it.")
			}
		}
	case "ir.model.fields":
		for _, id := range ids {
			r := m.recs[id]
			if tm := s.models[fmt.Sprint(r["model"])]; tm != nil {
				name, _ := r["name"].(string)
				if f := tm.field(name); f != nil && f.Custom {
					removeField(tm, name)
				}
			}
		}
	case "ir.model":
		for _, id := range ids {
			name, _ := m.recs[id]["model"].(string)
			if nm := s.models[name]; nm != nil {
				if !nm.Custom {
					return errUser("Model %s cannot be deleted: it is not a custom model.", pyRepr(name))
				}
				delete(s.models, name)
				// ir.model.access.model_id is ondelete='cascade'.
				am := s.models["ir.model.access"]
				for aid, r := range am.recs {
					if r["model_id"] == id {
						am.remove(aid)
					}
				}
			}
		}
	}
	return nil
}

func removeField(m *model, name string) {
	delete(m.byName, name)
	for i, f := range m.fields {
		if f.Name == name {
			m.fields = append(m.fields[:i:i], m.fields[i+1:]...)
			return
		}
	}
}

// computeField returns the value of a field the fake computes.
func (s *Server) computeField(m *model, rec map[string]any, f *field) (any, bool) {
	if f.Name != "display_name" && !mayBeComputed(f.Name) {
		return nil, false // most reads: no id lookup, no key built below
	}
	id, _ := rec["id"].(int64)
	if f.Name == "display_name" {
		return s.displayName(m, id), true
	}
	switch m.Name + "." + f.Name {
	case "res.partner.complete_name":
		return s.displayName(m, id), true
	case "res.partner.commercial_partner_id":
		return s.commercialPartner(id), true
	case "res.partner.company_type":
		if b, _ := rec["is_company"].(bool); b {
			return "company", true
		}
		return "person", true
	case "account.analytic.account.balance", "account.analytic.account.debit", "account.analytic.account.credit":
		debit, credit := s.analyticTotals(rec)
		switch f.Name {
		case "debit":
			return debit.InexactFloat64(), true
		case "credit":
			return credit.InexactFloat64(), true
		}
		return credit.Sub(debit).InexactFloat64(), true
	case "account.analytic.account.line_ids":
		// Odoo reads this one2many through a context-dependent inverse
		// (auto_account_id): without an analytic_plan_id in the context
		// it is always empty.
		return []int64{}, true
	case "account.analytic.account.root_plan_id":
		return s.rootPlan(rec), true
	case "account.analytic.plan.complete_name":
		return s.planCompleteName(id), true
	case "ir.model.data.complete_name":
		module, _ := rec["module"].(string)
		name, _ := rec["name"].(string)
		if module == "" {
			return name, true
		}
		return module + "." + name, true
	case "sale.order.amount_untaxed", "sale.order.amount_tax", "sale.order.amount_total":
		untaxed, tax := s.orderTotals(id)
		switch f.Name {
		case "amount_untaxed":
			return untaxed.InexactFloat64(), true
		case "amount_tax":
			return tax.InexactFloat64(), true
		}
		return untaxed.Add(tax).InexactFloat64(), true
	case "sale.order.line.price_subtotal", "sale.order.line.price_tax", "sale.order.line.price_total":
		sub, tax := s.lineTotals(rec)
		switch f.Name {
		case "price_subtotal":
			return sub.InexactFloat64(), true
		case "price_tax":
			return tax.InexactFloat64(), true
		}
		return sub.Add(tax).InexactFloat64(), true
	case "res.users.name", "res.users.email":
		if pid, _ := rec["partner_id"].(int64); pid != 0 {
			if p := s.models["res.partner"]; p != nil && p.recs[pid] != nil {
				return p.recs[pid][f.Name], true
			}
		}
		return nil, true
	case "product.product.lst_price":
		return rec["list_price"], true
	case "ir.attachment.file_size":
		return int64(len(attachmentBytes(rec))), true
	case "ir.attachment.checksum":
		raw := attachmentBytes(rec)
		if len(raw) == 0 && rec["datas"] == nil {
			return nil, true
		}
		return fmt.Sprintf("%x", sha1.Sum(raw)), true
	case "ir.attachment.store_fname":
		if rec["datas"] == nil {
			return nil, true
		}
		sum := fmt.Sprintf("%x", sha1.Sum(attachmentBytes(rec)))
		return sum[:2] + "/" + sum, true
	case "ir.attachment.res_name":
		model, _ := rec["res_model"].(string)
		rid, _ := rec["res_id"].(int64)
		if rm := s.models[model]; rm != nil && rm.recs[rid] != nil {
			return s.displayName(rm, rid), true
		}
		return nil, true
	case "ir.attachment.mimetype":
		if v, ok := rec["mimetype"].(string); ok && v != "" {
			return v, true
		}
		name, _ := rec["name"].(string)
		return guessMimetype(name, attachmentBytes(rec)), true
	case "ir.attachment.local_url":
		return fmt.Sprintf("/web/content/%d?download=true", id), true
	case "calendar.event.start_date", "calendar.event.stop_date":
		key := "start"
		if f.Name == "stop_date" {
			key = "stop"
		}
		if v, ok := rec[key].(string); ok && len(v) >= 10 && rec["allday"] == true {
			return v[:10], true
		}
		return rec[f.Name], true
	}
	return nil, false
}

// mayBeComputed reports whether computeField computes a field of this
// name on some model; keep it in step with computeField's cases.
func mayBeComputed(name string) bool {
	switch name {
	case "complete_name", "commercial_partner_id", "company_type", "balance", "debit", "credit",
		"line_ids", "root_plan_id", "amount_untaxed", "amount_tax", "amount_total",
		"price_subtotal", "price_tax", "price_total", "name", "email", "lst_price",
		"file_size", "checksum", "store_fname", "res_name", "mimetype", "local_url",
		"start_date", "stop_date":
		return true
	}
	return false
}

// attachmentBytes decodes an attachment's base64 datas.
func attachmentBytes(rec map[string]any) []byte {
	s, _ := rec["datas"].(string)
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return []byte(s)
	}
	return raw
}

// guessMimetype follows Odoo's guess: content signatures first, then the
// file name's extension.
func guessMimetype(name string, raw []byte) string {
	switch {
	case bytes.HasPrefix(raw, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(raw, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(raw, []byte{0xff, 0xd8, 0xff}):
		return "image/jpeg"
	case bytes.HasPrefix(raw, []byte("GIF8")):
		return "image/gif"
	}
	if i := strings.LastIndex(name, "."); i >= 0 {
		if t := mime.TypeByExtension(strings.ToLower(name[i:])); t != "" {
			t, _, _ = strings.Cut(t, ";")
			return t
		}
	}
	if len(raw) > 0 && utf8.Valid(raw) && !bytes.ContainsRune(raw, 0) {
		return "text/plain"
	}
	return "application/octet-stream"
}

// money converts a stored float to a decimal via its shortest text form,
// so 1999.99 stays 1999.99.
func money(v any) decimal.Decimal {
	f, _ := asFloat(v)
	d, err := decimal.NewFromString(pyFloat(f))
	if err != nil {
		return decimal.Zero
	}
	return d
}

func (s *Server) lineTotals(rec map[string]any) (sub, tax decimal.Decimal) {
	qty := money(rec["product_uom_qty"])
	price := money(rec["price_unit"])
	disc := money(rec["discount"])
	hundred := decimal.NewFromInt(100)
	sub = qty.Mul(price).Mul(hundred.Sub(disc)).Div(hundred).Round(2)
	rate := decimal.Zero
	if taxes, ok := rec[s.taxField()].([]int64); ok {
		tm := s.models["account.tax"]
		for _, t := range taxes {
			if tr := tm.recs[t]; tr != nil && tr["amount_type"] != "fixed" {
				rate = rate.Add(money(tr["amount"]))
			}
		}
	}
	tax = sub.Mul(rate).Div(hundred).Round(2)
	return sub, tax
}

func (s *Server) orderTotals(orderID int64) (untaxed, tax decimal.Decimal) {
	lm := s.models["sale.order.line"]
	for _, id := range lm.sortedIDs() {
		r := lm.recs[id]
		if oid, _ := r["order_id"].(int64); oid == orderID {
			sub, t := s.lineTotals(r)
			untaxed = untaxed.Add(sub)
			tax = tax.Add(t)
		}
	}
	return untaxed, tax
}

func (s *Server) rootPlan(acc map[string]any) int64 {
	pm := s.models["account.analytic.plan"]
	pid, _ := acc["plan_id"].(int64)
	seen := map[int64]bool{}
	for pid != 0 && !seen[pid] {
		seen[pid] = true
		r := pm.recs[pid]
		if r == nil {
			break
		}
		parent, _ := r["parent_id"].(int64)
		if parent == 0 {
			return pid
		}
		pid = parent
	}
	return pid
}

// analyticTotals sums the lines whose plan column (account_id for the
// project plan, x_plan<N>_id for another root plan N) is the account.
func (s *Server) analyticTotals(acc map[string]any) (debit, credit decimal.Decimal) {
	lm := s.models["account.analytic.line"]
	if lm == nil {
		return
	}
	column := "account_id"
	if root := s.rootPlan(acc); root != projectPlanID {
		column = fmt.Sprintf("x_plan%d_id", root)
	}
	id, _ := acc["id"].(int64)
	if s.scan != nil {
		t := s.scan.totalsIndex(lm, column)[id]
		return t[0], t[1]
	}
	for _, r := range lm.recs {
		if v, _ := r[column].(int64); v == id && id != 0 {
			amt := money(r["amount"])
			if amt.IsNegative() {
				debit = debit.Sub(amt)
			} else {
				credit = credit.Add(amt)
			}
		}
	}
	return debit, credit
}

// messagePost implements mail.thread.message_post: one mail.message per
// record; Odoo 17 returns the id (singleton only), 19 a list of ids.
func (s *Server) messagePost(m *model, ids []int64, p map[string]any) (any, *odooError) {
	if s.Version == "17.0" && len(ids) != 1 {
		return nil, errValue("Expected singleton: %s", recordsRepr(m.Name, ids))
	}
	if err := s.checkExisting(m, ids); err != nil {
		return nil, err
	}
	mm := s.models["mail.message"]
	body, _ := p["body"].(string)
	// Odoo 17+ escapes a str body (markupsafe.escape: only a Markup stays
	// HTML, and RPC cannot carry one) unless body_is_html=True is passed
	// by an internal user; the html field then sanitizes the result,
	// wrapping bare text in a paragraph.
	if !(truthy(p["body_is_html"]) && s.callerIsInternal()) {
		body = html.EscapeString(body)
	}
	if body != "" && !strings.HasPrefix(strings.TrimSpace(body), "<") {
		body = "<p>" + body + "</p>"
	}
	msgType, _ := p["message_type"].(string)
	if msgType == "" {
		msgType = "notification"
	}
	subtype := int64(0)
	switch p["subtype_xmlid"] {
	case "mail.mt_comment":
		subtype = 1
	case "mail.mt_note":
		subtype = 2
	}
	if id, ok := asInt(p["subtype_id"]); ok {
		subtype = id
	}
	if subtype == 0 && msgType == "comment" {
		subtype = 2
	}
	var out []any
	for _, id := range ids {
		vals := map[string]any{
			"body": body, "model": m.Name, "res_id": id, "message_type": msgType,
			"record_name": s.displayName(m, id),
		}
		if subtype != 0 {
			vals["subtype_id"] = subtype
		}
		if subj, ok := p["subject"].(string); ok {
			vals["subject"] = subj
		}
		if a, ok := asInt(p["author_id"]); ok {
			vals["author_id"] = a
		}
		if pids, ok := asIDs(p["partner_ids"]); ok && len(pids) > 0 {
			list := make([]any, len(pids))
			for i, x := range pids {
				list[i] = x
			}
			vals["partner_ids"] = []any{[]any{int64(6), int64(0), list}}
		}
		mid, err := s.createRecord(mm, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, mid)
	}
	if s.Version == "17.0" {
		return out[0], nil
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

func recordsRepr(model string, ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	if len(ids) == 1 {
		return fmt.Sprintf("%s(%s,)", model, parts[0])
	}
	return fmt.Sprintf("%s(%s)", model, strings.Join(parts, ", "))
}

// actionConfirm confirms draft or sent sale orders.
func (s *Server) actionConfirm(m *model, ids []int64) (any, *odooError) {
	if err := s.checkExisting(m, ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if st := m.recs[id]["state"]; st != "draft" && st != "sent" {
			return nil, errUser("Some orders are not in a state requiring confirmation.")
		}
	}
	for _, id := range ids {
		r := m.recs[id]
		r["state"] = "sale"
		r["date_order"] = s.nowString()
		r["write_date"] = s.nowString()
		lm := s.models["sale.order.line"]
		for _, lid := range s.inverseIDs(m.field("order_line"), id) {
			if lm.field("state") != nil {
				lm.recs[lid]["state"] = "sale"
			}
		}
	}
	return true, nil
}

func (s *Server) setState(m *model, ids []int64, from []string, to string, msg string) (any, *odooError) {
	if err := s.checkExisting(m, ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		if st, _ := m.recs[id]["state"].(string); len(from) > 0 && !contains(from, st) {
			return nil, errUser("%s", msg)
		}
	}
	for _, id := range ids {
		m.recs[id]["state"] = to
		m.recs[id]["write_date"] = s.nowString()
	}
	return true, nil
}

// actionPost posts draft payments. Like Odoo's account.payment.action_post
// it returns None.
func (s *Server) actionPost(m *model, ids []int64) (any, *odooError) {
	to := "in_process"
	if s.Version == "17.0" {
		to = "posted"
	}
	if _, err := s.setState(m, ids, []string{"draft"}, to, "Only a draft payment can be posted."); err != nil {
		return nil, err
	}
	for _, id := range ids {
		r := m.recs[id]
		if truthy(r["name"]) && r["name"] != "/" {
			continue
		}
		code := "PAY"
		jid, _ := r["journal_id"].(int64)
		if jm := s.models["account.journal"]; jm != nil && jm.recs[jid] != nil {
			if c, _ := jm.recs[jid]["code"].(string); c != "" {
				code = "P" + c
			}
		}
		year := s.now().UTC().Format("2006")
		if d, _ := r["date"].(string); len(d) >= 4 {
			year = d[:4]
		}
		prefix := code + "/" + year + "/"
		seq := 1
		for _, other := range m.recs {
			if n, _ := other["name"].(string); strings.HasPrefix(n, prefix) {
				seq++
			}
		}
		r["name"] = fmt.Sprintf("%s%05d", prefix, seq)
	}
	return nil, nil
}

// leadWon moves leads to the first won stage.
func (s *Server) leadWon(m *model, ids []int64) (any, *odooError) {
	st := s.models["crm.stage"]
	won, err := s.searchIDs(st, []any{[]any{"is_won", "=", true}}, 0, 1, "", true)
	if err != nil {
		return nil, err
	}
	vals := map[string]any{"probability": 100.0}
	if len(won) > 0 {
		vals["stage_id"] = won[0]
	}
	if err := s.writeRecords(m, ids, vals); err != nil {
		return nil, err
	}
	return true, nil
}

func (s *Server) leadLost(m *model, ids []int64) (any, *odooError) {
	if err := s.writeRecords(m, ids, map[string]any{"active": false, "probability": 0.0}); err != nil {
		return nil, err
	}
	return true, nil
}
