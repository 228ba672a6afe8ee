package template_test

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/subnets/template"
)

const tao = 1_000_000_000

// localIP stands for this machine on chain: the chain refuses 127.0.0.1, so miners publish
// a private address and the validators, whose external IP is the same, dial it on
// 127.0.0.1 (the dendrite's loopback shortcut), as docs/subnet-builder.md does on localnet.
const localIP = "10.0.0.1"

func key(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

type chainT struct {
	t   *testing.T
	c   *client.Client
	rpc string
}

func (c *chainT) submit(signer *keys.Keypair, call *txpb.Call) *client.Receipt {
	c.t.Helper()
	r, err := c.c.Submit(c.t.Context(), signer, call, client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		c.t.Fatalf("%v", err)
	}
	return r
}

// subnet creates and starts a subnet owned by owner, registers the miners' hotkeys with
// minerCold and the validators' with valCold (the owner's coldkey earns no miner
// incentive), and stakes each validator on root so that validators outweigh the stake
// miners earn.
func (c *chainT) subnet(owner, ownerHot, minerCold, valCold *keys.Keypair, miners, validators []*keys.Keypair, commitReveal bool) uint16 {
	c.t.Helper()
	r := c.submit(owner, client.RegisterNetwork(ownerHot.SS58(), nil))
	ev, _ := r.Event(subnets.EventNetworkAdded)
	n, err := strconv.ParseUint(ev["netuid"], 10, 16)
	if err != nil {
		c.t.Fatalf("netuid in %v", ev)
	}
	netuid := uint16(n)
	if commitReveal {
		c.submit(owner, client.SetHyperparameter(netuid, "commit_reveal_weights_enabled", 1))
	}
	c.submit(owner, client.StartCall(netuid))
	for _, m := range miners {
		c.submit(minerCold, client.BurnedRegister(netuid, m.SS58()))
	}
	for _, v := range validators {
		c.submit(valCold, client.BurnedRegister(netuid, v.SS58()))
		c.submit(valCold, client.AddStake(v.SS58(), 0, 100_000*tao, 0, false))
	}
	return netuid
}

func (c *chainT) config(netuid uint16, log *slog.Logger) neuron.Config {
	cfg := neuron.TestConfig()
	cfg.Netuid = netuid
	cfg.Subtensor.ChainEndpoint = c.rpc
	cfg.Axon.ExternalIP = localIP
	cfg.Neuron.MovingAverageAlpha = 0.3
	cfg.Logger = log
	return cfg
}

// runner runs neurons until stop, then checks each returned nil.
type runner struct {
	wg     sync.WaitGroup
	cancel context.CancelFunc
	ctx    context.Context
	mu     sync.Mutex
	errs   []error
}

func (r *runner) run(name string, f func(context.Context) error) {
	r.wg.Go(func() {
		if err := f(r.ctx); err != nil {
			r.mu.Lock()
			r.errs = append(r.errs, fmt.Errorf("%s: %w", name, err))
			r.mu.Unlock()
		}
	})
}

func (r *runner) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	r.wg.Wait()
	for _, err := range r.errs {
		t.Error(err)
	}
}

// halfRight answers right for even inputs and wrong for odd ones: half the time, for each
// validator, whatever the order the calls arrive in (the challenges are random).
func halfRight() axon.Handler[*template.Dummy] {
	return axon.HandlerFunc[*template.Dummy](func(ctx context.Context, syn *template.Dummy) error {
		out := 2 * syn.DummyInput
		if syn.DummyInput%2 == 1 {
			out++
		}
		syn.DummyOutput = &out
		return nil
	})
}

func alwaysWrong() axon.Handler[*template.Dummy] {
	return axon.HandlerFunc[*template.Dummy](func(ctx context.Context, syn *template.Dummy) error {
		out := 2*syn.DummyInput + 1
		syn.DummyOutput = &out
		return nil
	})
}

// TestTemplateSubnet runs the template subnet on a real node: three miners (always right,
// right half the time, always wrong) and two validators on one subnet, and a miner and a
// validator on a second subnet with commit-reveal on, for several epochs. The validators'
// weights must reach the chain (directly, or committed and revealed) and the incentive
// must follow the reward: right > half > wrong.
func TestTemplateSubnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and runs several epochs")
	}
	start := time.Now()
	node := nodetest.Start(t, nodetest.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, client.Config{Endpoints: []string{node.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ch := &chainT{t: t, c: cl, rpc: node.RPC}
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))

	bob, charlie, dave := key(t, "//Bob"), key(t, "//Charlie"), key(t, "//Dave")
	miners := []*keys.Keypair{key(t, "//Charlie/right"), key(t, "//Charlie/half"), key(t, "//Charlie/wrong")}
	vals := []*keys.Keypair{key(t, "//Dave/v0"), key(t, "//Dave/v1")}
	crMiner, crVal := key(t, "//Charlie/cr"), key(t, "//Dave/cr")
	netuid := ch.subnet(bob, key(t, "//Bob/owner"), charlie, dave, miners, vals, false)
	crNetuid := ch.subnet(bob, key(t, "//Bob/owner2"), charlie, dave, []*keys.Keypair{crMiner}, []*keys.Keypair{crVal}, true)
	t.Logf("subnets %d and %d (commit-reveal) ready after %v", netuid, crNetuid, time.Since(start).Round(time.Millisecond))

	before := runtime.NumGoroutine()
	rctx, rcancel := context.WithCancel(ctx)
	r := &runner{ctx: rctx, cancel: rcancel}
	handlers := []axon.Handler[*template.Dummy]{axon.HandlerFunc[*template.Dummy](template.Forward), halfRight(), alwaysWrong()}
	for i, hk := range miners {
		m, err := template.NewMinerWith(ch.config(netuid, log.With("neuron", "miner"+strconv.Itoa(i))), cl, hk, handlers[i])
		if err != nil {
			t.Fatal(err)
		}
		r.run("miner "+strconv.Itoa(i), m.Run)
	}
	crm, err := template.NewMiner(ch.config(crNetuid, log.With("neuron", "cr-miner")), cl, crMiner)
	if err != nil {
		t.Fatal(err)
	}
	r.run("cr miner", crm.Run)
	var validators []*neuron.Validator
	for i, hk := range vals {
		cfg := ch.config(netuid, log.With("neuron", "validator"+strconv.Itoa(i)))
		cfg.Neuron.StateFile = t.TempDir() + "/state.json"
		v, err := template.NewValidator(cfg, cl, hk)
		if err != nil {
			t.Fatal(err)
		}
		validators = append(validators, v)
		r.run("validator "+strconv.Itoa(i), v.Run)
	}
	crcfg := ch.config(crNetuid, log.With("neuron", "cr-validator"))
	crv, err := template.NewValidator(crcfg, cl, crVal)
	if err != nil {
		t.Fatal(err)
	}
	r.run("cr validator", crv.Run)

	// Watch the chain until the incentive follows the reward at two epochs in a row, and the
	// commit-reveal validator's weights were revealed and paid its miner.
	var good []uint64
	crDone := false
	for len(good) < 2 || !crDone {
		if err := ctx.Err(); err != nil {
			r.stop(t)
			t.Fatalf("after %v: incentive never followed the reward (epochs ok: %v, commit-reveal ok: %v)", time.Since(start), good, crDone)
		}
		time.Sleep(300 * time.Millisecond) // polling the chain; the node offers nothing to wait on here
		m, err := cl.Metagraph(ctx, netuid, 0, true)
		if err != nil {
			continue
		}
		uid := func(kp *keys.Keypair) int { return indexOf(m.Hotkeys, kp.SS58()) }
		right, half, wrong := m.Incentive[uid(miners[0])], m.Incentive[uid(miners[1])], m.Incentive[uid(miners[2])]
		weighted := len(m.Weights[uid(vals[0])]) > 0 && len(m.Weights[uid(vals[1])]) > 0
		if weighted && right > half && half > wrong && (len(good) == 0 || good[len(good)-1] != m.EpochIndex) {
			good = append(good, m.EpochIndex)
			t.Logf("block %d epoch %d: incentive right %d > half %d > wrong %d; weights %v %v", m.Block, m.EpochIndex,
				right, half, wrong, m.Weights[uid(vals[0])], m.Weights[uid(vals[1])])
		}
		if !crDone {
			cm, err := cl.Metagraph(ctx, crNetuid, 0, true)
			if err == nil {
				cuid := func(kp *keys.Keypair) int { return indexOf(cm.Hotkeys, kp.SS58()) }
				if len(cm.Weights[cuid(crVal)]) > 0 && cm.Incentive[cuid(crMiner)] > 0 {
					crDone = true
					t.Logf("commit-reveal subnet: block %d epoch %d: weights %v revealed, miner incentive %d", cm.Block, cm.EpochIndex, cm.Weights[cuid(crVal)], cm.Incentive[cuid(crMiner)])
				}
			}
		}
	}
	for i, v := range validators {
		h := v.Health()
		if !h.OK || h.LastWeightsBlock == 0 || h.Step == 0 {
			t.Errorf("validator %d health %+v", i, h)
		}
	}
	if h := crv.Health(); h.LastWeightsBlock == 0 {
		t.Errorf("commit-reveal validator health %+v", h)
	}
	r.stop(t)
	checkNoNeuronGoroutines(t, before)
	t.Logf("done in %v", time.Since(start).Round(time.Millisecond))
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	panic("test: " + s + " not in the metagraph")
}

// checkNoNeuronGoroutines fails if a goroutine of the neurons, their axons or dendrites
// outlives them (STYLE §10). The node's goroutines are not counted.
func checkNoNeuronGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "gotensor/neuron.") || strings.Contains(g, "gotensor/axon.") || strings.Contains(g, "gotensor/dendrite.") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d neuron goroutines outlived Run (%d goroutines before the neurons started):\n%s", len(leaked), before, strings.Join(leaked, "\n\n"))
			return
		}
		time.Sleep(20 * time.Millisecond) // waiting for goroutines to exit; nothing to select on
	}
}
