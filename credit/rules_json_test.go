package credit_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/credit"
)

func TestRulesJSON(t *testing.T) {
	t.Parallel()
	in := []byte(`{"min_bureau_score":600,"require_bureau_score":true,"max_past_due_balance":"250.50","reject_flags":["atraso_grave","saldo_vencido"],"min_hase_score":650,"follow_hase_decision":false}`)
	var r credit.Rules
	if err := json.Unmarshal(in, &r); err != nil {
		t.Fatal(err)
	}
	if r.MinBureauScore != 600 || !r.RequireBureauScore || !r.MaxPastDueBalance.Decimal.Equal(decimal.RequireFromString("250.50")) || len(r.RejectFlags) != 2 || r.MinHASEScore != 650 || r.FollowHASEDecision {
		t.Errorf("decoded %+v", r)
	}
	out, err := json.Marshal(credit.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	var back credit.Rules
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(credit.DefaultRules(), back, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s\n%s", diff, out)
	}
	var noLimit credit.Rules
	if err := json.Unmarshal([]byte(`{"max_past_due_balance":null}`), &noLimit); err != nil || noLimit.MaxPastDueBalance.Valid {
		t.Errorf("null limit: %+v %v", noLimit, err)
	}
}

func TestAnalyzeConcurrent(t *testing.T) {
	t.Parallel()
	e := setup(t, 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if d, err := e.analyzer.Analyze(t.Context(), applicant(e)); err != nil || d.Status != credit.Aprobado {
				t.Errorf("%s %v", d.Status, err)
			}
		})
	}
	wg.Wait()
	if n := len(e.recorder.Decisions()); n != 8 {
		t.Errorf("recorded %d", n)
	}
}
