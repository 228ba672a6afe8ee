package synapse

import (
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// EmptyBodyHash is SHA3-256 of the empty string: the body hash of a synapse with no hashed
// fields (reference §2.3).
const EmptyBodyHash = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"

func sha3Hex(s string) string {
	var b strings.Builder
	writeSha3Hex(&b, s)
	return b.String()
}

// writeSha3Hex writes the hex SHA3-256 of s to w. It hashes s in place: a field rendered for
// the body hash can be as large as the body, and a copy of it per request is garbage the
// axon would collect again and again.
func writeSha3Hex(w *strings.Builder, s string) {
	sum := sha3.Sum256(unsafe.Slice(unsafe.StringData(s), len(s))) // read only
	var buf [2 * 32]byte
	hex.Encode(buf[:], sum[:])
	w.Write(buf[:])
}

// BodyHash returns Bittensor's body hash of s (reference §2.3):
// sha3_256_hex(concat over hashed fields of sha3_256_hex(str(field))). Each field is rendered
// from the JSON the dendrite sends, as the receiver sees it: a float64 field holding 1
// renders "1.0", a map's keys come in sorted order. A value JSON cannot carry (NaN, ±Inf)
// returns an error.
func BodyHash(s Synapse) (string, error) {
	t, err := TypeOf(s)
	if err != nil {
		return "", err
	}
	if len(t.hash) == 0 {
		return EmptyBodyHash, nil
	}
	if err := t.check(s); err != nil {
		return "", err
	}
	return t.hash1(reflect.ValueOf(s).Elem(), nil)
}

// hash1 hashes the fields of v, taking each field's JSON from members when present (the body
// as received) and from the marshalled field value otherwise.
func (t *Type) hash1(v reflect.Value, members map[string]json.RawMessage) (string, error) {
	var cat strings.Builder
	cat.Grow(64 * len(t.hash))
	var str strings.Builder
	for i, f := range t.hash {
		str.Reset()
		if !t.byJSON[i] {
			// No map or untyped value inside: the decoded value renders as its JSON would.
			var fv reflect.Value
			if x, err := v.FieldByIndexErr(f.index); err == nil {
				fv = x
			}
			if err := pyValue(&str, fv, true); err != nil {
				return "", fmt.Errorf("hash field %q: %w", f.name, err)
			}
			if err := finiteFloats(fv); err != nil {
				return "", fmt.Errorf("hash field %q: %w", f.name, err)
			}
			writeSha3Hex(&cat, str.String())
			continue
		}
		raw, ok := members[f.name]
		if !ok {
			var fv any
			if x, err := v.FieldByIndexErr(f.index); err == nil {
				fv = x.Interface()
			}
			var err error
			if raw, err = json.Marshal(fv); err != nil {
				return "", fmt.Errorf("hash field %q: %w", f.name, err)
			}
		}
		if err := pyJSON(&str, raw, f.typ, true); err != nil {
			return "", fmt.Errorf("hash field %q: %w", f.name, err)
		}
		writeSha3Hex(&cat, str.String())
	}
	return sha3Hex(cat.String()), nil
}

// finiteFloats returns an error for a NaN or infinite float in v, which JSON cannot carry:
// the receiver could not decode what the sender hashed.
func finiteFloats(v reflect.Value) error {
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		if f := v.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%s cannot be sent as JSON", PyFloat(f))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return finiteFloats(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		if k := v.Type().Elem().Kind(); k == reflect.Float32 || k == reflect.Float64 || k == reflect.Pointer ||
			k == reflect.Slice || k == reflect.Array || k == reflect.Struct {
			for i := range v.Len() {
				if err := finiteFloats(v.Index(i)); err != nil {
					return err
				}
			}
		}
	case reflect.Struct:
		for _, f := range jsonFields(v.Type()) {
			if fv, err := v.FieldByIndexErr(f.index); err == nil {
				if err := finiteFloats(fv); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// SignatureMessage is the text a dendrite signs for the Bittensor scheme (reference §2.4
// step 3): "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}". The axon checks it
// with its own hotkey as axon_hotkey.
func SignatureMessage(nonce int64, dendriteHotkey, axonHotkey, uuid, bodyHash string) []byte {
	b := make([]byte, 0, 20+48+48+36+64+4)
	b = strconv.AppendInt(b, nonce, 10)
	b = append(b, '.')
	b = append(b, dendriteHotkey...)
	b = append(b, '.')
	b = append(b, axonHotkey...)
	b = append(b, '.')
	b = append(b, uuid...)
	b = append(b, '.')
	return append(b, bodyHash...)
}
