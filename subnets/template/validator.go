package template

import (
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
)

// Challenge is the validator's question for a step: a random number to double. (The
// Bittensor template sends the step number, which a miner can predict.)
func Challenge(r *neuron.Round) *Dummy {
	return &Dummy{DummyInput: r.Rand.IntN(1_000_000)}
}

// Reward scores a miner's answer: 1 when it is the double of the question, else 0.
func Reward(req, resp *Dummy) float64 {
	if resp.DummyOutput != nil && *resp.DummyOutput == 2*req.DummyInput {
		return 1
	}
	return 0
}

// NewValidator returns a validator that sends Challenge to the sampled miners each step,
// scores the answers with Reward, and sets weights from their moving averages with
// SpecVersion as the version key; Run runs it.
func NewValidator(cfg neuron.Config, chain neuron.Chain, hotkey *keys.Keypair) (*neuron.Validator, error) {
	cfg.VersionKey = SpecVersion
	return neuron.NewValidator(cfg, chain, hotkey, neuron.Challenge(Challenge, Reward))
}
