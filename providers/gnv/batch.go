package gnv

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/internal/wire"
)

// EventConsumptionBatch is the type of a daily consumption delivery.
const EventConsumptionBatch = "gnv.consumption.batch"

// Sanity bounds for one record; values outside them are rejected (kept in
// Batch.Rejected for review, never dropped).
const (
	// MaxLitres is the largest load of one transaction, in litres.
	MaxLitres = 2000
	// MaxSurcharge is the largest surcharge collected in one transaction, in MXN.
	MaxSurcharge = 100000
)

// Errors of batch parsing and record validation.
var (
	// ErrMalformedBatch means the body is not a consumption batch at all.
	ErrMalformedBatch = errors.New("gnv: malformed consumption batch")
	// ErrInvalidRecord is wrapped by every record validation error.
	ErrInvalidRecord = errors.New("gnv: invalid consumption record")
	// ErrDuplicateInBatch marks a record whose transaction id already appeared
	// earlier in the same batch.
	ErrDuplicateInBatch = errors.New("gnv: transaction id repeated in batch")
)

// Batch is one consumption delivery.
type Batch struct {
	// Type is EventConsumptionBatch unless the body says otherwise.
	Type string
	// BatchID is the network's id of the batch.
	BatchID string
	// Date is the consumption day, "YYYY-MM-DD" (Mexico City calendar per the contract).
	Date string
	// Records are the valid records, plates normalised, in body order.
	Records []Record
	// Rejected are records that failed validation, kept with their raw JSON so
	// the server can store them for review instead of dropping them.
	Rejected []RejectedRecord
}

// Record is one fuel load at a station.
type Record struct {
	TransactionID string
	// Plates are normalised with NormalizePlates; RawPlates is what was sent.
	Plates, RawPlates string
	StationID         string
	// Litres loaded (litre equivalent), up to 3 decimals.
	Litres decimal.Decimal
	// SurchargeCollected in MXN, up to 2 decimals: the client's contribution.
	SurchargeCollected decimal.Decimal
	OccurredAt         time.Time
}

// RejectedRecord is a record ParseBatch could not accept.
type RejectedRecord struct {
	// Index is the record's position in the body's records array.
	Index int
	// TransactionID when it could be read, else "".
	TransactionID string
	Raw           json.RawMessage
	// Err wraps ErrInvalidRecord or ErrDuplicateInBatch.
	Err error
}

// wireHead is the batch envelope with the records left undecoded.
type wireHead struct {
	Type    string          `json:"type"`
	BatchID string          `json:"batch_id"`
	Date    string          `json:"date"`
	Records json.RawMessage `json:"records"`
}

// decodeHead decodes and checks the batch envelope: one JSON object, batch_id
// of 1–128 characters, date YYYY-MM-DD, records an array. Verify and
// ParseBatch both start here, so they accept the same bodies.
func decodeHead(body []byte) (wireHead, error) {
	var h wireHead
	if err := json.Unmarshal(body, &h); err != nil {
		return h, fmt.Errorf("%w: %v", ErrMalformedBatch, err)
	}
	if h.BatchID == "" || len(h.BatchID) > 128 {
		return h, fmt.Errorf("%w: batch_id must have 1 to 128 characters", ErrMalformedBatch)
	}
	if _, err := time.Parse(time.DateOnly, h.Date); err != nil {
		return h, fmt.Errorf("%w: date %q is not YYYY-MM-DD", ErrMalformedBatch, clip(h.Date))
	}
	if len(h.Records) == 0 || h.Records[0] != '[' {
		return h, fmt.Errorf("%w: records must be an array", ErrMalformedBatch)
	}
	if h.Type == "" {
		h.Type = EventConsumptionBatch
	}
	return h, nil
}

type wireRecord struct {
	TransactionID      string          `json:"transaction_id"`
	Plates             string          `json:"plates"`
	StationID          string          `json:"station_id"`
	Litres             json.RawMessage `json:"litres"`
	SurchargeCollected json.RawMessage `json:"surcharge_collected"`
	OccurredAt         string          `json:"occurred_at"`
}

// WireRecord is the JSON form of r, as the network sends it (decimals as
// strings). gnvtest and tests use it to build bodies.
func (r Record) WireRecord() map[string]any {
	plates := r.RawPlates
	if plates == "" {
		plates = r.Plates
	}
	return map[string]any{
		"transaction_id":      r.TransactionID,
		"plates":              plates,
		"station_id":          r.StationID,
		"litres":              r.Litres.String(),
		"surcharge_collected": r.SurchargeCollected.StringFixed(2),
		"occurred_at":         r.OccurredAt.UTC().Format(time.RFC3339),
	}
}

// MarshalBatch encodes a batch in the contract's JSON (Rejected is ignored).
func MarshalBatch(b Batch) ([]byte, error) {
	recs := make([]map[string]any, len(b.Records))
	for i, r := range b.Records {
		recs[i] = r.WireRecord()
	}
	typ := b.Type
	if typ == "" {
		typ = EventConsumptionBatch
	}
	return json.Marshal(map[string]any{"type": typ, "batch_id": b.BatchID, "date": b.Date, "records": recs})
}

// ParseBatch decodes a consumption batch. Structural problems (not JSON, no
// batch_id, bad date, records not an array) return an error wrapping
// ErrMalformedBatch; a record that fails validation goes to Rejected and does
// not fail the batch. ParseBatch does not check signatures: call it on bodies a
// Verifier accepted.
func ParseBatch(body []byte) (*Batch, error) {
	head, err := decodeHead(body)
	if err != nil {
		return nil, err
	}
	var records []json.RawMessage
	if err := json.Unmarshal(head.Records, &records); err != nil {
		return nil, fmt.Errorf("%w: records: %v", ErrMalformedBatch, err)
	}
	b := &Batch{Type: head.Type, BatchID: head.BatchID, Date: head.Date, Records: make([]Record, 0, len(records))}
	seen := make(map[string]bool, len(records))
	for i, raw := range records {
		r, err := parseRecord(raw)
		if err == nil && seen[r.TransactionID] {
			err = fmt.Errorf("%w: %q", ErrDuplicateInBatch, r.TransactionID)
		}
		if err != nil {
			b.Rejected = append(b.Rejected, RejectedRecord{Index: i, TransactionID: r.TransactionID, Raw: raw, Err: err})
			continue
		}
		seen[r.TransactionID] = true
		b.Records = append(b.Records, r)
	}
	return b, nil
}

func parseRecord(raw json.RawMessage) (Record, error) {
	var w wireRecord
	if err := json.Unmarshal(raw, &w); err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrInvalidRecord, err)
	}
	r := Record{TransactionID: w.TransactionID, RawPlates: w.Plates, StationID: w.StationID}
	var err error
	if r.Litres, err = wire.DecimalFromJSON(w.Litres); err != nil {
		return r, fmt.Errorf("%w: litres: %v", ErrInvalidRecord, err)
	}
	if r.SurchargeCollected, err = wire.DecimalFromJSON(w.SurchargeCollected); err != nil {
		return r, fmt.Errorf("%w: surcharge_collected: %v", ErrInvalidRecord, err)
	}
	if r.OccurredAt, err = time.Parse(time.RFC3339, w.OccurredAt); err != nil {
		return r, fmt.Errorf("%w: occurred_at %q is not RFC 3339", ErrInvalidRecord, clip(w.OccurredAt))
	}
	r.OccurredAt = r.OccurredAt.UTC()
	if err := r.Validate(); err != nil {
		return r, err
	}
	r.Plates, _ = NormalizePlates(r.RawPlates)
	return r, nil
}

// Validate checks one record: transaction id 1–128 characters, plates
// normalisable (RawPlates, or Plates when RawPlates is empty), station id 1–64
// characters, 0 < litres ≤ MaxLitres with at most 3 decimals, 0 ≤ surcharge ≤
// MaxSurcharge with at most 2 decimals, and a set time. Errors wrap
// ErrInvalidRecord (and ErrInvalidPlates for plates).
func (r Record) Validate() error {
	plates := r.RawPlates
	if plates == "" {
		plates = r.Plates
	}
	switch {
	case r.TransactionID == "" || len(r.TransactionID) > 128:
		return fmt.Errorf("%w: transaction_id must have 1 to 128 characters", ErrInvalidRecord)
	case r.StationID == "" || len(r.StationID) > 64:
		return fmt.Errorf("%w: %s: station_id must have 1 to 64 characters", ErrInvalidRecord, r.TransactionID)
	case !r.Litres.IsPositive() || r.Litres.GreaterThan(decimal.NewFromInt(MaxLitres)) || wire.Places(r.Litres) > 3:
		return fmt.Errorf("%w: %s: litres %s must be in (0, %d] with at most 3 decimals", ErrInvalidRecord, r.TransactionID, r.Litres, MaxLitres)
	case r.SurchargeCollected.IsNegative() || r.SurchargeCollected.GreaterThan(decimal.NewFromInt(MaxSurcharge)) || wire.Places(r.SurchargeCollected) > 2:
		return fmt.Errorf("%w: %s: surcharge_collected %s must be in [0, %d] with at most 2 decimals", ErrInvalidRecord, r.TransactionID, r.SurchargeCollected, MaxSurcharge)
	case r.OccurredAt.IsZero():
		return fmt.Errorf("%w: %s: occurred_at missing", ErrInvalidRecord, r.TransactionID)
	}
	if _, err := NormalizePlates(plates); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidRecord, r.TransactionID, err)
	}
	return nil
}
