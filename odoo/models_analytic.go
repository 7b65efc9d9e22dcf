package odoo

import "github.com/shopspring/decimal"

// AnalyticPlan is an account.analytic.plan.
type AnalyticPlan struct {
	ID                   int64     `odoo:"id"`
	Name                 string    `odoo:"name"`
	CompleteName         String    `odoo:"complete_name"`
	ParentID             Many2One  `odoo:"parent_id"`
	ChildrenIDs          []int64   `odoo:"children_ids"`
	AccountIDs           []int64   `odoo:"account_ids"`
	AccountCount         int64     `odoo:"account_count"`
	Description          String    `odoo:"description"`
	Color                Int       `odoo:"color"`
	DefaultApplicability Selection `odoo:"default_applicability"`
}

// AnalyticAccount is an account.analytic.account (a CMu savings or payment
// plan account). Balance, Debit and Credit need an accounting group.
type AnalyticAccount struct {
	ID         int64           `odoo:"id"`
	Name       string          `odoo:"name"`
	Code       String          `odoo:"code"`
	PlanID     Many2One        `odoo:"plan_id"`
	RootPlanID Many2One        `odoo:"root_plan_id"`
	PartnerID  Many2One        `odoo:"partner_id"`
	CompanyID  Many2One        `odoo:"company_id"`
	CurrencyID Many2One        `odoo:"currency_id"`
	Balance    decimal.Decimal `odoo:"balance"`
	Debit      decimal.Decimal `odoo:"debit"`
	Credit     decimal.Decimal `odoo:"credit"`
	LineIDs    []int64         `odoo:"line_ids"`
	Active     bool            `odoo:"active"`
	CreateDate DateTime        `odoo:"create_date"`
}

// AnalyticLine is an account.analytic.line (a CMu contribution).
type AnalyticLine struct {
	ID         int64           `odoo:"id"`
	Name       string          `odoo:"name"`
	Date       Date            `odoo:"date"`
	Amount     decimal.Decimal `odoo:"amount"`
	UnitAmount decimal.Decimal `odoo:"unit_amount"`
	AccountID  Many2One        `odoo:"account_id"`
	PartnerID  Many2One        `odoo:"partner_id"`
	UserID     Many2One        `odoo:"user_id"`
	CompanyID  Many2One        `odoo:"company_id"`
	CurrencyID Many2One        `odoo:"currency_id"`
	Ref        String          `odoo:"ref"`
	Category   Selection       `odoo:"category"`
	CreateDate DateTime        `odoo:"create_date"`
}
