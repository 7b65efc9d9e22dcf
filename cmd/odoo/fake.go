package main

import (
	"fmt"
	"log/slog"

	"github.com/cmu-mx/cmu/odoo/odootest"
)

// startFake serves an in-process fake Odoo of the given version ("19.0" or
// "17.0") seeded with demo records, on a local port. Its credentials are the
// fake's public defaults (admin/admin, API key "test-api-key").
func startFake(version string, logger *slog.Logger) (*odootest.Server, error) {
	if version != "19.0" && version != "17.0" {
		return nil, usagef("--fake-version: %q is not 19.0 or 17.0", version)
	}
	srv, err := odootest.New(odootest.WithVersion(version), odootest.WithLogger(logger))
	if err != nil {
		return nil, fmt.Errorf("fake Odoo: %w", err)
	}
	if err := seedDemo(srv); err != nil {
		return nil, err
	}
	srv.Start()
	return srv, nil
}

// seedDemo adds a few records resembling CMu's data: two transport
// ecosystems (companies), their drivers, and opportunities.
func seedDemo(srv *odootest.Server) (err error) {
	defer func() {
		// Seed panics on invalid records (it is test setup); report it.
		if r := recover(); r != nil {
			err = fmt.Errorf("fake Odoo: seeding demo data: %v", r)
		}
	}()
	const mexico = 156
	tags := srv.Seed("res.partner.category",
		map[string]any{"name": "Ecosistema"},
		map[string]any{"name": "Operador GNV"},
	)
	companies := srv.Seed("res.partner",
		map[string]any{
			"name": "Ruta 27 Ecatepec", "is_company": true, "city": "Ecatepec de Morelos", "zip": "55000",
			"country_id": mexico, "email": "contacto@ruta27.example.mx", "phone": "+52 55 5555 2700",
			"vat": "RVE0101015A1", "category_id": []any{[]any{6, 0, []any{tags[0]}}},
		},
		map[string]any{
			"name": "Transportes Unidos de Aguascalientes", "is_company": true, "city": "Aguascalientes", "zip": "20000",
			"country_id": mexico, "email": "info@tua.example.mx", "phone": "+52 449 555 0100",
			"category_id": []any{[]any{6, 0, []any{tags[0]}}},
		},
	)
	drivers := srv.Seed("res.partner",
		map[string]any{
			"name": "Juan Pérez López", "parent_id": companies[0], "function": "Operador",
			"email": "juan.perez@example.mx", "phone": "+52 55 1234 5678", "city": "Ecatepec de Morelos",
			"country_id": mexico, "category_id": []any{[]any{6, 0, []any{tags[1]}}},
		},
		map[string]any{
			"name": "María Hernández Ruiz", "parent_id": companies[1], "function": "Operadora",
			"email": "maria.hernandez@example.mx", "city": "Aguascalientes", "country_id": mexico,
			"category_id": []any{[]any{6, 0, []any{tags[1]}}},
		},
		map[string]any{
			"name": "Carlos Gómez Díaz", "parent_id": companies[0], "function": "Operador",
			"phone": "+52 55 8765 4321", "city": "Tecámac", "country_id": mexico,
		},
	)
	srv.Seed("crm.lead",
		map[string]any{
			"name": "Venta a plazo: vagoneta GNV", "type": "opportunity", "partner_id": drivers[0],
			"expected_revenue": 385000.50, "stage_id": 2, "email_from": "juan.perez@example.mx",
		},
		map[string]any{
			"name": "Plan de ahorro", "type": "opportunity", "partner_id": drivers[1],
			"expected_revenue": 60000, "stage_id": 1,
		},
	)
	return nil
}
