package yumascenario

import (
	"errors"
	"testing"
)

func TestRunMath(t *testing.T) {
	src := `{"format": "math", "cases": [
	  {"fn": "weights_max_upscale", "args": {"values": [43690, 21845]}, "expect": [65535, 32768]},
	  {"fn": "weighted_median", "args": {"stake": [1, 1], "score": [5, 9], "minority": 0, "lo": 0, "hi": 2}, "expect": 5},
	  {"fn": "mat_ema_alpha", "args": {"new": [[[0, 4294967296]]], "old": [], "alpha": [[2147483648]]}, "expect": [[2147483648]]},
	  {"fn": "vec_max_upscale_to_u16", "args": {"values": [100]}, "expect": [65534], "tolerance": 1}
	]}`
	f, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := RunMath(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckMath(f, res); err != nil {
		t.Fatal(err)
	}
	res[1] = []byte("6")
	if err := CheckMath(f, res); !errors.Is(err, ErrMismatch) {
		t.Fatalf("CheckMath = %v, want ErrMismatch", err)
	}
	if err := CheckMath(f, res[:2]); !errors.Is(err, ErrMismatch) {
		t.Fatalf("short results: %v", err)
	}

	bad := []string{
		`{"format": "math", "cases": [{"fn": "cube_root", "args": {}}]}`,
		`{"format": "math", "cases": [{"fn": "weighted_median", "args": {"stake": [1]}}]}`,
		`{"format": "math", "cases": [{"fn": "weighted_median", "args": {"stake": [1], "score": [], "minority": 0, "lo": 0, "hi": 0}}]}`,
		`{"format": "math", "cases": [{"fn": "weights_max_upscale", "args": {"values": [70000]}}]}`,
		`{"format": "scenario"}`,
	}
	for _, src := range bad {
		f, err := Parse([]byte(src))
		if err == nil {
			_, err = RunMath(f)
		}
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", src, err)
		}
	}
}
