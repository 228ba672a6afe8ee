package keys

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

const aliceSS58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
const aliceHex = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d"

func TestSS58RoundTrip(t *testing.T) {
	p, err := ParseSS58(aliceSS58)
	if err != nil {
		t.Fatal(err)
	}
	if p.Hex() != aliceHex {
		t.Errorf("hex = %s", p.Hex())
	}
	if p.SS58() != aliceSS58 || p.String() != aliceSS58 {
		t.Errorf("SS58 = %s", p.SS58())
	}
	// Other prefixes: Alice on Polkadot (0), Kusama (2), and a two-byte prefix.
	for _, tt := range []struct {
		prefix uint16
		want   string
	}{
		{0, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"},
		{2, "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F"},
		{42, aliceSS58},
		{255, ""}, {1000, ""}, {16383, ""},
	} {
		s := EncodeSS58(p, tt.prefix)
		if tt.want != "" && s != tt.want {
			t.Errorf("prefix %d: %s, want %s", tt.prefix, s, tt.want)
		}
		got, prefix, err := DecodeSS58(s)
		if err != nil || got != p || prefix != tt.prefix {
			t.Errorf("prefix %d: DecodeSS58 = %v, %d, %v", tt.prefix, got, prefix, err)
		}
	}
	for _, n := range []int{0, 1, 255} {
		var q PublicKey
		for i := range q {
			q[i] = byte(n)
		}
		s := q.SS58()
		if len(s) != 48 || s[0] != '5' {
			t.Errorf("address %q: want 48 characters starting with 5", s)
		}
		if back, err := ParseSS58(s); err != nil || back != q {
			t.Errorf("round trip of %x: %v", q, err)
		}
	}
}

func TestParseSS58Errors(t *testing.T) {
	alicePolkadot := "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"
	typo := aliceSS58[:10] + "Y" + aliceSS58[11:]
	tests := []struct {
		name, in   string
		want       error
		wantPrefix uint16
		wantText   string
	}{
		{"empty", "", ErrBadAddress, 0, "empty"},
		{"bad base58 zero", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKut0Y", ErrBadAddress, 0, "not base58"},
		{"bad base58 l", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutlY", ErrBadAddress, 0, "not base58"},
		{"bad base58 space", "5Grwva EF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY", ErrBadAddress, 0, "not base58"},
		{"bad checksum", typo, ErrBadChecksum, 0, "typo"},
		{"last char changed", aliceSS58[:47] + "Z", ErrBadChecksum, 0, ""},
		{"wrong prefix polkadot", alicePolkadot, ErrWrongPrefix, 0, "expects 42"},
		{"wrong prefix kusama", "HNZata7iMYWmk5RvZRTiAsSDhV8366zq2YGb3tLH5Upf74F", ErrWrongPrefix, 2, "prefix 2"},
		{"too short", aliceSS58[:40], ErrBadAddress, 0, "bytes"},
		{"too long", aliceSS58 + "11", ErrBadAddress, 0, ""},
		{"way too long", strings.Repeat("5", 500), ErrBadAddress, 0, "too long"},
		{"hex is not ss58", aliceHex, ErrBadAddress, 0, ""},
		{"single char", "5", ErrBadAddress, 0, ""},
		{"prefix byte >= 128", base58Encode(append([]byte{0x80}, make([]byte, 34)...)), ErrBadAddress, 0, "not an SS58 prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSS58(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if !errors.Is(err, ErrBadAddress) {
				t.Errorf("err = %v does not match ErrBadAddress", err)
			}
			var ae *AddressError
			if !errors.As(err, &ae) {
				t.Fatalf("err is %T, want *AddressError", err)
			}
			if tt.want == ErrWrongPrefix && ae.Prefix != tt.wantPrefix {
				t.Errorf("Prefix = %d, want %d", ae.Prefix, tt.wantPrefix)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("message %q lacks %q", err, tt.wantText)
			}
			if len(err.Error()) > 400 {
				t.Errorf("message is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestParsePublicKeyOrSS58(t *testing.T) {
	for _, in := range []string{aliceSS58, aliceHex, strings.TrimPrefix(aliceHex, "0x"), " " + aliceSS58 + "\n", strings.ToUpper(aliceHex[2:])} {
		p, err := ParsePublicKeyOrSS58(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if p.SS58() != aliceSS58 {
			t.Errorf("%q: got %s", in, p.SS58())
		}
	}
	for _, in := range []string{"", "0x", "0x1234", aliceHex + "00", "0x" + strings.Repeat("zz", 32), "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"} {
		if _, err := ParsePublicKeyOrSS58(in); !errors.Is(err, ErrBadAddress) {
			t.Errorf("%q: err = %v, want ErrBadAddress", in, err)
		}
	}
}

func TestPublicKeyText(t *testing.T) {
	var p PublicKey
	if err := p.UnmarshalText([]byte(aliceHex)); err != nil {
		t.Fatal(err)
	}
	b, _ := p.MarshalText()
	if string(b) != aliceSS58 {
		t.Errorf("MarshalText = %s", b)
	}
	if _, err := PublicKeyFromBytes(make([]byte, 31)); !errors.Is(err, ErrBadAddress) {
		t.Errorf("31 bytes: %v", err)
	}
}

func TestBase58(t *testing.T) {
	// Bitcoin base58 vectors.
	for _, tt := range []struct{ hex, b58 string }{
		{"", ""},
		{"61", "2g"},
		{"626262", "a3gV"},
		{"636363", "aPEr"},
		{"73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"},
		{"00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"},
		{"0000000000", "11111"},
	} {
		raw, _ := hex.DecodeString(tt.hex)
		if got := base58Encode(raw); got != tt.b58 {
			t.Errorf("encode %s = %s, want %s", tt.hex, got, tt.b58)
		}
		back, err := base58Decode(tt.b58)
		if err != nil || hex.EncodeToString(back) != tt.hex {
			t.Errorf("decode %s = %x, %v", tt.b58, back, err)
		}
	}
}

// FuzzParseSS58: no panic on any input; whatever parses re-encodes to itself; whatever
// DecodeSS58 accepts re-encodes to the same text with its prefix.
func FuzzParseSS58(f *testing.F) {
	for _, s := range []string{aliceSS58, "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5", aliceHex, "", "1", "0x", strings.Repeat("z", 49)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseSS58(s)
		if err == nil {
			if got := p.SS58(); got != s {
				t.Fatalf("ParseSS58(%q) then SS58() = %q", s, got)
			}
		} else if !errors.Is(err, ErrBadAddress) {
			t.Fatalf("error %v does not match ErrBadAddress", err)
		}
		if q, prefix, err := DecodeSS58(s); err == nil {
			if got := EncodeSS58(q, prefix); got != s {
				t.Fatalf("DecodeSS58(%q) then EncodeSS58 = %q", s, got)
			}
		}
		_, _ = ParsePublicKeyOrSS58(s)
	})
}
