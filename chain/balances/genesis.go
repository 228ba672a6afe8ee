package balances

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// GenesisAccount is one initial balance.
type GenesisAccount struct {
	Address string `json:"address"`
	Free    uint64 `json:"free,string"`
}

// Genesis is the module's part of the genesis state.
type Genesis struct {
	Accounts []GenesisAccount `json:"accounts"`
	// TotalIssuance, when set, is the issuance including RAO held outside
	// accounts (pools); it must be at least the sum of the accounts. Zero
	// means exactly that sum (a new chain).
	TotalIssuance uint64 `json:"total_issuance,string,omitempty"`
}

// Validate checks addresses, duplicates, amounts and the supply cap.
func (g Genesis) Validate() error {
	seen := map[keys.PublicKey]bool{}
	var total uint64
	for i, a := range g.Accounts {
		pk, err := keys.ParsePublicKeyOrSS58(a.Address)
		if err != nil {
			return fmt.Errorf("balances genesis account %d (%q): %w", i, a.Address, err)
		}
		if seen[pk] {
			return fmt.Errorf("balances genesis: %s listed twice", pk.SS58())
		}
		seen[pk] = true
		if a.Free < ExistentialDeposit {
			return fmt.Errorf("balances genesis: %s has %d RAO, below the existential deposit %d", pk.SS58(), a.Free, ExistentialDeposit)
		}
		if a.Free > MaxSupply-total {
			return fmt.Errorf("balances genesis: total exceeds the 21M TAO supply cap")
		}
		total += a.Free
	}
	if g.TotalIssuance != 0 && (g.TotalIssuance < total || g.TotalIssuance > MaxSupply) {
		return fmt.Errorf("balances genesis: total_issuance %d must be between the accounts' sum %d and the supply cap", g.TotalIssuance, total)
	}
	return nil
}

// InitGenesis writes g into kv; g must be valid.
func InitGenesis(kv store.KV, g Genesis) error {
	if err := g.Validate(); err != nil {
		return err
	}
	var total uint64
	for _, a := range g.Accounts {
		pk, _ := keys.ParsePublicKeyOrSS58(a.Address)
		setFree(kv, pk, a.Free)
		total += a.Free
	}
	setIssuance(kv, max(total, g.TotalIssuance))
	return nil
}

// ExportGenesis reads the module state back as genesis, sorted by key.
func ExportGenesis(r store.Reader) Genesis {
	g := Genesis{TotalIssuance: TotalIssuance(r)}
	IterateAccounts(r, nil, func(a Account) bool {
		g.Accounts = append(g.Accounts, GenesisAccount{Address: a.Who.SS58(), Free: a.Free})
		return true
	})
	slices.SortFunc(g.Accounts, func(a, b GenesisAccount) int {
		if a.Address < b.Address {
			return -1
		}
		if a.Address > b.Address {
			return 1
		}
		return 0
	})
	return g
}
