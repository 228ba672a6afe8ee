package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
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
	var doc *cmttypes.GenesisDoc
	if o.Genesis != "" {
		doc, err = cmttypes.GenesisDocFromFile(o.Genesis)
		if err != nil {
			return nil, fmt.Errorf("init: genesis %s: %w", o.Genesis, err)
		}
		if _, err := ParseAppGenesis(doc); err != nil {
			return nil, fmt.Errorf("init: genesis %s: %w", o.Genesis, err)
		}
	} else {
		reward, err := rewardAccount(o.RewardAccount, o.Profile)
		if err != nil {
			return nil, err
		}
		pub, err := pv.GetPubKey()
		if err != nil {
			return nil, fmt.Errorf("init: validator key: %w", err)
		}
		doc, err = NewGenesis(GenesisOptions{
			ChainID:    o.ChainID,
			Profile:    o.Profile,
			Time:       time.Now().UTC().Truncate(time.Second),
			Validators: []GenesisValidator{{PubKey: pub, Name: cfg.Moniker, Power: 10, RewardAccount: reward}},
			Balances:   o.Balances,
			Sudo:       o.Sudo,
		})
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
