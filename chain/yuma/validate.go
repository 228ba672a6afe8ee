package yuma

import (
	"fmt"
	"math"
)

// MaxNeurons is the largest N the epoch accepts: uids are u16.
const MaxNeurons = 1 << 16

// maxBondsMovingAverage is 10^6 parts per million: a fixed EMA rate of 0.
const maxBondsMovingAverage = 1_000_000

// Validate reports whether in is a consistent epoch input: N in range, every per-uid slice of
// length N (Permits, Weights and Bonds may be nil), every entry's uid < N and unique in its
// row, the owner < N, the stakes summing within I64F64, and the bond EMA and liquid alpha
// parameters in range. Epoch calls it first; it runs in O(N + entries).
func (in Inputs) Validate() error {
	n := in.N
	if n < 0 || n > MaxNeurons {
		return fmt.Errorf("%w: n = %d, allowed 0..%d", ErrTooManyNeurons, n, MaxNeurons)
	}
	for _, s := range []struct {
		name string
		l    int
		opt  bool
	}{
		{"stake", len(in.Stake), false},
		{"registered_at", len(in.RegisteredAt), false},
		{"last_update", len(in.LastUpdate), false},
		{"permits", len(in.Permits), true},
		{"weights", len(in.Weights), true},
		{"bonds", len(in.Bonds), true},
	} {
		if s.l != n && !(s.opt && s.l == 0) {
			return fmt.Errorf("%w: %s has %d entries, n = %d", ErrLength, s.name, s.l, n)
		}
	}
	if in.HasOwner && int(in.OwnerUID) >= n {
		return fmt.Errorf("%w: owner uid %d, n = %d", ErrUIDOutOfRange, in.OwnerUID, n)
	}
	var total uint64
	for i, s := range in.Stake {
		if s > math.MaxInt64-total {
			return fmt.Errorf("%w: at uid %d", ErrStakeOverflow, i)
		}
		total += s
	}
	p := in.Params
	if p.BondsMovingAverage > maxBondsMovingAverage {
		return fmt.Errorf("%w: bonds_moving_average %d, allowed 0..%d", ErrParam, p.BondsMovingAverage, maxBondsMovingAverage)
	}
	if p.Yuma3 && p.LiquidAlpha && p.AlphaLow > p.AlphaHigh {
		return fmt.Errorf("%w: alpha_low %d above alpha_high %d", ErrParam, p.AlphaLow, p.AlphaHigh)
	}
	// seen[j] == stamp marks uid j as present in the row being checked.
	seen := make([]uint32, n)
	stamp := uint32(0)
	for _, m := range []struct {
		name string
		rows []Row
	}{{"weights", in.Weights}, {"bonds", in.Bonds}} {
		for i, row := range m.rows {
			stamp++
			for _, e := range row {
				j := int(e.UID)
				if j >= n {
					return fmt.Errorf("%w: %s row %d names uid %d, n = %d", ErrUIDOutOfRange, m.name, i, j, n)
				}
				if seen[j] == stamp {
					return fmt.Errorf("%w: %s row %d names uid %d twice", ErrDuplicateUID, m.name, i, j)
				}
				seen[j] = stamp
			}
		}
	}
	return nil
}
