package odoo

import (
	"context"
	"strings"
)

// Version renames for explicit field names: SearchOptions.Fields, the keys
// of map vals given to Create, CreateMany and Write, and the fields of
// domain leaves. A name the server lacks is sent under its known rename
// (knownRenames) when the server has that one; answers into maps get the
// caller's names back. The model's fields come from the per-client cache:
// they are fetched (once) only when field discovery is on, so a call costs
// no extra round trip beyond that cached fields_get.

// nameMap maps a caller's field name to the server's.
type nameMap map[string]string

// serverNames returns the renames to apply to names on model, or nil when
// none applies (no rename known for these names, fields unknown, or the
// server has every name as given).
func (c *Client) serverNames(ctx context.Context, model string, names func(yield func(string) bool)) nameMap {
	table := knownRenames(model)
	if table == nil {
		return nil
	}
	var candidates []string
	for n := range names {
		if _, ok := table[n]; ok {
			candidates = append(candidates, n)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	known := c.cachedFields(model)
	if known == nil && c.discovery {
		known, _ = c.ModelFields(ctx, model) // on failure names go as given
	}
	if known == nil {
		return nil
	}
	var out nameMap
	for _, n := range candidates {
		if _, ok := known[n]; ok {
			continue
		}
		alt := table[n]
		if _, ok := known[alt]; !ok {
			continue
		}
		if out == nil {
			out = nameMap{}
		}
		out[n] = alt
	}
	return out
}

// cachedFields returns the model's fields when this client already learned
// them, else nil; it never calls the server.
func (c *Client) cachedFields(model string) map[string]Field {
	c.fieldsMu.Lock()
	mf := c.fields[model]
	c.fieldsMu.Unlock()
	if mf == nil {
		return nil
	}
	mf.mu.Lock()
	defer mf.mu.Unlock()
	if !mf.loaded {
		return nil
	}
	return mf.names
}

// answerRenames is the decoder's map from the server's names back to the
// caller's.
func (m nameMap) answerRenames() map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for from, to := range m {
		out[to] = from
	}
	return out
}

func sliceNames(list []string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for _, n := range list {
			if !yield(n) {
				return
			}
		}
	}
}

// renameFields returns the field list under the server's names.
func (c *Client) renameFields(ctx context.Context, model string, fields []string) ([]string, map[string]string) {
	m := c.serverNames(ctx, model, sliceNames(fields))
	if m == nil {
		return fields, nil
	}
	out := make([]string, len(fields))
	for i, f := range fields {
		if alt, ok := m[f]; ok {
			f = alt
		}
		out[i] = f
	}
	return out, m.answerRenames()
}

// leafField returns the field name of a domain leaf (a Condition or a raw
// [field, op, value]).
func leafField(x any) (string, bool) {
	switch l := x.(type) {
	case Condition:
		return l.Field, true
	case []any:
		if len(l) == 3 {
			s, ok := l[0].(string)
			return s, ok
		}
	}
	return "", false
}

// renameDomain returns the domain with each leaf's first path element
// under the server's name; the caller's domain is never modified.
func (c *Client) renameDomain(ctx context.Context, model string, d Domain) Domain {
	if len(d) == 0 {
		return d
	}
	heads := func(yield func(string) bool) {
		for _, x := range d {
			if f, ok := leafField(x); ok {
				head, _, _ := strings.Cut(f, ".")
				if !yield(head) {
					return
				}
			}
		}
	}
	m := c.serverNames(ctx, model, heads)
	if m == nil {
		return d
	}
	out := make(Domain, len(d))
	for i, x := range d {
		out[i] = x
		f, ok := leafField(x)
		if !ok {
			continue
		}
		head, rest, dotted := strings.Cut(f, ".")
		alt, ok := m[head]
		if !ok {
			continue
		}
		if dotted {
			alt += "." + rest
		}
		switch l := x.(type) {
		case Condition:
			l.Field = alt
			out[i] = l
		case []any:
			out[i] = []any{alt, l[1], l[2]}
		}
	}
	return out
}

// renameVals returns map vals (one map, or a list of maps for CreateMany)
// with keys under the server's names; other vals are returned unchanged.
func (c *Client) renameVals(ctx context.Context, model string, vals any) any {
	var maps []map[string]any
	switch v := vals.(type) {
	case map[string]any:
		maps = []map[string]any{v}
	case []map[string]any:
		maps = v
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				maps = append(maps, m)
			}
		}
	}
	if len(maps) == 0 {
		return vals
	}
	keys := func(yield func(string) bool) {
		for _, m := range maps {
			for k := range m {
				if !yield(k) {
					return
				}
			}
		}
	}
	nm := c.serverNames(ctx, model, keys)
	if nm == nil {
		return vals
	}
	rename := func(m map[string]any) map[string]any {
		out := make(map[string]any, len(m))
		for k, v := range m {
			if alt, ok := nm[k]; ok {
				if _, both := m[alt]; !both {
					k = alt
				}
			}
			out[k] = v
		}
		return out
	}
	switch v := vals.(type) {
	case map[string]any:
		return rename(v)
	case []map[string]any:
		out := make([]map[string]any, len(v))
		for i, m := range v {
			out[i] = rename(m)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			if m, ok := e.(map[string]any); ok {
				out[i] = rename(m)
			} else {
				out[i] = e
			}
		}
		return out
	}
	return vals
}
