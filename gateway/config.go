package gateway

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/synapse"
)

// Model is one model the gateway lists and routes: requests naming ID go to Netuid's miners
// (with ModelHint passed on to them).
type Model struct {
	ID        string `json:"id"`
	Netuid    uint16 `json:"netuid"`
	ModelHint string `json:"model_hint,omitempty"`
	// PriceRAOPer1K is what 1,000 tokens cost in RAO once a key's free daily quota is
	// spent. Zero means such requests are free.
	PriceRAOPer1K uint64 `json:"price_rao_per_1k"`
	OwnedBy       string `json:"owned_by,omitempty"`
}

// Tier is a named set of default limits.
type Tier struct {
	// RequestsPerMinute is the per-key request window. Zero means no limit.
	RequestsPerMinute int64 `json:"requests_per_minute"`
	// TokensPerDay is the free daily token quota; beyond it requests are paid from credit.
	// Zero means no free tokens (every request is paid, or free when the price is zero).
	TokensPerDay int64 `json:"tokens_per_day"`
}

// Policy picks among the answers of one fan-out.
type Policy string

const (
	// PolicyFirst returns the first good answer and cancels the other calls.
	PolicyFirst Policy = "first"
	// PolicyBest waits for all K answers and returns the one Config.Score ranks highest.
	PolicyBest Policy = "best"
)

// Config configures a Gateway. Zero values mean the defaults written in each comment.
type Config struct {
	// Addr is the HTTP listen address. Empty means ":8000".
	Addr string
	// Models are the models served; at least one is needed.
	Models []Model
	// Tiers by name. Nil means DefaultTiers(). A new key without a tier gets "free".
	Tiers map[string]Tier
	// AdminToken authorises /admin/*. Empty disables the admin API.
	AdminToken string

	// SQLitePath is the embedded database file. Empty (with no PostgresDSN) means
	// "gateway.db" in the working directory; ":memory:" keeps it in memory.
	SQLitePath string
	// PostgresDSN, when set, selects PostgreSQL instead of SQLite.
	PostgresDSN string

	// ChainRPC is the CometBFT RPC URL of a node, used for metagraphs and deposits. Empty
	// means http://127.0.0.1:26657.
	ChainRPC string
	// MetagraphInterval is how often Run resyncs the served subnets' metagraphs. Zero
	// means 12 s (one block).
	MetagraphInterval time.Duration

	// K is how many miners one attempt fans out to. Zero means 3.
	K int
	// Retries is how many more fan-outs (to the next miners) follow a failed one. Zero
	// means 2; negative means none.
	Retries int
	// Policy is PolicyFirst or PolicyBest. Empty means first.
	Policy Policy
	// Score ranks answers for PolicyBest. Nil means the longer completion wins.
	Score func(s synapse.Synapse) float64
	// MinerTimeout bounds one miner call. Zero means 30 s.
	MinerTimeout time.Duration
	// BreakerFailures consecutive failures open a miner's circuit breaker for
	// BreakerCooldown. Zero means 3 failures and 30 s.
	BreakerFailures int
	BreakerCooldown time.Duration
	// StreamMiners says the miners serve Chat as a streaming synapse (axon.HandleStream):
	// the gateway then streams every request and collects the answer of a non-streaming
	// one from the first miner that accepts it. False means every request goes by Call to
	// K miners at once; a streaming one gets the chosen answer as one content chunk.
	StreamMiners bool
	// SignedAnswers asks miners to sign their answers (dendrite.Config.VerifyResponses, a
	// Gotensor axon extension) and keeps each answer's proof in Answer.Proof, which organic
	// samples carry to the validator (protocol.SignedAnswer) so that it need not trust the
	// gateway about what miners said. A 200 answer that is not signed by the miner's hotkey
	// then counts as the miner failing, so turn it on only when every miner is a Gotensor
	// axon: Python axons ignore the request and never sign. With StreamMiners a stream is
	// signed at its end (an HTTP trailer): the gateway reads it to the end, past [DONE], and
	// the proof's body is the raw streamed events; a stream not signed fails as the miner's.
	// False means off.
	SignedAnswers bool
	// AddrOverride maps a miner hotkey (SS58) to host:port, replacing its on-chain axon
	// address. The chain refuses loopback axons, so localnets and tests serve 0.0.0.0 or
	// an RFC1918 address on chain and point the gateway at 127.0.0.1 here. These targets
	// are the operator's choice: they are called even when private addresses are refused.
	AddrOverride map[string]string
	// AllowPrivateMiners lets the gateway call miners whose on-chain axon address is not
	// public: loopback, RFC 1918 private, carrier-grade NAT, link-local (the cloud
	// metadata service 169.254.169.254 among them), unspecified, multicast, IPv6
	// unique-local and link-local, and v4-mapped forms of those. Any miner publishes what
	// address it likes, so by default (false) such calls are refused at the connection
	// (dendrite.Config.RefusePrivate): a miner cannot make the gateway post into the
	// operator's private network. Routing leaves such a miner out, so it takes no fan-out
	// slot (judged from its address with the dendrite's CheckDestination at each metagraph
	// refresh: it comes back once it publishes a public address), logs it once per address
	// and counts it in the gateway_miners_skipped_private gauge. Turn it on only where
	// every miner is yours (a localnet, a private subnet); AddrOverride targets need no
	// such allowance.
	AllowPrivateMiners bool
	// Synapses are the synapse types the generic passthrough accepts, by name. Nil means
	// the prompting subnet's Chat only.
	Synapses map[string]func() synapse.Synapse

	// DepositSeed is the secret URI (or mnemonic) from which deposit addresses derive as
	// <seed>//gateway//<key id>. Empty disables TAO payments (keys get no address).
	DepositSeed string
	// DepositStartHeight is where the deposit watcher starts when it has no saved height.
	// Zero means the chain's height when it first runs.
	DepositStartHeight int64
	// DepositPoll is how often the watcher asks for new blocks. Zero means 2 s.
	DepositPoll time.Duration

	// MaxBodyBytes bounds a request body (413 beyond). Zero means 1 MiB.
	MaxBodyBytes int64
	// MaxMinerResponseBytes bounds one miner's answer (or stream), which the gateway holds
	// in memory; a longer one counts as the miner failing. Every routed request reads up
	// to K of them at once, so this times K times the requests in flight is what miners
	// can make the gateway hold. Zero means 8 MiB (a chat answer is far shorter).
	MaxMinerResponseBytes int64
	// FlushInterval is how often usage is written to the store, all of it in one
	// transaction (it is also written when Serve ends and on Close). Quotas and credit are
	// checked against the in-memory counters, so this bounds only what a crash loses.
	// Zero means 1 s.
	FlushInterval time.Duration
	// KeyRefresh is how often cached API keys are re-read from the store, so that a
	// revoke, rotate or limit change made through another gateway sharing the database
	// takes effect here; through this gateway's admin API they take effect at once. Zero
	// means 10 s.
	KeyRefresh time.Duration

	// OnSample receives every routed request's answers for organic scoring. It runs after
	// the reply is sent, once every miner of the fan-out has answered or been cancelled
	// (with PolicyFirst the others may finish after the reply, on a background goroutine
	// that Serve and Close wait for): keep it quick. Nil means none.
	OnSample func(Sample)
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Metrics receives the Prometheus collectors. Nil means none.
	Metrics prometheus.Registerer
	// Logger receives logs. Nil means none.
	Logger *slog.Logger
}

// DefaultTiers are the tiers used when Config.Tiers is nil.
func DefaultTiers() map[string]Tier {
	return map[string]Tier{
		"free": {RequestsPerMinute: 20, TokensPerDay: 10_000},
		"pro":  {RequestsPerMinute: 600, TokensPerDay: 1_000_000},
	}
}

// DefaultConfig returns the zero Config with defaults written out (and no models).
func DefaultConfig() Config { return Config{}.withDefaults() }

// TestConfig returns a Config for tests: loopback with an OS-chosen port, in-memory SQLite,
// fast metagraph and deposit polling, short miner timeouts.
func TestConfig() Config {
	c := DefaultConfig()
	c.Addr = "127.0.0.1:0"
	c.SQLitePath = ":memory:"
	c.MetagraphInterval = 200 * time.Millisecond
	c.DepositPoll = 100 * time.Millisecond
	c.MinerTimeout = 5 * time.Second
	c.BreakerCooldown = 2 * time.Second
	c.FlushInterval = 50 * time.Millisecond
	c.KeyRefresh = 200 * time.Millisecond
	return c
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = ":8000"
	}
	if c.Tiers == nil {
		c.Tiers = DefaultTiers()
	}
	if c.SQLitePath == "" && c.PostgresDSN == "" {
		c.SQLitePath = "gateway.db"
	}
	if c.ChainRPC == "" {
		c.ChainRPC = "http://127.0.0.1:26657"
	}
	def(&c.MetagraphInterval, 12*time.Second)
	if c.K == 0 {
		c.K = 3
	}
	if c.Retries == 0 {
		c.Retries = 2
	}
	if c.Retries < 0 {
		c.Retries = 0
	}
	if c.Policy == "" {
		c.Policy = PolicyFirst
	}
	def(&c.MinerTimeout, 30*time.Second)
	if c.BreakerFailures == 0 {
		c.BreakerFailures = 3
	}
	def(&c.BreakerCooldown, 30*time.Second)
	def(&c.DepositPoll, 2*time.Second)
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxMinerResponseBytes == 0 {
		c.MaxMinerResponseBytes = 8 << 20
	}
	def(&c.FlushInterval, time.Second)
	def(&c.KeyRefresh, 10*time.Second)
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Validate reports the first field outside its allowed range.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(field string, v any, allowed string) error {
		return fmt.Errorf("%w: %s is %v; %s", ErrConfig, field, v, allowed)
	}
	if len(c.Models) == 0 {
		return bad("Models", "empty", "want at least one model")
	}
	seen := map[string]bool{}
	for _, m := range c.Models {
		if m.ID == "" || seen[m.ID] {
			return bad("Models", m.ID, "want distinct, non-empty ids")
		}
		seen[m.ID] = true
	}
	if _, ok := c.Tiers["free"]; !ok {
		return bad("Tiers", "without free", "want a tier named free (the default)")
	}
	switch {
	case c.K < 0:
		return bad("K", c.K, "want at least 1, or zero for 3")
	case c.Policy != PolicyFirst && c.Policy != PolicyBest:
		return bad("Policy", c.Policy, "want first or best")
	case c.MinerTimeout < 0:
		return bad("MinerTimeout", c.MinerTimeout, "want a positive duration")
	case c.BreakerFailures < 0:
		return bad("BreakerFailures", c.BreakerFailures, "want at least 1")
	case c.MaxBodyBytes < 0:
		return bad("MaxBodyBytes", c.MaxBodyBytes, "want a positive size")
	case c.MaxMinerResponseBytes < 0:
		return bad("MaxMinerResponseBytes", c.MaxMinerResponseBytes, "want a positive size, or zero for 8 MiB")
	}
	for hk, addr := range c.AddrOverride {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return bad("AddrOverride["+hk+"]", addr, "want host:port")
		}
	}
	return nil
}
