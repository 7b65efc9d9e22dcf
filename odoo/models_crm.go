package odoo

import "github.com/shopspring/decimal"

// Lead is a crm.lead (lead or opportunity). Mobile exists up to Odoo 18;
// WonStatus from 19.
type Lead struct {
	ID              int64           `odoo:"id"`
	Name            string          `odoo:"name"`
	Type            Selection       `odoo:"type"`
	PartnerID       Many2One        `odoo:"partner_id"`
	ContactName     String          `odoo:"contact_name"`
	EmailFrom       String          `odoo:"email_from"`
	Phone           String          `odoo:"phone"`
	Mobile          String          `odoo:"mobile"`
	StageID         Many2One        `odoo:"stage_id"`
	UserID          Many2One        `odoo:"user_id"`
	TeamID          Many2One        `odoo:"team_id"`
	ExpectedRevenue decimal.Decimal `odoo:"expected_revenue"`
	ProratedRevenue decimal.Decimal `odoo:"prorated_revenue"`
	Probability     Float           `odoo:"probability"` // percent
	Priority        Selection       `odoo:"priority"`
	DateDeadline    Date            `odoo:"date_deadline"`
	DateOpen        DateTime        `odoo:"date_open"`
	DateClosed      DateTime        `odoo:"date_closed"`
	Active          bool            `odoo:"active"`
	TagIDs          []int64         `odoo:"tag_ids"`
	Description     String          `odoo:"description"` // HTML
	CompanyID       Many2One        `odoo:"company_id"`
	LostReasonID    Many2One        `odoo:"lost_reason_id"`
	WonStatus       Selection       `odoo:"won_status"`
	CreateDate      DateTime        `odoo:"create_date"`
}

// Stage is a crm.stage (e.g. "Promesa Firmada").
type Stage struct {
	ID           int64   `odoo:"id"`
	Name         string  `odoo:"name"`
	Sequence     int64   `odoo:"sequence"`
	IsWon        bool    `odoo:"is_won"`
	Fold         bool    `odoo:"fold"`
	Requirements String  `odoo:"requirements"`
	TeamIDs      []int64 `odoo:"team_ids"`
}
