package synapse

import (
	"crypto/sha3"
	"encoding/hex"
	"strconv"
)

// Signed responses: a Gotensor extension, off unless the dendrite asks (SDK-SPEC "optional
// verification of a signed response (negotiated by header; off for Python peers)"). A
// dendrite that wants the answer signed sends HeaderSignResponse: 1; a Gotensor axon then
// signs its 200 answer with its hotkey over ResponseSignatureMessage and sends the signature
// in HeaderResponseSignature. Python axons ignore the request header, so a dendrite must
// only ask axons it knows to be Gotensor's. The names have no bt_header_ prefix, so Python
// axons never parse them into terminal info.
const (
	HeaderSignResponse      = "gotensor-sign-response"
	HeaderResponseSignature = "gotensor-response-signature"
)

// ResponseSignatureMessage is what an axon signs for a signed answer:
// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{sha3_256_hex(response body)}", with the
// request's nonce and uuid, so an old answer cannot be replayed for a new request and no
// byte of the answer can change.
func ResponseSignatureMessage(nonce int64, dendriteHotkey, axonHotkey, uuid string, body []byte) []byte {
	sum := sha3.Sum256(body)
	b := make([]byte, 0, 20+48+48+len(uuid)+64+4)
	b = strconv.AppendInt(b, nonce, 10)
	b = append(b, '.')
	b = append(b, dendriteHotkey...)
	b = append(b, '.')
	b = append(b, axonHotkey...)
	b = append(b, '.')
	b = append(b, uuid...)
	b = append(b, '.')
	return hex.AppendEncode(b, sum[:])
}

// StreamSignatureMessage is what an axon signs for a signed streamed answer, at its end:
// "stream:{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{request_body_hash}.{sha3_256_hex(stream)}".
// A streamed answer does not repeat the request as a JSON answer does, so the request's
// computed_body_hash (which the dendrite signed and the axon checked) binds the stream to
// what was asked; the "stream:" prefix keeps it from reading as a ResponseSignatureMessage,
// which starts with the nonce's digits. streamSum is the SHA3-256 of every body byte sent.
func StreamSignatureMessage(nonce int64, dendriteHotkey, axonHotkey, uuid, requestBodyHash string, streamSum [32]byte) []byte {
	b := make([]byte, 0, 7+20+48+48+len(uuid)+len(requestBodyHash)+64+5)
	b = append(b, "stream:"...)
	b = strconv.AppendInt(b, nonce, 10)
	for _, f := range []string{dendriteHotkey, axonHotkey, uuid, requestBodyHash} {
		b = append(b, '.')
		b = append(b, f...)
	}
	b = append(b, '.')
	return hex.AppendEncode(b, streamSum[:])
}
