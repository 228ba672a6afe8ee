package synapse

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseHeaders feeds header blocks ("name: value" lines) to ParseHeaders and
// ParseEpistula: no panic, and what parses re-encodes to headers that parse the same.
// Seeds: testdata/fuzz/FuzzParseHeaders.
func FuzzParseHeaders(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		h := http.Header{}
		for line := range bytes.Lines(raw) {
			k, v, ok := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(":"))
			if !ok {
				continue
			}
			key := http.CanonicalHeaderKey(string(bytes.TrimSpace(k)))
			h[key] = append(h[key], string(bytes.TrimSpace(v)))
		}
		_, _ = ParseEpistula(h) // must not panic; errors are expected
		hdr, err := ParseHeaders(h)
		if err != nil {
			return
		}
		out := http.Header{}
		writeTerminal(out, PrefixAxon, &hdr.Axon)
		writeTerminal(out, PrefixDendrite, &hdr.Dendrite)
		again, err := ParseHeaders(out)
		if err != nil {
			t.Fatalf("re-encoded headers do not parse: %v\n%v", err, out)
		}
		if again.Axon != hdr.Axon || again.Dendrite != hdr.Dendrite {
			t.Fatalf("round trip changed terminal infos:\n%+v\n%+v", hdr, again)
		}
	})
}

// fuzzSynapse has a field of every hashable kind.
type fuzzSynapse struct {
	Base
	S  string              `json:"s"`
	N  int64               `json:"n"`
	F  float64             `json:"f"`
	B  *bool               `json:"b"`
	L  []any               `json:"l"`
	M  map[string]any      `json:"m"`
	MI map[int]string      `json:"mi"`
	LL [][]float32         `json:"ll"`
	ST []fuzzNested        `json:"st"`
	U  uint8               `json:"u"`
	X  any                 `json:"x"`
	MS []map[string]string `json:"ms"`
}

func (*fuzzSynapse) RequiredHashFields() []string {
	return []string{"s", "n", "f", "b", "l", "m", "mi", "ll", "x", "ms", "st", "u"}
}

type fuzzNested struct {
	A string   `json:"a"`
	B *float64 `json:"b"`
	C []bool   `json:"c"`
}

// FuzzDecode feeds bodies to Type.Decode: no panic, the same body always hashes the same,
// and a decoded value hashes (as a Go sender) as its own JSON does (as a Go receiver).
// Seeds: testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	typ := MustTypeOf((*fuzzSynapse)(nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, hash, err := typ.Decode(body)
		if err != nil {
			return
		}
		if _, again, err := typ.Decode(body); err != nil || again != hash {
			t.Fatalf("second decode: %s, %v; first %s", again, err, hash)
		}
		// Fields without maps or untyped values are hashed from the decoded value; that must
		// be what their JSON renders to.
		v := reflect.ValueOf(s).Elem()
		for i, f := range typ.hash {
			if typ.byJSON[i] {
				continue
			}
			fv := v.FieldByIndex(f.index)
			var byValue, byText strings.Builder
			if err := pyValue(&byValue, fv, true); err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(fv.Interface())
			if err != nil {
				t.Fatal(err)
			}
			if err := pyJSON(&byText, raw, f.typ, true); err != nil {
				t.Fatal(err)
			}
			if byValue.String() != byText.String() {
				t.Fatalf("field %s: value renders %q, its JSON %s renders %q", f.name, byValue.String(), raw, byText.String())
			}
		}
		sent, err := BodyHash(s)
		if err != nil {
			t.Fatalf("BodyHash of a decoded value: %v", err)
		}
		wire, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		_, received, err := typ.Decode(wire)
		if err != nil {
			t.Fatalf("re-encoded body does not decode: %v\n%s", err, wire)
		}
		if sent != received {
			t.Fatalf("sender hash %s != receiver hash %s for %s", sent, received, wire)
		}
	})
}

// FuzzTerminalInfoJSON checks that TerminalInfo's one-pass reader agrees with the general
// one: same value, or an error from both, for any input the one-pass reader takes on.
func FuzzTerminalInfoJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"status_code":200,"status_message":"Success","process_time":0.0123,"ip":"1.2.3.4","port":8091,"version":9001000,"nonce":1732550000000000000,"uuid":"a-b","hotkey":"5Grw","signature":"0xab"}`,
		`{"status_code":null,"ip":null,"nonce":"17"}`, `{"STATUS_CODE":"1","Status_Code":2}`, `{"port":" 12 "}`, `{"port":"x"}`,
		`{"ip":5}`, `{"port":1,"ip":5}`, `{"port":"x","ip":5}`, `{"nonce":1e3}`, `{"nonce":-0.5E-2}`, `{"nonce":01}`, `{"nonce":1.}`,
		`{"ip":"a\"b"}`, `{"ip":"é"}`, `{"x":[1,{"y":true}],"port":3}`, `{"port":3,}`, `{"port":3} x`, `{"port":true}`,
		`{"process_time":"NaN"}`, `{"version":99999999999999999999}`, `{"hotkey":"a","hotkey":null}`, `null`, `[]`, `{"a" 1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok, ferr := parseTerminalFlat(data)
		if !ok {
			return
		}
		var slow TerminalInfo
		serr := slow.unmarshalWire(data)
		if (ferr != nil) != (serr != nil) {
			t.Fatalf("%q: one-pass error %v, general error %v", data, ferr, serr)
		}
		if ferr == nil && fast != slow {
			t.Fatalf("%q: one-pass %+v, general %+v", data, fast, slow)
		}
		if ferr != nil && ferr.Error() != serr.Error() {
			t.Fatalf("%q: one-pass error %q, general error %q", data, ferr, serr)
		}
	})
}
