package webhooks

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics is an [Observer] that keeps Prometheus metrics, and a
// prometheus.Collector that also reports the inbox depth by provider and state
// (read from the store at each scrape). It registers nothing by itself: pass it
// to the server's registry (registry.MustRegister(m)). All names start with
// cmu_webhooks_.
type Metrics struct {
	store     Store
	received  *prometheus.CounterVec
	processed *prometheus.CounterVec
	retried   *prometheus.CounterVec
	dead      *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	depth     *prometheus.Desc
	scrapeErr *prometheus.Desc
}

var (
	_ Observer             = (*Metrics)(nil)
	_ prometheus.Collector = (*Metrics)(nil)
)

// NewMetrics returns metrics whose depth gauge reads store; a nil store omits
// the depth gauge.
func NewMetrics(store Store) *Metrics {
	return &Metrics{
		store: store,
		received: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_webhooks_received_total",
			Help: "Webhook deliveries received, by provider and result (accepted, duplicate, refused).",
		}, []string{"provider", "result"}),
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_webhooks_processed_total",
			Help: "Webhook deliveries processed and marked done, by provider.",
		}, []string{"provider"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_webhooks_retried_total",
			Help: "Failed processing attempts scheduled for a retry, by provider.",
		}, []string{"provider"}),
		dead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_webhooks_dead_total",
			Help: "Webhook deliveries dead-lettered, by provider.",
		}, []string{"provider"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cmu_webhooks_processing_seconds",
			Help:    "Duration of successful processing functions, by provider.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
		}, []string{"provider"}),
		depth: prometheus.NewDesc("cmu_webhooks_inbox_deliveries",
			"Deliveries in the inbox, by provider and state.", []string{"provider", "state"}, nil),
		scrapeErr: prometheus.NewDesc("cmu_webhooks_inbox_scrape_error",
			"1 when the inbox depth could not be read at this scrape.", nil, nil),
	}
}

// Accepted implements [Observer].
func (m *Metrics) Accepted(provider string) { m.received.WithLabelValues(provider, "accepted").Inc() }

// Duplicate implements [Observer].
func (m *Metrics) Duplicate(provider string) { m.received.WithLabelValues(provider, "duplicate").Inc() }

// Refused implements [Observer].
func (m *Metrics) Refused(provider string, _ error) {
	m.received.WithLabelValues(provider, "refused").Inc()
}

// Processed implements [Observer].
func (m *Metrics) Processed(provider string, _ int, took time.Duration) {
	m.processed.WithLabelValues(provider).Inc()
	m.duration.WithLabelValues(provider).Observe(took.Seconds())
}

// Retried implements [Observer].
func (m *Metrics) Retried(provider string, _ int, _ error) { m.retried.WithLabelValues(provider).Inc() }

// Dead implements [Observer].
func (m *Metrics) Dead(provider string, _ int, _ error) { m.dead.WithLabelValues(provider).Inc() }

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.received.Describe(ch)
	m.processed.Describe(ch)
	m.retried.Describe(ch)
	m.dead.Describe(ch)
	m.duration.Describe(ch)
	if m.store != nil {
		ch <- m.depth
		ch <- m.scrapeErr
	}
}

// Collect implements prometheus.Collector. The depth query gets 2 s.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.received.Collect(ch)
	m.processed.Collect(ch)
	m.retried.Collect(ch)
	m.dead.Collect(ch)
	m.duration.Collect(ch)
	if m.store == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := m.store.Counts(ctx)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(m.scrapeErr, prometheus.GaugeValue, 1)
		return
	}
	ch <- prometheus.MustNewConstMetric(m.scrapeErr, prometheus.GaugeValue, 0)
	// Every state of every provider seen, zeros included, so that alerts on
	// "dead > 0" have a series to compare with.
	depth := map[string]map[State]int64{}
	for _, c := range counts {
		if depth[c.Provider] == nil {
			depth[c.Provider] = map[State]int64{}
		}
		depth[c.Provider][c.State] += c.N
	}
	for provider, byState := range depth {
		for _, st := range []State{StatePending, StateProcessing, StateDone, StateDead} {
			ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(byState[st]), provider, string(st))
		}
	}
}
