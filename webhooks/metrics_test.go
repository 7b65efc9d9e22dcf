package webhooks_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cmu-mx/cmu/webhooks"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	store := newSQLite(t)
	insertN(t, store, "gnv", 3, testNow)
	ds, err := store.Claim(t.Context(), webhooks.ClaimRequest{LeaseToken: "a", Now: testNow, Lease: time.Minute, Limit: 1})
	if err != nil || len(ds) != 1 {
		t.Fatal(ds, err)
	}
	if err := store.Fail(t.Context(), ds[0].ID, "a", webhooks.Failure{Now: testNow, Err: "x", Dead: true}); err != nil {
		t.Fatal(err)
	}
	m := webhooks.NewMetrics(store)
	reg := prometheus.NewRegistry()
	reg.MustRegister(m)
	m.Accepted("gnv")
	m.Accepted("gnv")
	m.Duplicate("gnv")
	m.Refused("gnv", webhooks.ErrNoValidSignature)
	m.Processed("gnv", 1, 3*time.Millisecond)
	m.Retried("gnv", 1, errors.New("x"))
	m.Dead("gnv", 10, errors.New("x"))

	got := map[string]float64{}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, mt := range f.GetMetric() {
			var labels []string
			for _, l := range mt.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			key := f.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case mt.GetCounter() != nil:
				got[key] = mt.GetCounter().GetValue()
			case mt.GetGauge() != nil:
				got[key] = mt.GetGauge().GetValue()
			case mt.GetHistogram() != nil:
				got[key] = float64(mt.GetHistogram().GetSampleCount())
			}
		}
	}
	want := map[string]float64{
		"cmu_webhooks_inbox_deliveries{provider=gnv,state=dead}":       1,
		"cmu_webhooks_inbox_deliveries{provider=gnv,state=done}":       0,
		"cmu_webhooks_inbox_deliveries{provider=gnv,state=pending}":    2,
		"cmu_webhooks_inbox_deliveries{provider=gnv,state=processing}": 0,
		"cmu_webhooks_inbox_scrape_error{}":                            0,
		"cmu_webhooks_received_total{provider=gnv,result=accepted}":    2,
		"cmu_webhooks_received_total{provider=gnv,result=duplicate}":   1,
		"cmu_webhooks_received_total{provider=gnv,result=refused}":     1,
		"cmu_webhooks_processed_total{provider=gnv}":                   1,
		"cmu_webhooks_processing_seconds{provider=gnv}":                1,
		"cmu_webhooks_retried_total{provider=gnv}":                     1,
		"cmu_webhooks_dead_total{provider=gnv}":                        1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("gathered metrics (-want +got):\n%s", diff)
	}
}
