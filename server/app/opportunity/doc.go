// Package opportunity implements server.OpportunityService: the PWA's
// opportunity process (PUT /opportunity/update-opportunity-procces/:id) over
// Odoo's crm.lead, invoice-mifact-v3 (providers/mifact), SV's clinic history
// (providers/sv) and the server database's opportunity_service_order table.
//
// # Flow of one update
//
//  1. The lead is read (404 when missing) and, when the request carries an
//     advisor (server.AdvisorFrom), the advisor must be allowed to act on the
//     lead's client (403).
//  2. A direct-invoice closing downloads and checks its PDFs first
//     (mifact.DownloadPDF: size limit, content type and "%PDF-" signature,
//     timeout), so that a bad file refuses the whole update with 422 before
//     anything is written.
//  3. The lead's fields are written as sent (the PWA names map to the
//     x_cmu_* fields of cmu.DefaultSchema; extra top-level fields are accepted
//     only when they are PWA aliases, x_cmu_* fields of crm.lead, or a few
//     standard ones).
//  4. Appointment data with a date and a time range creates (or moves) one
//     calendar.event linked to the lead (res_model/res_id and opportunity_id),
//     keyed by the reservation id, and posts a note in the lead's chatter. The
//     time range "15:30 - 16:00" is local time in Config.Location (default
//     America/Mexico_City) and stored in UTC.
//  5. Closing won with a direct invoice: the PDFs are attached to the lead
//     (ir.attachment, named after a hash of their URL), the lead moves to
//     "Cierre ganado" with sub-state factura_directa and is_presaved false.
//  6. Closing won with service orders: one opportunity_service_order row per
//     order (upsert by opportunity and order, metadata from
//     cOrdenesServicioMetadata), the lead moves to "Cierre ganado" with
//     sub-state orden_servicio_pendiente_factura.
//  7. The lead's pending service orders are polled (PollLead) on every call;
//     PollPending does the same for every lead from a cron job every five
//     minutes (RegisterJobs). An invoiced order has its PDFs downloaded and
//     attached, the lead gets sub-state factura_directa and is_presaved false,
//     and only then is the row marked facturado.
//  8. On a closing, SV's clinic history is updated (sv.UpdateClinicHistory,
//     idempotent by reservation id) when a reservation id and a clinic history
//     are known and an SV client is configured.
//  9. client:updated and eventlog:new are published through the hub.
//
// # Re-running
//
// Every record is looked up before it is created — the meeting by reservation
// id, the chatter note by its text, attachments by name on the lead, rows by
// (opportunity_id, service_order_id) — so a retry after Odoo failed half-way
// completes the update without duplicates. Updates of one lead are serialised
// within a process.
//
// A Service is safe for concurrent use.
package opportunity
