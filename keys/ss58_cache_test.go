package keys

import (
	"errors"
	"testing"
)

// The address caches answer as the uncached functions do, keep only valid
// Bittensor addresses, and stay bounded.
func TestSS58CachesAnswerAsUncached(t *testing.T) {
	var pk PublicKey
	for i := range maxCachedAddrs + 10 {
		pk[0], pk[1], pk[2] = byte(i), byte(i>>8), byte(i>>16)
		addr := pk.SS58()
		if want := EncodeSS58(pk, SS58Prefix); addr != want {
			t.Fatalf("SS58 %q, EncodeSS58 %q", addr, want)
		}
		for range 2 {
			got, err := ParseSS58(addr)
			if err != nil || got != pk {
				t.Fatalf("ParseSS58(%s) = %x, %v", addr, got, err)
			}
		}
	}
	if len(addrs.m) > maxCachedAddrs || len(parsed.m) > maxCachedAddrs {
		t.Fatalf("caches hold %d and %d, bound %d", len(addrs.m), len(parsed.m), maxCachedAddrs)
	}
	good := pk.SS58()
	typo := []byte(good)
	typo[10]++
	if _, err := ParseSS58(string(typo)); err == nil {
		t.Fatal("an address with a typo parsed")
	}
	other := EncodeSS58(pk, 0) // Polkadot's prefix, not Bittensor's
	for range 2 {
		if _, err := ParseSS58(other); !errors.Is(err, ErrWrongPrefix) {
			t.Fatalf("prefix-0 address: %v, want ErrWrongPrefix", err)
		}
	}
	if _, ok := parsed.m[other]; ok {
		t.Fatal("an address of another network was cached")
	}
}
