package neuron

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/gotensor/gotensor/internal/bodydeadline"
)

// Health is what GET /healthz reports about a neuron.
type Health struct {
	OK     bool   `json:"ok"` // running, registered and synced recently
	Role   string `json:"role"`
	Netuid uint16 `json:"netuid"`
	Hotkey string `json:"hotkey"`
	UID    int    `json:"uid"` // -1 until the hotkey is found on the subnet
	// Block is the chain head at the last metagraph sync.
	Block int64 `json:"block"`
	// LastSync is when the metagraph was last checked against the chain head.
	LastSync time.Time `json:"last_sync"`
	// Axon is the miner's published endpoint ("" when not published).
	Axon string `json:"axon,omitempty"`
	// AxonConflict says the chain now lists another endpoint for this miner's hotkey (a
	// second process with the same hotkey published it); the miner is not OK meanwhile.
	AxonConflict string `json:"axon_conflict,omitempty"`
	// Step counts the validator's forward steps.
	Step uint64 `json:"step,omitempty"`
	// LastWeightsBlock is the block of the validator's last set_weights or reveal_weights.
	LastWeightsBlock uint64 `json:"last_weights_block,omitempty"`
	// PendingRevealEpoch is the reveal epoch of an unrevealed commit (0: none).
	PendingRevealEpoch uint64 `json:"pending_reveal_epoch,omitempty"`
	// Weights says why the validator is not setting weights right now.
	Weights string `json:"weights,omitempty"`
	// Error is the last failure (sync, query or weights), kept until the next success.
	Error string `json:"error,omitempty"`
}

// health holds a neuron's Health for the HTTP handler; safe for concurrent use.
type health struct {
	mu    sync.Mutex
	h     Health
	stale time.Duration // LastSync older than this is not OK
	done  bool
}

func newHealth(role string, netuid uint16, hotkey string, stale time.Duration) *health {
	return &health{h: Health{Role: role, Netuid: netuid, Hotkey: hotkey, UID: -1}, stale: stale}
}

func (s *health) update(f func(h *Health)) {
	s.mu.Lock()
	f(&s.h)
	s.mu.Unlock()
}

func (s *health) stop() {
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
}

func (s *health) get() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.h
	h.OK = !s.done && h.UID >= 0 && !h.LastSync.IsZero() && time.Since(h.LastSync) <= s.stale && h.AxonConflict == ""
	return h
}

// ServeHTTP answers GET /healthz (and /) with Health as JSON: 200 when OK, else 503.
func (s *health) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/healthz" && r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	h := s.get()
	w.Header().Set("Content-Type", "application/json")
	if !h.OK {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(h) // a failed write means the caller left; nothing to do
}

// listenHealth opens the health listener, so a bad address fails Run at once.
func listenHealth(addr string) (net.Listener, error) {
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("neuron: health server: %w; %s", err, inUseHint(err, "--neuron.health_addr", "a free host:port"))
	}
	return ln, nil
}

// ServeHTTP serves h on ln until ctx ends, then shuts down within 5 s, waiting for requests
// in flight. what names the server in errors ("health server"). The neuron's health endpoint
// and subnets' own endpoints (such as a validator's organic endpoint) run on it.
//
// A client gets bodyTimeout to send a request body and an idle keep-alive connection is
// closed after two minutes, so slow or idle clients cannot hold its connections.
func ServeHTTP(ctx context.Context, ln net.Listener, h http.Handler, what string) error {
	srv := &http.Server{Handler: bodydeadline.Handler(h, bodyTimeout), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s: %w", what, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; err == nil && !errors.Is(serr, http.ErrServerClosed) {
		err = serr
	}
	return err
}

// bodyTimeout bounds how long ServeHTTP's clients may take to send a request body.
var bodyTimeout = 30 * time.Second

// sleep waits d or until ctx ends, whichever is first (STYLE §9).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// inUseHint says what to do about a listen that failed on flag's address: when the address
// is taken, that another process (another neuron, often one started before) holds it.
func inUseHint(err error, flag, want string) string {
	if errors.Is(err, syscall.EADDRINUSE) {
		return "another process (another neuron?) listens there: stop it or pass " + flag + " " + want
	}
	return "pass " + flag + " " + want
}
