package epoch

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

func TestDecodeResultMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	u16 := func() uint16 {
		switch rng.IntN(3) {
		case 0:
			return 0
		case 1:
			return 0xffff
		}
		return uint16(rng.Uint32())
	}
	for i := range 2000 {
		want := Result{StakeWeight: u16(), Rank: u16(), Trust: u16(), Consensus: u16(), Incentive: u16(),
			Dividends: u16(), ValidatorTrust: u16(), Permit: rng.IntN(2) == 0, Active: rng.IntN(2) == 0, Emission: rng.Uint64() >> rng.IntN(64)}
		if i == 0 {
			want.Emission = ^uint64(0)
		}
		b, _ := json.Marshal(want)
		got, ok := decodeResultCanonical(b)
		if !ok || got != want {
			t.Fatalf("%s: fast path %v %+v", b, ok, got)
		}
	}
	// Anything but encoding/json's own layout goes to encoding/json, with
	// its answer (or its error).
	for _, in := range []string{
		`{"rank":7,"stake_weight":1,"emission":"5"}`,
		`{"stake_weight":1, "rank":2,"trust":3,"consensus":4,"incentive":5,"dividends":6,"validator_trust":7,"validator_permit":true,"active":false,"emission":"9"}`,
		`{"stake_weight":01,"rank":2,"trust":3,"consensus":4,"incentive":5,"dividends":6,"validator_trust":7,"validator_permit":true,"active":false,"emission":"9"}`,
		`{"stake_weight":65536,"rank":2,"trust":3,"consensus":4,"incentive":5,"dividends":6,"validator_trust":7,"validator_permit":true,"active":false,"emission":"9"}`,
		`{"stake_weight":1,"rank":2,"trust":3,"consensus":4,"incentive":5,"dividends":6,"validator_trust":7,"validator_permit":true,"active":false,"emission":"18446744073709551616"}`,
		`{"stake_weight":1,"rank":2,"trust":3,"consensus":4,"incentive":5,"dividends":6,"validator_trust":7,"validator_permit":true,"active":false,"emission":"9"} `,
		`{}`, `[]`, ``,
	} {
		if _, ok := decodeResultCanonical([]byte(in)); ok {
			t.Fatalf("%s: taken by the fast path", in)
		}
		var want Result
		wantErr := json.Unmarshal([]byte(in), &want)
		got, err := decodeResult([]byte(in))
		if (err != nil) != (wantErr != nil) || err == nil && got != want {
			t.Fatalf("%s: got %+v, %v; encoding/json gives %+v, %v", in, got, err, want, wantErr)
		}
	}
}
