package metamap_test

import (
	"net/http"
	"testing"
)

func BenchmarkVerify(b *testing.B) {
	h := http.Header{}
	h.Set("x-signature", factsSig)
	v := verifier(b)
	body := []byte(factsBody)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}
