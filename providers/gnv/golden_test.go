package gnv_test

import (
	"bytes"
	"flag"
	"testing"

	"github.com/cmu-mx/cmu/internal/golden"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestActivateWireGolden pins the exact POST /collection-rules body and key.
func TestActivateWireGolden(t *testing.T) {
	t.Parallel()
	c, fake := setup(t)
	if _, err := c.ActivateCollection(t.Context(), rule("abc-123-d", "1.5", "42")); err != nil {
		t.Fatal(err)
	}
	r := fake.Requests()[0]
	got := append([]byte("Idempotency-Key: "+r.Header.Get("Idempotency-Key")+"\n"), r.Body...)
	got = append(got, '\n')
	const path = "testdata/activate_request.golden"
	want := golden.Want(t, path, got, *update)
	if !bytes.Equal(got, want) {
		t.Errorf("request differs from %s:\n got %s\nwant %s", path, got, want)
	}
}
