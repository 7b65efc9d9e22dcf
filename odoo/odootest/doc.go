// Package odootest provides an in-memory Odoo server for tests: a fake
// that speaks the three Odoo RPC protocols on a real HTTP socket and
// answers with the same structure, types, error shapes and HTTP statuses
// as real Odoo 17.0 and 19.0 (it is held to the recorded exchanges in
// shared/odoo-wire by its conformance test).
//
// Protocols:
//
//   - XML-RPC: POST /xmlrpc/2/common (version, authenticate, login) and
//     /xmlrpc/2/object (execute_kw, execute). Faults carry Odoo's codes:
//     3 AccessDenied, 4 AccessError, 2 UserError/ValidationError/
//     MissingError/unknown model, 1 anything else (a traceback).
//   - JSON-RPC: POST /jsonrpc with services common and object; errors are
//     {code, message "Odoo Server Error", data{name, message, arguments,
//     context, debug}} with code 200 on 17.0 and 0 on 19.0.
//   - JSON-2 (19.0 only): POST /json/2/<model>/<method> with
//     "Authorization: bearer <key>" and named arguments; errors are HTTP
//     401/404/422/500 with a {name, message, arguments, context, debug} body.
//   - GET /web/version.
//
// Models: res.partner and its tags, countries, currencies, users,
// products, analytic plans/accounts/lines (balances by plan column, as
// Odoo computes them), sale orders and lines (totals, taxes on 17.0,
// action_confirm, no deletion once confirmed), CRM leads and stages,
// attachments, calendar events, journals, payments (action_post returns
// None), mail messages (message_post, which escapes a body as Odoo 17+
// does unless an internal user passes body_is_html=True), and ir.model /
// ir.model.fields, so
// that custom x_ models and fields can be created through the API (a model
// created with is_mail_thread=True has chatter: message_ids and
// message_post). The field lists of the recorded models are those real
// Odoo reports.
//
// Access rights: res.groups (base.group_user, base.group_system, the
// analytic, accounting and sales groups), their external ids and those of
// the models in ir.model.data, and ir.model.access. As on real Odoo, a
// custom model created through ir.model has no access rule, and a user
// gets odoo.exceptions.AccessError (XML-RPC faultCode 4, JSON-2 status
// 403) on it until an ir.model.access row grants one of the user's groups.
// Real Odoo applies that to the admin too; the fake does for members of
// base.group_system (the admin, WithUser users) only with
// WithStrictAccess. WithInternalUser adds a non-admin internal user.
// Standard models are not access-checked; Seed never is.
//
// Tests can seed records ([Server.Seed]), inspect them ([Server.Get],
// [Server.Records]), count round trips per model and method
// ([Server.Calls]) and inject failures ([Server.InjectFault]: latency,
// HTTP 5xx, dropped connections, truncated bodies, expired sessions, Odoo
// exceptions).
//
// A Server is safe for concurrent use. It holds no package-level state.
package odootest
