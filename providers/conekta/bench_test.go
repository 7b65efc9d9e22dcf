package conekta_test

import (
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
