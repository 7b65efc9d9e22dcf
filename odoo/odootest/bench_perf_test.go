package odootest

import (
	"fmt"
	"testing"
)

// perfServer seeds 10,000 partners (each with an analytic account), 20,000
// analytic lines and 2,000 partner tags in a two-level hierarchy: the
// scale of the server's client list benchmark.
func perfServer(tb testing.TB) (*Server, []int64, []int64) {
	srv := NewServer(tb)
	partners := make([]map[string]any, 10000)
	for i := range partners {
		partners[i] = map[string]any{"name": fmt.Sprintf("Cliente %05d", (i*7919)%10000), "email": fmt.Sprintf("c%d@example.mx", i)}
	}
	pids := srv.Seed("res.partner", partners...)
	plan := srv.Seed("account.analytic.plan", map[string]any{"name": "Clientes"})[0]
	accs := make([]map[string]any, len(pids))
	for i, pid := range pids {
		accs[i] = map[string]any{"name": fmt.Sprintf("Cuenta %05d", i), "partner_id": pid, "plan_id": plan}
	}
	aids := srv.Seed("account.analytic.account", accs...)
	lines := make([]map[string]any, 2*len(aids))
	for i := range lines {
		lines[i] = map[string]any{"name": "Servicio", "account_id": aids[i/2], "amount": float64(100 + i%7), "date": "2026-03-01"}
	}
	srv.Seed("account.analytic.line", lines...)
	roots := make([]map[string]any, 200)
	for i := range roots {
		roots[i] = map[string]any{"name": fmt.Sprintf("Grupo %03d", i)}
	}
	rids := srv.Seed("res.partner.category", roots...)
	tags := make([]map[string]any, 1800)
	for i := range tags {
		tags[i] = map[string]any{"name": fmt.Sprintf("Etiqueta %04d", i), "parent_id": rids[i%len(rids)]}
	}
	srv.Seed("res.partner.category", tags...)
	return srv, pids, aids
}

func perfRun(b *testing.B, srv *Server, c call, check func(any) bool) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		srv.mu.Lock()
		res, err := srv.execute(c)
		srv.mu.Unlock()
		if err != nil || !check(res) {
			b.Fatalf("%v %v", err, res)
		}
	}
}

func lenIs(n int) func(any) bool {
	return func(v any) bool { l, ok := v.([]any); return ok && len(l) == n }
}

// BenchmarkFakeScale measures the fake's search, read and read_group at
// the scale of 10,000 partners and 20,000 analytic lines.
func BenchmarkFakeScale(b *testing.B) {
	srv, pids, aids := perfServer(b)
	page := make([]any, 50)
	accPage := make([]any, 50)
	for i := range page {
		page[i] = pids[5000+i*3]
		accPage[i] = aids[5000+i*3]
	}
	b.Run("search_read_in_50", func(b *testing.B) {
		perfRun(b, srv, call{Model: "res.partner", Method: "search_read", Args: []any{[]any{[]any{"id", "in", page}}},
			Kwargs: map[string]any{"fields": []any{"name", "email", "child_ids", "category_id"}}}, lenIs(50))
	})
	b.Run("search_read_page_by_name", func(b *testing.B) {
		perfRun(b, srv, call{Model: "res.partner", Method: "search_read", Args: []any{[]any{}},
			Kwargs: map[string]any{"fields": []any{"name"}, "order": "name asc", "offset": 5000, "limit": 50}}, lenIs(50))
	})
	b.Run("search_count", func(b *testing.B) {
		perfRun(b, srv, call{Model: "res.partner", Method: "search_count", Args: []any{[]any{[]any{"email", "ilike", "example"}}}},
			func(v any) bool { n, _ := asInt(v); return n >= 10000 })
	})
	b.Run("read_group_balance_50_accounts", func(b *testing.B) {
		perfRun(b, srv, call{Model: "account.analytic.line", Method: "read_group",
			Args:   []any{[]any{[]any{"account_id", "in", accPage}}, []any{"amount:sum"}, []any{"account_id"}},
			Kwargs: map[string]any{"lazy": false}}, lenIs(50))
	})
	b.Run("read_accounts_balance_50", func(b *testing.B) {
		perfRun(b, srv, call{Model: "account.analytic.account", Method: "read", Args: []any{accPage, []any{"name", "balance", "partner_id"}}}, lenIs(50))
	})
	b.Run("category_child_ids_2000", func(b *testing.B) {
		perfRun(b, srv, call{Model: "res.partner.category", Method: "search_read", Args: []any{[]any{[]any{"child_ids", "!=", false}}},
			Kwargs: map[string]any{"fields": []any{"name", "child_ids"}}}, lenIs(200))
	})
}
