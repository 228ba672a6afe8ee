package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/node/nodetest"
)

// A client given a dead endpoint first falls back to the next one, and a
// WaitNone submit returns at mempool acceptance (no height yet) with a
// transaction that then lands.
func TestEndpointFallbackAndWaitNone(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	dead := "http://127.0.0.1:" + itoa(nodetest.FreePort(t))
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{dead, n.RPC}})
	if err != nil {
		t.Fatalf("dial with a dead first endpoint: %v", err)
	}
	defer c.Close()
	bob, dave := dev(t, "Bob"), dev(t, "Dave")
	before, err := c.Account(ctx, dave.SS58())
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Submit(ctx, bob, client.Transfer(dave.SS58(), 2*balances.RAOPerTAO), client.SubmitOptions{Wait: client.WaitNone})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hash) != 64 || r.Height != 0 {
		t.Fatalf("WaitNone receipt %+v: want a 64-hex hash and no height", r)
	}
	for {
		a, err := c.Account(ctx, dave.SS58())
		if err == nil && a.Free == before.Free+2*balances.RAOPerTAO {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("the WaitNone transfer never landed: dave %d -> %d (%v)", before.Free, a.Free, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
