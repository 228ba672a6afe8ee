package swap

import (
	"math/big"
	"testing"

	"github.com/gotensor/gotensor/chain/errs"
	"github.com/gotensor/gotensor/chain/fixed"
)

func sh(v uint64) fixed.U64F64 { return fixed.U64F64FromU64(v) }

func TestSharePoolFlow(t *testing.T) {
	var p SharePool // zero value: empty
	if v := p.ValueOf(sh(1)); v != 0 {
		t.Fatalf("empty pool value %d", v)
	}
	a, err := p.Deposit(1e9)
	checkErr(t, err, nil)
	if a != sh(1e9) || p != (SharePool{1e9, sh(1e9)}) {
		t.Fatalf("first deposit: %s shares, %+v", a, p)
	}
	checkErr(t, p.Distribute(1e9), nil) // a's stake doubles
	if p.ValueOf(a) != 2e9 {
		t.Fatalf("after distribute a is worth %d", p.ValueOf(a))
	}
	b, err := p.Deposit(1e9)
	checkErr(t, err, nil)
	if b != sh(5e8) || p != (SharePool{3e9, sh(15e8)}) {
		t.Fatalf("second deposit: %s shares, %+v", b, p)
	}
	if p.ValueOf(a) != 2e9 || p.ValueOf(b) != 1e9 {
		t.Fatalf("values a %d b %d", p.ValueOf(a), p.ValueOf(b))
	}
	need, err := p.SharesFor(1e9)
	checkErr(t, err, nil)
	if need != b {
		t.Fatalf("SharesFor(1e9) = %s, want %s", need, b)
	}
	burned, err := p.WithdrawAlpha(a, 1e9)
	checkErr(t, err, nil)
	if burned != sh(5e8) || p != (SharePool{2e9, sh(1e9)}) {
		t.Fatalf("WithdrawAlpha: burned %s, %+v", burned, p)
	}
	a = a.Sub(burned)
	got, err := p.Withdraw(b)
	checkErr(t, err, nil)
	if got != 1e9 {
		t.Fatalf("Withdraw(b) = %d", got)
	}
	got, err = p.Withdraw(a)
	checkErr(t, err, nil)
	if got != 1e9 || p != (SharePool{}) {
		t.Fatalf("last Withdraw = %d, pool %+v", got, p)
	}
}

func TestSharePoolRounding(t *testing.T) {
	// Three equal holders of 10 alpha-RAO: each is worth 3, the dust (1) stays.
	p := SharePool{TotalAlpha: 9, TotalShares: sh(9)}
	checkErr(t, p.Distribute(1), nil)
	if v := p.ValueOf(sh(3)); v != 3 {
		t.Fatalf("value %d, want 3", v)
	}
	got, err := p.Withdraw(sh(3))
	checkErr(t, err, nil)
	if got != 3 || p.TotalAlpha != 7 {
		t.Fatalf("withdraw paid %d, pool %+v", got, p)
	}
	// Burning for an exact payout rounds the shares up: 1 alpha-RAO of a 7/6 pool costs
	// ceil(6/7 share).
	before := p
	burned, err := p.WithdrawAlpha(sh(3), 1)
	checkErr(t, err, nil)
	if want := fixed.U64F64FromBits(0, 0xdb6db6db6db6db6e); burned != want {
		t.Fatalf("burned %s, want %s", burned, want)
	}
	// Remaining holders are never worse off per share.
	if !sharePriceNotLower(before, p) {
		t.Fatalf("share price fell: %+v → %+v", before, p)
	}
}

func TestSharePoolErrors(t *testing.T) {
	p := SharePool{TotalAlpha: 1e9, TotalShares: sh(1e9)}
	q := p
	_, err := q.Deposit(0)
	checkErr(t, err, ErrAmountTooLow)
	_, err = q.Deposit(maxU64)
	checkErr(t, err, ErrOverflow)
	_, err = q.Withdraw(fixed.U64F64Zero)
	checkErr(t, err, ErrAmountTooLow)
	_, err = q.Withdraw(sh(1e9 + 1))
	checkErr(t, err, ErrNotEnoughStakeToWithdraw)
	_, err = q.WithdrawAlpha(sh(5e8), 5e8+1)
	checkErr(t, err, ErrNotEnoughStakeToWithdraw)
	_, err = q.WithdrawAlpha(sh(2e9), 1)
	checkErr(t, err, ErrNotEnoughStakeToWithdraw)
	_, err = q.WithdrawAlpha(sh(5e8), 0)
	checkErr(t, err, ErrAmountTooLow)
	_, err = q.SharesFor(1e9 + 1)
	checkErr(t, err, ErrNotEnoughStakeToWithdraw)
	checkErr(t, q.Distribute(maxU64), ErrOverflow)
	if q != p {
		t.Fatalf("failed calls changed the pool: %+v", q)
	}
	var empty SharePool
	checkErr(t, empty.Distribute(1), ErrNoShares)
	checkErr(t, empty.Distribute(0), nil)

	// Shares without alpha cannot arise through the API; a pool read that way is a bug.
	broken := SharePool{TotalShares: sh(1)}
	_, err = broken.Deposit(1)
	checkErr(t, err, errs.Internal)
	_, err = broken.Withdraw(sh(1))
	checkErr(t, err, errs.Internal)
	_, err = broken.WithdrawAlpha(sh(1), 1)
	checkErr(t, err, errs.Internal)
	checkErr(t, broken.Distribute(1), errs.Internal)

	// A share price so high that a deposit buys nothing is refused, not swallowed.
	dear := SharePool{TotalAlpha: maxU64 - 1, TotalShares: fixed.U64F64FromBits(0, 1)}
	_, err = dear.Deposit(1)
	checkErr(t, err, ErrAmountTooLow)

	// Alpha left in a pool without shares goes to the next depositor.
	orphan := SharePool{TotalAlpha: 5}
	s, err := orphan.Deposit(10)
	checkErr(t, err, nil)
	if s != sh(10) || orphan.ValueOf(s) != 15 {
		t.Fatalf("orphan deposit: %s shares worth %d", s, orphan.ValueOf(s))
	}
}

func sharesFromBig(x *big.Int) fixed.U64F64 {
	var buf [16]byte
	x.FillBytes(buf[:])
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(buf[i])
		lo = lo<<8 | uint64(buf[8+i])
	}
	return fixed.U64F64FromBits(hi, lo)
}
