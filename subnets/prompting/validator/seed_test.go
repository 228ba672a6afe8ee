package validator

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/axon/axontest"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// A miner cannot read a challenge's answer off the request: the seed sent with a challenge
// is not the one that generated it, so running the (public) generator on it does not give
// the prompt back. The miner here tries exactly that, as a cheat would, and answers the
// generator's expected answer when it finds the prompt.
func TestChallengeSeedDoesNotRevealTheAnswer(t *testing.T) {
	var mu sync.Mutex
	asked, inverted := 0, 0
	a, err := axon.New(mustKey(t, "//Eve/cheat"), axon.TestConfig())
	if err != nil {
		t.Fatal(err)
	}
	err = axon.Handle(a, axon.HandlerFunc[*protocol.Chat](func(_ context.Context, syn *protocol.Chat) error {
		answer := "I do not know."
		s := uint64(syn.Seed)
		for _, seed := range []uint64{s, s << 1, s<<1 | 1} {
			if c := challenge.Generate(seed); c.Prompt == syn.Messages[0].Content {
				answer = c.Expected
				mu.Lock()
				inverted++
				mu.Unlock()
			}
		}
		mu.Lock()
		asked++
		mu.Unlock()
		syn.Completion = &answer
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	info := axontest.Start(t, a)
	d, err := dendrite.New(mustKey(t, "//Dave/v"), dendrite.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var next uint64
	v := &Validator{cfg: Config{Seed: func() uint64 { mu.Lock(); defer mu.Unlock(); next += 0x9e3779b97f4a7c15; return next }},
		log: slog.New(slog.DiscardHandler), timeout: 5 * time.Second, org: newOrganic(OrganicConfig{})}
	r := &neuron.Round{UIDs: []uint16{1}, Axons: []synapse.AxonInfo{info}, Dendrite: d, Timeout: 5 * time.Second}
	total := 0.0
	for range 40 {
		rewards, err := v.Forward(t.Context(), r)
		if err != nil {
			t.Fatal(err)
		}
		total += rewards[0]
	}
	if asked != 40 || inverted != 0 || total != 0 {
		t.Errorf("asked %d challenges: the generator gave %d of them back from the request's seed, scoring %.1f", asked, inverted, total)
	}
}
