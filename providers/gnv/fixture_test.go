package gnv_test

import (
	"os"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/gnv"
)

func TestBatchFixture(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/batch.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := gnv.ParseBatch(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Records) != 3 || len(b.Rejected) != 0 {
		t.Fatalf("records %d rejected %+v", len(b.Records), b.Rejected)
	}
	var plates []string
	sum := decimal.Zero
	for _, r := range b.Records {
		plates = append(plates, r.Plates)
		sum = sum.Add(r.SurchargeCollected)
	}
	total := sum.StringFixed(2)
	if plates[0] != "ABC123D" || plates[1] != "XYZ9876" || plates[2] != "UNREG001" || total != "137.63" {
		t.Errorf("plates %v total %s", plates, total)
	}
}
