package synapse

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"github.com/gotensor/gotensor/keys"
)

// AxonInfo is where and who an axon is: what serve_axon publishes and the metagraph lists
// (reference §2.6). JSON names are Bittensor's; hotkey and coldkey are SS58 text.
type AxonInfo struct {
	Version      uint32         `json:"version"` // the axon's SDK version_as_int
	IP           string         `json:"ip"`      // dotted IPv4 or IPv6 text; "0.0.0.0" when not serving
	Port         uint16         `json:"port"`
	IPType       uint8          `json:"ip_type"`  // 4 or 6
	Protocol     uint8          `json:"protocol"` // 4 in Bittensor
	Hotkey       keys.PublicKey `json:"hotkey"`
	Coldkey      keys.PublicKey `json:"coldkey"`
	Placeholder1 uint8          `json:"placeholder1"`
	Placeholder2 uint8          `json:"placeholder2"`
}

// ErrBadIP: an AxonInfo's IP is not an IP address, or does not fit its ip_type.
var ErrBadIP = errors.New("synapse: invalid axon IP")

// IsServing reports whether the axon has published an address: Python's is_serving, the IP
// is set and not 0.0.0.0.
func (a AxonInfo) IsServing() bool {
	ip, err := netip.ParseAddr(a.IP)
	return err == nil && !ip.IsUnspecified() && a.Port != 0
}

// Addr returns "ip:port", with brackets for IPv6, to dial.
func (a AxonInfo) Addr() string { return net.JoinHostPort(a.IP, strconv.Itoa(int(a.Port))) }

// String returns Python's ip_str form, "/ipv4/1.2.3.4:8091".
func (a AxonInfo) String() string {
	t := a.IPType
	if t == 0 {
		t = 4
		if ip, err := netip.ParseAddr(a.IP); err == nil && ip.Is6() && !ip.Is4In6() {
			t = 6
		}
	}
	return fmt.Sprintf("/ipv%d/%s:%d", t, a.IP, a.Port)
}

// IPToInt returns ip as the 128-bit integer the chain stores (hi, lo: big-endian halves),
// with its ip_type, as Python's int(ipaddress.ip_address(ip)). An IPv4 address, or IPv4
// mapped into IPv6, is type 4.
func IPToInt(ip string) (hi, lo uint64, ipType uint8, err error) {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("%w: %q: %v", ErrBadIP, ip, err)
	}
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return 0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3]), 4, nil
	}
	b := a.As16()
	for i := range 8 {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return hi, lo, 6, nil
}

// IPFromInt is the inverse of IPToInt.
func IPFromInt(hi, lo uint64, ipType uint8) (string, error) {
	switch ipType {
	case 4:
		if hi != 0 || lo > 0xffffffff {
			return "", fmt.Errorf("%w: %d does not fit IPv4", ErrBadIP, lo)
		}
		return netip.AddrFrom4([4]byte{byte(lo >> 24), byte(lo >> 16), byte(lo >> 8), byte(lo)}).String(), nil
	case 6:
		var b [16]byte
		for i := range 8 {
			b[7-i] = byte(hi >> (8 * i))
			b[15-i] = byte(lo >> (8 * i))
		}
		return netip.AddrFrom16(b).String(), nil
	}
	return "", fmt.Errorf("%w: ip_type %d (want 4 or 6)", ErrBadIP, ipType)
}
