package template

import (
	"context"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
)

// Forward is the miner's work: answer the double of the input. A real subnet does its
// real work here (run a model, fetch data) and returns before ctx ends.
func Forward(ctx context.Context, syn *Dummy) error {
	out := 2 * syn.DummyInput
	syn.DummyOutput = &out
	return nil
}

// NewMiner returns a miner serving Forward. Its axon admits registered hotkeys with a
// validator permit (403 for others), highest stake first; Run serves it.
func NewMiner(cfg neuron.Config, chain neuron.Chain, hotkey *keys.Keypair) (*neuron.Miner, error) {
	return NewMinerWith(cfg, chain, hotkey, axon.HandlerFunc[*Dummy](Forward))
}

// NewMinerWith returns a miner serving h instead of Forward (tests use it for miners that
// answer wrong).
func NewMinerWith(cfg neuron.Config, chain neuron.Chain, hotkey *keys.Keypair, h axon.Handler[*Dummy]) (*neuron.Miner, error) {
	m, err := neuron.NewMiner(cfg, chain, hotkey)
	if err != nil {
		return nil, err
	}
	if err := axon.Handle[Dummy](m.Axon(), h); err != nil {
		return nil, err
	}
	return m, nil
}
