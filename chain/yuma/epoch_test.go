package yuma

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/gotensor/gotensor/chain/fixed"
)

// rng is a splitmix64 generator (math/rand is banned in chain/).
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func (r *rng) intn(n int) int           { return int(r.next() % uint64(n)) }
func (r *rng) chance(num, den int) bool { return r.intn(den) < num }

// randomInputs builds a small but messy valid subnet: sparse and dense rows, explicit zeros,
// self-weights, recent registrations, stale bonds, an owner, thresholds, every mode.
func randomInputs(r *rng) Inputs {
	n := 1 + r.intn(12)
	if r.chance(1, 10) {
		n = 1 + r.intn(40)
	}
	in := Inputs{
		N:            n,
		Block:        100 + uint64(r.intn(20)),
		Stake:        make([]uint64, n),
		RegisteredAt: make([]uint64, n),
		LastUpdate:   make([]uint64, n),
		Permits:      make([]bool, n),
		Weights:      make([]Row, n),
		Bonds:        make([]Row, n),
		Emission:     r.next() % 2_000_000_000_000,
	}
	in.LastTempo = in.Block - uint64(r.intn(5))
	stakes := []uint64{0, 1, 2, 3, 1000, 1_000_000_000, r.next() % (1 << 40)}
	for i := range n {
		in.Stake[i] = stakes[r.intn(len(stakes))]
		in.RegisteredAt[i] = uint64(r.intn(int(in.Block + 2)))
		in.LastUpdate[i] = in.RegisteredAt[i] + uint64(r.intn(30))
		in.Permits[i] = r.chance(2, 3)
		used := make([]bool, n)
		for range r.intn(n + 1) {
			j := r.intn(n)
			if used[j] {
				continue
			}
			used[j] = true
			// Few distinct values make ties, which stress the median's boundaries.
			v := []uint16{uint16(r.next()), uint16(r.next()), 65535, 32768, 1, 0}[r.intn(6)]
			in.Weights[i] = append(in.Weights[i], Entry{uint16(j), v})
		}
		clear(used)
		for range r.intn(n + 1) {
			j := r.intn(n)
			if !used[j] {
				used[j] = true
				in.Bonds[i] = append(in.Bonds[i], Entry{uint16(j), uint16(r.next())})
			}
		}
	}
	if r.chance(1, 3) {
		in.HasOwner, in.OwnerUID = true, uint16(r.intn(n))
	}
	penalties := []uint16{0, 65535, 32767, uint16(r.next())}
	in.Params = Params{
		ActivityCutoff:        uint64(r.intn(40)),
		Kappa:                 []uint16{32767, 0, 65535, uint16(r.next())}[r.intn(4)],
		BondsMovingAverage:    []uint64{900_000, 975_000, 0, 1_000_000, r.next() % 1_000_001}[r.intn(5)],
		BondsPenalty:          penalties[r.intn(len(penalties))],
		MaxAllowedValidators:  uint16(r.intn(n + 3)),
		StakeThreshold:        []uint64{0, 2, 1000}[r.intn(3)],
		Yuma3:                 r.chance(1, 2),
		LiquidAlpha:           r.chance(1, 2),
		AlphaLow:              6553,
		AlphaHigh:             19660,
		AlphaSigmoidSteepness: []int16{1000, -300, 0, 32767, -32768}[r.intn(5)],
	}
	if r.chance(1, 3) {
		in.Params.AlphaLow, in.Params.AlphaHigh = 45875, 58982
	}
	return in
}

// TestEpochSparseMatchesDense is the property test of STYLE §11: the sparse Epoch against
// the dense restatement, on random subnets in every mode.
func TestEpochSparseMatchesDense(t *testing.T) {
	r := &rng{s: 42}
	for k := range 3000 {
		in := randomInputs(r)
		got, err := Epoch(in)
		if err != nil {
			t.Fatalf("case %d: %v", k, err)
		}
		want := denseEpoch(in)
		if err := diffOutputs(got, want); err != nil {
			t.Fatalf("case %d (n=%d, params %+v): %v", k, in.N, in.Params, err)
		}
	}
}

// diffOutputs names the first differing field and index.
func diffOutputs(got, want Outputs) error {
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for f := range gv.NumField() {
		name := gv.Type().Field(f).Name
		g, w := gv.Field(f), wv.Field(f)
		if name == "Bonds" {
			for i := range w.Len() {
				gr, wr := got.Bonds[i], want.Bonds[i]
				if len(gr) != len(wr) || (len(wr) > 0 && !reflect.DeepEqual(gr, wr)) {
					return fmt.Errorf("Bonds[%d] = %v, want %v", i, gr, wr)
				}
			}
			continue
		}
		if g.Len() != w.Len() {
			return fmt.Errorf("%s has %d entries, want %d", name, g.Len(), w.Len())
		}
		for i := range w.Len() {
			if !reflect.DeepEqual(g.Index(i).Interface(), w.Index(i).Interface()) {
				return fmt.Errorf("%s[%d] = %v, want %v", name, i, g.Index(i), w.Index(i))
			}
		}
	}
	return nil
}

// TestEpochInvariants checks CHAIN-SPEC's epoch invariants and the README's emission rules on
// random subnets.
func TestEpochInvariants(t *testing.T) {
	r := &rng{s: 7}
	for k := range 2000 {
		in := randomInputs(r)
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		n := in.N
		for _, v := range []struct {
			name string
			x    []uint16
		}{{"incentive", out.Incentive}, {"dividends", out.Dividends}} {
			var s int
			for _, x := range v.x {
				s += int(x)
			}
			if s != 0 && (s > 65535 || s < 65535-n) {
				t.Fatalf("case %d: %s sums to %d, want 0 or 65535−n..65535", k, v.name, s)
			}
		}
		// Each share is truncated to 2^−32, so an amount may be off by E/2^32 plus the floor.
		slack := int64(2 + in.Emission>>31)
		var total uint64
		for i := range n {
			total += out.Emission[i]
			if d := int64(out.ServerEmission[i]+out.ValidatorEmission[i]) - int64(out.Emission[i]); d < -slack || d > slack {
				t.Fatalf("case %d: uid %d split %d+%d vs combined %d", k, i, out.ServerEmission[i], out.ValidatorEmission[i], out.Emission[i])
			}
			if !out.ValidatorPermit[i] && len(out.Bonds[i]) != 0 {
				t.Fatalf("case %d: uid %d holds bonds without a permit", k, i)
			}
		}
		if total > in.Emission || (total != 0 && in.Emission-total > uint64(n)*uint64(slack)) {
			t.Fatalf("case %d: paid %d of %d", k, total, in.Emission)
		}
		permits := 0
		for _, p := range out.ValidatorPermit {
			if p {
				permits++
			}
		}
		limit := int(in.Params.MaxAllowedValidators)
		if in.HasOwner {
			limit++ // the owner's permit is on top of the k
		}
		if permits > limit {
			t.Fatalf("case %d: %d permits, k = %d, owner %v", k, permits, in.Params.MaxAllowedValidators, in.HasOwner)
		}
	}
}

func TestEpochDeterministicAndPure(t *testing.T) {
	r := &rng{s: 9}
	for range 200 {
		in := randomInputs(r)
		snapshot := fmt.Sprint(in)
		a, _ := Epoch(in)
		b, _ := Epoch(in)
		if !reflect.DeepEqual(a, b) {
			t.Fatal("two runs differ")
		}
		if fmt.Sprint(in) != snapshot {
			t.Fatal("Epoch modified its input")
		}
	}
}

func validInputs() Inputs {
	return Inputs{
		N: 3, Block: 10, LastTempo: 9,
		Stake: []uint64{1, 2, 3}, RegisteredAt: make([]uint64, 3), LastUpdate: make([]uint64, 3),
		Permits: []bool{true, true, false},
		Weights: []Row{{{1, 5}, {2, 6}}, nil, nil},
		Bonds:   []Row{{{2, 9}}, nil, nil},
		Params:  Params{MaxAllowedValidators: 2, BondsMovingAverage: 900_000},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mod     func(*Inputs)
		wantErr error
	}{
		{"valid", func(*Inputs) {}, nil},
		{"empty subnet", func(in *Inputs) { *in = Inputs{} }, nil},
		{"nil optional slices", func(in *Inputs) { in.Permits, in.Weights, in.Bonds = nil, nil, nil }, nil},
		{"negative n", func(in *Inputs) { in.N = -1 }, ErrTooManyNeurons},
		{"huge n", func(in *Inputs) { in.N = MaxNeurons + 1 }, ErrTooManyNeurons},
		{"short stake", func(in *Inputs) { in.Stake = in.Stake[:2] }, ErrLength},
		{"short registered_at", func(in *Inputs) { in.RegisteredAt = nil }, ErrLength},
		{"long last_update", func(in *Inputs) { in.LastUpdate = make([]uint64, 4) }, ErrLength},
		{"short permits", func(in *Inputs) { in.Permits = []bool{true} }, ErrLength},
		{"short weights", func(in *Inputs) { in.Weights = in.Weights[:1] }, ErrLength},
		{"short bonds", func(in *Inputs) { in.Bonds = in.Bonds[:2] }, ErrLength},
		{"weight uid out of range", func(in *Inputs) { in.Weights[1] = Row{{3, 1}} }, ErrUIDOutOfRange},
		{"bond uid out of range", func(in *Inputs) { in.Bonds[2] = Row{{65535, 1}} }, ErrUIDOutOfRange},
		{"owner out of range", func(in *Inputs) { in.HasOwner, in.OwnerUID = true, 3 }, ErrUIDOutOfRange},
		{"owner ignored without HasOwner", func(in *Inputs) { in.OwnerUID = 300 }, nil},
		{"duplicate weight uid", func(in *Inputs) { in.Weights[0] = Row{{1, 1}, {1, 2}} }, ErrDuplicateUID},
		{"duplicate bond uid", func(in *Inputs) { in.Bonds[0] = Row{{2, 1}, {0, 0}, {2, 2}} }, ErrDuplicateUID},
		{"stake overflow", func(in *Inputs) { in.Stake = []uint64{math.MaxInt64, 1, 0} }, ErrStakeOverflow},
		{"stake at the limit", func(in *Inputs) { in.Stake = []uint64{math.MaxInt64 - 1, 1, 0} }, nil},
		{"bonds moving average", func(in *Inputs) { in.Params.BondsMovingAverage = 1_000_001 }, ErrParam},
		{"alpha range", func(in *Inputs) {
			in.Params.Yuma3, in.Params.LiquidAlpha, in.Params.AlphaLow, in.Params.AlphaHigh = true, true, 2, 1
		}, ErrParam},
		{"alpha range unused", func(in *Inputs) { in.Params.AlphaLow, in.Params.AlphaHigh = 2, 1 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInputs()
			tt.mod(&in)
			err := in.Validate()
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Validate = %v, want %v", err, tt.wantErr)
			}
			out, err2 := Epoch(in)
			if !errors.Is(err2, tt.wantErr) || (tt.wantErr == nil) != (err2 == nil) {
				t.Fatalf("Epoch error = %v, want %v", err2, tt.wantErr)
			}
			if err2 == nil && len(out.Emission) != in.N {
				t.Fatalf("Emission has %d entries, n = %d", len(out.Emission), in.N)
			}
		})
	}
}

// TestEpochExtremes runs inputs at the edges of every range: no panic, sane lengths.
func TestEpochExtremes(t *testing.T) {
	n := 300
	in := Inputs{
		N: n, Block: math.MaxUint64, LastTempo: math.MaxUint64,
		Stake: make([]uint64, n), RegisteredAt: make([]uint64, n), LastUpdate: make([]uint64, n),
		Permits: make([]bool, n), Weights: make([]Row, n), Bonds: make([]Row, n),
		Emission: math.MaxUint64,
		Params: Params{
			ActivityCutoff: math.MaxUint64, Kappa: 65535, BondsMovingAverage: 1_000_000, BondsPenalty: 1,
			MaxAllowedValidators: 65535, StakeThreshold: math.MaxUint64, Yuma3: true, LiquidAlpha: true,
			AlphaLow: 0, AlphaHigh: 65535, AlphaSigmoidSteepness: math.MinInt16,
		},
		HasOwner: true, OwnerUID: uint16(n - 1),
	}
	for i := range n {
		in.Stake[i] = math.MaxInt64 / uint64(n)
		in.LastUpdate[i] = math.MaxUint64
		in.Permits[i] = true
		for j := range n {
			in.Weights[i] = append(in.Weights[i], Entry{uint16(j), 65535})
			in.Bonds[i] = append(in.Bonds[i], Entry{uint16(j), 65535})
		}
	}
	for _, yuma3 := range []bool{false, true} {
		in.Params.Yuma3 = yuma3
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		if err := diffOutputs(out, denseEpoch(in)); err != nil {
			t.Fatalf("yuma3=%v: %v", yuma3, err)
		}
		var paid uint64
		for _, e := range out.Emission {
			paid += e / uint64(n) // avoid overflow: sum of shares
		}
		if paid == 0 {
			t.Fatal("nothing paid")
		}
	}
}

// TestPermits covers is_topk_nonzero: ties lose lower uids first, zero stake never holds a
// permit, n == k keeps every non-zero stake, the owner always holds one.
func TestPermits(t *testing.T) {
	tests := []struct {
		name  string
		stake []uint64
		k     uint16
		owner int
		want  []bool
	}{
		{"top k", []uint64{1, 4, 2, 3}, 2, -1, []bool{false, true, false, true}},
		{"ties: lower uid loses", []uint64{5, 5, 5}, 2, -1, []bool{false, true, true}},
		{"n == k keeps non-zero", []uint64{0, 1, 2}, 3, -1, []bool{false, true, true}},
		{"n < k", []uint64{0, 1}, 8, -1, []bool{false, true}},
		{"k = 0", []uint64{3, 1}, 0, -1, []bool{false, false}},
		{"owner forced", []uint64{0, 1, 2}, 1, 0, []bool{true, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := len(tt.stake)
			in := Inputs{N: n, Stake: tt.stake, RegisteredAt: make([]uint64, n), LastUpdate: make([]uint64, n),
				Params: Params{MaxAllowedValidators: tt.k}}
			if tt.owner >= 0 {
				in.HasOwner, in.OwnerUID = true, uint16(tt.owner)
			}
			out, err := Epoch(in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.ValidatorPermit, tt.want) {
				t.Fatalf("permits %v, want %v", out.ValidatorPermit, tt.want)
			}
		})
	}
}

// TestRankTrust pins the legacy rank and trust definitions on a two-validator split.
func TestRankTrust(t *testing.T) {
	// Validators 0 (stake 3) and 1 (stake 1) both hold permits; 0 weights only uid 2,
	// 1 weights only uid 3. κ = 0.5: uid 2's consensus is its full weight, uid 3's is 0.
	in := Inputs{
		N: 4, Block: 10, LastTempo: 10,
		Stake: []uint64{3, 1, 0, 0}, RegisteredAt: make([]uint64, 4), LastUpdate: []uint64{5, 5, 0, 0},
		Permits: []bool{true, true, false, false},
		Weights: []Row{{{2, 65535}}, {{3, 65535}}, nil, nil},
		Params:  Params{ActivityCutoff: 100, Kappa: 32767, MaxAllowedValidators: 4, BondsPenalty: 65535},
	}
	out, err := Epoch(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint16{0, 0, 65535, 0}; !reflect.DeepEqual(out.Rank, want) || !reflect.DeepEqual(out.Incentive, want) {
		t.Fatalf("rank %v incentive %v, want %v", out.Rank, out.Incentive, want)
	}
	// Trust: uid 2 keeps all its support (1.0), uid 3 none of it (clipped to 0).
	if want := []uint16{0, 0, 65535, 0}; !reflect.DeepEqual(out.Trust, want) {
		t.Fatalf("trust %v, want %v", out.Trust, want)
	}
	if want := []uint16{65535, 0, 0, 0}; !reflect.DeepEqual(out.ValidatorTrust, want) {
		t.Fatalf("validator trust %v, want %v", out.ValidatorTrust, want)
	}
}

func TestLiquidAlphaSigmoid(t *testing.T) {
	p := Params{AlphaLow: 6553, AlphaHigh: 19660, AlphaSigmoidSteepness: 1000}
	s := newSigmoid(p)
	if s.k.Bits() != -10<<32 {
		t.Fatalf("steepness/−100 = %v", s.k)
	}
	lo, hi := fixed.U16Proportion(6553), fixed.U16Proportion(19660)
	one := fixed.I32F32One
	half := fixed.I32F32FromBits(1 << 31)
	// d = 0.5 → σ = 1/(1+e^0) = 0.5 → α = lo + (hi − lo)/2.
	if got, want := s.alpha(fixed.I32F32Zero, half, fixed.I32F32Zero), lo.Add(half.Mul(hi.Sub(lo))); got != want {
		t.Fatalf("alpha(d=0.5) = %v, want %v", got, want)
	}
	// Buying far above consensus (d = 1) pushes α toward hi; agreeing (d = 0) toward lo.
	up := s.alpha(fixed.I32F32Zero, one, fixed.I32F32Zero)
	down := s.alpha(one, one, fixed.I32F32Zero)
	if !(down.Less(up) && lo.Cmp(down) <= 0 && up.Cmp(hi) <= 0) {
		t.Fatalf("alpha range: down %v up %v, lo %v hi %v", down, up, lo, hi)
	}
	// Selling (w < b) uses b − w.
	if got := s.alpha(fixed.I32F32Zero, fixed.I32F32Zero, one); got != up {
		t.Fatalf("sell side %v, want %v", got, up)
	}
}
