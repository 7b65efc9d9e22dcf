package gnv_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/shopspring/decimal"

	"github.com/cmu-mx/cmu/providers/gnv"
	"github.com/cmu-mx/cmu/providers/gnv/gnvtest"
)

// ExampleSign reproduces the Standard Webhooks specification's test vector.
func ExampleSign() {
	sig, err := gnv.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(sig, err)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= <nil>
}

// ExampleClient_ActivateCollection registers a surcharge rule against the fake network.
func ExampleClient_ActivateCollection() {
	fake := gnvtest.New(gnvtest.Options{})
	fake.Start()
	defer fake.Close()

	c, err := gnv.NewClient(gnv.Config{BaseURL: fake.URL(), APIKey: fake.APIKey(), Timeout: 10 * time.Second})
	if err != nil {
		panic(err)
	}
	rule, err := c.ActivateCollection(context.Background(), gnv.CollectionRule{
		Plates: "abc-123-d", SurchargePerLitre: decimal.RequireFromString("1.50"), ClientRef: "42",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rule.RuleID, rule.Status, rule.Plates)
	// Output: rule_0001 active ABC123D
}

// ExampleVerifier_ConstructBatch shows a handler verifying a delivery the fake signed.
func ExampleVerifier_ConstructBatch() {
	now := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	fake := gnvtest.New(gnvtest.Options{Now: func() time.Time { return now }})
	v, err := gnv.NewVerifier(gnv.VerifierConfig{Secrets: []gnv.Secret{fake.Secret()}, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	allow, _ := gnv.ParseAllowlist([]string{"127.0.0.1/32"})

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allow.Allows(r.RemoteAddr) {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		batch, err := v.ConstructBatch(r.Header, body)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		for _, rec := range batch.Records {
			fmt.Println(rec.TransactionID, rec.Plates, rec.Litres, rec.SurchargeCollected.StringFixed(2))
		}
	}))
	defer srv.Close()

	d, err := fake.SignedDelivery("msg_B-1", gnv.Batch{BatchID: "B-1", Date: "2026-11-21", Records: []gnv.Record{{
		TransactionID: "T-1", RawPlates: "ABC-123-D", StationID: "EST042",
		Litres: decimal.RequireFromString("38.5"), SurchargeCollected: decimal.RequireFromString("57.75"),
		OccurredAt: time.Date(2026, 11, 21, 14, 3, 0, 0, time.UTC),
	}}})
	if err != nil {
		panic(err)
	}
	resp, err := d.Send(context.Background(), nil, srv.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// T-1 ABC123D 38.5 57.75
	// 200
}
