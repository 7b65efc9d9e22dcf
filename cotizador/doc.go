// Package cotizador turns CMu's product packages into quotes: package +
// chosen components + down payment + term → financed amount →
// amortization schedule with CAT → quote document (JSON and PDF), and
// saves verified quotes on the client's lead.
//
// # Packages and rules
//
// A Package (Odoo's x_cmu_product_package) belongs to a Market
// (MarketEdomex, MarketAguascalientes) and carries its components with
// prices, the annual rate, the allowed terms, the payment frequency, the
// minimum down payment percentage, the IVA rate on interest and the
// opening commission. Packages come from a PackageSource, an interface the
// consumer implements (the Odoo-backed one lives in odoo/cmu); DemoSource
// serves DemoPackages, realistic packages for both markets.
//
// The business rules are data, applied in order by NewQuote and
// Quote.Valid, each named by a Rule: the market exists and matches the
// package (RuleMarket); the term is allowed (RuleTerm); only the package's
// components may be chosen, required ones always included (RuleComponent);
// the down payment is not negative and in cents (RulePositiveAmount), at
// least the minimum percentage of the chosen components' total, rounded
// half-up to cents (RuleMinDownPayment), and below that total
// (RuleFinanced). Every broken rule is reported in one *ValidationError
// (errors.Is(err, ErrInvalidQuote)) as FieldErrors whose messages are in
// Spanish and name the rule's data:
//
//	El enganche mínimo para edomex es 20% (50,000.00 MXN)
//
// Amounts for people are formatted the Mexican way by FormatMXN
// ("50,000.00"); on the wire money is a string with two decimals.
//
// # Schedule
//
// The financed amount (total − down payment) is the principal of an
// amortization schedule on the package's rate, frequency, method, IVA and
// commission, starting on the request's date; see package amortization
// for the rounding conventions and the CAT.
//
// # Saving
//
// Cotizador.Save (POST /api/cotizador/save) first calls VerifyQuote: the
// quote is recomputed from its own inputs on the market's current package
// and must be identical field by field, schedule and CAT included, or the
// save is refused with a *MismatchError (ErrQuoteMismatch) naming the
// first differing field — the server never stores a table it would not
// produce itself. A verified quote's JSON and PDF (WritePDF) are then
// handed to a Store with a Spanish chatter Note; the Odoo Store (ir.attachment
// on the crm.lead plus a mail.message) lives in odoo/cmu, MemoryStore is
// the in-process one.
//
// Everything here is safe for concurrent use; no function keeps state
// between calls except MemoryStore.
package cotizador
