package synapse

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gotensor/gotensor/keys"
)

// Dummy is the subnet template's synapse (reference §6.1).
type Dummy struct {
	Base
	DummyInput  int  `json:"dummy_input" bt:"required"`
	DummyOutput *int `json:"dummy_output"`
}

func (*Dummy) RequiredHashFields() []string { return []string{"dummy_input"} }

// Chat is a text-generation synapse with fields of several kinds.
type Chat struct {
	Base
	Messages    []map[string]string `json:"messages" bt:"required"`
	Temperature float64             `json:"temperature"`
	Seed        int                 `json:"seed"`
	Stop        []string            `json:"stop"`
	Completion  *string             `json:"completion"`
}

func (*Chat) RequiredHashFields() []string {
	return []string{"messages", "temperature", "seed", "stop"}
}

func TestBodyHashGolden(t *testing.T) {
	g := loadGolden(t)
	var reg Registry
	for _, s := range []Synapse{(*Dummy)(nil), (*Chat)(nil), (*Ping)(nil)} {
		if _, err := reg.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	// What a Go dendrite holds for the cases it can send.
	goValues := map[string]Synapse{
		"dummy": &Dummy{DummyInput: 5},
		"chat_go_sender": &Chat{Messages: []map[string]string{{"role": "user", "content": "What's 2+2?"}},
			Temperature: 0.7, Seed: 42, Stop: []string{"\n", "END"}},
		"float_given_as_int": &Chat{Messages: []map[string]string{}, Temperature: 1, Stop: []string{}},
		"ping":               &Ping{},
	}
	for _, c := range g.Synapse {
		t.Run(c.Name, func(t *testing.T) {
			var probe struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal([]byte(c.Body), &probe); err != nil {
				t.Fatal(err)
			}
			typ, ok := reg.Lookup(probe.Name)
			if !ok {
				t.Fatalf("no type %q", probe.Name)
			}
			if got := typ.HashFields(); strings.Join(got, ",") != strings.Join(c.Fields, ",") {
				t.Fatalf("hash fields %v, want %v", got, c.Fields)
			}
			_, hash, err := typ.Decode([]byte(c.Body))
			if err != nil {
				t.Fatal(err)
			}
			if hash != c.BodyHash {
				t.Errorf("hash of the Python body = %s, want %s", hash, c.BodyHash)
			}
			if v, ok := goValues[c.Name]; ok {
				got, err := BodyHash(v)
				if err != nil {
					t.Fatal(err)
				}
				if got != c.BodyHash {
					t.Errorf("BodyHash of the Go value = %s, want %s", got, c.BodyHash)
				}
			}
		})
	}
	if h, _ := BodyHash(&Ping{}); h != EmptyBodyHash {
		t.Errorf("empty hash %s", h)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := BodyHash(&Chat{Temperature: f}); err == nil {
			t.Errorf("BodyHash with temperature %v: no error; JSON cannot carry it", f)
		}
	}
}

// TestSenderReceiverAgree checks the property a Go dendrite and a Go axon rely on: the hash
// of a value equals the hash of the JSON it marshals to, as decoded by the receiver.
func TestSenderReceiverAgree(t *testing.T) {
	type Any struct {
		Base
		X any            `json:"x"`
		M map[string]any `json:"m"`
		F []float32      `json:"f"`
	}
	vals := []*Any{
		{X: 1.0, M: map[string]any{"z": 1.5, "a": []any{1.0, "s", nil}}, F: []float32{0.1, 3}},
		{X: 1e21, M: map[string]any{}, F: nil},
		{X: "it's", M: nil, F: []float32{}},
	}
	for i, v := range vals {
		if _, err := TypeOf(v); err != nil {
			t.Fatal(err)
		}
		want, err := hashOfFields(t, v, []string{"x", "m", "f"})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(v)
		_, got, err := typeWithFields(t, v, []string{"x", "m", "f"}).Decode(body)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("case %d: receiver hash %s != sender hash %s (body %s)", i, got, want, body)
		}
	}
}

// typeWithFields builds a Type for s hashing fields, for tests of types without a
// RequiredHashFields method.
func typeWithFields(t *testing.T, s Synapse, fields []string) *Type {
	t.Helper()
	base, err := TypeOf(s)
	if err != nil {
		t.Fatal(err)
	}
	cp := *base
	byName := map[string]jsonField{}
	for _, f := range jsonFields(base.typ) {
		byName[f.name] = f
	}
	if err := cp.setHash(fields, byName); err != nil {
		t.Fatal(err)
	}
	return &cp
}

func hashOfFields(t *testing.T, s Synapse, fields []string) (string, error) {
	return typeWithFields(t, s, fields).hash1(reflectElem(s), nil)
}

func TestTypeOfErrors(t *testing.T) {
	tests := []struct {
		name string
		s    Synapse
	}{
		{"nil", nil},
		{"bad hash field", (*badField)(nil)},
		{"bytes hash field", (*bytesField)(nil)},
		{"bad name", (*badName)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := TypeOf(tt.s); !errors.Is(err, ErrBadType) {
				t.Errorf("err = %v, want ErrBadType", err)
			}
		})
	}
	var r Registry
	if _, err := r.Register((*Dummy)(nil)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Register(&Dummy{}); err != nil {
		t.Errorf("registering the same type twice: %v", err)
	}
	if _, err := r.Register((*otherDummy)(nil)); !errors.Is(err, ErrDuplicate) {
		t.Errorf("err = %v, want ErrDuplicate", err)
	}
	if got := r.Names(); len(got) != 1 || got[0] != "Dummy" {
		t.Errorf("Names = %v", got)
	}
}

type badField struct{ Base }

func (*badField) RequiredHashFields() []string { return []string{"nope"} }

type bytesField struct {
	Base
	B []byte `json:"b"`
}

func (*bytesField) RequiredHashFields() []string { return []string{"b"} }

type badName struct{ Base }

func (*badName) SynapseName() string { return "a/b" }

type otherDummy struct{ Base }

func (*otherDummy) SynapseName() string { return "Dummy" }

func TestHeadersRoundTrip(t *testing.T) {
	out := 7
	d := &Dummy{DummyInput: 3, DummyOutput: &out}
	d.Name, d.Timeout = "Dummy", 12
	d.Dendrite = TerminalInfo{IP: "1.2.3.4", Version: Version, Nonce: 1700000000000000000, UUID: "u-1",
		Hotkey: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", Signature: "0xab"}
	d.Axon = TerminalInfo{IP: "5.6.7.8", Port: 8091, StatusCode: 200, StatusMessage: "Success", ProcessTime: 0.25}
	h, err := EncodeHeaders(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "timeout", "bt_header_dendrite_nonce", "bt_header_axon_process_time",
		"bt_header_input_obj_dummy_input", "computed_body_hash", "header_size", "total_size"} {
		if _, ok := h[k]; !ok {
			t.Errorf("header %q missing (have %v)", k, h)
		}
	}
	if got := h["timeout"][0]; got != "12.0" {
		t.Errorf("timeout header %q, want Python's str(12.0)", got)
	}
	if got := h["bt_header_input_obj_dummy_input"][0]; got != "MA==" {
		t.Errorf("placeholder %q, want base64(\"0\")", got)
	}
	if _, ok := h["bt_header_dendrite_status_code"]; ok {
		t.Error("zero terminal fields must be left out")
	}
	// A server canonicalises incoming names; parsing must not care.
	canon := http.Header{}
	for k, v := range h {
		canon[http.CanonicalHeaderKey(k)] = v
	}
	got, err := ParseHeaders(canon)
	if err != nil {
		t.Fatal(err)
	}
	if got.Dendrite != d.Dendrite || got.Axon != d.Axon || got.Name != "Dummy" || got.Timeout != 12 {
		t.Errorf("round trip:\n got %+v\nwant %+v %+v", got, d.Dendrite, d.Axon)
	}
	if string(got.Inputs["dummy_input"]) != "0" {
		t.Errorf("inputs %v", got.Inputs)
	}
	hash, _ := BodyHash(d)
	if got.ComputedBodyHash != hash {
		t.Errorf("computed_body_hash %q, want %q", got.ComputedBodyHash, hash)
	}
}

func TestParseHeadersErrors(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
	}{
		{"repeated", http.Header{"Bt_header_dendrite_nonce": {"1", "2"}}},
		{"bad nonce", http.Header{"Bt_header_dendrite_nonce": {"12a"}}},
		{"bad port", http.Header{"Bt_header_axon_port": {"99999999999"}}},
		{"bad timeout", http.Header{"Timeout": {"soon"}}},
		{"negative timeout", http.Header{"Timeout": {"-1"}}},
		{"nan timeout", http.Header{"Timeout": {"nan"}}},
		{"bad process time", http.Header{"Bt_header_axon_process_time": {"inf"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseHeaders(tt.h); !errors.Is(err, ErrBadHeader) {
				t.Errorf("err = %v, want ErrBadHeader", err)
			}
		})
	}
	h, err := ParseHeaders(http.Header{"Bt_header_dendrite_future_field": {"x"}, "Bt_header_input_obj_x": {"!!"}, "Other": {"y"}})
	if err != nil || h.Inputs != nil {
		t.Errorf("unknown fields and bad placeholders are ignored: %+v, %v", h, err)
	}
}

func TestSignatureMessage(t *testing.T) {
	got := string(SignatureMessage(17, "5D", "5A", "uu", "hh"))
	if got != "17.5D.5A.uu.hh" {
		t.Errorf("SignatureMessage = %q", got)
	}
}

func TestPrepareRequest(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	bob, _ := keys.FromURI("//Bob")
	ax := AxonInfo{IP: "127.0.0.1", Port: 8091, Hotkey: bob.Public()}
	d := &Dummy{DummyInput: 9}
	body, h, err := PrepareRequest(d, alice, ax, RequestOptions{Timeout: 3 * time.Second, Nonce: 42, UUID: "uid"})
	if err != nil {
		t.Fatal(err)
	}
	hdr, err := ParseHeaders(h)
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Dendrite.Hotkey != alice.SS58() || hdr.Axon.Hotkey != bob.SS58() || hdr.Dendrite.Nonce != 42 || hdr.Timeout != 3 {
		t.Fatalf("headers %+v", hdr)
	}
	sig, err := keys.ParseSignature(hdr.Dendrite.Signature)
	if err != nil {
		t.Fatal(err)
	}
	typ := MustTypeOf(d)
	_, bodyHash, err := typ.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	if bodyHash != hdr.ComputedBodyHash {
		t.Fatalf("body hash %s, header says %s", bodyHash, hdr.ComputedBodyHash)
	}
	msg := SignatureMessage(42, alice.SS58(), bob.SS58(), "uid", bodyHash)
	if !keys.Verify(alice.Public(), msg, sig) {
		t.Error("signature does not verify")
	}
	// A changed hashed field changes the hash, so the signature no longer covers it.
	tampered := strings.Replace(string(body), `"dummy_input":9`, `"dummy_input":8`, 1)
	_, h2, _ := typ.Decode([]byte(tampered))
	if h2 == bodyHash {
		t.Error("tampered body has the same hash")
	}

	// Epistula.
	body, h, err = PrepareRequest(&Dummy{DummyInput: 9}, alice, ax, RequestOptions{Scheme: Epistula, Nonce: 1_700_000_000_123_456_789})
	if err != nil {
		t.Fatal(err)
	}
	if !IsEpistula(h) {
		t.Fatal("no Epistula-Version header")
	}
	e, err := ParseEpistula(h)
	if err != nil {
		t.Fatal(err)
	}
	if e.Timestamp != 1_700_000_000_123 || e.SignedBy != alice.Public() || e.SignedFor != bob.SS58() {
		t.Errorf("epistula headers %+v", e)
	}
	if !e.Verify(body) {
		t.Error("Epistula signature does not verify")
	}
	if e.Verify(append(body, ' ')) {
		t.Error("Epistula signature verifies a changed body")
	}
	h.Del(HeaderEpistulaSignature)
	if _, err := ParseEpistula(h); !errors.Is(err, ErrBadHeader) {
		t.Errorf("missing signature: %v", err)
	}
}

func TestEpistulaMessage(t *testing.T) {
	// sha256("") = e3b0c442...
	got := string(EpistulaMessage(nil, "u", 5, ""))
	want := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.u.5."
	if got != want {
		t.Errorf("EpistulaMessage = %q, want %q", got, want)
	}
}

func TestTerminalInfoJSON(t *testing.T) {
	b, err := json.Marshal(TerminalInfo{StatusCode: 200, ProcessTime: 1, Hotkey: "5G"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"status_code":200,"status_message":null,"process_time":1.0,"ip":null,"port":null,"version":null,"nonce":null,"uuid":null,"hotkey":"5G","signature":null}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	var ti TerminalInfo
	if err := json.Unmarshal([]byte(`{"status_code":"408","process_time":"0.5","port":8091,"nonce":null,"extra":1,"uuid":"x"}`), &ti); err != nil {
		t.Fatal(err)
	}
	if ti != (TerminalInfo{StatusCode: 408, ProcessTime: 0.5, Port: 8091, UUID: "x"}) {
		t.Errorf("decoded %+v", ti)
	}
	for _, bad := range []string{`{"status_code":"x"}`, `{"uuid":5}`, `{"port":1.5}`, `[1]`} {
		if err := json.Unmarshal([]byte(bad), &ti); err == nil {
			t.Errorf("%s decoded", bad)
		}
	}
	if (TerminalInfo{StatusCode: 408}).Err() == nil || !(TerminalInfo{StatusCode: 408}).IsTimeout() {
		t.Error("408 helpers")
	}
	var se *StatusError
	if !errors.As((TerminalInfo{StatusCode: 403, StatusMessage: "no"}).Err(), &se) || se.Code != 403 {
		t.Error("Err is not a *StatusError")
	}
}

func TestAxonInfo(t *testing.T) {
	alice, _ := keys.FromURI("//Alice")
	a := AxonInfo{IP: "1.2.3.4", Port: 8091, IPType: 4, Hotkey: alice.Public()}
	if !a.IsServing() || a.String() != "/ipv4/1.2.3.4:8091" || a.Addr() != "1.2.3.4:8091" {
		t.Errorf("%v %s %s", a.IsServing(), a, a.Addr())
	}
	if (AxonInfo{IP: "0.0.0.0", Port: 1}).IsServing() {
		t.Error("0.0.0.0 is not serving")
	}
	b, _ := json.Marshal(a)
	if !strings.Contains(string(b), `"hotkey":"`+alice.SS58()+`"`) {
		t.Errorf("json %s", b)
	}
	for _, ip := range []string{"1.2.3.4", "255.255.255.255", "::1", "2001:db8::8a2e:370:7334"} {
		hi, lo, typ, err := IPToInt(ip)
		if err != nil {
			t.Fatal(err)
		}
		back, err := IPFromInt(hi, lo, typ)
		if err != nil || back != ip {
			t.Errorf("%s -> %d,%d,%d -> %s, %v", ip, hi, lo, typ, back, err)
		}
	}
	if _, lo, _, _ := IPToInt("1.2.3.4"); lo != 16909060 {
		t.Errorf("int(1.2.3.4) = %d, want 16909060 as Python", lo)
	}
	if _, _, _, err := IPToInt("nope"); !errors.Is(err, ErrBadIP) {
		t.Error(err)
	}
	if VersionAsInt(10, 2, 0) != Version {
		t.Error("Version")
	}
}

func TestNewUUID(t *testing.T) {
	u := NewUUID()
	if len(u) != 36 || u[14] != '4' || strings.Count(u, "-") != 4 {
		t.Errorf("uuid %q", u)
	}
	if _, err := hex.DecodeString(strings.ReplaceAll(u, "-", "")); err != nil {
		t.Error(err)
	}
	if NewUUID() == u {
		t.Error("two equal UUIDs")
	}
}

func reflectElem(s Synapse) reflect.Value { return reflect.ValueOf(s).Elem() }

// TestTerminalStringsAsJSON checks that terminal-info strings encode as json.Marshal would,
// for the plain ones copied between quotes and for every kind it escapes.
func TestTerminalStringsAsJSON(t *testing.T) {
	for _, s := range []string{"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", "0xab12", "127.0.0.1", "Success",
		`say "hi"`, `back\\slash`, "<b>&</b>", "tab\there", "nl\n", "\x7f", "é", "\u2028", "bad \xff utf8", " ~"} {
		info := TerminalInfo{StatusMessage: s, Hotkey: s}
		got, err := json.Marshal(info)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(s)
		if !strings.Contains(string(got), `"status_message":`+string(want)+",") || !strings.Contains(string(got), `"hotkey":`+string(want)+",") {
			t.Errorf("%q encodes as %s, want %s in it", s, got, want)
		}
		var back TerminalInfo
		if err := json.Unmarshal(got, &back); err != nil || back.Hotkey != strings.ToValidUTF8(s, "\ufffd") {
			t.Errorf("%q does not round-trip: %q, %v", s, back.Hotkey, err)
		}
	}
}
