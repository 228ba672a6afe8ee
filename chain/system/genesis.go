package system

import (
	"encoding/hex"
	"fmt"

	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// GenesisValidator names the reward account of a consensus validator.
type GenesisValidator struct {
	// Address is the CometBFT consensus address, hex.
	Address string `json:"address"`
	// RewardAccount receives the fees of blocks this validator proposes.
	RewardAccount string `json:"reward_account"`
}

// GenesisNonce carries an account's nonce across an export.
type GenesisNonce struct {
	Address string `json:"address"`
	Nonce   uint64 `json:"nonce,string"`
}

// Genesis is the module's part of the genesis state.
type Genesis struct {
	Profile    string             `json:"profile"`
	Params     Params             `json:"params"`
	Sudo       string             `json:"sudo,omitempty"`
	Validators []GenesisValidator `json:"validators"`
	Nonces     []GenesisNonce     `json:"nonces,omitempty"`
}

// Validate checks every field.
func (g Genesis) Validate() error {
	if g.Profile != "mainnet" && g.Profile != "localnet" {
		return fmt.Errorf("system genesis: profile %q must be mainnet or localnet", g.Profile)
	}
	if err := g.Params.Validate(); err != nil {
		return err
	}
	if g.Sudo != "" {
		if _, err := keys.ParsePublicKeyOrSS58(g.Sudo); err != nil {
			return fmt.Errorf("system genesis: sudo %q: %w", g.Sudo, err)
		}
	}
	for i, v := range g.Validators {
		if b, err := hex.DecodeString(v.Address); err != nil || len(b) != 20 {
			return fmt.Errorf("system genesis: validator %d address %q must be 20 bytes of hex", i, v.Address)
		}
		if _, err := keys.ParsePublicKeyOrSS58(v.RewardAccount); err != nil {
			return fmt.Errorf("system genesis: validator %d reward account %q: %w", i, v.RewardAccount, err)
		}
	}
	for i, n := range g.Nonces {
		if _, err := keys.ParsePublicKeyOrSS58(n.Address); err != nil {
			return fmt.Errorf("system genesis: nonce %d address %q: %w", i, n.Address, err)
		}
	}
	return nil
}

// InitGenesis writes g into kv.
func InitGenesis(kv store.KV, g Genesis) error {
	if err := g.Validate(); err != nil {
		return err
	}
	kv.Set(profileKey, []byte(g.Profile))
	SetParams(kv, g.Params)
	if g.Sudo != "" {
		pk, _ := keys.ParsePublicKeyOrSS58(g.Sudo)
		SetSudo(kv, pk)
	}
	for _, v := range g.Validators {
		addr, _ := hex.DecodeString(v.Address)
		pk, _ := keys.ParsePublicKeyOrSS58(v.RewardAccount)
		SetRewardAccount(kv, addr, pk)
	}
	for _, n := range g.Nonces {
		pk, _ := keys.ParsePublicKeyOrSS58(n.Address)
		SetNonce(kv, pk, n.Nonce)
	}
	return nil
}

// ExportGenesis reads the module state back.
func ExportGenesis(r store.Reader) Genesis {
	g := Genesis{Profile: Profile(r), Params: GetParams(r)}
	if s, ok := Sudo(r); ok {
		g.Sudo = s.SS58()
	}
	r.Iterate(validatorPrefix, store.PrefixEnd(validatorPrefix), func(k, v []byte) bool {
		g.Validators = append(g.Validators, GenesisValidator{
			Address:       hex.EncodeToString(k[len(validatorPrefix):]),
			RewardAccount: keys.PublicKey(v).SS58(),
		})
		return true
	})
	r.Iterate(noncePrefix, store.PrefixEnd(noncePrefix), func(k, v []byte) bool {
		var pk keys.PublicKey
		copy(pk[:], k[len(noncePrefix):])
		g.Nonces = append(g.Nonces, GenesisNonce{Address: pk.SS58(), Nonce: Nonce(r, pk)})
		return true
	})
	return g
}
