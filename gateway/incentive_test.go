package gateway_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// TestRoutingByIncentive: the gateway calls a subnet's miners in the order of the incentive
// the chain's epoch gave them, not in uid order. A validator weights three miners so that
// the last registered (highest uid) earns the most and the first the least; with one miner
// per attempt the top one answers, and when it fails the retry goes to the second, never
// to uid order's first.
func TestRoutingByIncentive(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{BlockTime: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	submit := func(signer *keys.Keypair, call *txpb.Call) *client.Receipt {
		t.Helper()
		r, err := c.Submit(ctx, signer, call, client.SubmitOptions{Wait: client.WaitFinal})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	alice := kp(t, "//Alice")
	miners := []*keys.Keypair{kp(t, "//Alice/inc-m0"), kp(t, "//Alice/inc-m1"), kp(t, "//Alice/inc-m2")}
	val := kp(t, "//Alice/inc-validator")
	submit(alice, client.RegisterNetwork(kp(t, "//Alice/owner").SS58(), nil))
	const netuid = 1
	submit(alice, client.StartCall(netuid))
	for _, m := range miners {
		submit(alice, client.BurnedRegister(netuid, m.SS58()))
		submit(m, client.ServeAxon(netuid, 1, []byte{0, 0, 0, 0}, 8091, 4))
	}
	submit(alice, client.BurnedRegister(netuid, val.SS58()))
	submit(alice, client.AddStake(val.SS58(), netuid, 100_000_000_000, 0, false))

	// waitGraph polls the metagraph, as a client would, until ok says it is there.
	waitGraph := func(what string, ok func(m api.Metagraph) bool) api.Metagraph {
		t.Helper()
		for {
			m, err := c.Metagraph(ctx, netuid, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			if ok(m) {
				return m
			}
			select {
			case <-ctx.Done():
				t.Fatalf("%s never came: %+v", what, m)
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	uid := func(m api.Metagraph, k *keys.Keypair) int { return slices.Index(m.Hotkeys, k.SS58()) }
	m := waitGraph("the validator's permit", func(m api.Metagraph) bool { return m.ValidatorPermit[uid(m, val)] })
	uids := make([]uint16, len(miners))
	for i, k := range miners {
		uids[i] = uint16(uid(m, k))
	}
	if !slices.IsSorted(uids) {
		t.Fatalf("miner uids %v are not in registration order", uids)
	}
	submit(val, client.SetWeights(netuid, uids, []uint16{100, 200, 300}, 0))
	m = waitGraph("incentive by the weights", func(m api.Metagraph) bool {
		return m.Incentive[uids[0]] < m.Incentive[uids[1]] && m.Incentive[uids[1]] < m.Incentive[uids[2]]
	})
	t.Logf("incentive of miner uids %v: %d %d %d", uids, m.Incentive[uids[0]], m.Incentive[uids[1]], m.Incentive[uids[2]])

	names := []string{"low", "mid", "top"}
	nw := &network{node: n, c: c, m1: miners[0], m2: miners[1], gatewayHotkey: kp(t, "//Alice/gateway")}
	cfg := baseConfig(nw, false)
	cfg.AddrOverride = map[string]string{}
	for i, k := range miners {
		name := names[i]
		cfg.AddrOverride[k.SS58()] = serveMiner(t, k, chatMiner(func(ctx context.Context, syn *protocol.Chat) error {
			if name == "top" && syn.Messages[len(syn.Messages)-1].Content == "top fails" {
				return errors.New("the top miner fails this one")
			}
			answer(syn, name)
			return nil
		}))
	}
	cfg.K, cfg.Retries = 1, 1
	g := startGateway(t, nw, cfg)
	_, key, _ := createKey(t, g, "free")
	for _, tc := range []struct{ msg, want string }{{"hello", "top"}, {"top fails", "mid"}} {
		resp, out := call(t, "POST", g.url+"/v1/chat/completions", key, chatBody("gotensor-echo", tc.msg, false))
		if resp.StatusCode != 200 {
			t.Fatalf("%q: %d %v", tc.msg, resp.StatusCode, out)
		}
		if got := out["choices"].([]any)[0].(map[string]any)["message"].(map[string]any)["content"]; got != tc.want {
			t.Errorf("%q answered by %q, want %q (miners by incentive: top, mid, low)", tc.msg, got, tc.want)
		}
	}
}
