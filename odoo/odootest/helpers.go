package odootest

import (
	"fmt"
	"sort"
	"testing"
)

// Seed creates records of model as a create call would (defaults,
// computed values, x2many commands, constraints) and returns their ids. A
// record may carry an "id" to create it with that id. Go ints, []int and
// []string are accepted where Odoo takes integers and lists. Seed panics on
// an error (seeding is test setup); [Server.SeedT] fails a test instead.
func (s *Server) Seed(model string, records ...map[string]any) []int64 {
	ids, err := s.seed1(model, records)
	if err != nil {
		panic(err)
	}
	return ids
}

// SeedT is Seed failing t instead of panicking.
func (s *Server) SeedT(t testing.TB, model string, records ...map[string]any) []int64 {
	t.Helper()
	ids, err := s.seed1(model, records)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func (s *Server) seed1(model string, records []map[string]any) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.models[model]
	if m == nil {
		return nil, fmt.Errorf("odootest: seed: unknown model %s", model)
	}
	ids := make([]int64, 0, len(records))
	for _, r := range records {
		vals := map[string]any{}
		for k, v := range r {
			vals[k] = normalizeGo(v)
		}
		saved := m.nextID
		if raw, ok := vals["id"]; ok {
			id, ok := asInt(raw)
			if !ok || id <= 0 {
				return nil, fmt.Errorf("odootest: seed %s: bad id %v", model, raw)
			}
			if m.recs[id] != nil {
				return nil, fmt.Errorf("odootest: seed %s: id %d exists", model, id)
			}
			delete(vals, "id")
			m.nextID = id
		}
		id, oerr := s.createRecord(m, vals)
		if m.nextID < saved {
			m.nextID = saved
		}
		if oerr != nil {
			return nil, fmt.Errorf("odootest: seed %s: %w", model, oerr)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// normalizeGo converts Go values a test may pass (int, []int, []int64,
// []string, []map[string]any, nested maps) into the fake's value set.
func normalizeGo(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case float32:
		return float64(x)
	case []int:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = int64(e)
		}
		return out
	case []int64:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeGo(e)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeGo(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalizeGo(e)
		}
		return out
	}
	return v
}

// Get returns a copy of a record's stored values plus display_name:
// int64 ids for many2one (0 when empty), []int64 for x2many, nil for empty
// values. ok is false when the record does not exist.
func (s *Server) Get(model string, id int64) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.models[model]
	if m == nil || m.recs[id] == nil {
		return nil, false
	}
	return s.snapshot(m, id), true
}

// Records returns copies of every record of model (see Get), by id.
func (s *Server) Records(model string) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.models[model]
	if m == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(m.recs))
	for _, id := range m.sortedIDs() {
		out = append(out, s.snapshot(m, id))
	}
	return out
}

func (s *Server) snapshot(m *model, id int64) map[string]any {
	rec := m.recs[id]
	out := map[string]any{}
	for _, f := range m.fields {
		v := s.fieldValue(m, rec, f)
		if f.Type == "binary" && v == nil {
			continue
		}
		out[f.Name] = deepCopy(v)
	}
	return out
}

// SetNextID makes the next record created in model get id (when it is
// above the ids in use); sale order names follow ids (S00042).
func (s *Server) SetNextID(model string, id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.models[model]
	if m == nil {
		return fmt.Errorf("odootest: unknown model %s", model)
	}
	for existing := range m.recs {
		if existing >= id {
			return fmt.Errorf("odootest: %s already has id %d >= %d", model, existing, id)
		}
	}
	m.nextID = id
	return nil
}

// Models lists the models the server knows, sorted.
func (s *Server) Models() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.models))
	for n := range s.models {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// fieldMeta returns a field's type and relation (for the conformance test).
func (s *Server) fieldMeta(model, name string) (typ, relation string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.models[model]
	if m == nil || m.field(name) == nil {
		return "", "", false
	}
	f := m.field(name)
	return f.Type, f.Relation, true
}
