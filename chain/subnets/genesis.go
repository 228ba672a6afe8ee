package subnets

import (
	"github.com/gotensor/gotensor/chain/store"
)

// Genesis is the module's part of the genesis state. Subnets created after
// genesis travel through an export as raw state (see chain/app).
type Genesis struct {
	Params Params `json:"params"`
}

// Validate checks the parameters.
func (g Genesis) Validate() error { return g.Params.Validate() }

// RootHyperparams are the root network's (§13).
func RootHyperparams(p Params) Hyperparams {
	h := p.NewSubnet
	h.MaxAllowedUids, h.MaxAllowedValidators, h.MinAllowedWeights, h.Tempo = 64, 64, 0, 100
	return h
}

// InitGenesis stores the parameters and creates the root network.
func InitGenesis(kv store.KV, g Genesis, now uint64) error {
	if err := g.Validate(); err != nil {
		return err
	}
	SetParams(kv, g.Params)
	if !Exists(kv, RootNetuid) {
		put(kv, Subnet{Netuid: RootNetuid, RegisteredAt: now, SubtokenEnabled: true})
		SetHyper(kv, RootNetuid, RootHyperparams(g.Params))
	}
	return nil
}

// ExportGenesis returns the parameters.
func ExportGenesis(r store.Reader) Genesis { return Genesis{Params: GetParams(r)} }
