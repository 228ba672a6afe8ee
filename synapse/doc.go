// Package synapse is the wire format shared by axons (miners' servers) and dendrites
// (validators' clients): Bittensor's synapses, their headers, body hash and request
// signature (reference §2.1–2.6, SDK-SPEC "Wire protocol"), and Epistula signed headers as
// the second scheme (reference §2.8).
//
// A synapse is a Go struct that embeds Base and whose JSON tags are the Python field names,
// so Go and Python peers exchange the same JSON:
//
//	type Dummy struct {
//		synapse.Base
//		DummyInput  int  `json:"dummy_input" bt:"required"`
//		DummyOutput *int `json:"dummy_output"`
//	}
//
//	// The body hash, and so the dendrite's signature, covers these fields.
//	func (*Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }
//
// The route is /{name}, the Go type name unless the type implements Namer. bt:"required"
// marks fields with no default in the Python model, for which Python axons need a
// placeholder header.
//
// # Body hash
//
// Bittensor's body hash is sha3_256_hex of the concatenated sha3_256_hex(str(value)) of the
// hashed fields, where str is Python's. PyStr reproduces str() for strings, integers, floats
// (repr: 1.0, 1e-05, inf), bools, None, lists, dicts and nested models; golden values
// computed with CPython are in testdata/pystr_golden.json (testdata/gen_golden.py makes
// them). A receiver hashes each field from its JSON text as received (Type.Decode), so a
// dict keeps the order its sender gave it; a sender hashes the JSON it is about to send
// (BodyHash), so a Go map goes out, and is hashed, with sorted keys.
//
// A nested struct renders as the dict pydantic's model_dump makes of a nested model: every
// JSON field, in the Go struct's field order, so declare them in the Python model's order.
// JSON cannot carry NaN or ±Inf, so such floats cannot be sent (BodyHash returns an error).
//
// A synapse without hashed fields has the constant EmptyBodyHash and its body is not
// covered by the signature (RaoFoundation/bittensor#3407): declare the fields that matter.
//
// # Signing
//
// PrepareRequest fills a synapse's terminal infos and returns the body and headers of a
// signed request. With the Bittensor scheme the dendrite's hotkey signs
// SignatureMessage(nonce, dendrite hotkey, axon hotkey, uuid, body hash); with Epistula it
// signs EpistulaMessage(body, uuid, timestamp, signed-for), which covers the whole body.
// Header names are sent in lower case with underscores, exactly as Python sends them.
package synapse
