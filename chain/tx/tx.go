package tx

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/keys"
)

// Domain prefixes the body bytes in the signing payload.
const Domain = "gotensor/tx/v1\x00"

// MaxTxBytes bounds an encoded transaction. Larger ones are rejected before
// decoding.
const MaxTxBytes = 64 << 10

// Errors of the envelope (codespace "tx").
var (
	ErrMalformed    = errs.Register("tx", 1, "MalformedTransaction", "the bytes are not a gotensor/tx/v1 Tx; rebuild it with a current client")
	ErrTooLarge     = errs.Register("tx", 2, "TransactionTooLarge", "split the work into smaller transactions")
	ErrBadSignature = errs.Register("tx", 3, "BadSignature", "sign the exact body bytes with the signer's key")
	ErrWrongChain   = errs.Register("tx", 4, "WrongChainId", "build the transaction for this chain's id (see /status)")
	ErrExpired      = errs.Register("tx", 5, "Expired", "the transaction's valid_until block has passed; build and sign it again")
	ErrStale        = errs.Register("tx", 6, "Stale", "the nonce was already used; query the account's nonce and sign again")
	ErrFuture       = errs.Register("tx", 7, "Future", "the nonce skips ahead of the account's next nonce; send the missing transactions first")
	ErrUnknownCall  = errs.Register("tx", 8, "UnknownCall", "this node does not know the call; upgrade the node or the client")
	ErrCannotPayFee = errs.Register("tx", 9, "Payment", "the signer's free balance cannot pay the fee and tip; fund the account")
	ErrValidTooLong = errs.Register("tx", 10, "ValidityTooLong", "valid_until is too far in the future; use a shorter mortality")
	ErrAlreadyKnown = errs.Register("tx", 11, "AlreadyInMempool", "the same transaction was already submitted")
)

// Decoded is a transaction whose envelope decoded cleanly.
type Decoded struct {
	Raw       []byte // the bytes as received
	Body      *txpb.TxBody
	BodyBytes []byte // exactly the signed bytes
	Signature []byte
	Signer    keys.PublicKey
}

// Hash is the transaction hash CometBFT uses: SHA-256 of the raw bytes.
func Hash(raw []byte) [32]byte { return sha256.Sum256(raw) }

// Hash returns the transaction hash.
func (d *Decoded) Hash() [32]byte { return Hash(d.Raw) }

// SigningPayload is what a signer signs for body.
func SigningPayload(body []byte) []byte {
	p := make([]byte, 0, len(Domain)+len(body))
	p = append(p, Domain...)
	return append(p, body...)
}

// Decode parses raw without checking the signature. Every structural rule
// is checked here: sizes, signer length, a known call.
func Decode(raw []byte) (*Decoded, error) {
	if len(raw) > MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), MaxTxBytes)
	}
	var t txpb.Tx
	if err := proto.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if len(t.Signature) != 64 {
		return nil, fmt.Errorf("%w: signature is %d bytes, want 64", ErrMalformed, len(t.Signature))
	}
	var body txpb.TxBody
	if err := proto.Unmarshal(t.Body, &body); err != nil {
		return nil, fmt.Errorf("%w: body: %v", ErrMalformed, err)
	}
	if len(body.Signer) != 32 {
		return nil, fmt.Errorf("%w: signer is %d bytes, want a 32-byte public key", ErrMalformed, len(body.Signer))
	}
	if body.ChainId == "" {
		return nil, fmt.Errorf("%w: empty chain_id", ErrMalformed)
	}
	if body.Call == nil || body.Call.Call == nil {
		return nil, fmt.Errorf("%w: no call, or a call this node does not know", ErrUnknownCall)
	}
	if len(body.ProtoReflect().GetUnknown()) > 0 || len(body.Call.ProtoReflect().GetUnknown()) > 0 {
		return nil, fmt.Errorf("%w: the body has fields this node does not know", ErrUnknownCall)
	}
	d := &Decoded{Raw: raw, Body: &body, BodyBytes: t.Body, Signature: t.Signature}
	copy(d.Signer[:], body.Signer)
	return d, nil
}

// VerifySignature checks the signature over the body bytes as received.
func (d *Decoded) VerifySignature() error { return d.VerifySignatureWith(keys.Verify) }

// VerifySignatureWith is VerifySignature with verify in place of keys.Verify: a
// checker that gives keys.Verify's answers faster (one that keeps decoded keys,
// or batches the checks of concurrent callers).
func (d *Decoded) VerifySignatureWith(verify func(pub keys.PublicKey, msg, sig []byte) bool) error {
	if !verify(d.Signer, SigningPayload(d.BodyBytes), d.Signature) {
		return fmt.Errorf("%w: signature does not match signer %s", ErrBadSignature, d.Signer.SS58())
	}
	return nil
}

// CallName is subtensor's name for the call ("transfer", "add_stake", ...).
func CallName(c *txpb.Call) string {
	if c == nil || c.Call == nil {
		return ""
	}
	m := c.ProtoReflect()
	fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("call"))
	if fd == nil {
		return ""
	}
	return string(fd.Name())
}

// Signer signs transaction bodies. keys.Keypair satisfies it.
type Signer interface {
	Public() keys.PublicKey
	Sign(msg []byte) ([]byte, error)
}

// Build is what a client fills in to make a transaction.
type Build struct {
	Nonce      uint64
	ChainID    string
	ValidUntil uint64
	Tip        uint64
	Call       *txpb.Call
}

// Sign serialises and signs b, returning the bytes to broadcast.
func Sign(s Signer, b Build) ([]byte, error) {
	if b.Call == nil {
		return nil, errors.New("tx: no call")
	}
	pub := s.Public()
	body, err := proto.MarshalOptions{Deterministic: true}.Marshal(&txpb.TxBody{
		Signer:     pub[:],
		Nonce:      b.Nonce,
		ChainId:    b.ChainID,
		ValidUntil: b.ValidUntil,
		Tip:        b.Tip,
		Call:       b.Call,
	})
	if err != nil {
		return nil, fmt.Errorf("tx: encode body: %w", err)
	}
	sig, err := s.Sign(SigningPayload(body))
	if err != nil {
		return nil, fmt.Errorf("tx: sign: %w", err)
	}
	raw, err := proto.Marshal(&txpb.Tx{Body: body, Signature: sig})
	if err != nil {
		return nil, fmt.Errorf("tx: encode: %w", err)
	}
	if len(raw) > MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), MaxTxBytes)
	}
	return raw, nil
}
