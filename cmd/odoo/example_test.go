package main

import (
	"context"
	"fmt"
	"os"
)

// A newcomer's first command: the fake Odoo's demo contacts over XML-RPC,
// no real server needed (go run ./cmd/odoo --fake …).
func Example_fake() {
	args := []string{"--fake", "--protocol", "xmlrpc", "--compact",
		"search-read", "res.partner", "--domain", `[["is_company", "=", true], ["id", ">", 1]]`,
		"--fields", "name,city,country_id", "--order", "name asc"}
	noEnv := func(string) string { return "" }
	code := run(context.Background(), args, noEnv, os.Stdout, os.Stderr)
	if code != 0 {
		os.Exit(code)
	}
	// Output:
	// [{"city":"Ecatepec de Morelos","country_id":[156,"Mexico"],"id":5,"name":"Ruta 27 Ecatepec"},{"city":"Aguascalientes","country_id":[156,"Mexico"],"id":6,"name":"Transportes Unidos de Aguascalientes"}]
}

// An Odoo error is JSON on stdout with exit status 1.
func Example_error() {
	args := []string{"--fake", "--protocol", "json2", "call", "res.partner", "write", `[[99999], {"name": "x"}]`}
	code := run(context.Background(), args, func(string) string { return "" }, os.Stdout, os.Stderr)
	fmt.Println("exit status:", code)
	// Output:
	// {
	//   "error": {
	//     "kind": "MissingError",
	//     "name": "odoo.exceptions.MissingError",
	//     "message": "Record does not exist or has been deleted.\n(Record: res.partner(99999,), User: 2)"
	//   }
	// }
	// exit status: 1
}
