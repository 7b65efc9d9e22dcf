package cmu_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Fatalf("%s (-want +got):\n%s", name, d)
	}
}

// The dry run on a fresh Odoo lists every change Ensure makes, in order.
func TestPlanGolden(t *testing.T) {
	t.Parallel()
	srv := odootest.NewServer(t)
	svc := cmu.New(newClient(t, srv, odoo.ProtocolJSON2), nil)
	plan, err := svc.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range plan {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	golden(t, "plan.golden", b.String())
}
