package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/node/nodetest"
)

// Query answers and the chain's query errors come through the lean
// abci_query path as they do through CometBFT's client: value, code,
// codespace and log.
func TestQueryAnswersAndErrors(t *testing.T) {
	n := nodetest.Start(t, nodetest.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{Endpoints: []string{n.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p, err := c.Params(ctx)
	if err != nil || p.ChainID != "gotensor-test" {
		t.Fatalf("params %+v: %v", p, err)
	}
	// The metagraph at an older height is that height's.
	h, err := c.LatestHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Metagraph(ctx, 0, h-1, true)
	if err != nil || m.Block != h-1 {
		t.Fatalf("metagraph at %d: block %d, %v", h-1, m.Block, err)
	}
	_, err = c.Subnet(ctx, 999)
	var ce *client.ChainError
	if !errors.As(err, &ce) || ce.Codespace != "query" || ce.Code != api.QueryCodeNotFound || ce.Log == "" {
		t.Fatalf("missing subnet: %v (%+v)", err, ce)
	}
	_, err = c.Metagraph(ctx, 0, h+1000, false)
	if !errors.As(err, &ce) {
		t.Fatalf("metagraph of a future height: %v", err)
	}
}
