package neuron

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/synapse"
)

// Round is one validator step: the miners sampled and the means to query them.
type Round struct {
	Step     uint64             // counts steps from 0 (kept in Neuron.StateFile)
	Block    int64              // chain head at the step's sync
	UIDs     []uint16           // sampled miners, sorted
	Axons    []synapse.AxonInfo // Axons[i] is UIDs[i]'s endpoint
	Dendrite *dendrite.Dendrite // signs as the validator's hotkey
	Timeout  time.Duration      // Neuron.Timeout: the deadline to give queries
	Rand     *mrand.Rand        // for challenges; not for secrets
	Log      *slog.Logger       // the validator's logger
	meta     *metagraph.Metagraph
}

// Metagraph returns the subnet's metagraph as synced for this step.
func (r *Round) Metagraph() *metagraph.Metagraph { return r.meta }

// Forwarder is a subnet's validation logic: query the round's miners and return one reward
// per uid of r.UIDs (higher is better; NaN, infinite and negative count as 0). A failed
// step returns an error and changes no score. Forward must return when ctx ends.
type Forwarder interface {
	Forward(ctx context.Context, r *Round) (rewards []float64, err error)
}

// ForwardFunc adapts a function to Forwarder.
type ForwardFunc func(ctx context.Context, r *Round) ([]float64, error)

// Forward calls f.
func (f ForwardFunc) Forward(ctx context.Context, r *Round) ([]float64, error) { return f(ctx, r) }

// Challenge returns the template's Forwarder: each step, next makes one request, the
// dendrite sends a copy to every sampled miner with the round's timeout, and reward scores
// each answer against the request. An answer that failed (timeout, refusal, bad response:
// any status but 200) scores 0 without calling reward.
func Challenge[S synapse.Synapse](next func(r *Round) S, reward func(req, resp S) float64) Forwarder {
	return ForwardFunc(func(ctx context.Context, r *Round) ([]float64, error) {
		req := next(r)
		resps, err := dendrite.QueryAs(ctx, r.Dendrite, r.Axons, req, r.Timeout)
		if err != nil {
			return nil, err
		}
		rewards := make([]float64, len(resps))
		for i, resp := range resps {
			if resp.SynapseBase().Dendrite.IsSuccess() {
				rewards[i] = reward(req, resp)
			}
		}
		return rewards, nil
	})
}

// Validator is the base validator (reference §6.1 BaseValidatorNeuron, minus its bugs). Each
// step it syncs the metagraph when the chain moved (resetting the score of a uid whose
// hotkey changed), samples up to Neuron.SampleSize miners (uids with a served axon, not
// itself, not validators), runs the Forwarder, folds the rewards into a moving average per
// uid (Scores), and sends weights when Decide allows: normalised to the subnet's
// min_allowed_weights and max_weights_limit (Weights), by set_weights or, when the subnet
// has commit-reveal on, by commit_weights and reveal_weights in the reveal epoch, retried
// until the chain takes or definitively refuses it. Every transaction waits for inclusion,
// so the outcome in the logs is the chain's.
//
// A Validator's methods are safe for concurrent use; its state belongs to Run.
type Validator struct {
	cfg    Config
	chain  Chain
	hotkey *keys.Keypair
	fwd    Forwarder
	log    *slog.Logger
	mg     *metagraph.Metagraph
	health *health
	ran    atomic.Bool

	// Owned by Run's goroutine.
	dend    *dendrite.Dendrite
	rng     *mrand.Rand
	scores  *Scores
	step    uint64
	wt      WeightsTracker
	hp      Hyperparams
	hpBlock int64 // block the hyperparameters were read at; -1: not read
	// startBlock is the block of Run's first sync; foreign the last last_update this
	// validator did not send (see noticeOtherSender).
	startBlock, foreign uint64
}

// NewValidator returns a validator for cfg.Netuid that signs as hotkey and scores with fwd.
// It does no I/O; Run starts it.
func NewValidator(cfg Config, chain Chain, hotkey *keys.Keypair, fwd Forwarder) (*Validator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if hotkey == nil || fwd == nil {
		return nil, errors.New("neuron: NewValidator needs a hotkey and a Forwarder")
	}
	cfg = cfg.withDefaults()
	v := &Validator{
		cfg: cfg, chain: chain, hotkey: hotkey, fwd: fwd,
		log:     cfg.Logger.With("netuid", cfg.Netuid, "hotkey", hotkey.SS58()),
		mg:      metagraph.New(chain, cfg.Netuid, metagraph.Lite),
		scores:  NewScores(cfg.Neuron.MovingAverageAlpha),
		rng:     mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64())),
		hpBlock: -1,
	}
	stale := 3*(cfg.Neuron.StepInterval+cfg.Neuron.Timeout+cfg.Neuron.SyncInterval) + 10*time.Second
	v.health = newHealth("validator", cfg.Netuid, hotkey.SS58(), stale)
	return v, nil
}

// Metagraph returns the subnet's metagraph as the validator keeps it.
func (v *Validator) Metagraph() *metagraph.Metagraph { return v.mg }

// Health reports the validator's state, as GET /healthz does.
func (v *Validator) Health() Health { return v.health.get() }

// HealthHandler answers GET /healthz with Health, to mount on a server of your own.
func (v *Validator) HealthHandler() http.Handler { return v.health }

// Run locks Neuron.StateFile if set (an exclusive lock on <state_file>.lock, held until Run
// returns; ErrStateLocked when another neuron holds it) and loads it, syncs the metagraph, fails with ErrNotRegistered when
// the hotkey has no uid, then steps every Neuron.StepInterval (see Validator) and serves
// the health endpoint, until ctx ends, the hotkey is deregistered or the subnet dissolved
// (ErrNoSubnet). It saves the state
// after each step and returns after every goroutine it started has ended: nil after a
// clean stop, else the failure.
func (v *Validator) Run(ctx context.Context) error {
	if !v.ran.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer v.health.stop()
	release, err := lockState(v.cfg.Neuron.StateFile)
	if err != nil {
		return err
	}
	defer release()
	if err := v.loadState(); err != nil {
		return err
	}
	uid, _, err := syncMetagraph(ctx, v.mg, v.hotkey.Public(), v.health)
	if err != nil {
		return err
	}
	v.resync()
	v.startBlock = uint64(max(v.mg.Block(), 0))
	d, err := dendrite.New(v.hotkey, dendrite.Config{Timeout: v.cfg.Neuron.Timeout, ExternalIP: v.cfg.Axon.ExternalIP, Logger: v.cfg.Logger,
		RefusePrivate: v.cfg.Neuron.RefusePrivateAxons, PrivateSetting: "--neuron.refuse_private_axons off"})
	if err != nil {
		return err
	}
	v.dend = d
	defer d.Close()
	hln, err := listenHealth(v.cfg.Neuron.HealthAddr)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var healthErr error
	if hln != nil {
		wg.Go(func() {
			if err := ServeHTTP(ctx, hln, v.health, "neuron: health server"); err != nil {
				healthErr = err
				cancel()
			}
		})
	}
	v.log.Info("validator running", "uid", uid, "sample_size", v.cfg.Neuron.SampleSize, "alpha", v.cfg.Neuron.MovingAverageAlpha)
	err = v.loop(ctx)
	cancel()
	wg.Wait()
	v.log.Info("validator stopped", "step", v.step)
	if err == nil {
		err = healthErr
	}
	return err
}

// loop runs a step every Neuron.StepInterval until ctx ends or a step fails for good. While
// a commit waits for its reveal, it also looks at the chain every revealPoll between steps:
// the chain takes a reveal only within one epoch, which on a fast chain (localnet: 20
// blocks, about 6 s) a slow step could miss.
func (v *Validator) loop(ctx context.Context) error {
	poll := min(v.cfg.Neuron.SyncInterval, revealPoll)
	for {
		if err := v.stepOnce(ctx, true); err != nil {
			return err
		}
		next := time.Now().Add(v.cfg.Neuron.StepInterval)
		for v.wt.Pending != nil && time.Until(next) > poll {
			if sleep(ctx, poll) != nil {
				return nil
			}
			if err := v.stepOnce(ctx, false); err != nil {
				return err
			}
		}
		if sleep(ctx, time.Until(next)) != nil {
			return nil
		}
	}
}

// revealPoll is the longest pause between looks at the chain while a reveal is pending.
const revealPoll = time.Second

// stepOnce syncs, runs a forward step when forward is set, and sees to the weights. Only a
// deregistration, a dissolved subnet or a state file that cannot be written ends the
// validator; other failures are logged and the next step tries again.
func (v *Validator) stepOnce(ctx context.Context, forward bool) error {
	uid, changed, err := syncMetagraph(ctx, v.mg, v.hotkey.Public(), v.health)
	switch {
	case stopsNeuron(err):
		return err
	case err != nil:
		if ctx.Err() == nil {
			v.log.Warn("metagraph sync failed; retrying next step", "err", err)
		}
		return nil
	case changed:
		v.resync()
	}
	if !forward {
		if ctx.Err() == nil {
			v.weights(ctx, uid)
		}
		return v.saveState()
	}
	synced := time.Now()
	if err := v.forward(ctx, uid); err != nil && ctx.Err() == nil {
		v.log.Warn("forward failed; scores unchanged", "step", v.step, "err", err)
		v.health.update(func(h *Health) { h.Error = err.Error() })
	}
	if ctx.Err() == nil && time.Since(synced) > revealPoll {
		// A slow step (miners answering late or never) left the metagraph behind the
		// chain: the weights decision needs the current block and last_update.
		switch u, changed, err := syncMetagraph(ctx, v.mg, v.hotkey.Public(), v.health); {
		case stopsNeuron(err):
			return err
		case err == nil:
			uid = u
			if changed {
				v.resync()
			}
		}
	}
	if ctx.Err() == nil {
		v.weights(ctx, uid)
	}
	return v.saveState()
}

// resync aligns scores with the metagraph's hotkeys.
func (v *Validator) resync() {
	d := v.mg.Data()
	hks := make([]keys.PublicKey, len(d.Hotkeys))
	for i, s := range d.Hotkeys {
		hks[i], _ = keys.ParseSS58(s) // the chain writes valid addresses; a bad one is a zero key, never a match
	}
	if reset := v.scores.Resync(hks); len(reset) > 0 {
		v.log.Info("scores reset for uids whose hotkey changed", "uids", reset)
	}
}

// forward samples miners, runs the Forwarder and updates the scores.
func (v *Validator) forward(ctx context.Context, self uint16) error {
	d := v.mg.Data()
	cands := make([]Candidate, d.N)
	for i := range cands {
		ax, ok := v.mg.Axon(uint16(i))
		cands[i] = Candidate{UID: uint16(i), Serving: ok && ax.IsServing(), Permit: d.ValidatorPermit[i], Stake: v.mg.TotalStake(uint16(i))}
	}
	uids := SampleMiners(cands, self, v.cfg.Neuron.SampleSize, v.cfg.Neuron.VpermitTAOLimit, v.rng)
	if len(uids) == 0 {
		v.log.Debug("no miner has served an axon yet", "height", d.Block)
		return nil
	}
	r := &Round{Step: v.step, Block: d.Block, UIDs: uids, Axons: make([]synapse.AxonInfo, len(uids)),
		Dendrite: v.dend, Timeout: v.cfg.Neuron.Timeout, Rand: v.rng, Log: v.log, meta: v.mg}
	for i, uid := range uids {
		r.Axons[i], _ = v.mg.Axon(uid)
	}
	start := time.Now()
	rewards, err := v.runForward(ctx, r)
	if err != nil {
		return err
	}
	if len(rewards) != len(uids) {
		return fmt.Errorf("neuron: Forward returned %d rewards for %d uids", len(rewards), len(uids))
	}
	// A uid whose hotkey changed while the step ran (runForward resyncs) scores nothing.
	now := v.mg.Data()
	kept, keptRewards := uids[:0:0], rewards[:0:0]
	for i, uid := range uids {
		if int(uid) < len(now.Hotkeys) && int(uid) < len(d.Hotkeys) && now.Hotkeys[uid] == d.Hotkeys[uid] {
			kept, keptRewards = append(kept, uid), append(keptRewards, rewards[i])
		}
	}
	v.scores.Update(kept, keptRewards)
	v.step++
	v.health.update(func(h *Health) { h.Step, h.Error = v.step, "" })
	v.log.Debug("step", "step", r.Step, "height", d.Block, "uids", uids, "rewards", rewards, "dur", time.Since(start))
	return nil
}

// runForward runs the Forwarder on r. While a commit waits for its reveal, it meanwhile
// looks at the chain every revealPoll and reveals in the reveal epoch: the chain takes a
// reveal within one epoch only, and a step held up by miners that answer slowly or never
// (up to Neuron.Timeout) can outlast an epoch of a fast chain (localnet: about 5 s). The
// Forwarder's goroutine touches only r; the scores stay with this one.
func (v *Validator) runForward(ctx context.Context, r *Round) ([]float64, error) {
	if v.wt.Pending == nil {
		return v.fwd.Forward(ctx, r)
	}
	type result struct {
		rewards []float64
		err     error
	}
	done := make(chan result, 1)
	go func() {
		rewards, err := v.fwd.Forward(ctx, r)
		done <- result{rewards, err}
	}()
	tick := time.NewTicker(min(v.cfg.Neuron.SyncInterval, revealPoll))
	defer tick.Stop()
	for {
		select {
		case res := <-done:
			return res.rewards, res.err
		case <-tick.C:
			if v.wt.Pending == nil || ctx.Err() != nil {
				continue
			}
			// A failed sync (deregistration included) is the next step's to report.
			if uid, changed, err := syncMetagraph(ctx, v.mg, v.hotkey.Public(), v.health); err == nil {
				if changed {
					v.resync()
				}
				v.weights(ctx, uid)
			}
		}
	}
}

// hyperparams returns the subnet's settings, read again once per tempo or after a refusal
// that suggests they changed.
func (v *Validator) hyperparams(ctx context.Context, block int64) (Hyperparams, error) {
	if v.hpBlock >= 0 && block < v.hpBlock+int64(max(v.hp.Tempo, 1)) {
		return v.hp, nil
	}
	list, err := v.chain.Hyperparameters(ctx, v.cfg.Netuid)
	if err != nil {
		return Hyperparams{}, fmt.Errorf("neuron: hyperparameters of subnet %d: %w", v.cfg.Netuid, err)
	}
	v.hp, v.hpBlock = ParseHyperparams(list), block
	return v.hp, nil
}

// weights decides and, when allowed, sends set_weights, commit_weights or reveal_weights.
// Failures are logged and retried at a later step: they never stop the validator.
func (v *Validator) weights(ctx context.Context, uid uint16) {
	d := v.mg.Data()
	v.noticeOtherSender(d.LastUpdate[uid])
	hp, err := v.hyperparams(ctx, d.Block)
	if err != nil {
		v.log.Warn("cannot decide on weights", "err", err)
		return
	}
	interval := v.cfg.Neuron.EpochLength
	if interval == 0 {
		interval = hp.Tempo
	}
	pending := v.wt.Pending
	dec := v.wt.Next(WeightsState{
		Block: uint64(d.Block), EpochIndex: d.EpochIndex, LastUpdate: d.LastUpdate[uid],
		RateLimit: hp.WeightsSetRateLimit, Interval: interval, Permit: d.ValidatorPermit[uid],
		VersionKey: v.cfg.VersionKey, Required: hp.WeightsVersionKey, CommitReveal: hp.CommitReveal,
		Disabled: v.cfg.Neuron.DisableSetWeights,
	})
	if dec.Drop {
		v.log.Warn("dropping unrevealed weights commit", "reason", dec.Reason, "commit_block", pending.Block)
	}
	v.health.update(func(h *Health) { h.Weights, h.PendingRevealEpoch = dec.Reason, pendingEpoch(v.wt.Pending) })
	switch dec.Action {
	case Wait:
		v.log.Debug("not setting weights", "height", d.Block, "reason", dec.Reason)
		return
	case Reveal:
		v.reveal(ctx)
		return
	}
	uids, vals, err := Weights(v.scores.Values(), uid, WeightRules{N: d.N, MinAllowed: int(hp.MinAllowedWeights), MaxLimit: uint16(min(hp.MaxWeightsLimit, 65535))})
	if err != nil {
		v.log.Info("no weights to set", "reason", err)
		v.health.update(func(h *Health) { h.Weights = err.Error() })
		return
	}
	if dec.Action == Commit {
		v.commit(ctx, d, hp, uids, vals)
		return
	}
	r, err := v.chain.Submit(ctx, v.hotkey, client.SetWeights(v.cfg.Netuid, uids, vals, v.cfg.VersionKey), client.SubmitOptions{Wait: client.WaitIncluded})
	v.wt.Sent(SetWeights, height(r), err)
	if err != nil {
		v.refused(ctx, "set_weights", err)
		return
	}
	v.log.Info("weights set", "height", r.Height, "uids", uids, "weights", vals, "tx_hash", r.Hash)
	v.health.update(func(h *Health) { h.LastWeightsBlock, h.Weights, h.Error = uint64(r.Height), "", "" })
}

// noticeOtherSender warns, once per block, when the chain's last_update for the validator's
// uid (set by set_weights and commit_weights) is a block after Run started at which this
// validator included nothing: another process signs weights with the same hotkey. Two
// validators on one hotkey overwrite each other's weights and commits and share one rate
// limit; the lock on --neuron.state_file catches them only when they share the file.
func (v *Validator) noticeOtherSender(lastUpdate uint64) {
	if lastUpdate <= v.startBlock || lastUpdate <= v.wt.LastSent || lastUpdate == v.foreign {
		return
	}
	v.foreign = lastUpdate
	msg := fmt.Sprintf("the chain took weights for this hotkey at block %d, which this validator did not send: another validator runs with the same hotkey; stop all but one", lastUpdate)
	v.log.Warn("weights sent by another process with this hotkey; stop all but one validator per hotkey",
		"last_update", lastUpdate, "last_sent_here", v.wt.LastSent)
	v.health.update(func(h *Health) { h.Error = msg })
}

// commit sends commit_weights, keeping the salt first: a commit whose salt is lost can
// never be revealed.
func (v *Validator) commit(ctx context.Context, d api.Metagraph, hp Hyperparams, uids, vals []uint16) {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	salt := make([]uint16, 8)
	for i := range salt {
		salt[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	hash := api.WeightsCommitHash(v.hotkey.Public(), v.cfg.Netuid, uids, vals, salt, v.cfg.VersionKey)
	p := &PendingCommit{UIDs: uids, Values: vals, Salt: salt, VersionKey: v.cfg.VersionKey, Hash: hex.EncodeToString(hash[:]),
		CommitEpoch: d.EpochIndex, RevealEpoch: d.EpochIndex + max(hp.CommitRevealPeriod, 1)}
	v.wt.Committing(p)
	if err := v.saveState(); err != nil {
		v.log.Warn("not committing weights: the salt could not be saved", "err", err)
		v.wt.Pending = nil
		return
	}
	r, err := v.chain.Submit(ctx, v.hotkey, client.CommitWeights(v.cfg.Netuid, hash[:]), client.SubmitOptions{Wait: client.WaitIncluded})
	if err == nil {
		// The chain names the epochs; they differ from the metagraph's when an epoch ran
		// between the sync and the inclusion.
		if e, ok := eventU64(r, "epoch.WeightsCommitted", "epoch"); ok {
			p.CommitEpoch = e
		}
		if e, ok := eventU64(r, "epoch.WeightsCommitted", "reveal_epoch"); ok {
			p.RevealEpoch = e
		}
	}
	v.wt.Sent(Commit, height(r), err)
	if err != nil {
		v.refused(ctx, "commit_weights", err)
		return
	}
	v.log.Info("weights committed", "height", r.Height, "epoch", p.CommitEpoch, "reveal_epoch", p.RevealEpoch, "uids", uids, "weights", vals, "tx_hash", r.Hash)
	v.health.update(func(h *Health) { h.PendingRevealEpoch, h.Error = p.RevealEpoch, "" })
}

// reveal sends reveal_weights for the pending commit.
func (v *Validator) reveal(ctx context.Context) {
	p := v.wt.Pending
	r, err := v.chain.Submit(ctx, v.hotkey, client.RevealWeights(v.cfg.Netuid, p.UIDs, p.Values, p.Salt, p.VersionKey), client.SubmitOptions{Wait: client.WaitIncluded})
	v.wt.Sent(Reveal, height(r), err)
	if err != nil {
		v.refused(ctx, "reveal_weights", err)
		return
	}
	v.log.Info("weights revealed", "height", r.Height, "commit_block", p.Block, "epoch", p.RevealEpoch, "uids", p.UIDs, "weights", p.Values, "tx_hash", r.Hash)
	v.health.update(func(h *Health) {
		h.LastWeightsBlock, h.PendingRevealEpoch, h.Weights, h.Error = uint64(r.Height), 0, "", ""
	})
}

func height(r *client.Receipt) uint64 {
	if r == nil || r.Height < 0 {
		return 0
	}
	return uint64(r.Height)
}

// refused logs a weights transaction the chain (or the network) refused.
func (v *Validator) refused(ctx context.Context, call string, err error) {
	if ctx.Err() != nil {
		return // stopping: the wait for inclusion was cut short, not refused
	}
	if staleHyperparams(err) {
		v.hpBlock = -1
	}
	v.log.Warn("weights transaction failed; trying again later", "call", call, "err", err)
	v.health.update(func(h *Health) {
		h.Error = fmt.Sprintf("%s: %v", call, err)
		h.PendingRevealEpoch = pendingEpoch(v.wt.Pending)
	})
}

func pendingEpoch(p *PendingCommit) uint64 {
	if p == nil {
		return 0
	}
	return p.RevealEpoch
}
