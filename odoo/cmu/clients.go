package cmu

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
)

// CreditStatus is a client's credit status (x_cmu_credit_status).
type CreditStatus string

// Credit statuses (the credit package's Aprobado, Rechazado, EnAnalisis).
const (
	CreditPendiente  CreditStatus = "pendiente"
	CreditEnAnalisis CreditStatus = "en_analisis"
	CreditAprobado   CreditStatus = "aprobado"
	CreditRechazado  CreditStatus = "rechazado"
)

// KYCStatus is a client's identity verification status (x_cmu_kyc_status).
type KYCStatus string

// KYC statuses.
const (
	KYCPendiente      KYCStatus = "pendiente"
	KYCEnRevision     KYCStatus = "en_revision"
	KYCRevisionManual KYCStatus = "revision_manual"
	KYCAprobado       KYCStatus = "aprobado"
	KYCRechazado      KYCStatus = "rechazado"
)

// Client is a CMu client: a res.partner with CMu's fields.
type Client struct {
	ID           int64
	Name         string
	Ref          string // external reference (res.partner ref)
	Market       Market
	Plates       string
	Ecosystem    *Ref // nil when the client belongs to no ecosystem
	IsEcosystem  bool
	CreditStatus CreditStatus
	KYCStatus    KYCStatus
	Contact      Contact
}

// Contact is a client's contact data.
type Contact struct {
	Email  string
	Phone  string
	Street string
	City   string
	Zip    string
	VAT    string // RFC
}

// Ref is a related record: id and display name.
type Ref struct {
	ID   int64
	Name string
}

func refOf(m odoo.Many2One) *Ref {
	if !m.Valid() {
		return nil
	}
	return &Ref{ID: m.ID, Name: m.Name}
}

// partnerRow is how a client is read from Odoo.
type partnerRow struct {
	ID           int64          `odoo:"id"`
	Name         string         `odoo:"name"`
	Ref          odoo.String    `odoo:"ref"`
	Email        odoo.String    `odoo:"email"`
	Phone        odoo.String    `odoo:"phone"`
	Street       odoo.String    `odoo:"street"`
	City         odoo.String    `odoo:"city"`
	Zip          odoo.String    `odoo:"zip"`
	VAT          odoo.String    `odoo:"vat"`
	Market       odoo.Selection `odoo:"x_cmu_market"`
	Plates       odoo.String    `odoo:"x_cmu_plates"`
	EcosystemID  odoo.Many2One  `odoo:"x_cmu_ecosystem_id"`
	IsEcosystem  bool           `odoo:"x_cmu_is_ecosystem"`
	CreditStatus odoo.Selection `odoo:"x_cmu_credit_status"`
	KYCStatus    odoo.Selection `odoo:"x_cmu_kyc_status"`
}

var partnerFields = []string{"id", "name", "ref", "email", "phone", "street", "city", "zip", "vat",
	"x_cmu_market", "x_cmu_plates", "x_cmu_ecosystem_id", "x_cmu_is_ecosystem", "x_cmu_credit_status", "x_cmu_kyc_status"}

func (p partnerRow) client() Client {
	return Client{
		ID: p.ID, Name: p.Name, Ref: p.Ref.Value, Market: Market(p.Market.Value), Plates: p.Plates.Value,
		Ecosystem: refOf(p.EcosystemID), IsEcosystem: p.IsEcosystem,
		CreditStatus: CreditStatus(p.CreditStatus.Value), KYCStatus: KYCStatus(p.KYCStatus.Value),
		Contact: Contact{Email: p.Email.Value, Phone: p.Phone.Value, Street: p.Street.Value, City: p.City.Value, Zip: p.Zip.Value, VAT: p.VAT.Value},
	}
}

// NewClient is a client to create.
type NewClient struct {
	Name        string
	Ref         string // optional natural key: a second CreateClient with the same Ref returns the first client
	Market      Market
	Plates      string
	EcosystemID int64
	Contact     Contact
}

func (n NewClient) vals() map[string]any {
	v := map[string]any{"name": n.Name, "x_cmu_market": string(n.Market), "customer_rank": 1,
		"x_cmu_credit_status": string(CreditPendiente), "x_cmu_kyc_status": string(KYCPendiente)}
	set := func(k, val string) {
		if val != "" {
			v[k] = val
		}
	}
	set("ref", n.Ref)
	set("x_cmu_plates", normalizePlates(n.Plates))
	set("email", n.Contact.Email)
	set("phone", n.Contact.Phone)
	set("street", n.Contact.Street)
	set("city", n.Contact.City)
	set("zip", n.Contact.Zip)
	set("vat", n.Contact.VAT)
	if n.EcosystemID != 0 {
		v["x_cmu_ecosystem_id"] = n.EcosystemID
	}
	return v
}

func (n NewClient) validate() error {
	if strings.TrimSpace(n.Name) == "" {
		return invalid("name", "required")
	}
	if !n.Market.Valid() {
		return invalid("market", "unknown market %q", n.Market)
	}
	return nil
}

func normalizePlates(p string) string {
	return strings.ToUpper(strings.Join(strings.Fields(p), ""))
}

// CreateClient creates a client (res.partner with CMu's fields, credit and
// KYC status pendiente). With a Ref, it first looks the client up by ref and
// returns the existing id, so a retry never duplicates a client.
func (s *Service) CreateClient(ctx context.Context, n NewClient) (int64, error) {
	if err := n.validate(); err != nil {
		return 0, err
	}
	if n.Ref != "" {
		ids, err := s.c.Search(ctx, odoo.ModelPartner, odoo.Eq("ref", n.Ref), &odoo.SearchOptions{Limit: 1})
		if err != nil {
			return 0, fmt.Errorf("cmu: create client %q: look up ref: %w", n.Ref, err)
		}
		if len(ids) > 0 {
			return ids[0], nil
		}
	}
	id, err := s.c.Create(ctx, odoo.ModelPartner, n.vals(), nil)
	if err != nil {
		return 0, fmt.Errorf("cmu: create client %q: %w", n.Name, err)
	}
	return id, nil
}

// ClientUpdate changes a client's CMu fields; nil fields are left as they are.
type ClientUpdate struct {
	Market       *Market
	Plates       *string
	CreditStatus *CreditStatus
	KYCStatus    *KYCStatus
}

// UpdateClient writes the non-nil fields of u on client id.
func (s *Service) UpdateClient(ctx context.Context, id int64, u ClientUpdate) error {
	v := map[string]any{}
	if u.Market != nil {
		if !u.Market.Valid() {
			return invalid("market", "unknown market %q", *u.Market)
		}
		v["x_cmu_market"] = string(*u.Market)
	}
	if u.Plates != nil {
		v["x_cmu_plates"] = normalizePlates(*u.Plates)
	}
	if u.CreditStatus != nil {
		v["x_cmu_credit_status"] = string(*u.CreditStatus)
	}
	if u.KYCStatus != nil {
		v["x_cmu_kyc_status"] = string(*u.KYCStatus)
	}
	if len(v) == 0 {
		return nil
	}
	if err := s.c.Write(ctx, odoo.ModelPartner, []int64{id}, v, nil); err != nil {
		if errors.Is(err, odoo.ErrMissingError) {
			return fmt.Errorf("cmu: update client %d: %w: %w", id, ErrNotFound, err)
		}
		return fmt.Errorf("cmu: update client %d: %w", id, err)
	}
	return nil
}

// ClientByPlates returns the client whose plates are plates (normalised:
// upper case, no spaces), or an error wrapping ErrNotFound.
func (s *Service) ClientByPlates(ctx context.Context, plates string) (*Client, error) {
	var rows []partnerRow
	p := normalizePlates(plates)
	if err := s.c.SearchRead(ctx, odoo.ModelPartner, odoo.Eq("x_cmu_plates", p),
		&odoo.SearchOptions{Fields: partnerFields, Limit: 1}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: client by plates %q: %w", p, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("cmu: client by plates %q: %w", p, ErrNotFound)
	}
	c := rows[0].client()
	return &c, nil
}

// client reads one partner (any partner, client or ecosystem).
func (s *Service) client(ctx context.Context, id int64) (*Client, error) {
	var rows []partnerRow
	if err := s.c.Read(ctx, odoo.ModelPartner, []int64{id}, &odoo.SearchOptions{Fields: partnerFields}, &rows); err != nil {
		return nil, fmt.Errorf("cmu: read client %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("cmu: client %d: %w", id, ErrNotFound)
	}
	c := rows[0].client()
	return &c, nil
}

// ClientInfo returns client id without its relations (one call).
func (s *Service) ClientInfo(ctx context.Context, id int64) (*Client, error) {
	return s.client(ctx, id)
}
