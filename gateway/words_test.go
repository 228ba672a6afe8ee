package gateway

import (
	"strings"
	"testing"
)

// words must count exactly what strings.Fields splits: it is what usage is billed in.
func FuzzWords(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a  b\tc\n", "echo hello bench", "x\u00a0y\u2003z", "\xff \xfe", "日本 語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := words(s), int64(len(strings.Fields(s))); got != want {
			t.Fatalf("words(%q) = %d, strings.Fields gives %d", s, got, want)
		}
	})
}
