package server

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// This file declares what the server needs from the business libraries: one
// small consumer-side interface per area, with the request and response types
// the PWA exchanges (camelCase JSON, money as decimal strings). Adapters over
// odoo/cmu, cotizador, providers/* and credit implement them; a nil service in
// Deps makes its routes answer 503 {"statusCode":503,"message":"Servicio no
// disponible: …"}.

// Market is one of CMu's two markets.
type Market string

const (
	// MarketEdomex is Estado de México.
	MarketEdomex Market = "edomex"
	// MarketAguascalientes is Aguascalientes.
	MarketAguascalientes Market = "aguascalientes"
)

// Valid reports whether m is a known market.
func (m Market) Valid() bool { return m == MarketEdomex || m == MarketAguascalientes }

// Scope is what the calling advisor may see; list operations filter by it.
type Scope struct {
	AdvisorID string
	// All is true for administrators: no restriction.
	All       bool
	ClientIDs []int64
	Markets   []Market
}

// Money is an MXN amount that encodes as a JSON string with exactly two
// decimals ("1234.50"), rounding half away from zero (half-up for the positive
// amounts money takes). It embeds decimal.Decimal for arithmetic.
type Money struct{ decimal.Decimal }

// NewMoney wraps d.
func NewMoney(d decimal.Decimal) Money { return Money{d} }

// MoneyFromString parses "1234.50"; it panics on invalid text (for constants and tests).
func MoneyFromString(s string) Money { return Money{decimal.RequireFromString(s)} }

// String returns the amount with two decimals.
func (m Money) String() string { return m.StringFixed(2) }

// MarshalJSON writes the amount as a string with two decimals.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(`"` + m.StringFixed(2) + `"`), nil }

// UnmarshalJSON reads a decimal string ("1234.50"); JSON numbers are refused so
// that no amount passes through a float.
func (m *Money) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' {
		return &json.UnmarshalTypeError{Value: "number", Type: reflect.TypeFor[Money]()}
	}
	d, ok := parseDecimal(string(b[1 : len(b)-1]))
	if !ok {
		return fmt.Errorf("server: invalid amount %s", b)
	}
	m.Decimal = d
	return nil
}

// ---- Clients ----

// ClientsService reads clients and records history events (Odoo res.partner,
// analytic accounts, sale orders, checklists, mail.message).
type ClientsService interface {
	// ListClients returns one page of clients visible in p.Scope.
	ListClients(ctx context.Context, p ListClientsParams) (*ClientPage, error)
	// GetClient returns one client; a missing id is a KindNotFound *Error.
	GetClient(ctx context.Context, id int64) (*Client, error)
	// ClientMarket returns the market of a client (used for authorization by market).
	ClientMarket(ctx context.Context, id int64) (Market, error)
	// CreateEvent posts a history note on the client (and lead).
	CreateEvent(ctx context.Context, advisorID string, req CreateEventRequest) (*EventLogEntry, error)
}

// ListClientsParams are the query parameters of GET /api/clients.
type ListClientsParams struct {
	// Page is 1-based.
	Page int `json:"page" validate:"gte=1"`
	// PageSize defaults to 50, at most 200.
	PageSize int    `json:"pageSize" validate:"gte=1,lte=200"`
	Search   string `json:"search" validate:"max=100"`
	Market   Market `json:"market" validate:"omitempty,market"`
	Scope    Scope  `json:"-"`
}

// ClientPage is a page of clients.
type ClientPage struct {
	Items    []Client `json:"items"`
	Page     int      `json:"page"`
	PageSize int      `json:"pageSize"`
	Total    int      `json:"total"`
}

// Client is the nested client aggregate the PWA shows.
type Client struct {
	ID           int64              `json:"id"`
	Name         string             `json:"name"`
	Market       Market             `json:"market"`
	Placas       string             `json:"placas,omitempty"`
	CreditStatus string             `json:"creditStatus,omitempty"`
	KYCStatus    string             `json:"kycStatus,omitempty"`
	Contact      Contact            `json:"contact"`
	Ecosystem    *Ecosystem         `json:"ecosystem"`
	Plans        []PlanSummary      `json:"plans"`
	SaleOrders   []SaleOrderSummary `json:"saleOrders"`
	Documents    []DocumentStatus   `json:"documents"`
	Group        *GroupSummary      `json:"group"`
}

// Contact holds a client's contact data.
type Contact struct {
	Email  string `json:"email,omitempty"`
	Phone  string `json:"phone,omitempty"`
	Mobile string `json:"mobile,omitempty"`
	Street string `json:"street,omitempty"`
	City   string `json:"city,omitempty"`
	RFC    string `json:"rfc,omitempty"`
}

// Ecosystem is a route or association of transport operators.
type Ecosystem struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// PlanKind names the kind of analytic account behind a plan.
type PlanKind string

const (
	// PlanSavings is a plan de ahorro.
	PlanSavings PlanKind = "ahorro"
	// PlanInstalments is a venta a plazo.
	PlanInstalments PlanKind = "venta_plazo"
	// PlanCollective is a crédito colectivo membership.
	PlanCollective PlanKind = "credito_colectivo"
)

// PlanSummary is one plan with its balance (MXN).
type PlanSummary struct {
	ID      int64    `json:"id"`
	Kind    PlanKind `json:"kind"`
	Name    string   `json:"name"`
	Balance Money    `json:"balance"`
	Target  *Money   `json:"target,omitempty"`
}

// SaleOrderSummary is one sale order of a client.
type SaleOrderSummary struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	State       string `json:"state"`
	AmountTotal Money  `json:"amountTotal"`
}

// DocumentStatus is one checklist requirement's status: pendiente, recibido,
// en_revision, revision_manual, aprobado or rechazado.
type DocumentStatus struct {
	Code      string     `json:"code"`
	Name      string     `json:"name"`
	Status    string     `json:"status"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// GroupSummary is the collective group a client belongs to.
type GroupSummary struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Phase string `json:"phase"`
}

// CreateEventRequest is the body of POST /api/events.
type CreateEventRequest struct {
	ClientID int64  `json:"clientId" validate:"required,gt=0"`
	LeadID   int64  `json:"leadId,omitempty" validate:"omitempty,gt=0"`
	Type     string `json:"type" validate:"required,max=64"`
	Message  string `json:"message" validate:"required,max=5000"`
}

// EventLogEntry is one event of a client's history.
type EventLogEntry struct {
	ID        int64     `json:"id"`
	ClientID  int64     `json:"clientId"`
	LeadID    int64     `json:"leadId,omitempty"`
	Type      string    `json:"type"`
	Message   string    `json:"message"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"createdAt"`
}

// ---- Plans ----

// PlansService opens savings and payment plans.
type PlansService interface {
	CreateSavingsPlan(ctx context.Context, req CreateSavingsPlanRequest) (*Plan, error)
	CreatePaymentPlan(ctx context.Context, req CreatePaymentPlanRequest) (*PaymentPlan, error)
}

// CreateSavingsPlanRequest is the body of POST /api/savings-plans.
type CreateSavingsPlanRequest struct {
	ClientID     int64  `json:"clientId" validate:"required,gt=0"`
	Name         string `json:"name,omitempty" validate:"max=120"`
	TargetAmount string `json:"targetAmount,omitempty" validate:"omitempty,money"`
}

// Plan is an opened savings plan.
type Plan struct {
	ID       int64    `json:"id"`
	ClientID int64    `json:"clientId"`
	Kind     PlanKind `json:"kind"`
	Name     string   `json:"name"`
	Balance  Money    `json:"balance"`
	Target   *Money   `json:"target,omitempty"`
}

// Frequency is a payment frequency.
type Frequency string

// CreatePaymentPlanRequest is the body of POST /api/payment-plans.
type CreatePaymentPlanRequest struct {
	ClientID    int64     `json:"clientId" validate:"required,gt=0"`
	Market      Market    `json:"market" validate:"required,market"`
	PackageID   int64     `json:"packageId,omitempty" validate:"omitempty,gt=0"`
	TermMonths  int       `json:"termMonths" validate:"required,gt=0,lte=120"`
	DownPayment string    `json:"downPayment" validate:"required,money"`
	Frequency   Frequency `json:"frequency,omitempty" validate:"omitempty,oneof=semanal quincenal mensual"`
}

// PaymentPlan is an opened venta a plazo (sale order + analytic account).
type PaymentPlan struct {
	SaleOrderID       int64     `json:"saleOrderId"`
	AnalyticAccountID int64     `json:"analyticAccountId"`
	Name              string    `json:"name"`
	Total             Money     `json:"total"`
	DownPayment       Money     `json:"downPayment"`
	Installment       Money     `json:"installment"`
	TermMonths        int       `json:"termMonths"`
	Frequency         Frequency `json:"frequency"`
}

// ---- Collective credit groups ----

// GroupsService manages collective credit groups.
type GroupsService interface {
	ListGroups(ctx context.Context, scope Scope) ([]Group, error)
	CreateGroup(ctx context.Context, req CreateGroupRequest) (*Group, error)
	// TransitionToPayment moves a ready group from saving to collective payment;
	// a group not ready is a KindUnprocessable *Error.
	TransitionToPayment(ctx context.Context, id int64) (*Group, error)
}

// CreateGroupRequest is the body of POST /api/collective-credit-groups.
type CreateGroupRequest struct {
	Name         string  `json:"name" validate:"required,max=120"`
	Market       Market  `json:"market" validate:"required,market"`
	EcosystemID  int64   `json:"ecosystemId,omitempty" validate:"omitempty,gt=0"`
	MemberIDs    []int64 `json:"memberIds" validate:"required,min=2,max=100,dive,gt=0"`
	TargetAmount string  `json:"targetAmount" validate:"required,money"`
}

// Group is a collective credit group.
type Group struct {
	ID          int64         `json:"id"`
	Name        string        `json:"name"`
	Market      Market        `json:"market"`
	Phase       string        `json:"phase"`
	EcosystemID int64         `json:"ecosystemId,omitempty"`
	Members     []GroupMember `json:"members"`
	Balance     Money         `json:"balance"`
	Target      Money         `json:"target"`
}

// GroupMember is a client in a group with the amount saved.
type GroupMember struct {
	ClientID int64  `json:"clientId"`
	Name     string `json:"name"`
	Balance  Money  `json:"balance"`
}

// ---- Cotizador ----

// CotizadorService quotes product packages.
type CotizadorService interface {
	Package(ctx context.Context, market Market) (*ProductPackage, error)
	SaveQuote(ctx context.Context, advisorID string, req SaveQuoteRequest) (*SavedQuote, error)
}

// ProductPackage is a market's package with its quote rules.
type ProductPackage struct {
	ID                   int64              `json:"id"`
	Market               Market             `json:"market"`
	Name                 string             `json:"name"`
	Components           []PackageComponent `json:"components"`
	Total                Money              `json:"total"`
	AnnualRate           decimal.Decimal    `json:"annualRate"`
	AllowedTerms         []int              `json:"allowedTerms"`
	Frequency            Frequency          `json:"frequency"`
	MinDownPaymentPct    decimal.Decimal    `json:"minDownPaymentPct"`
	IVARate              decimal.Decimal    `json:"ivaRate"`
	OpeningCommissionPct decimal.Decimal    `json:"openingCommissionPct"`
}

// PackageComponent is one product of a package.
type PackageComponent struct {
	ProductID int64  `json:"productId"`
	Name      string `json:"name"`
	Price     Money  `json:"price"`
}

// SaveQuoteRequest is the body of POST /api/cotizador/save.
type SaveQuoteRequest struct {
	ClientID    int64     `json:"clientId" validate:"required,gt=0"`
	LeadID      int64     `json:"leadId,omitempty" validate:"omitempty,gt=0"`
	Market      Market    `json:"market" validate:"required,market"`
	TermMonths  int       `json:"termMonths" validate:"required,gt=0,lte=120"`
	DownPayment string    `json:"downPayment" validate:"required,money"`
	Frequency   Frequency `json:"frequency,omitempty" validate:"omitempty,oneof=semanal quincenal mensual"`
}

// SavedQuote is a quote stored as JSON and PDF attachments on the lead.
type SavedQuote struct {
	LeadID           int64           `json:"leadId"`
	JSONAttachmentID int64           `json:"jsonAttachmentId"`
	PDFAttachmentID  int64           `json:"pdfAttachmentId"`
	Financed         Money           `json:"financed"`
	Installment      Money           `json:"installment"`
	TotalPaid        Money           `json:"totalPaid"`
	CAT              decimal.Decimal `json:"cat"`
	Schedule         []ScheduleRow   `json:"schedule"`
}

// ScheduleRow is one amortization row (MXN, rounded to cents).
type ScheduleRow struct {
	Number    int    `json:"number"`
	DueDate   string `json:"dueDate"`
	Payment   Money  `json:"payment"`
	Principal Money  `json:"principal"`
	Interest  Money  `json:"interest"`
	IVA       Money  `json:"iva"`
	Balance   Money  `json:"balance"`
}

// ---- GNV ----

// GNVService activates surcharge collection at natural-gas stations.
type GNVService interface {
	ActivateCollection(ctx context.Context, req ActivateCollectionRequest) (*GNVActivation, error)
}

// ActivateCollectionRequest is the body of POST /api/gnv/activate-collection.
type ActivateCollectionRequest struct {
	ClientID    int64  `json:"clientId" validate:"required,gt=0"`
	Placas      string `json:"placas" validate:"required,max=12"`
	Sobreprecio string `json:"sobreprecio" validate:"required,posdecimal"`
}

var placasPattern = regexp.MustCompile(`^[A-Z0-9]{1,4}(-?[A-Z0-9]{1,4}){1,3}$`)

// Valid checks the plates after normalisation (upper case, trimmed).
func (r *ActivateCollectionRequest) Valid(context.Context) error {
	r.Placas = strings.ToUpper(strings.TrimSpace(r.Placas))
	if !placasPattern.MatchString(r.Placas) {
		return NewError(KindInvalid, "El campo placas no tiene un formato de placas válido (p. ej. \"ABC-123-D\")")
	}
	if d, _ := parseDecimal(r.Sobreprecio); d.GreaterThan(decimal.NewFromInt(100)) {
		return NewError(KindInvalid, "El campo sobreprecio debe ser menor o igual a 100")
	}
	return nil
}

// GNVActivation is an active collection rule.
type GNVActivation struct {
	ClientID    int64           `json:"clientId"`
	Placas      string          `json:"placas"`
	Sobreprecio decimal.Decimal `json:"sobreprecio"`
	RuleID      string          `json:"ruleId"`
	Status      string          `json:"status"`
}

// GNVUnmatchedService lists the GNV consumption kept because no client held
// its plates when it arrived (GET /api/gnv/unmatched). It is separate from
// GNVService so that implementations of that one stay as they are.
type GNVUnmatchedService interface {
	// ListUnmatchedGNV returns one page of the consumption still waiting
	// for its plates, oldest first.
	ListUnmatchedGNV(ctx context.Context, p ListUnmatchedGNVParams) (*UnmatchedGNVPage, error)
}

// ListUnmatchedGNVParams are the query parameters of GET /api/gnv/unmatched.
type ListUnmatchedGNVParams struct {
	// Page is 1-based.
	Page int `json:"page" validate:"gte=1"`
	// PageSize defaults to 50, at most 200.
	PageSize int `json:"pageSize" validate:"gte=1,lte=200"`
	// Placas, when set, keeps only the consumption of those plates (any
	// spelling: "abc-123-d" and "ABC123D" are the same plates).
	Placas string `json:"placas" validate:"max=12"`
}

// UnmatchedGNVConsumption is one GNV consumption record whose plates no
// client held when it arrived; it is applied once the plates are registered.
type UnmatchedGNVConsumption struct {
	ID            int64           `json:"id"`
	TransactionID string          `json:"transactionId"`
	Plates        string          `json:"placas"`
	Station       string          `json:"station"`
	Litres        decimal.Decimal `json:"litres"`
	Amount        Money           `json:"amount"`
	OccurredAt    time.Time       `json:"occurredAt"`
	ReceivedAt    time.Time       `json:"receivedAt"`
	AppliedAt     *time.Time      `json:"appliedAt,omitempty"`
}

// UnmatchedGNVPage is a page of waiting GNV consumption.
type UnmatchedGNVPage struct {
	Items    []UnmatchedGNVConsumption `json:"items"`
	Page     int                       `json:"page"`
	PageSize int                       `json:"pageSize"`
	Total    int                       `json:"total"`
}

// ---- Payments ----

// SPEIThreshold is the amount (MXN) above which a payment goes by SPEI transfer
// instead of a Conekta link.
const SPEIThreshold = 20000

// PaymentsService creates payment links and SPEI instructions. The server
// decides which one by the 20,000 MXN rule.
type PaymentsService interface {
	ConektaLink(ctx context.Context, clientID int64, amount decimal.Decimal) (*PaymentLink, error)
	SPEIInstructions(ctx context.Context, clientID int64, amount decimal.Decimal) (*PaymentLink, error)
}

// GenerateLinkRequest is the body of POST /api/payments/generate-link.
type GenerateLinkRequest struct {
	ClientID int64  `json:"clientId" validate:"required,gt=0"`
	Amount   string `json:"amount" validate:"required,money"`
}

// PaymentMethod is how a payment is made.
type PaymentMethod string

const (
	// PaymentConekta is a Conekta payment link (card, OXXO).
	PaymentConekta PaymentMethod = "conekta"
	// PaymentSPEI is a bank transfer with instructions.
	PaymentSPEI PaymentMethod = "spei"
)

// PaymentMethodFor applies the 20,000 MXN rule: more than SPEIThreshold → SPEI,
// otherwise a Conekta link.
func PaymentMethodFor(amount decimal.Decimal) PaymentMethod {
	if amount.GreaterThan(decimal.NewFromInt(SPEIThreshold)) {
		return PaymentSPEI
	}
	return PaymentConekta
}

// PaymentLink is a Conekta link or SPEI instructions.
type PaymentLink struct {
	Method    PaymentMethod     `json:"method"`
	ClientID  int64             `json:"clientId"`
	Amount    Money             `json:"amount"`
	URL       string            `json:"url,omitempty"`
	ExpiresAt *time.Time        `json:"expiresAt,omitempty"`
	SPEI      *SPEIInstructions `json:"spei,omitempty"`
}

// SPEIInstructions tell the client where to transfer.
type SPEIInstructions struct {
	CLABE       string `json:"clabe"`
	Bank        string `json:"bank"`
	Beneficiary string `json:"beneficiary"`
	Reference   string `json:"reference"`
	Amount      Money  `json:"amount"`
}

// ---- Contracts ----

// ContractsService sends contracts for electronic signature.
type ContractsService interface {
	Send(ctx context.Context, req SendContractRequest) (*ContractSent, error)
}

// SendContractRequest is the body of POST /api/contracts/send.
type SendContractRequest struct {
	ClientID     int64  `json:"clientId" validate:"required,gt=0"`
	ContractType string `json:"contractType" validate:"required,max=64"`
}

// ContractSent is a contract document created at the signing provider.
type ContractSent struct {
	DocumentID   string `json:"documentId"`
	ClientID     int64  `json:"clientId"`
	ContractType string `json:"contractType"`
	Status       string `json:"status"`
}

// ---- Credit ----

// CreditService runs the credit analysis (bureau query, then risk score).
type CreditService interface {
	Analyze(ctx context.Context, req AnalyzeCreditRequest) (*CreditDecision, error)
}

// AnalyzeCreditRequest is the body of POST /api/credit/analyze.
type AnalyzeCreditRequest struct {
	ClientID int64 `json:"clientId" validate:"required,gt=0"`
}

// CreditDecision is the analysis result: Aprobado or Rechazado.
type CreditDecision struct {
	ClientID  int64     `json:"clientId"`
	Decision  string    `json:"decision"`
	Score     int       `json:"score"`
	Reasons   []string  `json:"reasons"`
	DecidedAt time.Time `json:"decidedAt"`
}

// ---- Webhooks ----

// Provider names a webhook sender.
type Provider string

const (
	// ProviderGNV is the GNV station network (consumption batches).
	ProviderGNV Provider = "gnv"
	// ProviderConekta is Conekta (payments).
	ProviderConekta Provider = "conekta"
	// ProviderMetaMap is MetaMap (KYC).
	ProviderMetaMap Provider = "metamap"
	// ProviderMifiel is Mifiel (contracts).
	ProviderMifiel Provider = "mifiel"
)

// WebhookAck documents the 200 body of the webhook routes as the webhooks
// package's intake handler writes it (its Respond hook may replace it, e.g.
// GNV's record counts).
type WebhookAck struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	ID         int64  `json:"id,omitempty"`
	Duplicate  bool   `json:"duplicate"`
}
