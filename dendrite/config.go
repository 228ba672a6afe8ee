package dendrite

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/gotensor/gotensor/synapse"
)

// Config configures a Dendrite. The zero value is valid.
type Config struct {
	// Timeout is a call's timeout when neither the context's deadline nor the synapse's
	// Timeout is sooner. Zero means 12 s, Bittensor's default.
	Timeout time.Duration
	// Scheme signs requests. Zero means Bittensor; synapse.Epistula for Epistula axons.
	Scheme synapse.Scheme
	// ExternalIP is reported to axons as the caller's IP, and calls to an axon at this IP go
	// to 127.0.0.1 (Bittensor's loopback shortcut). Empty means unreported; the dendrite never
	// asks an outside service for it.
	ExternalIP string
	// LocalAddr is the source address of connections. Zero means the system chooses.
	LocalAddr netip.Addr
	// RefusePrivate refuses connections to addresses that are not public: loopback,
	// RFC 1918 private, carrier-grade NAT (100.64.0.0/10), link-local (169.254.0.0/16, the
	// cloud metadata service 169.254.169.254 among them), unspecified, multicast, reserved,
	// IPv6 unique-local, link-local and site-local, and IPv4 addresses of those kinds
	// embedded in IPv6 (v4-mapped, NAT64). Axon addresses come from the chain, where any
	// miner publishes what it likes: a service that calls axons from inside a private
	// network (the user gateway) turns this on so a miner cannot make it post into that
	// network. The check is on the address each connection actually goes to, and the
	// dendrite follows no redirect. A refused call fails with status 503 and a message
	// saying what was refused; the dendrite logs it once per axon address (Warn). False
	// means any address is called, as Bittensor does (validators; localnets, whose axons
	// are private).
	//
	// Allowed even so: AllowDestinations, and the ExternalIP loopback shortcut, which the
	// operator chose by setting ExternalIP (an axon published at ExternalIP then reaches
	// any port on this host's loopback: leave ExternalIP empty where that matters).
	RefusePrivate bool
	// AllowDestinations are host:port destinations called even with RefusePrivate on, as
	// written in the request (an IP or a host name, matched before name resolution): the
	// operator's own choices, such as the gateway's AddrOverride targets.
	AllowDestinations []string
	// PrivateSetting names, in a refusal's message, the setting that allows private
	// destinations. Empty means "dendrite.Config.RefusePrivate off".
	PrivateSetting string
	// VerifyResponses asks axons to sign their answers (a Gotensor extension) and refuses a
	// 200 answer not signed by the axon's hotkey with status 401; a stream's signature comes
	// in a trailer at its end, and a stream without a good one ends with 401. Python axons
	// do not sign: leave it off for them.
	VerifyResponses bool

	// MaxConnsPerHost caps connections to one axon. Zero means 8.
	MaxConnsPerHost int
	// MaxIdleConnsPerHost is how many idle connections to one axon are kept for reuse. Zero
	// means MaxConnsPerHost.
	MaxIdleConnsPerHost int
	// MaxIdleConns caps idle connections overall. Zero means 1024, enough to reuse a whole
	// subnet's connections between rounds.
	MaxIdleConns int
	// IdleConnTimeout closes connections idle this long. Zero means 90 s.
	IdleConnTimeout time.Duration
	// MaxInFlight caps calls and open streams in progress at once; more wait for a slot
	// within their deadline. Zero means 1024.
	MaxInFlight int
	// MaxResponseBytes is the largest response body read. Zero means 64 MiB.
	MaxResponseBytes int64

	// Logger receives the dendrite's logs. Nil means no logs.
	Logger *slog.Logger
}

// ErrConfig: a Config field has a value outside its allowed range.
var ErrConfig = errors.New("dendrite: invalid config")

// DefaultConfig returns the zero Config with its defaults written out.
func DefaultConfig() Config { return Config{}.withDefaults() }

func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = synapse.DefaultTimeout
	}
	if c.Scheme == 0 {
		c.Scheme = synapse.Bittensor
	}
	if c.MaxConnsPerHost == 0 {
		c.MaxConnsPerHost = 8
	}
	if c.MaxIdleConnsPerHost == 0 {
		c.MaxIdleConnsPerHost = c.MaxConnsPerHost
	}
	if c.MaxIdleConns == 0 {
		c.MaxIdleConns = 1024
	}
	if c.IdleConnTimeout == 0 {
		c.IdleConnTimeout = 90 * time.Second
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 1024
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = 64 << 20
	}
	return c
}

// Validate reports the first field outside its allowed range.
func (c Config) Validate() error {
	c = c.withDefaults()
	bad := func(field string, v any, allowed string) error {
		return fmt.Errorf("%w: %s is %v; %s", ErrConfig, field, v, allowed)
	}
	switch {
	case c.Timeout < 0:
		return bad("Timeout", c.Timeout, "want a positive duration, or zero for 12s")
	case c.Scheme != synapse.Bittensor && c.Scheme != synapse.Epistula:
		return bad("Scheme", c.Scheme, "want synapse.Bittensor or synapse.Epistula")
	case c.MaxConnsPerHost < 0:
		return bad("MaxConnsPerHost", c.MaxConnsPerHost, "want at least 1, or zero for 8")
	case c.MaxIdleConnsPerHost < 0:
		return bad("MaxIdleConnsPerHost", c.MaxIdleConnsPerHost, "want at least 1")
	case c.MaxIdleConns < 0:
		return bad("MaxIdleConns", c.MaxIdleConns, "want at least 1")
	case c.IdleConnTimeout < 0:
		return bad("IdleConnTimeout", c.IdleConnTimeout, "want a positive duration")
	case c.MaxInFlight < 0:
		return bad("MaxInFlight", c.MaxInFlight, "want at least 1, or zero for 1024")
	case c.MaxResponseBytes < 0:
		return bad("MaxResponseBytes", c.MaxResponseBytes, "want a positive size, or zero for 64 MiB")
	}
	for _, a := range c.AllowDestinations {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return bad("AllowDestinations", a, "want host:port")
		}
	}
	if c.ExternalIP != "" {
		if _, err := netip.ParseAddr(c.ExternalIP); err != nil {
			return bad("ExternalIP", c.ExternalIP, "want an IPv4 or IPv6 address")
		}
	}
	return nil
}
