package app

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/system"
)

// Genesis is the application state in genesis.json's app_state.
type Genesis struct {
	System     system.Genesis     `json:"system"`
	Balances   balances.Genesis   `json:"balances"`
	Subnets    subnets.Genesis    `json:"subnets"`
	Staking    staking.Genesis    `json:"staking"`
	Epoch      epoch.Params       `json:"epoch"`
	Coinbase   coinbase.Genesis   `json:"coinbase"`
	Governance governance.Genesis `json:"governance"`
	// Raw is state exported from a running chain for modules without a
	// typed genesis form; empty in a new chain.
	Raw []RawEntry `json:"raw,omitempty"`
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
	if err := g.Balances.Validate(); err != nil {
		return err
	}
	if err := g.Subnets.Validate(); err != nil {
		return err
	}
	if err := g.Staking.Validate(); err != nil {
		return err
	}
	if err := g.Epoch.Validate(); err != nil {
		return err
	}
	if err := g.Coinbase.Params.Validate(); err != nil {
		return err
	}
	if err := g.Governance.Params.Validate(); err != nil {
		return err
	}
	return validateRaw(g.Raw)
}

func initGenesis(kv store.KV, g Genesis, height uint64) error {
	if err := system.InitGenesis(kv, g.System); err != nil {
		return err
	}
	if err := balances.InitGenesis(kv, g.Balances); err != nil {
		return err
	}
	if err := subnets.InitGenesis(kv, g.Subnets, height); err != nil {
		return err
	}
	if err := staking.InitGenesis(kv, g.Staking); err != nil {
		return err
	}
	epoch.SetParams(kv, g.Epoch)
	if err := coinbase.InitGenesis(kv, g.Coinbase); err != nil {
		return err
	}
	if err := governance.InitGenesis(kv, g.Governance); err != nil {
		return err
	}
	importRaw(kv, g.Raw)
	return nil
}

// ExportGenesis reads the state as a genesis app_state.
func ExportGenesis(r store.Reader) Genesis {
	return Genesis{
		System:     system.ExportGenesis(r),
		Balances:   balances.ExportGenesis(r),
		Subnets:    subnets.ExportGenesis(r),
		Staking:    staking.ExportGenesis(r),
		Epoch:      epoch.GetParams(r),
		Coinbase:   coinbase.ExportGenesis(r),
		Governance: governance.ExportGenesis(r),
		Raw:        exportRaw(r),
	}
}
