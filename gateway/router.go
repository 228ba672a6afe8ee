package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
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
	// Proof is the miner's signature over its answer, with what re-verifying it takes; set
	// for a successful call when Config.SignedAnswers is on, else nil.
	Proof *dendrite.ResponseProof

	hotkey keys.PublicKey
}

type candidate struct {
	uid  uint16
	axon synapse.AxonInfo
	ss58 string // axon.Hotkey in SS58, for Answer
}

// pool is a subnet's serving miners by incentive (AddrOverride applied) as of one
// metagraph block: built once per block, not per request, since reading axons parses
// two SS58 addresses per uid. Miners whose published address the dendrite would refuse
// (private, with AllowPrivateMiners off) are left out and counted in private, so they
// take no fan-out slot; a miner that publishes a public address comes back in the pool
// built after the next metagraph refresh.
type pool struct {
	block   int64
	cands   []candidate
	private int
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
	log *slog.Logger

	mu       sync.Mutex
	graphs   map[uint16]*metagraph.Metagraph
	pools    map[uint16]*pool
	breakers map[keys.PublicKey]*breaker
	// skipped are the miner addresses (hotkey and host:port) already logged as left out
	// for a private address, up to maxSkipLogged; allPrivate the subnets already logged
	// as having no miner but private ones, until one is callable again.
	skipped    map[string]bool
	allPrivate map[uint16]bool

	// bg counts fan-out calls still finishing after their request was answered, and the
	// samples waiting for them; wait ends them before the dendrite closes.
	bg sync.WaitGroup
}

func newRouter(cfg Config, d *dendrite.Dendrite, src metagraph.Source, m *metrics, log *slog.Logger) *router {
	r := &router{cfg: cfg, d: d, src: src, m: m, log: log, graphs: map[uint16]*metagraph.Metagraph{}, pools: map[uint16]*pool{},
		breakers: map[keys.PublicKey]*breaker{}, skipped: map[string]bool{}, allPrivate: map[uint16]bool{}}
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

// candidates are netuid's serving miners by incentive, without open breakers and
// without miners at addresses the dendrite would refuse; private counts those.
func (r *router) candidates(ctx context.Context, netuid uint16) (cands []candidate, private int, err error) {
	g, err := r.graph(ctx, netuid)
	if err != nil {
		return nil, 0, err
	}
	block := g.Block()
	r.mu.Lock()
	p := r.pools[netuid]
	r.mu.Unlock()
	if p == nil || p.block != block {
		p = r.buildPool(g, netuid, block)
		r.mu.Lock()
		r.pools[netuid] = p
		r.mu.Unlock()
	}
	now := r.cfg.Now()
	out := make([]candidate, 0, len(p.cands))
	r.mu.Lock()
	for _, c := range p.cands {
		if b := r.breakers[c.axon.Hotkey]; b != nil && now.Before(b.openUntil) {
			continue
		}
		out = append(out, c)
	}
	r.mu.Unlock()
	return out, p.private, nil
}

func (r *router) buildPool(g *metagraph.Metagraph, netuid uint16, block int64) *pool {
	p := &pool{block: block}
	for _, uid := range g.TopMiners(g.N()) {
		ax, ok := g.Axon(uid)
		if !ok {
			continue
		}
		ss58 := ax.Hotkey.SS58()
		o, overridden := r.cfg.AddrOverride[ss58]
		if overridden {
			host, port, _ := net.SplitHostPort(o) // Validate checked it
			pn, _ := strconv.Atoi(port)
			ax.IP, ax.Port = host, uint16(pn)
		}
		if !ax.IsServing() {
			continue
		}
		// An override is the operator's choice and always called (the dendrite allows its
		// destinations); an on-chain address is judged as the dendrite would judge it.
		if !overridden {
			if ip, err := netip.ParseAddr(ax.IP); err == nil { // IsServing parsed it
				if err := r.d.CheckDestination(netip.AddrPortFrom(ip, ax.Port)); err != nil {
					p.private++
					r.skipPrivate(netuid, uid, ax, ss58, err)
					continue
				}
			}
		}
		p.cands = append(p.cands, candidate{uid: uid, axon: ax, ss58: ss58})
	}
	r.m.privateMiners(netuid, p.private)
	r.mu.Lock()
	logAll := len(p.cands) == 0 && p.private > 0 && !r.allPrivate[netuid]
	r.allPrivate[netuid] = len(p.cands) == 0 && p.private > 0
	r.mu.Unlock()
	if logAll {
		r.log.Warn("every serving miner of the subnet is at a private address, which the gateway refuses: requests for its models fail with no miner answered",
			"netuid", netuid, "private_miners", p.private, "block", block,
			"allow_with", "--allow-private-miners (Config.AllowPrivateMiners) when this host reaches those addresses, else --addr-override hotkey=host:port (Config.AddrOverride) per miner")
	}
	return p
}

// skipPrivate logs, once per miner address, that the miner is left out of routing
// because its published address is private.
func (r *router) skipPrivate(netuid, uid uint16, ax synapse.AxonInfo, ss58 string, why error) {
	key := ss58 + " " + ax.Addr()
	r.mu.Lock()
	first := !r.skipped[key] && len(r.skipped) < maxSkipLogged
	if first {
		r.skipped[key] = true
	}
	r.mu.Unlock()
	if first {
		r.log.Warn("gateway skips a miner whose on-chain address is private (logged once per address; it gets no requests until it publishes a public one)",
			"netuid", netuid, "uid", uid, "hotkey", ss58, "addr", ax.Addr(), "reason", why.Error(),
			"allow_with", "--allow-private-miners (Config.AllowPrivateMiners) when this host reaches that address, else --addr-override hotkey=host:port (Config.AddrOverride) for this hotkey")
	}
}

// maxSkipLogged bounds the addresses remembered as logged, so a subnet of miners hopping
// between private addresses cannot grow it without end.
const maxSkipLogged = 4096

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
// chosen answer (by Policy; good says what counts as an answer) and every answer. With
// PolicyFirst the other miners of the last round may still be answering: their entries
// of answers are final only once done is closed (see fanout).
func (r *router) query(ctx context.Context, netuid uint16, syn synapse.Synapse, good func(synapse.Synapse) bool) (chosen int, answers []Answer, done <-chan struct{}, err error) {
	cands, private, err := r.candidates(ctx, netuid)
	if err != nil {
		return -1, nil, closed, fmt.Errorf("%w: metagraph of subnet %d: %v", ErrNoMiners, netuid, err)
	}
	if len(cands) == 0 {
		return -1, nil, closed, fmt.Errorf("%w: subnet %d has no serving miner%s", ErrNoMiners, netuid, privateNote(private))
	}
	t, err := synapse.TypeOf(syn)
	if err != nil {
		return -1, nil, closed, err
	}
	syn.SynapseBase().Timeout = r.cfg.MinerTimeout.Seconds()
	// Room for every round up front: a round's entries are written in place by calls that
	// may outlive query, so the slice must never be copied by a growing append.
	all := make([]Answer, 0, min(len(cands), (r.cfg.Retries+1)*r.cfg.K))
	for round := 0; round <= r.cfg.Retries && len(cands) > 0 && ctx.Err() == nil; round++ {
		batch := cands[:min(r.cfg.K, len(cands))]
		cands = cands[len(batch):]
		base := len(all)
		all = all[:base+len(batch)]
		chosen, done := r.fanout(ctx, t, batch, syn, good, all[base:])
		if chosen >= 0 {
			return base + chosen, all, done, nil
		}
	}
	if err := ctx.Err(); err != nil {
		return -1, all, closed, err
	}
	return -1, all, closed, fmt.Errorf("%w: %s of subnet %d tried%s", ErrNoMiners, miners(len(all)), netuid, whyFailed(all))
}

// whyFailed says, in an error's cause (logged, never shown to the user), how the first
// few failed answers failed: the operator's log otherwise only counted the tries, which
// left a wrong address (a miner's private one with --allow-private-miners that this host
// cannot reach, an --addr-override to the wrong port) unexplained.
func whyFailed(answers []Answer) string {
	const most = 3
	var b strings.Builder
	n := 0
	for _, a := range answers {
		if a.Err == nil {
			continue
		}
		if n++; n <= most {
			fmt.Fprintf(&b, "; uid %d %s: %v", a.UID, a.Hotkey, a.Err)
		}
	}
	if n > most {
		fmt.Fprintf(&b, "; %d more failed", n-most)
	}
	return b.String()
}

// privateNote explains, in an error's cause (logged, never shown to the user), that
// miners were left out for their private addresses.
func privateNote(private int) string {
	if private == 0 {
		return ""
	}
	return fmt.Sprintf(" the gateway may call (%d skipped: their on-chain addresses are private; --allow-private-miners or --addr-override (Config.AllowPrivateMiners, AddrOverride) allows them)", private)
}

// closed is a closed channel: nothing left to wait for.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// fanout calls batch's miners at once, filling answers (one per miner), and returns the
// chosen index (-1 if none) and a channel closed once every answer is in.
//
// With PolicyFirst it returns at the first good answer. The other calls are not cancelled
// at once: they get as long again as the winner took (at least loserGrace) to finish in
// the background. Fast miners answer within that, so their connections stay open for
// reuse (cancelling an HTTP/1.1 call closes its connection, and redialling cost more CPU
// than the answers) and their answers still reach the breakers and the organic sample;
// slow ones are cancelled after it. The user going away before an answer cancels all.
func (r *router) fanout(ctx context.Context, t *synapse.Type, batch []candidate, syn synapse.Synapse, good func(synapse.Synapse) bool, answers []Answer) (int, <-chan struct{}) {
	callCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	unfollow := context.AfterFunc(ctx, cancel)
	results := make(chan int, len(batch))
	for i, c := range batch {
		cp := t.Copy(syn)
		answers[i] = Answer{UID: c.uid, Hotkey: c.ss58, Response: cp, hotkey: c.axon.Hotkey}
		go func() {
			start := time.Now()
			proof, err := r.d.CallWithProof(callCtx, c.axon, cp)
			if err == nil && !good(cp) {
				err = errors.New("empty answer")
			}
			answers[i].Err, answers[i].Latency, answers[i].Proof = err, time.Since(start), proof
			results <- i
		}()
	}
	// collect takes answer i in: a call that failed because it was cancelled says nothing
	// about its miner.
	collect := func(i int) {
		a := &answers[i]
		if a.Err != nil && callCtx.Err() != nil {
			return
		}
		r.outcome(a.hotkey, a.Err == nil)
		r.m.upstream(a.Err == nil)
	}
	chosen, best, n := -1, 0.0, 0
	for n < len(batch) && (r.cfg.Policy != PolicyFirst || chosen < 0) {
		i := <-results
		n++
		collect(i)
		if answers[i].Err != nil {
			continue
		}
		if r.cfg.Policy == PolicyFirst {
			chosen = i
			continue
		}
		if s := r.score(answers[i].Response); chosen < 0 || s > best {
			chosen, best = i, s
		}
	}
	if n == len(batch) {
		unfollow()
		cancel()
		return chosen, closed
	}
	// Answered; the request context ends when the handler returns, so the rest no longer
	// follow it.
	unfollow()
	timer := time.AfterFunc(max(loserGrace, answers[chosen].Latency), cancel)
	done := make(chan struct{})
	r.bg.Go(func() {
		for ; n < len(batch); n++ {
			collect(<-results)
		}
		timer.Stop()
		cancel()
		close(done)
	})
	return chosen, done
}

// loserGrace is the least time the other calls of a PolicyFirst fan-out get to finish.
const loserGrace = 100 * time.Millisecond

// wait waits for the fan-out calls still finishing in the background.
func (r *router) wait() { r.bg.Wait() }

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
	cands, private, err := r.candidates(ctx, netuid)
	if err != nil {
		return nil, Answer{}, fmt.Errorf("%w: metagraph of subnet %d: %v", ErrNoMiners, netuid, err)
	}
	if len(cands) == 0 {
		return nil, Answer{}, fmt.Errorf("%w: subnet %d has no serving miner%s", ErrNoMiners, netuid, privateNote(private))
	}
	syn.SynapseBase().Timeout = r.cfg.MinerTimeout.Seconds()
	tries := min(len(cands), (r.cfg.Retries+1)*r.cfg.K)
	failed := make([]Answer, 0, tries)
	for _, c := range cands[:tries] {
		start := time.Now()
		s, err := r.d.Stream(ctx, c.axon, syn)
		if err == nil {
			if err = s.EventStream(); err != nil {
				s.Close() // a miner that answers without streaming: try the next one
			}
		}
		if err == nil {
			return s, Answer{UID: c.uid, Hotkey: c.ss58, Response: syn, Latency: time.Since(start), hotkey: c.axon.Hotkey}, nil
		}
		if ctx.Err() != nil {
			return nil, Answer{}, ctx.Err()
		}
		r.outcome(c.axon.Hotkey, false)
		r.m.upstream(false)
		failed = append(failed, Answer{UID: c.uid, Hotkey: c.ss58, Err: err})
	}
	return nil, Answer{}, fmt.Errorf("%w: %s of subnet %d tried%s", ErrNoMiners, miners(tries), netuid, whyFailed(failed))
}

// miners says "1 miner" or "n miners".
func miners(n int) string {
	if n == 1 {
		return "1 miner"
	}
	return fmt.Sprintf("%d miners", n)
}
