package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/server"
)

// Clients implements server.ClientsService over odoo/cmu: client aggregates
// (a constant number of Odoo calls per page, see cmu.ListCallsPerPage) and
// history events as chatter notes.
type Clients struct {
	svc *cmu.Service
	oc  *odoo.Client
	pub *publisher
	now func() time.Time
}

var _ server.ClientsService = (*Clients)(nil)

// ListClients implements server.ClientsService. The advisor's scope becomes
// the Odoo filter: administrators see every client, others the clients listed
// in their token or those of their single market.
func (c *Clients) ListClients(ctx context.Context, p server.ListClientsParams) (*server.ClientPage, error) {
	f := cmu.ClientFilter{Market: cmu.Market(p.Market), Search: p.Search, Offset: (p.Page - 1) * p.PageSize, Limit: p.PageSize}
	empty := &server.ClientPage{Items: []server.Client{}, Page: p.Page, PageSize: p.PageSize}
	if !p.Scope.All {
		sc := p.Scope
		both := slices.Contains(sc.Markets, server.MarketEdomex) && slices.Contains(sc.Markets, server.MarketAguascalientes)
		switch {
		case both:
			// Every client.
		case len(sc.Markets) == 1:
			// One market (a client list beside it is not expressible in the
			// same Odoo filter; the market is the broader grant).
			if f.Market != "" && f.Market != cmu.Market(sc.Markets[0]) {
				return empty, nil
			}
			f.Market = cmu.Market(sc.Markets[0])
		case len(sc.ClientIDs) > 0:
			f.IDs = sc.ClientIDs
		default:
			return empty, nil
		}
	}
	page, err := c.svc.ListClients(ctx, f)
	if err != nil {
		return nil, mapError(err, "clientes")
	}
	out := &server.ClientPage{Items: make([]server.Client, 0, len(page.Items)), Page: p.Page, PageSize: p.PageSize, Total: int(page.Total)}
	for i := range page.Items {
		out.Items = append(out.Items, clientOf(&page.Items[i]))
	}
	return out, nil
}

// GetClient implements server.ClientsService.
func (c *Clients) GetClient(ctx context.Context, id int64) (*server.Client, error) {
	a, err := c.svc.GetClient(ctx, id)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", id))
	}
	cl := clientOf(a)
	return &cl, nil
}

// ClientMarket implements server.ClientsService (one Odoo call).
func (c *Clients) ClientMarket(ctx context.Context, id int64) (server.Market, error) {
	cl, err := c.svc.ClientInfo(ctx, id)
	if err != nil {
		return "", mapError(err, fmt.Sprintf("el cliente %d", id))
	}
	return server.Market(cl.Market), nil
}

// CreateEvent implements server.ClientsService: an internal chatter note on
// the partner and, with a lead id, on the lead (which must be the client's).
func (c *Clients) CreateEvent(ctx context.Context, advisorID string, req server.CreateEventRequest) (*server.EventLogEntry, error) {
	cl, err := c.svc.ClientInfo(ctx, req.ClientID)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	if req.LeadID != 0 {
		if err := checkLeadOf(ctx, c.oc, req.LeadID, req.ClientID); err != nil {
			return nil, err
		}
	}
	author := authorName(ctx, advisorID)
	ids, err := c.svc.PostEvent(ctx, cmu.Event{ClientID: req.ClientID, LeadID: req.LeadID, Type: req.Type, Message: req.Message, Author: author})
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el historial del cliente %d", req.ClientID))
	}
	e := &server.EventLogEntry{ClientID: req.ClientID, LeadID: req.LeadID, Type: req.Type, Message: req.Message,
		Author: author, CreatedAt: c.now().UTC()}
	if len(ids) > 0 {
		e.ID = ids[0]
	}
	c.pub.applied(ctx, req.ClientID, server.Market(cl.Market), "evento", e, nil)
	return e, nil
}

// authorName is the advisor's display name from the token, else its id.
func authorName(ctx context.Context, advisorID string) string {
	if a, ok := server.AdvisorFrom(ctx); ok && a.Name != "" {
		return a.Name
	}
	return advisorID
}

// checkLeadOf verifies that lead belongs to client (one call).
func checkLeadOf(ctx context.Context, oc *odoo.Client, leadID, clientID int64) error {
	var rows []struct {
		ID        int64         `odoo:"id"`
		PartnerID odoo.Many2One `odoo:"partner_id"`
	}
	if err := oc.Read(ctx, odoo.ModelLead, []int64{leadID}, &odoo.SearchOptions{Fields: []string{"id", "partner_id"}}, &rows); err != nil {
		return mapError(err, fmt.Sprintf("la oportunidad %d", leadID))
	}
	if len(rows) == 0 {
		return server.NewError(server.KindNotFound, fmt.Sprintf("No encontrado: la oportunidad %d", leadID))
	}
	if rows[0].PartnerID.ID != clientID {
		return unprocessable("La oportunidad %d no pertenece al cliente %d", leadID, clientID)
	}
	return nil
}

// clientOf maps a cmu aggregate to the PWA's nested client.
func clientOf(a *cmu.ClientAggregate) server.Client {
	c := server.Client{
		ID: a.ID, Name: a.Name, Market: server.Market(a.Market), Placas: a.Plates,
		CreditStatus: string(a.CreditStatus), KYCStatus: string(a.KYCStatus),
		Contact:    server.Contact{Email: a.Contact.Email, Phone: a.Contact.Phone, Street: a.Contact.Street, City: a.Contact.City, RFC: a.Contact.VAT},
		Plans:      make([]server.PlanSummary, 0, len(a.Plans)),
		SaleOrders: make([]server.SaleOrderSummary, 0, len(a.SaleOrders)),
		Documents:  make([]server.DocumentStatus, 0, len(a.Documents)),
	}
	if a.Ecosystem != nil {
		c.Ecosystem = &server.Ecosystem{ID: a.Ecosystem.ID, Name: a.Ecosystem.Name}
	}
	for _, p := range a.Plans {
		ps := server.PlanSummary{ID: p.ID, Kind: server.PlanKind(p.Kind), Name: p.Name, Balance: server.NewMoney(p.Balance)}
		if !p.Target.IsZero() {
			t := server.NewMoney(p.Target)
			ps.Target = &t
		}
		c.Plans = append(c.Plans, ps)
	}
	for _, so := range a.SaleOrders {
		c.SaleOrders = append(c.SaleOrders, server.SaleOrderSummary{ID: so.ID, Name: so.Name, State: so.State, AmountTotal: server.NewMoney(so.AmountTotal)})
	}
	for _, d := range a.Documents {
		ds := server.DocumentStatus{Code: d.Code, Name: d.Name, Status: string(d.Status)}
		if !d.UpdatedAt.IsZero() {
			t := d.UpdatedAt
			ds.UpdatedAt = &t
		}
		c.Documents = append(c.Documents, ds)
	}
	if a.Group != nil {
		c.Group = &server.GroupSummary{ID: a.Group.GroupID, Name: a.Group.Name, Phase: string(a.Group.Phase)}
	}
	return c
}
