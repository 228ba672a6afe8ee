package main

import (
	"math"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
)

func TestParseTolerance(t *testing.T) {
	for _, tc := range []struct {
		in      string
		num     int64
		den     int64
		wantErr string
	}{
		{in: "0.005", num: 5, den: 1000},
		{in: ".005", num: 5, den: 1000},
		{in: "0.5%", num: 5, den: 1000},
		{in: "5%", num: 5, den: 100},
		{in: " 0.25 ", num: 25, den: 100},
		{in: "0.999999999999999999", num: 999999999999999999, den: 1000000000000000000},
		{in: "0", wantErr: "above 0"},
		{in: "1", wantErr: "below 1"},
		{in: "100%", wantErr: "below 1"},
		{in: "1.5", wantErr: "below 1"},
		{in: "-0.1", wantErr: "not a decimal"},
		{in: "abc", wantErr: "not a decimal"},
		{in: "", wantErr: "not a decimal"},
		{in: ".", wantErr: "not a decimal"},
		{in: "1e-3", wantErr: "not a decimal"},
		{in: "0.0000000000000000001", wantErr: "more than 18 decimals"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r, err := parseTolerance(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || exitCode(err) != ExitUsage {
					t.Fatalf("err = %v, want usage error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Compare num/den as cross products (den may carry more zeros).
			if got, want := r.num.Int64()*tc.den, tc.num*r.den.Int64(); got != want {
				t.Fatalf("%s = %s/%s, want %d/%d", tc.in, r.num, r.den, tc.num, tc.den)
			}
		})
	}
}

func TestLimitPrice(t *testing.T) {
	tol := func(s string) ratio {
		r, err := parseTolerance(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, tc := range []struct {
		name    string
		pool    api.Pool
		tol     string
		buy     bool
		want    uint64
		wantErr bool
	}{
		{"buy at 1.0", api.Pool{TAO: 100e9, AlphaIn: 100e9}, "0.005", true, 1_005_000_000, false},
		{"sell at 1.0", api.Pool{TAO: 100e9, AlphaIn: 100e9}, "0.005", false, 995_000_000, false},
		{"buy rounds down", api.Pool{TAO: 2, AlphaIn: 3}, "0.001", true, 667_333_333, false}, // 667333333.3
		{"sell rounds up", api.Pool{TAO: 1, AlphaIn: 7}, "0.001", false, 142_714_286, false}, // 142714285.7
		{"percent", api.Pool{TAO: 250e9, AlphaIn: 100e9}, "1%", true, 2_525_000_000, false},
		{"huge price overflows", api.Pool{TAO: math.MaxUint64, AlphaIn: 1}, "0.5", true, 0, true},
		{"empty pool", api.Pool{TAO: 0, AlphaIn: 100}, "0.5", true, 0, true},
		{"sell of a near-zero price stays a limit", api.Pool{TAO: 1, AlphaIn: 1e12}, "0.5", false, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := limitPrice(tc.pool, tol(tc.tol), tc.buy)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Fatalf("limit = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestParseTake(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    uint16
		wantErr string
	}{
		{in: "0.09", want: 5898}, // 5898.15
		{in: "9%", want: 5898},
		{in: "18%", want: 11796}, // the default maximum, 11796.3
		{in: "0.18", want: 11796},
		{in: "0", want: 0},
		{in: "1", want: 65535},
		{in: "100%", want: 65535},
		{in: "9", wantErr: "above 100%"},
		{in: "101%", wantErr: "above 100%"},
		{in: "nine", wantErr: "not a decimal"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseTake(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseTake(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
	if got := takePercent(11796); got != "18.00%" {
		t.Errorf("takePercent(11796) = %s", got)
	}
	if got := takePercent(5898); got != "9.00%" {
		t.Errorf("takePercent(5898) = %s", got)
	}
}

func TestFormatHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0%", "0.012345678": "1.2345%", "0.002490666741136220749090746107157201549853198230266571044921875": "0.249%", "0.5": "50%", "1": "100%", "garbage": "garbage",
	} {
		if got := percentOf(in); got != want {
			t.Errorf("percentOf(%q) = %q, want %q", in, got, want)
		}
	}
	if got := formatPriceRAO(1_005_000_000); got != "1.005 τ/α" {
		t.Errorf("formatPriceRAO = %q", got)
	}
	if _, err := parseAlpha("18446744073709551616rao"); err == nil || !strings.Contains(err.Error(), "2^64") {
		t.Errorf("parseAlpha near 2^64: %v", err)
	}
	if v, err := parseAlpha("α2.5"); err != nil || v != 2_500_000_000 {
		t.Errorf("parseAlpha(α2.5) = %d, %v", v, err)
	}
	if _, err := parseAlpha("1.0000000001"); err == nil || !strings.Contains(err.Error(), "alpha") {
		t.Errorf("parseAlpha decimals: %v", err)
	}
}
