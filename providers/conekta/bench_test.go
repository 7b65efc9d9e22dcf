package conekta_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"testing"

	"github.com/cmu-mx/cmu/providers/conekta"
)

func BenchmarkVerify(b *testing.B) {
	body := []byte(`{"id":"evt_1","object":"event","type":"order.paid","created_at":1795000000,"livemode":false,"data":{"object":{"id":"ord_1","object":"order","amount":150050,"currency":"MXN","payment_status":"paid","metadata":{"clientId":"42","reference":"PAY-0001"},"charges":{"data":[{"id":"ch_1","status":"paid","amount":150050,"payment_method":{"object":"card_payment","type":"credit"}}]}}}}`)
	sig, err := conekta.SignDigest(testKey(), body)
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{}
	h.Set("Digest", sig)
	v := verifier(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineRSA is the floor: SHA-256 and one RSA-2048 PKCS#1 v1.5 verification.
func BenchmarkBaselineRSA(b *testing.B) {
	body := []byte(`{"id":"evt_1","object":"event","type":"order.paid","created_at":1795000000}`)
	sum := sha256.Sum256(body)
	sig, _ := rsa.SignPKCS1v15(nil, testKey(), crypto.SHA256, sum[:])
	b.ReportAllocs()
	for b.Loop() {
		s := sha256.Sum256(body)
		if err := rsa.VerifyPKCS1v15(&testKey().PublicKey, crypto.SHA256, s[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
