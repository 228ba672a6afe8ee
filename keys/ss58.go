package keys

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/blake2b"
)

// SS58Prefix is the network prefix of Bittensor addresses (reference §0, §1.4): the generic
// Substrate prefix, so every address is 48 characters and starts with '5'.
const SS58Prefix = 42

// PublicKeySize is the length of an sr25519 public key (an account id) in bytes.
const PublicKeySize = 32

// Errors returned when an address does not parse. Match them with errors.Is: every
// *AddressError also matches ErrBadAddress, so callers that only care whether the address is
// usable test for ErrBadAddress.
var (
	// ErrBadAddress: the text is not an SS58 address or hex public key (bad base58 character,
	// wrong length, unknown prefix form), or is one of the cases below.
	ErrBadAddress = errors.New("keys: invalid address")
	// ErrBadChecksum: the text is well-formed base58 of the right length but its two checksum
	// bytes do not match (usually a typo).
	ErrBadChecksum = errors.New("keys: SS58 checksum mismatch")
	// ErrWrongPrefix: a valid SS58 address of another network (e.g. Polkadot, prefix 0).
	ErrWrongPrefix = errors.New("keys: wrong SS58 network prefix")
)

// AddressError describes why an address was rejected. Kind is ErrBadAddress, ErrBadChecksum
// or ErrWrongPrefix; errors.Is matches Kind and always ErrBadAddress.
type AddressError struct {
	Addr   string // the input, cut to 64 characters
	Kind   error
	Reason string // what is wrong, for people
	Prefix uint16 // the prefix found, set when Kind is ErrWrongPrefix
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("%v: %q: %s", e.Kind, e.Addr, e.Reason)
}

// Is reports whether target is e.Kind or ErrBadAddress.
func (e *AddressError) Is(target error) bool {
	return target == e.Kind || target == ErrBadAddress
}

func addrErr(s string, kind error, format string, args ...any) *AddressError {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return &AddressError{Addr: s, Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// PublicKey is a 32-byte sr25519 public key, which is also the account id. The zero value is
// the all-zero account; it is not a valid signing key.
type PublicKey [PublicKeySize]byte

// SS58 returns the address with prefix 42.
func (p PublicKey) SS58() string {
	if a, ok := addrs.get(p); ok {
		return a
	}
	a := EncodeSS58(p, SS58Prefix)
	addrs.put(p, a)
	return a
}

// recent is a bounded map that empties itself when full: whatever keys pass
// through, memory stays bounded, and busy ones come back at once.
type recent[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]V
}

func (r *recent[K, V]) get(k K) (V, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.m[k]
	return v, ok
}

func (r *recent[K, V]) put(k K, v V) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= maxCachedAddrs {
		r.m = make(map[K]V)
	}
	r.m[k] = v
}

// addrs keeps the SS58 addresses of recently seen keys: a node names the same
// few accounts in the events of every transaction, and an encoding (a
// checksum and a base-58 conversion) costs ten times a cache hit.
var addrs recent[PublicKey, string]

// parsed keeps recently parsed Bittensor addresses: every stake or
// transfer names a hotkey or destination that the chain parses in the
// mempool check, the proposal and the block (a base-58 decode and a
// checksum, ten times a cache hit). Only valid addresses are kept.
var parsed recent[string, PublicKey]

const maxCachedAddrs = 1 << 14

// String returns the SS58 address, as SS58.
func (p PublicKey) String() string { return p.SS58() }

// Hex returns "0x" followed by 64 lower-case hex digits, the keyfile form (reference §1.2).
func (p PublicKey) Hex() string { return "0x" + hex.EncodeToString(p[:]) }

// IsZero reports whether p is the all-zero key.
func (p PublicKey) IsZero() bool { return p == PublicKey{} }

// MarshalText encodes p as its SS58 address, so PublicKey fields read well in JSON.
func (p PublicKey) MarshalText() ([]byte, error) { return []byte(p.SS58()), nil }

// UnmarshalText accepts an SS58 address with prefix 42 or 0x-hex, as ParsePublicKeyOrSS58.
func (p *PublicKey) UnmarshalText(b []byte) error {
	k, err := ParsePublicKeyOrSS58(string(b))
	if err != nil {
		return err
	}
	*p = k
	return nil
}

// ss58Checksum is the first two bytes of BLAKE2b-512("SS58PRE" ‖ payload) (reference §1.4).
func ss58Checksum(payload []byte) [2]byte {
	// One call on a stack buffer: New512 allocated a hasher per address.
	var buf [7 + 2 + PublicKeySize]byte
	in := append(append(buf[:0], "SS58PRE"...), payload...)
	sum := blake2b.Sum512(in)
	return [2]byte{sum[0], sum[1]}
}

// EncodeSS58 encodes p with any network prefix (0–16383). Prefixes below 64 take one byte,
// the rest two, as Substrate's ss58-registry format.
func EncodeSS58(p PublicKey, prefix uint16) string {
	prefix &= 0x3fff
	var payload []byte
	if prefix < 64 {
		payload = append(payload, byte(prefix))
	} else {
		// Substrate's two-byte form: the low six bits of the first byte and the top two bits of
		// the second carry the prefix's low byte; the second byte's low six bits its high byte.
		first := byte((prefix&0x00fc)>>2) | 0x40
		second := byte(prefix>>8) | byte(prefix&0x0003)<<6
		payload = append(payload, first, second)
	}
	payload = append(payload, p[:]...)
	sum := ss58Checksum(payload)
	payload = append(payload, sum[0], sum[1])
	return base58Encode(payload)
}

// DecodeSS58 decodes an SS58 address of any network and returns the key and its prefix. It
// checks base58, length (a 32-byte account id) and checksum.
func DecodeSS58(s string) (PublicKey, uint16, error) {
	// 36 bytes of base58 take at most 50 characters; refuse long input before the
	// quadratic decode.
	if len(s) == 0 {
		return PublicKey{}, 0, addrErr(s, ErrBadAddress, "empty address")
	}
	if len(s) > 60 {
		return PublicKey{}, 0, addrErr(s, ErrBadAddress,
			"%d characters is too long for an SS58 address (48 expected)", len(s))
	}
	raw, err := base58Decode(s)
	if err != nil {
		return PublicKey{}, 0, addrErr(s, ErrBadAddress, "%v", err)
	}
	if len(raw) < 1 {
		return PublicKey{}, 0, addrErr(s, ErrBadAddress, "empty address")
	}
	var prefix uint16
	var plen int
	switch b := raw[0]; {
	case b < 64:
		prefix, plen = uint16(b), 1
	case b < 128:
		if len(raw) < 2 {
			return PublicKey{}, 0, addrErr(s, ErrBadAddress, "truncated two-byte prefix")
		}
		lower := raw[0]<<2 | raw[1]>>6
		upper := raw[1] & 0x3f
		prefix, plen = uint16(lower)|uint16(upper)<<8, 2
	default:
		return PublicKey{}, 0, addrErr(s, ErrBadAddress, "first byte %#x is not an SS58 prefix", b)
	}
	if want := plen + PublicKeySize + 2; len(raw) != want {
		return PublicKey{}, 0, addrErr(s, ErrBadAddress,
			"decodes to %d bytes, an SS58 account address has %d", len(raw), want)
	}
	body := raw[:len(raw)-2]
	if sum := ss58Checksum(body); sum[0] != raw[len(raw)-2] || sum[1] != raw[len(raw)-1] {
		return PublicKey{}, 0, addrErr(s, ErrBadChecksum, "the address has a typo or was cut; copy it again")
	}
	var p PublicKey
	copy(p[:], body[plen:])
	return p, prefix, nil
}

// networkName names a few well-known prefixes for error messages.
func networkName(prefix uint16) string {
	switch prefix {
	case 0:
		return " (Polkadot)"
	case 2:
		return " (Kusama)"
	case SS58Prefix:
		return " (Bittensor/Substrate generic)"
	}
	return ""
}

// ParseSS58 decodes a Bittensor address: SS58 with prefix 42. Errors match ErrBadAddress,
// and ErrBadChecksum or ErrWrongPrefix when that is the cause.
func ParseSS58(s string) (PublicKey, error) {
	if p, ok := parsed.get(s); ok {
		return p, nil
	}
	p, prefix, err := DecodeSS58(s)
	if err != nil {
		return PublicKey{}, err
	}
	if prefix == SS58Prefix {
		parsed.put(s, p)
	}
	if prefix != SS58Prefix {
		e := addrErr(s, ErrWrongPrefix,
			"address has prefix %d%s but Bittensor expects %d; re-encode the same public key with prefix %d (its 0x hex form is accepted too)",
			prefix, networkName(prefix), SS58Prefix, SS58Prefix)
		e.Prefix = prefix
		return PublicKey{}, e
	}
	return p, nil
}

// ParsePublicKeyOrSS58 accepts an SS58 address with prefix 42, or a public key as 64 hex
// digits with or without "0x" (as Bittensor's is_valid_bittensor_address_or_public_key).
func ParsePublicKeyOrSS58(s string) (PublicKey, error) {
	s = strings.TrimSpace(s)
	h := s
	if strings.HasPrefix(h, "0x") || strings.HasPrefix(h, "0X") {
		h = h[2:]
	} else if len(h) != 2*PublicKeySize {
		return ParseSS58(s)
	}
	if len(h) != 2*PublicKeySize {
		return PublicKey{}, addrErr(s, ErrBadAddress,
			"a hex public key has 64 hex digits, this has %d", len(h))
	}
	var p PublicKey
	if _, err := hex.Decode(p[:], []byte(h)); err != nil {
		return PublicKey{}, addrErr(s, ErrBadAddress, "not hex: %v", err)
	}
	return p, nil
}

// PublicKeyFromBytes copies a 32-byte slice into a PublicKey.
func PublicKeyFromBytes(b []byte) (PublicKey, error) {
	var p PublicKey
	if len(b) != PublicKeySize {
		return p, fmt.Errorf("%w: public key has %d bytes, want %d", ErrBadAddress, len(b), PublicKeySize)
	}
	copy(p[:], b)
	return p, nil
}
