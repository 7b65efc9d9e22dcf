package gnv_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cmu-mx/cmu/providers/gnv"
)

// benchBody is a realistic daily batch of 50 records (about 9 KB).
func benchBody() []byte {
	var recs []string
	for i := range 50 {
		recs = append(recs, fmt.Sprintf(`{"transaction_id":"T-%06d","plates":"ABC-%03d-D","station_id":"EST042","litres":"38.500","surcharge_collected":"57.75","occurred_at":"2026-11-21T14:03:00Z"}`, i, i))
	}
	return []byte(`{"batch_id":"B-2026-11-21-EST042","date":"2026-11-21","records":[` + strings.Join(recs, ",") + `]}`)
}

func BenchmarkVerify(b *testing.B) {
	now := time.Unix(specTimestamp, 0)
	body := benchBody()
	h, err := gnv.SignHeaders(specSecret, "msg_bench", now, body)
	if err != nil {
		b.Fatal(err)
	}
	v := specVerifier(b, now)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySignatureOnly(b *testing.B) {
	now := time.Unix(specTimestamp, 0)
	body := benchBody()
	h, _ := gnv.SignHeaders(specSecret, "msg_bench", now, body)
	v := specVerifier(b, now)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := v.VerifySignature(h, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineHMAC is the floor: one HMAC-SHA256 over the signed bytes.
func BenchmarkBaselineHMAC(b *testing.B) {
	body := benchBody()
	key, _ := specSecret.Key()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("msg_bench." + strconv.Itoa(specTimestamp) + "."))
		m.Write(body)
		_ = m.Sum(nil)
	}
}
