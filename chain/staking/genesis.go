package staking

import "github.com/gotensor/gotensor/chain/store"

// Genesis is the module's typed genesis; stake itself travels through an
// export as raw state (see chain/app).
type Genesis struct {
	Params Params `json:"params"`
}

// Validate checks the parameters.
func (g Genesis) Validate() error { return g.Params.Validate() }

// InitGenesis stores the parameters.
func InitGenesis(kv store.KV, g Genesis) error {
	if err := g.Validate(); err != nil {
		return err
	}
	SetParams(kv, g.Params)
	return nil
}

// ExportGenesis returns the parameters.
func ExportGenesis(r store.Reader) Genesis { return Genesis{Params: GetParams(r)} }
