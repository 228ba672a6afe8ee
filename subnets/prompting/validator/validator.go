package validator

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// Chain is what the validator needs from a chain client; *client.Client implements it.
type Chain = neuron.Chain

// Reference writes the reference completion that free prompts and unparseable organic
// requests are scored against. miner.Backend implements it, so a validator can use the
// built-in model, the tool-using one, or any OpenAI-compatible server.
type Reference interface {
	Complete(ctx context.Context, req *protocol.Chat) (text, model string, err error)
}

// Defaults of the fields of Config that are zero both there and in Config.Base.
const (
	DefaultRound        = 2 * time.Second
	DefaultTimeout      = 4 * time.Second
	DefaultAlpha        = 0.2
	DefaultWeightsEvery = 10
	DefaultSyncInterval = time.Second
	DefaultFreeRatio    = 0.2
	// ChallengeTokens and FreeTokens are the max_tokens sent with each kind of task.
	ChallengeTokens = 64
	FreeTokens      = 60
)

// Config configures a Validator. The short fields (Round, Timeout, Alpha, WeightsEvery,
// ExternalIP, Netuid, Logger) win over Base where set; where both are zero the defaults
// above apply.
type Config struct {
	Hotkey *keys.Keypair
	Netuid uint16
	Chain  Chain
	// Base is the neuron runtime's configuration: what the prompting-validator binary reads
	// from its flags (sample size, state file, health address, disable_set_weights, ...).
	Base neuron.Config
	// Round is the time between steps (Base.Neuron.StepInterval). Zero means 2 s.
	Round time.Duration
	// Timeout bounds one miner's answer (Base.Neuron.Timeout). Zero means 4 s.
	Timeout time.Duration
	// Alpha is the moving average's weight of a new reward. Zero means 0.2.
	Alpha float64
	// WeightsEvery is how many blocks pass between weight updates, on top of the subnet's
	// rate limit (Base.Neuron.EpochLength). Zero means Base's, or 10 when Base.Neuron is
	// all zero.
	WeightsEvery int64
	// ExternalIP is this host's published IP: axons listed at it are called on 127.0.0.1
	// (dendrite.Config.ExternalIP). Empty means none.
	ExternalIP string
	// Seed returns each task's seed; it is called from several goroutines at once. Nil means
	// crypto/rand: seeds a miner cannot predict, so old answers cannot be replayed.
	Seed func() uint64
	// Reference, when set, enables free prompts (FreeRatio of the tasks) and the scoring of
	// organic requests no challenge family parses. Nil means checkable challenges only.
	Reference Reference
	// FreeRatio is the share of tasks that are free prompts when Reference is set, in
	// [0, 1]. Zero means 0.2; negative means none.
	FreeRatio float64
	// Organic configures the organic traffic hook (Organic, POST /organic).
	Organic OrganicConfig
	// OnScore, when set, is called with each scored answer, from several goroutines at once.
	OnScore func(Scored)
	// Logger receives the validator's logs; nil discards them.
	Logger *slog.Logger
}

// Scored is one scored answer, as Config.OnScore sees it.
type Scored struct {
	UID    uint16
	Hotkey string
	// Kind is "challenge", "free" or "organic".
	Kind string
	// Family is the challenge family ("" for a free or unparsed organic prompt).
	Family challenge.Family
	Prompt string
	Answer string
	// Score is the reward in [0, 1] before the moving average.
	Score float64
}

// Validator scores miners and sets weights through neuron.Validator.
type Validator struct {
	cfg       Config
	base      *neuron.Validator
	log       *slog.Logger
	timeout   time.Duration
	freeRatio float64
	org       *organic
	warns     warnLimiter // reference backend failures, logged once per error and minute
	ran       bool
	mu        sync.Mutex
}

// New makes a validator; Run starts it.
func New(cfg Config) (*Validator, error) {
	if cfg.Hotkey == nil || cfg.Chain == nil {
		return nil, errors.New("validator: Config needs a Hotkey and a Chain")
	}
	b := cfg.Base
	set := func(dst *time.Duration, v, def time.Duration) {
		if v != 0 {
			*dst = v
		} else if *dst == 0 {
			*dst = def
		}
	}
	set(&b.Neuron.StepInterval, cfg.Round, DefaultRound)
	set(&b.Neuron.Timeout, cfg.Timeout, DefaultTimeout)
	set(&b.Neuron.SyncInterval, 0, DefaultSyncInterval)
	switch {
	case cfg.Alpha != 0:
		b.Neuron.MovingAverageAlpha = cfg.Alpha
	case b.Neuron.MovingAverageAlpha == 0:
		b.Neuron.MovingAverageAlpha = DefaultAlpha
	}
	switch {
	case cfg.WeightsEvery < 0:
		return nil, fmt.Errorf("validator: WeightsEvery = %d; want a number of blocks, or 0 for %d", cfg.WeightsEvery, DefaultWeightsEvery)
	case cfg.WeightsEvery != 0:
		b.Neuron.EpochLength = uint64(cfg.WeightsEvery)
	case cfg.Base.Neuron == (neuron.NeuronConfig{}):
		// A Config that leaves Base alone (localnet) gets the short cadence; a Base from the
		// binary's flags keeps its epoch_length, where 0 means the subnet's tempo.
		b.Neuron.EpochLength = DefaultWeightsEvery
	}
	if cfg.ExternalIP != "" {
		b.Axon.ExternalIP = cfg.ExternalIP
	}
	if cfg.Netuid != 0 {
		b.Netuid = cfg.Netuid
	}
	if b.Netuid == 0 {
		b.Netuid = neuron.DefaultNetuid
	}
	if cfg.Logger != nil {
		b.Logger = cfg.Logger
	}
	if b.Logger == nil {
		b.Logger = slog.New(slog.DiscardHandler)
	}
	b.VersionKey = protocol.SpecVersion
	if cfg.Seed == nil {
		cfg.Seed = func() uint64 {
			var x [8]byte
			_, _ = crand.Read(x[:]) // never fails (Go ≥ 1.24)
			return binary.LittleEndian.Uint64(x[:])
		}
	}
	freeRatio := cfg.FreeRatio
	switch {
	case cfg.Reference == nil || freeRatio < 0:
		freeRatio = 0
	case freeRatio == 0:
		freeRatio = DefaultFreeRatio
	case freeRatio > 1:
		return nil, fmt.Errorf("validator: FreeRatio = %v; want a share in [0, 1]", cfg.FreeRatio)
	}
	if err := cfg.Organic.Validate(); err != nil {
		return nil, err
	}
	v := &Validator{cfg: cfg, log: b.Logger.With("subnet", "prompting"), timeout: b.Neuron.Timeout, freeRatio: freeRatio}
	v.org = newOrganic(cfg.Organic)
	base, err := neuron.NewValidator(b, cfg.Chain, cfg.Hotkey, neuron.ForwardFunc(v.Forward))
	if err != nil {
		return nil, fmt.Errorf("validator: %w", err)
	}
	v.base = base
	v.cfg.Netuid = b.Netuid
	return v, nil
}

// Base is the neuron runtime validator underneath.
func (v *Validator) Base() *neuron.Validator { return v.base }

// Metagraph is the subnet's metagraph as the validator keeps it.
func (v *Validator) Metagraph() *metagraph.Metagraph { return v.base.Metagraph() }

// Health reports the validator's state, as GET /healthz does.
func (v *Validator) Health() neuron.Health { return v.base.Health() }

// Run runs the validator until ctx ends: the neuron runtime's steps and weights, the
// organic scorer and, when Organic.Addr is set, the HTTP endpoint (POST /organic,
// GET /healthz). It returns after everything it started has stopped.
func (v *Validator) Run(ctx context.Context) error {
	v.mu.Lock()
	if v.ran {
		v.mu.Unlock()
		return neuron.ErrRunning
	}
	v.ran = true
	v.mu.Unlock()
	var ln net.Listener
	if a := v.cfg.Organic.Addr; a != "" {
		var err error
		if ln, err = net.Listen("tcp", a); err != nil {
			return fmt.Errorf("validator: organic endpoint: %w; choose a free --organic.addr", err)
		}
		if v.cfg.Organic.Ready != nil {
			v.cfg.Organic.Ready(ln.Addr().String())
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { v.scoreOrganicLoop(ctx) })
	var srvErr error
	if ln != nil {
		wg.Go(func() {
			if err := v.serve(ctx, ln); err != nil {
				srvErr = err
				cancel()
			}
		})
	}
	err := v.base.Run(ctx)
	cancel()
	wg.Wait()
	if err == nil {
		err = srvErr
	}
	return err
}

// Forward is the step the neuron runtime runs: every sampled miner gets its own task, and
// its reward is the mean of that task's score and the organic scores gathered for it since
// its last step (at most Organic.PerStep of them).
func (v *Validator) Forward(ctx context.Context, r *neuron.Round) ([]float64, error) {
	rewards := make([]float64, len(r.UIDs))
	var wg sync.WaitGroup
	for i := range r.UIDs {
		wg.Go(func() { rewards[i] = v.task(ctx, r, i) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err // a step cut short scores nobody
	}
	for i, uid := range r.UIDs {
		rewards[i] = v.org.fold(uid, r.Axons[i].Hotkey.SS58(), rewards[i])
	}
	return rewards, nil
}

// task asks miner i of r one question and scores the answer.
func (v *Validator) task(ctx context.Context, r *neuron.Round, i int) float64 {
	if v.freeRatio > 0 && float64(v.cfg.Seed()>>11)/(1<<53) < v.freeRatio {
		if s, ok := v.free(ctx, r, i, v.cfg.Seed()); ok {
			return s
		}
	}
	c := challenge.Generate(v.cfg.Seed())
	// The sampling seed sent is drawn apart from the challenge's: the challenge's seed would
	// let a miner run the public generator on it and read off the expected answer.
	syn := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: c.Prompt}}, MaxTokens: ChallengeTokens, Seed: int64(v.cfg.Seed() >> 1)}
	answer, elapsed := v.ask(ctx, r, i, syn)
	score := Score(c, answer, elapsed, r.Timeout)
	v.report(Scored{UID: r.UIDs[i], Hotkey: r.Axons[i].Hotkey.SS58(), Kind: "challenge", Family: c.Family, Prompt: c.Prompt, Answer: answer, Score: score})
	return score
}

// free asks a free prompt, scored against the reference; ok is false when the reference
// failed, and the caller asks a challenge instead.
func (v *Validator) free(ctx context.Context, r *neuron.Round, i int, seed uint64) (float64, bool) {
	prompt := FreePrompt(seed)
	syn := &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: prompt}}, MaxTokens: FreeTokens, Seed: int64(seed >> 1)}
	ref, err := v.reference(ctx, syn)
	if err != nil {
		if ctx.Err() == nil {
			v.warns.warn(v.log, "reference backend failed; asking a challenge instead", err)
		}
		return 0, false
	}
	answer, elapsed := v.ask(ctx, r, i, syn)
	score := FreeScore(prompt, answer, ref, elapsed, r.Timeout)
	v.report(Scored{UID: r.UIDs[i], Hotkey: r.Axons[i].Hotkey.SS58(), Kind: "free", Prompt: prompt, Answer: answer, Score: score})
	return score, true
}

// reference asks the reference backend for req's completion, within the miners' timeout.
func (v *Validator) reference(ctx context.Context, req *protocol.Chat) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, max(v.timeout, 10*time.Second))
	defer cancel()
	cp := *req
	text, _, err := v.cfg.Reference.Complete(ctx, &cp)
	if err == nil && len(Tokens(text)) == 0 {
		err = errors.New("the reference completion is empty")
	}
	return text, err
}

// ask sends syn to miner i and returns its completion ("" when it failed) and the time taken.
func (v *Validator) ask(ctx context.Context, r *neuron.Round, i int, syn *protocol.Chat) (string, time.Duration) {
	start := time.Now()
	out, err := dendrite.QueryAs(ctx, r.Dendrite, []synapse.AxonInfo{r.Axons[i]}, syn, r.Timeout)
	elapsed := time.Since(start)
	if err != nil || len(out) != 1 || !out[0].Dendrite.IsSuccess() || out[0].Completion == nil {
		return "", elapsed
	}
	return *out[0].Completion, elapsed
}

func (v *Validator) report(s Scored) {
	v.log.Debug("scored", "uid", s.UID, "kind", s.Kind, "family", s.Family, "score", s.Score)
	if v.cfg.OnScore != nil {
		v.cfg.OnScore(s)
	}
}
