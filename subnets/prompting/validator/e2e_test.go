package validator_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/subnets/prompting/validator"
	"github.com/gotensor/gotensor/synapse"
)

const tao = 1_000_000_000

// localIP stands for this machine on chain (the chain refuses loopback); the validator,
// whose external IP is the same, dials such axons on 127.0.0.1.
const localIP = "10.0.0.1"

func key(t *testing.T, uri string) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI(uri)
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// TestValidatorOnNode runs the prompting subnet on a real node: a tool-using, a built-in
// model and a careless miner on the neuron runtime, and a validator with the built-in model
// as reference (so free prompts are mixed in) and its organic endpoint open to a gateway
// hotkey. A stand-in for the gateway posts signed organic samples of what each miner
// answered to a checkable user prompt. The validator must score all three kinds of task,
// set weights, and the incentive must follow quality: tools > built-in > careless.
func TestValidatorOnNode(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node and runs several epochs")
	}
	start := time.Now()
	node := nodetest.Start(t, nodetest.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 120*time.Second)
	defer cancel()
	cl, err := client.Dial(ctx, client.Config{Endpoints: []string{node.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	submit := func(signer *keys.Keypair, call *txpb.Call) *client.Receipt {
		t.Helper()
		r, err := cl.Submit(ctx, signer, call, client.SubmitOptions{Wait: client.WaitFinal})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	bob, charlie, dave := key(t, "//Bob"), key(t, "//Charlie"), key(t, "//Dave")
	r := submit(bob, client.RegisterNetwork(key(t, "//Bob/owner").SS58(), nil))
	ev, _ := r.Event(subnets.EventNetworkAdded)
	n, _ := strconv.ParseUint(ev["netuid"], 10, 16)
	netuid := uint16(n)
	submit(bob, client.StartCall(netuid))
	names := []string{"tools", "builtin-notools", "careless"}
	var miners []*keys.Keypair
	for _, name := range names {
		hk := key(t, "//Charlie/"+name)
		miners = append(miners, hk)
		submit(charlie, client.BurnedRegister(netuid, hk.SS58()))
	}
	val := key(t, "//Dave/v")
	submit(dave, client.BurnedRegister(netuid, val.SS58()))
	submit(dave, client.AddStake(val.SS58(), 0, 100_000*tao, 0, false))
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))

	config := func(name string) neuron.Config {
		c := neuron.TestConfig()
		c.Netuid, c.Subtensor.ChainEndpoint, c.Axon.ExternalIP = netuid, node.RPC, localIP
		c.Neuron.MovingAverageAlpha = 0.3
		c.Logger = log.With("neuron", name)
		return c
	}
	rctx, rcancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var errs []error
	var mu sync.Mutex
	run := func(f func(context.Context) error) {
		wg.Go(func() {
			if err := f(rctx); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	for i, name := range names {
		b, err := miner.NewBackend(name, miner.OpenAI{})
		if err != nil {
			t.Fatal(err)
		}
		m, err := miner.NewNeuron(config(name), cl, miners[i], b, false)
		if err != nil {
			t.Fatal(err)
		}
		run(m.Run)
	}
	gw := key(t, "//Ferdie/gateway")
	addr := make(chan string, 1)
	kinds := map[string]int{}
	v, err := validator.New(validator.Config{Hotkey: val, Chain: cl, Base: config("validator"), Reference: miner.BuiltinBackend{Tools: true}, FreeRatio: 0.3,
		Organic: validator.OrganicConfig{Addr: "127.0.0.1:0", Signers: []keys.PublicKey{gw.Public()}, Ready: func(a string) { addr <- a }},
		OnScore: func(s validator.Scored) { mu.Lock(); kinds[s.Kind]++; mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	run(v.Run)
	url := "http://" + <-addr + "/organic"

	// What each miner answers to a checkable user prompt, posted as the gateway would.
	prompt := challenge.Generate(11).Prompt
	postOrganic := func() {
		d := v.Metagraph().Data()
		s := protocol.OrganicSample{Netuid: netuid, Messages: []protocol.Message{{Role: "user", Content: prompt}}}
		for i, name := range names {
			uid := indexOf(d.Hotkeys, miners[i].SS58())
			if uid < 0 {
				return
			}
			b, _ := miner.NewBackend(name, miner.OpenAI{})
			text, _, _ := b.Complete(ctx, &protocol.Chat{Messages: s.Messages})
			s.Answers = append(s.Answers, protocol.OrganicAnswer{UID: uint16(uid), Hotkey: miners[i].SS58(), Completion: text, LatencyMS: 50})
		}
		body, _ := json.Marshal(s)
		ts := time.Now().UnixMilli()
		uuid := strconv.FormatInt(time.Now().UnixNano(), 10)
		sig, _ := gw.Sign(synapse.EpistulaMessage(body, uuid, ts, val.SS58()))
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		for k, v := range map[string]string{synapse.HeaderEpistulaVersion: "2", synapse.HeaderEpistulaTimestamp: strconv.FormatInt(ts, 10),
			synapse.HeaderEpistulaUUID: uuid, synapse.HeaderEpistulaSignedBy: gw.SS58(), synapse.HeaderEpistulaSignedFor: val.SS58(),
			synapse.HeaderEpistulaSignature: "0x" + hex.EncodeToString(sig)} {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("POST /organic: %v", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Errorf("POST /organic: %s", resp.Status)
		}
	}

	ok := false
	for !ok {
		if ctx.Err() != nil {
			break
		}
		time.Sleep(300 * time.Millisecond) // polling the chain; the node offers nothing to wait on here
		postOrganic()
		m, err := cl.Metagraph(ctx, netuid, 0, true)
		if err != nil {
			continue
		}
		u := func(i int) int { return indexOf(m.Hotkeys, miners[i].SS58()) }
		tools, lm, careless := m.Incentive[u(0)], m.Incentive[u(1)], m.Incentive[u(2)]
		vu := indexOf(m.Hotkeys, val.SS58())
		if len(m.Weights[vu]) > 0 && tools > lm && lm > careless {
			t.Logf("block %d epoch %d: incentive tools %d > builtin %d > careless %d; weights %v", m.Block, m.EpochIndex, tools, lm, careless, m.Weights[vu])
			ok = true
		}
	}
	rcancel()
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	checkNoGoroutines(t)
	st := v.OrganicStats()
	t.Logf("after %v: scored %v; organic %+v", time.Since(start).Round(time.Millisecond), kinds, st)
	if !ok {
		t.Fatal("the incentive never followed the miners' quality")
	}
	if kinds["challenge"] == 0 || kinds["free"] == 0 || kinds["organic"] == 0 || st.Scored == 0 {
		t.Errorf("kinds scored %v, organic %+v: want challenges, free prompts and organic answers", kinds, st)
	}
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// checkNoGoroutines fails if a goroutine of the validator, the miners, their axons or
// dendrites outlives Run (STYLE §10). The node's goroutines are not counted.
func checkNoGoroutines(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			for _, pkg := range []string{"gotensor/neuron.", "gotensor/axon.", "gotensor/dendrite.", "prompting/validator.", "prompting/miner."} {
				if strings.Contains(g, pkg) && !strings.Contains(g, "checkNoGoroutines") && !strings.Contains(g, "testing.tRunner") {
					leaked = append(leaked, g)
					break
				}
			}
		}
		if len(leaked) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("%d goroutines outlived Run:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
			return
		}
		time.Sleep(20 * time.Millisecond) // waiting for goroutines to exit; nothing to select on
	}
}
