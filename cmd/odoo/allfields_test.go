package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAllFieldsSameOverEveryProtocol reads every field of the demo records
// (all field types the fake knows: binary, html, json, dates, monetary…)
// and every field attribute from one server over each protocol.
func TestAllFieldsSameOverEveryProtocol(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	for _, args := range [][]string{
		{"search-read", "res.partner", "--order", "id"},
		{"search-read", "crm.lead", "--order", "id"},
		{"search-read", "res.partner.category", "--order", "id"},
		{"search-read", "account.journal", "--order", "id"},
		{"fields", "res.partner", "--attributes", "all"},
		{"fields", "sale.order.line", "--attributes", "all"},
	} {
		model := args[1]
		var first result
		for i, p := range protocols {
			r := runCLI(t, envOf(srv), append([]string{"--protocol", p, "--compact"}, args...)...)
			if r.code != exitOK || len(r.stdout) < 10 {
				t.Fatalf("%s %s: exit %d, stdout %q, stderr %q", model, p, r.code, r.stdout, r.stderr)
			}
			if i == 0 {
				first = r
			} else if r.stdout != first.stdout {
				t.Errorf("%s over %s differs from %s:\n%s", model, p, protocols[0], cmp.Diff(first.stdout, r.stdout))
			}
		}
	}
}
