package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"

	"github.com/gtank/merlin"
	r255 "github.com/gtank/ristretto255"
)

// Signing and verification follow schnorrkel's sign.rs (and go-schnorrkel, which it
// interoperates with) over the same ristretto255 and merlin packages, but keep what
// go-schnorrkel recomputes on every call: the signer's public key (a base-point
// multiplication per signature there) and the verifier's decoded point and its encoding
// (two square roots per verification there). An axon verifies every request, so this is
// its hot path.

// Transcript labels. merlin appends the length to the label slice it is given, so each has
// no spare capacity: the append must copy, never write into this shared array while another
// goroutine reads it.
var (
	labelEmpty     = label("")
	labelSignBytes = label("sign-bytes")
	labelProto     = label("proto-name")
	protoSchnorr   = label("Schnorr-sig")
	labelPK        = label("sign:pk")
	labelR         = label("sign:R")
	labelC         = label("sign:c")
)

func label(s string) []byte { b := []byte(s); return b[:len(b):len(b)] }

// challenge returns k = H(transcript ‖ pk ‖ R), the Schnorr challenge of schnorrkel's
// signing protocol under the "substrate" context.
func challenge(pub *PublicKey, msg, rEnc []byte) *r255.Scalar {
	t := merlin.NewTranscript("SigningContext")
	t.AppendMessage(labelEmpty, signingContext)
	t.AppendMessage(labelSignBytes, msg)
	t.AppendMessage(labelProto, protoSchnorr)
	t.AppendMessage(labelPK, pub[:])
	t.AppendMessage(labelR, rEnc)
	return r255.NewScalar().FromUniformBytes(t.ExtractBytes(labelC, 64))
}

// sign makes a schnorrkel signature (R, s) with s = k·x + r for a fresh random r.
func sign(x *r255.Scalar, pub *PublicKey, msg []byte) ([]byte, error) {
	var rnd [64]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, fmt.Errorf("keys: sign: reading randomness: %w", err)
	}
	r := r255.NewScalar().FromUniformBytes(rnd[:])
	if r.Equal(r255.NewScalar()) == 1 { // probability 2⁻²⁵², but a zero r would leak x
		return nil, errors.New("keys: sign: random nonce was zero; sign again")
	}
	sig := make([]byte, 0, SignatureSize)
	sig = r255.NewElement().ScalarBaseMult(r).Encode(sig)
	k := challenge(pub, msg, sig[:32])
	s := k.Multiply(k, x).Add(k, r)
	sig = s.Encode(sig)
	sig[63] |= 0x80 // schnorrkel's marker that tells it from an Ed25519 signature
	return sig, nil
}

// ErrBadPublicKey is returned for 32 bytes that are not a usable sr25519 public key: not a
// canonical ristretto255 encoding, or the identity point.
var ErrBadPublicKey = errors.New("keys: invalid sr25519 public key")

// Verifier is a public key decoded for verification. Decoding costs a square root, about a
// tenth of a verification; a server that checks many signatures from one key keeps its
// Verifier (or uses a VerifierCache). A Verifier is immutable and safe for concurrent use.
type Verifier struct {
	pub PublicKey
	neg *r255.Element // −A, as the verification equation uses it
}

// Verifier decodes p for repeated verification. It fails with ErrBadPublicKey for bytes
// that are no ristretto255 point, or the identity (which every signature would satisfy).
func (p PublicKey) Verifier() (*Verifier, error) {
	a := r255.NewElement()
	if err := a.Decode(p[:]); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadPublicKey, p.Hex(), err)
	}
	if a.Equal(r255.NewElement()) == 1 {
		return nil, fmt.Errorf("%w: %s is the identity point", ErrBadPublicKey, p.Hex())
	}
	return &Verifier{pub: p, neg: a.Negate(a)}, nil
}

// PublicKey returns the key v verifies for.
func (v *Verifier) PublicKey() PublicKey { return v.pub }

// Verify reports whether sig is a valid sr25519 signature of msg by v's key under the
// "substrate" signing context, as Verify does.
func (v *Verifier) Verify(msg, sig []byte) bool {
	if len(sig) != SignatureSize || sig[63]&0x80 == 0 {
		return false // not a schnorrkel signature (the marker bit is unset in Ed25519 ones)
	}
	var sb [32]byte
	copy(sb[:], sig[32:])
	sb[31] &= 0x7f
	s := r255.NewScalar()
	if err := s.Decode(sb[:]); err != nil { // non-canonical s: malleable, refused
		return false
	}
	k := challenge(&v.pub, msg, sig[:32])
	// R' = s·B − k·A must encode to R. Comparing encodings, as schnorrkel does, spares
	// decoding R: an invalid or non-canonical R never equals a canonical encoding.
	var enc [32]byte
	r255.NewElement().VarTimeDoubleScalarBaseMult(k, v.neg, s).Encode(enc[:0])
	return [32]byte(sig[:32]) == enc
}

// VerifierCache verifies signatures with Verifiers kept per public key, for servers that see
// the same callers again and again. It holds at most its capacity; past it, an arbitrary
// entry makes room, so memory stays bounded whatever keys arrive. Safe for concurrent use.
type VerifierCache struct {
	max int
	mu  sync.RWMutex
	m   map[PublicKey]*Verifier
}

// NewVerifierCache returns a cache of at most capacity decoded keys (at least 1).
func NewVerifierCache(capacity int) *VerifierCache {
	capacity = max(capacity, 1)
	return &VerifierCache{max: capacity, m: make(map[PublicKey]*Verifier)} // grows with use: most servers see few keys
}

// Verify is keys.Verify(pub, msg, sig), decoding pub only the first time it is seen.
// Invalid keys are not cached: they cannot fill the cache with garbage.
func (c *VerifierCache) Verify(pub PublicKey, msg, sig []byte) bool {
	v := c.Verifier(pub)
	if v == nil {
		return false
	}
	return v.Verify(msg, sig)
}

// Verifier returns pub's Verifier, decoding and keeping it the first time, or nil when pub
// is not a valid key.
func (c *VerifierCache) Verifier(pub PublicKey) *Verifier {
	c.mu.RLock()
	v := c.m[pub]
	c.mu.RUnlock()
	if v != nil {
		return v
	}
	v, err := pub.Verifier()
	if err != nil {
		return nil
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		for k := range c.m { // map order is random enough for eviction
			delete(c.m, k)
			break
		}
	}
	c.m[pub] = v
	c.mu.Unlock()
	return v
}

// Len returns the number of keys cached.
func (c *VerifierCache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
