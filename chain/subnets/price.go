package subnets

import (
	"math/bits"

	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/store"
)

// LockCost is the TAO needed to register a subnet at block now (§3.1):
// the last lock doubled, minus a linear decay over the reduction interval,
// floored at the minimum. blockEmission scales the interval as the
// reference does (R = interval × emission / 1 TAO).
func LockCost(r store.Reader, now, blockEmission uint64) uint64 {
	p := GetParams(r)
	n := Network(r)
	mult := uint64(2)
	if !n.EverRegistered {
		mult = 1
	}
	last := satMul(n.LastLockCost, mult)
	interval := fixed.MulDiv(p.NetworkLockReductionInterval, blockEmission, RAOPerTAO)
	var decay uint64
	if interval > 0 && now > n.LastRegisteredAt {
		decay = satMul(n.LastLockCost/interval, now-n.LastRegisteredAt)
	}
	lock := uint64(0)
	if last > decay {
		lock = last - decay
	}
	return max(lock, p.NetworkMinLockCost)
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}

// q32One is 1.0 in Q32.
const q32One = uint64(1) << 32

// q32Pow is x^n in Q32 (x ≤ 1.0), flooring each product.
func q32Pow(x, n uint64) uint64 {
	result := q32One
	for n > 0 {
		if n&1 == 1 {
			result = mulQ32(result, x)
		}
		x = mulQ32(x, x)
		n >>= 1
	}
	return result
}

func mulQ32(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi<<32 | lo>>32
}

// DecayFactorQ32 is the largest q in Q32 with q^halfLife ≤ 0.5 (§4.1),
// found by binary search; the burn is multiplied by it every block.
func DecayFactorQ32(halfLife uint64) uint64 {
	if halfLife == 0 {
		return q32One
	}
	lo, hi := uint64(0), q32One
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if q32Pow(mid, halfLife) <= q32One/2 {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// clampBurn keeps a price within [min_burn, max_burn].
func clampBurn(v uint64, h Hyperparams) uint64 { return min(max(v, h.MinBurn), h.MaxBurn) }

// DecayBurns runs at the start of every block (§2 step 1): each subnet's
// burn decays by its half-life factor and its per-block registration count
// resets. Bounded by the number of subnets (≤ subnet_limit + 1).
func DecayBurns(kv store.KV, block uint64) {
	for _, netuid := range Netuids(kv) {
		if netuid == RootNetuid {
			continue
		}
		h := Hyper(kv, netuid)
		b := Burn(kv, netuid)
		b.Burn = clampBurn(mulQ32(b.Burn, DecayFactorQ32(h.BurnHalfLife)), h)
		b.RegistrationsThisBlock = 0
		b.Block = block
		SetBurn(kv, netuid, b)
	}
}

// BumpBurn records a registration: the price rises by burn_increase_mult
// at once, so the next registration in the same block pays more.
func BumpBurn(kv store.KV, netuid uint16) {
	h := Hyper(kv, netuid)
	b := Burn(kv, netuid)
	b.Burn = clampBurn(fixed.MulDiv(b.Burn, h.BurnIncreaseMultPPM, 1_000_000), h)
	b.RegistrationsThisBlock++
	SetBurn(kv, netuid, b)
}

// maxCatchUp bounds the decay steps CurrentBurn applies (the mempool is
// one block behind; anything older just takes the floor of what it got).
const maxCatchUp = 64

// CurrentBurn is a subnet's registration state as it will be at block now:
// the decay of the blocks since it was last stepped applied and this
// block's count reset. Block execution steps every block first, so there
// it equals Burn; the mempool's view is one block behind and needs it.
func CurrentBurn(r store.Reader, netuid uint16, now uint64) BurnState {
	b := Burn(r, netuid)
	if b.Block >= now {
		return b
	}
	h := Hyper(r, netuid)
	f := DecayFactorQ32(h.BurnHalfLife)
	for i := uint64(0); i < min(now-b.Block, maxCatchUp); i++ {
		b.Burn = clampBurn(mulQ32(b.Burn, f), h)
	}
	b.RegistrationsThisBlock, b.Block = 0, now
	return b
}
