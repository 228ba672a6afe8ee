package neuron

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/metagraph"
)

// Chain is what a neuron needs from the chain; *client.Client implements it.
type Chain interface {
	metagraph.Source // LatestHeight and Metagraph
	Hyperparameters(ctx context.Context, netuid uint16) ([]api.Hyperparameter, error)
	Submit(ctx context.Context, signer tx.Signer, call *txpb.Call, o client.SubmitOptions) (*client.Receipt, error)
}

// ErrNotRegistered: the neuron's hotkey has no uid on its subnet, at start or because it was
// deregistered (its uid went to a newer registration).
var ErrNotRegistered = errors.New("neuron: hotkey not registered on the subnet")

// ErrNoSubnet: the neuron's subnet does not exist, at start (a wrong --netuid) or because it
// was dissolved while the neuron ran.
var ErrNoSubnet = errors.New("neuron: subnet does not exist")

// stopsNeuron says whether a metagraph sync failure ends the neuron: its hotkey or its
// subnet is gone, which no retry mends.
func stopsNeuron(err error) bool {
	return errors.Is(err, ErrNotRegistered) || errors.Is(err, ErrNoSubnet)
}

func notRegistered(hotkey keys.PublicKey, netuid uint16) error {
	return fmt.Errorf("%w: %s has no uid on subnet %d; register it with `btcli subnets register --netuid %d --wallet.name NAME --wallet.hotkey HOTKEY`",
		ErrNotRegistered, hotkey.SS58(), netuid, netuid)
}

// Hyperparams are the subnet settings the validator follows.
type Hyperparams struct {
	Tempo               uint64
	WeightsSetRateLimit uint64
	CommitReveal        bool
	CommitRevealPeriod  uint64 // epochs between a commit and its reveal
	WeightsVersionKey   uint64
	MinAllowedWeights   uint64
	MaxWeightsLimit     uint64
}

// ParseHyperparams picks the validator's settings from the chain's list.
func ParseHyperparams(list []api.Hyperparameter) Hyperparams {
	var h Hyperparams
	for _, p := range list {
		switch p.Name {
		case "tempo":
			h.Tempo = p.Value
		case "weights_set_rate_limit":
			h.WeightsSetRateLimit = p.Value
		case "commit_reveal_weights_enabled":
			h.CommitReveal = p.Value != 0
		case "commit_reveal_period":
			h.CommitRevealPeriod = p.Value
		case "weights_version_key":
			h.WeightsVersionKey = p.Value
		case "min_allowed_weights":
			h.MinAllowedWeights = p.Value
		case "max_weights_limit":
			h.MaxWeightsLimit = p.Value
		}
	}
	return h
}

// eventU64 reads a numeric attribute of a receipt's event.
func eventU64(r *client.Receipt, typ, key string) (uint64, bool) {
	ev, ok := r.Event(typ)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(ev[key], 10, 64)
	return v, err == nil
}
