package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/server"
	"github.com/cmu-mx/cmu/webhooks"
	"github.com/shopspring/decimal"
)

// GNV implements server.GNVService and processes the network's consumption
// batches: records of known plates become contributions on the client's
// savings plan (transaction id "gnv:<id>", unique), records of unknown plates
// wait in the server table gnv_unmatched_consumption and are applied when
// those plates are activated.
type GNV struct {
	svc    *cmu.Service
	oc     *odoo.Client
	client *gnv.Client // nil: activation unavailable
	db     *server.DB
	pub    *publisher
	log    *slog.Logger
	now    func() time.Time

	mu          sync.Mutex
	counts      map[string]*BatchCounts // by webhook id, between Insert and Respond
	countFailed time.Time               // last counting failure: skip counting for a while
}

var _ server.GNVService = (*GNV)(nil)

// txID is the contribution transaction id of a GNV record.
func txID(id string) string { return "gnv:" + id }

// ActivateCollection implements server.GNVService: the rule is registered at
// the network (idempotent), the plates are stored on the partner, the savings
// plan is opened if needed, and consumption that waited for these plates is
// applied.
func (g *GNV) ActivateCollection(ctx context.Context, req server.ActivateCollectionRequest) (*server.GNVActivation, error) {
	if g.client == nil {
		return nil, server.NewError(server.KindUnavailable, "Servicio no disponible: la red GNV no está configurada")
	}
	plates, err := gnv.NormalizePlates(req.Placas)
	if err != nil {
		return nil, invalid("El campo placas no es una placa válida")
	}
	sur, err := decimal.NewFromString(req.Sobreprecio)
	if err != nil || !sur.IsPositive() || !sur.Equal(sur.Round(2)) {
		return nil, invalid("El campo sobreprecio debe ser un monto positivo con dos decimales como máximo")
	}
	cl, err := g.svc.ClientInfo(ctx, req.ClientID)
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	owners, err := g.clientsByPlates(ctx, []string{plates})
	if err != nil {
		return nil, mapError(err, "las placas "+plates)
	}
	if o, ok := owners[plates]; ok && o.id != req.ClientID {
		return nil, server.NewError(server.KindConflict, fmt.Sprintf("Las placas %s ya están registradas para otro cliente (%d)", plates, o.id))
	}
	rule, err := g.client.ActivateCollection(ctx, gnv.CollectionRule{Plates: plates, SurchargePerLitre: sur, ClientRef: strconv.FormatInt(req.ClientID, 10)})
	if err != nil {
		var ae *gnv.APIError
		if errors.As(err, &ae) && ae.Code == "plates_taken" {
			return nil, server.WrapError(server.KindConflict, "La red GNV ya tiene las placas "+plates+" registradas para otro cliente", err)
		}
		if errors.As(err, &ae) && ae.Status == 422 {
			return nil, server.WrapError(server.KindUnprocessable, "La red GNV rechazó la regla: "+ae.Message, err)
		}
		return nil, mapError(err, "la red GNV")
	}
	if err := g.svc.UpdateClient(ctx, req.ClientID, cmu.ClientUpdate{Plates: &plates}); err != nil {
		return nil, mapError(err, fmt.Sprintf("el cliente %d", req.ClientID))
	}
	if _, _, err := g.svc.OpenSavingsPlan(ctx, cmu.SavingsPlanRequest{ClientID: req.ClientID}); err != nil {
		return nil, mapError(err, fmt.Sprintf("el plan de ahorro del cliente %d", req.ClientID))
	}
	msg := fmt.Sprintf("Cobro GNV activado para las placas %s: %s MXN por litro (regla %s)", plates, sur.StringFixed(2), rule.RuleID)
	ids, err := g.svc.PostEvent(ctx, cmu.Event{ClientID: req.ClientID, Type: "gnv_activado", Message: msg, Author: authorName(ctx, "CMu")})
	if err != nil {
		return nil, mapError(err, fmt.Sprintf("el historial del cliente %d", req.ClientID))
	}
	entry := &server.EventLogEntry{ClientID: req.ClientID, Type: "gnv_activado", Message: msg, Author: authorName(ctx, "CMu"), CreatedAt: g.now().UTC()}
	if len(ids) > 0 {
		entry.ID = ids[0]
	}
	g.pub.applied(ctx, req.ClientID, server.Market(cl.Market), "gnv_activado", entry, nil)
	if _, err := g.ApplyUnmatched(ctx, plates); err != nil {
		// The activation stands; the pending consumption is applied by the
		// next activation call or batch for these plates.
		g.log.LogAttrs(ctx, slog.LevelWarn, "unmatched GNV consumption not applied yet", slog.String("plates", plates), slog.Any("err", err))
	}
	return &server.GNVActivation{ClientID: req.ClientID, Placas: plates, Sobreprecio: sur, RuleID: rule.RuleID, Status: string(rule.Status)}, nil
}

// surchargePattern reads the surcharge back from an activation note.
var surchargePattern = regexp.MustCompile(`: ([0-9]+(?:\.[0-9]+)?) MXN por litro`)

// Surcharge returns the surcharge per litre of the client's latest GNV
// activation, read from its history (the network keeps the rule; CMu's
// record of it is the "gnv_activado" note), zero when none (two calls).
func (g *GNV) Surcharge(ctx context.Context, clientID int64) (decimal.Decimal, error) {
	hist, err := g.svc.History(ctx, clientID, 200)
	if err != nil {
		return decimal.Zero, fmt.Errorf("app: GNV surcharge of client %d: %w", clientID, err)
	}
	for _, h := range hist { // newest first
		if h.Type != "gnv_activado" {
			continue
		}
		if m := surchargePattern.FindStringSubmatch(h.Message); m != nil {
			return decimal.NewFromString(m[1])
		}
	}
	return decimal.Zero, nil
}

// owner is a client matched by plates.
type owner struct {
	id     int64
	name   string
	market server.Market
}

// clientsByPlates finds the clients of normalised plates in one Odoo call.
// Partners may hold plates in an older form ("ABC-123"), so both forms are
// searched and compared normalised.
func (g *GNV) clientsByPlates(ctx context.Context, plates []string) (map[string]owner, error) {
	out := map[string]owner{}
	if len(plates) == 0 {
		return out, nil
	}
	var rows []struct {
		ID     int64       `odoo:"id"`
		Name   string      `odoo:"name"`
		Plates odoo.String `odoo:"x_cmu_plates"`
		Market odoo.String `odoo:"x_cmu_market"`
	}
	if err := g.oc.SearchRead(ctx, odoo.ModelPartner, odoo.In("x_cmu_plates", plates),
		&odoo.SearchOptions{Fields: []string{"id", "name", "x_cmu_plates", "x_cmu_market"}, Order: "id"}, &rows); err != nil {
		return nil, fmt.Errorf("app: clients by plates: %w", err)
	}
	for _, r := range rows {
		p, err := gnv.NormalizePlates(r.Plates.Value)
		if err != nil {
			p = r.Plates.Value
		}
		if _, dup := out[p]; !dup {
			out[p] = owner{id: r.ID, name: r.Name, market: server.Market(r.Market.Value)}
		}
	}
	return out, nil
}

// platesCandidates lists the plate forms to search for a batch's records.
func platesCandidates(recs []gnv.Record) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, r := range recs {
		add(r.Plates)
		add(strings.ToUpper(strings.Join(strings.Fields(r.RawPlates), "")))
	}
	return out
}

// ProcessConsumption is the webhooks.HandlerFunc of GNV deliveries. It is
// idempotent: contributions are unique by transaction id and unmatched rows
// by transaction id too.
func (g *GNV) ProcessConsumption(ctx context.Context, d webhooks.Delivery) error {
	b, err := gnv.ParseBatch(d.Body)
	if err != nil {
		return webhooks.Permanent(err)
	}
	for _, r := range b.Rejected {
		g.log.LogAttrs(ctx, slog.LevelWarn, "GNV record rejected (kept in the inbox body)", slog.String("batch", b.BatchID),
			slog.Int("index", r.Index), slog.String("transaction", r.TransactionID), slog.Any("err", r.Err))
	}
	owners, err := g.clientsByPlates(ctx, platesCandidates(b.Records))
	if err != nil {
		return err
	}
	touched := map[int64]owner{}
	var unmatched []gnv.Record
	for _, r := range b.Records {
		o, ok := owners[r.Plates]
		if !ok {
			n, err := g.insertUnmatched(ctx, r)
			if err != nil {
				return err
			}
			if n > 0 {
				unmatched = append(unmatched, r)
			}
			continue
		}
		if !r.SurchargeCollected.IsPositive() {
			continue
		}
		created, err := contribute(ctx, g.svc, cmu.Contribution{ClientID: o.id, Amount: r.SurchargeCollected, Source: cmu.SourceGNV,
			TransactionID: txID(r.TransactionID), Date: r.OccurredAt,
			Description: fmt.Sprintf("GNV %s %s L en %s", r.Plates, r.Litres.StringFixed(3), r.StationID)})
		if err != nil {
			return fmt.Errorf("app: GNV batch %s record %s: %w", b.BatchID, r.TransactionID, err)
		}
		if created {
			touched[o.id] = o
		}
	}
	for id, o := range touched {
		g.pub.applied(ctx, id, o.market, "aportacion_gnv", nil, nil)
	}
	if len(unmatched) > 0 {
		ps := map[string]bool{}
		var list []string
		for _, r := range unmatched {
			if !ps[r.Plates] {
				ps[r.Plates] = true
				list = append(list, r.Plates)
			}
		}
		g.pub.applied(ctx, 0, "", "", nil, &Notification{Kind: "placas_no_registradas", Level: "warning", Title: "Placas sin cliente",
			Message: fmt.Sprintf("%d consumos GNV del lote %s esperan placas no registradas: %s", len(unmatched), b.BatchID, strings.Join(list, ", "))})
	}
	return nil
}

// UnmatchedConsumption is a GNV record waiting for its plates to be
// registered, as kept in gnv_unmatched_consumption.
type UnmatchedConsumption = server.UnmatchedGNVConsumption

// q rewrites ? placeholders as $n on PostgreSQL.
func (g *GNV) q(query string) string { return g.db.Rebind(query) }

// insertUnmatched keeps a record of unknown plates; it returns 0 when the
// transaction was already kept.
func (g *GNV) insertUnmatched(ctx context.Context, r gnv.Record) (int64, error) {
	res, err := g.db.SQL.ExecContext(ctx, g.q(`INSERT INTO gnv_unmatched_consumption
		(transaction_id, plates, station, litres, amount, occurred_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (transaction_id) DO NOTHING`),
		r.TransactionID, r.Plates, r.StationID, r.Litres.StringFixed(3), r.SurchargeCollected.StringFixed(2), r.OccurredAt.UTC(), g.now().UTC())
	if err != nil {
		return 0, fmt.Errorf("app: keep unmatched GNV record %s: %w", r.TransactionID, err)
	}
	return res.RowsAffected()
}

// ListUnmatched returns the consumption waiting for plates (all plates when
// plates is empty), oldest first, at most limit rows (0 = 500).
func (g *GNV) ListUnmatched(ctx context.Context, plates string, limit int) ([]UnmatchedConsumption, error) {
	if limit <= 0 {
		limit = 500
	}
	return g.listUnmatched(ctx, plates, limit, 0)
}

// ListUnmatchedGNV is the server.GNVUnmatchedService of GET
// /api/gnv/unmatched: one page of the waiting consumption, oldest first,
// with the total; p.Placas (any spelling) is normalised as the webhook
// stores plates.
func (g *GNV) ListUnmatchedGNV(ctx context.Context, p server.ListUnmatchedGNVParams) (*server.UnmatchedGNVPage, error) {
	plates := ""
	if strings.TrimSpace(p.Placas) != "" {
		var err error
		if plates, err = gnv.NormalizePlates(p.Placas); err != nil {
			return nil, invalid("El campo placas no es una placa válida")
		}
	}
	if p.Page < 1 || p.PageSize < 1 {
		return nil, invalid("Los parámetros page y pageSize deben ser mayores que 0")
	}
	query := `SELECT COUNT(*) FROM gnv_unmatched_consumption WHERE applied_at IS NULL`
	var args []any
	if plates != "" {
		query += ` AND plates = ?`
		args = append(args, plates)
	}
	var total int
	if err := g.db.SQL.QueryRowContext(ctx, g.q(query), args...).Scan(&total); err != nil {
		return nil, fmt.Errorf("app: count unmatched GNV consumption: %w", err)
	}
	items, err := g.listUnmatched(ctx, plates, p.PageSize, (p.Page-1)*p.PageSize)
	if err != nil {
		return nil, err
	}
	if items == nil {
		items = []UnmatchedConsumption{}
	}
	return &server.UnmatchedGNVPage{Items: items, Page: p.Page, PageSize: p.PageSize, Total: total}, nil
}

// listUnmatched returns at most limit waiting rows after the first offset.
func (g *GNV) listUnmatched(ctx context.Context, plates string, limit, offset int) ([]UnmatchedConsumption, error) {
	query := `SELECT id, transaction_id, plates, station, litres, amount, occurred_at, received_at FROM gnv_unmatched_consumption WHERE applied_at IS NULL`
	args := []any{}
	if plates != "" {
		query += ` AND plates = ?`
		args = append(args, plates)
	}
	query += ` ORDER BY id LIMIT ? OFFSET ?`
	args = append(args, limit, offset)
	rows, err := g.db.SQL.QueryContext(ctx, g.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("app: list unmatched GNV consumption: %w", err)
	}
	defer rows.Close()
	var out []UnmatchedConsumption
	for rows.Next() {
		var u UnmatchedConsumption
		var litres, amount string
		if err := rows.Scan(&u.ID, &u.TransactionID, &u.Plates, &u.Station, &litres, &amount, &u.OccurredAt, &u.ReceivedAt); err != nil {
			return nil, fmt.Errorf("app: list unmatched GNV consumption: %w", err)
		}
		var err1, err2 error
		u.Litres, err1 = decimal.NewFromString(litres)
		var a decimal.Decimal
		a, err2 = decimal.NewFromString(amount)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("app: unmatched GNV row %d: %w", u.ID, err)
		}
		u.Amount = server.NewMoney(a)
		out = append(out, u)
	}
	return out, rows.Err()
}

// ApplyUnmatched records the waiting consumption of plates as contributions of
// the client now holding them and marks the rows applied; it returns how many
// were applied. Safe to repeat: contributions are unique by transaction id.
func (g *GNV) ApplyUnmatched(ctx context.Context, plates string) (int, error) {
	owners, err := g.clientsByPlates(ctx, []string{plates})
	if err != nil {
		return 0, err
	}
	o, ok := owners[plates]
	if !ok {
		return 0, nil
	}
	rows, err := g.ListUnmatched(ctx, plates, 0)
	if err != nil {
		return 0, err
	}
	applied := 0
	total := decimal.Zero
	for _, u := range rows {
		if u.Amount.IsPositive() {
			created, err := contribute(ctx, g.svc, cmu.Contribution{ClientID: o.id, Amount: u.Amount.Decimal, Source: cmu.SourceGNV,
				TransactionID: txID(u.TransactionID), Date: u.OccurredAt,
				Description: fmt.Sprintf("GNV %s %s L en %s (aplicado al registrar las placas)", u.Plates, u.Litres.StringFixed(3), u.Station)})
			if err != nil {
				return applied, fmt.Errorf("app: apply unmatched GNV record %s: %w", u.TransactionID, err)
			}
			if created {
				applied++
				total = total.Add(u.Amount.Decimal)
			}
		}
		if _, err := g.db.SQL.ExecContext(ctx, g.q(`UPDATE gnv_unmatched_consumption SET applied_at = ? WHERE id = ? AND applied_at IS NULL`), g.now().UTC(), u.ID); err != nil {
			return applied, fmt.Errorf("app: mark unmatched GNV record %s applied: %w", u.TransactionID, err)
		}
	}
	if applied > 0 {
		msg := fmt.Sprintf("%d consumos GNV pendientes de las placas %s aplicados al plan de ahorro: %s MXN", applied, plates, total.StringFixed(2))
		entry := &server.EventLogEntry{ClientID: o.id, Type: "gnv_pendientes_aplicados", Message: msg, Author: "CMu", CreatedAt: g.now().UTC()}
		if ids, err := g.svc.PostEvent(ctx, cmu.Event{ClientID: o.id, Type: entry.Type, Message: msg, Author: "CMu"}); err == nil && len(ids) > 0 {
			entry.ID = ids[0]
		}
		g.pub.applied(ctx, o.id, o.market, "aportacion_gnv", entry, &Notification{Kind: "gnv_pendientes_aplicados", Level: "info",
			Title: "Consumos GNV aplicados", Message: o.name + ": " + msg, ClientID: o.id})
	}
	return applied, nil
}

// Sweep applies the waiting consumption of every plate that a client now
// holds (plates registered in Odoo directly, or an activation whose apply
// step failed). It is the body of a cron job.
func (g *GNV) Sweep(ctx context.Context) error {
	rows, err := g.db.SQL.QueryContext(ctx, `SELECT DISTINCT plates FROM gnv_unmatched_consumption WHERE applied_at IS NULL`)
	if err != nil {
		return fmt.Errorf("app: GNV sweep: %w", err)
	}
	var plates []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return fmt.Errorf("app: GNV sweep: %w", err)
		}
		plates = append(plates, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("app: GNV sweep: %w", err)
	}
	owners, err := g.clientsByPlates(ctx, plates)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range plates {
		if _, ok := owners[p]; ok {
			if _, err := g.ApplyUnmatched(ctx, p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// BatchCounts is the synchronous answer of the consumption webhook: how the
// batch's records will be treated, computed before the delivery is stored.
type BatchCounts struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	ID         int64  `json:"id,omitempty"`
	Duplicate  bool   `json:"duplicate"`
	BatchID    string `json:"batchId"`
	Records    int    `json:"records"`
	// Accepted records have registered plates and become contributions.
	Accepted int `json:"accepted"`
	// Duplicates were already recorded (contribution or waiting row).
	Duplicates int `json:"duplicates"`
	// Unmatched records have plates no client holds; they wait for them.
	Unmatched int `json:"unmatched"`
	// Rejected records failed validation (kept in the stored body).
	Rejected int `json:"rejected"`
}

// classify counts a batch's records against Odoo and the waiting table
// (two Odoo calls and one query).
func (g *GNV) classify(ctx context.Context, body []byte) (*BatchCounts, error) {
	b, err := gnv.ParseBatch(body)
	if err != nil {
		return nil, err
	}
	c := &BatchCounts{StatusCode: 200, Message: "Lote de consumos recibido", BatchID: b.BatchID,
		Records: len(b.Records) + len(b.Rejected), Rejected: len(b.Rejected)}
	if len(b.Records) == 0 {
		return c, nil
	}
	txs := make([]string, 0, len(b.Records))
	raw := make([]any, 0, len(b.Records))
	for _, r := range b.Records {
		txs = append(txs, txID(r.TransactionID))
		raw = append(raw, r.TransactionID)
	}
	var lines []struct {
		TX odoo.String `odoo:"x_cmu_transaction_id"`
	}
	if err := g.oc.SearchRead(ctx, odoo.ModelAnalyticLine, odoo.In("x_cmu_transaction_id", txs),
		&odoo.SearchOptions{Fields: []string{"x_cmu_transaction_id"}}, &lines); err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, l := range lines {
		known[strings.TrimPrefix(l.TX.Value, "gnv:")] = true
	}
	rows, err := g.db.SQL.QueryContext(ctx, g.q(`SELECT transaction_id FROM gnv_unmatched_consumption WHERE transaction_id IN (?`+strings.Repeat(", ?", len(raw)-1)+`)`), raw...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		known[t] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	owners, err := g.clientsByPlates(ctx, platesCandidates(b.Records))
	if err != nil {
		return nil, err
	}
	for _, r := range b.Records {
		_, match := owners[r.Plates]
		switch {
		case known[r.TransactionID]:
			c.Duplicates++
		case match:
			c.Accepted++
		default:
			c.Unmatched++
		}
	}
	return c, nil
}

// classifyTimeout bounds the counting of a GNV batch on the intake path: when
// Odoo is slow or down the delivery is stored and acknowledged without counts
// rather than kept waiting.
const classifyTimeout = 2 * time.Second

// countBackoff is how long the intake stops counting after a counting
// failure, so that deliveries during an Odoo outage are acknowledged at once.
const countBackoff = 10 * time.Second

// countingInbox computes the counts of GNV deliveries before they are stored
// (so that processing, which may start right after the commit, cannot change
// them) and keeps them for Respond.
type countingInbox struct {
	next webhooks.Inserter
	g    *GNV
}

// Insert implements webhooks.Inserter. Counting is best effort: when Odoo
// cannot answer within classifyTimeout the delivery is still stored and the
// default acknowledgement is sent.
func (ci countingInbox) Insert(ctx context.Context, ds []webhooks.Delivery) ([]webhooks.InsertResult, error) {
	for _, d := range ds {
		ci.g.mu.Lock()
		skip := !ci.g.countFailed.IsZero() && ci.g.now().Sub(ci.g.countFailed) < countBackoff
		ci.g.mu.Unlock()
		if skip {
			continue // Odoo failed moments ago: acknowledge without counts, at once
		}
		cctx, cancel := context.WithTimeout(ctx, classifyTimeout)
		c, err := ci.g.classify(cctx, d.Body)
		cancel()
		if err != nil {
			ci.g.mu.Lock()
			ci.g.countFailed = ci.g.now()
			ci.g.mu.Unlock()
			ci.g.log.LogAttrs(ctx, slog.LevelWarn, "GNV batch not counted", slog.String("event_id", d.EventID), slog.Any("err", err))
			continue
		}
		ci.g.mu.Lock()
		ci.g.counts[d.EventID] = c
		ci.g.mu.Unlock()
	}
	res, err := ci.next.Insert(ctx, ds)
	if err != nil {
		ci.g.mu.Lock()
		for _, d := range ds {
			delete(ci.g.counts, d.EventID)
		}
		ci.g.mu.Unlock()
	}
	return res, err
}

// respond is the GNV HandlerConfig.Respond hook: the counts of the delivery
// (every record a duplicate when the whole delivery was).
func (g *GNV) respond(_ context.Context, d webhooks.Delivery, duplicate bool) (any, error) {
	g.mu.Lock()
	c := g.counts[d.EventID]
	delete(g.counts, d.EventID)
	g.mu.Unlock()
	if c == nil {
		return nil, errors.New("app: GNV batch counts unavailable")
	}
	c.ID = d.ID
	if duplicate {
		c.Duplicate = true
		c.Message = "Lote de consumos ya recibido"
		c.Duplicates += c.Accepted + c.Unmatched
		c.Accepted, c.Unmatched = 0, 0
	}
	return c, nil
}

var _ webhooks.Inserter = countingInbox{}
