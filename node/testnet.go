package node

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	cmted25519 "github.com/cometbft/cometbft/crypto/ed25519"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmttypes "github.com/cometbft/cometbft/types"
	cmtversion "github.com/cometbft/cometbft/version"

	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/store"
)

// CometVersion names the embedded CometBFT.
func CometVersion() string { return "cometbft " + cmtversion.CMTSemVer }

// TestnetOptions configure Testnet.
type TestnetOptions struct {
	Validators int
	Output     string
	ChainID    string
	Profile    string
	// BasePort: validator i uses BasePort+10i (p2p), +1 (RPC), +2 (REST),
	// +3 (metrics).
	BasePort int
	// Balances (RAO by address) and Sudo go into the genesis, as for init:
	// on the mainnet profile nothing else is funded and there is no sudo.
	Balances map[string]uint64
	Sudo     string
}

// TestnetHome is one generated validator home.
type TestnetHome struct {
	Home                                string
	P2PPort, RPCPort, RESTPort, Metrics int
}

// Testnet creates N validator homes sharing one genesis, each listing the
// others as persistent peers on loopback.
func Testnet(o TestnetOptions) ([]TestnetHome, error) {
	if o.Validators < 1 || o.Validators > 64 {
		return nil, fmt.Errorf("testnet: --validators %d must be 1..64", o.Validators)
	}
	if o.BasePort <= 0 || o.BasePort+10*o.Validators > 65535 {
		return nil, fmt.Errorf("testnet: --base-port %d leaves no room for %d validators", o.BasePort, o.Validators)
	}
	if o.Profile == "" {
		o.Profile = ProfileLocalnet
	}
	if o.Profile != ProfileLocalnet && o.Profile != ProfileMainnet {
		return nil, fmt.Errorf("testnet: unknown profile %q: use --profile %s or --profile %s", o.Profile, ProfileLocalnet, ProfileMainnet)
	}
	// Check every home and the genesis options (with throwaway keys) before
	// writing anything, so a bad flag or a used folder leaves no partial set
	// of homes behind.
	trial := make([]GenesisValidator, o.Validators)
	for i := range trial {
		home := filepath.Join(o.Output, fmt.Sprintf("node%d", i))
		if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err == nil {
			return nil, fmt.Errorf("%w: %s has a genesis; use another --output, or remove %s to start over", ErrHomeExists, home, o.Output)
		}
		trial[i] = GenesisValidator{PubKey: cmted25519.GenPrivKey().PubKey(), Power: 10}
	}
	if _, err := NewGenesis(GenesisOptions{ChainID: o.ChainID, Profile: o.Profile, Time: time.Now().UTC().Truncate(time.Second), Validators: trial,
		Balances: o.Balances, Sudo: o.Sudo}); err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	homes := make([]TestnetHome, o.Validators)
	cfgs := make([]*cmtcfg.Config, o.Validators)
	var vals []GenesisValidator
	var peers []string
	for i := range homes {
		h := TestnetHome{Home: filepath.Join(o.Output, fmt.Sprintf("node%d", i)), P2PPort: o.BasePort + 10*i}
		h.RPCPort, h.RESTPort, h.Metrics = h.P2PPort+1, h.P2PPort+2, h.P2PPort+3
		c := CometConfig(h.Home, o.Profile)
		c.Moniker = fmt.Sprintf("node%d", i)
		c.P2P.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", h.P2PPort)
		c.RPC.ListenAddress = fmt.Sprintf("tcp://127.0.0.1:%d", h.RPCPort)
		c.Instrumentation.PrometheusListenAddr = fmt.Sprintf("127.0.0.1:%d", h.Metrics)
		for _, d := range []string{filepath.Join(h.Home, "config"), filepath.Join(h.Home, "data")} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return nil, err
			}
		}
		nk, err := p2p.LoadOrGenNodeKey(c.NodeKeyFile())
		if err != nil {
			return nil, err
		}
		pv, err := privval.LoadOrGenFilePV(c.PrivValidatorKeyFile(), c.PrivValidatorStateFile(), nil)
		if err != nil {
			return nil, err
		}
		pub, err := pv.GetPubKey()
		if err != nil {
			return nil, err
		}
		reward, err := DevKey(DevAccounts[i%len(DevAccounts)])
		if err != nil {
			return nil, err
		}
		vals = append(vals, GenesisValidator{PubKey: pub, Name: c.Moniker, Power: 10, RewardAccount: reward.Public()})
		peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", nk.ID(), h.P2PPort))
		homes[i], cfgs[i] = h, c
	}
	doc, err := NewGenesis(GenesisOptions{ChainID: o.ChainID, Profile: o.Profile, Time: time.Now().UTC().Truncate(time.Second), Validators: vals,
		Balances: o.Balances, Sudo: o.Sudo})
	if err != nil {
		return nil, err
	}
	for i, c := range cfgs {
		var others []string
		for j, p := range peers {
			if j != i {
				others = append(others, p)
			}
		}
		c.P2P.PersistentPeers = strings.Join(others, ",")
		if err := doc.SaveAs(c.GenesisFile()); err != nil {
			return nil, err
		}
		cmtcfg.WriteConfigFile(filepath.Join(homes[i].Home, "config", "config.toml"), c)
	}
	return homes, nil
}

// Export reads a stopped node's latest state as a genesis document that
// continues the chain at the next height.
func Export(home string) (*cmttypes.GenesisDoc, error) {
	cc, err := LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	doc, err := cmttypes.GenesisDocFromFile(cc.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	tree, err := store.OpenTree(StateDir(home))
	if err != nil {
		return nil, fmt.Errorf("export: %w (is the node still running? stop it first)", err)
	}
	defer tree.Close()
	h := tree.Version()
	if h == 0 {
		return nil, fmt.Errorf("export: %s has no committed state yet", home)
	}
	snap, err := tree.At(h)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	state, err := json.MarshalIndent(app.ExportGenesis(snap), "", "  ")
	if err != nil {
		return nil, err
	}
	doc.AppState = state
	doc.InitialHeight = h + 1
	doc.GenesisTime = time.Now().UTC().Truncate(time.Second)
	doc.AppHash = nil
	if err := doc.ValidateAndComplete(); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return doc, nil
}

// MarshalGenesis renders a genesis document as CometBFT writes it.
func MarshalGenesis(doc *cmttypes.GenesisDoc) ([]byte, error) {
	return cmtjson.MarshalIndent(doc, "", "  ")
}
