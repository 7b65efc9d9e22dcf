package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the server's Prometheus collectors on its own registry (never
// the global one). Every method is safe on a nil *Metrics (it does nothing), so
// components can be used without metrics. Safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	odooCalls    *prometheus.CounterVec
	odooDuration *prometheus.HistogramVec
	inboxDepth   *prometheus.GaugeVec
	wsClients    prometheus.Gauge
	wsDropped    prometheus.Counter
	wsEvents     *prometheus.CounterVec
	cronRuns     *prometheus.CounterVec
	idemReplays  prometheus.Counter
}

// NewMetrics creates the collectors on a fresh registry, with the Go runtime and
// process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cmu_http_request_duration_seconds", Help: "HTTP request latency by route pattern and method.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		odooCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_odoo_calls_total", Help: "Odoo calls by model, method and outcome (ok or error).",
		}, []string{"model", "method", "outcome"}),
		odooDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cmu_odoo_call_duration_seconds", Help: "Odoo call latency by method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method"}),
		inboxDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "cmu_webhook_inbox_depth", Help: "Webhook inbox deliveries by provider and state.",
		}, []string{"provider", "state"}),
		wsClients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cmu_websocket_clients", Help: "Connected WebSocket clients on this instance.",
		}),
		wsDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cmu_websocket_slow_clients_dropped_total", Help: "WebSocket clients closed because their queue overflowed.",
		}),
		wsEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_websocket_events_total", Help: "Events delivered to this instance's hub by type.",
		}, []string{"type"}),
		cronRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmu_cron_runs_total", Help: "Cron job runs on this instance by job and outcome.",
		}, []string{"job", "outcome"}),
		idemReplays: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cmu_idempotent_replays_total", Help: "Responses replayed for a repeated Idempotency-Key.",
		}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.odooCalls, m.odooDuration, m.inboxDepth,
		m.wsClients, m.wsDropped, m.wsEvents, m.cronRuns, m.idemReplays,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry, for tests or to register more collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one HTTP request.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route, method).Observe(d.Seconds())
}

// ObserveOdooCall records one Odoo call (model may be empty for service calls).
func (m *Metrics) ObserveOdooCall(model, method string, d time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.odooCalls.WithLabelValues(model, method, outcome).Inc()
	m.odooDuration.WithLabelValues(method).Observe(d.Seconds())
}

// SetWebhookInboxDepth sets how many deliveries of provider are in state
// (e.g. pending, processing, dead).
func (m *Metrics) SetWebhookInboxDepth(provider, state string, n int) {
	if m == nil {
		return
	}
	m.inboxDepth.WithLabelValues(provider, state).Set(float64(n))
}

// ObserveCronRun records one job run ("ok", "error" or "skipped").
func (m *Metrics) ObserveCronRun(job, outcome string) {
	if m == nil {
		return
	}
	m.cronRuns.WithLabelValues(job, outcome).Inc()
}

func (m *Metrics) wsClientDelta(d float64) {
	if m != nil {
		m.wsClients.Add(d)
	}
}

func (m *Metrics) wsDrop() {
	if m != nil {
		m.wsDropped.Inc()
	}
}

func (m *Metrics) wsEvent(typ string) {
	if m != nil {
		m.wsEvents.WithLabelValues(typ).Inc()
	}
}

func (m *Metrics) idemReplay() {
	if m != nil {
		m.idemReplays.Inc()
	}
}
