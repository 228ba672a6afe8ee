package swap

import "testing"

var benchSink uint64

func BenchmarkBuyAlpha(b *testing.B) {
	p := Pool{TAO: 1_234_567e9, Alpha: 2_345_678e9}
	for b.Loop() {
		out, _, _, err := BuyAlpha(p, 12_345_678_901, DefaultFeeRate)
		if err != nil {
			b.Fatal(err)
		}
		benchSink += out
	}
}

func BenchmarkSellAlpha(b *testing.B) {
	p := Pool{TAO: 1_234_567e9, Alpha: 2_345_678e9}
	for b.Loop() {
		out, _, _, err := SellAlpha(p, 12_345_678_901, DefaultFeeRate)
		if err != nil {
			b.Fatal(err)
		}
		benchSink += out
	}
}

func BenchmarkBuyAlphaLimitPartial(b *testing.B) {
	p := Pool{TAO: 1_234_567e9, Alpha: 2_345_678e9}
	limit := p.PriceRAO() * 101 / 100 // 1% above spot
	for b.Loop() {
		s, err := BuyAlphaLimit(p, 1_000_000e9, limit, true, DefaultFeeRate)
		if err != nil {
			b.Fatal(err)
		}
		benchSink += s.Out
	}
}

func BenchmarkQuoteBuy(b *testing.B) {
	p := Pool{TAO: 1_234_567e9, Alpha: 2_345_678e9}
	for b.Loop() {
		q, err := QuoteBuy(p, 12_345_678_901, DefaultFeeRate)
		if err != nil {
			b.Fatal(err)
		}
		benchSink += q.Out
	}
}

func BenchmarkSharePoolDepositWithdraw(b *testing.B) {
	p := SharePool{TotalAlpha: 7_654_321e9}
	if _, err := p.Deposit(1e9); err != nil {
		b.Fatal(err)
	}
	if err := p.Distribute(7_654_320e9); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := p.Deposit(123_456_789)
		if err != nil {
			b.Fatal(err)
		}
		a, err := p.Withdraw(s)
		if err != nil {
			b.Fatal(err)
		}
		benchSink += a
	}
}
