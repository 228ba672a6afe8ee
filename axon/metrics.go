package axon

import (
	"errors"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/keys"
)

// metrics are the axon's Prometheus collectors. They exist even when Config.Metrics is nil
// (then nobody scrapes them), so the serving code never checks.
type metrics struct {
	requests   *prometheus.CounterVec   // by synapse and code
	rejections *prometheus.CounterVec   // by reason
	duration   *prometheus.HistogramVec // by synapse
	running    prometheus.Gauge
	waiting    prometheus.Gauge
	conns      prometheus.Counter // connections refused by the per-IP limit
}

// Rejection reasons, the values of axon_rejections_total's reason label.
const (
	reasonBadPath     = "bad_path"
	reasonUnknown     = "unknown_synapse"
	reasonMethod      = "method"
	reasonScheme      = "scheme"
	reasonBadHeader   = "bad_header"
	reasonUnsigned    = "unsigned"
	reasonNotReg      = "not_registered"
	reasonStake       = "stake"
	reasonBlacklist   = "blacklist"
	reasonIPRate      = "ip_rate"
	reasonHotkeyRate  = "hotkey_rate"
	reasonNonceStale  = "nonce_stale"
	reasonNonceReplay = "nonce_replay"
	reasonSignature   = "signature"
	reasonVerify      = "verify"
	reasonTooLarge    = "too_large"
	reasonBodyTimeout = "body_timeout"
	reasonBodyRead    = "body_read"
	reasonBodyHash    = "body_hash"
	reasonBadBody     = "bad_body"
	reasonQueueFull   = "queue_full"
	reasonQueueTime   = "queue_timeout"
	reasonDraining    = "draining"
)

func newMetrics(reg prometheus.Registerer, sigs *keys.BatchingVerifier) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "axon_requests_total", Help: "Requests answered, by synapse and status code.",
		}, []string{"synapse", "code"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "axon_rejections_total", Help: "Requests refused before their handler ran, by reason.",
		}, []string{"reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "axon_request_duration_seconds", Help: "Time from request headers to response, by synapse.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 12, 30, 60, 120},
		}, []string{"synapse"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "axon_handlers_running", Help: "Handlers running now.",
		}),
		waiting: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "axon_queue_waiting", Help: "Verified requests waiting for a handler slot.",
		}),
		conns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "axon_connections_refused_total", Help: "Connections closed by the per-IP connection limit.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	// Signature checks are counted by the verifier itself; these read its counts when scraped.
	sigCount := func(name, help string, f func(keys.BatchStats) uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(f(sigs.Stats())) })
	}
	for _, c := range []prometheus.Collector{m.requests, m.rejections, m.duration, m.running, m.waiting, m.conns,
		sigCount("axon_signatures_alone_total", "Request signatures verified one by one (a verification slot was free).",
			func(s keys.BatchStats) uint64 { return s.Alone }),
		sigCount("axon_signatures_batched_total", "Request signatures verified in batches (concurrent requests checked together).",
			func(s keys.BatchStats) uint64 { return s.Batched }),
		sigCount("axon_signature_batches_total", "Batches of request signatures verified.",
			func(s keys.BatchStats) uint64 { return s.Batches }),
	} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, errors.New("axon: metrics already registered: give each axon its own prometheus.Registerer (prometheus.WrapRegistererWith adds labels)")
			}
			return nil, err
		}
	}
	return m, nil
}

func (m *metrics) observe(synapse string, code int, seconds float64) {
	m.requests.WithLabelValues(synapse, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(synapse).Observe(seconds)
}
