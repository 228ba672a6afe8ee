package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble"
	dbm "github.com/cometbft/cometbft-db"
	cmtcfg "github.com/cometbft/cometbft/config"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/proxy"
	rpclocal "github.com/cometbft/cometbft/rpc/client/local"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/spf13/viper"

	"github.com/gotensor/gotensor/chain/app"
	"github.com/gotensor/gotensor/chain/store"
)

// Config is what `subtensor start` needs beyond the home's config.toml.
type Config struct {
	Home string
	// RPCListen overrides config.toml's rpc.laddr, e.g. "tcp://127.0.0.1:26657".
	RPCListen string
	// P2PListen overrides config.toml's p2p.laddr.
	P2PListen string
	// RESTListen is the REST facade's address; empty disables it.
	RESTListen string
	// MetricsListen overrides the Prometheus address; "off" disables it.
	MetricsListen string
	// KeepVersions is how many recent state versions stay queryable; zero
	// keeps all.
	KeepVersions int64
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger
	// VerboseConsensus shows CometBFT's info-level lines.
	VerboseConsensus bool
	// Upgrades adds upgrade names to those this binary declares
	// (KnownUpgrades); tests use it to stand for a newer binary.
	Upgrades []string
	// OnUpgradeHaltWhileSyncing, when set, is called when block sync (the node catching
	// up from its peers, e.g. restarted after the chain went past an upgrade height)
	// reaches a block the application refuses because governance scheduled an upgrade
	// this binary does not declare. CometBFT v1.0.1's blocksync reactor panics as soon as
	// it returns (a Go stack trace, exit code 2), and Stop would wait for that reactor
	// forever while it runs, so the function should end the process: `subtensor start`
	// prints what to install and exits with code 3. That is as safe as a crash (kill -9,
	// TestCrashRestart): the state up to the block before is committed, and the refused
	// block, already in the block store, is executed again at the next start. nil keeps
	// CometBFT's panic. In consensus the node halts without panicking and this is not
	// called (the caller watches for the halt instead); nor at start, where CometBFT's
	// replay returns the error from Start.
	OnUpgradeHaltWhileSyncing func(app.UpgradeHalt)
}

// KnownUpgrades are the governance upgrade plans this binary implements. A
// release that implements a scheduled upgrade adds its name here; a node
// without it halts at the upgrade height and says what to install.
var KnownUpgrades = []string{}

// Node is a running node.
type Node struct {
	cfg     Config
	log     *slog.Logger
	comet   *cmtnode.Node
	app     *app.App
	tree    *store.Tree
	dbs     *cometDBs
	rest    *http.Server
	restLn  net.Listener
	genesis *cmttypes.GenesisDoc
}

// LoadCometConfig reads home/config/config.toml.
func LoadCometConfig(home string) (*cmtcfg.Config, error) {
	v := viper.New()
	v.SetConfigFile(filepath.Join(home, "config", "config.toml"))
	if err := v.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read %s/config/config.toml: %w (run `subtensor init --home %s` first)", home, err, home)
	}
	c := cmtcfg.DefaultConfig()
	if err := v.Unmarshal(c); err != nil {
		return nil, fmt.Errorf("parse config.toml: %w", err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("config.toml: %w", err)
	}
	return c, nil
}

// ParseAppGenesis decodes and validates a genesis document's app_state.
func ParseAppGenesis(doc *cmttypes.GenesisDoc) (app.Genesis, error) {
	return app.ParseGenesis(doc.AppState)
}

// StateDir is where the application state lives in a home.
func StateDir(home string) string { return filepath.Join(home, "data", "state.db") }

// Start opens the home and starts consensus, RPC, REST and metrics.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	l := cfg.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	cc, err := LoadCometConfig(cfg.Home)
	if err != nil {
		return nil, err
	}
	if cfg.RPCListen != "" {
		cc.RPC.ListenAddress = cfg.RPCListen
	}
	if cfg.P2PListen != "" {
		cc.P2P.ListenAddress = cfg.P2PListen
	}
	switch cfg.MetricsListen {
	case "":
	case "off":
		cc.Instrumentation.Prometheus = false
	default:
		cc.Instrumentation.Prometheus = true
		cc.Instrumentation.PrometheusListenAddr = cfg.MetricsListen
	}
	doc, err := cmttypes.GenesisDocFromFile(cc.GenesisFile())
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	if _, err := ParseAppGenesis(doc); err != nil {
		return nil, fmt.Errorf("genesis %s: %w", cc.GenesisFile(), err)
	}
	tree, err := store.OpenTree(StateDir(cfg.Home))
	if err != nil {
		return nil, err
	}
	// comet is set once CometBFT's node exists, before it starts block sync.
	var comet atomic.Pointer[cmtnode.Node]
	var onUpgrade func(app.UpgradeHalt)
	if cfg.OnUpgradeHaltWhileSyncing != nil {
		onUpgrade = func(u app.UpgradeHalt) {
			// While the consensus reactor waits for sync, consensus executes nothing:
			// the block came from block sync (state sync executes no blocks).
			if c := comet.Load(); c != nil && c.ConsensusReactor().WaitSync() {
				cfg.OnUpgradeHaltWhileSyncing(u)
			}
		}
	}
	a := app.New(tree, app.Config{ChainID: doc.ChainID, KeepVersions: cfg.KeepVersions, Logger: l.With("module", "app"),
		Upgrades: append(append([]string{}, KnownUpgrades...), cfg.Upgrades...), OnUpgradeNeeded: onUpgrade})
	nodeKey, err := p2p.LoadNodeKey(cc.NodeKeyFile())
	if err != nil {
		tree.Close()
		return nil, fmt.Errorf("node key: %w", err)
	}
	pv := privval.LoadFilePV(cc.PrivValidatorKeyFile(), cc.PrivValidatorStateFile())
	metrics := newAppMetrics()
	dbs := &cometDBs{log: l.With("module", "db")}
	cn, err := cmtnode.NewNode(ctx, cc, pv, nodeKey,
		proxy.NewConnSyncLocalClientCreator(metrics.wrap(a)),
		cmtnode.DefaultGenesisDocProviderFunc(cc),
		dbs.provide,
		cmtnode.DefaultMetricsProvider(cc.Instrumentation),
		newCometLogger(l, cfg.VerboseConsensus),
	)
	if err != nil {
		dbs.closeAll()
		tree.Close()
		return nil, fmt.Errorf("start consensus: %w", err)
	}
	comet.Store(cn)
	if err := cn.Start(); err != nil {
		dbs.closeAll()
		tree.Close()
		return nil, fmt.Errorf("start consensus: %w", err)
	}
	n := &Node{cfg: cfg, log: l, comet: cn, app: a, tree: tree, genesis: doc, dbs: dbs}
	if cfg.RESTListen != "" {
		if err := n.startREST(cfg.RESTListen); err != nil {
			n.Stop()
			return nil, err
		}
	}
	l.Info("node started", "chain_id", doc.ChainID, "rpc", cc.RPC.ListenAddress, "p2p", cc.P2P.ListenAddress,
		"rest", n.RESTAddr(), "metrics", metricsAddr(cc), "home", cfg.Home)
	return n, nil
}

func metricsAddr(cc *cmtcfg.Config) string {
	if !cc.Instrumentation.Prometheus {
		return "off"
	}
	return cc.Instrumentation.PrometheusListenAddr
}

// RPCAddr is CometBFT's RPC listen address as configured.
func (n *Node) RPCAddr() string { return n.comet.Config().RPC.ListenAddress }

// P2PAddr is CometBFT's p2p listen address as configured.
func (n *Node) P2PAddr() string { return n.comet.Config().P2P.ListenAddress }

// MetricsAddr is the Prometheus listen address in use (config.toml's, or
// Config.MetricsListen), or "" when metrics are off.
func (n *Node) MetricsAddr() string {
	if !n.comet.Config().Instrumentation.Prometheus {
		return ""
	}
	return n.comet.Config().Instrumentation.PrometheusListenAddr
}

// RESTAddr is the REST facade's bound address ("" when off).
func (n *Node) RESTAddr() string {
	if n.restLn == nil {
		return ""
	}
	return n.restLn.Addr().String()
}

// ChainID is the chain's id.
func (n *Node) ChainID() string { return n.genesis.ChainID }

// Height is the last height whose state is committed and queryable (the
// block store can be a moment ahead of it).
func (n *Node) Height() int64 { return n.app.CommittedHeight() }

// Local returns an in-process RPC client.
func (n *Node) Local() *rpclocal.Local { return rpclocal.New(n.comet) }

// WaitHeight blocks until the chain reaches height h or ctx ends.
func (n *Node) WaitHeight(ctx context.Context, h int64) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for n.Height() < h {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for height %d (at %d): %w", h, n.Height(), ctx.Err())
		case <-t.C:
		}
	}
	return nil
}

// Stop shuts everything down and waits for it: REST first (in-flight
// requests finish), then consensus, then the state database.
func (n *Node) Stop() error {
	var errs []error
	if n.rest != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, n.rest.Shutdown(ctx))
		cancel()
	}
	if n.comet.IsRunning() {
		errs = append(errs, n.comet.Stop())
		n.comet.Wait()
		errs = append(errs, n.dbs.closeUnowned())
	}
	errs = append(errs, n.tree.Close())
	n.log.Info("node stopped")
	return errors.Join(errs...)
}

// cometDBs remembers the databases CometBFT opens. Its node closes the block
// store, state and evidence databases on stop but not the transaction
// indexer's, whose lock then refuses a second start in the same process.
type cometDBs struct {
	mu  sync.Mutex
	dbs map[string]dbm.DB
	log *slog.Logger
}

func (c *cometDBs) provide(ctx *cmtcfg.DBContext) (dbm.DB, error) {
	var db dbm.DB
	var err error
	if dbm.BackendType(ctx.Config.DBBackend) == dbm.PebbleDBBackend {
		// Pebble's default logger prints its recovery notes ("[JOB 1] WAL
		// file ... stopped reading at offset") on stderr at every restart:
		// routine, but alarming to an operator. They go to the debug log.
		//
		// Pebble's defaults (4 MB memtables, a 64 MB base level, compaction
		// from 4 level-0 files) suit small writes; a block of a few thousand
		// transactions writes megabytes to the transaction index and the
		// block results, and compactions took a fifth of the node's CPU
		// under load. Larger memtables and base level flush and rewrite
		// less: cmd/bench, transfers, node CPU per committed tx 374-389 µs
		// -> 301-339 µs, for a few tens of MB more resident memory.
		opts := &pebble.Options{
			Logger:                pebbleLogger{c.log.With("db", ctx.ID)},
			MemTableSize:          16 << 20,
			LBaseMaxBytes:         256 << 20,
			L0CompactionThreshold: 8,
			L0StopWritesThreshold: 24,
		}
		db, err = dbm.NewPebbleDBWithOpts(ctx.ID, ctx.Config.DBDir(), opts)
	} else {
		db, err = cmtcfg.DefaultDBProvider(ctx)
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dbs == nil {
		c.dbs = map[string]dbm.DB{}
	}
	c.dbs[ctx.ID] = db
	return db, nil
}

// pebbleLogger sends Pebble's messages to the node's log.
type pebbleLogger struct{ log *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) { p.log.Debug(fmt.Sprintf(format, args...)) }

// Fatalf must not return (Pebble's contract): the database is unusable.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	p.log.Error(msg)
	panic("database: " + msg)
}

// closedByComet are the databases cmtnode.Node.OnStop closes itself.
var closedByComet = map[string]bool{"blockstore": true, "state": true, "evidence": true}

// closeUnowned closes, once, what a stopped CometBFT node left open.
func (c *cometDBs) closeUnowned() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for id, db := range c.dbs {
		if !closedByComet[id] {
			errs = append(errs, db.Close())
			delete(c.dbs, id)
		}
	}
	return errors.Join(errs...)
}

// closeAll closes everything, for a node that never started.
func (c *cometDBs) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, db := range c.dbs {
		db.Close()
		delete(c.dbs, id)
	}
}
