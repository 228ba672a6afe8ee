package yuma

import (
	"fmt"
	"testing"
)

// benchInputs is a steady-state subnet of n uids: uids 0..v−1 are validators (random stake,
// permits, bonds from a previous epoch) each weighting every miner v..n−1 with random
// weights; miners hold no stake. It returns the inputs and the number of stored weights.
func benchInputs(n, v int, yuma3, liquid bool) (Inputs, int) {
	r := &rng{s: uint64(n)}
	in := Inputs{
		N: n, Block: 10_000, LastTempo: 9_640,
		Stake: make([]uint64, n), RegisteredAt: make([]uint64, n), LastUpdate: make([]uint64, n),
		Permits: make([]bool, n), Weights: make([]Row, n), Bonds: make([]Row, n),
		Emission: 1_000_000_000_000,
		Params: Params{
			ActivityCutoff: 5000, Kappa: 32767, BondsMovingAverage: 900_000, BondsPenalty: 65535,
			MaxAllowedValidators: uint16(v), Yuma3: yuma3, LiquidAlpha: liquid,
			AlphaLow: 45875, AlphaHigh: 58982, AlphaSigmoidSteepness: 1000,
		},
	}
	nnz := 0
	for i := range n {
		in.RegisteredAt[i] = uint64(r.intn(5000))
		in.LastUpdate[i] = 9_000
		if i >= v {
			continue
		}
		in.Stake[i] = 1_000_000_000 + r.next()%1_000_000_000_000
		in.Permits[i] = true
		row := make(Row, 0, n-v)
		for j := v; j < n; j++ {
			row = append(row, Entry{uint16(j), uint16(r.next())})
		}
		in.Weights[i] = row
		nnz += len(row)
	}
	// One epoch to reach steady-state bonds.
	out, err := Epoch(in)
	if err != nil {
		panic(err)
	}
	in.Bonds, in.Permits = out.Bonds, out.ValidatorPermit
	return in, nnz
}

func benchEpoch(b *testing.B, n, v int, yuma3, liquid bool) {
	in, nnz := benchInputs(n, v, yuma3, liquid)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Epoch(in); err != nil {
			b.Fatal(err)
		}
	}
	// testing.B takes metrics as float64 only; the value is a timing, never chain state.
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(nnz), "ns/weight")
}

// BenchmarkEpoch256: 256 uids, 64 validators each weighting all 192 miners (Yuma2).
func BenchmarkEpoch256(b *testing.B) { benchEpoch(b, 256, 64, false, false) }

// BenchmarkEpoch4096: the same shape scaled to 4096 uids, 64 validators, 4032 miners.
func BenchmarkEpoch4096(b *testing.B) { benchEpoch(b, 4096, 64, false, false) }

// BenchmarkEpoch covers sizes and modes.
func BenchmarkEpoch(b *testing.B) {
	for _, mode := range []struct {
		name          string
		yuma3, liquid bool
	}{{"yuma2", false, false}, {"yuma3", true, false}, {"yuma3-liquid", true, true}} {
		for _, n := range []int{256, 1024, 4096} {
			b.Run(fmt.Sprintf("%s/n=%d", mode.name, n), func(b *testing.B) { benchEpoch(b, n, 64, mode.yuma3, mode.liquid) })
		}
	}
}
