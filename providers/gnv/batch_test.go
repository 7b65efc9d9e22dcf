package gnv_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/gnv"
)

func TestNormalizePlates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"ABC-123-D", "ABC123D", true},
		{"abc 123 d", "ABC123D", true},
		{" a.b.c-12-34 ", "ABC1234", true},
		{"A\u00a01234", "A1234", true},
		{"12-AB-3C", "12AB3C", true},
		{"ABCDEF", "", false},        // no digit
		{"A1", "", false},            // too short
		{"ABCDEFGH12345", "", false}, // too long
		{"ÑAB-123", "", false},       // not a plate character
		{"ABC/123", "", false},       // slash
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := gnv.NormalizePlates(tt.in)
			if !tt.ok {
				if !errors.Is(err, gnv.ErrInvalidPlates) {
					t.Fatalf("NormalizePlates(%q) err = %v, want ErrInvalidPlates", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizePlates(%q) = %q, %v, want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseBatch(t *testing.T) {
	t.Parallel()
	body := `{"batch_id":"B-2026-11-21-EST042","date":"2026-11-21","records":[
	 {"transaction_id":"T-1","plates":"abc-123-d","station_id":"EST042","litres":"38.500","surcharge_collected":"57.75","occurred_at":"2026-11-21T14:03:00Z"},
	 {"transaction_id":"T-2","plates":"XYZ9876","station_id":"EST042","litres":20,"surcharge_collected":30,"occurred_at":"2026-11-21T18:10:00-06:00"},
	 {"transaction_id":"T-1","plates":"abc-123-d","station_id":"EST042","litres":"38.500","surcharge_collected":"57.75","occurred_at":"2026-11-21T14:03:00Z"},
	 {"transaction_id":"T-3","plates":"NOPLATE","station_id":"EST042","litres":"1","surcharge_collected":"1.5","occurred_at":"2026-11-21T10:00:00Z"},
	 {"transaction_id":"T-4","plates":"ABC1234","station_id":"EST042","litres":1e2,"surcharge_collected":"1.5","occurred_at":"2026-11-21T10:00:00Z"},
	 {"transaction_id":"T-5","plates":"ABC1234","station_id":"EST042","litres":"10","surcharge_collected":"1.505","occurred_at":"2026-11-21T10:00:00Z"},
	 {"transaction_id":"T-6","plates":"ABC1234","station_id":"EST042","litres":"0","surcharge_collected":"0","occurred_at":"2026-11-21T10:00:00Z"},
	 {"transaction_id":"T-7","plates":"ABC1234","station_id":"","litres":"5","surcharge_collected":"0","occurred_at":"2026-11-21T10:00:00Z"},
	 {"transaction_id":"T-8","plates":"ABC1234","station_id":"S","litres":"5","surcharge_collected":"0","occurred_at":"yesterday"},
	 "not an object"
	]}`
	b, err := gnv.ParseBatch([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []gnv.Record{
		{TransactionID: "T-1", Plates: "ABC123D", RawPlates: "abc-123-d", StationID: "EST042", Litres: decimal.RequireFromString("38.500"), SurchargeCollected: decimal.RequireFromString("57.75"), OccurredAt: time.Date(2026, 11, 21, 14, 3, 0, 0, time.UTC)},
		{TransactionID: "T-2", Plates: "XYZ9876", RawPlates: "XYZ9876", StationID: "EST042", Litres: decimal.NewFromInt(20), SurchargeCollected: decimal.NewFromInt(30), OccurredAt: time.Date(2026, 11, 22, 0, 10, 0, 0, time.UTC)},
	}
	if diff := cmp.Diff(want, b.Records, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if b.Type != gnv.EventConsumptionBatch || b.BatchID != "B-2026-11-21-EST042" || b.Date != "2026-11-21" {
		t.Errorf("batch header = %q %q %q", b.Type, b.BatchID, b.Date)
	}
	wantRejected := []struct {
		index int
		id    string
		err   error
	}{
		{2, "T-1", gnv.ErrDuplicateInBatch},
		{3, "T-3", gnv.ErrInvalidPlates},
		{4, "T-4", gnv.ErrInvalidRecord},
		{5, "T-5", gnv.ErrInvalidRecord},
		{6, "T-6", gnv.ErrInvalidRecord},
		{7, "T-7", gnv.ErrInvalidRecord},
		{8, "T-8", gnv.ErrInvalidRecord},
		{9, "", gnv.ErrInvalidRecord},
	}
	if len(b.Rejected) != len(wantRejected) {
		t.Fatalf("rejected %d records, want %d: %+v", len(b.Rejected), len(wantRejected), b.Rejected)
	}
	for i, w := range wantRejected {
		got := b.Rejected[i]
		if got.Index != w.index || got.TransactionID != w.id || !errors.Is(got.Err, w.err) || len(got.Raw) == 0 {
			t.Errorf("rejected[%d] = {%d %q %v}, want {%d %q %v}", i, got.Index, got.TransactionID, got.Err, w.index, w.id, w.err)
		}
	}
}

func TestParseBatchMalformed(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not json":       `nope`,
		"no batch id":    `{"date":"2026-11-21","records":[]}`,
		"bad date":       `{"batch_id":"B","date":"21/11/2026","records":[]}`,
		"no records":     `{"batch_id":"B","date":"2026-11-21"}`,
		"records object": `{"batch_id":"B","date":"2026-11-21","records":{}}`,
		"trailing data":  `{"batch_id":"B","date":"2026-11-21","records":[]} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := gnv.ParseBatch([]byte(body)); !errors.Is(err, gnv.ErrMalformedBatch) {
				t.Errorf("err = %v, want ErrMalformedBatch", err)
			}
		})
	}
}

func TestMarshalBatchRoundTrip(t *testing.T) {
	t.Parallel()
	in := gnv.Batch{BatchID: "B-1", Date: "2026-11-21", Records: []gnv.Record{{
		TransactionID: "T-9", Plates: "ABC123D", RawPlates: "ABC-123-D", StationID: "EST1",
		Litres: decimal.RequireFromString("12.345"), SurchargeCollected: decimal.RequireFromString("18.50"),
		OccurredAt: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC),
	}}}
	body, err := gnv.MarshalBatch(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := gnv.ParseBatch(body)
	if err != nil {
		t.Fatal(err)
	}
	in.Type = gnv.EventConsumptionBatch
	if diff := cmp.Diff(&in, out, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestAllowlist(t *testing.T) {
	t.Parallel()
	a, err := gnv.ParseAllowlist([]string{"203.0.113.0/24", " 198.51.100.7 ", "", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{
		"203.0.113.9:443":          true,
		"203.0.114.9:443":          false,
		"198.51.100.7:5555":        true,
		"198.51.100.8":             false,
		"[2001:db8::1]:80":         true,
		"[2001:db9::1]:80":         false,
		"[::ffff:203.0.113.5]:443": true,
		"garbage":                  false,
		"":                         false,
	}
	for addr, want := range tests {
		if got := a.Allows(addr); got != want {
			t.Errorf("Allows(%q) = %v, want %v", addr, got, want)
		}
	}
	if !(gnv.Allowlist{}).Allows("1.2.3.4:5") || (gnv.Allowlist{}).Enabled() {
		t.Error("empty allowlist must allow everything and be disabled")
	}
	if _, err := gnv.ParseAllowlist([]string{"10.0.0.0/33"}); !errors.Is(err, gnv.ErrInvalidCIDR) {
		t.Errorf("bad prefix: err = %v", err)
	}
	if _, err := gnv.ParseAllowlist([]string{"host.example"}); !errors.Is(err, gnv.ErrInvalidCIDR) {
		t.Errorf("hostname: err = %v", err)
	}
}

func FuzzParseBatch(f *testing.F) {
	f.Add([]byte(`{"batch_id":"B","date":"2026-11-21","records":[{"transaction_id":"T","plates":"ABC123","station_id":"S","litres":"1.5","surcharge_collected":"2","occurred_at":"2026-11-21T10:00:00Z"}]}`))
	f.Add([]byte(`{"batch_id":"B","date":"2026-11-21","records":[{"litres":1e999999}]}`))
	f.Add([]byte(`[]`))
	if fixture, err := os.ReadFile("testdata/batch.json"); err == nil {
		f.Add(fixture)
	}
	now := time.Unix(specTimestamp, 0)
	v := specVerifier(f, now)
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := gnv.ParseBatch(body)
		// Verify accepts an authentic body exactly when ParseBatch does.
		h, _ := gnv.SignHeaders(specSecret, "msg_fuzz", now, body)
		if _, verr := v.Verify(h, body); (verr == nil) != (err == nil) {
			t.Fatalf("Verify err %v but ParseBatch err %v", verr, err)
		}
		if err != nil {
			return
		}
		for _, r := range b.Records {
			if err := r.Validate(); err != nil {
				t.Fatalf("accepted record fails Validate: %v", err)
			}
			if p, err := gnv.NormalizePlates(r.Plates); err != nil || p != r.Plates {
				t.Fatalf("plates %q not normalised", r.Plates)
			}
		}
	})
}
