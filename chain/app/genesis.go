package app

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/system"
)

// Genesis is the application state in genesis.json's app_state.
type Genesis struct {
	System   system.Genesis   `json:"system"`
	Balances balances.Genesis `json:"balances"`
}

// ParseGenesis decodes app_state strictly: unknown fields are errors, so a
// typo in a hand-edited genesis does not silently fall back to a default.
func ParseGenesis(b []byte) (Genesis, error) {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return Genesis{}, fmt.Errorf("app_state: %w", err)
	}
	return g, g.Validate()
}

// Validate checks every module's part.
func (g Genesis) Validate() error {
	if err := g.System.Validate(); err != nil {
		return err
	}
	return g.Balances.Validate()
}

func initGenesis(kv store.KV, g Genesis) error {
	if err := system.InitGenesis(kv, g.System); err != nil {
		return err
	}
	return balances.InitGenesis(kv, g.Balances)
}

// ExportGenesis reads the state as a genesis app_state.
func ExportGenesis(r store.Reader) Genesis {
	return Genesis{
		System:   system.ExportGenesis(r),
		Balances: balances.ExportGenesis(r),
	}
}
