package validator

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// Chain is what the validator needs from a chain client.
type Chain interface {
	metagraph.Source
	Submit(ctx context.Context, signer tx.Signer, call *txpb.Call, o client.SubmitOptions) (*client.Receipt, error)
}

// Config configures a Validator. Zero durations take the defaults noted.
type Config struct {
	Hotkey *keys.Keypair
	Netuid uint16
	Chain  Chain
	// Round is the time between rounds. Zero means 2 s.
	Round time.Duration
	// Timeout bounds one miner's answer. Zero means 4 s.
	Timeout time.Duration
	// Alpha is the moving average's weight of a new score. Zero means 0.2.
	Alpha float64
	// WeightsEvery is how many blocks pass between set_weights. Zero means 10.
	WeightsEvery int64
	// ExternalIP is this host's published IP: axons listed at it are called
	// on 127.0.0.1 (dendrite.Config.ExternalIP). Empty means none.
	ExternalIP string
	// Seed returns each challenge's seed. Nil means crypto/rand: seeds a
	// miner cannot predict, so old answers cannot be replayed.
	Seed func() uint64
	// OnScore, when set, is called with each scored answer.
	OnScore func(uid uint16, c challenge.Challenge, answer string, score, avg float64)
	// Logger receives the validator's logs; nil discards them.
	Logger *slog.Logger
}

// Validator scores miners and sets weights.
type Validator struct {
	cfg     Config
	mg      *metagraph.Metagraph
	d       *dendrite.Dendrite
	log     *slog.Logger
	mu      sync.Mutex
	ema     EMA
	lastSet int64
}

// New makes a validator; Run starts it.
func New(cfg Config) (*Validator, error) {
	if cfg.Round == 0 {
		cfg.Round = 2 * time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 4 * time.Second
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = 0.2
	}
	if cfg.WeightsEvery == 0 {
		cfg.WeightsEvery = 10
	}
	if cfg.Seed == nil {
		cfg.Seed = func() uint64 {
			var b [8]byte
			_, _ = crand.Read(b[:])
			return binary.LittleEndian.Uint64(b[:])
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d, err := dendrite.New(cfg.Hotkey, dendrite.Config{Timeout: cfg.Timeout, ExternalIP: cfg.ExternalIP, Logger: log})
	if err != nil {
		return nil, err
	}
	return &Validator{cfg: cfg, mg: metagraph.New(cfg.Chain, cfg.Netuid, metagraph.Lite), d: d, log: log, ema: EMA{Alpha: cfg.Alpha}}, nil
}

// Run runs rounds until ctx ends.
func (v *Validator) Run(ctx context.Context) error {
	t := time.NewTicker(v.cfg.Round)
	defer t.Stop()
	for {
		if _, err := v.mg.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			v.log.Warn("metagraph sync", "err", err)
		} else {
			v.round(ctx)
			v.maybeSetWeights(ctx)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// round queries every serving miner once, each with its own challenge.
func (v *Validator) round(ctx context.Context) {
	self, _ := v.mg.UID(v.cfg.Hotkey.Public())
	var wg sync.WaitGroup
	for uid := range uint16(v.mg.N()) {
		ax, ok := v.mg.Axon(uid)
		if !ok || !ax.IsServing() || (uid == self && ax.Hotkey == v.cfg.Hotkey.Public()) {
			continue
		}
		wg.Go(func() { v.query(ctx, uid, ax) })
	}
	wg.Wait()
}

func (v *Validator) query(ctx context.Context, uid uint16, ax synapse.AxonInfo) {
	c := challenge.Generate(v.cfg.Seed())
	syn := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: c.Prompt}}, MaxTokens: 64, Seed: int64(c.Seed >> 1)}
	start := time.Now()
	out, err := dendrite.QueryAs(ctx, v.d, []synapse.AxonInfo{ax}, syn, v.cfg.Timeout)
	elapsed := time.Since(start)
	answer := ""
	if err == nil && len(out) == 1 && out[0].Completion != nil {
		answer = *out[0].Completion
	}
	score := Score(c, answer, elapsed, v.cfg.Timeout)
	v.mu.Lock()
	avg := v.ema.Update(string(ax.Hotkey.SS58()), score)
	v.mu.Unlock()
	if v.cfg.OnScore != nil {
		v.cfg.OnScore(uid, c, answer, score, avg)
	}
}

// Averages are the moving averages of the uids now registered, by uid.
func (v *Validator) Averages() map[uint16]float64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[uint16]float64{}
	d := v.mg.Data()
	for uid, hk := range d.Hotkeys {
		if a := v.ema.Get(hk); a > 0 {
			out[uint16(uid)] = a
		}
	}
	return out
}

func (v *Validator) maybeSetWeights(ctx context.Context) {
	block := v.mg.Block()
	if block-v.lastSet < v.cfg.WeightsEvery {
		return
	}
	d := v.mg.Data()
	self, ok := v.mg.UID(v.cfg.Hotkey.Public())
	if !ok || int(self) >= len(d.ValidatorPermit) || !d.ValidatorPermit[self] {
		return // no permit yet: weights would be refused
	}
	var uids []uint16
	var avgs []float64
	v.mu.Lock()
	for uid, hk := range d.Hotkeys {
		if uint16(uid) != self {
			uids, avgs = append(uids, uint16(uid)), append(avgs, v.ema.Get(hk))
		}
	}
	v.mu.Unlock()
	wu, ww := Weights(uids, avgs)
	if len(wu) == 0 {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := v.cfg.Chain.Submit(sctx, v.cfg.Hotkey, client.SetWeights(v.cfg.Netuid, wu, ww, 0), client.SubmitOptions{Wait: client.WaitFinal}); err != nil {
		if ctx.Err() == nil {
			v.log.Warn("set_weights", "err", fmt.Errorf("validator: %w", err))
		}
		return
	}
	v.lastSet = block
	v.log.Info("weights set", "block", block, "uids", wu, "weights", ww)
}
