package messaging

import "github.com/prometheus/client_golang/prometheus"

// metrics are the outbox's counters, per Outbox so that tests and several
// appliances in one process do not share them.
type metrics struct {
	queued, sent, failed *prometheus.CounterVec
	lag                  prometheus.GaugeFunc
}

func (o *Outbox) initMetrics() {
	o.metricsOnce.Do(func() {
		counter := func(name, help string) *prometheus.CounterVec {
			return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "ksmart", Subsystem: "messages", Name: name, Help: help}, []string{"channel"})
		}
		o.metrics = &metrics{
			queued: counter("queued_total", "Deliveries created by the outbox, per channel (not configured ones included)."),
			sent:   counter("sent_total", "Deliveries the channel's provider accepted, per channel."),
			failed: counter("failed_total", "Deliveries failed for good (bad address, unknown number, or too many attempts), per channel."),
			lag: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "ksmart", Subsystem: "outbox", Name: "lag_events",
				Help: "Log events the message outbox has yet to read."}, func() float64 { return float64(o.Lag()) }),
		}
	})
}

// Collectors returns the outbox's metrics for registration: counters of
// deliveries queued, sent and failed (label channel) and a gauge of the
// outbox's lag behind the log, in events.
func (o *Outbox) Collectors() []prometheus.Collector {
	o.initMetrics()
	return []prometheus.Collector{o.metrics.queued, o.metrics.sent, o.metrics.failed, o.metrics.lag}
}
