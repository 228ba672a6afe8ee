package neuron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/synapse"
)

// ErrRunning: Run was called on a neuron that already runs (or ran); make a new one.
var ErrRunning = errors.New("neuron: already running; make a new one")

// Miner is the base miner (reference §6.1 BaseMinerNeuron, minus its bugs): an axon that
// admits only hotkeys registered on the subnet (403 otherwise) and, by default, holding a
// validator permit, serves the highest stake first, and is published on chain with
// serve_axon at start when Config.Axon.ExternalIP is set; and a metagraph refreshed when the
// chain head moves: at each new block when the Chain streams blocks (client.SubscribeBlocks),
// and checked every Neuron.SyncInterval (the template re-syncs in a tight loop once its
// epoch_length passes, macrocosm-os/apex#260).
//
// Add synapse handlers to Axon() with axon.Handle before or during Run. A Miner's methods
// are safe for concurrent use.
type Miner struct {
	cfg    Config
	chain  Chain
	hotkey *keys.Keypair
	log    *slog.Logger
	mg     *metagraph.Metagraph
	ax     *axon.Axon
	health *health
	ran    atomic.Bool

	// published is the axon this miner put (or found) on chain; nil until then.
	published atomic.Pointer[synapse.AxonInfo]
	// conflict is the other address the chain lists for this hotkey, once warned about.
	conflict string
}

// NewMiner returns a miner for cfg.Netuid that answers as hotkey. It does no I/O; Run
// checks the registration and starts serving.
func NewMiner(cfg Config, chain Chain, hotkey *keys.Keypair) (*Miner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hotkey == nil {
		return nil, errors.New("neuron: no hotkey")
	}
	cfg = cfg.withDefaults()
	m := &Miner{
		cfg: cfg, chain: chain, hotkey: hotkey,
		log: cfg.Logger.With("netuid", cfg.Netuid, "hotkey", hotkey.SS58()),
		mg:  metagraph.New(chain, cfg.Netuid, metagraph.Lite),
	}
	m.health = newHealth("miner", cfg.Netuid, hotkey.SS58(), 3*cfg.Neuron.SyncInterval+10*time.Second)
	acfg := axon.Config{
		Addr:          net.JoinHostPort(cfg.Axon.IP, strconv.Itoa(max(cfg.Axon.Port, 0))),
		ExternalIP:    cfg.Axon.ExternalIP,
		ExternalPort:  cfg.Axon.ExternalPort,
		MinStake:      cfg.Blacklist.MinStake,
		AllowNoPermit: cfg.Blacklist.AllowNoPermit,
		Publish:       m.publish,
		Logger:        cfg.Logger,
	}
	if !cfg.Blacklist.AllowNonRegistered {
		acfg.Registry = m.mg // unknown hotkeys get 403; priority is the caller's stake
	}
	ax, err := axon.New(hotkey, acfg)
	if err != nil {
		return nil, err
	}
	m.ax = ax
	return m, nil
}

// Axon returns the miner's axon, to add handlers to with axon.Handle.
func (m *Miner) Axon() *axon.Axon { return m.ax }

// Metagraph returns the subnet's metagraph as the miner keeps it.
func (m *Miner) Metagraph() *metagraph.Metagraph { return m.mg }

// Health reports the miner's state, as GET /healthz does.
func (m *Miner) Health() Health { return m.health.get() }

// HealthHandler answers GET /healthz with Health, to mount on a server of your own.
func (m *Miner) HealthHandler() http.Handler { return m.health }

// Run syncs the metagraph, fails with ErrNotRegistered when the hotkey has no uid, then
// serves the axon (publishing it, see Miner) and the health endpoint while re-syncing at
// every new block (see Miner), until ctx ends, the hotkey is deregistered or the subnet
// dissolved (ErrNoSubnet). It returns after every
// goroutine it started has ended: nil after a clean stop, else the first failure.
func (m *Miner) Run(ctx context.Context) error {
	if !m.ran.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer m.health.stop()
	if _, err := m.sync(ctx); err != nil {
		return err
	}
	hln, err := listenHealth(m.cfg.Neuron.HealthAddr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	fail := func(err error) {
		once.Do(func() { firstErr = err })
		cancel()
	}
	wg.Go(func() {
		if err := m.ax.Run(ctx); err != nil && ctx.Err() == nil { // after ctx ends, a cut-short publish is no failure
			if errors.Is(err, syscall.EADDRINUSE) {
				err = fmt.Errorf("%w; %s", err, inUseHint(err, "--axon.port", "a free port"))
			}
			fail(err)
		}
	})
	if hln != nil {
		wg.Go(func() {
			if err := ServeHTTP(ctx, hln, m.health, "neuron: health server"); err != nil {
				fail(err)
			}
		})
	}
	m.log.Info("miner running", "listen", net.JoinHostPort(m.cfg.Axon.IP, strconv.Itoa(max(m.cfg.Axon.Port, 0))))
	// A chain that streams blocks (a *client.Client does) drives the sync, one query per
	// block; the SyncInterval check stays, for a chain that cannot and to keep the health
	// endpoint's LastSync fresh while the chain is stalled.
	var blocks <-chan client.Block
	if bs, ok := m.chain.(blockSource); ok {
		blocks = bs.SubscribeBlocks(ctx)
	}
	tick := time.NewTicker(m.cfg.Neuron.SyncInterval)
	defer tick.Stop()
	for ctx.Err() == nil {
		var at int64
		select {
		case <-ctx.Done():
			continue
		case <-tick.C:
		case b, ok := <-blocks:
			if !ok {
				blocks = nil
				continue
			}
			at = b.Height
		}
		if uid, _, err := syncMetagraphAt(ctx, m.mg, m.hotkey.Public(), m.health, at); stopsNeuron(err) {
			fail(err)
		} else if err != nil && ctx.Err() == nil {
			m.log.Warn("metagraph sync failed; retrying", "err", err)
		} else if err == nil {
			m.checkAxon(uid)
		}
	}
	if blocks != nil {
		for range blocks { // it closes once its goroutines are gone
		}
	}
	cancel()
	wg.Wait()
	m.log.Info("miner stopped")
	return firstErr
}

// sync refreshes the metagraph if the chain moved and checks the registration.
func (m *Miner) sync(ctx context.Context) (uint16, error) {
	uid, _, err := syncMetagraph(ctx, m.mg, m.hotkey.Public(), m.health)
	return uid, err
}

// blockSource is the optional part of a Chain that streams new blocks; *client.Client has it.
type blockSource interface {
	SubscribeBlocks(ctx context.Context) <-chan client.Block
}

// syncMetagraph refreshes mg if the chain moved, records the outcome in h, and returns
// hotkey's uid, or ErrNotRegistered.
func syncMetagraph(ctx context.Context, mg *metagraph.Metagraph, hotkey keys.PublicKey, h *health) (uint16, bool, error) {
	return syncMetagraphAt(ctx, mg, hotkey, h, 0)
}

// syncMetagraphAt is syncMetagraph for a block the subscription announced (committed, so
// one query suffices), or for the chain head when at is 0.
func syncMetagraphAt(ctx context.Context, mg *metagraph.Metagraph, hotkey keys.PublicKey, h *health, at int64) (uint16, bool, error) {
	var (
		changed bool
		err     error
	)
	switch {
	case at == 0:
		changed, err = mg.Sync(ctx)
	case at > mg.Block():
		changed, err = true, mg.SyncAt(ctx, at)
	}
	if isGone(err) {
		// The node reported a head whose state it had not committed yet (CometBFT stores a
		// block before the app commits it): read the latest committed state instead.
		changed, err = true, mg.SyncAt(ctx, 0)
	}
	if isNotFound(err) {
		err = fmt.Errorf("%w: subnet %d is not on the chain (dissolved, or a wrong --netuid; see btcli subnets list): %w", ErrNoSubnet, mg.Netuid(), err)
	}
	if err != nil {
		h.update(func(h *Health) { h.Error = err.Error() })
		return 0, false, err
	}
	uid, ok := mg.UID(hotkey)
	h.update(func(h *Health) {
		h.Block, h.LastSync, h.UID = mg.Block(), time.Now(), -1
		if ok {
			h.UID, h.Error = int(uid), ""
		}
	})
	if !ok {
		return 0, changed, notRegistered(hotkey, mg.Netuid())
	}
	return uid, changed, nil
}

// isNotFound reports the node's answer for a subnet that does not exist.
func isNotFound(err error) bool {
	var ce *client.ChainError
	return errors.As(err, &ce) && ce.Codespace == "query" && ce.Code == api.QueryCodeNotFound
}

// isGone reports the node's answer for a height whose state it does not have.
func isGone(err error) bool {
	var ce *client.ChainError
	return errors.As(err, &ce) && ce.Codespace == "query" && ce.Code == api.QueryCodeGone
}

// publish sends serve_axon with the axon's info, unless there is nothing to publish or the
// chain already has it (a restart sends nothing, so serving_rate_limit is no obstacle).
func (m *Miner) publish(ctx context.Context, info synapse.AxonInfo) error {
	ip, err := netip.ParseAddr(info.IP)
	if err != nil || ip.IsUnspecified() || ip.Unmap().IsLoopback() {
		m.log.Warn("axon not published on chain: validators cannot find it; set --axon.external_ip to the address they reach this machine at",
			"listen", m.ax.Addr())
		return nil
	}
	uid, ok := m.mg.UID(m.hotkey.Public())
	if !ok {
		return notRegistered(m.hotkey.Public(), m.cfg.Netuid)
	}
	if cur, ok := m.mg.Axon(uid); ok && sameAxon(cur, info) {
		m.log.Info("axon already published", "uid", uid, "axon", info.Addr())
		m.published.Store(&info)
		m.health.update(func(h *Health) { h.Axon = info.Addr() })
		return nil
	}
	var raw []byte
	if ip = ip.Unmap(); ip.Is4() {
		b := ip.As4()
		raw = b[:]
	} else {
		b := ip.As16()
		raw = b[:]
	}
	r, err := m.chain.Submit(ctx, m.hotkey, client.ServeAxon(m.cfg.Netuid, info.Version, raw, info.Port, info.Protocol), client.SubmitOptions{Wait: client.WaitIncluded})
	if err != nil {
		return fmt.Errorf("neuron: serve_axon %s on subnet %d: %w", info.Addr(), m.cfg.Netuid, err)
	}
	m.log.Info("axon published", "uid", uid, "axon", info.Addr(), "height", r.Height, "tx_hash", r.Hash)
	m.published.Store(&info)
	m.health.update(func(h *Health) { h.Axon = info.Addr() })
	return nil
}

// sameAxon reports whether the chain's axon cur is the one info describes.
func sameAxon(cur, info synapse.AxonInfo) bool {
	ip, err := netip.ParseAddr(info.IP)
	return err == nil && cur.IP == ip.Unmap().String() && cur.Port == info.Port && cur.Protocol == info.Protocol && cur.Version == info.Version
}

// checkAxon notices when the chain no longer lists the axon this miner published for its
// hotkey: another process with the same hotkey (a second copy of the miner, an old one
// left running) sent serve_axon, and validators now call that one. It warns once per
// address and marks the health endpoint, until the chain lists this miner's axon again.
func (m *Miner) checkAxon(uid uint16) {
	mine := m.published.Load()
	if mine == nil {
		return
	}
	cur, ok := m.mg.Axon(uid)
	if !ok || sameAxon(cur, *mine) {
		if m.conflict != "" {
			m.log.Info("the chain lists this miner's axon again", "uid", uid, "axon", mine.Addr())
			m.conflict = ""
			m.health.update(func(h *Health) { h.AxonConflict = "" })
		}
		return
	}
	other := cur.Addr()
	if other == m.conflict {
		return
	}
	m.conflict = other
	msg := fmt.Sprintf("the chain lists axon %s for hotkey %s on subnet %d, not %s, which this miner published: "+
		"another process with this hotkey sent serve_axon, and validators now call it instead of this miner. "+
		"Stop the other process (one hotkey serves one axon), then restart this miner to publish its address again",
		other, m.hotkey.SS58(), m.cfg.Netuid, mine.Addr())
	m.log.Warn("axon taken over on chain", "uid", uid, "chain_axon", other, "published", mine.Addr(), "what_to_do", msg)
	m.health.update(func(h *Health) { h.AxonConflict = msg })
}
