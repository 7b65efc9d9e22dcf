package mifiel_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/mifiel"
)

func BenchmarkVerifyHMAC(b *testing.B) {
	body := []byte(`{"id":"6f1c","external_id":"L-0001","signed_by_all":true,"status":[1,"signed"],"signatures":[{"email":"a@b.mx","signed":true}]}`)
	now := time.Unix(1_800_000_000, 0)
	h := http.Header{mifiel.SignatureHeader: {mifiel.SignCallback(body, "s", now)}}
	v := &mifiel.CallbackVerifier{Scheme: mifiel.SchemeHMAC, Secrets: []string{"s"}, Now: func() time.Time { return now }}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContractPDF(b *testing.B) {
	d := ventaPlazo()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mifiel.ContractPDF(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHMACBaseline is the floor for BenchmarkVerifyHMAC: one HMAC-SHA256
// over the same bytes, no header parsing or JSON decoding.
func BenchmarkHMACBaseline(b *testing.B) {
	body := []byte(`{"id":"6f1c","external_id":"L-0001","signed_by_all":true,"status":[1,"signed"],"signatures":[{"email":"a@b.mx","signed":true}]}`)
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, []byte("s"))
		m.Write([]byte("1800000000."))
		m.Write(body)
		m.Sum(nil)
	}
}
