package gateway

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the gateway's Prometheus collectors; a nil *metrics records nothing.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	upstr    *prometheus.CounterVec
	breakers prometheus.Counter
	tokens   *prometheus.CounterVec
	deposits prometheus.Counter
	private  *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_requests_total", Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "gateway_request_seconds", Help: "HTTP request duration by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 18)}, []string{"route"}),
		upstr:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_miner_calls_total", Help: "Miner calls by outcome (ok, error)."}, []string{"outcome"}),
		breakers: prometheus.NewCounter(prometheus.CounterOpts{Name: "gateway_breaker_opened_total", Help: "Times a miner's circuit breaker opened."}),
		tokens:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gateway_tokens_total", Help: "Tokens served by model."}, []string{"model"}),
		deposits: prometheus.NewCounter(prometheus.CounterOpts{Name: "gateway_deposits_credited_rao_total", Help: "RAO credited from deposits."}),
		private: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "gateway_miners_skipped_private",
			Help: "Serving miners of a subnet left out of routing because their on-chain address is private (--allow-private-miners allows them), as of the last metagraph."}, []string{"netuid"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.upstr, m.breakers, m.tokens, m.deposits, m.private} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) request(route string, code int, seconds float64) {
	if m != nil {
		m.requests.WithLabelValues(route, strconv.Itoa(code)).Inc()
		m.duration.WithLabelValues(route).Observe(seconds)
	}
}

func (m *metrics) upstream(ok bool) {
	if m != nil {
		if ok {
			m.upstr.WithLabelValues("ok").Inc()
		} else {
			m.upstr.WithLabelValues("error").Inc()
		}
	}
}

func (m *metrics) breakerOpen() {
	if m != nil {
		m.breakers.Inc()
	}
}

func (m *metrics) privateMiners(netuid uint16, n int) {
	if m != nil {
		m.private.WithLabelValues(strconv.Itoa(int(netuid))).Set(float64(n))
	}
}

func (m *metrics) served(model string, tokens int64) {
	if m != nil {
		m.tokens.WithLabelValues(model).Add(float64(tokens))
	}
}

func (m *metrics) deposit(rao int64) {
	if m != nil {
		m.deposits.Add(float64(rao))
	}
}
