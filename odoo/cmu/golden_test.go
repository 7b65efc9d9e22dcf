package cmu_test

import (
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmu-mx/cmu/internal/golden"
	"github.com/cmu-mx/cmu/odoo"
	"github.com/cmu-mx/cmu/odoo/cmu"
	"github.com/cmu-mx/cmu/odoo/odootest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// checkGolden compares got with testdata/name (rewritten with -update).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got), *update)
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
	checkGolden(t, "plan.golden", b.String())
}
