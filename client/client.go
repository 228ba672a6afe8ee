package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/gotensor/gotensor/chain/api"
)

// Networks maps well-known network names to RPC endpoints.
var Networks = map[string]string{
	"local": "http://127.0.0.1:26657",
}

// NetworksFileEnv names the environment variable that points at the
// networks file; without it the file is ~/.gotensor/networks.json.
const NetworksFileEnv = "GOTENSOR_NETWORKS_FILE"

// ErrUnknownNetwork is returned by ResolveNetwork for a name that is neither
// a URL, host:port, nor a known network.
var ErrUnknownNetwork = errors.New("unknown network")

// ReadNetworksFile reads a networks file: a JSON object from names to RPC
// endpoint URLs, e.g. {"test": "http://10.0.0.5:26657"}. A missing file
// holds no networks and is not an error.
func ReadNetworksFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("networks file: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("networks file %s: %v; it must be a JSON object of names to endpoint URLs, e.g. {\"test\": \"http://10.0.0.5:26657\"}", path, err)
	}
	for name, u := range m {
		if !strings.Contains(u, "://") {
			return nil, fmt.Errorf("networks file %s: %q maps to %q, which is not a URL; write it as http://host:26657", path, name, u)
		}
	}
	return m, nil
}

// NetworksFile is the networks file ResolveNetwork reads, given the
// environment: $GOTENSOR_NETWORKS_FILE, else $HOME/.gotensor/networks.json.
func NetworksFile(getenv func(string) (string, bool)) string {
	if f, ok := getenv(NetworksFileEnv); ok && f != "" {
		return f
	}
	home, ok := getenv("HOME")
	if !ok || home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".gotensor", "networks.json")
}

// ResolveNetwork turns a network name or URL into an RPC endpoint. A URL or
// host:port is used as given; a name comes from GOTENSOR_NETWORK_<NAME>
// (e.g. GOTENSOR_NETWORK_TEST=http://host:26657), then the networks file
// (see NetworksFile), then Networks. getenv nil means the process
// environment. An unreadable or malformed networks file is an error only
// for a name that needs it (not a built-in name or host:port).
func ResolveNetwork(nameOrURL string, getenv func(string) (string, bool)) (string, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	if strings.Contains(nameOrURL, "://") {
		return nameOrURL, nil
	}
	if e, ok := getenv("GOTENSOR_NETWORK_" + strings.ToUpper(nameOrURL)); ok && e != "" {
		return e, nil
	}
	file := NetworksFile(getenv)
	fromFile, fileErr := ReadNetworksFile(file)
	if u, ok := fromFile[nameOrURL]; ok {
		return u, nil
	}
	if u, ok := Networks[nameOrURL]; ok {
		return u, nil
	}
	if strings.Contains(nameOrURL, ":") { // host:port
		return "http://" + nameOrURL, nil
	}
	if fileErr != nil {
		return "", fileErr
	}
	return "", fmt.Errorf("%w %q (not a URL, and not in GOTENSOR_NETWORK_%s, %s or the built-in names)", ErrUnknownNetwork, nameOrURL, strings.ToUpper(nameOrURL), file)
}

// Network resolves a network name or URL to an RPC endpoint as
// ResolveNetwork does with the process environment; a name it cannot
// resolve comes back unchanged.
func Network(nameOrURL string) string {
	u, err := ResolveNetwork(nameOrURL, nil)
	if err != nil {
		return nameOrURL
	}
	return u
}

// Config configures a Client. The zero value dials the local network.
type Config struct {
	// Endpoints are CometBFT RPC URLs, tried in order; empty means local.
	Endpoints []string
	// Timeout bounds one request; zero means 10 s.
	Timeout time.Duration
	// Retries is how many more times a request is tried after a transport
	// failure, across the endpoints; zero means 4, negative means none.
	Retries int
	// PollInterval is how often SubscribeBlocks polls the head while the
	// node's websocket is unavailable; zero means 1 s.
	PollInterval time.Duration
	// Logger receives retry notices; nil discards.
	Logger *slog.Logger
}

// Client is a connection to a node.
type Client struct {
	cfg       Config
	log       *slog.Logger
	transport *http.Transport
	hc        *http.Client
	rpcs      []*rpchttp.HTTP

	mu      sync.Mutex
	current int
	chainID string
	params  *api.TxParams

	nonces nonceManager
}

// Dial creates a client and checks that an endpoint answers.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := c.Status(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// New creates a client without contacting the node.
func New(cfg Config) (*Client, error) {
	if len(cfg.Endpoints) == 0 {
		cfg.Endpoints = []string{Networks["local"]}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Retries == 0 {
		cfg.Retries = 4
	}
	l := cfg.Logger
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		// CometBFT's RPC server closes a connection idle for its read timeout (10 s by
		// default; it sets no idle timeout). Kept longer here, an idle connection would be
		// reused after the server closed it, and the call would fail with EOF and a retry
		// warning after every pause of 10 s or more.
		IdleConnTimeout: idleConnTimeout,
	}
	hc := &http.Client{Transport: tr, Timeout: cfg.Timeout}
	c := &Client{cfg: cfg, log: l, transport: tr, hc: hc, nonces: nonceManager{next: map[string]uint64{}}}
	for _, ep := range cfg.Endpoints {
		r, err := rpchttp.NewWithClient(Network(ep), hc)
		if err != nil {
			return nil, fmt.Errorf("client: endpoint %q: %w", ep, err)
		}
		c.rpcs = append(c.rpcs, r)
	}
	return c, nil
}

// idleConnTimeout is how long an idle connection to a node is kept: under the RPC server's
// read timeout, which closes idle connections on its side.
const idleConnTimeout = 5 * time.Second

// Close releases idle connections.
func (c *Client) Close() error {
	c.transport.CloseIdleConnections()
	return nil
}

// isTransport reports whether err is a network failure worth retrying.
func isTransport(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "connection refused") || strings.Contains(s, "EOF") ||
		strings.Contains(s, "connection reset") || strings.Contains(s, "no such host")
}

// do runs f against the current endpoint, moving to the next one with
// backoff on transport failures.
func (c *Client) do(ctx context.Context, what string, f func(*rpchttp.HTTP) error) error {
	backoff := 100 * time.Millisecond
	var last error
	for attempt := 0; attempt <= max(c.cfg.Retries, 0); attempt++ {
		c.mu.Lock()
		idx := c.current
		c.mu.Unlock()
		err := f(c.rpcs[idx])
		if !isTransport(err) {
			return err
		}
		last = err
		c.mu.Lock()
		c.current = (idx + 1) % len(c.rpcs)
		c.mu.Unlock()
		c.log.Warn("rpc failed, retrying", "call", what, "endpoint", c.cfg.Endpoints[idx], "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w: %v", what, ErrUnreachable, last)
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 2*time.Second)
	}
	return fmt.Errorf("%s: %w at %s after %d attempts (is the node running?): %v", what, ErrUnreachable, strings.Join(c.cfg.Endpoints, ", "), c.cfg.Retries+1, last)
}

// Status is the node's view of the chain head.
type Status struct {
	ChainID    string
	Height     int64
	BlockTime  time.Time
	CatchingUp bool
	Moniker    string
}

// Status fetches the node's status.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var st *ctypes.ResultStatus
	err := c.do(ctx, "status", func(r *rpchttp.HTTP) (err error) {
		st, err = r.Status(ctx)
		return err
	})
	if err != nil {
		return Status{}, err
	}
	c.mu.Lock()
	c.chainID = st.NodeInfo.Network
	c.mu.Unlock()
	return Status{ChainID: st.NodeInfo.Network, Height: st.SyncInfo.LatestBlockHeight, BlockTime: st.SyncInfo.LatestBlockTime,
		CatchingUp: st.SyncInfo.CatchingUp, Moniker: st.NodeInfo.Moniker}, nil
}

// Query runs an ABCI query at height (0 = latest) and decodes the JSON
// answer into out.
func (c *Client) Query(ctx context.Context, path string, height int64, out any) error {
	var res queryAnswer
	err := c.do(ctx, "query "+path, func(r *rpchttp.HTTP) (err error) {
		res, err = c.abciQuery(ctx, r, path, height)
		return err
	})
	if err != nil {
		return err
	}
	if res.Code != 0 {
		return chainError(res.Codespace, res.Code, res.Log)
	}
	if err := json.Unmarshal(res.Value, out); err != nil {
		return fmt.Errorf("query %s: decode: %w", path, err)
	}
	return nil
}

// Account returns an account's balance and nonce.
func (c *Client) Account(ctx context.Context, address string) (api.Account, error) {
	var a api.Account
	err := c.Query(ctx, api.PathAccount+address, 0, &a)
	return a, err
}

// Params returns the chain parameters and supply.
func (c *Client) Params(ctx context.Context) (api.Params, error) {
	var p api.Params
	err := c.Query(ctx, api.PathParams, 0, &p)
	return p, err
}

// LatestHeight is the height of the node's latest committed state: the
// newest height queries can read. It is the application's height, not the
// block store's (Status.Height), which runs a block ahead while a block
// commits; a query at that height fails with "state version not available".
func (c *Client) LatestHeight(ctx context.Context) (int64, error) {
	var h int64
	err := c.do(ctx, "abci_info", func(r *rpchttp.HTTP) error {
		info, err := r.ABCIInfo(ctx)
		if err == nil {
			h = info.Response.LastBlockHeight
		}
		return err
	})
	return h, err
}
