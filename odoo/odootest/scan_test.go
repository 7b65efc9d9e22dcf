package odootest

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"
)

// sortSlow is the reference order: every value compared raw with
// compareSortValues, ties by id.
func sortSlow(srv *Server, m *model, ids []int64, keys []orderKey) []int64 {
	out := slices.Clone(ids)
	sort.SliceStable(out, func(a, b int) bool {
		for _, k := range keys {
			f := m.field(k.field)
			va := srv.fieldValue(m, m.recs[out[a]], f)
			vb := srv.fieldValue(m, m.recs[out[b]], f)
			if f.Type == "many2one" {
				conv := func(v any) any {
					if id, _ := v.(int64); id != 0 {
						return srv.displayName(srv.models[f.Relation], id)
					}
					return nil
				}
				va, vb = conv(va), conv(vb)
			}
			c := compareSortValues(va, vb)
			if c == 0 {
				continue
			}
			if k.desc {
				return c > 0
			}
			return c < 0
		}
		return out[a] < out[b]
	})
	return out
}

func TestSortRecordsMatchesReference(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"", "alpha", "Alpha", "beta", "BETA", "Zeta", "10", "9"}
	seedCategories(t, srv, 300)
	m := srv.models["res.partner.category"]
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, id := range m.sortedIDs() {
		m.recs[id]["name"] = words[rng.IntN(len(words))]
		m.recs[id]["color"] = int64(rng.IntN(4))
		if rng.IntN(5) == 0 {
			delete(m.recs[id], "color")
		}
	}
	ids := slices.Clone(m.sortedIDs())
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for _, order := range []string{"name", "name desc", "color desc, name", "parent_id, id desc", "parent_id desc, color", "id", "id desc", ""} {
		t.Run(order, func(t *testing.T) {
			keys, oerr := srv.parseOrder(m, order)
			if oerr != nil {
				t.Fatal(oerr)
			}
			got := slices.Clone(ids)
			srv.sortRecords(m, got, keys)
			if want := sortSlow(srv, m, ids, keys); !slices.Equal(got, want) {
				t.Errorf("order %q:\n got %v\nwant %v", order, got[:20], want[:20])
			}
		})
	}
}

// TestScanIndexesFollowChanges searches and reads a computed one2many
// (child_ids, indexed during each search or read) between writes.
func TestScanIndexesFollowChanges(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	root := srv.Seed("res.partner.category", map[string]any{"name": "root"})[0]
	other := srv.Seed("res.partner.category", map[string]any{"name": "other"})[0]
	kids := srv.Seed("res.partner.category", map[string]any{"name": "a", "parent_id": root}, map[string]any{"name": "b", "parent_id": root})
	search := func() []int64 {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		ids, oerr := srv.searchIDs(srv.models["res.partner.category"], []any{[]any{"child_ids", "!=", false}}, 0, -1, "id", true)
		if oerr != nil {
			t.Fatal(oerr)
		}
		return ids
	}
	children := func(id int64) []int64 {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		m := srv.models["res.partner.category"]
		out, oerr := srv.readRecords(m, []int64{root, other}, []string{"child_ids"})
		if oerr != nil {
			t.Fatal(oerr)
		}
		for _, o := range out {
			if got, _ := o.(*omap).get("id"); got == id {
				v, _ := o.(*omap).get("child_ids")
				return v.([]int64)
			}
		}
		return nil
	}
	if got := search(); !slices.Equal(got, []int64{root}) {
		t.Fatalf("parents = %v, want [%d]", got, root)
	}
	if got := children(root); !slices.Equal(got, kids) {
		t.Fatalf("children = %v, want %v", got, kids)
	}
	srv.mu.Lock()
	if oerr := srv.writeRecords(srv.models["res.partner.category"], kids[1:], map[string]any{"parent_id": other}); oerr != nil {
		t.Fatal(oerr)
	}
	srv.mu.Unlock()
	if got := search(); !slices.Equal(got, []int64{root, other}) {
		t.Errorf("parents after write = %v, want [%d %d]", got, root, other)
	}
	if got := children(other); !slices.Equal(got, kids[1:]) {
		t.Errorf("children of other = %v, want %v", got, kids[1:])
	}
	if srv.scan != nil {
		t.Error("scan cache left active after the search")
	}
}

// TestComputedOne2manySearchScales searches a computed one2many over
// 10,000 tags: linear with the index (it was quadratic, about 70 s).
func TestComputedOne2manySearchScales(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	seedCategories(t, srv, 10000)
	m := srv.models["res.partner.category"]
	best := time.Hour
	for range 3 {
		srv.mu.Lock()
		start := time.Now()
		ids, oerr := srv.searchIDs(m, []any{[]any{"child_ids", "!=", false}}, 0, -1, "name", true)
		d := time.Since(start)
		srv.mu.Unlock()
		if oerr != nil || len(ids) != 10 {
			t.Fatalf("parents = %d, %v; want 10", len(ids), oerr)
		}
		best = min(best, d)
	}
	if best > 500*time.Millisecond {
		t.Errorf("child_ids search over 10,000 tags took %v, want < 500ms", best)
	}
}

func TestSeedExplicitIDBelowMax(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.Seed("res.partner.category", map[string]any{"id": 50, "name": "fifty"})
	low := srv.Seed("res.partner.category", map[string]any{"id": 7, "name": "seven"})
	next := srv.Seed("res.partner.category", map[string]any{"name": "next"})
	if low[0] != 7 || next[0] <= 50 {
		t.Errorf("ids = %v %v, want 7 then above 50", low, next)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	ids := srv.models["res.partner.category"].sortedIDs()
	if !slices.IsSorted(ids) || !slices.Contains(ids, 7) {
		t.Errorf("sorted ids = %v", ids)
	}
}
