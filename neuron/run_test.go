package neuron_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/node/nodetest"
	"github.com/gotensor/gotensor/wallet"
)

// TestRunUntilSignalNotRegistered: a binary whose hotkey has no uid exits 1 and logs the
// btcli command that registers that very hotkey, with the wallet flags it ran with (the
// error alone can only say NAME and HOTKEY).
func TestRunUntilSignalNotRegistered(t *testing.T) {
	node := nodetest.Start(t, nodetest.Options{})
	dir := t.TempDir()
	w, err := wallet.New(wallet.Config{Path: dir, Name: "qa", Hotkey: "m3"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetHotkey(key(t, "//Nobody"), wallet.KeyOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := client.Dial(t.Context(), client.Config{Endpoints: []string{node.RPC}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := c.Submit(t.Context(), key(t, "//Bob"), client.RegisterNetwork(key(t, "//Bob/owner").SS58(), nil), client.SubmitOptions{Wait: client.WaitFinal})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := r.Event(subnets.EventNetworkAdded)
	var logs bytes.Buffer
	cfg := neuron.TestConfig()
	cfg.Netuid = 1 // the subnet just made; //Nobody has no uid on it
	if ev["netuid"] != "1" {
		t.Fatalf("subnet %v, want netuid 1", ev)
	}
	cfg.Wallet = wallet.Config{Path: dir, Name: "qa", Hotkey: "m3"}
	cfg.Subtensor.ChainEndpoint = node.RPC
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	code := neuron.RunUntilSignal(cfg, func(string) (string, bool) { return "", false }, "miner",
		func(c *client.Client, hotkey *keys.Keypair) (neuron.Runner, error) {
			return neuron.NewMiner(cfg, c, hotkey)
		})
	if code != neuron.ExitFailed {
		t.Errorf("exit %d, want %d", code, neuron.ExitFailed)
	}
	want := "btcli subnets register --netuid 1 --wallet.name qa --wallet.hotkey m3 --wallet.path " + dir
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log does not say %q:\n%s", want, logs.String())
	}
}
