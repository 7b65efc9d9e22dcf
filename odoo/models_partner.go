package odoo

import "github.com/shopspring/decimal"

// Model names of the typed models in this package.
const (
	ModelPartner         = "res.partner"
	ModelAnalyticPlan    = "account.analytic.plan"
	ModelAnalyticAccount = "account.analytic.account"
	ModelAnalyticLine    = "account.analytic.line"
	ModelSaleOrder       = "sale.order"
	ModelSaleOrderLine   = "sale.order.line"
	ModelLead            = "crm.lead"
	ModelStage           = "crm.stage"
	ModelAttachment      = "ir.attachment"
	ModelCalendarEvent   = "calendar.event"
	ModelJournal         = "account.journal"
	ModelPayment         = "account.payment"
	ModelMessage         = "mail.message"
	ModelPartnerCategory = "res.partner.category"
	ModelCountry         = "res.country"
	ModelIrModel         = "ir.model"
	ModelIrModelFields   = "ir.model.fields"
)

// Partner is a res.partner (contact or company). Mobile and Date exist up
// to Odoo 18 only; on 19 they stay empty.
type Partner struct {
	ID                  int64           `odoo:"id"`
	Name                string          `odoo:"name"`
	DisplayName         string          `odoo:"display_name"`
	IsCompany           bool            `odoo:"is_company"`
	CompanyType         Selection       `odoo:"company_type"`
	Type                Selection       `odoo:"type"`
	ParentID            Many2One        `odoo:"parent_id"`
	ChildIDs            []int64         `odoo:"child_ids"`
	CommercialPartnerID Many2One        `odoo:"commercial_partner_id"`
	Ref                 String          `odoo:"ref"`
	VAT                 String          `odoo:"vat"`
	Function            String          `odoo:"function"`
	Email               String          `odoo:"email"`
	Phone               String          `odoo:"phone"`
	Mobile              String          `odoo:"mobile"`
	Website             String          `odoo:"website"`
	Street              String          `odoo:"street"`
	Street2             String          `odoo:"street2"`
	City                String          `odoo:"city"`
	Zip                 String          `odoo:"zip"`
	StateID             Many2One        `odoo:"state_id"`
	CountryID           Many2One        `odoo:"country_id"`
	Comment             String          `odoo:"comment"` // HTML
	Lang                Selection       `odoo:"lang"`
	TZ                  Selection       `odoo:"tz"`
	CategoryID          []int64         `odoo:"category_id"`
	UserID              Many2One        `odoo:"user_id"`
	CompanyID           Many2One        `odoo:"company_id"`
	Active              bool            `odoo:"active"`
	CreditLimit         decimal.Decimal `odoo:"credit_limit"`
	CustomerRank        int64           `odoo:"customer_rank"`
	SupplierRank        int64           `odoo:"supplier_rank"`
	Date                Date            `odoo:"date"`
	CreateDate          DateTime        `odoo:"create_date"`
	WriteDate           DateTime        `odoo:"write_date"`
}
