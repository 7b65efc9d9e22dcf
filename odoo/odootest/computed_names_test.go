package odootest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// TestMayBeComputedCoversComputeField reads computeField's cases from
// behavior.go: every "model.field" it computes must pass mayBeComputed,
// else the fast path would skip it and serve the stored value.
func TestMayBeComputedCoversComputeField(t *testing.T) {
	t.Parallel()
	file, err := parser.ParseFile(token.NewFileSet(), "behavior.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "computeField" {
			continue
		}
		ast.Inspect(fn.Body, func(node ast.Node) bool {
			sw, ok := node.(*ast.SwitchStmt)
			if !ok {
				return true
			}
			if bin, ok := sw.Tag.(*ast.BinaryExpr); !ok || bin.Op != token.ADD {
				return true // only the switch on m.Name + "." + f.Name
			}
			for _, st := range sw.Body.List {
				for _, e := range st.(*ast.CaseClause).List {
					lit, ok := e.(*ast.BasicLit)
					if !ok {
						continue
					}
					key, _ := strconv.Unquote(lit.Value)
					field := key[strings.LastIndex(key, ".")+1:]
					n++
					if !mayBeComputed(field) {
						t.Errorf("computeField computes %s but mayBeComputed(%q) is false", key, field)
					}
				}
			}
			return true
		})
	}
	if n < 10 {
		t.Fatalf("found %d computed fields in computeField, want the switch's cases", n)
	}
}
