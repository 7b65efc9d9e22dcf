package metamap_test

import (
	"os"
	"testing"

	"github.com/cmu-mx/cmu/providers/metamap"
)

func TestFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		decision metamap.DocumentStatus
		lead     string
	}{
		{"testdata/verification_completed.json", metamap.DocRevisionManual, "L-0001"},
		{"testdata/step_completed_fraud.json", metamap.DocRechazado, "L-0002"},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(tt.file)
		if err != nil {
			t.Fatal(err)
		}
		h := map[string][]string{"X-Signature": {metamap.Sign(factsSecret, body)}}
		ev, err := verifier(t).ConstructEvent(h, body)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		d, ok := ev.Decision()
		if d != tt.decision || !ok || ev.MetadataString("lead_id") != tt.lead {
			t.Errorf("%s: decision %q %v lead %q", tt.file, d, ok, ev.MetadataString("lead_id"))
		}
	}
}
