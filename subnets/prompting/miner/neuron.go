package miner

import (
	"context"
	"encoding/json"

	"github.com/gotensor/gotensor/axon"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

// NewNeuron returns a miner on the neuron runtime (neuron.Miner: axon admitting permitted
// validators, serve_axon, metagraph sync, health endpoint) serving Chat from b: as a
// streaming synapse (ChatDelta events ending with "[DONE]") when stream is set, which is
// what a gateway with StreamMiners expects, else as plain request and response.
func NewNeuron(cfg neuron.Config, chain neuron.Chain, hotkey *keys.Keypair, b Backend, stream bool) (*neuron.Miner, error) {
	m, err := neuron.NewMiner(cfg, chain, hotkey)
	if err != nil {
		return nil, err
	}
	if stream {
		err = axon.HandleStream(m.Axon(), StreamHandler(b))
	} else {
		err = axon.Handle(m.Axon(), Handler(b))
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// StreamHandler serves the streaming Chat synapse from b: piece by piece when b is a
// Streamer, else the whole completion as one event.
func StreamHandler(b Backend) axon.StreamHandlerFunc[*protocol.Chat] {
	return func(ctx context.Context, syn *protocol.Chat, w *axon.Stream) error {
		emit := func(delta string) error {
			data, _ := json.Marshal(protocol.ChatDelta{Content: delta})
			return w.WriteEvent("", data)
		}
		if s, ok := b.(Streamer); ok {
			if _, err := s.Stream(ctx, syn, emit); err != nil {
				return err
			}
		} else {
			text, _, err := b.Complete(ctx, syn)
			if err != nil {
				return err
			}
			if err := emit(text); err != nil {
				return err
			}
		}
		return w.WriteEvent("", []byte("[DONE]"))
	}
}
