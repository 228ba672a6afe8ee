package yuma

import (
	"encoding/binary"
	"testing"
)

// inputsFromBytes builds arbitrary, often invalid, Inputs from fuzz data: lengths, uids and
// parameters come straight from the bytes.
func inputsFromBytes(data []byte) Inputs {
	next := func() uint64 {
		var b [8]byte
		k := copy(b[:], data)
		data = data[k:]
		return binary.LittleEndian.Uint64(b[:])
	}
	n := int(next()%24) - 2 // sometimes negative
	l := func() int {       // mostly n, sometimes one off
		switch next() % 64 { // not 0: exhausted data reads as zeros
		case 7:
			return max(0, n-1)
		case 9:
			return max(0, n+1)
		}
		return max(0, n)
	}
	in := Inputs{N: n, Block: next(), LastTempo: next(), Emission: next()}
	in.Stake = make([]uint64, l())
	for i := range in.Stake {
		in.Stake[i] = next() >> (next()%64 | 1)
		if next()%8 != 0 {
			in.Stake[i] >>= 8 // usually far from the I64F64 bound
		}
	}
	in.RegisteredAt = make([]uint64, l())
	for i := range in.RegisteredAt {
		in.RegisteredAt[i] = next() % 64
	}
	in.LastUpdate = make([]uint64, l())
	for i := range in.LastUpdate {
		in.LastUpdate[i] = next() % 128
	}
	in.Permits = make([]bool, l())
	for i := range in.Permits {
		in.Permits[i] = next()&1 == 1
	}
	rows := func() []Row {
		r := make([]Row, l())
		for i := range r {
			for j := range max(n, 0) {
				if next()%3 == 0 {
					r[i] = append(r[i], Entry{UID: uint16(j), Value: uint16(next())})
				}
			}
			if next()%512 == 1 { // rarely a duplicate or out-of-range uid
				r[i] = append(r[i], Entry{UID: uint16(next() % uint64(max(n, 1)+1))})
			}
		}
		return r
	}
	in.Weights, in.Bonds = rows(), rows()
	v := next()
	in.HasOwner, in.OwnerUID = v&1 == 1, uint16(v>>1)%uint16(max(n, 1))
	if v%64 == 3 {
		in.OwnerUID = uint16(max(n, 0)) // out of range
	}
	in.Params = Params{
		ActivityCutoff: next() % 200, Kappa: uint16(next()), BondsMovingAverage: next() % 1_010_000,
		BondsPenalty: uint16(next()), MaxAllowedValidators: uint16(next() % 30), StakeThreshold: next() % 8,
		Yuma3: next()&1 == 1, LiquidAlpha: next()&1 == 1, AlphaLow: uint16(next()), AlphaHigh: uint16(next()),
		AlphaSigmoidSteepness: int16(next()),
	}
	return in
}

// FuzzEpoch: Epoch never panics; it either rejects the input or agrees with the dense
// restatement.
func FuzzEpoch(f *testing.F) {
	r := &rng{s: 1}
	for range 64 {
		seed := make([]byte, 2048)
		for i := range seed {
			seed[i] = byte(r.next())
		}
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := inputsFromBytes(data)
		out, err := Epoch(in)
		if err != nil {
			if in.Validate() == nil {
				t.Fatalf("Epoch failed on valid input: %v", err)
			}
			return
		}
		if err := diffOutputs(out, denseEpoch(in)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFuzzInputsMix makes sure the fuzz decoder yields valid inputs often enough to test the
// epoch, not only Validate.
func TestFuzzInputsMix(t *testing.T) {
	r := &rng{s: 2}
	valid := 0
	for range 1000 {
		data := make([]byte, 2048)
		for i := range data {
			data[i] = byte(r.next())
		}
		in := inputsFromBytes(data)
		if in.Validate() == nil {
			valid++
			if _, err := Epoch(in); err != nil {
				t.Fatal(err)
			}
		}
	}
	if valid < 300 {
		t.Fatalf("only %d of 1000 fuzz inputs are valid", valid)
	}
}
