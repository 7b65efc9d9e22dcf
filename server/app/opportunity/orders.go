package opportunity

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/sv"
	"github.com/cmu-mx/cmu/server"
)

// orderRow is one row of opportunity_service_order.
type orderRow struct {
	ID                  int64
	OpportunityID       string
	ServiceOrderID      int64
	Metadata            json.RawMessage
	Facturado           bool
	InvoiceResultHeadID int64
	URLSoles            string
	URLDolares          string
	LastCheckedAt       time.Time
}

const orderColumns = `id, opportunity_id, service_order_id, metadata, facturado, invoice_result_head_id,
	url_soles, url_dolares, last_checked_at`

// q rewrites ? placeholders as $n for PostgreSQL.
func (s *Service) q(query string) string { return s.db.Rebind(query) }

func leadKey(id int64) string { return strconv.FormatInt(id, 10) }

// upsertOrders stores one row per order (metadata refreshed on a repeat) in
// one transaction.
func (s *Service) upsertOrders(ctx context.Context, leadID int64, refs []server.ServiceOrderRef) error {
	tx, err := s.db.SQL.BeginTx(ctx, nil)
	if err != nil {
		return dbErr(err)
	}
	defer tx.Rollback()
	now := s.now().UTC()
	stmt := s.q(`INSERT INTO opportunity_service_order
		(opportunity_id, service_order_id, metadata, facturado, created_at, updated_at)
		VALUES (?, ?, ?, FALSE, ?, ?)
		ON CONFLICT (opportunity_id, service_order_id)
		DO UPDATE SET metadata = excluded.metadata, updated_at = excluded.updated_at`)
	for _, r := range refs {
		meta := []byte("{}")
		if r.Metadata != nil {
			if meta, err = json.Marshal(r.Metadata); err != nil {
				return server.WrapError(server.KindInvalid, fmt.Sprintf("El campo cOrdenesServicioMetadata.%d no es JSON válido", r.ID), err)
			}
		}
		if _, err := tx.ExecContext(ctx, stmt, leadKey(leadID), r.ID, string(meta), now, now); err != nil {
			return dbErr(err)
		}
	}
	if err := tx.Commit(); err != nil {
		return dbErr(err)
	}
	return nil
}

func dbErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return server.WrapError(server.KindTimeout, "Tiempo de espera agotado en la base de datos", err)
	}
	return server.WrapError(server.KindUnavailable, "Base de datos no disponible", err)
}

func scanOrders(rows *sql.Rows) ([]orderRow, error) {
	defer rows.Close()
	var out []orderRow
	for rows.Next() {
		var (
			r       orderRow
			meta    []byte
			head    sql.NullInt64
			soles   sql.NullString
			dolares sql.NullString
			checked sql.NullTime
		)
		if err := rows.Scan(&r.ID, &r.OpportunityID, &r.ServiceOrderID, &meta, &r.Facturado, &head, &soles, &dolares, &checked); err != nil {
			return nil, err
		}
		r.Metadata = json.RawMessage(meta)
		r.InvoiceResultHeadID, r.URLSoles, r.URLDolares, r.LastCheckedAt = head.Int64, soles.String, dolares.String, checked.Time
		out = append(out, r)
	}
	return out, rows.Err()
}

// orders returns the rows of one lead, by service order.
func (s *Service) orders(ctx context.Context, leadID int64) ([]orderRow, error) {
	rows, err := s.db.SQL.QueryContext(ctx, s.q(`SELECT `+orderColumns+` FROM opportunity_service_order
		WHERE opportunity_id = ? ORDER BY service_order_id`), leadKey(leadID))
	if err != nil {
		return nil, dbErr(err)
	}
	out, err := scanOrders(rows)
	if err != nil {
		return nil, dbErr(err)
	}
	return out, nil
}

// hasInvoicedOrder reports whether some order of the lead is invoiced (the
// lead is then factura_directa already).
func (s *Service) hasInvoicedOrder(ctx context.Context, leadID int64) bool {
	rows, err := s.orders(ctx, leadID)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(rows, func(r orderRow) bool { return r.Facturado })
}

// PollPending asks invoice-mifact-v3 about every service order not yet
// invoiced (at most Config.PollBatch per run, least recently checked first)
// and completes the invoiced ones: PDFs downloaded and attached to the lead,
// the lead set to factura_directa with is_presaved false, SV updated, and the
// row marked facturado last — so a failure half-way is completed by the next
// run. It returns the failures joined; the other orders are still processed.
func (s *Service) PollPending(ctx context.Context) error {
	if s.mifact == nil {
		return errors.New("opportunity: poll: invoice-mifact-v3 not configured")
	}
	rows, err := s.db.SQL.QueryContext(ctx, s.q(`SELECT `+orderColumns+` FROM opportunity_service_order
		WHERE NOT facturado ORDER BY last_checked_at IS NOT NULL, last_checked_at, id LIMIT ?`), s.batch)
	if err != nil {
		return fmt.Errorf("opportunity: poll: %w", err)
	}
	pending, err := scanOrders(rows)
	if err != nil {
		return fmt.Errorf("opportunity: poll: %w", err)
	}
	var leads []int64
	for _, r := range pending {
		id, err := strconv.ParseInt(r.OpportunityID, 10, 64)
		if err != nil {
			continue
		}
		if !slices.Contains(leads, id) {
			leads = append(leads, id)
		}
	}
	var errs []error
	for _, id := range leads {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		if err := s.pollAndPublish(ctx, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pollAndPublish polls one lead under its lock and publishes what changed.
func (s *Service) pollAndPublish(ctx context.Context, leadID int64) error {
	unlock := s.lockLead(leadID)
	defer unlock()
	lead, err := s.readLead(ctx, leadID)
	if err != nil {
		return fmt.Errorf("opportunity: poll lead %d: %w", leadID, err)
	}
	entries, err := s.pollLeadRow(ctx, lead)
	if len(entries) > 0 {
		var m server.Market
		if lead.PartnerID.Valid() {
			if c, err := s.cmu.ClientInfo(ctx, lead.PartnerID.ID); err == nil {
				m = server.Market(c.Market)
			}
		}
		s.published(ctx, lead.PartnerID.ID, m, "service_order_invoiced", entries)
	}
	if err != nil {
		return fmt.Errorf("opportunity: poll lead %d: %w", leadID, err)
	}
	return nil
}

// pollLead polls one lead's pending orders (the caller holds the lock) and
// returns how many became invoiced.
func (s *Service) pollLead(ctx context.Context, leadID int64) (int, error) {
	lead, err := s.readLead(ctx, leadID)
	if err != nil {
		return 0, err
	}
	entries, err := s.pollLeadRow(ctx, lead)
	return len(entries), err
}

// pollLeadRow checks each pending order of lead and returns one log entry per
// order that became invoiced.
func (s *Service) pollLeadRow(ctx context.Context, lead *leadRow) ([]*server.EventLogEntry, error) {
	rows, err := s.orders(ctx, lead.ID)
	if err != nil {
		return nil, err
	}
	var entries []*server.EventLogEntry
	var errs []error
	for _, r := range rows {
		if r.Facturado {
			continue
		}
		entry, err := s.checkOrder(ctx, lead, r)
		if err != nil {
			errs = append(errs, fmt.Errorf("service order %d: %w", r.ServiceOrderID, err))
			continue
		}
		if entry != nil {
			entries = append(entries, entry)
		}
	}
	return entries, errors.Join(errs...)
}

// checkOrder asks for one order's invoice and completes it when invoiced.
func (s *Service) checkOrder(ctx context.Context, lead *leadRow, r orderRow) (*server.EventLogEntry, error) {
	now := s.now().UTC()
	st, err := s.mifact.InvoiceStatus(ctx, r.ServiceOrderID)
	if err != nil {
		s.touch(ctx, r.ID, now)
		return nil, err
	}
	if !st.Invoiced {
		s.touch(ctx, r.ID, now)
		return nil, nil
	}
	pdfs, err := s.downloadInvoices(ctx, fmt.Sprintf("os%d-", r.ServiceOrderID), st.URLs.Soles, st.URLs.Dolares)
	if err != nil {
		s.touch(ctx, r.ID, now)
		return nil, err
	}
	for _, p := range pdfs {
		if _, err := s.attach(ctx, lead.ID, p); err != nil {
			return nil, err
		}
	}
	if err := s.c.Write(ctx, odoo.ModelLead, []int64{lead.ID}, map[string]any{
		"x_cmu_facturacion_sub_estado": cmu.SubStateFacturaDirecta, "x_cmu_is_presaved": false,
	}, nil); err != nil {
		return nil, odooErr(err, "la oportunidad")
	}
	entry, err := s.note(ctx, lead, "orden_servicio_facturada", "CMu",
		fmt.Sprintf("La orden de servicio %d fue facturada (comprobante %d); %d PDF adjunto(s).", r.ServiceOrderID, st.InvoiceResultHeadID, len(pdfs)),
		fmt.Sprintf("os %d facturada", r.ServiceOrderID))
	if err != nil {
		return nil, err
	}
	r.Facturado, r.InvoiceResultHeadID, r.URLSoles, r.URLDolares = true, st.InvoiceResultHeadID, st.URLs.Soles, st.URLs.Dolares
	if err := s.updateClinicHistory(ctx, lead.ID, "", "", &r); err != nil {
		return nil, err
	}
	var head any
	if st.InvoiceResultHeadID != 0 {
		head = st.InvoiceResultHeadID
	}
	if _, err := s.db.SQL.ExecContext(ctx, s.q(`UPDATE opportunity_service_order SET facturado = TRUE,
		invoice_result_head_id = ?, url_soles = ?, url_dolares = ?, last_checked_at = ?, updated_at = ? WHERE id = ?`),
		head, nullString(st.URLs.Soles), nullString(st.URLs.Dolares), now, now, r.ID); err != nil {
		return nil, dbErr(err)
	}
	return entry, nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// touch records a check of a pending order; a failure is only logged (the
// next run checks the order again anyway).
func (s *Service) touch(ctx context.Context, id int64, now time.Time) {
	if _, err := s.db.SQL.ExecContext(ctx, s.q(`UPDATE opportunity_service_order SET last_checked_at = ? WHERE id = ?`), now, id); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "opportunity: record check time", slog.Int64("row", id), slog.Any("err", err))
	}
}

// updateClinicHistory sends the lead's closing to SV when SV is configured and
// the lead has a reservation id, a clinic history and the patient's names
// (otherwise it logs and skips). soles/dolares are a direct invoice's URLs;
// invoiced is the order that just became invoiced, if any.
func (s *Service) updateClinicHistory(ctx context.Context, leadID int64, soles, dolares string, invoiced *orderRow) error {
	if s.sv == nil {
		return nil
	}
	l, err := s.readLead(ctx, leadID)
	if err != nil {
		return err
	}
	u := sv.Update{
		ReservationID: l.ReservationID.Value,
		ClinicHistory: l.ClinicHistory.Value,
		Patient: sv.Patient{FirstName: l.PatientName.Value, PaternalLastName: l.PatientPaternal.Value,
			MaternalLastName: l.PatientMaternal.Value, DocumentType: l.PatientDocType.Value, DocumentNumber: l.PatientDocument.Value},
	}
	if soles != "" || dolares != "" {
		u.Payment = sv.Payment{Status: sv.DirectInvoice, InvoiceURLs: sv.InvoiceURLs{Soles: soles, Dolares: dolares}}
	} else {
		rows, err := s.orders(ctx, leadID)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		u.Payment.Status = sv.ServiceOrderPending
		for _, r := range rows {
			u.Payment.ServiceOrders = append(u.Payment.ServiceOrders, r.ServiceOrderID)
			if invoiced != nil && r.ID == invoiced.ID {
				r = *invoiced
			}
			if r.Facturado {
				u.Payment.Status = sv.DirectInvoice
				u.Payment.InvoiceURLs = sv.InvoiceURLs{Soles: r.URLSoles, Dolares: r.URLDolares}
				u.Payment.InvoiceResultHeadID = r.InvoiceResultHeadID
			}
		}
	}
	if p := u.Valid(); p != nil {
		s.log.LogAttrs(ctx, slog.LevelInfo, "opportunity: SV clinic history not updated (data missing)",
			slog.Int64("lead", leadID), slog.Any("missing", p))
		return nil
	}
	if _, err := s.sv.UpdateClinicHistory(ctx, u); err != nil {
		if ae, ok := errors.AsType[*sv.APIError](err); ok && !ae.Retryable() {
			return server.WrapError(server.KindBadGateway, fmt.Sprintf("SV rechazó la actualización de la historia clínica (HTTP %d)", ae.Status), err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return server.WrapError(server.KindTimeout, "Tiempo de espera agotado al actualizar la historia clínica en SV", err)
		}
		return server.WrapError(server.KindUnavailable, "SV no disponible para actualizar la historia clínica", err)
	}
	return nil
}
