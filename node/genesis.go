package node

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cometbft/cometbft/crypto"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/epoch"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/staking"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/system"
	"github.com/gotensor/gotensor/keys"
)

// Profiles.
const (
	ProfileLocalnet = "localnet"
	ProfileMainnet  = "mainnet"
)

// DevAccounts are the well-known substrate development accounts that the
// localnet profile funds.
var DevAccounts = []string{"Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"}

// DevFunds is each dev account's genesis balance on localnet.
const DevFunds = 1_000_000 * balances.RAOPerTAO

// DevKey returns the keypair of a dev account, e.g. DevKey("Alice") is //Alice.
func DevKey(name string) (*keys.Keypair, error) { return keys.FromURI("//" + name) }

// GenesisValidator is a consensus validator in a new genesis.
type GenesisValidator struct {
	PubKey        crypto.PubKey
	Name          string
	Power         int64
	RewardAccount keys.PublicKey
}

// GenesisOptions describe a new chain.
type GenesisOptions struct {
	ChainID    string
	Profile    string
	Time       time.Time
	Validators []GenesisValidator
	// Balances are extra initial balances (RAO), on top of the dev
	// accounts on localnet.
	Balances map[string]uint64
	// Sudo is the sudo key; on localnet it defaults to //Alice.
	Sudo string
}

// NewGenesis builds a CometBFT genesis document with our app_state.
func NewGenesis(o GenesisOptions) (*cmttypes.GenesisDoc, error) {
	if o.Profile != ProfileLocalnet && o.Profile != ProfileMainnet {
		return nil, fmt.Errorf("profile %q: use %s or %s", o.Profile, ProfileLocalnet, ProfileMainnet)
	}
	if o.ChainID == "" {
		o.ChainID = "gotensor-" + o.Profile
	}
	if len(o.Validators) == 0 {
		return nil, fmt.Errorf("genesis needs at least one validator")
	}
	g := app.Genesis{System: system.Genesis{Profile: o.Profile, Params: system.DefaultParams()},
		Subnets: subnets.Genesis{Params: subnets.DefaultParams()}, Staking: staking.Genesis{Params: staking.DefaultParams()},
		Epoch: epoch.DefaultParams(), Coinbase: coinbase.Genesis{Params: coinbase.DefaultParams()},
		Governance: governance.Genesis{Params: governance.DefaultParams()}}
	if o.Profile == ProfileLocalnet {
		g.Subnets.Params = subnets.LocalnetParams()
		g.Staking.Params = staking.LocalnetParams()
		g.Coinbase.Params = coinbase.LocalnetParams()
		g.Governance.Params = governance.LocalnetParams()
	}
	seen := map[keys.PublicKey]int{}
	add := func(pk keys.PublicKey, amount uint64) {
		if i, ok := seen[pk]; ok {
			g.Balances.Accounts[i].Free += amount
			return
		}
		seen[pk] = len(g.Balances.Accounts)
		g.Balances.Accounts = append(g.Balances.Accounts, balances.GenesisAccount{Address: pk.SS58(), Free: amount})
	}
	if o.Profile == ProfileLocalnet {
		for _, name := range DevAccounts {
			kp, err := DevKey(name)
			if err != nil {
				return nil, err
			}
			add(kp.Public(), DevFunds)
		}
		if o.Sudo == "" {
			alice, _ := DevKey("Alice")
			o.Sudo = alice.SS58()
		}
	}
	for addr, amount := range o.Balances {
		pk, err := keys.ParsePublicKeyOrSS58(addr)
		if err != nil {
			return nil, fmt.Errorf("balance for %q: %w", addr, err)
		}
		add(pk, amount)
	}
	g.System.Sudo = o.Sudo
	doc := &cmttypes.GenesisDoc{
		GenesisTime:     o.Time,
		ChainID:         o.ChainID,
		InitialHeight:   1,
		ConsensusParams: cmttypes.DefaultConsensusParams(),
	}
	for _, v := range o.Validators {
		doc.Validators = append(doc.Validators, cmttypes.GenesisValidator{
			Address: v.PubKey.Address(), PubKey: v.PubKey, Power: v.Power, Name: v.Name,
		})
		g.System.Validators = append(g.System.Validators, system.GenesisValidator{
			Address:       hex.EncodeToString(v.PubKey.Address()),
			RewardAccount: v.RewardAccount.SS58(),
		})
	}
	// Order accounts by address so the same options give the same file.
	slices.SortFunc(g.Balances.Accounts, func(a, b balances.GenesisAccount) int { return strings.Compare(a.Address, b.Address) })
	if err := g.Validate(); err != nil {
		return nil, err
	}
	state, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, err
	}
	doc.AppState = state
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return doc, nil
}
