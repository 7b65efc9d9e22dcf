package odootest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cmu-mx/cmu/odoo/odootest"
)

// A JSON-2 search_read against the fake, then the round-trip counter.
func ExampleNewServer() {
	srv := odootest.NewServer(nil, odootest.WithAPIKey("secret"))
	defer srv.Close()
	srv.Seed("res.partner", map[string]any{"name": "Ruta 27 Ecatepec", "is_company": true, "country_id": 156})

	body := `{"domain": [["is_company", "=", true], ["name", "ilike", "ruta"]], "fields": ["name", "country_id", "email"]}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/json/2/res.partner/search_read", strings.NewReader(body))
	req.Header.Set("Authorization", "bearer secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(out))
	fmt.Println("search_read calls:", srv.Calls("res.partner", "search_read"))
	// Output:
	// 200 [{"id": 5, "name": "Ruta 27 Ecatepec", "country_id": [156, "Mexico"], "email": false}]
	// search_read calls: 1
}

// Faults make the next matching call fail the way a proxy or Odoo would.
func ExampleServer_InjectFault() {
	srv := odootest.NewServer(nil)
	defer srv.Close()
	srv.InjectFault(odootest.Fault{Model: "res.partner", Method: "search", Kind: odootest.HTTPStatus, Status: 503, Times: 1})

	call := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/json/2/res.partner/search", strings.NewReader(`{"domain": []}`))
		req.Header.Set("Authorization", "bearer "+srv.APIKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(call(), call())
	// Output: 503 200
}
