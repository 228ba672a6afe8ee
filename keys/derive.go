package keys

import (
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	schnorrkel "github.com/ChainSafe/go-schnorrkel"
	"golang.org/x/crypto/blake2b"
)

// DevPhrase is Substrate's development mnemonic. "//Alice" and the other dev accounts are
// hard derivations of it.
const DevPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

// ErrBadURI is returned for a secret URI or derivation path that does not parse.
var ErrBadURI = errors.New("keys: invalid secret URI")

// Junction is one step of a derivation path: "//name" (hard) or "/name" (soft).
type Junction struct {
	ChainCode [32]byte
	Hard      bool
}

// NewJunction builds the junction Substrate builds for code (the text after the slashes): a
// decimal that fits u64 is SCALE-encoded as u64 little-endian, anything else as a SCALE
// string (compact length, then bytes); the encoding is zero-padded to 32 bytes, or
// BLAKE2b-256-hashed when longer (sp_core DeriveJunction::soft).
func NewJunction(code string, hard bool) Junction {
	var data []byte
	if n, ok := parseRustU64(code); ok {
		data = binary.LittleEndian.AppendUint64(nil, n)
	} else {
		data = appendCompact(nil, uint64(len(code)))
		data = append(data, code...)
	}
	j := Junction{Hard: hard}
	if len(data) > len(j.ChainCode) {
		j.ChainCode = blake2b.Sum256(data)
	} else {
		copy(j.ChainCode[:], data)
	}
	return j
}

// parseRustU64 parses as Rust's u64::from_str: decimal digits with an optional leading '+'.
func parseRustU64(s string) (uint64, bool) {
	d := strings.TrimPrefix(s, "+")
	if d == "" || d[0] == '+' || d[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(d, 10, 64)
	return n, err == nil
}

// appendCompact appends SCALE's compact encoding of n.
func appendCompact(b []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(b, byte(n<<2))
	case n < 1<<14:
		return binary.LittleEndian.AppendUint16(b, uint16(n<<2|1))
	case n < 1<<30:
		return binary.LittleEndian.AppendUint32(b, uint32(n<<2|2))
	}
	var le []byte
	for v := n; v > 0; v >>= 8 {
		le = append(le, byte(v))
	}
	b = append(b, byte(len(le)-4)<<2|3)
	return append(b, le...)
}

// ParsePath splits a derivation path such as "//hard/soft//0" into junctions. The empty path
// gives none.
func ParsePath(path string) ([]Junction, error) {
	var js []Junction
	rest := path
	for rest != "" {
		if rest[0] != '/' {
			return nil, fmt.Errorf("%w: path %q: a junction starts with / or //", ErrBadURI, path)
		}
		hard := strings.HasPrefix(rest, "//")
		if hard {
			rest = rest[2:]
		} else {
			rest = rest[1:]
		}
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		code := rest[:end]
		if code == "" {
			return nil, fmt.Errorf("%w: path %q has an empty junction", ErrBadURI, path)
		}
		js = append(js, NewJunction(code, hard))
		rest = rest[end:]
	}
	return js, nil
}

// Derive applies a derivation path ("//hard/soft") as Substrate's sr25519 Pair::derive: a
// hard junction derives a new mini secret (and keeps Seed known if it was), a soft junction
// adds a scalar to the secret (and the seed is no longer known). The mnemonic is never
// carried over.
func (k *Keypair) Derive(path string) (*Keypair, error) {
	js, err := ParsePath(path)
	if err != nil {
		return nil, err
	}
	return k.DeriveJunctions(js)
}

// DeriveJunctions applies junctions in order; see Derive.
func (k *Keypair) DeriveJunctions(js []Junction) (*Keypair, error) {
	cur := k
	for i, j := range js {
		next, err := cur.deriveOne(j)
		if err != nil {
			return nil, fmt.Errorf("keys: derive junction %d: %w", i+1, err)
		}
		cur = next
	}
	if cur == k && k.phrase != "" {
		c := *k
		c.phrase = ""
		return &c, nil
	}
	return cur, nil
}

func (k *Keypair) deriveOne(j Junction) (*Keypair, error) {
	sk := k.schnorrkel()
	if j.Hard {
		// schnorrkel hard_derive_mini_secret_key(Some(cc), b""), then Ed25519 expansion.
		mini, _, err := sk.HardDeriveMiniSecretKey(nil, j.ChainCode)
		if err != nil {
			return nil, err
		}
		kp, err := FromSeed(mini.Encode())
		if err != nil {
			return nil, err
		}
		kp.hasSeed = k.hasSeed // Substrate keeps a seed only when the root had one.
		if !kp.hasSeed {
			kp.seed = [32]byte{}
		}
		return kp, nil
	}
	// schnorrkel derived_key_simple(cc, b"").
	ext, err := schnorrkel.DeriveKeySimple(sk, nil, j.ChainCode)
	if err != nil {
		return nil, err
	}
	child, err := ext.Secret()
	if err != nil {
		return nil, err
	}
	var secret [SecretKeySize]byte
	scalar := child.Encode()
	copy(secret[:32], scalar[:])
	// The nonce only protects signatures from a bad RNG and is not part of any standard
	// (schnorrkel derive.rs says so); Rust draws it at random, go-schnorrkel too but hides
	// it. Ours is a hash of the parent secret and the chain code, so a derivation is
	// reproducible.
	h := sha512.New()
	h.Write([]byte("gotensor/HDKD-nonce"))
	h.Write(k.secret[:])
	h.Write(j.ChainCode[:])
	copy(secret[32:], h.Sum(nil))
	return fromSecret(secret)
}

// DeriveSoft applies a path of soft junctions to a public key, as Substrate's
// Public::derive. A hard junction is an error: it needs the secret.
func (p PublicKey) DeriveSoft(path string) (PublicKey, error) {
	js, err := ParsePath(path)
	if err != nil {
		return PublicKey{}, err
	}
	pk, err := schnorrkel.NewPublicKey(p)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: not a valid sr25519 point", ErrBadAddress)
	}
	for i, j := range js {
		if j.Hard {
			return PublicKey{}, fmt.Errorf("%w: junction %d is hard; a public key derives only soft junctions", ErrBadURI, i+1)
		}
		ext, err := schnorrkel.DeriveKeySimple(pk, nil, j.ChainCode)
		if err != nil {
			return PublicKey{}, fmt.Errorf("keys: derive junction %d: %w", i+1, err)
		}
		if pk, err = ext.Public(); err != nil {
			return PublicKey{}, fmt.Errorf("keys: derive junction %d: %w", i+1, err)
		}
	}
	return pk.Encode(), nil
}

// FromURI builds a key from a Substrate secret URI: "<phrase or 0x seed><path>///<password>".
//
//   - "//Alice", "/soft", "///pw": with no phrase the dev phrase (DevPhrase) is used.
//   - "word word ... word//hard/soft///password": a BIP39 mnemonic, a path, and the BIP39
//     password (which substrate-bip39 mixes into PBKDF2).
//   - "0x<64 hex>//path": a 32-byte mini secret.
//
// As Substrate's SecretUri, the phrase may hold only letters, digits and spaces. A password
// with a hex seed is refused (Substrate ignores it silently). A URI key records its seed if
// the path is hard-only, and never a mnemonic (reference §1.3).
func FromURI(uri string) (*Keypair, error) {
	rest, password, hasPassword := strings.Cut(uri, "///")
	phrase, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		phrase, path = rest[:i], rest[i:]
	}
	for _, r := range phrase {
		if !(r == ' ' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return nil, fmt.Errorf("%w: the phrase part may hold only letters, digits and spaces", ErrBadURI)
		}
	}
	js, err := ParsePath(path)
	if err != nil {
		return nil, err
	}
	var root *Keypair
	switch {
	case strings.HasPrefix(phrase, "0x"):
		if hasPassword {
			return nil, fmt.Errorf("%w: a ///password applies to a mnemonic, not to a hex seed", ErrBadURI)
		}
		raw, err := hex.DecodeString(phrase[2:])
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("%w: a hex seed is 0x and 64 hex digits", ErrBadURI)
		}
		root, err = FromSeed([32]byte(raw))
		if err != nil {
			return nil, err
		}
	default:
		if strings.TrimSpace(phrase) == "" {
			phrase = DevPhrase
		}
		root, err = FromMnemonic(phrase, password)
		if err != nil {
			return nil, err
		}
	}
	// DeriveJunctions drops the mnemonic, even for an empty path: a URI key never records
	// one (btwallet create_from_uri).
	return root.DeriveJunctions(js)
}
