package localnet

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/coinbase"
)

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func roleOf(v View, r Role) NeuronView {
	for _, n := range v.Subnets[0].Neurons {
		if n.Role == r {
			return n
		}
	}
	return NeuronView{}
}

// TestLocalnetEndToEnd runs the whole local network for several epochs:
// better miners earn more, validators earn dividends, and total issuance
// grows by exactly the emissions the blocks report.
func TestLocalnetEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs a local network for about a minute")
	}
	start := time.Now()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	n, err := Start(ctx, Config{Dir: dir, RPCListen: freePort(t), RESTListen: "off", BlockTime: 150 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	t.Logf("up in %v at block %d", time.Since(start), n.Node().Height())

	v0, err := n.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tempo := int64(v0.Subnets[0].Tempo)
	// Epochs: one for permits, then enough for moving averages and bonds to settle.
	until := int64(v0.Subnets[0].NextEpoch) + 7*(tempo+1)
	if err := n.Node().WaitHeight(ctx, until); err != nil {
		t.Fatal(err)
	}
	// Let the epoch block settle, then look.
	time.Sleep(500 * time.Millisecond)
	v, err := n.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	Render(&buf, v)
	t.Logf("after %v:\n%s", time.Since(start), buf.String())

	tools, lm, careless := roleOf(v, RoleMinerTool), roleOf(v, RoleMinerLM), roleOf(v, RoleCareless)
	if !(tools.Incentive > lm.Incentive && lm.Incentive > careless.Incentive) {
		t.Errorf("incentive not ordered: tools %.4f, built-in %.4f, careless %.4f", tools.Incentive, lm.Incentive, careless.Incentive)
	}
	for _, nv := range v.Subnets[0].Neurons {
		if nv.Role == RoleValidator && nv.Dividends == 0 {
			t.Errorf("validator uid %d has no dividends", nv.UID)
		}
	}

	// Issuance: the growth between two heights equals the coinbase.Emission
	// events' tao_emission in the blocks between.
	p1, err := n.Client.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Node().WaitHeight(ctx, p1.Height+2*tempo); err != nil {
		t.Fatal(err)
	}
	p2, err := n.Client.Params(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var emitted uint64
	local := n.Node().Local()
	for h := p1.Height + 1; h <= p2.Height; h++ {
		res, err := local.BlockResults(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range res.FinalizeBlockEvents {
			if ev.Type != coinbase.EventEmission {
				continue
			}
			for _, a := range ev.Attributes {
				if a.Key == "tao_emission" {
					x, err := strconv.ParseUint(a.Value, 10, 64)
					if err != nil {
						t.Fatal(err)
					}
					emitted += x
				}
			}
		}
	}
	if grew := p2.TotalIssuance - p1.TotalIssuance; grew != emitted || emitted == 0 {
		t.Errorf("blocks %d..%d: issuance grew %d RAO, blocks emitted %d RAO", p1.Height+1, p2.Height, grew, emitted)
	} else {
		t.Logf("blocks %d..%d: issuance grew %d RAO = emitted (%s TAO)", p1.Height+1, p2.Height, grew, fmt.Sprint(tao(grew)))
	}
	t.Logf("total %v", time.Since(start))
}
