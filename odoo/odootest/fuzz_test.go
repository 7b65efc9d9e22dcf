package odootest

import (
	"path/filepath"
	"testing"
)

// FuzzParseMethodCall: the XML-RPC request parser never panics, whatever
// the body. Seeds are the recorded request bodies when available.
func FuzzParseMethodCall(f *testing.F) {
	f.Add([]byte("<?xml version='1.0'?>\n<methodCall>\n<methodName>version</methodName>\n<params>\n</params>\n</methodCall>\n"))
	f.Add([]byte("<methodCall><methodName>x</methodName><params><param><value><array><data><value><struct><member><name>a</name><value><double>1.5</double></value></member></struct></value></data></array></value></param></params></methodCall>"))
	f.Add([]byte("<methodCall><methodName>x</methodName><params><param><value>bare</value></param></params></methodCall>"))
	files, _ := filepath.Glob(filepath.Join(wireDir, "*", "xmlrpc.jsonl"))
	for _, file := range files {
		exs, err := LoadRecordings(file)
		if err != nil {
			continue
		}
		for i, ex := range exs {
			if i%7 == 0 {
				f.Add([]byte(ex.RequestBody))
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, _ = parseMethodCall(body)
		_, _, _ = parseMethodResponse(body)
	})
}

// FuzzDomain: any JSON value as a domain is either refused with an Odoo
// error or evaluated; it never panics.
func FuzzDomain(f *testing.F) {
	for _, seed := range []string{
		`[]`, `[["name", "ilike", "a"]]`, `["|", ["id", "=", 1], ["parent_id.name", "=like", "A%"]]`,
		`["!", ["email", "=", false], ["id", "not in", [1, 2]]]`, `[["id", "child_of", 1]]`,
		`["&", "|"]`, `[["child_ids", "any", [["name", "=", "x"]]]]`, `[[1, "=", 1]]`, `[["create_date", ">=", "2026-01-01"]]`,
	} {
		f.Add([]byte(seed))
	}
	srv, err := New()
	if err != nil {
		f.Fatal(err)
	}
	srv.Seed("res.partner", map[string]any{"name": "A", "is_company": true}, map[string]any{"name": "B", "parent_id": 5})
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := decodeJSON(raw)
		if err != nil {
			return
		}
		srv.mu.Lock()
		defer srv.mu.Unlock()
		_, _ = srv.searchIDs(srv.models["res.partner"], v, 0, -1, "", true)
	})
}
