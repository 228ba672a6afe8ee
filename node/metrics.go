package node

import (
	"context"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/keys"
)

// appMetrics are the application's Prometheus metrics, served on the same
// endpoint as CometBFT's (the default registry).
type appMetrics struct {
	blocks     prometheus.Counter
	txs        *prometheus.CounterVec
	checkTxs   *prometheus.CounterVec
	blockTime  prometheus.Histogram
	height     prometheus.Gauge
	blockBytes prometheus.Histogram
}

var sharedMetrics *appMetrics

func newAppMetrics() *appMetrics {
	if sharedMetrics != nil { // one registration per process (tests start many nodes)
		return sharedMetrics
	}
	m := &appMetrics{
		blocks: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "gotensor", Name: "blocks_total", Help: "Blocks executed."}),
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "gotensor", Name: "txs_total",
			Help: "Transactions executed in blocks, by result (ok or the error codespace)."}, []string{"result"}),
		checkTxs: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "gotensor", Name: "checktx_total",
			Help: "Mempool admission checks, by result."}, []string{"result"}),
		blockTime: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "gotensor", Name: "finalize_block_seconds",
			Help: "Time to execute a block.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		height: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "gotensor", Name: "height", Help: "Last executed height."}),
		blockBytes: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "gotensor", Name: "block_txs",
			Help: "Transactions per block.", Buckets: prometheus.ExponentialBuckets(1, 2, 14)}),
	}
	sigs := func(f func(keys.BatchStats) uint64) func() float64 {
		return func() float64 { return float64(f(submitSigs.Stats())) }
	}
	prometheus.MustRegister(m.blocks, m.txs, m.checkTxs, m.blockTime, m.height, m.blockBytes,
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "gotensor", Name: "submit_signatures_batched_total",
			Help: "Signatures of REST submissions checked in batches (before CheckTx)."}, sigs(func(s keys.BatchStats) uint64 { return s.Batched })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "gotensor", Name: "submit_signature_batches_total",
			Help: "Batches of REST submissions' signatures checked."}, sigs(func(s keys.BatchStats) uint64 { return s.Batches })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "gotensor", Name: "submit_signatures_alone_total",
			Help: "Signatures of REST submissions checked one by one (idle node, or after a batch with a bad signature)."}, sigs(func(s keys.BatchStats) uint64 { return s.Alone })),
	)
	sharedMetrics = m
	return m
}

func result(code uint32, space string) string {
	if code == abci.CodeTypeOK {
		return "ok"
	}
	return space
}

// instrumented is the application with metrics around block execution
// and mempool checks.
type instrumented struct {
	*app.App
	m *appMetrics
}

func (m *appMetrics) wrap(a *app.App) abci.Application { return instrumented{App: a, m: m} }

func (i instrumented) FinalizeBlock(ctx context.Context, req *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	start := time.Now()
	resp, err := i.App.FinalizeBlock(ctx, req)
	if err != nil {
		return resp, err
	}
	i.m.blockTime.Observe(time.Since(start).Seconds())
	i.m.blocks.Inc()
	i.m.height.Set(float64(req.Height))
	i.m.blockBytes.Observe(float64(len(req.Txs)))
	for _, r := range resp.TxResults {
		i.m.txs.WithLabelValues(result(r.Code, r.Codespace)).Inc()
	}
	return resp, nil
}

func (i instrumented) CheckTx(ctx context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	resp, err := i.App.CheckTx(ctx, req)
	if err == nil {
		i.m.checkTxs.WithLabelValues(result(resp.Code, resp.Codespace)).Inc()
	}
	return resp, err
}
