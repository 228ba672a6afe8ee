package node

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/gotensor/gotensor/keys"
)

// ErrHomeExists is returned by Init for a home that already has a genesis.
var ErrHomeExists = errors.New("node home is already initialised")

// InitOptions configure Init.
type InitOptions struct {
	Home    string
	Moniker string
	Profile string
	ChainID string
	// Genesis, when set, is an existing genesis file to use (e.g. from
	// export, or a network's published genesis) instead of a new one.
	Genesis string
	// Balances and Sudo go into a new genesis (see GenesisOptions).
	Balances map[string]uint64
	Sudo     string
	// RewardAccount receives this validator's fees; on localnet it
	// defaults to //Alice.
	RewardAccount string
	// Overwrite replaces an existing home's config and genesis (keys and
	// data are kept).
	Overwrite bool
	// ValidatorKeyFrom is a node home, or a priv_validator_key.json file,
	// whose consensus key this home takes instead of a new one: the home an
	// exported genesis came from, so that the new node is the validator the
	// genesis names. With Genesis, the key must be one of its validators.
	ValidatorKeyFrom string
}

// CometConfig returns CometBFT's configuration for a profile, rooted at home.
func CometConfig(home, profile string) *cmtcfg.Config {
	c := cmtcfg.DefaultConfig()
	c.SetRoot(home)
	c.Moniker = "gotensor"
	c.LogLevel = "info"
	c.Instrumentation.Prometheus = true
	c.Instrumentation.PrometheusListenAddr = "127.0.0.1:26660"
	c.Mempool.Size = 50_000
	c.Mempool.MaxTxsBytes = 256 << 20
	c.Mempool.CacheSize = 100_000
	c.RPC.MaxSubscriptionClients = 200
	c.RPC.MaxSubscriptionsPerClient = 50
	c.RPC.TimeoutBroadcastTxCommit = 30 * time.Second
	c.RPC.CORSAllowedOrigins = []string{"*"}
	if profile == ProfileLocalnet {
		c.Consensus.TimeoutPropose = 1 * time.Second
		c.Consensus.TimeoutCommit = 250 * time.Millisecond
		c.P2P.AllowDuplicateIP = true
		c.P2P.AddrBookStrict = false
	} else {
		c.Consensus.TimeoutCommit = 11 * time.Second
	}
	return c
}

// Init lays out a node home: keys, config and genesis.
func Init(o InitOptions) (*cmttypes.GenesisDoc, error) {
	if o.Home == "" {
		return nil, errors.New("init: no home folder given")
	}
	if o.Profile == "" {
		o.Profile = ProfileLocalnet
	}
	cfg := CometConfig(o.Home, o.Profile)
	if o.Moniker != "" {
		cfg.Moniker = o.Moniker
	}
	if _, err := os.Stat(cfg.GenesisFile()); err == nil && !o.Overwrite {
		return nil, fmt.Errorf("%w: %s has a genesis; use another --home, or --overwrite to replace config and genesis", ErrHomeExists, o.Home)
	}
	// Read and check what was given before writing anything.
	var doc *cmttypes.GenesisDoc
	if o.Genesis != "" {
		var err error
		doc, err = cmttypes.GenesisDocFromFile(o.Genesis)
		if err != nil {
			return nil, fmt.Errorf("init: genesis %s: %w", o.Genesis, err)
		}
		if _, err := ParseAppGenesis(doc); err != nil {
			return nil, fmt.Errorf("init: genesis %s: %w", o.Genesis, err)
		}
	}
	var keyFile string
	var keyJSON []byte
	var keyAddr cmttypes.Address
	if o.ValidatorKeyFrom != "" {
		var key privval.FilePVKey
		var err error
		keyFile, keyJSON, key, err = readValidatorKey(o.ValidatorKeyFrom)
		if err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		keyAddr = key.Address
		if doc != nil && !isGenesisValidator(doc, key.Address) {
			return nil, fmt.Errorf("init: the validator key in %s (address %s) is not one of the validators of genesis %s (%s); give the home that exported it, or leave the key out to join as a non-validator",
				keyFile, key.Address, o.Genesis, validatorList(doc))
		}
	}
	// The options that make a new genesis are checked here too, with a
	// throwaway consensus key, so that a typo in --profile, --balance,
	// --sudo or --reward-account leaves no half-made home behind.
	var reward keys.PublicKey
	if doc == nil {
		if o.Profile != ProfileLocalnet && o.Profile != ProfileMainnet {
			return nil, fmt.Errorf("init: unknown profile %q: use --profile %s or --profile %s", o.Profile, ProfileLocalnet, ProfileMainnet)
		}
		var err error
		if reward, err = rewardAccount(o.RewardAccount, o.Profile); err != nil {
			return nil, err
		}
		if _, err := NewGenesis(o.genesisOptions(cfg.Moniker, cmted25519.GenPrivKey().PubKey(), reward)); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
	}
	for _, d := range []string{filepath.Join(o.Home, "config"), filepath.Join(o.Home, "data")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
	}
	if _, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile()); err != nil {
		return nil, fmt.Errorf("init: node key: %w", err)
	}
	pv, err := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile(), nil)
	if err != nil {
		return nil, fmt.Errorf("init: validator key: %w", err)
	}
	if keyJSON != nil && !bytes.Equal(pv.GetAddress(), keyAddr) {
		// Never discard a key that has signed: that is another validator.
		if h := pv.LastSignState.Height; h > 0 {
			return nil, fmt.Errorf("init: %s already has its own validator key (address %s), which has signed up to height %d; it is not replaced by %s's. Use a new --home",
				o.Home, pv.GetAddress(), h, keyFile)
		}
		if err := os.WriteFile(cfg.PrivValidatorKeyFile(), keyJSON, 0o600); err != nil {
			return nil, fmt.Errorf("init: validator key: %w", err)
		}
		pv = privval.LoadFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
	}
	if doc == nil {
		pub, err := pv.GetPubKey()
		if err != nil {
			return nil, fmt.Errorf("init: validator key: %w", err)
		}
		doc, err = NewGenesis(o.genesisOptions(cfg.Moniker, pub, reward))
		if err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
	}
	if err := doc.SaveAs(cfg.GenesisFile()); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	cmtcfg.WriteConfigFile(filepath.Join(o.Home, "config", "config.toml"), cfg)
	return doc, nil
}

// genesisOptions describe the new genesis Init makes, with pub as its one
// validator.
func (o InitOptions) genesisOptions(moniker string, pub crypto.PubKey, reward keys.PublicKey) GenesisOptions {
	return GenesisOptions{
		ChainID:    o.ChainID,
		Profile:    o.Profile,
		Time:       time.Now().UTC().Truncate(time.Second),
		Validators: []GenesisValidator{{PubKey: pub, Name: moniker, Power: 10, RewardAccount: reward}},
		Balances:   o.Balances,
		Sudo:       o.Sudo,
	}
}

func rewardAccount(s, profile string) (keys.PublicKey, error) {
	if s == "" {
		if profile != ProfileLocalnet {
			return keys.PublicKey{}, errors.New("init: --reward-account is required on mainnet: the SS58 address that receives this validator's fees")
		}
		alice, err := DevKey("Alice")
		if err != nil {
			return keys.PublicKey{}, err
		}
		return alice.Public(), nil
	}
	pk, err := keys.ParsePublicKeyOrSS58(s)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("init: reward account %q: %w", s, err)
	}
	return pk, nil
}

// readValidatorKey reads a consensus key from a node home (its
// config/priv_validator_key.json) or from a key file.
func readValidatorKey(from string) (file string, raw []byte, key privval.FilePVKey, err error) {
	file = from
	if st, err := os.Stat(from); err == nil && st.IsDir() {
		file = filepath.Join(from, "config", "priv_validator_key.json")
	}
	raw, err = os.ReadFile(file)
	if err != nil {
		return file, nil, key, fmt.Errorf("validator key: %w (give a node home, or its config/priv_validator_key.json)", err)
	}
	if err := cmtjson.Unmarshal(raw, &key); err != nil || key.PrivKey == nil {
		if err == nil {
			err = errors.New("no priv_key")
		}
		return file, nil, key, fmt.Errorf("validator key %s: %v (want a CometBFT priv_validator_key.json)", file, err)
	}
	key.PubKey = key.PrivKey.PubKey()
	key.Address = key.PubKey.Address()
	return file, raw, key, nil
}

func isGenesisValidator(doc *cmttypes.GenesisDoc, addr cmttypes.Address) bool {
	for _, v := range doc.Validators {
		if v.PubKey != nil && bytes.Equal(v.PubKey.Address(), addr) {
			return true
		}
	}
	return false
}

// validatorList names a genesis's validators, e.g. "gotensor (AB12…)".
func validatorList(doc *cmttypes.GenesisDoc) string {
	var names []string
	for _, v := range doc.Validators {
		names = append(names, fmt.Sprintf("%s %s", v.Name, v.Address))
	}
	return strings.Join(names, ", ")
}

// ValidatorKeyCheck says whether a home's consensus key is one of its
// genesis's validators.
type ValidatorKeyCheck struct {
	// KeyFile is the home's config/priv_validator_key.json.
	KeyFile string
	// Address is the key's validator address.
	Address string
	// InGenesis is whether a genesis validator has this key. When none
	// has, the node makes no blocks by itself: it waits for peers that are
	// validators.
	InGenesis bool
	// Validators lists the genesis validators ("name ADDRESS").
	Validators string
}

// CheckValidatorKey reads home's genesis and consensus key and says whether
// this node is one of the genesis validators.
func CheckValidatorKey(home string) (ValidatorKeyCheck, error) {
	cc, err := LoadCometConfig(home)
	if err != nil {
		return ValidatorKeyCheck{}, err
	}
	doc, err := cmttypes.GenesisDocFromFile(cc.GenesisFile())
	if err != nil {
		return ValidatorKeyCheck{}, fmt.Errorf("genesis: %w", err)
	}
	file, _, key, err := readValidatorKey(cc.PrivValidatorKeyFile())
	if err != nil {
		return ValidatorKeyCheck{}, err
	}
	return ValidatorKeyCheck{KeyFile: file, Address: key.Address.String(), InGenesis: isGenesisValidator(doc, key.Address),
		Validators: validatorList(doc)}, nil
}
