// Package contracts implements server.ContractsService (POST
// /api/contracts/send) over Mifiel and processes Mifiel's signed-by-all
// callback (ProcessCallback, a webhooks.HandlerFunc for the "mifiel"
// provider).
//
// # Sending
//
// Send loads the client from Odoo (res.partner with CMu's fields, plans, sale
// orders, group) and its most recent opportunity (crm.lead; 422 without one),
// builds mifiel.ContractData for the contract type:
//
//   - venta_plazo: the client's latest payment plan (sale.order with
//     x_cmu_plan_ref): price = amount_total, down payment x_cmu_down_payment,
//     term x_cmu_term, and the instalment computed with package amortization
//     from the plan's product package (rate, frequency, method, IVA,
//     commission);
//   - ahorro: the savings plan's goal (x_cmu_target) and the GNV surcharge per
//     litre from Config.Surcharge (the GNV network keeps the activated rule,
//     not Odoo);
//   - credito_colectivo: the client's group (name, members, target) and, as the
//     member's credit, the financed amount of their latest payment plan;
//
// missing data is a 422 naming it. The contract is rendered and sent to Mifiel
// with the client as signer (plus Config.CompanySigners), the callback URL
// carrying Config.CallbackToken, and the folio "CMU-<client>-<lead>-<type>" as
// external_id. A document with that external_id already at Mifiel is reused
// (no second document after a retry), and the "contrato_enviado" chatter note
// is posted once per document.
//
// # Callback
//
// ProcessCallback parses the delivery (mifiel.ParseCallback), confirms it with
// Mifiel's API (Client.Confirm: only Mifiel's answer is trusted), and when the
// document is signed by all: posts the "contrato_firmado" note on the client
// and the lead (once each), moves the lead to "Promesa Firmada" (once: a lead
// already there is not written), and publishes client:updated and
// eventlog:new when something changed. Redeliveries and reprocessing change
// nothing. Malformed deliveries and unknown documents are dead-lettered
// (webhooks.Permanent); provider and Odoo outages are retried.
//
// A Service is safe for concurrent use.
package contracts
