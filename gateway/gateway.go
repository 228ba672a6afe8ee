package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/dendrite"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
	"github.com/gotensor/gotensor/synapse"
)

// Gateway is the user API server. Create it with New, serve with Run or Serve, and Close it
// after. Safe for concurrent use.
type Gateway struct {
	cfg     Config
	log     *slog.Logger
	store   *Store
	acc     *accounts
	router  *router
	d       *dendrite.Dendrite
	chain   *client.Client
	m       *metrics
	models  map[string]Model
	seed    *keys.Keypair
	handler http.Handler
	lrMu    sync.Mutex // serialises a key's check for a pending limit request and its creation
}

// New opens the store (running migrations) and prepares the gateway; hotkey signs the
// miner calls (a validator's hotkey, so miners serve it). It contacts no node yet.
func New(ctx context.Context, hotkey *keys.Keypair, cfg Config) (*Gateway, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if cfg.Synapses == nil {
		cfg.Synapses = map[string]func() synapse.Synapse{"Chat": func() synapse.Synapse { return &protocol.Chat{} }}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Gateway{cfg: cfg, log: log, models: map[string]Model{}}
	for _, m := range cfg.Models {
		g.models[m.ID] = m
	}
	if cfg.DepositSeed != "" {
		seed, err := keys.FromURI(cfg.DepositSeed)
		if err != nil {
			return nil, fmt.Errorf("%w: DepositSeed is not a secret URI or mnemonic: %v", ErrConfig, err)
		}
		g.seed = seed
	}
	var err error
	if g.m, err = newMetrics(cfg.Metrics); err != nil {
		return nil, fmt.Errorf("gateway: metrics: %w", err)
	}
	if g.chain, err = client.New(client.Config{Endpoints: []string{cfg.ChainRPC}, Logger: log}); err != nil {
		return nil, fmt.Errorf("gateway: chain client: %w", err)
	}
	dcfg := dendrite.Config{Timeout: cfg.MinerTimeout, VerifyResponses: cfg.SignedAnswers, MaxConnsPerHost: 64, MaxResponseBytes: cfg.MaxMinerResponseBytes, Logger: log,
		RefusePrivate: !cfg.AllowPrivateMiners, PrivateSetting: "the gateway's --allow-private-miners (Config.AllowPrivateMiners)"}
	for _, addr := range cfg.AddrOverride {
		dcfg.AllowDestinations = append(dcfg.AllowDestinations, addr) // the operator's own choice
	}
	if g.d, err = dendrite.New(hotkey, dcfg); err != nil {
		return nil, fmt.Errorf("gateway: dendrite: %w", err)
	}
	if g.store, err = OpenStore(ctx, cfg.SQLitePath, cfg.PostgresDSN); err != nil {
		g.d.Close()
		return nil, err
	}
	g.acc = newAccounts(g.store, cfg.Tiers, cfg.Now)
	g.router = newRouter(cfg, g.d, g.chain, g.m, log)
	g.handler = g.routes()
	return g, nil
}

// Store returns the gateway's store.
func (g *Gateway) Store() *Store { return g.store }

// Handler returns the HTTP handler (the API, admin API and /healthz). Usage is flushed,
// metagraphs refreshed and deposits watched only while Run or Serve runs.
func (g *Gateway) Handler() http.Handler { return g.handler }

// Run listens on Config.Addr and serves until ctx ends; see Serve.
func (g *Gateway) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", g.cfg.Addr)
	if err != nil {
		return fmt.Errorf("gateway: listen: %w", err)
	}
	return g.Serve(ctx, ln)
}

// Serve serves HTTP on ln and runs the background loops (metagraph refresh, usage flush,
// deposit watcher) until ctx ends, then shuts down: stops accepting, waits up to 10 s for
// requests in flight, stops the loops and flushes usage. It returns after every goroutine
// it started has ended. Close the gateway after.
func (g *Gateway) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: g.handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(g.log.Handler(), slog.LevelDebug)}
	loops, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	var wg sync.WaitGroup
	wg.Go(func() { g.every(loops, g.cfg.MetagraphInterval, "metagraph sync", g.router.syncAll) })
	wg.Go(func() { g.every(loops, g.cfg.FlushInterval, "usage flush", g.acc.flush) })
	wg.Go(func() { g.every(loops, g.cfg.KeyRefresh, "key refresh", g.acc.refresh) })
	if g.seed != nil {
		rpc, err := rpchttp.New(client.Network(g.cfg.ChainRPC))
		if err != nil {
			stop()
			wg.Wait()
			return fmt.Errorf("gateway: chain rpc: %w", err)
		}
		wg.Go(func() { g.watchDeposits(loops, rpc) })
	}
	g.log.Info("gateway serving", "addr", ln.Addr().String(), "store", g.store.Backend(), "models", len(g.cfg.Models))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }() // ends when Shutdown below returns
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	stop()
	wg.Wait()
	g.router.wait()
	fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ferr := g.acc.flush(fctx); ferr != nil {
		err = errors.Join(err, fmt.Errorf("gateway: final usage flush: %w", ferr))
	}
	g.log.Info("gateway stopped")
	return err
}

func (g *Gateway) every(ctx context.Context, d time.Duration, what string, f func(context.Context) error) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		if err := f(ctx); err != nil && ctx.Err() == nil {
			g.log.Warn(what, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Close flushes usage and releases the dendrite, chain client and store.
func (g *Gateway) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g.router.wait()
	err := g.acc.flush(ctx)
	g.d.Close()
	g.chain.Close()
	return errors.Join(err, g.store.Close())
}

// DepositAddress is key id's deposit address, or "" when payments are off.
func (g *Gateway) DepositAddress(id string) (string, error) {
	if g.seed == nil {
		return "", nil
	}
	kp, err := g.seed.Derive("//gateway//" + id)
	if err != nil {
		return "", err
	}
	return kp.SS58(), nil
}
