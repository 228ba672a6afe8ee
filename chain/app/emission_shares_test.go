package app

import (
	"math/big"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/balances"
	"github.com/gotensor/gotensor/chain/coinbase"
	"github.com/gotensor/gotensor/chain/fixed"
	"github.com/gotensor/gotensor/chain/pools"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/chain/tx/txpb"
)

// ratU64F64 is a U64F64's exact value.
func ratU64F64(x fixed.U64F64) *big.Rat {
	hi, lo := x.Bits()
	n := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
	n.Add(n, new(big.Int).SetUint64(lo))
	return new(big.Rat).SetFrac(n, new(big.Int).Lsh(big.NewInt(1), 64))
}

// TestEmissionSharesSplitAndMovingPrice checks §11.2-§11.4 and §11.7 block by block on
// three subnets with different prices: each subnet's TAO emission is the block emission
// times its EMA price share (within the flooring), the alpha emission is split into
// pending owner cut (SubnetOwnerCut/65535), miners (half the rest) and validators (the
// other half, no root stake here), and the moving price follows
// α·min(price, 1) + (1 − α)·moving with α = moving_alpha·b/(b + halving blocks).
func TestEmissionSharesSplitAndMovingPrice(t *testing.T) {
	h := stakingHarness(t, 3)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	// Different prices: more TAO staked into subnet 2, most into 3; subnet 1 above 1.0 after a big stake.
	for n, amt := range map[uint32]uint64{1: 500, 2: 20, 3: 60} {
		h.okc(bob, &txpb.AddStake{Hotkey: keyN(int(n) * 100).SS58(), Netuid: n, Amount: amt * balances.RAOPerTAO})
	}
	cp := coinbase.GetParams(h.app.tree)
	ownerCut := subnets.GetParams(h.app.tree).SubnetOwnerCut
	one := big.NewRat(1, 1)
	for range 40 {
		issuance := balances.TotalIssuance(h.app.tree)
		var moving [4]*big.Rat
		var pend [4]coinbase.Pending
		wsum := new(big.Rat)
		w := make([]*big.Rat, 4)
		for n := uint16(1); n <= 3; n++ {
			moving[n] = ratU64F64(pools.Get(h.app.tree, n).MovingPrice.Fixed())
			pend[n] = coinbase.GetPending(h.app.tree, n)
			w[n] = new(big.Rat).Mul(moving[n], big.NewRat(int64(1_000_000-min(pend[n].MinerBurnedPPM, 1_000_000)), 1_000_000))
			wsum.Add(wsum, w[n])
		}
		_, evs := h.blockWithEvents()
		total := coinbase.BlockEmission(issuance)
		var got uint64
		ran := map[uint64]bool{}
		for _, e := range evs {
			if e.typ == coinbase.EventEpochPaid {
				ran[e.u64(t, "netuid")] = true
			}
		}
		for _, e := range evs {
			if e.typ != coinbase.EventEmission {
				continue
			}
			n := uint16(e.u64(t, "netuid"))
			tao := e.u64(t, "tao_emission")
			got += tao
			want := new(big.Rat).Mul(new(big.Rat).SetUint64(total), w[n])
			if wsum.Sign() == 0 {
				want.SetFrac64(int64(total), 3)
			} else {
				want.Quo(want, wsum)
			}
			if d := new(big.Rat).Sub(want, new(big.Rat).SetUint64(tao)); d.Cmp(big.NewRat(-1, 1)) < 0 || d.Cmp(big.NewRat(2, 1)) > 0 {
				t.Fatalf("block %d subnet %d: TAO emission %d, want %s of %d by EMA price share", h.height, n, tao, want.FloatString(3), total)
			}
			if ran[uint64(n)] {
				continue // the drain emptied the pending amounts
			}
			alpha := e.u64(t, "alpha_out")
			cut := alpha * ownerCut / 65535
			rest := alpha - cut
			q := coinbase.GetPending(h.app.tree, n)
			if q.OwnerCut-pend[n].OwnerCut != cut || q.Server-pend[n].Server != rest/2 || q.Validator-pend[n].Validator != rest-rest/2 || q.Root != pend[n].Root {
				t.Fatalf("block %d subnet %d: alpha %d split into owner %d, miners %d, validators %d, root %d; want %d, %d, %d, 0", h.height, n, alpha,
					q.OwnerCut-pend[n].OwnerCut, q.Server-pend[n].Server, q.Validator-pend[n].Validator, q.Root-pend[n].Root, cut, rest/2, rest-rest/2)
			}
		}
		if got > total || got+3 < total {
			t.Fatalf("block %d: subnets got %d TAO of a %d block emission", h.height, got, total)
		}
		for n := uint16(1); n <= 3; n++ {
			sn, _ := subnets.Get(h.app.tree, n)
			p := pools.Get(h.app.tree, n)
			price := new(big.Rat).SetFrac(new(big.Int).SetUint64(p.TAO), new(big.Int).SetUint64(p.AlphaIn))
			if price.Cmp(one) > 0 {
				price = one
			}
			b := uint64(h.height) - (sn.FirstEmissionBlock - 1)
			a := new(big.Rat).SetFrac64(int64(cp.MovingAlphaPPB), 1_000_000_000)
			a.Mul(a, new(big.Rat).SetFrac64(int64(b), int64(b+cp.EMAPriceHalvingBlocks)))
			want := new(big.Rat).Mul(a, price)
			want.Add(want, new(big.Rat).Mul(new(big.Rat).Sub(one, a), moving[n]))
			gotM := ratU64F64(p.MovingPrice.Fixed())
			diff := new(big.Rat).Sub(gotM, want)
			if diff.Abs(diff).Cmp(big.NewRat(1, 1_000_000_000_000)) > 0 {
				t.Fatalf("block %d subnet %d: moving price %s, want %s (price %s, α %s)", h.height, n, gotM.FloatString(15), want.FloatString(15), price.FloatString(9), a.FloatString(12))
			}
		}
	}
	// The prices differ, so the shares do.
	if m1, m2 := pools.Get(h.app.tree, 1).MovingPrice.Fixed(), pools.Get(h.app.tree, 2).MovingPrice.Fixed(); m1.Cmp(m2) == 0 {
		t.Fatalf("moving prices of subnets 1 and 2 are equal (%s): the test does not exercise the shares", m1)
	}
}

// TestSubnetQueryShowsEmissionPerBlock: the subnets query's tao_emission_per_block and
// alpha_emission_per_block are what the next block's coinbase.Emission event pays each
// subnet, and a subnet that is not started shows 0.
func TestSubnetQueryShowsEmissionPerBlock(t *testing.T) {
	h := stakingHarness(t, 3)
	alice, bob := dev(t, "Alice"), dev(t, "Bob")
	h.okc(alice, &txpb.SudoSetBalance{Who: bob.SS58(), Free: 100_000 * balances.RAOPerTAO})
	for n, amt := range map[uint32]uint64{1: 500, 2: 20, 3: 60} {
		h.okc(bob, &txpb.AddStake{Hotkey: keyN(int(n) * 100).SS58(), Netuid: n, Amount: amt * balances.RAOPerTAO})
	}
	for range 5 {
		var list []api.Subnet
		h.query(api.PathSubnets, &list)
		shown := map[uint16]api.Subnet{}
		for _, s := range list {
			shown[s.Netuid] = s
		}
		var one api.Subnet
		h.query(api.PathSubnets+"/2", &one)
		if one.TAOEmissionPerBlock != shown[2].TAOEmissionPerBlock || one.AlphaEmissionPerBlock != shown[2].AlphaEmissionPerBlock {
			t.Fatalf("subnet 2 alone %+v, in the list %+v", one, shown[2])
		}
		if s := shown[subnets.RootNetuid]; s.TAOEmissionPerBlock != 0 || s.AlphaEmissionPerBlock != 0 {
			t.Fatalf("root shows emission %d/%d", s.TAOEmissionPerBlock, s.AlphaEmissionPerBlock)
		}
		_, evs := h.blockWithEvents()
		paid := 0
		for _, e := range evs {
			if e.typ != coinbase.EventEmission {
				continue
			}
			n := uint16(e.u64(t, "netuid"))
			if tao, alpha := e.u64(t, "tao_emission"), e.u64(t, "alpha_out"); tao != shown[n].TAOEmissionPerBlock || alpha != shown[n].AlphaEmissionPerBlock || tao == 0 || alpha == 0 {
				t.Fatalf("block %d subnet %d paid %d TAO, %d alpha; the query said %d, %d", h.height, n, tao, alpha, shown[n].TAOEmissionPerBlock, shown[n].AlphaEmissionPerBlock)
			}
			paid++
		}
		if paid != 3 {
			t.Fatalf("block %d: %d subnets paid, want 3", h.height, paid)
		}
	}
}
