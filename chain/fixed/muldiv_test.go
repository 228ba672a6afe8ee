package fixed

import "testing"

func TestMulDiv(t *testing.T) {
	for _, c := range []struct{ a, b, c, want uint64 }{
		{10, 3, 4, 7}, {^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}, {^uint64(0), 2, 1, ^uint64(0)}, {5, 5, 0, 0}, {1 << 63, 4, 8, 1 << 62},
	} {
		if got := MulDiv(c.a, c.b, c.c); got != c.want {
			t.Errorf("MulDiv(%d,%d,%d) = %d, want %d", c.a, c.b, c.c, got, c.want)
		}
	}
}
