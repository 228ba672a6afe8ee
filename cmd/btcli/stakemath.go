package main

// Integer math for the staking commands: tolerances and takes are parsed as decimal strings
// into exact ratios, and limit prices are derived from the pool's reserves in one division,
// so the value the chain sees never passes through a float.

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/gotensor/gotensor/chain/api"
)

// priceScale is the unit of limit prices: RAO per whole alpha, so 1_000_000_000 is 1.0 TAO
// per alpha (chain/swap.PriceScale).
const priceScale = 1_000_000_000

// maxRatioDecimals bounds the decimals of a tolerance or take ("0.005", "0.5%").
const maxRatioDecimals = 18

// ratio is an exact non-negative decimal, num/den with den a power of ten.
type ratio struct{ num, den *big.Int }

// String renders r as a percent with up to 4 decimals ("0.5%").
func (r ratio) String() string {
	return decimalString(new(big.Int).Mul(r.num, big.NewInt(100)), r.den, 4) + "%"
}

// parseRatio parses "0.005", ".005", "0.5%" or "1" into an exact ratio. what names the flag
// for the error ("--tolerance").
func parseRatio(s, what string) (ratio, error) {
	in := s
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	whole, frac, dot := strings.Cut(s, ".")
	if s == "" || (dot && frac == "" && whole == "") || !digits(whole) || !digits(frac) {
		return ratio{}, usageErrorf("%s %q is not a decimal number; write a fraction (0.005) or a percent (0.5%%)", what, in)
	}
	if len(frac) > maxRatioDecimals {
		return ratio{}, usageErrorf("%s %q has more than %d decimals", what, in, maxRatioDecimals)
	}
	if len(whole) > 6 {
		return ratio{}, usageErrorf("%s %q is too large", what, in)
	}
	num, _ := new(big.Int).SetString("0"+whole+frac, 10)
	exp := len(frac)
	if pct {
		exp += 2
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)
	return ratio{num: num, den: den}, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseTolerance parses --tolerance: the share the price may move against the staker,
// above 0 and below 1 (a sale at a price of zero is no limit).
func parseTolerance(s string) (ratio, error) {
	r, err := parseRatio(s, "--tolerance")
	if err != nil {
		return r, err
	}
	if r.num.Sign() == 0 || r.num.Cmp(r.den) >= 0 {
		return r, usageErrorf("--tolerance %q must be above 0 and below 1 (100%%); 0.005 allows the price to move 0.5%%", s)
	}
	return r, nil
}

// limitPrice derives a *_limit call's price from the pool's reserves: for a buy
// floor(TAO·10^9·(1+tol)/AlphaIn), for a sale ceil(TAO·10^9·(1−tol)/AlphaIn), in RAO per
// alpha. Both round towards the spot price, so the limit is never looser than the
// tolerance asked for.
func limitPrice(p api.Pool, tol ratio, buy bool) (uint64, error) {
	if p.TAO == 0 || p.AlphaIn == 0 {
		return 0, fmt.Errorf("the pool has no price (TAO %d, alpha %d RAO); it cannot take a limit order", p.TAO, p.AlphaIn)
	}
	factor := new(big.Int).Add(tol.den, tol.num)
	if !buy {
		factor.Sub(tol.den, tol.num)
	}
	n := new(big.Int).SetUint64(p.TAO)
	n.Mul(n, big.NewInt(priceScale))
	n.Mul(n, factor)
	d := new(big.Int).SetUint64(p.AlphaIn)
	d.Mul(d, tol.den)
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	if !buy && m.Sign() != 0 {
		q.Add(q, big.NewInt(1))
	}
	if !q.IsUint64() {
		return 0, usageErrorf("the limit price %s RAO per alpha does not fit 64 bits; use a smaller --tolerance", q)
	}
	if q.Sign() == 0 {
		return 0, fmt.Errorf("the limit price rounds to 0 RAO per alpha, which means no limit; the pool price is too low for --safe")
	}
	return q.Uint64(), nil
}

// formatPriceRAO renders a limit price (RAO per alpha) as TAO per alpha.
func formatPriceRAO(v uint64) string {
	return strings.TrimPrefix(formatTAO(v), "τ") + " τ/α"
}

// takeMax is one whole take: takes are u16 parts of 65535.
const takeMax = 65535

// parseTake parses a delegate take given as a fraction ("0.09") or a percent ("9%") into
// parts of 65535, rounded down (as Bittensor's btcli: int(take·65535)).
func parseTake(s string) (uint16, error) {
	r, err := parseRatio(s, "--take")
	if err != nil {
		return 0, err
	}
	if r.num.Cmp(r.den) > 0 {
		return 0, usageErrorf("--take %q is above 100%%; write a fraction (0.09) or a percent (9%%)", s)
	}
	v := new(big.Int).Mul(r.num, big.NewInt(takeMax))
	v.Quo(v, r.den)
	return uint16(v.Uint64()), nil
}

// takePercent renders parts of 65535 as a percent with two decimals, rounded to nearest,
// so the default 11796 reads 18.00% and a take set with "9%" (5898) reads 9.00%.
func takePercent(parts uint64) string {
	h := (parts*10000 + takeMax/2) / takeMax
	return fmt.Sprintf("%d.%02d%%", h/100, h%100)
}

// percentOf renders a decimal string fraction ("0.0123…", the chain's price impact) as a
// percent with 4 decimals ("1.2300%").
func percentOf(fraction string) string {
	if whole, frac, ok := strings.Cut(fraction, "."); ok && len(frac) > maxRatioDecimals {
		fraction = whole + "." + frac[:maxRatioDecimals] // the shown 4 decimals are unaffected
	}
	r, err := parseRatio(fraction, "fraction")
	if err != nil {
		return fraction
	}
	return r.String()
}

// decimalString renders num/den with at most prec decimals (rounded down), trimming zeros.
func decimalString(num, den *big.Int, prec int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(prec)), nil)
	v := new(big.Int).Mul(num, scale)
	v.Quo(v, den)
	q, m := new(big.Int).QuoRem(v, scale, new(big.Int))
	frac := m.String()
	frac = strings.Repeat("0", prec-len(frac)) + frac
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return q.String()
	}
	return q.String() + "." + frac
}

// parseAlpha parses an alpha amount: "2.5", "α2.5" or "2500000000rao" (alpha-RAO).
func parseAlpha(s string) (uint64, error) {
	v, err := parseTAO(strings.TrimPrefix(strings.TrimSpace(s), "α"))
	if err != nil {
		return 0, usageErrorf("%s", strings.ReplaceAll(err.Error(), "TAO", "alpha"))
	}
	return v, nil
}
