package odoo

import "github.com/shopspring/decimal"

// Attachment is an ir.attachment. Datas holds the decoded file content
// (Odoo sends it base64-encoded); leave it out of Fields when listing.
type Attachment struct {
	ID          int64     `odoo:"id"`
	Name        string    `odoo:"name"`
	Type        Selection `odoo:"type"` // "binary" or "url"
	Datas       []byte    `odoo:"datas,omitempty"`
	URL         String    `odoo:"url"`
	ResModel    String    `odoo:"res_model"`
	ResID       int64     `odoo:"res_id"`
	ResField    String    `odoo:"res_field"`
	Mimetype    String    `odoo:"mimetype"`
	FileSize    int64     `odoo:"file_size"` // bytes
	Checksum    String    `odoo:"checksum"`
	Description String    `odoo:"description"`
	Public      bool      `odoo:"public"`
	CompanyID   Many2One  `odoo:"company_id"`
	CreateDate  DateTime  `odoo:"create_date"`
}

// CalendarEvent is a calendar.event (an appointment). Start and Stop are
// UTC; StartDate and StopDate are set for all-day events.
type CalendarEvent struct {
	ID            int64     `odoo:"id"`
	Name          string    `odoo:"name"`
	Start         DateTime  `odoo:"start"`
	Stop          DateTime  `odoo:"stop"`
	Allday        bool      `odoo:"allday"`
	StartDate     Date      `odoo:"start_date"`
	StopDate      Date      `odoo:"stop_date"`
	Duration      Float     `odoo:"duration"` // hours
	Description   String    `odoo:"description"`
	Location      String    `odoo:"location"`
	PartnerIDs    []int64   `odoo:"partner_ids"`
	UserID        Many2One  `odoo:"user_id"`
	ResModel      String    `odoo:"res_model"`
	ResID         int64     `odoo:"res_id"`
	OpportunityID Many2One  `odoo:"opportunity_id"`
	Privacy       Selection `odoo:"privacy"`
	ShowAs        Selection `odoo:"show_as"`
	AttendeeIDs   []int64   `odoo:"attendee_ids"`
	CategIDs      []int64   `odoo:"categ_ids"`
	Active        bool      `odoo:"active"`
}

// Journal is an account.journal (e.g. CNK for Conekta, the SPEI bank journal).
type Journal struct {
	ID               int64     `odoo:"id"`
	Name             string    `odoo:"name"`
	Code             string    `odoo:"code"`
	Type             Selection `odoo:"type"`
	Active           bool      `odoo:"active"`
	Sequence         int64     `odoo:"sequence"`
	CompanyID        Many2One  `odoo:"company_id"`
	CurrencyID       Many2One  `odoo:"currency_id"`
	DefaultAccountID Many2One  `odoo:"default_account_id"`
	BankAccountID    Many2One  `odoo:"bank_account_id"`
}

// Payment is an account.payment. Memo is memo on Odoo 18+ and ref before:
// the alias reads either.
type Payment struct {
	ID                  int64           `odoo:"id"`
	Name                String          `odoo:"name"`
	Date                Date            `odoo:"date"`
	Amount              decimal.Decimal `odoo:"amount"`
	CurrencyID          Many2One        `odoo:"currency_id"`
	PartnerID           Many2One        `odoo:"partner_id"`
	PartnerType         Selection       `odoo:"partner_type"`
	PaymentType         Selection       `odoo:"payment_type"`
	JournalID           Many2One        `odoo:"journal_id"`
	State               Selection       `odoo:"state"`
	Memo                String          `odoo:"memo,alias=ref"`
	PaymentReference    String          `odoo:"payment_reference"`
	MoveID              Many2One        `odoo:"move_id"`
	PaymentMethodLineID Many2One        `odoo:"payment_method_line_id"`
	CompanyID           Many2One        `odoo:"company_id"`
	IsReconciled        bool            `odoo:"is_reconciled"`
	CreateDate          DateTime        `odoo:"create_date"`
}

// Message is a mail.message (a chatter note or email on a record).
type Message struct {
	ID            int64     `odoo:"id"`
	Body          String    `odoo:"body"` // HTML
	Subject       String    `odoo:"subject"`
	Model         String    `odoo:"model"`
	ResID         int64     `odoo:"res_id"`
	RecordName    String    `odoo:"record_name"`
	MessageType   Selection `odoo:"message_type"`
	SubtypeID     Many2One  `odoo:"subtype_id"`
	AuthorID      Many2One  `odoo:"author_id"`
	EmailFrom     String    `odoo:"email_from"`
	Date          DateTime  `odoo:"date"`
	PartnerIDs    []int64   `odoo:"partner_ids"`
	AttachmentIDs []int64   `odoo:"attachment_ids"`
	ParentID      Many2One  `odoo:"parent_id"`
}
