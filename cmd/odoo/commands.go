package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/cmu-mx/cmu/odoo"
)

// execFunc runs a command once the client is built and returns what to print.
type execFunc = func(ctx context.Context, c *odoo.Client, cfg *config, pos []string) (any, error)

// versionCmd prints the server version:
// {"server_version":"19.0","server_version_info":[19,0,0,"final",0,""]}.
func versionCmd(*flag.FlagSet) execFunc {
	return func(ctx context.Context, c *odoo.Client, _ *config, _ []string) (any, error) {
		v, err := c.Version(ctx)
		if err != nil {
			return nil, err
		}
		info := v.Info
		if info == nil {
			info = []any{}
		}
		return map[string]any{"server_version": v.Server, "server_version_info": info}, nil
	}
}

// loginCmd authenticates and prints the user: {"login","name","uid"}.
//
// JSON-2 has no authenticate: the API key is checked with one call, and the
// user is then found by its login (--user / ODOO_USER), so the output is the
// same as over XML-RPC and JSON-RPC. With a key and no login, the user cannot
// be named and login, name and uid are null.
func loginCmd(*flag.FlagSet) execFunc {
	return func(ctx context.Context, c *odoo.Client, cfg *config, _ []string) (any, error) {
		uid, err := c.Login(ctx)
		if err != nil {
			return nil, err
		}
		var domain odoo.Domain
		switch {
		case uid != 0:
			domain = odoo.Eq("id", uid)
		case cfg.user != "":
			domain = odoo.Eq("login", cfg.user)
		default:
			return map[string]any{"login": nil, "name": nil, "uid": nil}, nil
		}
		var users []struct {
			ID    int64  `odoo:"id"`
			Login string `odoo:"login"`
			Name  string `odoo:"name"`
		}
		opts := &odoo.SearchOptions{Fields: []string{"login", "name"}, Limit: 1}
		if err := c.SearchRead(ctx, "res.users", domain, opts, &users); err != nil {
			return nil, err
		}
		if len(users) == 0 {
			return map[string]any{"login": cfg.user, "name": nil, "uid": nil}, nil
		}
		u := users[0]
		return map[string]any{"login": u.Login, "name": u.Name, "uid": u.ID}, nil
	}
}

// callCmd runs MODEL METHOD with ARGS_JSON (an array, default []) and
// KWARGS_JSON (an object, default {}) and prints the result.
func callCmd(*flag.FlagSet) execFunc {
	return func(ctx context.Context, c *odoo.Client, _ *config, pos []string) (any, error) {
		model, method := pos[0], pos[1]
		var args []any
		if len(pos) > 2 {
			v, err := parseJSON(pos[2])
			if err != nil {
				return nil, usagef("call: ARGS_JSON: %v", err)
			}
			a, ok := v.([]any)
			if !ok {
				return nil, usagef("call: ARGS_JSON must be a JSON array, e.g. '[[1, 2]]'")
			}
			args = a
		}
		var kwargs map[string]any
		if len(pos) > 3 {
			v, err := parseJSON(pos[3])
			if err != nil {
				return nil, usagef("call: KWARGS_JSON: %v", err)
			}
			kw, ok := v.(map[string]any)
			if !ok {
				return nil, usagef(`call: KWARGS_JSON must be a JSON object, e.g. '{"fields": ["name"]}'`)
			}
			kwargs = kw
		}
		var result any
		if err := c.Call(ctx, model, method, args, kwargs, &result); err != nil {
			return nil, err
		}
		return result, nil
	}
}

// searchReadCmd prints the records of MODEL matching --domain as an array of
// objects.
func searchReadCmd(fs *flag.FlagSet) execFunc {
	domain := fs.String("domain", "[]", "JSON domain")
	fields := fs.String("fields", "", "comma-separated field names (default: all)")
	limit := fs.Int("limit", 0, "maximum number of records (0: all)")
	offset := fs.Int("offset", 0, "records to skip")
	order := fs.String("order", "", `sort order, e.g. "name asc, id desc"`)
	return func(ctx context.Context, c *odoo.Client, _ *config, pos []string) (any, error) {
		d, err := odoo.ParseDomain([]byte(*domain))
		if err != nil {
			return nil, usagef("search-read: --domain: %v", err)
		}
		if *limit < 0 || *offset < 0 {
			return nil, usagef("search-read: --limit and --offset must not be negative")
		}
		opts := &odoo.SearchOptions{Fields: splitList(*fields), Limit: *limit, Offset: *offset, Order: *order}
		rows := []map[string]any{}
		if err := c.SearchRead(ctx, pos[0], d, opts, &rows); err != nil {
			return nil, err
		}
		if rows == nil {
			rows = []map[string]any{}
		}
		return rows, nil
	}
}

// defaultAttributes are the field attributes fields prints unless told.
var defaultAttributes = []string{"string", "type", "relation", "required", "readonly", "selection"}

// fieldsCmd prints fields_get of MODEL: field name → attributes.
func fieldsCmd(fs *flag.FlagSet) execFunc {
	attrs := fs.String("attributes", strings.Join(defaultAttributes, ","), `attributes to describe ("all": every one)`)
	return func(ctx context.Context, c *odoo.Client, _ *config, pos []string) (any, error) {
		kwargs := map[string]any{}
		if *attrs != "all" {
			list := splitList(*attrs)
			if len(list) == 0 {
				return nil, usagef(`fields: --attributes is empty (use "all" for every attribute)`)
			}
			kwargs["attributes"] = list
		}
		var result any
		if err := c.Call(ctx, pos[0], "fields_get", nil, kwargs, &result); err != nil {
			return nil, err
		}
		return result, nil
	}
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseJSON decodes one JSON value, keeping numbers as written
// (json.Number), so integers stay integers and decimals are never rounded
// through float64.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// writeJSON prints v as JSON: object keys sorted (encoding/json sorts map
// keys), HTML characters left as they are, numbers as decoded (json.Number
// keeps Odoo's text), indented by two spaces unless compact.
func writeJSON(w io.Writer, v any, compact bool) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if !compact {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
