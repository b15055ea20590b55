package metrics

import (
	"database/sql"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one broker's metrics.
type Metrics struct {
	reg             *prometheus.Registry
	loginsStarted   *prometheus.CounterVec
	loginsFinished  *prometheus.CounterVec
	stepSeconds     *prometheus.HistogramVec
	upstreamSeconds *prometheus.HistogramVec
}

// Outcomes of a finished login, as the audit trail names them.
const (
	OutcomeSuccess = "success"
	OutcomeCancel  = "cancel"
	OutcomeError   = "error"
)

// latencyBuckets span a fast local step (1 ms) to a slow upstream (10 s).
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New creates the metrics with the process and Go runtime collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		loginsStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "portvakt", Name: "logins_started_total",
			Help: "Logins in which an eID was started, by eID and client.",
		}, []string{"idp", "client"}),
		loginsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "portvakt", Name: "logins_finished_total",
			Help: "Logins that ended, by eID, client and outcome (success, cancel, error).",
		}, []string{"idp", "client", "outcome"}),
		stepSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "portvakt", Name: "step_duration_seconds", Buckets: latencyBuckets,
			Help: "Time the broker takes to answer each step of a login (authorize, login, callback, order_status, token, userinfo).",
		}, []string{"step"}),
		upstreamSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "portvakt", Name: "upstream_duration_seconds", Buckets: latencyBuckets,
			Help: "Calls to eID upstreams, by connector, operation and result (ok or the error kind).",
		}, []string{"connector", "operation", "result"}),
	}
	m.reg.MustRegister(
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
		m.loginsStarted, m.loginsFinished, m.stepSeconds, m.upstreamSeconds,
	)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// AddDB exports a database pool's statistics (open, in use, waits).
func (m *Metrics) AddDB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// AddWriteRetries exports the storage's write retry counters, read from
// counts at each scrape: writes run again after a conflict (on Galera, a lost
// certification) or a lost node, writes given up after too many runs, and
// writes whose connection died while committing.
func (m *Metrics) AddWriteRetries(counts func() (retries, gaveUp, unknown uint64)) {
	counter := func(name, help string, pick func(r, g, u uint64) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "portvakt", Name: name, Help: help},
			func() float64 { return float64(pick(counts())) })
	}
	m.reg.MustRegister(
		counter("db_write_retries_total", "Database writes run again after a conflict or a lost node.",
			func(r, _, _ uint64) uint64 { return r }),
		counter("db_write_give_ups_total", "Database writes that failed after every retry.",
			func(_, g, _ uint64) uint64 { return g }),
		counter("db_write_unknown_outcomes_total", "Database writes whose connection died while committing.",
			func(_, _, u uint64) uint64 { return u }),
	)
}

// LoginStarted counts an eID started for a client.
func (m *Metrics) LoginStarted(idp, client string) {
	m.loginsStarted.WithLabelValues(idp, client).Inc()
}

// LoginFinished counts a login's end.
func (m *Metrics) LoginFinished(idp, client, outcome string) {
	m.loginsFinished.WithLabelValues(idp, client, outcome).Inc()
}

// Step wraps a handler to observe its latency under the step's name.
func (m *Metrics) Step(step string, next http.Handler) http.Handler {
	observer := m.stepSeconds.WithLabelValues(step)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		observer.Observe(time.Since(start).Seconds())
	})
}

func (m *Metrics) observeUpstream(connector, operation string, start time.Time, err error) {
	m.upstreamSeconds.WithLabelValues(connector, operation, resultOf(err)).Observe(time.Since(start).Seconds())
}
