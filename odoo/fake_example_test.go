package odoo_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/shopspring/decimal"
)

// A typed search_read against the fake Odoo of odoo/odootest, which tests
// can use in place of a real server (here over JSON-2, as on Odoo 19).
func ExampleClient_SearchRead_odootest() {
	srv := odootest.NewServer(nil, odootest.WithClock(func() time.Time {
		return time.Date(2026, time.November, 22, 21, 46, 54, 0, time.UTC)
	}))
	defer srv.Close()
	srv.Seed(odoo.ModelPartner,
		map[string]any{"name": "Ruta 27 Ecatepec", "is_company": true, "country_id": 156, "email": "ruta27@example.mx", "credit_limit": "25000.50"},
		map[string]any{"name": "Ruta 3 Tlalnepantla", "is_company": true},
		map[string]any{"name": "Juan Pérez", "is_company": false},
	)

	c, err := odoo.NewClient(srv.URL, odoo.WithDatabase(srv.DB), odoo.WithAPIKey(srv.APIKey))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	var partners []odoo.Partner
	err = c.SearchRead(ctx, odoo.ModelPartner,
		odoo.And(odoo.Eq("is_company", true), odoo.ILike("name", "ruta")),
		&odoo.SearchOptions{Order: "name", Limit: 10}, &partners)
	if err != nil {
		log.Fatal(err)
	}
	p, _ := c.Protocol(ctx)
	fmt.Println("protocol:", p)
	for _, p := range partners {
		fmt.Printf("%d %s | email %q (set %v) | country %q | credit %s | mobile set %v | created %s\n",
			p.ID, p.Name, p.Email.Value, p.Email.Valid, p.CountryID.Name, p.CreditLimit, p.Mobile.Valid, p.CreateDate)
	}
	fmt.Println("search_read calls:", srv.Calls(odoo.ModelPartner, "search_read"))
	// Output:
	// protocol: json2
	// 5 Ruta 27 Ecatepec | email "ruta27@example.mx" (set true) | country "Mexico" | credit 25000.5 | mobile set false | created 2026-11-22 21:46:54
	// 6 Ruta 3 Tlalnepantla | email "" (set false) | country "" | credit 0 | mobile set false | created 2026-11-22 21:46:54
	// search_read calls: 1
}

// Creating a sale order with its lines in one call (x2many create
// commands), then the typed errors Odoo answers, the same on every protocol
// (here XML-RPC against a fake Odoo 17).
func ExampleClient_Create() {
	srv := odootest.NewServer(nil, odootest.WithVersion("17.0"))
	defer srv.Close()
	product := srv.Seed("product.product", map[string]any{"name": "Plan Ahorro", "list_price": 1000, "taxes_id": []int{1}})[0]
	customer := srv.Seed(odoo.ModelPartner, map[string]any{"name": "Juan Pérez"})[0]

	c, err := odoo.NewClient(srv.URL, odoo.WithProtocol(odoo.ProtocolXMLRPC),
		odoo.WithDatabase(srv.DB), odoo.WithLogin(srv.Login, srv.Password))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	id, err := c.Create(ctx, odoo.ModelSaleOrder, map[string]any{
		"partner_id": customer,
		"order_line": []odoo.Command{
			odoo.CreateCommand(map[string]any{"product_id": product, "product_uom_qty": 2, "price_unit": decimal.RequireFromString("1250.00")}),
		},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	order, err := odoo.SaleOrders(c).Get(ctx, id, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(order.Name, order.State.Value, order.AmountUntaxed, order.AmountTax, order.AmountTotal, len(order.OrderLine))
	lines, _ := odoo.SaleOrderLines(c).Read(ctx, order.OrderLine, nil)
	fmt.Println("taxes of the line (tax_id on 17):", lines[0].TaxIDs)

	// A confirmed order cannot be deleted: a UserError.
	if err := c.Call(ctx, odoo.ModelSaleOrder, "action_confirm", []any{[]int64{id}}, nil, nil); err != nil {
		log.Fatal(err)
	}
	err = c.Unlink(ctx, odoo.ModelSaleOrder, []int64{id}, nil)
	var oe *odoo.Error
	if errors.As(err, &oe) {
		fmt.Println(oe.Kind, oe.Name, errors.Is(err, odoo.ErrUserError))
		fmt.Println(oe.Message)
	}
	// A lead without its required name: a ValidationError.
	_, err = c.Create(ctx, odoo.ModelLead, map[string]any{"type": "opportunity"}, nil)
	fmt.Println(errors.Is(err, odoo.ErrValidationError))
	// Writing a record that does not exist: a MissingError.
	err = c.Write(ctx, odoo.ModelPartner, []int64{424242}, map[string]any{"name": "x"}, nil)
	fmt.Println(errors.Is(err, odoo.ErrMissingError))
	// Output:
	// S00001 draft 2500 375 2875 1
	// taxes of the line (tax_id on 17): [1]
	// UserError odoo.exceptions.UserError true
	// You can not delete a sent quotation or a confirmed sales order. You must first cancel it.
	// true
	// true
}
