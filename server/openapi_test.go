package server

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func TestOpenAPIDocument(t *testing.T) {
	e := newTestEnv(t, testConfig(), Deps{})
	r := e.do("GET", "/openapi.json", "", nil)
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	var doc map[string]any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Error("info.title/version missing")
	}
	paths, _ := doc["paths"].(map[string]any)

	// Every registered route is documented.
	for _, rt := range e.srv.table {
		p, _ := openAPIPath(rt.Path)
		item, _ := paths[p].(map[string]any)
		op, _ := item[strings.ToLower(rt.Method)].(map[string]any)
		if op == nil {
			t.Errorf("%s %s not documented", rt.Method, rt.Path)
			continue
		}
		if rt.Auth && op["security"] == nil {
			t.Errorf("%s %s: no security", rt.Method, rt.Path)
		}
	}
	// Every documented operation is routed, with its path parameters declared.
	param := regexp.MustCompile(`\{([^}]+)\}`)
	ops := 0
	for p, v := range paths {
		routerPath := param.ReplaceAllString(p, ":$1")
		for method, o := range v.(map[string]any) {
			ops++
			if h, _, _ := e.srv.router.Lookup(strings.ToUpper(method), routerPath); h == nil {
				t.Errorf("documented %s %s is not routed", method, p)
			}
			declared := map[string]bool{}
			op := o.(map[string]any)
			if ps, ok := op["parameters"].([]any); ok {
				for _, x := range ps {
					pm := x.(map[string]any)
					if pm["in"] == "path" {
						declared[pm["name"].(string)] = true
					}
				}
			}
			for _, m := range param.FindAllStringSubmatch(p, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s not declared", method, p, m[1])
				}
			}
			if _, ok := op["responses"].(map[string]any); !ok {
				t.Errorf("%s %s: no responses", method, p)
			}
		}
	}
	if ops != len(e.srv.table) {
		t.Errorf("%d documented operations, %d routes", ops, len(e.srv.table))
	}
	// Every $ref resolves.
	var walk func(v any, at string)
	refs := 0
	walk = func(v any, at string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				refs++
				if resolve(doc, ref) == nil {
					t.Errorf("%s: $ref %s does not resolve", at, ref)
				}
			}
			for k, c := range x {
				walk(c, at+"/"+k)
			}
		case []any:
			for _, c := range x {
				walk(c, at)
			}
		}
	}
	walk(doc, "#")
	if refs < 20 {
		t.Errorf("only %d $refs: schemas not generated?", refs)
	}
	// Field names and required fields follow the JSON the PWA sends.
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	gl := schemas["GenerateLinkRequest"].(map[string]any)
	props := gl["properties"].(map[string]any)
	if props["amount"].(map[string]any)["type"] != "string" || props["clientId"].(map[string]any)["type"] != "integer" {
		t.Errorf("GenerateLinkRequest %v", gl)
	}
	if req, _ := json.Marshal(gl["required"]); string(req) != `["clientId","amount"]` {
		t.Errorf("required = %s", req)
	}
	if _, ok := schemas["OpportunityProcessRequest"].(map[string]any)["properties"].(map[string]any)["reservationId"]; !ok {
		t.Error("reservationId not documented")
	}
}

// resolve follows a local JSON pointer such as #/components/schemas/Client.
func resolve(doc map[string]any, ref string) any {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, seg := range strings.Split(p, "/") {
		seg = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[seg]; !ok {
			return nil
		}
	}
	if m, ok := cur.(map[string]any); !ok || len(m) == 0 {
		return nil
	}
	return cur
}
