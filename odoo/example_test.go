package odoo_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/shopspring/decimal"
)

// fakeOdoo19 answers a few JSON-2 calls the way Odoo 19 does, so the
// examples run without a server (odoo/odootest is the full fake).
func fakeOdoo19() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if r.Header.Get("Authorization") != "bearer demo-key" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey", "arguments": ["Invalid apikey", 401], "context": {}, "debug": ""}`)
			return
		}
		switch r.URL.Path {
		case "/json/2/res.partner/search_read":
			io.WriteString(w, `[{"id": 2017, "name": "Ruta 27 Ecatepec", "email": "ruta27@example.mx", "phone": false, "parent_id": false, "country_id": [156, "Mexico"], "credit_limit": 25000.5, "create_date": "2026-11-22 21:46:54"}]`)
		case "/json/2/account.analytic.account/search_read":
			io.WriteString(w, `[{"id": 3, "name": "Ahorro Juan", "partner_id": [2018, "Juan Pérez"], "balance": 2623.45}, {"id": 4, "name": "Venta a plazo Juan", "partner_id": [2018, "Juan Pérez"], "balance": 0.0}, {"id": 5, "name": "Ahorro Ana", "partner_id": [2019, "Ana López"], "balance": 100.0}]`)
		case "/json/2/res.partner/write":
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"name": "odoo.exceptions.ValidationError", "message": "You cannot create recursive Partner hierarchies.", "arguments": [], "context": {}, "debug": "Traceback…"}`)
		default:
			http.NotFound(w, r)
		}
	}))
}

func ExampleClient_SearchRead() {
	srv := fakeOdoo19()
	defer srv.Close()

	c, err := odoo.NewClient(srv.URL,
		odoo.WithProtocol(odoo.ProtocolJSON2), odoo.WithAPIKey("demo-key"), odoo.WithDatabase("cmu19"),
		odoo.WithFieldDiscovery(false))
	if err != nil {
		log.Fatal(err)
	}
	var partners []odoo.Partner
	err = c.SearchRead(context.Background(), odoo.ModelPartner,
		odoo.And(odoo.Eq("is_company", true), odoo.ILike("name", "ruta")),
		&odoo.SearchOptions{Fields: []string{"name", "email", "phone", "parent_id", "country_id", "credit_limit", "create_date"}, Limit: 10},
		&partners)
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range partners {
		fmt.Println(p.ID, p.Name, p.Email.Value, p.Phone.Valid, p.ParentID.Valid(), p.CountryID.Name, p.CreditLimit, p.CreateDate)
	}
	// Output: 2017 Ruta 27 Ecatepec ruta27@example.mx false false Mexico 25000.5 2026-11-22 21:46:54
}

func ExampleError() {
	srv := fakeOdoo19()
	defer srv.Close()
	c, _ := odoo.NewClient(srv.URL, odoo.WithProtocol(odoo.ProtocolJSON2), odoo.WithAPIKey("demo-key"))

	err := c.Write(context.Background(), odoo.ModelPartner, []int64{2017}, map[string]any{"parent_id": 2018}, nil)
	var oe *odoo.Error
	if errors.As(err, &oe) {
		fmt.Println(oe.Kind, oe.Status, oe.Name)
		fmt.Println(oe.Message)
	}
	fmt.Println(errors.Is(err, odoo.ErrValidationError))
	// Output:
	// ValidationError 422 odoo.exceptions.ValidationError
	// You cannot create recursive Partner hierarchies.
	// true
}

func ExampleAnd() {
	d := odoo.And(
		odoo.Eq("is_company", true),
		odoo.Or(odoo.Eq("country_id", 156), odoo.ILike("name", "ruta")),
		odoo.Not(odoo.Cond("email", odoo.OpEq, false)),
	)
	raw, _ := json.Marshal(conditions(d))
	fmt.Println(string(raw))
	// Output: ["\u0026","\u0026",["is_company","=",true],"|",["country_id","=",156],["name","ilike","ruta"],"!",["email","=",false]]
}

// conditions turns a Domain into plain data for printing.
func conditions(d odoo.Domain) []any {
	out := make([]any, 0, len(d))
	for _, t := range d {
		if c, ok := t.(odoo.Condition); ok {
			out = append(out, []any{c.Field, string(c.Op), c.Value})
			continue
		}
		out = append(out, t)
	}
	return out
}

func ExampleParseDomain() {
	d, err := odoo.ParseDomain([]byte(`["|", ["name", "ilike", "ruta 27"], ["email", "=like", "juan.%"]]`))
	fmt.Println(len(d), err)
	_, err = odoo.ParseDomain([]byte(`["|", ["name", "ilike", "ruta 27"]]`))
	fmt.Println(strings.Contains(err.Error(), "lacks its operands"))
	// Output:
	// 3 <nil>
	// true
}

func ExampleSetCommand() {
	// A partner's tags replaced by 4 and 5, plus a new child contact.
	vals := map[string]any{
		"category_id": []odoo.Command{odoo.SetCommand(4, 5)},
		"child_ids":   []odoo.Command{odoo.CreateCommand(map[string]any{"name": "Juan Pérez"})},
	}
	for _, k := range []string{"category_id", "child_ids"} {
		v, _ := vals[k].([]odoo.Command)[0].MarshalOdoo()
		fmt.Println(k, v)
	}
	// Output:
	// category_id [6 0 [4 5]]
	// child_ids [0 0 map[name:Juan Pérez]]
}

func ExampleLoadRelated() {
	srv := fakeOdoo19()
	defer srv.Close()
	c, _ := odoo.NewClient(srv.URL, odoo.WithProtocol(odoo.ProtocolJSON2), odoo.WithAPIKey("demo-key"))

	// Every partner's analytic accounts for a page of partners: one call, not one per partner.
	type account struct {
		ID      int64           `odoo:"id"`
		Name    string          `odoo:"name"`
		Partner odoo.Many2One   `odoo:"partner_id"`
		Balance decimal.Decimal `odoo:"balance"`
	}
	byPartner, err := odoo.LoadRelated[account](context.Background(), c, odoo.ModelAnalyticAccount, "partner_id",
		[]int64{2018, 2019, 2020}, nil, &odoo.SearchOptions{Fields: []string{"name", "partner_id", "balance"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, id := range []int64{2018, 2019, 2020} {
		fmt.Println(id, len(byPartner[id]))
	}
	fmt.Println(byPartner[2018][0].Name, byPartner[2018][0].Balance)
	// Output:
	// 2018 2
	// 2019 1
	// 2020 0
	// Ahorro Juan 2623.45
}
