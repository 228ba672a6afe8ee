// Package localnet brings up a whole working Gotensor network on one
// machine: a single-validator localnet node (in-process), wallets for the
// dev accounts, the prompting subnet with validators and a spread of miners
// (tool-using, built-in model, careless), the template subnet with its
// validator and miners, and the gateway in front of the prompting miners, all
// in one process. State lives in one folder, so starting again resumes the
// same chain and subnets.
package localnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/internal/freeport"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/neuron"
	"github.com/gotensor/gotensor/node"
	"github.com/gotensor/gotensor/subnets/prompting/miner"
	"github.com/gotensor/gotensor/subnets/prompting/validator"
	"github.com/gotensor/gotensor/subnets/template"
	"github.com/gotensor/gotensor/wallet"
)

// Files in the state folder.
const (
	StateFile = "state.json"
	LogFile   = "localnet.log"
	PIDFile   = "localnet.pid"
	NodeDir   = "node"
	WalletDir = "wallets"
	// GatewayDB is the gateway's SQLite store (API keys, usage).
	GatewayDB = "gateway.db"
	// TemplateValidatorState keeps the template validator's moving averages between runs.
	TemplateValidatorState = "template-validator.json"
)

// HostIP is the address the local network's axons publish on chain, which
// refuses loopback; the validators' dendrites call it on 127.0.0.1.
const HostIP = "10.0.0.1"

// ErrNotRunning is returned by Down when no localnet runs from the folder.
var ErrNotRunning = errors.New("localnet: not running (no localnet.pid in the state folder)")

// Config configures Start. The zero value uses ~/.gotensor/localnet-net.
type Config struct {
	// Dir is the state folder. Empty means ~/.gotensor/localnet-net.
	Dir string
	// RPCListen is the node's CometBFT RPC address. Empty means 127.0.0.1:26657.
	RPCListen string
	// RESTListen is the REST facade's address. Empty means 127.0.0.1:8080; "off" disables it.
	RESTListen string
	// GatewayListen is the gateway's address. Empty means 127.0.0.1:8000; "off" disables it.
	GatewayListen string
	// BlockTime overrides the localnet profile's block time (250 ms) on a new chain.
	BlockTime time.Duration
	// Logger receives the services' logs; nil discards them.
	Logger *slog.Logger
}

// Role is what a neuron does in the local network.
type Role string

// Roles.
const (
	RoleOwner     Role = "owner"
	RoleValidator Role = "validator"
	RoleMinerTool Role = "miner (tools)"
	RoleMinerLM   Role = "miner (built-in)"
	RoleCareless  Role = "miner (careless)"
	RoleMiner     Role = "miner"
)

// Account is one dev neuron: its coldkey, hotkey URI, role and stake.
type Account struct {
	Name       string // wallet name
	HotkeyName string // the wallet's hotkey name; empty means "default"
	Coldkey    string // URI
	Hotkey     string // URI
	Role       Role
	Backend    string // prompting miners: the backend kind
	Stake      uint64 // validators: TAO staked on the subnet
	// OnRoot stakes Stake on root (netuid 0) instead: it counts on every
	// subnet at the chain's TAO weight, so the validator keeps the majority
	// of stake weight however much alpha its miners earn.
	OnRoot bool
}

func (a Account) hotkeyName() string {
	if a.HotkeyName == "" {
		return "default"
	}
	return a.HotkeyName
}

// Accounts are the neurons of the prompting subnet. The owner's coldkey
// (//Alice) earns no miner incentive, so every neuron has its own coldkey.
var Accounts = []Account{
	{Name: "alice", Coldkey: "//Alice", Hotkey: "//Alice//prompting-owner", Role: RoleOwner},
	{Name: "charlie", Coldkey: "//Charlie", Hotkey: "//Charlie//validator", Role: RoleValidator, Stake: 1000},
	{Name: "dave", Coldkey: "//Dave", Hotkey: "//Dave//validator", Role: RoleValidator, Stake: 500},
	{Name: "bob", Coldkey: "//Bob", Hotkey: "//Bob//miner", Role: RoleMinerTool, Backend: "builtin"},
	{Name: "eve", Coldkey: "//Eve", Hotkey: "//Eve//miner", Role: RoleMinerLM, Backend: "builtin-notools"},
	{Name: "ferdie", Coldkey: "//Ferdie", Hotkey: "//Ferdie//miner", Role: RoleCareless, Backend: "careless"},
}

// TemplateAccounts are the neurons of the template subnet (subnets/template):
// the first is its owner. They live in the same wallets as the prompting
// accounts, under the hotkey name "template".
var TemplateAccounts = []Account{
	{Name: "alice", HotkeyName: "template", Coldkey: "//Alice", Hotkey: "//Alice//template-owner", Role: RoleOwner},
	{Name: "dave", HotkeyName: "template", Coldkey: "//Dave", Hotkey: "//Dave//template-validator", Role: RoleValidator, Stake: 100_000, OnRoot: true},
	{Name: "bob", HotkeyName: "template", Coldkey: "//Bob", Hotkey: "//Bob//template-miner", Role: RoleMiner},
	{Name: "eve", HotkeyName: "template", Coldkey: "//Eve", Hotkey: "//Eve//template-miner", Role: RoleMiner},
	{Name: "ferdie", HotkeyName: "template", Coldkey: "//Ferdie", Hotkey: "//Ferdie//template-miner", Role: RoleMiner},
}

// Subnet names in views and events.
const (
	SubnetPrompting = "prompting"
	SubnetTemplate  = "template"
)

// State is what the folder remembers between runs. A folder from before the
// template subnet has no template_netuid: the next `up` creates it.
type State struct {
	Netuid            uint16 `json:"netuid"` // the prompting subnet
	SetupDone         bool   `json:"setup_done"`
	TemplateNetuid    uint16 `json:"template_netuid,omitempty"`
	TemplateSetupDone bool   `json:"template_setup_done,omitempty"`
	RPC               string `json:"rpc"`
	REST              string `json:"rest,omitempty"`
	// Gateway is the gateway's OpenAI-compatible base URL and GatewayKey the
	// dev API key made on its first start (a local dev key, kept in clear
	// like the dev wallets).
	Gateway    string `json:"gateway,omitempty"`
	GatewayKey string `json:"gateway_key,omitempty"`
	// GatewayAdminToken authorises the gateway's admin API (btcli gateway
	// keys ...), made on its first start and kept like GatewayKey.
	GatewayAdminToken string `json:"gateway_admin_token,omitempty"`
	PID               int    `json:"pid,omitempty"`
	StartBlock        int64  `json:"start_block,omitempty"`
	// Services are where the last run listened, for `localnet status`.
	Services []Service `json:"services,omitempty"`
	// Listen are the listen addresses of the last run: saved as Start
	// begins, before the node and setup, so that a run interrupted before
	// the network came up is resumed on the addresses it was given; then,
	// once every service runs, where they bound. Nil in a folder from
	// before it was kept (btcli then reads Services).
	Listen *ListenAddrs `json:"listen,omitempty"`
	// Ready is true once Start has started every service, until Stop.
	Ready bool `json:"ready,omitempty"`
}

// ListenAddrs are a run's listen addresses as HOST:PORT; "off" is a service
// that run had disabled (REST and gateway only).
type ListenAddrs struct {
	RPC     string `json:"rpc"`
	REST    string `json:"rest"`
	Gateway string `json:"gateway"`
}

// SubnetRef names one of the local network's subnets.
type SubnetRef struct {
	Netuid uint16
	Name   string
}

// Subnets are the subnets the state knows, prompting first.
func (s State) Subnets() []SubnetRef {
	var out []SubnetRef
	if s.Netuid != 0 {
		out = append(out, SubnetRef{s.Netuid, SubnetPrompting})
	}
	if s.TemplateNetuid != 0 {
		out = append(out, SubnetRef{s.TemplateNetuid, SubnetTemplate})
	}
	return out
}

// Service is something listening.
type Service struct {
	Name string `json:"name"`
	Role Role   `json:"role,omitempty"`
	Addr string `json:"addr"`
}

// Net is a running local network.
type Net struct {
	Dir      string
	State    State
	Client   *client.Client
	node     *node.Node
	mu       sync.Mutex
	services []Service
	roles    map[string]Role // hotkey SS58 → role
	// minerAddrs are the prompting miners' listen addresses by hotkey, for the
	// gateway (the chain lists them at HostIP).
	minerAddrs map[string]string
	// organic is the prompting validator the gateway hands its samples to.
	organic *validator.Validator
	rctx    context.Context // the services' context, cancelled by Stop
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	log     *slog.Logger
}

// DefaultDir is the default state folder.
func DefaultDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return ".gotensor-localnet"
	}
	return filepath.Join(home, ".gotensor", "localnet-net")
}

func (c Config) withDefaults() Config {
	if c.Dir == "" {
		c.Dir = DefaultDir()
	}
	if c.RPCListen == "" {
		c.RPCListen = "127.0.0.1:26657"
	}
	if c.RESTListen == "" {
		c.RESTListen = "127.0.0.1:8080"
	}
	if c.GatewayListen == "" {
		c.GatewayListen = "127.0.0.1:8000"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// checkAddrs refuses a listen address that is not HOST:PORT (or "off" where allowed)
// before anything is made in the folder.
func (c Config) checkAddrs() error {
	for _, a := range []struct {
		flag, addr string
		example    int
	}{{"--rpc.laddr", c.RPCListen, 26657}, {"--rest.laddr", c.RESTListen, 8080}, {"--gateway.laddr", c.GatewayListen, 8000}} {
		if a.addr == "off" && a.flag != "--rpc.laddr" {
			continue
		}
		if _, port, err := net.SplitHostPort(a.addr); err != nil || port == "" {
			off := ""
			if a.flag != "--rpc.laddr" {
				off = `, or "off"`
			}
			return fmt.Errorf("localnet: %s %q is not a listen address; want HOST:PORT, e.g. 127.0.0.1:%d%s", a.flag, a.addr, a.example, off)
		}
	}
	return nil
}

// LoadState reads the folder's state; a missing file is the zero State.
func LoadState(dir string) (State, error) {
	var s State
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

func (n *Net) saveState() error {
	b, _ := json.MarshalIndent(n.State, "", "  ")
	tmp := filepath.Join(n.Dir, StateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(n.Dir, StateFile))
}

// Start brings the network up: the node (created on first use), wallets,
// the subnet and its neurons (registered once), then miners and
// validators. It returns once every service runs; Stop ends them.
func Start(ctx context.Context, cfg Config) (*Net, error) {
	cfg = cfg.withDefaults()
	if err := cfg.checkAddrs(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	st, err := LoadState(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("localnet: %s: %w (delete the folder to start over)", StateFile, err)
	}
	st.Ready = false
	// Kept before anything can fail or be interrupted: the next `up` without
	// address flags resumes on these, whether or not this run comes up.
	st.Listen = &ListenAddrs{RPC: cfg.RPCListen, REST: cfg.RESTListen, Gateway: cfg.GatewayListen}
	n := &Net{Dir: cfg.Dir, State: st, roles: roleMap(), minerAddrs: map[string]string{}, log: cfg.Logger}
	if err := n.saveState(); err != nil {
		return nil, fmt.Errorf("localnet: saving %s: %w; pass another --dir", StateFile, err)
	}
	home := filepath.Join(cfg.Dir, NodeDir)
	if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err != nil {
		if _, err := node.Init(node.InitOptions{Home: home, Profile: node.ProfileLocalnet}); err != nil {
			return nil, fmt.Errorf("localnet: init node: %w", err)
		}
		if cfg.BlockTime > 0 {
			c, err := node.LoadCometConfig(home)
			if err != nil {
				return nil, err
			}
			c.Consensus.TimeoutCommit = cfg.BlockTime
			cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), c)
		}
	}
	rest := cfg.RESTListen
	if rest == "off" {
		rest = ""
	}
	nd, err := node.Start(context.Background(), node.Config{
		Home: home, RPCListen: "tcp://" + cfg.RPCListen, P2PListen: "tcp://127.0.0.1:0", RESTListen: rest,
		MetricsListen: "off", Logger: cfg.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("localnet: start node: %w (is another localnet running? try `btcli localnet status`)", err)
	}
	n.node = nd
	n.State.RPC = "http://" + cfg.RPCListen
	n.State.REST = "" // this run's, not the last run's: a REST turned off is not listed
	if rest != "" {
		n.State.REST = "http://" + nd.RESTAddr()
	}
	n.State.PID = os.Getpid()
	n.addService(Service{Name: "node RPC", Addr: n.State.RPC})
	if n.State.REST != "" {
		n.addService(Service{Name: "node REST", Addr: n.State.REST + "/api/v1/status"})
	}
	fail := func(err error) (*Net, error) {
		_ = nd.Stop()
		return nil, err
	}
	if err := nd.WaitHeight(ctx, 2); err != nil {
		return fail(err)
	}
	n.Client, err = client.Dial(ctx, client.Config{Endpoints: []string{n.State.RPC}})
	if err != nil {
		return fail(err)
	}
	if err := writeWallets(filepath.Join(cfg.Dir, WalletDir)); err != nil {
		return fail(err)
	}
	if err := n.setup(ctx); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.Dir, PIDFile), []byte(fmt.Sprint(os.Getpid())), 0o600); err != nil {
		return fail(err)
	}
	if err := n.startNeurons(ctx); err != nil {
		n.Stop()
		return nil, err
	}
	n.State.Gateway = "" // likewise: set by startGateway when the gateway runs
	if cfg.GatewayListen != "off" {
		if err := n.startGateway(ctx, cfg.GatewayListen); err != nil {
			n.Stop()
			return nil, err
		}
	}
	n.State.Services = n.Services()
	n.State.Listen = n.boundAddrs(cfg.RPCListen)
	n.State.Ready = true
	if err := n.saveState(); err != nil {
		n.Stop()
		return nil, err
	}
	return n, nil
}

// boundAddrs are where this run's RPC (rpc, as configured), REST and gateway
// listen, "off" for those not running: a port 0 asked for is the one bound.
func (n *Net) boundAddrs(rpc string) *ListenAddrs {
	l := &ListenAddrs{RPC: rpc, REST: "off", Gateway: "off"}
	if a := n.node.RESTAddr(); a != "" {
		l.REST = a
	}
	if n.State.Gateway != "" {
		l.Gateway = strings.TrimSuffix(strings.TrimPrefix(n.State.Gateway, "http://"), "/v1")
	}
	return l
}

func (n *Net) addService(s Service) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.services = append(n.services, s)
}

// Services lists what listens where.
func (n *Net) Services() []Service {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.services)
}

// Node is the running node.
func (n *Net) Node() *node.Node { return n.node }

func mustKey(uri string) *keys.Keypair {
	k, err := keys.FromURI(uri)
	if err != nil {
		panic(fmt.Sprintf("localnet: dev key %s: %v", uri, err))
	}
	return k
}

// writeWallets writes each account's coldkey (unencrypted: dev keys are
// public) and hotkey ("default" for the prompting subnet, "template" for the
// template subnet), so btcli --wallet.path <dir>/wallets works.
func writeWallets(root string) error {
	for _, a := range slices.Concat(Accounts, TemplateAccounts) {
		w, err := wallet.New(wallet.Config{Path: root, Name: a.Name, Hotkey: a.hotkeyName()})
		if err != nil {
			return err
		}
		if _, err := os.Stat(w.HotkeyFile().Path()); err == nil {
			continue
		}
		if err := w.SetColdkey(mustKey(a.Coldkey), wallet.KeyOptions{Overwrite: true}); err != nil {
			return err
		}
		if err := w.SetHotkey(mustKey(a.Hotkey), wallet.KeyOptions{Overwrite: true}); err != nil {
			return err
		}
	}
	return nil
}

// freeAddr is a loopback address that was free a moment ago, for listeners
// configured by port before they bind. It lies below the kernel's ephemeral
// range, so no outgoing connection takes it in the meantime.
func freeAddr() string {
	p, err := freeport.Get()
	if err != nil {
		return "127.0.0.1:0"
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
}

// Stop ends the services and the node, then removes the pid file: once it
// is gone, everything has stopped (`localnet down` waits for that).
func (n *Net) Stop() error {
	if n.cancel != nil {
		n.cancel()
	}
	n.wg.Wait()
	if n.Client != nil {
		n.Client.Close()
	}
	n.State.PID, n.State.Ready = 0, false
	serr := n.saveState()
	err := n.node.Stop()
	_ = os.Remove(filepath.Join(n.Dir, PIDFile))
	return errors.Join(err, serr)
}

// roleMap names every dev hotkey of both subnets (they are all distinct).
func roleMap() map[string]Role {
	roles := map[string]Role{}
	for _, a := range slices.Concat(Accounts, TemplateAccounts) {
		roles[mustKey(a.Hotkey).SS58()] = a.Role
	}
	return roles
}

// startNeurons runs the miners and validators of both subnets in this process.
func (n *Net) startNeurons(ctx context.Context) error {
	rctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	n.rctx = rctx
	n.roles = roleMap()
	for _, a := range Accounts {
		hot := mustKey(a.Hotkey)
		log := n.log.With("service", a.Name, "subnet", SubnetPrompting, "role", string(a.Role))
		switch a.Role {
		case RoleValidator:
			// The built-in model with tools is the validators' own reference: a fifth of
			// their tasks are free prompts scored against its completion, and organic
			// requests that no challenge family can check are scored the same way.
			v, err := validator.New(validator.Config{Hotkey: hot, Netuid: n.State.Netuid, Chain: n.Client, ExternalIP: HostIP, Logger: log,
				Reference: miner.BuiltinBackend{Tools: true}})
			if err != nil {
				return err
			}
			if n.organic == nil {
				n.organic = v // the gateway's requests are scored by the first validator
			}
			n.wg.Go(func() { _ = v.Run(rctx) })
		case RoleMinerTool, RoleMinerLM, RoleCareless:
			b, err := miner.NewBackend(a.Backend, miner.OpenAI{})
			if err != nil {
				return err
			}
			ready := make(chan string, 1)
			errc := make(chan error, 1)
			cfg := miner.Config{Hotkey: hot, Coldkey: mustKey(a.Coldkey).Public(), Netuid: n.State.Netuid, Chain: n.Client,
				Backend: b, Addr: "127.0.0.1:0", ExternalIP: HostIP, Logger: log, Ready: func(addr string) { ready <- addr }}
			n.wg.Go(func() { errc <- miner.Run(rctx, cfg) })
			select {
			case addr := <-ready:
				n.addService(Service{Name: a.Name + " axon", Role: a.Role, Addr: addr})
				n.minerAddrs[hot.SS58()] = addr
			case err := <-errc:
				return fmt.Errorf("localnet: miner %s: %w", a.Name, err)
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return n.startTemplate(rctx)
}

// templateConfig is the neuron runtime's configuration for the template
// subnet's neurons: syncs and steps scaled to the localnet's fast blocks.
func (n *Net) templateConfig(name string, role Role) neuron.Config {
	cfg := neuron.DefaultConfig()
	cfg.Netuid = n.State.TemplateNetuid
	cfg.Subtensor.ChainEndpoint = n.State.RPC
	cfg.Axon.ExternalIP = HostIP
	cfg.Neuron.SyncInterval = time.Second
	cfg.Neuron.StepInterval = time.Second
	cfg.Neuron.Timeout = 2 * time.Second
	cfg.Neuron.MovingAverageAlpha = 0.3
	cfg.Logger = n.log.With("service", name, "subnet", SubnetTemplate, "role", string(role))
	return cfg
}

// startTemplate runs the template subnet's validator and miners (the same
// code as cmd/template-validator and cmd/template-miner) in this process.
func (n *Net) startTemplate(rctx context.Context) error {
	type runner interface{ Run(context.Context) error }
	for _, a := range TemplateAccounts {
		hot := mustKey(a.Hotkey)
		cfg := n.templateConfig(a.Name, a.Role)
		var r runner
		switch a.Role {
		case RoleValidator:
			cfg.Neuron.StateFile = filepath.Join(n.Dir, TemplateValidatorState)
			v, err := template.NewValidator(cfg, n.Client, hot)
			if err != nil {
				return fmt.Errorf("localnet: template validator %s: %w", a.Name, err)
			}
			r = v
		case RoleMiner:
			addr := freeAddr()
			host, port, _ := net.SplitHostPort(addr)
			cfg.Axon.IP = host
			cfg.Axon.Port, _ = strconv.Atoi(port)
			m, err := template.NewMiner(cfg, n.Client, hot)
			if err != nil {
				return fmt.Errorf("localnet: template miner %s: %w", a.Name, err)
			}
			n.addService(Service{Name: a.Name + " template axon", Role: a.Role, Addr: addr})
			r = m
		default:
			continue
		}
		n.wg.Go(func() {
			if err := r.Run(rctx); err != nil && rctx.Err() == nil {
				cfg.Logger.Error("template neuron stopped; restart the localnet to retry", "err", err)
			}
		})
	}
	return nil
}
