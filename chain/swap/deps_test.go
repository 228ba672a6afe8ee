package swap

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package pure (STYLE §1, §3): the standard library minus I/O,
// randomness and clocks, plus chain/fixed and chain/errs.
func TestImports(t *testing.T) {
	allowed := map[string]bool{
		"github.com/gotensor/gotensor/chain/fixed": true,
		"github.com/gotensor/gotensor/chain/errs":  true,
	}
	forbidden := map[string]string{
		"os":          "no file or environment reads in chain/",
		"time":        "block time comes from the header",
		"math/rand":   "randomness breaks determinism",
		"crypto/rand": "randomness breaks determinism",
		"unsafe":      "no unsafe in chain math",
		"reflect":     "no reflection in chain math",
		"sync":        "no goroutines or locks in chain/",
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			switch {
			case allowed[path]:
			case strings.Contains(first, "."):
				t.Errorf("%s imports %s: only the standard library, chain/fixed and chain/errs", name, path)
			case forbidden[path] != "" || strings.HasPrefix(path, "net") || strings.HasPrefix(path, "math/rand"):
				t.Errorf("%s imports %s: %s", name, path, forbidden[path])
			}
		}
	}
}
