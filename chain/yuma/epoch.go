package yuma

import (
	"math"
	"slices"

	"github.com/gotensor/gotensor/chain/fixed"
)

// Epoch runs Yuma Consensus for one subnet (HEAD §9.3, sparse) and returns what the chain
// stores and pays; see the package documentation for the steps. It validates in first and
// returns the Validate error unchanged (Outputs is then zero). It is a pure function: the
// same Inputs give the same Outputs on every machine.
func Epoch(in Inputs) (Outputs, error) {
	if err := in.Validate(); err != nil {
		return Outputs{}, err
	}
	e := epoch{in: in, n: in.N, p: in.Params}
	return e.run(), nil
}

// epoch holds one run's inputs and intermediate vectors (raw I32F32 unless noted).
type epoch struct {
	in Inputs
	n  int
	p  Params

	active    []bool
	S         []fixed.I32F32 // stake weight
	oldPermit []bool         // stored permits, owner forced
	newPermit []bool
	A         []fixed.I32F32 // active stake, normalised
	W         sparse         // weights; after step 10, W^b (entries with keepB)
	keepB     []bool         // which entries of W are in W^b
	C         []fixed.I32F32 // consensus
	VT        []fixed.I32F32 // validator trust
	R         []fixed.I32F32 // rank (pre-normalisation)
	P         []fixed.I32F32 // pre-clip rank, for trust
	I         []fixed.I32F32 // incentive
	D         []fixed.I32F32 // dividends
	scratch   []fixed.I32F32 // length n, per-column sums and maxima
}

func (e *epoch) owner(i int) bool { return e.in.HasOwner && int(e.in.OwnerUID) == i }

func (e *epoch) run() Outputs {
	n := e.n
	e.scratch = make([]fixed.I32F32, n)
	e.activity()
	e.stake()
	e.permits()
	e.activeStake()
	e.weights()
	e.consensus()
	e.clip()
	e.I = Normalize(e.R)
	bonds := e.bonds()

	out := Outputs{
		StakeWeight:     toU16(e.S),
		Active:          e.active,
		Consensus:       toU16(e.C),
		Rank:            toU16(e.I),
		Trust:           make([]uint16, n),
		Incentive:       toU16(e.I),
		Dividends:       toU16(e.D),
		ValidatorTrust:  toU16(e.VT),
		ValidatorPermit: e.newPermit,
		Bonds:           bonds,
	}
	for j := range n {
		out.Trust[j] = e.R[j].SafeDiv(e.P[j]).ToU16Proportion()
	}
	out.ServerEmission, out.ValidatorEmission, out.Emission = e.emission()
	return out
}

// activity is step 1: active_i = !(last_update_i + activity_cutoff < block).
func (e *epoch) activity() {
	e.active = make([]bool, e.n)
	for i, lu := range e.in.LastUpdate {
		end := lu + e.p.ActivityCutoff
		if end < lu {
			end = math.MaxUint64 // saturating add
		}
		e.active[i] = end >= e.in.Block
	}
}

// stake is step 2: stake below the threshold counts as 0 (owner exempt); S is the stake
// normalised in I64F64 (raw_i·2^64/Σraw, truncated) and cut to I32F32 (floor).
func (e *epoch) stake() {
	raw := make([]uint64, e.n)
	var total uint64 // Validate bounds Σ stake by 2^63 − 1
	for i, s := range e.in.Stake {
		if s < e.p.StakeThreshold && !e.owner(i) {
			s = 0
		}
		raw[i] = s
		total += s
	}
	e.S = make([]fixed.I32F32, e.n)
	if total == 0 {
		return
	}
	sum := fixed.I64F64FromU64(total)
	for i, s := range raw {
		e.S[i] = fixed.I64F64FromU64(s).SafeDiv(sum).ToI32F32()
	}
}

// permits is step 3: old permits are the stored ones (owner forced true); new permits go to
// the non-zero stakes, and when n ≥ k the n − k smallest by S (ties: lower uid first) lose
// theirs (is_topk_nonzero). The owner always holds one.
func (e *epoch) permits() {
	n := e.n
	e.oldPermit = make([]bool, n)
	copy(e.oldPermit, e.in.Permits)
	e.newPermit = make([]bool, n)
	for i, s := range e.S {
		e.newPermit[i] = !s.IsZero()
	}
	if k := int(e.p.MaxAllowedValidators); n > k { // n == k drops none
		// Key (S, uid): S ≤ 2^32 needs 33 bits and the uid 16, so the pair packs into a uint64
		// whose order is the stable ascending order by S.
		keys := make([]uint64, n)
		for i, s := range e.S {
			keys[i] = uint64(s.Bits())<<16 | uint64(i)
		}
		slices.Sort(keys)
		for _, key := range keys[:n-k] {
			e.newPermit[key&0xffff] = false
		}
	}
	if e.in.HasOwner {
		e.oldPermit[e.in.OwnerUID] = true
		e.newPermit[e.in.OwnerUID] = true
	}
}

// activeStake is step 4: A_i = S_i for active uids holding an old permit, else 0; normalised.
func (e *epoch) activeStake() {
	e.A = make([]fixed.I32F32, e.n)
	for i, s := range e.S {
		if e.active[i] && e.oldPermit[i] {
			e.A[i] = s
		}
	}
	normalize(e.A)
}

// weights is step 5: each u16 weight w as the integer w·2^32; rows of uids without an old
// permit emptied; the diagonal dropped except for the owner; (i, j) dropped when
// last_update_i ≤ registered_at_j; rows divided by their sum (zero-sum rows unchanged).
// Explicit zeros stay.
func (e *epoch) weights() {
	n := e.n
	nnz := 0
	for i, row := range e.in.Weights {
		if e.oldPermit[i] {
			nnz += len(row)
		}
	}
	w := newSparse(n, nnz)
	for i := range n {
		w.start[i] = len(w.col)
		if i >= len(e.in.Weights) || !e.oldPermit[i] {
			continue
		}
		lu := e.in.LastUpdate[i]
		var sum int64
		for _, en := range e.in.Weights[i] {
			j := int(en.UID)
			if (j == i && !e.owner(i)) || lu <= e.in.RegisteredAt[j] {
				continue
			}
			v := fixed.I32F32FromU16(en.Value)
			w.push(en.UID, v)
			sum += v.Bits()
		}
		if sum != 0 {
			s := fixed.I32F32FromBits(sum)
			for k := w.start[i]; k < len(w.col); k++ {
				w.val[k] = w.val[k].SafeDiv(s)
			}
		}
	}
	w.start[n] = len(w.col)
	e.W = w
}

// consensus is step 6: C_j is the stake-weighted median of column j over the uids with
// A_i > 0 (their stakes renormalised to u, U = Σu, minority = U − κ), weights missing from a
// row counting as 0.
//
// Subtensor runs weighted_median on all such uids for every column, O(n · validators). Here
// each column holds only its positive weights plus one position standing for every voter
// that scores it 0, with their summed stake, so the work is linear in the non-zero weights.
// This gives the same value: with every stake positive (u_i ≥ A_i ≥ 1 raw, since ΣA ≤ 1),
// weighted_median returns the smallest score p whose cumulative stake Σ{u_i : score_i ≤ p}
// exceeds the minority (the largest score if none does), whatever the pivots, and merging
// equal scores keeps every cumulative sum. TestEpochSparseMatchesDense checks this against
// the literal dense median.
func (e *epoch) consensus() {
	n := e.n
	e.C = make([]fixed.I32F32, n)
	u := make([]int64, n) // renormalised stake of voters, 0 for non-voters
	voters := 0
	var U int64
	for i, a := range e.A {
		if a.Sign() > 0 {
			u[i] = a.Bits()
			voters++
			U += a.Bits()
		}
	}
	if voters == 0 {
		return
	}
	// u = normalize(A over voters).
	sumU := fixed.I32F32FromBits(U)
	U = 0
	for i, a := range u {
		if a != 0 {
			u[i] = fixed.I32F32FromBits(a).SafeDiv(sumU).Bits()
			U += u[i]
		}
	}
	minority := fixed.I32F32FromBits(U).Sub(fixed.U16Proportion(e.p.Kappa)).Bits()

	// Transpose the voters' positive weights by column. Column j owns pos[start[j]:start[j+1]],
	// whose first slot is reserved for the zero-score position.
	w := &e.W
	start := make([]int, n+1)
	for i := range n {
		if u[i] == 0 {
			continue
		}
		for k := w.start[i]; k < w.start[i+1]; k++ {
			if w.val[k].Sign() > 0 {
				start[int(w.col[k])+1]++
			}
		}
	}
	for j := range n {
		start[j+1] += start[j] + 1
	}
	pos := make([]position, start[n])
	next := make([]int, n)
	for j := range n {
		next[j] = start[j] + 1
	}
	for i := range n {
		if u[i] == 0 {
			continue
		}
		for k := w.start[i]; k < w.start[i+1]; k++ {
			if v := w.val[k].Bits(); v > 0 {
				j := w.col[k]
				pos[next[j]] = position{stake: u[i], score: v}
				next[j]++
			}
		}
	}
	var s medianScratch
	s.grow(voters + 1)
	for j := range n {
		col := pos[start[j]:start[j+1]]
		scored := len(col) - 1
		if scored == 0 {
			continue // every voter scores 0
		}
		if scored < voters {
			var nz int64
			for _, p := range col[1:] {
				nz += p.stake
			}
			col[0] = position{stake: U - nz, score: 0}
		} else {
			col = col[1:]
		}
		e.C[j] = fixed.I32F32FromBits(weightedMedian(col, minority, 0, U, &s))
	}
}

// clip is steps 7 to 10 in one pass over W: W̄_ij = C_j when C_j < W_ij (dropped when
// moreover C_j ≤ 0), else W_ij; VT_i = Σ_j W̄_ij; R_j = Σ_i A_i·W̄_ij; P_j = Σ_i A_i·W_ij
// (legacy pre-clip rank, for trust); and W is overwritten with the weights for bonds W^b
// (β = prop(bonds_penalty): W, W̄, or W + β·(W̄ − W) kept where positive).
func (e *epoch) clip() {
	n := e.n
	e.VT = make([]fixed.I32F32, n)
	e.R = make([]fixed.I32F32, n)
	e.P = make([]fixed.I32F32, n)
	w := &e.W
	e.keepB = make([]bool, len(w.col))
	beta := fixed.U16Proportion(e.p.BondsPenalty)
	for i := range n {
		a := e.A[i]
		var vt fixed.I32F32
		for k := w.start[i]; k < w.start[i+1]; k++ {
			j := w.col[k]
			wv := w.val[k]
			c := e.C[j]
			wbar, kept := wv, true
			if c.Less(wv) {
				if c.Sign() <= 0 {
					wbar, kept = fixed.I32F32Zero, false
				} else {
					wbar = c
				}
			}
			if !a.IsZero() {
				e.P[j] = e.P[j].WrappingAdd(a.Mul(wv))
				if kept {
					e.R[j] = e.R[j].WrappingAdd(a.Mul(wbar))
				}
			}
			if kept {
				vt = vt.WrappingAdd(wbar)
			}
			switch beta {
			case fixed.I32F32Zero:
				e.keepB[k] = true
			case fixed.I32F32One:
				w.val[k], e.keepB[k] = wbar, kept
			default:
				x := wv.Add(beta.Mul(wbar.Sub(wv)))
				w.val[k], e.keepB[k] = x, x.Sign() > 0
			}
		}
		e.VT[i] = vt
	}
}

// oldBonds is step 11: the stored bonds, each u16 turned into a fixed value by conv, minus
// the entries on uids registered at or after last_tempo.
func (e *epoch) oldBonds(conv func(uint16) fixed.I32F32) sparse {
	n := e.n
	nnz := 0
	for _, row := range e.in.Bonds {
		nnz += len(row)
	}
	b := newSparse(n, nnz)
	for i := range n {
		b.start[i] = len(b.col)
		if i >= len(e.in.Bonds) {
			continue
		}
		for _, en := range e.in.Bonds[i] {
			if e.in.LastTempo <= e.in.RegisteredAt[en.UID] {
				continue
			}
			b.push(en.UID, conv(en.Value))
		}
	}
	b.start[n] = len(b.col)
	return b
}

// bonds is steps 11 to 13: it sets D and returns the new stored bond rows.
func (e *epoch) bonds() []Row {
	// a = 1 − floor(bma·2^32/10^6): the fixed EMA rate (bma ≤ 10^6 by Validate).
	rate := fixed.I32F32One.Sub(fixed.I32F32FromBits(int64((e.p.BondsMovingAverage << 32) / maxBondsMovingAverage)))
	if e.p.Yuma3 {
		return e.bondsYuma3(rate)
	}
	return e.bondsYuma2(rate)
}

// bondsYuma2 is step 12 with yuma3 off: column-normalised old bonds B and bond deltas
// ΔB = W^b·A, their EMA column-normalised, dividends D_i = Σ_j I_j·EMA_ij, and stored bonds
// EMA max-upscaled per column.
func (e *epoch) bondsYuma2(rate fixed.I32F32) []Row {
	B := e.oldBonds(fixed.I32F32FromU16)
	B.colNormalize(e.scratch, nil)

	w := &e.W
	for i := range e.n {
		a := e.A[i]
		for k := w.start[i]; k < w.start[i+1]; k++ {
			w.val[k] = w.val[k].Mul(a)
		}
	}
	w.colNormalize(e.scratch, e.keepB)

	ema := e.emaMerge(B, rate)
	ema.colNormalize(e.scratch, nil)

	e.D = make([]fixed.I32F32, e.n)
	for i := range e.n {
		var d fixed.I32F32
		for k := ema.start[i]; k < ema.start[i+1]; k++ {
			d = d.WrappingAdd(e.I[ema.col[k]].Mul(ema.val[k]))
		}
		e.D[i] = d
	}
	normalize(e.D)

	// Column max-upscale: every entry divided by its column's maximum.
	colMax := e.scratch
	clear(colMax)
	for k, j := range ema.col {
		colMax[j] = colMax[j].Max(ema.val[k])
	}
	for k, j := range ema.col {
		ema.val[k] = ema.val[k].SafeDiv(colMax[j])
	}
	return ema.rows(e.newPermit, fixed.I32F32.ToU16Proportion)
}

// bondsYuma3 is step 12 with yuma3 on: old bonds B = prop(u16); the EMA with liquid alpha
// (per cell, over W^b's entries only) or with the fixed rate (over the entries of either);
// dividends D_i = A_i·Σ_j Ē_ij·I_j with Ē the column-normalised EMA; stored bonds u16(EMA).
func (e *epoch) bondsYuma3(rate fixed.I32F32) []Row {
	B := e.oldBonds(fixed.U16Proportion)
	var ema sparse
	if e.p.LiquidAlpha && slices.ContainsFunc(e.C, func(c fixed.I32F32) bool { return !c.IsZero() }) {
		ema = e.liquidEMA(B)
	} else {
		ema = e.emaMerge(B, rate)
	}

	norm := sparse{start: ema.start, col: ema.col, val: slices.Clone(ema.val)}
	norm.colNormalize(e.scratch, nil)
	e.D = make([]fixed.I32F32, e.n)
	for i := range e.n {
		var t fixed.I32F32
		for k := norm.start[i]; k < norm.start[i+1]; k++ {
			t = t.WrappingAdd(norm.val[k].Mul(e.I[norm.col[k]]))
		}
		e.D[i] = t.Mul(e.A[i])
	}
	normalize(e.D)
	return ema.rows(e.newPermit, fixed.I32F32.ToU16Proportion)
}

// emaMerge returns rate·X + (1 − rate)·B over the entries of either, X being W's entries
// with keepB, keeping the positive results (subtensor's mat_ema_sparse).
func (e *epoch) emaMerge(B sparse, rate fixed.I32F32) sparse {
	n := e.n
	w := &e.W
	// In steady state the union is about the larger input; append grows it otherwise.
	out := newSparse(n, max(len(B.col), len(w.col))+n)
	acc := e.scratch
	mark := make([]int32, n) // mark[j] == i+1: column j is in row i's output
	comp := fixed.I32F32One.Sub(rate)
	for i := range n {
		lo := len(out.col)
		out.start[i] = lo
		stamp := int32(i + 1)
		for k := B.start[i]; k < B.start[i+1]; k++ {
			j := B.col[k]
			acc[j] = comp.Mul(B.val[k])
			mark[j] = stamp
			out.col = append(out.col, j)
		}
		for k := w.start[i]; k < w.start[i+1]; k++ {
			if !e.keepB[k] {
				continue
			}
			j := w.col[k]
			v := rate.Mul(w.val[k])
			if mark[j] == stamp {
				acc[j] = acc[j].Add(v)
			} else {
				acc[j] = v
				mark[j] = stamp
				out.col = append(out.col, j)
			}
		}
		// Keep the positive cells, in place.
		kept := lo
		for _, j := range out.col[lo:] {
			if v := acc[j]; v.Sign() > 0 {
				out.col[kept] = j
				out.val = append(out.val, v)
				kept++
			}
		}
		out.col = out.col[:kept]
	}
	out.start[n] = len(out.col)
	return out
}

// liquidEMA returns the liquid-alpha EMA (step 12b): for each entry (j, w) of W^b's row i,
// α = alpha(C_j, w, B_ij) and min(1, (1 − α)·B_ij + max(0, α·w)), kept when positive. Bonds
// with no entry in that row of W^b are dropped.
func (e *epoch) liquidEMA(B sparse) sparse {
	n := e.n
	w := &e.W
	sig := newSigmoid(e.p)
	out := newSparse(n, len(w.col))
	bRow := e.scratch
	mark := make([]int32, n)
	for i := range n {
		out.start[i] = len(out.col)
		stamp := int32(i + 1)
		for k := B.start[i]; k < B.start[i+1]; k++ {
			bRow[B.col[k]] = B.val[k]
			mark[B.col[k]] = stamp
		}
		for k := w.start[i]; k < w.start[i+1]; k++ {
			if !e.keepB[k] {
				continue
			}
			j := w.col[k]
			var b fixed.I32F32
			if mark[j] == stamp {
				b = bRow[j]
			}
			wv := w.val[k]
			if v := liquidEMA(sig.alpha(e.C[j], wv, b), wv, b); v.Sign() > 0 {
				out.push(j, v)
			}
		}
	}
	out.start[n] = len(out.col)
	return out
}

// emission is step 14: with Σ = Σ_i (I_i + D_i) ≠ 0, the combined share is normalize(I + D),
// the server share I_i/Σ and the validator share D_i/Σ; with Σ = 0 the validator and combined
// shares are A (or S when ΣA = 0) and the server share 0. Each amount is floor(share·E).
func (e *epoch) emission() (server, validator, combined []uint64) {
	n := e.n
	E := e.in.Emission
	server = make([]uint64, n)
	validator = make([]uint64, n)
	combined = make([]uint64, n)
	s := make([]fixed.I32F32, n)
	var sigma int64
	for i := range n {
		s[i] = e.I[i].WrappingAdd(e.D[i])
		sigma += s[i].Bits()
	}
	if sigma != 0 {
		sum := fixed.I32F32FromBits(sigma)
		normalize(s)
		for i := range n {
			server[i] = e.I[i].SafeDiv(sum).MulU64(E)
			validator[i] = e.D[i].SafeDiv(sum).MulU64(E)
			combined[i] = s[i].MulU64(E)
		}
		return server, validator, combined
	}
	c := e.A
	var sumA int64
	for _, a := range e.A {
		sumA += a.Bits()
	}
	if sumA == 0 {
		c = e.S
	}
	for i := range n {
		validator[i] = c[i].MulU64(E)
		combined[i] = validator[i]
	}
	return server, validator, combined
}

func toU16(v []fixed.I32F32) []uint16 {
	out := make([]uint16, len(v))
	for i, x := range v {
		out[i] = x.ToU16Proportion()
	}
	return out
}
