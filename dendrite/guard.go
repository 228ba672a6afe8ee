package dendrite

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
)

// ErrPrivateDestination: with Config.RefusePrivate on, a call's connection would have gone
// to a private, loopback, link-local or otherwise non-public address. Calls report it as
// status 503 with a message naming the address and the setting that allows it; errors.Is
// finds it in the dialer's error.
var ErrPrivateDestination = errors.New("dendrite: private destination refused")

// PrivateDestinationError is the dialer's error for a refused address.
type PrivateDestinationError struct {
	Addr    netip.AddrPort // the address the connection would have gone to
	Kind    string         // what the address is, e.g. "RFC 1918 private"
	Setting string         // the setting that allows it (Config.PrivateSetting)
}

func (e *PrivateDestinationError) Error() string {
	return fmt.Sprintf("refused to connect to %s (%s address): the axon's published address points into a private network; %s allows private destinations",
		e.Addr, e.Kind, e.Setting)
}

func (e *PrivateDestinationError) Unwrap() error { return ErrPrivateDestination }

var (
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")   // RFC 6598 carrier-grade NAT
	thisNet   = netip.MustParsePrefix("0.0.0.0/8")       // RFC 1122 "this network"
	bench     = netip.MustParsePrefix("198.18.0.0/15")   // RFC 2544 benchmarking
	reserved4 = netip.MustParsePrefix("240.0.0.0/4")     // RFC 1112 reserved, broadcast
	siteLocal = netip.MustParsePrefix("fec0::/10")       // deprecated IPv6 site-local
	nat64     = netip.MustParsePrefix("64:ff9b::/96")    // RFC 6052: embeds an IPv4 address
	nat64Loc  = netip.MustParsePrefix("64:ff9b:1::/48")  // RFC 8215 local-use NAT64
	compat4   = netip.MustParsePrefix("::/96")           // deprecated IPv4-compatible IPv6
	siit      = netip.MustParsePrefix("::ffff:0:0:0/96") // RFC 2765 IPv4-translated: embeds an IPv4 address
	sixToFour = netip.MustParsePrefix("2002::/16")       // RFC 3056 6to4: embeds the IPv4 address of its gateway
	teredo    = netip.MustParsePrefix("2001::/32")       // RFC 4380 Teredo: embeds a server's and (inverted) a client's IPv4
	ietf4     = netip.MustParsePrefix("192.0.0.0/24")    // RFC 6890 IETF protocol assignments (DS-Lite, NAT64 discovery)
	discard6  = netip.MustParsePrefix("100::/64")        // RFC 6666 discard-only
)

// privateKind says what kind of non-public address ip is, or "" for a public one. IPv4
// embedded in IPv6 (v4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64
// 64:ff9b::a.b.c.d, IPv4-translated ::ffff:0:a.b.c.d, 6to4 2002:aabb:ccdd::, Teredo's server
// and client) is judged as the IPv4 address it reaches: a host with a 6to4 or Teredo
// tunnel, or a translator, sends such a packet to that address.
func privateKind(ip netip.Addr) string {
	ip = ip.WithZone("")
	if ip.Is6() && !ip.Is4In6() {
		switch {
		case ip.IsUnspecified():
			return "unspecified"
		case ip.IsLoopback():
			return "loopback"
		case nat64Loc.Contains(ip):
			return "local-use NAT64"
		case nat64.Contains(ip) || compat4.Contains(ip) || siit.Contains(ip):
			b := ip.As16()
			return embeddedKind(netip.AddrFrom4([4]byte(b[12:])), "IPv6")
		case sixToFour.Contains(ip):
			b := ip.As16()
			return embeddedKind(netip.AddrFrom4([4]byte(b[2:6])), "6to4")
		case teredo.Contains(ip):
			b := ip.As16()
			client := [4]byte(b[12:])
			for i := range client {
				client[i] ^= 0xff
			}
			if k := embeddedKind(netip.AddrFrom4(client), "Teredo"); k != "" {
				return k
			}
			return embeddedKind(netip.AddrFrom4([4]byte(b[4:8])), "Teredo")
		case discard6.Contains(ip):
			return "discard-only (100::/64)"
		}
	}
	ip = ip.Unmap()
	switch {
	case ip.IsUnspecified(), thisNet.Contains(ip):
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		if ip.Is4() {
			return "RFC 1918 private"
		}
		return "IPv6 unique local"
	case cgnat.Contains(ip):
		return "carrier-grade NAT (100.64.0.0/10)"
	case ip.IsLinkLocalUnicast():
		if ip == netip.AddrFrom4([4]byte{169, 254, 169, 254}) {
			return "link-local (cloud metadata service)"
		}
		return "link-local"
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case ietf4.Contains(ip):
		return "IETF protocol assignment (192.0.0.0/24)"
	case bench.Contains(ip):
		return "benchmarking (198.18.0.0/15)"
	case reserved4.Contains(ip):
		return "reserved or broadcast"
	case siteLocal.Contains(ip):
		return "IPv6 site-local"
	}
	return ""
}

// embeddedKind is privateKind of v4, embedded in an IPv6 address of the given form.
func embeddedKind(v4 netip.Addr, form string) string {
	if k := privateKind(v4); k != "" {
		return k + " (embedded in " + form + ")"
	}
	return ""
}

// guard is the dendrite's destination policy: the dialer's Control hook checks the address
// each connection actually goes to (after name resolution, for every address tried), so no
// host name or DNS answer gets round it, and the HTTP client follows no redirect.
type guard struct {
	setting  string
	allowed  map[string]bool // normalised host:port destinations chosen by the operator
	external netip.Addr      // Config.ExternalIP, which the dendrite calls on loopback
	open     *net.Dialer     // for allowed destinations
	checked  *net.Dialer     // with the Control hook

	mu     sync.Mutex
	logged map[string]bool // axon host:port and hotkey already logged as refused
}

// explicitKey marks a request's context as going to a destination the operator chose (the
// ExternalIP loopback shortcut).
type explicitKey struct{}

func newGuard(cfg Config, base net.Dialer) *guard {
	g := &guard{setting: privateSetting(cfg), allowed: map[string]bool{}, logged: map[string]bool{}}
	for _, a := range cfg.AllowDestinations {
		g.allowed[normalise(a)] = true
	}
	if ext, err := netip.ParseAddr(cfg.ExternalIP); err == nil {
		g.external = ext
	}
	open, checked := base, base
	checked.Control = g.control
	g.open, g.checked = &open, &checked
	return g
}

// privateSetting is the setting a refusal's message names.
func privateSetting(cfg Config) string {
	if cfg.PrivateSetting != "" {
		return cfg.PrivateSetting
	}
	return "dendrite.Config.RefusePrivate off (or Config.AllowDestinations)"
}

// CheckDestination says, before any call, whether a dendrite with cfg would refuse to
// connect to an axon published at addr: it returns a *PrivateDestinationError (naming the
// kind of address and cfg's PrivateSetting) when it would, and nil when the call would go
// ahead. It applies the dendrite's own rule: nothing is refused with RefusePrivate off;
// addr is allowed when it is one of AllowDestinations or is ExternalIP (which the dendrite
// calls on this host's loopback); otherwise a non-public address is refused, an IPv4
// address embedded in IPv6 (v4-mapped, NAT64) judged as the IPv4 address it reaches.
//
// Callers that pick axons to call (the user gateway) use it to leave out axons the
// dendrite would refuse, rather than spend a call on each. It judges an address, not a
// host name: the dendrite's check on the address actually connected to stays the
// authority.
func CheckDestination(addr netip.AddrPort, cfg Config) error {
	if !cfg.RefusePrivate {
		return nil
	}
	return newGuard(cfg, net.Dialer{}).check(addr)
}

// CheckDestination is the package's CheckDestination with d's configuration, its allowed
// destinations read once at New: what d would refuse to call.
func (d *Dendrite) CheckDestination(addr netip.AddrPort) error {
	if d.guard == nil {
		return nil
	}
	return d.guard.check(addr)
}

// check is CheckDestination with the guard's settings, read once.
func (g *guard) check(addr netip.AddrPort) error {
	if g.external.IsValid() && g.external == addr.Addr() {
		return nil
	}
	if g.allowed[normalise(addr.String())] {
		return nil
	}
	if k := privateKind(addr.Addr()); k != "" {
		return &PrivateDestinationError{Addr: addr, Kind: k, Setting: g.setting}
	}
	return nil
}

// normalise writes host:port with a lower-case host and an IP in its canonical form.
func normalise(hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().String()
	}
	return net.JoinHostPort(strings.ToLower(host), port)
}

func (g *guard) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if ctx.Value(explicitKey{}) != nil || g.allowed[normalise(addr)] {
		return g.open.DialContext(ctx, network, addr)
	}
	return g.checked.DialContext(ctx, network, addr)
}

// control refuses a connection about to be made to a non-public address.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse the address %q", ErrPrivateDestination, address)
	}
	if k := privateKind(ap.Addr()); k != "" {
		return &PrivateDestinationError{Addr: ap, Kind: k, Setting: g.setting}
	}
	return nil
}

// firstRefusal reports whether this is the first refusal of key, which is then remembered
// (up to maxLogged keys, so a subnet of hostile axons cannot grow it without bound).
func (g *guard) firstRefusal(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.logged[key] || len(g.logged) >= maxLogged {
		return false
	}
	g.logged[key] = true
	return true
}

const maxLogged = 4096
