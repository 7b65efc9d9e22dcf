package odootest

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// seedCategories stores n partner tags directly (no hooks): parent_id
// points at one of the first ten, color cycles through 0..11.
func seedCategories(tb testing.TB, srv *Server, n int) {
	tb.Helper()
	srv.mu.Lock()
	defer srv.mu.Unlock()
	m := srv.models["res.partner.category"]
	for i := 1; i <= n; i++ {
		vals := map[string]any{"id": int64(i), "name": fmt.Sprintf("tag %05d", i), "color": int64(i % 12), "active": true}
		if i > 10 {
			vals["parent_id"] = int64(i%10 + 1)
		}
		if err := srv.insertRaw(m, vals); err != nil {
			tb.Fatal(err)
		}
	}
}

// inDomains are in / not in leaves over integer, relational and char
// fields with 1,000 values each (and False in some lists).
func inDomains() map[string][]any {
	ids := make([]any, 0, 1000)
	names := make([]any, 0, 1000)
	for i := 0; i < 1000; i++ {
		ids = append(ids, int64(i*7+3))
		names = append(names, fmt.Sprintf("tag %05d", i*9+1))
	}
	withFalse := append(slices.Clone(ids[:500]), false)
	return map[string][]any{
		"id in":              {[]any{"id", "in", ids}},
		"id not in":          {[]any{"id", "not in", ids}},
		"many2one in":        {[]any{"parent_id", "in", []any{int64(2), int64(5)}}},
		"many2one in false":  {[]any{"parent_id", "in", withFalse}},
		"many2one not in":    {[]any{"parent_id", "not in", []any{int64(2), false}}},
		"char in":            {[]any{"name", "in", names}},
		"char not in":        {[]any{"name", "not in", append(slices.Clone(names), false)}},
		"integer in":         {[]any{"color", "in", []any{int64(1), int64(3)}}},
		"mixed list":         {[]any{"id", "in", []any{int64(5), "6", 7.0}}},
		"or of two in":       {"|", []any{"id", "in", ids}, []any{"name", "in", names}},
		"dotted path in":     {[]any{"parent_id.name", "in", []any{"tag 00002"}}},
		"x2many in":          {[]any{"child_ids", "in", ids}},
		"x2many not in none": {[]any{"child_ids", "not in", []any{false}}},
		"id in and name":     {[]any{"id", "in", ids}, []any{"name", "ilike", "tag 001"}},
		"id = and parent":    {"&", []any{"parent_id", "=", int64(4)}, []any{"id", "=", int64(13)}},
		"id in with false":   {[]any{"id", "in", withFalse}},
		"id in or parent":    {"|", []any{"id", "in", []any{int64(3)}}, []any{"parent_id", "=", int64(2)}},
		"x2many and id in":   {[]any{"child_ids", "!=", false}, []any{"id", "in", ids}},
	}
}

// searchSlow evaluates a domain comparing every record with the whole
// value list (the set disabled), as the reference result.
func searchSlow(srv *Server, m *model, domain []any) []int64 {
	root, err := srv.parseDomain(m, domain)
	if err != nil {
		panic(err)
	}
	var disable func(n *domainNode)
	disable = func(n *domainNode) {
		n.membersDone = true
		for _, c := range n.children {
			disable(c)
		}
	}
	disable(root)
	var out []int64
	for _, id := range m.sortedIDs() {
		if srv.match(m, m.recs[id], root) {
			out = append(out, id)
		}
	}
	return out
}

func TestInDomainUsesSet(t *testing.T) {
	t.Parallel()
	// Correctness on 400 records (child_ids is computed by scanning the
	// model, so x2many leaves are quadratic in the fake), speed on 10,000.
	small := newTestServer(t)
	seedCategories(t, small, 400)
	sm := small.models["res.partner.category"]
	for name, domain := range inDomains() {
		t.Run(name, func(t *testing.T) {
			small.mu.Lock()
			defer small.mu.Unlock()
			got, oerr := small.searchIDs(sm, domain, 0, -1, "id", false)
			if oerr != nil {
				t.Fatal(oerr)
			}
			want := searchSlow(small, sm, domain)
			if want == nil {
				want = []int64{}
			}
			if !slices.Equal(got, want) {
				t.Errorf("set evaluation found %d ids, list evaluation %d", len(got), len(want))
			}
		})
	}
	srv := newTestServer(t)
	seedCategories(t, srv, 10000)
	m := srv.models["res.partner.category"]
	// A 1,000-id in over 10,000 records: the set makes it linear in the
	// records. The best of three runs is kept so that a busy machine does
	// not fail the test; the list scan took about 10 million comparisons.
	ids := inDomains()["id in"]
	best := time.Hour
	for range 3 {
		srv.mu.Lock()
		start := time.Now()
		got, oerr := srv.searchIDs(m, ids, 0, -1, "id", false)
		d := time.Since(start)
		srv.mu.Unlock()
		if oerr != nil || len(got) == 0 {
			t.Fatalf("search = %d ids, %v", len(got), oerr)
		}
		best = min(best, d)
	}
	if best > 50*time.Millisecond {
		t.Errorf("1,000-id in over 10,000 records took %v, want < 50ms", best)
	}
}

// BenchmarkSearchIn measures a 1,000-id in over 10,000 records, with the
// set (fast) and with the element-by-element comparison (list).
func BenchmarkSearchIn(b *testing.B) {
	srv := NewServer(b)
	seedCategories(b, srv, 10000)
	m := srv.models["res.partner.category"]
	domain := inDomains()["id in"]
	b.Run("set", func(b *testing.B) {
		for b.Loop() {
			srv.mu.Lock()
			_, _ = srv.searchIDs(m, domain, 0, -1, "id", false)
			srv.mu.Unlock()
		}
	})
	b.Run("list", func(b *testing.B) {
		for b.Loop() {
			srv.mu.Lock()
			_ = searchSlow(srv, m, domain)
			srv.mu.Unlock()
		}
	})
}
