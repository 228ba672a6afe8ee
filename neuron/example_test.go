package neuron_test

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/synapse"
)

// Echo is a synapse: the validator sends Text, the miner returns it in Reply.
type Echo struct {
	synapse.Base
	Text  string `json:"text"`
	Reply string `json:"reply"`
}

func (*Echo) RequiredHashFields() []string { return []string{"text"} }

// A miner binary: flags, env and config file into a Config, the hotkey from the wallet,
// one handler, run until Ctrl-C.
func Example_miner() {
	cfg, err := neuron.LoadConfig(flag.NewFlagSet("miner", flag.ExitOnError), os.Args[1:], os.LookupEnv)
	if err != nil {
		panic(err)
	}
	cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	hotkey, err := cfg.Hotkey()
	if err != nil {
		panic(err)
	}
	c, err := client.Dial(ctx, cfg.ClientConfig())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	m, err := neuron.NewMiner(cfg, c, hotkey)
	if err != nil {
		panic(err)
	}
	axon.Handle[Echo](m.Axon(), axon.HandlerFunc[*Echo](func(ctx context.Context, e *Echo) error {
		e.Reply = e.Text
		return nil
	}))
	if err := m.Run(ctx); err != nil {
		panic(err)
	}
}

// A validator: one challenge per step to every sampled miner, each answer scored.
func Example_validator() {
	cfg := neuron.DefaultConfig()
	cfg.Netuid = 3
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	hotkey, err := cfg.Hotkey() // the error says which btcli command makes it
	if err != nil {
		panic(err)
	}
	c, err := client.Dial(ctx, cfg.ClientConfig()) // the error says where it looked for the node
	if err != nil {
		panic(err)
	}
	defer c.Close()
	challenge := func(r *neuron.Round) *Echo { return &Echo{Text: fmt.Sprint(r.Rand.Int())} }
	reward := func(req, resp *Echo) float64 {
		if resp.Reply == req.Text {
			return 1
		}
		return 0
	}
	v, err := neuron.NewValidator(cfg, c, hotkey, neuron.Challenge(challenge, reward))
	if err != nil {
		panic(err)
	}
	if err := v.Run(ctx); err != nil { // nil once ctx ends
		panic(err)
	}
}

// Scores become set_weights' arguments within the subnet's rules.
func ExampleWeights() {
	scores := []float64{0, 0.9, 0.45, 0, 0.1} // uid 0 is this validator
	uids, values, _ := neuron.Weights(scores, 0, neuron.WeightRules{N: 5, MinAllowed: 1, MaxLimit: 65535})
	fmt.Println(uids, values)
	// With at most half the weight on one uid:
	uids, values, _ = neuron.Weights(scores, 0, neuron.WeightRules{N: 5, MinAllowed: 1, MaxLimit: 32767})
	fmt.Println(uids, values)
	// Output:
	// [1 2 4] [65535 32768 7282]
	// [1 2 4] [65535 53621 11917]
}

// Decide says when weights may go out, and why not.
func ExampleDecide() {
	s := neuron.WeightsState{Block: 130, EpochIndex: 6, LastUpdate: 120, RateLimit: 100, Interval: 20, Permit: true}
	d := neuron.Decide(s)
	fmt.Println(d.Action, d.NextBlock)
	fmt.Println(d.Reason)
	s.Block = 219
	fmt.Println(neuron.Decide(s).Action)
	s.CommitReveal = true
	fmt.Println(neuron.Decide(s).Action)
	// Output:
	// wait 220
	// weights last set at block 120; next at block 220 (rate limit 100, interval 20)
	// set_weights
	// commit_weights
}
