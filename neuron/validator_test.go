package neuron_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/logtest"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
)

// fakeChain is a subnet in memory for the validator's loop under synctest: a block every
// 100 ms of the bubble's clock, uid 0 the owner, uid 1 the validator, uids 2 and 3 miners
// with served axons. It applies set_weights' rate limit and permit and commit-reveal's
// epochs and hash as chain/epoch does, and records what was sent. Safe for concurrent use.
// The real chain is exercised by subnets/template's test; this one lets the loop's timing
// run on a fake clock (STYLE §10).
type fakeChain struct {
	mu           sync.Mutex
	start        time.Time
	tempo        uint64
	rateLimit    uint64
	commitReveal bool
	hotkeys      []keys.PublicKey
	lastUpdate   []uint64
	permits      []bool
	rootStake    []uint64 // nil: none
	axons        []*api.Endpoint
	commits      []fakeCommit
	sent         []sentCall
	refuseNext   string // refuse the next weights call with this chain error name
	fetches      int    // Metagraph calls
	frozen       uint64 // when set, the head stays at this block
	dissolved    bool   // the subnet is gone: metagraph queries answer not found
}

type fakeCommit struct {
	hash   []byte
	epoch  uint64
	reveal uint64
}

type sentCall struct {
	call   string
	height uint64
	epoch  uint64
	uids   []uint32
	values []uint32
}

func newFakeChain(t *testing.T, validator keys.PublicKey, commitReveal bool) *fakeChain {
	return &fakeChain{
		start: time.Now(), tempo: 20, rateLimit: 5, commitReveal: commitReveal,
		hotkeys:    []keys.PublicKey{key(t, "//Owner").Public(), validator, key(t, "//M2").Public(), key(t, "//M3").Public()},
		lastUpdate: make([]uint64, 4),
		permits:    []bool{true, true, false, false},
		axons: []*api.Endpoint{nil, nil, {IP: "10.0.0.1", Port: 1, IPType: 4, Protocol: 4},
			{IP: "10.0.0.1", Port: 2, IPType: 4, Protocol: 4}},
	}
}

func key(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func (f *fakeChain) height() uint64 {
	if f.frozen != 0 {
		return f.frozen
	}
	return uint64(time.Since(f.start)/(100*time.Millisecond)) + 1
}

func (f *fakeChain) LatestHeight(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return int64(f.height()), nil
}

func (f *fakeChain) Metagraph(_ context.Context, netuid uint16, h int64, _ bool) (api.Metagraph, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches++
	if f.dissolved {
		return api.Metagraph{}, &client.ChainError{Codespace: "query", Code: api.QueryCodeNotFound, Log: fmt.Sprintf("subnet %d does not exist", netuid)}
	}
	if h == 0 {
		h = int64(f.height())
	}
	m := api.Metagraph{Netuid: netuid, Block: h, N: len(f.hotkeys), Tempo: f.tempo, EpochIndex: uint64(h) / f.tempo, TaoWeightPPM: 180_000,
		ValidatorPermit: slices.Clone(f.permits), Stake: []uint64{1e12, 1e12, 0, 0},
		LastUpdate: slices.Clone(f.lastUpdate), Axons: slices.Clone(f.axons), RootStake: slices.Clone(f.rootStake)}
	for _, hk := range f.hotkeys {
		m.Hotkeys = append(m.Hotkeys, hk.SS58())
		m.Coldkeys = append(m.Coldkeys, hk.SS58())
	}
	return m, nil
}

func (f *fakeChain) Hyperparameters(context.Context, uint16) ([]api.Hyperparameter, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cr := uint64(0)
	if f.commitReveal {
		cr = 1
	}
	return []api.Hyperparameter{{Name: "tempo", Value: f.tempo}, {Name: "weights_set_rate_limit", Value: f.rateLimit},
		{Name: "commit_reveal_weights_enabled", Value: cr}, {Name: "commit_reveal_period", Value: 1},
		{Name: "min_allowed_weights", Value: 1}, {Name: "max_weights_limit", Value: 65535}, {Name: "weights_version_key", Value: 0}}, nil
}

func refuse(name, log string) error {
	return &client.ChainError{Codespace: "epoch", Name: name, Log: log}
}

// Submit includes the call in the next block (100 ms later), checking what chain/epoch
// checks.
func (f *fakeChain) Submit(ctx context.Context, signer tx.Signer, call *txpb.Call, _ client.SubmitOptions) (*client.Receipt, error) {
	select { // inclusion takes a block
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(100 * time.Millisecond):
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	h := f.height()
	epoch := h / f.tempo
	uid := slices.Index(f.hotkeys, signer.Public())
	if uid < 0 {
		return nil, refuse("HotKeyNotRegisteredInSubNet", "")
	}
	if name := f.refuseNext; name != "" {
		f.refuseNext = ""
		return nil, refuse(name, "refused by the test")
	}
	r := &client.Receipt{Height: int64(h), Hash: fmt.Sprint(len(f.sent))}
	tooFast := func() bool { last := f.lastUpdate[uid]; return last != 0 && h-last < f.rateLimit }
	switch c := call.Call.(type) {
	case *txpb.Call_SetWeights:
		if f.commitReveal {
			return nil, refuse("CommitRevealEnabled", "")
		}
		if tooFast() {
			return nil, refuse("SettingWeightsTooFast", "")
		}
		f.lastUpdate[uid] = h
		f.sent = append(f.sent, sentCall{"set", h, epoch, c.SetWeights.Uids, c.SetWeights.Weights})
	case *txpb.Call_CommitWeights:
		if !f.commitReveal {
			return nil, refuse("CommitRevealDisabled", "")
		}
		if tooFast() {
			return nil, refuse("CommittingWeightsTooFast", "")
		}
		f.lastUpdate[uid] = h
		f.commits = append(f.commits, fakeCommit{c.CommitWeights.CommitHash, epoch, epoch + 1})
		f.sent = append(f.sent, sentCall{call: "commit", height: h, epoch: epoch})
		r.Events = []abci.Event{{Type: "epoch.WeightsCommitted", Attributes: []abci.EventAttribute{
			{Key: "epoch", Value: strconv.FormatUint(epoch, 10)}, {Key: "reveal_epoch", Value: strconv.FormatUint(epoch+1, 10)}}}}
	case *txpb.Call_RevealWeights:
		rv := c.RevealWeights
		want := api.WeightsCommitHash(signer.Public(), uint16(rv.Netuid), u16s(rv.Uids), u16s(rv.Weights), u16s(rv.Salt), rv.VersionKey)
		i := slices.IndexFunc(f.commits, func(c fakeCommit) bool { return string(c.hash) == string(want[:]) })
		switch {
		case i < 0:
			return nil, refuse("InvalidRevealCommitHashNotMatch", "")
		case epoch < f.commits[i].reveal:
			return nil, refuse("RevealTooEarly", "")
		case epoch > f.commits[i].reveal:
			return nil, refuse("ExpiredWeightCommit", "")
		}
		f.commits = f.commits[i+1:]
		f.sent = append(f.sent, sentCall{"reveal", h, epoch, rv.Uids, rv.Weights})
	case *txpb.Call_ServeAxon:
		a := c.ServeAxon
		f.axons[uid] = &api.Endpoint{Block: h, Version: a.Version, IP: fmt.Sprintf("%d.%d.%d.%d", a.Ip[0], a.Ip[1], a.Ip[2], a.Ip[3]),
			Port: uint16(a.Port), IPType: uint8(a.IpType), Protocol: uint8(a.Protocol)}
		f.sent = append(f.sent, sentCall{call: "serve_axon", height: h})
	default:
		return nil, fmt.Errorf("fake chain: unexpected call %T", c)
	}
	return r, nil
}

func u16s(v []uint32) []uint16 {
	out := make([]uint16, len(v))
	for i, x := range v {
		out[i] = uint16(x)
	}
	return out
}

func (f *fakeChain) calls() []sentCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sent)
}

// count returns how many calls of the kind ("reveal", "serve_axon", ...) were sent.
func (f *fakeChain) count(call string) int {
	n := 0
	for _, c := range f.calls() {
		if c.call == call {
			n++
		}
	}
	return n
}

// rewardMiners gives uid 2 a reward of 1 and uid 3 one of 0.5, without any network.
var rewardMiners = neuron.ForwardFunc(func(ctx context.Context, r *neuron.Round) ([]float64, error) {
	out := make([]float64, len(r.UIDs))
	for i, u := range r.UIDs {
		out[i] = map[uint16]float64{2: 1, 3: 0.5}[u]
	}
	return out, nil
})

func testConfig(t *testing.T) neuron.Config {
	c := neuron.TestConfig()
	c.Neuron.MovingAverageAlpha = 1
	c.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	return c
}

// runFor runs v for d of the bubble's clock and returns Run's error.
func runFor(t *testing.T, v *neuron.Validator, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	return v.Run(ctx)
}

func TestValidatorSetsWeightsEveryTempo(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), false)
		f.lastUpdate[1] = 1 // registered at block 1
		v, err := neuron.NewValidator(testConfig(t), f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		if err := runFor(t, v, 10*time.Second); err != nil {
			t.Fatalf("Run: %v", err)
		}
		sent := f.calls()
		if len(sent) < 4 {
			t.Fatalf("%d weight sets in 100 blocks: %+v", len(sent), sent)
		}
		for i, s := range sent {
			if s.call != "set" || !slices.Equal(s.uids, []uint32{2, 3}) || !slices.Equal(s.values, []uint32{65535, 32768}) {
				t.Fatalf("set %d: %+v", i, s)
			}
			if i > 0 && s.height-sent[i-1].height < 20 {
				t.Fatalf("sets at blocks %d and %d: closer than the tempo", sent[i-1].height, s.height)
			}
		}
		if sent[0].height > 22 {
			t.Fatalf("first set at block %d; allowed from block 21", sent[0].height)
		}
		if h := v.Health(); h.OK || h.LastWeightsBlock != sent[len(sent)-1].height || h.UID != 1 || h.Step == 0 {
			t.Fatalf("health after stop %+v", h) // OK is false once stopped
		}
	})
}

// TestValidatorSkipsRootStakedValidators: a uid with a permit whose stake is
// mostly on root (so little alpha) is a validator, not a miner: sampling
// compares total stake (alpha + TaoWeight x root) with VpermitTAOLimit.
func TestValidatorSkipsRootStakedValidators(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), false)
		f.permits[3] = true
		f.rootStake = []uint64{0, 0, 0, 100_000 * 1_000_000_000} // x 0.18 = 18,000 TAO > 4,096
		var mu sync.Mutex
		sampled := map[uint16]int{}
		fwd := neuron.ForwardFunc(func(ctx context.Context, r *neuron.Round) ([]float64, error) {
			mu.Lock()
			defer mu.Unlock()
			for _, u := range r.UIDs {
				sampled[u]++
			}
			return make([]float64, len(r.UIDs)), nil
		})
		v, err := neuron.NewValidator(testConfig(t), f, hot, fwd)
		if err != nil {
			t.Fatal(err)
		}
		if err := runFor(t, v, 3*time.Second); err != nil {
			t.Fatalf("Run: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if sampled[2] == 0 || sampled[3] != 0 {
			t.Fatalf("sampled %v: want miner uid 2 and never the root-staked validator uid 3", sampled)
		}
	})
}

func TestValidatorCommitReveal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), true)
		cfg := testConfig(t)
		cfg.Neuron.StateFile = filepath.Join(t.TempDir(), "state.json")
		v, err := neuron.NewValidator(cfg, f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		// Run until a few rounds went by and a commit waits for its reveal, then stop.
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() { errc <- v.Run(ctx) }()
		for len(f.calls()) < 5 || v.Health().PendingRevealEpoch == 0 {
			select {
			case err := <-errc:
				t.Fatalf("Run returned early: %v; sent %+v", err, f.calls())
			case <-time.After(100 * time.Millisecond):
			}
			if time.Since(f.start) > time.Minute {
				t.Fatalf("no commit pending after a minute; sent %+v", f.calls())
			}
		}
		cancel()
		if err := <-errc; err != nil {
			t.Fatalf("Run: %v", err)
		}
		sent := f.calls()
		var commits, reveals int
		for i, s := range sent {
			switch s.call {
			case "commit":
				commits++
			case "reveal":
				reveals++
				if i == 0 || sent[i-1].call != "commit" || s.epoch != sent[i-1].epoch+1 {
					t.Fatalf("reveal %d not in the epoch after its commit: %+v", i, sent)
				}
				if !slices.Equal(s.uids, []uint32{2, 3}) {
					t.Fatalf("revealed %+v", s)
				}
			default:
				t.Fatalf("set_weights on a commit-reveal subnet: %+v", s)
			}
		}
		if commits < 3 || reveals < 2 {
			t.Fatalf("%d commits, %d reveals: %+v", commits, reveals, sent)
		}

		// A validator restarted between a commit and its reveal reveals the saved commit.
		v2, err := neuron.NewValidator(cfg, f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		n := len(f.calls())
		if err := runFor(t, v2, 3*time.Second); err != nil {
			t.Fatal(err)
		}
		after := f.calls()[n:]
		if len(after) == 0 || after[0].call != "reveal" {
			t.Fatalf("after the restart: %+v", after)
		}
	})
}

func TestValidatorRecoversFromRefusals(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), true)
		f.refuseNext = "CommitRevealEnabled" // a refusal with stale hyperparameters
		v, err := neuron.NewValidator(testConfig(t), f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			// Between the first commit and its reveal, the owner turns commit-reveal off.
			for len(f.calls()) == 0 {
				time.Sleep(50 * time.Millisecond)
			}
			f.mu.Lock()
			f.commitReveal = false
			f.mu.Unlock()
		}()
		if err := runFor(t, v, 8*time.Second); err != nil {
			t.Fatal(err)
		}
		sent := f.calls()
		if len(sent) < 2 || sent[0].call != "commit" || sent[len(sent)-1].call != "set" {
			t.Fatalf("sent %+v", sent)
		}
	})
}

func TestValidatorStopsWhenDeregistered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), false)
		v, err := neuron.NewValidator(testConfig(t), f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(3 * time.Second)
			f.mu.Lock()
			f.hotkeys[1] = key(t, "//Newcomer").Public()
			f.mu.Unlock()
		}()
		start := time.Now()
		err = runFor(t, v, time.Minute)
		if !errors.Is(err, neuron.ErrNotRegistered) || time.Since(start) > 4*time.Second {
			t.Fatalf("Run returned %v after %v", err, time.Since(start))
		}
		if err := v.Run(t.Context()); !errors.Is(err, neuron.ErrRunning) {
			t.Fatalf("second Run: %v", err)
		}
	})
}

func TestValidatorNotRegistered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFakeChain(t, key(t, "//Other").Public(), false)
		v, err := neuron.NewValidator(testConfig(t), f, key(t, "//Validator"), rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Run(t.Context()); !errors.Is(err, neuron.ErrNotRegistered) {
			t.Fatalf("Run: %v", err)
		}
	})
}

// TestValidatorRevealsBetweenSteps: with steps far apart (10 s) and epochs short (2 s), the
// validator still reveals each commit in its reveal epoch, looking at the chain between
// steps while a commit is pending.
func TestValidatorRevealsBetweenSteps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), true)
		cfg := testConfig(t)
		cfg.Neuron.StepInterval = 10 * time.Second
		v, err := neuron.NewValidator(cfg, f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		if err := runFor(t, v, 35*time.Second); err != nil {
			t.Fatal(err)
		}
		if reveals := f.count("reveal"); reveals < 3 {
			t.Fatalf("%d reveals in 35 s of 10 s steps: %+v", reveals, f.calls())
		}
	})
}

// TestValidatorRevealsDuringSlowSteps: a miner that never answers holds every step for the
// whole query timeout (10 s here, as by default), longer than an epoch (2 s); the validator
// still reveals each commit in its reveal epoch, looking at the chain while the step runs.
// Before, every reveal came after its epoch and expired, so no weights ever landed.
func TestValidatorRevealsDuringSlowSteps(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), true)
		cfg := testConfig(t)
		cfg.Neuron.Timeout = 10 * time.Second
		slow := neuron.ForwardFunc(func(ctx context.Context, r *neuron.Round) ([]float64, error) {
			select { // the miner that never answers: the query ends at the timeout
			case <-ctx.Done():
			case <-time.After(r.Timeout):
			}
			return rewardMiners.Forward(ctx, r)
		})
		v, err := neuron.NewValidator(cfg, f, hot, slow)
		if err != nil {
			t.Fatal(err)
		}
		if err := runFor(t, v, 45*time.Second); err != nil {
			t.Fatal(err)
		}
		if reveals := f.count("reveal"); reveals < 3 {
			t.Fatalf("%d reveals in 45 s of 10 s steps: %+v", reveals, f.calls())
		}
	})
}

// TestValidatorNoticesSameHotkeyElsewhere: two validators started with one hotkey and no
// shared state file (so no lock stops the second) both send weights; each sees the chain
// take weights it did not send and warns, naming the cause. One validator alone never does.
func TestValidatorNoticesSameHotkeyElsewhere(t *testing.T) {
	for _, n := range []int{1, 2} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				hot := key(t, "//Validator")
				f := newFakeChain(t, hot.Public(), false)
				f.lastUpdate[1] = 1 // registered at block 1
				sinks := make([]logtest.Buffer, n)
				var wg sync.WaitGroup
				for i := range n {
					cfg := testConfig(t)
					cfg.Logger = sinks[i].JSONLogger()
					v, err := neuron.NewValidator(cfg, f, hot, rewardMiners)
					if err != nil {
						t.Fatal(err)
					}
					wg.Go(func() {
						if err := runFor(t, v, 10*time.Second); err != nil {
							t.Errorf("Run %d: %v", i, err)
						}
					})
				}
				wg.Wait()
				var warned int
				for i := range sinks {
					warned += len(warnings(t, &sinks[i], "another process with this hotkey"))
				}
				if n == 1 && warned != 0 || n == 2 && warned == 0 {
					t.Fatalf("%d validators: %d warnings about another process; sent %+v", n, warned, f.calls())
				}
			})
		})
	}
}

// TestValidatorBadStateFile: a state file that is empty JSON, truncated, or a folder stops
// the validator at start with what to do, before it touches the chain.
func TestValidatorBadStateFile(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"empty object", "{}", "move it away"},
		{"null", "null", "move it away"},
		{"truncated", `{"netuid":1,"hotkey":"5`, "move it away"},
		{"folder", "", "--neuron.state_file"},
		{"lock file a folder", "lock", "--neuron.state_file"},
		{"folder where its folder goes", "parent", "--neuron.state_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hot := key(t, "//Validator")
			cfg := testConfig(t)
			cfg.Neuron.StateFile = filepath.Join(t.TempDir(), "state.json")
			var err error
			switch tc.body {
			case "":
				err = os.Mkdir(cfg.Neuron.StateFile, 0o700)
			case "lock":
				err = os.Mkdir(cfg.Neuron.StateFile+".lock", 0o700)
			case "parent":
				parent := filepath.Dir(cfg.Neuron.StateFile)
				cfg.Neuron.StateFile = filepath.Join(parent, "file", "state.json")
				err = os.WriteFile(filepath.Join(parent, "file"), nil, 0o600)
			default:
				err = os.WriteFile(cfg.Neuron.StateFile, []byte(tc.body), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			v, err := neuron.NewValidator(cfg, newFakeChain(t, hot.Public(), false), hot, rewardMiners)
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Run(t.Context()); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run: %v; want an error saying %q", err, tc.want)
			}
		})
	}
}

// TestValidatorStopsWhenSubnetDissolved: the subnet dissolved under a running validator; it
// stops with ErrNoSubnet instead of retrying (and warning) every step.
func TestValidatorStopsWhenSubnetDissolved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hot := key(t, "//Validator")
		f := newFakeChain(t, hot.Public(), false)
		v, err := neuron.NewValidator(testConfig(t), f, hot, rewardMiners)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(3 * time.Second)
			f.mu.Lock()
			f.dissolved = true
			f.mu.Unlock()
		}()
		start := time.Now()
		err = runFor(t, v, time.Minute)
		if !errors.Is(err, neuron.ErrNoSubnet) || !strings.Contains(err.Error(), "btcli subnets list") || time.Since(start) > 4*time.Second {
			t.Fatalf("Run returned %v after %v", err, time.Since(start))
		}
	})
}
