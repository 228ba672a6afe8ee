package yumascenario

import (
	"os"
	"path/filepath"
	"testing"
)

// vectorDir returns ../shared/vectors/yuma seen from the module root, skipping the test when
// it is absent (a checkout without shared/ beside it).
func vectorDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	v := filepath.Join(dir, "..", "shared", "vectors", "yuma")
	if _, err := os.Stat(v); err != nil {
		t.Skipf("reference vectors not found at %s (clone shared/ beside the repository): %v", v, err)
	}
	return v
}

// TestVectors runs every file of vectors/yuma and checks every expect field.
func TestVectors(t *testing.T) {
	dir := vectorDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no vector files in %s", dir)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if f.Format == FormatMath {
				results, err := RunMath(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := CheckMath(f, results); err != nil {
					t.Fatal(err)
				}
				return
			}
			results, err := Run(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(f, results); err != nil {
				t.Fatal(err)
			}
		})
	}
}
