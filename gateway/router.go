package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/synapse"
)

// Sample is one routed request as the organic scoring hook sees it.
type Sample struct {
	Netuid  uint16
	Synapse string
	KeyID   string
	// Request is the synapse sent (a copy); Answers are every miner's outcome; Chosen
	// indexes the answer returned to the user, or is -1.
	Request synapse.Synapse
	Answers []Answer
	Chosen  int
}

// Answer is one miner's outcome.
type Answer struct {
	UID      uint16
	Hotkey   string
	Response synapse.Synapse // nil when the call never started
	Err      error
	Latency  time.Duration

	hotkey keys.PublicKey
}

type candidate struct {
	uid  uint16
	axon synapse.AxonInfo
}

// breaker is one miner's circuit breaker: open (skipped) until openUntil after failures
// consecutive failures.
type breaker struct {
	failures  int
	openUntil time.Time
}

// router picks miners and calls them. Safe for concurrent use.
type router struct {
	cfg Config
	d   *dendrite.Dendrite
	src metagraph.Source
	m   *metrics

	mu       sync.Mutex
	graphs   map[uint16]*metagraph.Metagraph
	breakers map[keys.PublicKey]*breaker
}

func newRouter(cfg Config, d *dendrite.Dendrite, src metagraph.Source, m *metrics) *router {
	r := &router{cfg: cfg, d: d, src: src, m: m, graphs: map[uint16]*metagraph.Metagraph{}, breakers: map[keys.PublicKey]*breaker{}}
	for _, mod := range cfg.Models {
		if r.graphs[mod.Netuid] == nil {
			r.graphs[mod.Netuid] = metagraph.New(src, mod.Netuid, metagraph.Lite)
		}
	}
	return r
}

func (r *router) graph(ctx context.Context, netuid uint16) (*metagraph.Metagraph, error) {
	r.mu.Lock()
	g := r.graphs[netuid]
	if g == nil {
		g = metagraph.New(r.src, netuid, metagraph.Lite)
		r.graphs[netuid] = g
	}
	r.mu.Unlock()
	if g.Block() == 0 {
		if _, err := g.Sync(ctx); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// syncAll refreshes every metagraph; it returns the first error.
func (r *router) syncAll(ctx context.Context) error {
	r.mu.Lock()
	gs := make([]*metagraph.Metagraph, 0, len(r.graphs))
	for _, g := range r.graphs {
		gs = append(gs, g)
	}
	r.mu.Unlock()
	var first error
	for _, g := range gs {
		if _, err := g.Sync(ctx); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// candidates are netuid's serving miners by incentive, without open breakers.
func (r *router) candidates(ctx context.Context, netuid uint16) ([]candidate, error) {
	g, err := r.graph(ctx, netuid)
	if err != nil {
		return nil, err
	}
	now := r.cfg.Now()
	var out []candidate
	for _, uid := range g.TopMiners(g.N()) {
		ax, ok := g.Axon(uid)
		if !ok {
			continue
		}
		if o, ok := r.cfg.AddrOverride[ax.Hotkey.SS58()]; ok {
			host, port, _ := net.SplitHostPort(o) // Validate checked it
			p, _ := strconv.Atoi(port)
			ax.IP, ax.Port = host, uint16(p)
		}
		if !ax.IsServing() {
			continue
		}
		r.mu.Lock()
		b := r.breakers[ax.Hotkey]
		open := b != nil && now.Before(b.openUntil)
		r.mu.Unlock()
		if !open {
			out = append(out, candidate{uid: uid, axon: ax})
		}
	}
	return out, nil
}

func (r *router) outcome(hk keys.PublicKey, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b := r.breakers[hk]
	if ok {
		delete(r.breakers, hk)
		return
	}
	if b == nil {
		b = &breaker{}
		r.breakers[hk] = b
	}
	b.failures++
	if b.failures >= r.cfg.BreakerFailures {
		b.openUntil = r.cfg.Now().Add(r.cfg.BreakerCooldown)
		b.failures = 0
		r.m.breakerOpen()
	}
}

// query sends syn to netuid's miners, K at a time, up to Retries+1 rounds, and returns the
// chosen answer (by Policy; good says what counts as an answer) and every answer.
func (r *router) query(ctx context.Context, netuid uint16, syn synapse.Synapse, good func(synapse.Synapse) bool) (int, []Answer, error) {
	cands, err := r.candidates(ctx, netuid)
	if err != nil {
		return -1, nil, fmt.Errorf("%w: metagraph of subnet %d: %v", ErrNoMiners, netuid, err)
	}
	if len(cands) == 0 {
		return -1, nil, fmt.Errorf("%w: subnet %d has no serving miner", ErrNoMiners, netuid)
	}
	t, err := synapse.TypeOf(syn)
	if err != nil {
		return -1, nil, err
	}
	syn.SynapseBase().Timeout = r.cfg.MinerTimeout.Seconds()
	var all []Answer
	for round := 0; round <= r.cfg.Retries && len(cands) > 0 && ctx.Err() == nil; round++ {
		batch := cands[:min(r.cfg.K, len(cands))]
		cands = cands[len(batch):]
		chosen, answers := r.fanout(ctx, t, batch, syn, good)
		base := len(all)
		all = append(all, answers...)
		if chosen >= 0 {
			return base + chosen, all, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return -1, all, err
	}
	return -1, all, fmt.Errorf("%w: %d miners of subnet %d tried", ErrNoMiners, len(all), netuid)
}

func (r *router) fanout(ctx context.Context, t *synapse.Type, batch []candidate, syn synapse.Synapse, good func(synapse.Synapse) bool) (int, []Answer) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	answers := make([]Answer, len(batch))
	done := make(chan int, len(batch))
	var wg sync.WaitGroup
	for i, c := range batch {
		cp := t.Copy(syn)
		answers[i] = Answer{UID: c.uid, Hotkey: c.axon.Hotkey.SS58(), Response: cp}
		wg.Go(func() {
			start := time.Now()
			err := r.d.Call(ctx, c.axon, cp)
			if err == nil && !good(cp) {
				err = errors.New("empty answer")
			}
			answers[i].Err, answers[i].Latency = err, time.Since(start)
			done <- i
		})
	}
	chosen := -1
	best := 0.0
	for range batch {
		i := <-done
		a := answers[i]
		cancelled := a.Err != nil && ctx.Err() != nil && chosen >= 0
		if !cancelled {
			r.outcome(batch[i].axon.Hotkey, a.Err == nil)
			r.m.upstream(a.Err == nil)
		}
		if a.Err != nil {
			continue
		}
		if r.cfg.Policy == PolicyFirst {
			if chosen < 0 {
				chosen = i
				cancel()
			}
			continue
		}
		if s := r.score(a.Response); chosen < 0 || s > best {
			chosen, best = i, s
		}
	}
	wg.Wait()
	return chosen, answers
}

func (r *router) score(s synapse.Synapse) float64 {
	if r.cfg.Score != nil {
		return r.cfg.Score(s)
	}
	if c, ok := s.(interface{ CompletionText() string }); ok {
		return float64(len(c.CompletionText()))
	}
	return 0
}

// stream starts a streaming call on the first miner that accepts it, trying up to
// (Retries+1)×K miners in incentive order.
func (r *router) stream(ctx context.Context, netuid uint16, syn synapse.Synapse) (*dendrite.Stream, Answer, error) {
	cands, err := r.candidates(ctx, netuid)
	if err != nil {
		return nil, Answer{}, fmt.Errorf("%w: metagraph of subnet %d: %v", ErrNoMiners, netuid, err)
	}
	syn.SynapseBase().Timeout = r.cfg.MinerTimeout.Seconds()
	tries := min(len(cands), (r.cfg.Retries+1)*r.cfg.K)
	for _, c := range cands[:tries] {
		start := time.Now()
		s, err := r.d.Stream(ctx, c.axon, syn)
		if err == nil {
			return s, Answer{UID: c.uid, Hotkey: c.axon.Hotkey.SS58(), Response: syn, Latency: time.Since(start), hotkey: c.axon.Hotkey}, nil
		}
		if ctx.Err() != nil {
			return nil, Answer{}, ctx.Err()
		}
		r.outcome(c.axon.Hotkey, false)
		r.m.upstream(false)
	}
	return nil, Answer{}, fmt.Errorf("%w: %d miners of subnet %d tried", ErrNoMiners, tries, netuid)
}
