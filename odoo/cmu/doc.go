// Package cmu is CMu's business as typed Go, stored in Odoo (the source of
// truth) through the odoo connector: clients and ecosystems (res.partner),
// savings and payment plans (account.analytic.account, sale.order),
// contributions (account.analytic.line), received payments
// (account.payment), collective credit groups, document checklists,
// client history (chatter notes) and product packages.
//
// # Schema
//
// CMu's custom fields (x_cmu_* on res.partner, crm.lead, sale.order,
// account.analytic.account, account.analytic.line and account.payment) and
// custom models (x_cmu_doc_checklist, x_cmu_doc_requirement,
// x_cmu_lead_document, x_cmu_credit_group, x_cmu_credit_group_member,
// x_cmu_product_package, x_cmu_package_component) are created through the
// API only (ir.model, ir.model.fields, ir.model.fields.selection), so no
// Odoo addon is needed. [Service.Ensure] creates whatever is missing — with
// the ir.model.access rows that grant the custom models to internal users
// (Odoo gives a model created through ir.model no access rule, so only the
// superuser could use it; [Options].AccessGroup picks another group), the
// analytic plans "CMu / Ahorro", "CMu / Venta a plazo" and
// "CMu / Crédito colectivo", the CRM stages "Promesa Firmada", "Aprobado",
// "Rechazado" and "Cierre ganado" (won), and the journals CNK (Conekta) and
// SPEI — and changes nothing on a second run; [Service.Plan] is its dry
// run. A field that exists with another type is a *SchemaConflictError.
//
// # Round trips
//
// Listing a page of client aggregates ([Service.ListClients]) costs a fixed
// number of Odoo calls whatever the page size: every relation is loaded for
// the whole page with one `in` domain (accounts, sale orders, documents,
// group memberships and groups) and the balances come from one read_group
// over the analytic lines. [ListCallsPerPage] documents the count.
//
// # Re-runnable operations
//
// Every operation that writes more than one record looks its records up by
// a natural key before creating them (a client's account on a plan, a sale
// order's x_cmu_plan_ref, a group's x_code, a contribution's
// x_cmu_transaction_id, a payment's x_cmu_provider_ref…). When Odoo fails
// half-way (a 503 from a proxy, a timeout), calling the operation again
// completes it without duplicating what was already created.
//
// # Errors
//
// Errors wrap the connector's *odoo.Error (errors.As works, errors.Is with
// odoo.ErrAccessError and the like) with the operation and the client, plan
// or group in the message. This package's own failures are typed:
// *SchemaConflictError, *DuplicateError, *RuleError, *InvalidError, and
// ErrNotFound / ErrNotProvisioned.
//
// A Service is safe for concurrent use.
package cmu
