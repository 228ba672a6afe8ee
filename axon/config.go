package axon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// Config configures an Axon. The zero value is valid: it listens on :8091, verifies every
// signature and nonce, and lets any signed caller through (no Registry); set Registry and
// ExternalIP on a real network. Negative values mean "no limit" where a field says so.
type Config struct {
	// Addr is the address Run listens on. Empty means ":8091", Bittensor's default port.
	Addr string
	// ExternalIP is the IP published on chain and reported to callers. Empty means the
	// listener's IP when it is a specific address, else "0.0.0.0" (not serving). The axon
	// never asks an outside service for it (USER-PAIN 8): behind NAT, set it.
	ExternalIP string
	// ExternalPort is the published port. Zero means the listener's port.
	ExternalPort int
	// Coldkey is published with the axon's info. Zero means unset.
	Coldkey keys.PublicKey

	// Registry is looked up for every caller. Nil means every caller with a valid signature
	// is accepted: no registration or stake check.
	Registry Registry
	// MinStake is the stake in RAO a caller needs. Zero means it needs a validator permit
	// instead (unless AllowNoPermit).
	MinStake uint64
	// AllowNoPermit lets registered callers without a validator permit through when
	// MinStake is zero.
	AllowNoPermit bool
	// Schemes are the signing schemes accepted. Zero means Bittensor and Epistula.
	Schemes synapse.Scheme

	// HotkeyRate is the sustained requests per second allowed to one hotkey. Zero means 20;
	// negative means no limit. HotkeyBurst is its bucket size; zero means 2×HotkeyRate.
	HotkeyRate  float64
	HotkeyBurst int
	// IPRate and IPBurst limit one source IP the same way. Zero means 50 and 2×IPRate.
	IPRate  float64
	IPBurst int
	// MaxConnsPerIP caps simultaneous connections from one IP. Zero means 64; negative
	// means no limit.
	MaxConnsPerIP int

	// NonceWindow is how old a request's nonce may be, beyond its timeout (Bittensor: 4 s +
	// timeout), and how far in the future. Zero means 4 s.
	NonceWindow time.Duration
	// MaxTimeout caps the timeout a request asks for, and so the handler's time. Zero means
	// 120 s. A request without a timeout header gets 12 s.
	MaxTimeout time.Duration
	// MaxBodyBytes is the largest request body accepted. Zero means 4 MiB.
	MaxBodyBytes int64

	// ReadHeaderTimeout bounds reading a request's headers (slow-loris). Zero means 5 s.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds reading a request's body, and never exceeds its timeout. Zero
	// means 10 s.
	BodyReadTimeout time.Duration
	// IdleTimeout closes idle keep-alive connections. Zero means 120 s.
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request header block. Zero means 64 KiB.
	MaxHeaderBytes int

	// MaxConcurrent is how many handlers run at once. Zero means 64.
	MaxConcurrent int
	// QueueDepth is how many verified requests may wait for a handler slot, served highest
	// priority (by default: stake) first. When full, a request that outranks the lowest
	// waiter takes its place; otherwise it gets 503 with Retry-After. Zero means 256.
	QueueDepth int
	// ShutdownTimeout bounds the drain when Run's context ends. Zero means 30 s.
	ShutdownTimeout time.Duration

	// Publish is called by Run once the axon listens, with Info(), so the caller can send
	// serve_axon to the chain. Nil means the axon publishes nothing. It is called with an
	// unspecified IP too when ExternalIP is empty: the publisher then says what is wrong,
	// in its own user's terms (a flag, a config key), and Serve does not warn.
	Publish func(ctx context.Context, info synapse.AxonInfo) error
	// Metrics receives the axon's Prometheus collectors. Nil means no metrics.
	Metrics prometheus.Registerer
	// Logger receives the axon's logs. Nil means no logs.
	Logger *slog.Logger
}

// ErrConfig: a Config field has a value outside its allowed range.
var ErrConfig = errors.New("axon: invalid config")

// DefaultConfig returns the zero Config with its defaults written out.
func DefaultConfig() Config { return Config{}.withDefaults() }

// TestConfig returns a Config for tests: loopback with an OS-chosen port, a 10 s cap on
// request timeouts, a 5 s drain, no rate or connection limits.
func TestConfig() Config {
	c := DefaultConfig()
	c.Addr = "127.0.0.1:0"
	c.HotkeyRate, c.IPRate, c.MaxConnsPerIP = -1, -1, -1
	c.MaxTimeout = 10 * time.Second
	c.ShutdownTimeout = 5 * time.Second
	return c
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = ":8091"
	}
	if c.Schemes == 0 {
		c.Schemes = synapse.Bittensor | synapse.Epistula
	}
	if c.HotkeyRate == 0 {
		c.HotkeyRate = 20
	}
	if c.HotkeyBurst == 0 {
		c.HotkeyBurst = max(1, int(2*c.HotkeyRate))
	}
	if c.IPRate == 0 {
		c.IPRate = 50
	}
	if c.IPBurst == 0 {
		c.IPBurst = max(1, int(2*c.IPRate))
	}
	if c.MaxConnsPerIP == 0 {
		c.MaxConnsPerIP = 64
	}
	def(&c.NonceWindow, 4*time.Second)
	def(&c.MaxTimeout, 120*time.Second)
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 4 << 20
	}
	def(&c.ReadHeaderTimeout, 5*time.Second)
	def(&c.BodyReadTimeout, 10*time.Second)
	def(&c.IdleTimeout, 120*time.Second)
	if c.MaxHeaderBytes == 0 {
		c.MaxHeaderBytes = 64 << 10
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = 64
	}
	if c.QueueDepth == 0 {
		c.QueueDepth = 256
	}
	def(&c.ShutdownTimeout, 30*time.Second)
	return c
}

// Validate reports the first field outside its allowed range.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(field string, v any, allowed string) error {
		return fmt.Errorf("%w: %s is %v; %s", ErrConfig, field, v, allowed)
	}
	if c.ExternalIP != "" {
		if _, err := netip.ParseAddr(c.ExternalIP); err != nil {
			return bad("ExternalIP", c.ExternalIP, "want an IPv4 or IPv6 address")
		}
	}
	if c.ExternalPort < 0 || c.ExternalPort > 65535 {
		return bad("ExternalPort", c.ExternalPort, "want 0 to 65535")
	}
	if c.Schemes&^(synapse.Bittensor|synapse.Epistula) != 0 {
		return bad("Schemes", c.Schemes, "want synapse.Bittensor, synapse.Epistula or both")
	}
	if c.HotkeyRate > 0 && c.HotkeyBurst < 1 {
		return bad("HotkeyBurst", c.HotkeyBurst, "want at least 1")
	}
	if c.IPRate > 0 && c.IPBurst < 1 {
		return bad("IPBurst", c.IPBurst, "want at least 1")
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"NonceWindow", c.NonceWindow}, {"MaxTimeout", c.MaxTimeout}, {"ReadHeaderTimeout", c.ReadHeaderTimeout},
		{"BodyReadTimeout", c.BodyReadTimeout}, {"IdleTimeout", c.IdleTimeout}, {"ShutdownTimeout", c.ShutdownTimeout}} {
		if d.v < 0 {
			return bad(d.name, d.v, "want a positive duration, or zero for the default")
		}
	}
	if c.MaxBodyBytes < 0 {
		return bad("MaxBodyBytes", c.MaxBodyBytes, "want a positive size, or zero for 4 MiB")
	}
	if c.MaxHeaderBytes < 0 {
		return bad("MaxHeaderBytes", c.MaxHeaderBytes, "want a positive size, or zero for 64 KiB")
	}
	if c.MaxConcurrent < 0 {
		return bad("MaxConcurrent", c.MaxConcurrent, "want at least 1, or zero for 64")
	}
	if c.QueueDepth < 0 {
		return bad("QueueDepth", c.QueueDepth, "want at least 1, or zero for 256")
	}
	return nil
}
