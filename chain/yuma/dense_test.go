package yuma

import (
	"slices"

	"github.com/gotensor/gotensor/chain/fixed"
)

// denseEpoch is a "dumb" restatement of vectors/README.md's steps on dense n×n matrices with
// presence masks, written for the property test (quorum/quick_test.go style): no CSR, no
// compressed medians, no merges; the median runs over every voter in uid order as subtensor
// does. Epoch must agree with it bit for bit.
func denseEpoch(in Inputs) Outputs {
	n := in.N
	p := in.Params
	f := fixed.I32F32FromBits
	one := fixed.I32F32One
	isOwner := func(i int) bool { return in.HasOwner && int(in.OwnerUID) == i }
	type mat struct {
		v  [][]fixed.I32F32
		ok [][]bool
	}
	newMat := func() mat {
		m := mat{make([][]fixed.I32F32, n), make([][]bool, n)}
		for i := range n {
			m.v[i] = make([]fixed.I32F32, n)
			m.ok[i] = make([]bool, n)
		}
		return m
	}
	colNorm := func(m mat) {
		for j := range n {
			var s int64
			for i := range n {
				if m.ok[i][j] {
					s += m.v[i][j].Bits()
				}
			}
			if s != 0 {
				for i := range n {
					if m.ok[i][j] {
						m.v[i][j] = m.v[i][j].SafeDiv(f(s))
					}
				}
			}
		}
	}
	vnorm := func(v []fixed.I32F32) {
		var s int64
		for _, x := range v {
			s += x.Bits()
		}
		if s != 0 {
			for i := range v {
				v[i] = v[i].SafeDiv(f(s))
			}
		}
	}

	// 1.
	active := make([]bool, n)
	for i := range n {
		end := in.LastUpdate[i] + p.ActivityCutoff
		if end < in.LastUpdate[i] {
			end = ^uint64(0)
		}
		active[i] = !(end < in.Block)
	}
	// 2.
	raw := make([]uint64, n)
	var tot uint64
	for i := range n {
		if in.Stake[i] >= p.StakeThreshold || isOwner(i) {
			raw[i] = in.Stake[i]
		}
		tot += raw[i]
	}
	S := make([]fixed.I32F32, n)
	for i := range n {
		if tot > 0 {
			S[i] = fixed.I64F64FromU64(raw[i]).SafeDiv(fixed.I64F64FromU64(tot)).ToI32F32()
		}
	}
	// 3. Selection by repeatedly removing the smallest (lowest uid on ties).
	old := make([]bool, n)
	newP := make([]bool, n)
	for i := range n {
		old[i] = (len(in.Permits) > 0 && in.Permits[i]) || isOwner(i)
		newP[i] = !S[i].IsZero()
	}
	if k := int(p.MaxAllowedValidators); n >= k {
		removed := make([]bool, n)
		for range n - k {
			best := -1
			for i := range n {
				if !removed[i] && (best < 0 || S[i].Less(S[best])) {
					best = i
				}
			}
			removed[best] = true
			newP[best] = false
		}
	}
	if in.HasOwner {
		newP[in.OwnerUID] = true
	}
	// 4.
	A := make([]fixed.I32F32, n)
	for i := range n {
		if active[i] && old[i] {
			A[i] = S[i]
		}
	}
	vnorm(A)
	// 5.
	W := newMat()
	for i := range n {
		if len(in.Weights) == 0 || !old[i] {
			continue
		}
		var s int64
		for _, e := range in.Weights[i] {
			j := int(e.UID)
			if (j == i && !isOwner(i)) || in.LastUpdate[i] <= in.RegisteredAt[j] {
				continue
			}
			W.v[i][j], W.ok[i][j] = fixed.I32F32FromU16(e.Value), true
			s += W.v[i][j].Bits()
		}
		if s != 0 {
			for j := range n {
				if W.ok[i][j] {
					W.v[i][j] = W.v[i][j].SafeDiv(f(s))
				}
			}
		}
	}
	// 6. Literal median over all voters, uid order.
	var voters []int
	var u []fixed.I32F32
	for i := range n {
		if A[i].Sign() > 0 {
			voters = append(voters, i)
			u = append(u, A[i])
		}
	}
	vnorm(u)
	var U int64
	for _, x := range u {
		U += x.Bits()
	}
	minority := f(U).Sub(fixed.U16Proportion(p.Kappa))
	C := make([]fixed.I32F32, n)
	for j := range n {
		score := make([]fixed.I32F32, len(voters))
		for k, i := range voters {
			score[k] = W.v[i][j] // 0 when absent
		}
		C[j] = WeightedMedian(u, score, minority, fixed.I32F32Zero, f(U))
	}
	// 7.
	Wc := newMat()
	for i := range n {
		for j := range n {
			if !W.ok[i][j] {
				continue
			}
			if C[j].Less(W.v[i][j]) {
				if C[j].Sign() > 0 {
					Wc.v[i][j], Wc.ok[i][j] = C[j], true
				}
			} else {
				Wc.v[i][j], Wc.ok[i][j] = W.v[i][j], true
			}
		}
	}
	// 8, 9 and legacy trust.
	VT := make([]fixed.I32F32, n)
	R := make([]fixed.I32F32, n)
	P := make([]fixed.I32F32, n)
	for i := range n {
		for j := range n {
			if Wc.ok[i][j] {
				VT[i] = VT[i].WrappingAdd(Wc.v[i][j])
				R[j] = R[j].WrappingAdd(A[i].Mul(Wc.v[i][j]))
			}
			if W.ok[i][j] {
				P[j] = P[j].WrappingAdd(A[i].Mul(W.v[i][j]))
			}
		}
	}
	I := slices.Clone(R)
	vnorm(I)
	// 10.
	beta := fixed.U16Proportion(p.BondsPenalty)
	Wb := newMat()
	for i := range n {
		for j := range n {
			switch {
			case beta.IsZero():
				Wb.v[i][j], Wb.ok[i][j] = W.v[i][j], W.ok[i][j]
			case beta == one:
				Wb.v[i][j], Wb.ok[i][j] = Wc.v[i][j], Wc.ok[i][j]
			case W.ok[i][j]:
				x := W.v[i][j].Add(beta.Mul(Wc.v[i][j].Sub(W.v[i][j])))
				Wb.v[i][j], Wb.ok[i][j] = x, x.Sign() > 0
			}
		}
	}
	// 11.
	B := newMat()
	for i := range n {
		if len(in.Bonds) == 0 {
			break
		}
		for _, e := range in.Bonds[i] {
			if in.LastTempo <= in.RegisteredAt[e.UID] {
				continue
			}
			if p.Yuma3 {
				B.v[i][e.UID] = fixed.U16Proportion(e.Value)
			} else {
				B.v[i][e.UID] = fixed.I32F32FromU16(e.Value)
			}
			B.ok[i][e.UID] = true
		}
	}
	a := one.Sub(f(int64((p.BondsMovingAverage << 32) / 1_000_000)))
	emaFixed := func(X mat) mat {
		E := newMat()
		for i := range n {
			for j := range n {
				if X.ok[i][j] || B.ok[i][j] {
					v := a.Mul(X.v[i][j]).Add(one.Sub(a).Mul(B.v[i][j]))
					E.v[i][j], E.ok[i][j] = v, v.Sign() > 0
				}
			}
		}
		return E
	}
	D := make([]fixed.I32F32, n)
	var stored mat
	if !p.Yuma3 {
		colNorm(B)
		dB := newMat()
		for i := range n {
			for j := range n {
				if Wb.ok[i][j] {
					dB.v[i][j], dB.ok[i][j] = Wb.v[i][j].Mul(A[i]), true
				}
			}
		}
		colNorm(dB)
		E := emaFixed(dB)
		colNorm(E)
		for i := range n {
			for j := range n {
				if E.ok[i][j] {
					D[i] = D[i].WrappingAdd(I[j].Mul(E.v[i][j]))
				}
			}
		}
		vnorm(D)
		for j := range n {
			var m fixed.I32F32
			for i := range n {
				if E.ok[i][j] {
					m = m.Max(E.v[i][j])
				}
			}
			for i := range n {
				if E.ok[i][j] {
					E.v[i][j] = E.v[i][j].SafeDiv(m)
				}
			}
		}
		stored = E
	} else {
		var E mat
		if p.LiquidAlpha && slices.ContainsFunc(C, func(c fixed.I32F32) bool { return !c.IsZero() }) {
			sig := newSigmoid(p)
			E = newMat()
			for i := range n {
				for j := range n {
					if Wb.ok[i][j] {
						al := sig.alpha(C[j], Wb.v[i][j], B.v[i][j])
						v := liquidEMA(al, Wb.v[i][j], B.v[i][j])
						E.v[i][j], E.ok[i][j] = v, v.Sign() > 0
					}
				}
			}
		} else {
			E = emaFixed(Wb)
		}
		En := newMat()
		for i := range n {
			copy(En.v[i], E.v[i])
			copy(En.ok[i], E.ok[i])
		}
		colNorm(En)
		for i := range n {
			var t fixed.I32F32
			for j := range n {
				if En.ok[i][j] {
					t = t.WrappingAdd(En.v[i][j].Mul(I[j]))
				}
			}
			D[i] = t.Mul(A[i])
		}
		vnorm(D)
		stored = E
	}
	// 13.
	bonds := make([]Row, n)
	for i := range n {
		if !newP[i] {
			continue
		}
		bonds[i] = Row{}
		for j := range n {
			if stored.ok[i][j] {
				bonds[i] = append(bonds[i], Entry{uint16(j), stored.v[i][j].ToU16Proportion()})
			}
		}
	}
	// 14.
	out := Outputs{
		StakeWeight: toU16(S), Active: active, Consensus: toU16(C), Rank: toU16(I),
		Incentive: toU16(I), Dividends: toU16(D), ValidatorTrust: toU16(VT), ValidatorPermit: newP,
		Bonds: bonds, Trust: make([]uint16, n), ServerEmission: make([]uint64, n),
		ValidatorEmission: make([]uint64, n), Emission: make([]uint64, n),
	}
	for j := range n {
		out.Trust[j] = R[j].SafeDiv(P[j]).ToU16Proportion()
	}
	var sigma int64
	for i := range n {
		sigma += I[i].Bits() + D[i].Bits()
	}
	if sigma != 0 {
		for i := range n {
			out.ServerEmission[i] = I[i].SafeDiv(f(sigma)).MulU64(in.Emission)
			out.ValidatorEmission[i] = D[i].SafeDiv(f(sigma)).MulU64(in.Emission)
			out.Emission[i] = I[i].Add(D[i]).SafeDiv(f(sigma)).MulU64(in.Emission)
		}
		return out
	}
	c := A
	var sa int64
	for _, x := range A {
		sa += x.Bits()
	}
	if sa == 0 {
		c = S
	}
	for i := range n {
		out.ValidatorEmission[i] = c[i].MulU64(in.Emission)
		out.Emission[i] = out.ValidatorEmission[i]
	}
	return out
}
