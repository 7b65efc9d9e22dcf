package odootest

import (
	"bytes"
	"fmt"
	"testing"
)

type bytesBuffer struct{ bytes.Buffer }

// BenchmarkSearchRead2000 measures the fake answering a 2,000-partner
// search_read (many2one, many2many, dates, floats) per protocol.
func BenchmarkSearchRead2000(b *testing.B) {
	srv := NewServer(b)
	co := srv.Seed("res.partner", map[string]any{"name": "CMu", "is_company": true})[0]
	tag := srv.Seed("res.partner.category", map[string]any{"name": "Operador"})[0]
	recs := make([]map[string]any, 2000)
	for i := range recs {
		recs[i] = map[string]any{"name": fmt.Sprintf("Operador %04d", i), "parent_id": co, "country_id": 156,
			"email": fmt.Sprintf("op%d@example.mx", i), "category_id": []any{[]any{6, 0, []any{tag}}}, "credit_limit": 1234.5}
	}
	srv.Seed("res.partner", recs...)
	domain := []any{[]any{"parent_id", "=", co}}
	fields := []any{"name", "email", "parent_id", "country_id", "category_id", "create_date", "credit_limit", "is_company"}
	b.Run("xmlrpc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			srv.mu.Lock()
			res, err := srv.execute(call{Model: "res.partner", Method: "search_read", Args: []any{domain}, Kwargs: map[string]any{"fields": fields}})
			srv.mu.Unlock()
			if err != nil || len(res.([]any)) != 2000 {
				b.Fatal(err)
			}
			var buf bytesBuffer
			if err := writeXMLValue(&buf.Buffer, res, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json2", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			srv.mu.Lock()
			res, err := srv.execute(call{Model: "res.partner", Method: "search_read", Kwargs: map[string]any{"domain": domain, "fields": fields}, JSON2: true})
			srv.mu.Unlock()
			if err != nil || len(res.([]any)) != 2000 {
				b.Fatal(err)
			}
			if _, err := appendJSON(nil, res); err != nil {
				b.Fatal(err)
			}
		}
	})
}
