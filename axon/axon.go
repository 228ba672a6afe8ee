package axon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Errors of the axon's lifecycle.
var (
	// ErrServing: Serve or Run was called on an axon that already serves (or served).
	ErrServing = errors.New("axon: already serving; make a new Axon")
	// ErrNoHotkey: New was given no key pair.
	ErrNoHotkey = errors.New("axon: no hotkey")
)

// Axon is a miner's server: it verifies each request's caller, signature, nonce and body,
// queues verified requests by priority and runs their synapse handlers concurrently.
// Register handlers with Handle and HandleStream, then call Run (or Serve with your own
// listener) and Shutdown. An Axon is safe for concurrent use and is also an http.Handler.
type Axon struct {
	cfg    Config
	hotkey *keys.Keypair
	ss58   string
	uuid   string
	log    *slog.Logger
	m      *metrics

	mu     sync.Mutex // serialises route registration
	routes atomic.Pointer[routeTable]

	nonces *nonceStore
	sigs   *keys.BatchingVerifier // batches the signature checks of concurrent requests
	hkRate *limiter[keys.PublicKey]
	ipRate *limiter[netip.Addr]
	queue  *queue

	srv      *http.Server
	serving  atomic.Bool
	draining atomic.Bool
	bound    atomic.Pointer[binding]
	running  atomic.Int64 // handler goroutines alive, including ones past their deadline

	now func() time.Time // the clock; tests replace it

	// Counters of expensive work, so tests can tell a request was refused before it.
	verifies  atomic.Int64 // signature verifications
	bodyReads atomic.Int64 // bodies read
}

// New returns an axon that answers as hotkey. It serves the plain "Synapse" ping from the
// start; add handlers with Handle.
func New(hotkey *keys.Keypair, cfg Config) (*Axon, error) {
	if hotkey == nil {
		return nil, ErrNoHotkey
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// Only callers that passed the registry check reach verification, so a subnet's
	// validators (at most a few thousand UIDs) stay cached.
	sigs := keys.NewBatchingVerifier(keys.NewVerifierCache(4096))
	m, err := newMetrics(cfg.Metrics, sigs)
	if err != nil {
		return nil, err
	}
	a := &Axon{
		cfg:    cfg,
		hotkey: hotkey,
		ss58:   hotkey.SS58(),
		uuid:   synapse.NewUUID(),
		log:    log,
		m:      m,
		nonces: newNonceStore(cfg.NonceWindow+cfg.MaxTimeout, 4096),
		sigs:   sigs,
		hkRate: newLimiter[keys.PublicKey](cfg.HotkeyRate, cfg.HotkeyBurst, 1<<16),
		ipRate: newLimiter[netip.Addr](cfg.IPRate, cfg.IPBurst, 1<<16),
		queue:  newQueue(cfg.MaxConcurrent, cfg.QueueDepth),
		now:    time.Now,
	}
	a.queue.onWait = func(n int) { m.waiting.Set(float64(n)) }
	a.routes.Store(&routeTable{byName: map[string]*route{}})
	a.srv = &http.Server{
		Handler:           a,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	ping := HandlerFunc[*synapse.Ping](func(context.Context, *synapse.Ping) error { return nil })
	if err := Handle(a, ping); err != nil {
		return nil, err
	}
	return a, nil
}

// Hotkey returns the axon's hotkey.
func (a *Axon) Hotkey() keys.PublicKey { return a.hotkey.Public() }

// binding is the listener's address and the info it implies, set once.
type binding struct {
	addr net.Addr
	info synapse.AxonInfo
}

func (a *Axon) bind(addr net.Addr) *binding {
	a.bound.CompareAndSwap(nil, &binding{addr: addr, info: a.makeInfo(addr)})
	return a.bound.Load()
}

// Addr returns the listener's address, or nil before Serve or Run.
func (a *Axon) Addr() net.Addr {
	if b := a.bound.Load(); b != nil {
		return b.addr
	}
	return nil
}

// Info returns what the axon publishes: version, external IP and port (Config.ExternalIP and
// ExternalPort, else the listener's once Listen, Serve or Run has it), protocol 4, hotkey and
// coldkey.
func (a *Axon) Info() synapse.AxonInfo {
	if b := a.bound.Load(); b != nil {
		return b.info
	}
	return a.makeInfo(nil)
}

func (a *Axon) makeInfo(addr net.Addr) synapse.AxonInfo {
	info := synapse.AxonInfo{
		Version:  synapse.Version,
		IP:       a.cfg.ExternalIP,
		Port:     uint16(a.cfg.ExternalPort),
		Protocol: 4,
		Hotkey:   a.hotkey.Public(),
		Coldkey:  a.cfg.Coldkey,
	}
	if ta, ok := addr.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		if info.IP == "" && ip.IsValid() && !ip.IsUnspecified() {
			info.IP = ip.Unmap().String()
		}
		if info.Port == 0 {
			info.Port = uint16(ta.Port)
		}
	}
	if info.IP == "" {
		info.IP = "0.0.0.0"
	}
	info.IPType = 4
	if ip, err := netip.ParseAddr(info.IP); err == nil && ip.Unmap().Is6() {
		info.IPType = 6
	}
	return info
}

// Publish calls Config.Publish with Info(). Run calls it once listening; call it yourself
// when you use Serve, or to publish again.
func (a *Axon) Publish(ctx context.Context) error {
	if a.cfg.Publish == nil {
		return nil
	}
	if err := a.cfg.Publish(ctx, a.Info()); err != nil {
		return fmt.Errorf("axon: publish %s: %w", a.Info(), err)
	}
	return nil
}

// Serve answers requests on ln until Shutdown, then returns http.ErrServerClosed, as
// http.Server.Serve does. It closes ln.
func (a *Axon) Serve(ln net.Listener) error {
	if !a.serving.CompareAndSwap(false, true) {
		ln.Close()
		return ErrServing
	}
	b := a.bind(ln.Addr())
	ln = newConnLimitListener(ln, a.cfg.MaxConnsPerIP, func(ip netip.Addr) {
		a.m.conns.Inc()
		a.log.Debug("connection refused: per-IP limit", "peer", ip)
	})
	a.log.Info("axon serving", "addr", b.addr.String(), "hotkey", a.ss58, "external", b.info.String(),
		"synapses", a.routes.Load().names)
	if !b.info.IsServing() && a.cfg.Publish == nil { // a publisher warns in its own words
		a.log.Warn("axon has no external IP to publish: set Config.ExternalIP (it is never looked up)", "addr", b.addr.String())
	}
	return a.srv.Serve(ln)
}

// Listen opens Config.Addr and returns the listener to pass to Serve; from then on Addr and
// Info describe it. Use it when you serve in your own goroutine and need Info at once.
func (a *Axon) Listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("axon: listen: %w", err)
	}
	a.bind(ln.Addr())
	return ln, nil
}

// Run listens on Config.Addr, publishes (Config.Publish), and serves until ctx ends; then it
// drains for at most Config.ShutdownTimeout and returns. It returns nil after a clean drain.
func (a *Axon) Run(ctx context.Context) error {
	ln, err := a.Listen()
	if err != nil {
		return err
	}
	if err := a.Publish(ctx); err != nil {
		ln.Close()
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
	defer cancel()
	err = a.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Shutdown stops accepting connections, lets requests in progress finish and waits for every
// handler to return (including ones whose caller already got 504), or until ctx ends; then
// it closes what is left and returns ctx's error.
func (a *Axon) Shutdown(ctx context.Context) error {
	a.draining.Store(true)
	err := a.srv.Shutdown(ctx)
	if err == nil {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for a.running.Load() > 0 && err == nil {
			select {
			case <-ctx.Done():
				err = ctx.Err()
			case <-t.C:
			}
		}
	}
	if err != nil {
		a.srv.Close()
		return fmt.Errorf("axon: shutdown: %w (%d handlers still running)", err, a.running.Load())
	}
	a.log.Info("axon stopped", "hotkey", a.ss58)
	return nil
}

func retryAfter(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}
