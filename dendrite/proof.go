package dendrite

import (
	"context"
	"crypto/sha3"
	"errors"
	"fmt"

	"github.com/gotensor/gotensor/keys"
	"github.com/gotensor/gotensor/synapse"
)

// ResponseProof is what a third party needs to re-verify a signed 200 answer (see
// Config.VerifyResponses): the request's nonce and uuid, the dendrite's and the axon's
// hotkeys, the answer body exactly as received and the axon's signature over
// synapse.ResponseSignatureMessage of them. Whoever holds it can check, without trusting
// whoever passed it on, that the axon's hotkey sent Body in answer to that dendrite's
// request.
//
// A streamed answer's proof (Stream.Proof) has RequestHash set: the request's
// computed_body_hash, and the signature is over synapse.StreamSignatureMessage, with Body
// the raw streamed bytes. A JSON answer repeats its request, but a stream does not, so the
// hash is what ties the stream to what was asked: a checker recomputes it from the request
// it was told of (synapse.BodyHash) and compares.
type ResponseProof struct {
	Nonce       int64
	UUID        string
	Dendrite    string // the dendrite's hotkey, SS58
	Axon        string // the axon's hotkey, SS58
	RequestHash string // a stream's request computed_body_hash; "" for a JSON answer
	Body        []byte
	Signature   []byte // sr25519, 64 bytes
}

// Message returns what the axon signed: synapse.ResponseSignatureMessage of p's fields, or
// synapse.StreamSignatureMessage for a streamed answer (RequestHash set).
func (p *ResponseProof) Message() []byte {
	if p.RequestHash != "" {
		return synapse.StreamSignatureMessage(p.Nonce, p.Dendrite, p.Axon, p.UUID, p.RequestHash, sha3.Sum256(p.Body))
	}
	return synapse.ResponseSignatureMessage(p.Nonce, p.Dendrite, p.Axon, p.UUID, p.Body)
}

// ErrProof: a ResponseProof does not verify.
var ErrProof = errors.New("dendrite: response proof does not verify")

// Verify reports whether p's signature is the axon's over its fields.
func (p *ResponseProof) Verify() error {
	axon, err := keys.ParseSS58(p.Axon)
	if err != nil {
		return fmt.Errorf("%w: the axon hotkey %q is not an SS58 address", ErrProof, p.Axon)
	}
	if _, err := keys.ParseSS58(p.Dendrite); err != nil {
		return fmt.Errorf("%w: the dendrite hotkey %q is not an SS58 address", ErrProof, p.Dendrite)
	}
	if !keys.Verify(axon, p.Message(), p.Signature) {
		return fmt.Errorf("%w: the signature is not the axon %s's over this answer", ErrProof, p.Axon)
	}
	return nil
}

// CallWithProof is Call that also returns the answer's ResponseProof. The proof is non-nil
// only when the Dendrite has Config.VerifyResponses on and the call succeeded (status
// 200, signature checked); otherwise it is nil and the error is Call's.
func (d *Dendrite) CallWithProof(ctx context.Context, axon synapse.AxonInfo, syn synapse.Synapse) (*ResponseProof, error) {
	var p *ResponseProof
	err := d.callProof(ctx, axon, syn, &p)
	if err != nil {
		return nil, err
	}
	return p, nil
}
