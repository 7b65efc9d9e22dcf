package odootest

import (
	"fmt"
	"sort"
	"strings"
)

// Access rights, as far as the fake enforces them.
//
// The fake seeds the groups of a fresh database with the recorded modules
// (res.groups, with their external ids in ir.model.data) and puts every
// user in groups: the admin and the users of WithUser in the administrator's
// groups, the users of WithInternalUser in base.group_user plus the groups
// they are given.
//
// Like real Odoo, the fake checks model access (ir.model.access) on custom
// models — the x_ models created through ir.model: Odoo creates no access
// rule for a model created through ir.model
// (odoo/addons/base/models/ir_model.py, IrModel.create), so until an
// ir.model.access row grants one of the user's groups (or every user,
// group_id False) read, write, create or unlink, the call is an
// odoo.exceptions.AccessError (XML-RPC faultCode 4, JSON-2 status 403) with
// Odoo's message. On real Odoo that holds for the admin too (only the
// superuser, uid 1, bypasses it); the fake applies it to members of
// base.group_system only under WithStrictAccess, so that tests written
// when the admin could use any custom model keep working. Server.Seed
// bypasses the check. Standard models are not checked: the fake's users
// may use all of them.

// groupSeed is a res.groups record of a fresh database.
type groupSeed struct {
	id       int64
	xmlid    string
	name     string
	category string // the privilege / category shown before the name in access errors
	implied  []string
	share    bool
}

// groupSeeds are the groups the fake knows (the ones CMu's flows need).
var groupSeeds = []groupSeed{
	{id: 1, xmlid: "base.group_user", name: "Internal User", category: "User types"},
	{id: 2, xmlid: "base.group_erp_manager", name: "Access Rights", category: "Administration", implied: []string{"base.group_user"}},
	{id: 3, xmlid: "base.group_system", name: "Settings", category: "Administration", implied: []string{"base.group_erp_manager"}},
	{id: 4, xmlid: "base.group_portal", name: "Portal", category: "User types", share: true},
	{id: 5, xmlid: "base.group_public", name: "Public", category: "User types", share: true},
	{id: 6, xmlid: "base.group_partner_manager", name: "Contact Creation", category: "Extra Rights"},
	{id: 7, xmlid: "analytic.group_analytic_accounting", name: "Analytic Accounting", category: "Technical"},
	{id: 8, xmlid: "account.group_account_invoice", name: "Invoicing", category: "Accounting", implied: []string{"base.group_user"}},
	{id: 9, xmlid: "account.group_account_readonly", name: "Read-only", category: "Accounting", implied: []string{"base.group_user"}},
	{id: 10, xmlid: "account.group_account_user", name: "Bookkeeper", category: "Accounting", implied: []string{"account.group_account_invoice", "account.group_account_readonly"}},
	{id: 11, xmlid: "account.group_account_manager", name: "Administrator", category: "Accounting", implied: []string{"account.group_account_user"}},
	{id: 12, xmlid: "sales_team.group_sale_salesman", name: "User: Own Documents Only", category: "Sales", implied: []string{"base.group_user"}},
	{id: 13, xmlid: "sales_team.group_sale_manager", name: "Administrator", category: "Sales", implied: []string{"sales_team.group_sale_salesman"}},
}

// adminGroups are the groups of the admin (and of WithUser users).
var adminGroups = []string{
	"base.group_user", "base.group_erp_manager", "base.group_system", "base.group_partner_manager",
	"analytic.group_analytic_accounting", "account.group_account_manager", "sales_team.group_sale_manager",
}

// groupByXMLID finds a seeded group.
func groupByXMLID(xmlid string) (groupSeed, bool) {
	for _, g := range groupSeeds {
		if g.xmlid == xmlid {
			return g, true
		}
	}
	return groupSeed{}, false
}

// userGroupsField is the res.users many2many to res.groups: groups_id
// until Odoo 18, group_ids since.
func userGroupsField(version string) string {
	if version == "17.0" {
		return "groups_id"
	}
	return "group_ids"
}

// moduleOfModel guesses the module defining a standard model, for its
// ir.model external id (module.model_res_partner).
func moduleOfModel(name string) string {
	for _, p := range []struct{ prefix, module string }{
		{"account.analytic.", "analytic"}, {"account.", "account"}, {"crm.team", "sales_team"},
		{"crm.", "crm"}, {"sale.", "sale"}, {"mail.", "mail"}, {"calendar.", "calendar"},
		{"product.", "product"}, {"uom.", "uom"},
	} {
		if strings.HasPrefix(name, p.prefix) {
			return p.module
		}
	}
	return "base"
}

// seedAccess stores the groups, their external ids and those of the
// models (ir.model.data), and the admin's groups.
func (s *Server) seedAccess() error {
	gm, dm := s.models["res.groups"], s.models["ir.model.data"]
	for _, g := range groupSeeds {
		var implied []int64
		for _, x := range g.implied {
			ig, _ := groupByXMLID(x)
			implied = append(implied, ig.id)
		}
		if err := s.insertRaw(gm, map[string]any{"id": g.id, "name": g.name, "full_name": g.fullName(),
			"share": g.share, "implied_ids": implied}); err != nil {
			return err
		}
		module, name, _ := strings.Cut(g.xmlid, ".")
		if err := s.insertRaw(dm, map[string]any{"module": module, "name": name, "model": "res.groups",
			"res_id": g.id, "noupdate": true}); err != nil {
			return err
		}
	}
	im := s.models["ir.model"]
	for _, id := range im.sortedIDs() {
		mn, _ := im.recs[id]["model"].(string)
		if err := s.insertRaw(dm, map[string]any{"module": moduleOfModel(mn), "name": "model_" + strings.ReplaceAll(mn, ".", "_"),
			"model": "ir.model", "res_id": id}); err != nil {
			return err
		}
	}
	ids, err := groupIDs(adminGroups)
	if err != nil {
		return err
	}
	s.models["res.users"].recs[2][userGroupsField(s.Version)] = ids
	return nil
}

func (g groupSeed) fullName() string {
	if g.category == "" {
		return g.name
	}
	return g.category + " / " + g.name
}

// groupIDs maps group external ids to the seeded ids.
func groupIDs(xmlids []string) ([]int64, error) {
	out := make([]int64, 0, len(xmlids))
	for _, x := range xmlids {
		g, ok := groupByXMLID(x)
		if !ok {
			return nil, fmt.Errorf("odootest: unknown group %q (known: %s)", x, knownGroups())
		}
		if !contains(out, g.id) {
			out = append(out, g.id)
		}
	}
	return out, nil
}

func knownGroups() string {
	names := make([]string, len(groupSeeds))
	for i, g := range groupSeeds {
		names[i] = g.xmlid
	}
	return strings.Join(names, ", ")
}

// userGroups returns every group of a user, implied groups included
// (read from res.users and res.groups, so that writes through the API
// count).
func (s *Server) userGroups(uid int64) map[int64]bool {
	um, gm := s.models["res.users"], s.models["res.groups"]
	out := map[int64]bool{}
	rec := um.recs[uid]
	if rec == nil {
		return out
	}
	ids, _ := rec[userGroupsField(s.Version)].([]int64)
	queue := append([]int64(nil), ids...)
	for len(queue) > 0 {
		g := queue[0]
		queue = queue[1:]
		if out[g] || gm.recs[g] == nil {
			continue
		}
		out[g] = true
		implied, _ := gm.recs[g]["implied_ids"].([]int64)
		queue = append(queue, implied...)
	}
	return out
}

// callerIsInternal reports whether the user making the current call is
// an internal user (in base.group_user).
func (s *Server) callerIsInternal() bool {
	g, _ := groupByXMLID("base.group_user")
	return s.callerUID() == 1 || s.userGroups(s.callerUID())[g.id]
}

// callerUID is the user of the call being executed (the admin outside
// calls).
func (s *Server) callerUID() int64 {
	if s.curUID == 0 {
		return s.uid
	}
	return s.curUID
}

// accessMode is the ir.model.access permission a method needs; "" for
// methods Odoo does not check (fields_get, default_get).
func accessMode(method string) string {
	switch method {
	case "create", "copy":
		return "create"
	case "write", "message_post":
		// mail.thread posts with _mail_post_access = 'write'.
		return "write"
	case "unlink":
		return "unlink"
	case "fields_get", "default_get":
		return ""
	}
	return "read"
}

var accessHeaders = map[string]string{
	"read":   "You are not allowed to access '%s' (%s) records.",
	"write":  "You are not allowed to modify '%s' (%s) records.",
	"create": "You are not allowed to create '%s' (%s) records.",
	"unlink": "You are not allowed to delete '%s' (%s) records.",
}

// checkAccess applies ir.model.access to a custom model for the caller
// (ir.model.access.check): allowed when an active row for the model grants
// the mode to one of the user's groups or to every user.
func (s *Server) checkAccess(m *model, mode string) *odooError {
	uid := s.callerUID()
	if mode == "" || !m.Custom || uid == 1 {
		return nil
	}
	groups := s.userGroups(uid)
	if system, _ := groupByXMLID("base.group_system"); !s.strictAccess && groups[system.id] {
		return nil
	}
	mid := s.irModelID(m.Name)
	am, gm := s.models["ir.model.access"], s.models["res.groups"]
	var allowedNames []string
	for _, id := range am.sortedIDs() {
		r := am.recs[id]
		if mid2, _ := r["model_id"].(int64); mid2 != mid || r["active"] == false || r["perm_"+mode] != true {
			continue
		}
		g, _ := r["group_id"].(int64)
		if g == 0 || groups[g] {
			return nil
		}
		if gr := gm.recs[g]; gr != nil {
			name, _ := gr["full_name"].(string)
			if name == "" {
				name, _ = gr["name"].(string)
			}
			allowedNames = append(allowedNames, strings.Replace(name, " / ", "/", 1))
		}
	}
	sort.Strings(allowedNames)
	msg := fmt.Sprintf(accessHeaders[mode], m.Description, m.Name) + "\n\n"
	if len(allowedNames) > 0 {
		msg += "This operation is allowed for the following groups:\n\t- " + strings.Join(allowedNames, "\n\t- ")
	} else {
		msg += "No group currently allows this operation."
	}
	msg += "\n\nContact your administrator to request access if necessary."
	return &odooError{Name: excAccessError, Message: msg, Frame: "odoo/addons/base/models/ir_model.py"}
}
