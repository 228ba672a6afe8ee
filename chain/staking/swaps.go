package staking

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/swap"
)

// RootNetuid is the root network: TAO staked 1:1, no pool curve, no fee.
const RootNetuid uint16 = 0

func toSwap(p pools.Pool) swap.Pool { return swap.Pool{TAO: p.TAO, Alpha: p.AlphaIn} }

// limit is an optional price limit with allow_partial.
type limit struct {
	price   uint64 // RAO per whole alpha (swap.PriceScale = 1.0)
	partial bool
}

// buy swaps tao into netuid's pool for the staker: it returns the TAO
// actually used (less than tao only for a partial limit fill), the alpha
// bought and the fee (TAO, for the block author). Root is 1:1 without fee.
func buy(kv store.KV, netuid uint16, tao uint64, lim *limit, fee swap.FeeRate) (used, alpha, feeTAO uint64, err error) {
	pool := pools.Get(kv, netuid)
	if netuid == RootNetuid {
		if tao > ^uint64(0)-pool.TAO {
			return 0, 0, 0, fmt.Errorf("%w: root stake would overflow", swap.ErrOverflow)
		}
		pool.TAO += tao
		pool.AlphaOut += tao
		pools.Put(kv, netuid, pool)
		return tao, tao, 0, nil
	}
	var s swap.Swap
	if lim != nil {
		s, err = swap.BuyAlphaLimit(toSwap(pool), tao, lim.price, lim.partial, fee)
	} else {
		s.In = tao
		s.Out, s.Fee, s.After, err = swap.BuyAlpha(toSwap(pool), tao, fee)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if s.Out > ^uint64(0)-pool.AlphaOut {
		return 0, 0, 0, fmt.Errorf("%w: alpha outstanding would overflow", swap.ErrOverflow)
	}
	pool.TAO, pool.AlphaIn = s.After.TAO, s.After.Alpha
	pool.AlphaOut += s.Out
	pools.Put(kv, netuid, pool)
	return s.In, s.Out, s.Fee, nil
}

// sell swaps alpha out of a stake back to TAO: it returns the alpha
// actually sold, the TAO paid to the staker and the fee in TAO (the
// alpha fee sold into the pool without a fee, §12).
func sell(kv store.KV, netuid uint16, alpha uint64, lim *limit, fee swap.FeeRate) (used, tao, feeTAO uint64, err error) {
	pool := pools.Get(kv, netuid)
	if netuid == RootNetuid {
		if alpha > pool.TAO || alpha > pool.AlphaOut {
			return 0, 0, 0, fmt.Errorf("%w: root holds %d", swap.ErrInsufficientLiquidity, pool.TAO)
		}
		pool.TAO -= alpha
		pool.AlphaOut -= alpha
		pools.Put(kv, netuid, pool)
		return alpha, alpha, 0, nil
	}
	var s swap.Swap
	if lim != nil {
		s, err = swap.SellAlphaLimit(toSwap(pool), alpha, lim.price, lim.partial, fee)
	} else {
		s.In = alpha
		s.Out, s.Fee, s.After, err = swap.SellAlpha(toSwap(pool), alpha, fee)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	after := s.After
	if s.Fee > 0 {
		if feeTAO, after, err = swap.FeeToTAO(after, s.Fee); err != nil {
			return 0, 0, 0, err
		}
	}
	if s.In > pool.AlphaOut {
		panic(fmt.Sprintf("staking: selling %d alpha of subnet %d with %d outstanding", s.In, netuid, pool.AlphaOut))
	}
	pool.TAO, pool.AlphaIn = after.TAO, after.Alpha
	pool.AlphaOut -= s.In
	pools.Put(kv, netuid, pool)
	return s.In, s.Out, feeTAO, nil
}

// payAuthor credits a fee to the block author, or recycles it.
func payAuthor(e *env.Env, kv store.KV, fee uint64) error {
	if fee == 0 {
		return nil
	}
	if e.HasAuthor {
		return balances.Deposit(e, kv, e.Author, fee, "swap fee")
	}
	balances.Recycle(kv, fee)
	return nil
}
