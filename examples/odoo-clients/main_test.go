package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo/odootest"
)

func noEnv(string) string { return "" }

func TestRunAgainstInProcessFake(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"-clients", "12"}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{
		"Odoo: in-process fake 19.0",
		"create field res.partner.x_cmu_market (selection)",
		`create plan "Ahorro" (CMu / Ahorro)`,
		`create stage "Cierre ganado" (won)`,
		`create journal "CNK" (Conekta)`,
		"Demo data: 12 clients, 2 packages, 2 ecosystems, 1 groups, 3 leads",
		"market edomex",
		"ecosystem ",
		`plan ahorro "Ahorro DEMO-C-000001"`,
		"sale order S",
		"250000.00 MXN",
		"documents ine=aprobado",
		`group DEMO-G1 "Ruta 27 – Grupo 1", phase ahorro, member activo, saved 9000.00 MXN`,
		"Odoo calls for this aggregate: 7",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// With ODOO_URL the program talks to that Odoo (here a fake over real HTTP
// on the 17.0 wire, XML-RPC) and a second run changes no schema.
func TestRunAgainstURL(t *testing.T) {
	t.Parallel()
	srv := odootest.NewServer(t, odootest.WithVersion("17.0"))
	env := map[string]string{"ODOO_URL": srv.URL, "ODOO_DB": srv.DB, "ODOO_USER": srv.Login, "ODOO_PASSWORD": srv.Password}
	getenv := func(k string) string { return env[k] }
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-clients", "5", "-protocol", "xmlrpc"}, getenv, &out, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"-clients", "5", "-protocol", "xmlrpc"}, getenv, &out, &out); err != nil {
		t.Fatalf("second run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Schema: 0 changes") || !strings.Contains(out.String(), "Demo data: 5 clients") {
		t.Fatalf("second run output:\n%s", out.String())
	}
	if n := len(srv.Records("res.partner")); n != 4+2+5 {
		t.Fatalf("%d partners after two runs", n)
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"bad flag", []string{"-nope"}, nil},
		{"bad protocol", []string{"-protocol", "soap"}, nil},
		{"zero clients", []string{"-clients", "0"}, nil},
		{"skip seed without client", []string{"-skip-seed"}, nil},
		{"extra argument", []string{"extra"}, nil},
		{"url without credentials", nil, map[string]string{"ODOO_URL": "http://127.0.0.1:1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out, &out)
			if !errors.Is(err, errUsage) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
