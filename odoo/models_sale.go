package odoo

import "github.com/shopspring/decimal"

// SaleOrder is a sale.order (a CMu payment plan).
type SaleOrder struct {
	ID                int64           `odoo:"id"`
	Name              string          `odoo:"name"`
	PartnerID         Many2One        `odoo:"partner_id"`
	PartnerInvoiceID  Many2One        `odoo:"partner_invoice_id"`
	PartnerShippingID Many2One        `odoo:"partner_shipping_id"`
	State             Selection       `odoo:"state"`
	DateOrder         DateTime        `odoo:"date_order"`
	ValidityDate      Date            `odoo:"validity_date"`
	CommitmentDate    DateTime        `odoo:"commitment_date"`
	AmountUntaxed     decimal.Decimal `odoo:"amount_untaxed"`
	AmountTax         decimal.Decimal `odoo:"amount_tax"`
	AmountTotal       decimal.Decimal `odoo:"amount_total"`
	CurrencyID        Many2One        `odoo:"currency_id"`
	OrderLine         []int64         `odoo:"order_line"`
	UserID            Many2One        `odoo:"user_id"`
	TeamID            Many2One        `odoo:"team_id"`
	CompanyID         Many2One        `odoo:"company_id"`
	ClientOrderRef    String          `odoo:"client_order_ref"`
	Origin            String          `odoo:"origin"`
	InvoiceStatus     Selection       `odoo:"invoice_status"`
	Note              String          `odoo:"note"` // HTML
	CreateDate        DateTime        `odoo:"create_date"`
}

// SaleOrderLine is a sale.order.line. Taxes are tax_ids on Odoo 19 and
// tax_id before; the unit of measure is product_uom_id on 19 and
// product_uom before: the aliases read either.
type SaleOrderLine struct {
	ID                   int64                      `odoo:"id"`
	OrderID              Many2One                   `odoo:"order_id"`
	Name                 string                     `odoo:"name"`
	Sequence             int64                      `odoo:"sequence"`
	ProductID            Many2One                   `odoo:"product_id"`
	ProductUomQty        decimal.Decimal            `odoo:"product_uom_qty"`
	ProductUomID         Many2One                   `odoo:"product_uom_id,alias=product_uom"`
	PriceUnit            decimal.Decimal            `odoo:"price_unit"`
	Discount             decimal.Decimal            `odoo:"discount"`
	TaxIDs               []int64                    `odoo:"tax_ids,alias=tax_id"`
	PriceSubtotal        decimal.Decimal            `odoo:"price_subtotal"`
	PriceTax             decimal.Decimal            `odoo:"price_tax"`
	PriceTotal           decimal.Decimal            `odoo:"price_total"`
	CurrencyID           Many2One                   `odoo:"currency_id"`
	State                Selection                  `odoo:"state"`
	QtyDelivered         decimal.Decimal            `odoo:"qty_delivered"`
	QtyInvoiced          decimal.Decimal            `odoo:"qty_invoiced"`
	AnalyticDistribution map[string]decimal.Decimal `odoo:"analytic_distribution"` // account id(s) → percentage
	DisplayType          Selection                  `odoo:"display_type"`
	CompanyID            Many2One                   `odoo:"company_id"`
	OrderPartnerID       Many2One                   `odoo:"order_partner_id"`
}
