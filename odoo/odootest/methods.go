package odootest

import (
	"fmt"
	"strings"
)

// methodSpec describes a public model method: whether it works on records
// (ids first), its parameters in positional order, and its implementation.
type methodSpec struct {
	record    bool
	params    []string
	varKwargs bool   // accepts any keyword argument (message_post)
	only      string // Odoo version the method exists in ("" = all)
	models    []string
	mailOnly  bool // only on models inheriting mail.thread
	fn        func(s *Server, m *model, ids []int64, p map[string]any) (any, *odooError)
}

// methods are the model methods the fake implements.
var methods = map[string]methodSpec{
	"search":       {params: []string{"domain", "offset", "limit", "order", "count"}, fn: (*Server).mSearch},
	"search_read":  {params: []string{"domain", "fields", "offset", "limit", "order"}, fn: (*Server).mSearchRead},
	"search_count": {params: []string{"domain", "limit"}, fn: (*Server).mSearchCount},
	"read":         {record: true, params: []string{"fields", "load"}, fn: (*Server).mRead},
	"create":       {params: []string{"vals_list"}, fn: (*Server).mCreate},
	"write":        {record: true, params: []string{"vals"}, fn: (*Server).mWrite},
	"unlink":       {record: true, fn: (*Server).mUnlink},
	"exists":       {record: true, fn: (*Server).mExists},
	"name_search":  {params: []string{"name", "domain", "operator", "limit"}, fn: (*Server).mNameSearch},
	"name_get":     {record: true, only: "17.0", fn: (*Server).mNameGet},
	"fields_get":   {params: []string{"allfields", "attributes"}, fn: (*Server).mFieldsGet},
	"default_get":  {params: []string{"fields_list"}, fn: (*Server).mDefaultGet},
	"copy":         {record: true, params: []string{"default"}, fn: (*Server).mCopy},
	"read_group":   {params: []string{"domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"}, fn: (*Server).mReadGroup},
	"formatted_read_group": {only: "19.0", params: []string{"domain", "groupby", "aggregates", "having", "offset", "limit", "order"},
		fn: (*Server).mFormattedReadGroup},
	"message_post": {record: true, varKwargs: true, mailOnly: true, fn: (*Server).messagePost},
	"action_confirm": {record: true, models: []string{"sale.order"}, fn: func(s *Server, m *model, ids []int64, _ map[string]any) (any, *odooError) {
		return s.actionConfirm(m, ids)
	}},
	"action_cancel": {record: true, models: []string{"sale.order", "account.payment"}, fn: func(s *Server, m *model, ids []int64, _ map[string]any) (any, *odooError) {
		if m.Name == "account.payment" {
			to := "canceled"
			if s.Version == "17.0" {
				to = "cancel"
			}
			_, err := s.setState(m, ids, nil, to, "")
			return nil, err
		}
		return s.setState(m, ids, nil, "cancel", "")
	}},
	"action_draft": {record: true, models: []string{"sale.order", "account.payment"}, fn: func(s *Server, m *model, ids []int64, _ map[string]any) (any, *odooError) {
		if m.Name == "account.payment" {
			_, err := s.setState(m, ids, nil, "draft", "")
			return nil, err
		}
		return s.setState(m, ids, []string{"cancel", "sent"}, "draft", "Only cancelled or sent orders can be set back to quotation.")
	}},
	"action_post": {record: true, models: []string{"account.payment"}, fn: func(s *Server, m *model, ids []int64, _ map[string]any) (any, *odooError) {
		return s.actionPost(m, ids)
	}},
	"action_set_won": {record: true, models: []string{"crm.lead"}, fn: func(s *Server, m *model, ids []int64, _ map[string]any) (any, *odooError) {
		return s.leadWon(m, ids)
	}},
	"action_set_lost": {record: true, params: []string{"lost_reason_id"}, models: []string{"crm.lead"}, fn: func(s *Server, m *model, ids []int64, _ map[string]any) (any, *odooError) {
		return s.leadLost(m, ids)
	}},
}

// call is one model method call, whichever protocol carried it.
type call struct {
	Model  string
	Method string
	Args   []any          // positional (XML-RPC, JSON-RPC)
	Kwargs map[string]any // keyword arguments; JSON-2 puts everything here
	JSON2  bool
	UID    int64 // the authenticated user (0: the admin)
}

// lookupMethod finds the method or raises what Odoo raises for a private
// or missing one.
func (s *Server) lookupMethod(m *model, name string) (methodSpec, *odooError) {
	if strings.HasPrefix(name, "_") {
		if s.Version == "17.0" {
			return methodSpec{}, &odooError{Name: excAccessError,
				Message: fmt.Sprintf("Private methods (such as %s) cannot be called remotely.", name)}
		}
		return methodSpec{}, &odooError{Name: excAccessError,
			Message: fmt.Sprintf("Private methods (such as '%s.%s') cannot be called remotely.", m.Name, name)}
	}
	spec, ok := methods[name]
	if ok && spec.only != "" && spec.only != s.Version {
		ok = false
	}
	if ok && spec.models != nil && !contains(spec.models, m.Name) {
		ok = false
	}
	if ok && spec.mailOnly && m.field("message_ids") == nil {
		ok = false
	}
	if !ok {
		if s.Version == "17.0" {
			return methodSpec{}, &odooError{Name: excAttributeError,
				Message: fmt.Sprintf("The method '%s' does not exist on the model '%s'", name, m.Name)}
		}
		return methodSpec{}, &odooError{Name: excAttributeError,
			Message: fmt.Sprintf("The method '%s.%s' does not exist", m.Name, name)}
	}
	return spec, nil
}

// execute runs a model method for the authenticated user.
func (s *Server) execute(c call) (any, *odooError) {
	m := s.models[c.Model]
	if m == nil {
		if c.JSON2 {
			return nil, httpError(excNotFound, 404, fmt.Sprintf("the model %s does not exist", pyRepr(c.Model)))
		}
		return nil, errUser("Object %s doesn't exist", c.Model)
	}
	spec, oerr := s.lookupMethod(m, c.Method)
	if oerr != nil {
		if c.JSON2 && oerr.Name == excAttributeError {
			return nil, httpError(excNotFound, 404, oerr.Message)
		}
		return nil, oerr
	}
	if oerr := s.checkAccess(m, accessMode(c.Method)); oerr != nil {
		return nil, oerr
	}
	p := map[string]any{}
	var ids []int64
	for k, v := range c.Kwargs {
		p[k] = v
	}
	unexpected := func(name string) *odooError {
		msg := fmt.Sprintf("%s() got an unexpected keyword argument '%s'", c.Method, name)
		if c.JSON2 {
			return httpError(excUnprocessable, 422, msg)
		}
		return errType("%s", msg)
	}
	if c.JSON2 {
		rawIDs, hasIDs := p["ids"]
		delete(p, "ids")
		if hasIDs {
			var ok bool
			if ids, ok = asIDs(rawIDs); !ok {
				return nil, httpError(excUnprocessable, 422, "ids must be a list of integers")
			}
		}
		if !spec.record && len(ids) > 0 {
			return nil, httpError(excUnprocessable, 422, fmt.Sprintf("cannot call %s.%s with ids", c.Model, c.Method))
		}
	} else {
		args := c.Args
		if spec.record {
			if len(args) == 0 {
				if raw, ok := p["ids"]; ok {
					args = []any{raw}
					delete(p, "ids")
				} else {
					return nil, errType("%s() missing 1 required positional argument: 'self'", c.Method)
				}
			}
			var ok bool
			if ids, ok = asIDs(args[0]); !ok {
				return nil, errValue("Invalid ids %s", pyRepr(args[0]))
			}
			args = args[1:]
		}
		if len(args) > len(spec.params) && !spec.varKwargs {
			return nil, errType("%s() takes %d positional arguments but %d were given", c.Method, len(spec.params)+1, len(args)+1)
		}
		for i, a := range args {
			if i < len(spec.params) {
				if _, dup := p[spec.params[i]]; dup {
					return nil, errType("%s() got multiple values for argument '%s'", c.Method, spec.params[i])
				}
				p[spec.params[i]] = a
			}
		}
	}
	ctx, _ := p["context"].(map[string]any)
	delete(p, "context")
	if !spec.varKwargs {
		for _, k := range sortedKeys(p) {
			if !contains(spec.params, k) && !(c.Method == "name_search" && k == "args") {
				return nil, unexpected(k)
			}
		}
	}
	if c.Method == "create" && c.JSON2 {
		// JSON-2 returns result.ids: a dict is created as a one-item list.
		switch v := p["vals_list"].(type) {
		case []any:
		case map[string]any:
			p["vals_list"] = []any{v}
		default:
			return nil, httpError(excUnprocessable, 422, "create() missing 1 required positional argument: 'vals_list'")
		}
	}
	// Context keys the fake honours ride along under private names.
	if v, ok := ctx["active_test"]; ok && !truthy(v) {
		p["\x00active_test"] = false
	}
	res, err := spec.fn(s, m, ids, p)
	if err != nil {
		return nil, err
	}
	return res, nil
}

func intParam(p map[string]any, name string, def int64) (int64, *odooError) {
	v, ok := p[name]
	if !ok || v == nil || v == false {
		return def, nil
	}
	n, ok := asInt(v)
	if !ok {
		return 0, errType("'%s' must be an integer, not %s", name, pyRepr(v))
	}
	return n, nil
}

func strParam(p map[string]any, name string) string {
	v, _ := p[name].(string)
	return v
}

func (s *Server) searchParams(m *model, p map[string]any) ([]int64, *odooError) {
	offset, err := intParam(p, "offset", 0)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(p, "limit", -1)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = -1 // Odoo treats limit=0 as no limit
	}
	return s.searchIDs(m, p["domain"], offset, limit, strParam(p, "order"), activeTest(p))
}

// activeTest is false when the call's context says active_test=False.
func activeTest(p map[string]any) bool {
	_, off := p["\x00active_test"]
	return !off
}

func (s *Server) mSearch(m *model, _ []int64, p map[string]any) (any, *odooError) {
	ids, err := s.searchParams(m, p)
	if err != nil {
		return nil, err
	}
	if truthy(p["count"]) {
		return int64(len(ids)), nil
	}
	return ids, nil
}

func (s *Server) mSearchCount(m *model, _ []int64, p map[string]any) (any, *odooError) {
	limit, err := intParam(p, "limit", -1)
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = -1
	}
	ids, err := s.searchIDs(m, p["domain"], 0, limit, "id", activeTest(p))
	if err != nil {
		return nil, err
	}
	return int64(len(ids)), nil
}

func (s *Server) fieldsParam(p map[string]any, name string) ([]string, *odooError) {
	fields, ok := asStrings(p[name])
	if !ok {
		return nil, errType("%s must be a list of field names, not %s", name, pyRepr(p[name]))
	}
	return fields, nil
}

func (s *Server) mSearchRead(m *model, _ []int64, p map[string]any) (any, *odooError) {
	fields, err := s.fieldsParam(p, "fields")
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if m.field(f) == nil {
			return nil, errValue("Invalid field %s on model %s", pyRepr(f), pyRepr(m.Name))
		}
	}
	ids, err := s.searchParams(m, p)
	if err != nil {
		return nil, err
	}
	return s.readRecords(m, ids, fields)
}

func (s *Server) mRead(m *model, ids []int64, p map[string]any) (any, *odooError) {
	fields, err := s.fieldsParam(p, "fields")
	if err != nil {
		return nil, err
	}
	rows, err := s.readRecords(m, ids, fields)
	if err != nil || p["load"] != "_classic_write" {
		return rows, err
	}
	// load="_classic_write": many2one values as bare ids.
	for _, r := range rows {
		o := r.(*omap)
		for _, k := range o.keys {
			if f := m.field(k); f != nil && f.Type == "many2one" {
				if pair, ok := o.m[k].([]any); ok {
					o.m[k] = pair[0]
				}
			}
		}
	}
	return rows, nil
}

func (s *Server) mCreate(m *model, _ []int64, p map[string]any) (any, *odooError) {
	raw, ok := p["vals_list"]
	if !ok {
		return nil, errType("create() missing 1 required positional argument: 'vals_list'")
	}
	single := false
	var list []any
	switch v := raw.(type) {
	case map[string]any:
		single = true
		list = []any{v}
	case []any:
		list = v
	default:
		return nil, errValue("Invalid values for create: %s", pyRepr(raw))
	}
	ids := make([]int64, 0, len(list))
	for _, e := range list {
		vals, ok := e.(map[string]any)
		if !ok {
			s.rollbackCreated(m, ids)
			return nil, errValue("Invalid values for create: %s", pyRepr(e))
		}
		id, err := s.createRecord(m, deepCopy(vals).(map[string]any))
		if err != nil {
			s.rollbackCreated(m, ids)
			return nil, err
		}
		ids = append(ids, id)
	}
	if single {
		return ids[0], nil
	}
	return ids, nil
}

// rollbackCreated removes records of a failed batch create, as the
// database transaction of the real server would.
func (s *Server) rollbackCreated(m *model, ids []int64) {
	if len(ids) > 0 {
		_ = s.unlinkRecords(m, ids)
	}
}

func (s *Server) mWrite(m *model, ids []int64, p map[string]any) (any, *odooError) {
	vals, ok := p["vals"].(map[string]any)
	if !ok {
		return nil, errType("write() missing 1 required positional argument: 'vals'")
	}
	if err := s.writeRecords(m, ids, deepCopy(vals).(map[string]any)); err != nil {
		return nil, err
	}
	return true, nil
}

func (s *Server) mUnlink(m *model, ids []int64, _ map[string]any) (any, *odooError) {
	if err := s.unlinkRecords(m, ids); err != nil {
		return nil, err
	}
	return true, nil
}

func (s *Server) mExists(m *model, ids []int64, _ map[string]any) (any, *odooError) {
	out := []int64{}
	for _, id := range ids {
		if m.recs[id] != nil {
			out = append(out, id)
		}
	}
	return out, nil
}

func (s *Server) mNameSearch(m *model, _ []int64, p map[string]any) (any, *odooError) {
	name := strParam(p, "name")
	op := strParam(p, "operator")
	if op == "" {
		op = "ilike"
	}
	limit, err := intParam(p, "limit", 100)
	if err != nil {
		return nil, err
	}
	domain, ok := p["domain"]
	if !ok {
		domain = p["args"]
	}
	base, _ := domain.([]any)
	full := base
	if name != "" || !(op == "ilike" || op == "like" || op == "=ilike" || op == "=like") {
		field := m.RecName
		if field == "" {
			field = "id"
		}
		if m.Name == "res.partner" {
			field = "complete_name"
		}
		full = andDomains(base, []any{[]any{field, op, name}})
	}
	ids, oerr := s.searchIDs(m, full, 0, limit, "", true)
	if oerr != nil {
		return nil, oerr
	}
	out := []any{}
	for _, id := range ids {
		out = append(out, []any{id, s.displayName(m, id)})
	}
	return out, nil
}

func (s *Server) mNameGet(m *model, ids []int64, _ map[string]any) (any, *odooError) {
	out := []any{}
	for _, id := range ids {
		if m.recs[id] != nil {
			out = append(out, []any{id, s.displayName(m, id)})
		}
	}
	return out, nil
}

func (s *Server) mFieldsGet(m *model, _ []int64, p map[string]any) (any, *odooError) {
	allfields, ok := asStrings(p["allfields"])
	if !ok {
		return nil, errType("allfields must be a list of field names")
	}
	attrs, ok := asStrings(p["attributes"])
	if !ok {
		return nil, errType("attributes must be a list of attribute names")
	}
	out := newOmap()
	for _, f := range m.fields {
		if len(allfields) > 0 && !contains(allfields, f.Name) {
			continue
		}
		out.set(f.Name, f.attrs(attrs))
	}
	return out, nil
}

func (s *Server) mDefaultGet(m *model, _ []int64, p map[string]any) (any, *odooError) {
	names, ok := asStrings(p["fields_list"])
	if !ok {
		return nil, errType("fields_list must be a list of field names")
	}
	d := s.defaults(m, map[string]any{})
	out := newOmap()
	for _, n := range names {
		if v, ok := d[n]; ok {
			f := m.field(n)
			if f != nil && f.Type == "many2one" {
				out.set(n, v)
				continue
			}
			out.set(n, v)
		}
	}
	return out, nil
}

func (s *Server) mCopy(m *model, ids []int64, p map[string]any) (any, *odooError) {
	if err := s.checkExisting(m, ids); err != nil {
		return nil, err
	}
	overrides, _ := p["default"].(map[string]any)
	var out []int64
	for _, id := range ids {
		rec := m.recs[id]
		vals := map[string]any{}
		for _, f := range m.fields {
			switch {
			case !f.Store, f.Name == "id", f.Type == "one2many", strings.HasPrefix(f.Name, "create_"), strings.HasPrefix(f.Name, "write_"):
				continue
			}
			v, ok := rec[f.Name]
			if !ok || v == nil {
				continue
			}
			if ids, isList := v.([]int64); isList {
				list := make([]any, len(ids))
				for i, x := range ids {
					list[i] = x
				}
				vals[f.Name] = []any{[]any{int64(6), int64(0), list}}
				continue
			}
			vals[f.Name] = deepCopy(v)
		}
		if n, ok := vals["name"].(string); ok && m.Name != "sale.order" {
			vals["name"] = n + " (copy)"
		}
		if m.Name == "sale.order" {
			delete(vals, "name")
			delete(vals, "state")
		}
		for k, v := range overrides {
			vals[k] = deepCopy(v)
		}
		nid, err := s.createRecord(m, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, nid)
	}
	if len(out) == 1 {
		return out[0], nil
	}
	return out, nil
}
