package client

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
)

// The hand-written weights parser decodes what encoding/json encodes, to
// the same value encoding/json decodes.
func TestPairRowsMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []api.Metagraph{
		{Netuid: 1, N: 0},
		{Netuid: 1, N: 3, Weights: [][][2]uint16{nil, {}, {{0, 65535}, {2, 0}}}, Bonds: [][][2]uint16{{}, nil, nil}},
	}
	for k := 0; k < 20; k++ {
		n := r.IntN(257)
		m := api.Metagraph{Netuid: 7, N: n, Weights: make([][][2]uint16, n), Bonds: make([][][2]uint16, n)}
		for i := range n {
			for range r.IntN(n + 1) {
				m.Weights[i] = append(m.Weights[i], [2]uint16{uint16(r.IntN(n)), uint16(r.Uint32())})
			}
			if r.IntN(2) == 0 {
				m.Bonds[i] = [][2]uint16{{uint16(i), uint16(r.Uint32())}}
			}
		}
		cases = append(cases, m)
	}
	for i, m := range cases {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var want api.Metagraph
		var got metagraphWire
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if !reflect.DeepEqual(got.metagraph(), want) {
			t.Fatalf("case %d: hand parser and encoding/json differ", i)
		}
	}
	// Indented JSON, as a proxy might rewrite it.
	var got metagraphWire
	if err := json.Unmarshal([]byte("{\"weights\": [ [ [1 , 2] ,[3,4] ] , null, [ ] ]}"), &got); err != nil ||
		!reflect.DeepEqual(got.metagraph().Weights, [][][2]uint16{{{1, 2}, {3, 4}}, nil, {}}) {
		t.Fatalf("spaced JSON: %v %v", got.Weights, err)
	}
}

func TestPairRowsRejectsWhatIsNotPairs(t *testing.T) {
	for _, in := range []string{
		`{"weights":[[[1]]]}`,
		`{"weights":[[[1,2,3]]]}`,
		`{"weights":[[[1,65536]]]}`,
		`{"weights":[[[1,-2]]]}`,
		`{"weights":[[[1,2.5]]]}`,
		`{"weights":[[["1",2]]]}`,
		`{"weights":[[1,2]]}`,
		`{"weights":{"a":1}}`,
		`{"bonds":[[[1,2]],7]}`,
	} {
		var m metagraphWire
		if err := json.Unmarshal([]byte(in), &m); err == nil {
			t.Errorf("%s decoded as %v %v", in, m.Weights, m.Bonds)
		}
	}
}

// FuzzPairRows: the hand parser never panics, and what it accepts
// encoding/json decodes to the same rows (encoding/json is laxer: it pads
// and truncates pairs, which the hand parser rejects).
func FuzzPairRows(f *testing.F) {
	for _, s := range []string{`null`, `[]`, `[null,[]]`, `[[[1,2],[3,4]]]`, `[[[1]]]`, `[[[1,2,3]]]`, `[[[65536,1]]]`, ` [ [ [ 0 , 0 ] ] ] `, `[[[1,2]],`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got pairRows
		if err := got.UnmarshalJSON(b); err != nil {
			return
		}
		var want [][][2]uint16
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: hand parser accepted what encoding/json rejects: %v", b, err)
		}
		if !reflect.DeepEqual([][][2]uint16(got), want) {
			t.Fatalf("%q: %v, encoding/json %v", b, got, want)
		}
	})
}
