// Package sv updates the clinic history record in SV (the clinic system) when an
// opportunity closes: reservation, patient and payment. SV has no public API;
// the contract is ours (shared/providers/FACTS.md, "Contracts we define"),
// implemented by svtest:
//
//	PUT {SV_URL}/clinic-history-crm/{reservationId}
//	Authorization: Bearer <Config.APIKey>     (header and scheme configurable)
//	Content-Type: application/json
//
//	{"patient": {"first_name", "paternal_last_name", "maternal_last_name",
//	             "document_type", "document_number"},
//	 "clinic_history": "HC-000123",
//	 "payment": {"status": "factura_directa" | "orden_servicio_pendiente_factura",
//	             "invoice_urls": {"soles": URL, "dolares": URL},
//	             "service_orders": [101, 102], "invoice_result_head_id": 77,
//	             "amount": "1500.00", "currency": "PEN"}}
//
//	200 {"reservation_id", "clinic_history", "changed": bool, "updated_at"}
//	204 (no body)                              — treated as changed = true
//	4xx/5xx {"error": {"code", "message"}} or {"message"}
//
// Amounts are decimal strings and optional. The path segment is the
// reservation id, so the call is idempotent: sending the same update twice
// leaves one record ("changed": false the second time). It is therefore retried
// on connection errors, 429 and 5xx except 501. A Client is safe for concurrent
// use.
package sv
