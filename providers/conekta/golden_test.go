package conekta_test

import (
	"bytes"
	"flag"
	"testing"

	"github.com/cmu-mx/cmu/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// compareGolden compares got with testdata/name, or rewrites it under -update.
func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := "testdata/" + name
	want := golden.Want(t, path, got, *update)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the bytes sent:\n got %s\nwant %s", path, got, want)
	}
}

// TestCreateOrderWireGolden pins the exact POST /orders body (cents, checkout,
// metadata) so any change to what reaches Conekta shows up in review.
func TestCreateOrderWireGolden(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	p := params("1500.505") // rounds half-up to 150051 cents
	p.SuccessURL = "https://app.cmu.example/pago/ok"
	p.FailureURL = "https://app.cmu.example/pago/error"
	p.Metadata = map[string]string{"plan": "ahorro"}
	if _, err := c.CreatePaymentLink(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "create_order_request.golden.json", append(fake.Requests()[0].Body, '\n'))
}
