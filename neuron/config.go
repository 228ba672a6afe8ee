package neuron

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"time"

	"github.com/gotensor/gotensor/client"
	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/wallet"
)

// ErrConfig: a Config field has a value outside its allowed range.
var ErrConfig = errors.New("neuron: invalid config")

// Defaults the zero Config stands for. They are the template's (reference §6.1) unless a
// comment says otherwise.
const (
	DefaultNetuid             = 1
	DefaultAxonPort           = 8091
	DefaultSampleSize         = 50
	DefaultMovingAverageAlpha = 0.1
	DefaultTimeout            = 10 * time.Second
	DefaultSyncInterval       = 12 * time.Second // one Bittensor block
	DefaultStepInterval       = 5 * time.Second  // the template's sleep after each forward
	DefaultVpermitTAOLimit    = 4096 * 1_000_000_000
)

// Config configures a Miner or a Validator: the template's options (reference §6.1), with the
// same flag names (see LoadConfig). The zero value is valid: subnet 1 on the local network,
// the default wallet, an axon on :8091 that is not published, and the template's validator
// settings. Fields say what zero means.
type Config struct {
	// Netuid is the subnet. Zero means 1, the template's default (the root network, 0, has no
	// miners).
	Netuid uint16

	// Wallet names the wallet whose hotkey the neuron runs as (--wallet.name, --wallet.hotkey,
	// --wallet.path). The zero value is ~/.bittensor/wallets, wallet "default", hotkey
	// "default". Miner and Validator take the key itself; Config.Hotkey opens it.
	Wallet wallet.Config

	// Subtensor says which chain to talk to.
	Subtensor SubtensorConfig

	// Axon configures the miner's server.
	Axon AxonConfig

	// Blacklist says who a miner's axon admits.
	Blacklist BlacklistConfig

	// Neuron holds the runtime's own settings.
	Neuron NeuronConfig

	// Logging is read by the binaries, which pick the handler; the library logs to Logger.
	Logging LoggingConfig

	// VersionKey is the weights version key the validator sends: the subnet code's spec
	// version, set by that code, not by a flag. When the subnet requires a higher
	// weights_version_key the validator stops setting weights and says to upgrade. Zero sends
	// 0, which the chain accepts only while the subnet's weights_version_key is 0.
	VersionKey uint64

	// Logger receives the neuron's logs. Nil means no logs.
	Logger *slog.Logger
}

// SubtensorConfig says which chain node to use.
type SubtensorConfig struct {
	// Network is a network name (client.Networks: "local", ...) or an RPC URL. Empty means
	// "local".
	Network string
	// ChainEndpoint is a CometBFT RPC URL; set, it wins over Network.
	ChainEndpoint string
}

// AxonConfig configures a miner's axon (--axon.*).
type AxonConfig struct {
	// IP is the address the axon listens on. Empty means every interface.
	IP string
	// Port is the port the axon listens on. Zero means 8091; -1 means a port the system
	// chooses (tests), which is then the one published unless ExternalPort is set.
	Port int
	// ExternalIP is the IP published on chain with serve_axon, and the IP a validator reports
	// for itself: calls from a validator to an axon published at its own ExternalIP go to
	// 127.0.0.1 (Bittensor's loopback shortcut, which localnet relies on: see
	// docs/subnet-builder.md). Empty means the axon is not published; nothing ever asks an
	// outside service for this machine's IP (USER-PAIN 8).
	ExternalIP string
	// ExternalPort is the published port. Zero means the port the axon listens on.
	ExternalPort int
}

// BlacklistConfig says who may call a miner (--blacklist.*). The zero value admits
// registered hotkeys that hold a validator permit, highest stake first.
type BlacklistConfig struct {
	// AllowNoPermit admits registered callers without a validator permit
	// (--blacklist.force_validator_permit=false).
	AllowNoPermit bool
	// AllowNonRegistered admits any caller whose signature verifies, registered or not
	// (--blacklist.allow_non_registered). Leave it off outside tests.
	AllowNonRegistered bool
	// MinStake is the stake in RAO a caller needs instead of a permit: alpha plus TaoWeight
	// times root stake, as the chain counts it (metagraph.TotalStakes). Zero means a permit
	// is what counts.
	MinStake uint64
}

// NeuronConfig holds the runtime's settings (--neuron.*).
type NeuronConfig struct {
	// SampleSize is how many miners a validator queries per step. Zero means 50.
	SampleSize int
	// MovingAverageAlpha is the weight of a new reward in a uid's moving average, in (0, 1].
	// Zero means 0.1.
	MovingAverageAlpha float64
	// Timeout bounds one step's queries. Zero means 10 s. (The template declares
	// --neuron.timeout but never uses it; here it is the query deadline.)
	Timeout time.Duration
	// EpochLength is how many blocks a validator waits between weight updates, on top of the
	// subnet's weights_set_rate_limit. Zero means the subnet's tempo: Yuma reads weights once
	// per epoch, so setting them more often changes nothing.
	EpochLength uint64
	// SyncInterval is how often the neuron asks the chain for its head; the metagraph is
	// fetched again only when the head moved. Zero means 12 s.
	SyncInterval time.Duration
	// StepInterval is the pause between a validator's steps. Zero means 5 s.
	StepInterval time.Duration
	// DisableSetWeights makes the validator score miners without setting weights.
	DisableSetWeights bool
	// RefusePrivateAxons makes the validator refuse to call axons at private addresses
	// (loopback, RFC 1918, 100.64/10, link-local such as 169.254.169.254, IPv6
	// unique-local...; dendrite.Config.RefusePrivate), so that a miner cannot make it post
	// into the network it runs in. False (the default, as in Bittensor) calls any address:
	// localnets and private subnets publish private axons. The axon.external_ip loopback
	// shortcut stays allowed. Refused miners fail their queries (status 503).
	RefusePrivateAxons bool
	// VpermitTAOLimit: uids holding a validator permit and more than this total stake (RAO: alpha plus TaoWeight × root stake)
	// are validators, not miners, and are not sampled. Zero means 4096 TAO.
	VpermitTAOLimit uint64
	// StateFile is where a validator keeps its moving averages and any unrevealed weights
	// commit between runs (JSON). Empty means nothing is kept: a restarted validator starts
	// from zero scores, and a commit made before the restart is never revealed. A running
	// validator holds an exclusive lock on StateFile+".lock" (on systems with flock), so a
	// second one given the same file fails at start with ErrStateLocked.
	StateFile string
	// HealthAddr is where GET /healthz answers (host:port). Empty means no health server.
	HealthAddr string
}

// LoggingConfig is read by the template binaries (--logging.*).
type LoggingConfig struct {
	Debug bool // debug level
	JSON  bool // JSON lines instead of text
}

// DefaultConfig returns the zero Config with its defaults written out.
func DefaultConfig() Config {
	return Config{}.withDefaults()
}

// TestConfig returns a Config for tests: the axon on loopback at a port the system chooses,
// fast steps and syncs, short timeouts, permits still required.
func TestConfig() Config {
	c := DefaultConfig()
	c.Axon.IP, c.Axon.Port = "127.0.0.1", -1
	c.Neuron.Timeout = 2 * time.Second
	c.Neuron.SyncInterval = 100 * time.Millisecond
	c.Neuron.StepInterval = 100 * time.Millisecond
	return c
}

func (c Config) withDefaults() Config {
	if c.Netuid == 0 {
		c.Netuid = DefaultNetuid
	}
	if c.Subtensor.Network == "" {
		c.Subtensor.Network = "local"
	}
	if c.Axon.Port == 0 {
		c.Axon.Port = DefaultAxonPort
	}
	n := &c.Neuron
	if n.SampleSize == 0 {
		n.SampleSize = DefaultSampleSize
	}
	if n.MovingAverageAlpha == 0 {
		n.MovingAverageAlpha = DefaultMovingAverageAlpha
	}
	if n.Timeout == 0 {
		n.Timeout = DefaultTimeout
	}
	if n.SyncInterval == 0 {
		n.SyncInterval = DefaultSyncInterval
	}
	if n.StepInterval == 0 {
		n.StepInterval = DefaultStepInterval
	}
	if n.VpermitTAOLimit == 0 {
		n.VpermitTAOLimit = DefaultVpermitTAOLimit
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate reports the first field outside its allowed range, naming it.
func (c Config) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%w: %s = %v; %s", ErrConfig, field, v, want)
	}
	if err := c.Wallet.Validate(); err != nil {
		return fmt.Errorf("%w: wallet: %w", ErrConfig, err)
	}
	if c.Axon.Port < -1 || c.Axon.Port > 65535 {
		return bad("axon.port", c.Axon.Port, "want 1..65535 (0 means 8091, -1 a port the system chooses)")
	}
	if c.Axon.ExternalPort < 0 || c.Axon.ExternalPort > 65535 {
		return bad("axon.external_port", c.Axon.ExternalPort, "want 1..65535 (0 means axon.port)")
	}
	if c.Axon.IP != "" {
		if _, err := netip.ParseAddr(c.Axon.IP); err != nil {
			return bad("axon.ip", c.Axon.IP, "want an IPv4 or IPv6 address to listen on")
		}
	}
	if c.Axon.ExternalIP != "" {
		ip, err := netip.ParseAddr(c.Axon.ExternalIP)
		if err != nil {
			return bad("axon.external_ip", c.Axon.ExternalIP, "want the IPv4 or IPv6 address validators reach this machine at")
		}
		if ip.Unmap() == netip.AddrFrom4([4]byte{127, 0, 0, 1}) || ip == netip.IPv6Loopback() || ip.IsUnspecified() {
			return bad("axon.external_ip", c.Axon.ExternalIP, "the chain refuses loopback and 0.0.0.0; on localnet use a private address such as 10.0.0.1 (docs/subnet-builder.md)")
		}
	}
	n := c.Neuron
	if n.HealthAddr != "" {
		if _, port, err := net.SplitHostPort(n.HealthAddr); err != nil || port == "" {
			return bad("neuron.health_addr", n.HealthAddr, "want host:port such as 127.0.0.1:9100 (empty: no health endpoint)")
		}
	}
	if n.SampleSize < 0 {
		return bad("neuron.sample_size", n.SampleSize, "want at least 1 (0 means 50)")
	}
	if math.IsNaN(n.MovingAverageAlpha) || n.MovingAverageAlpha < 0 || n.MovingAverageAlpha > 1 {
		return bad("neuron.moving_average_alpha", n.MovingAverageAlpha, "want a number in (0, 1] (0 means 0.1)")
	}
	if n.Timeout < 0 {
		return bad("neuron.timeout", n.Timeout, "want a positive duration (0 means 10s)")
	}
	if n.SyncInterval < 0 {
		return bad("neuron.sync_interval", n.SyncInterval, "want a positive duration (0 means 12s)")
	}
	if n.StepInterval < 0 {
		return bad("neuron.step_interval", n.StepInterval, "want a positive duration (0 means 5s)")
	}
	return nil
}

// Endpoint is the RPC URL the neuron talks to: Subtensor.ChainEndpoint, else
// Subtensor.Network resolved by client.Network.
func (c Config) Endpoint() string {
	if c.Subtensor.ChainEndpoint != "" {
		return c.Subtensor.ChainEndpoint
	}
	n := c.Subtensor.Network
	if n == "" {
		n = "local"
	}
	return client.Network(n)
}

// ClientConfig returns the chain client configuration for Endpoint, logging to Logger.
func (c Config) ClientConfig() client.Config {
	return client.Config{Endpoints: []string{c.Endpoint()}, Logger: c.Logger}
}

// Hotkey opens the hotkey Wallet names, trying passwords in order when it is encrypted
// (hotkeys normally are not).
func (c Config) Hotkey(passwords ...wallet.PasswordSource) (*keys.Keypair, error) {
	w, err := wallet.New(c.Wallet)
	if err != nil {
		return nil, err
	}
	// wallet.Hotkey's error already names the missing file and the btcli command that
	// makes it; adding it again here printed the hint twice.
	return w.Hotkey(passwords...)
}
