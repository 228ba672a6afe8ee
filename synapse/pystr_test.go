package synapse

import (
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// golden is testdata/pystr_golden.json, written by testdata/gen_golden.py with CPython
// (see that file): the expected strings come from Python's own str(), not from this code.
type golden struct {
	Python string `json:"python"`
	JSON   []struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		JSON      string `json:"json"`
		Str       string `json:"str"`
		SHA3      string `json:"sha3"`
		ValuePath bool   `json:"value_path"`
	} `json:"json"`
	Float []struct {
		Name       string `json:"name"`
		Hex        string `json:"hex"`
		Str        string `json:"str"`
		ReprInList string `json:"repr_in_list"`
		SHA3       string `json:"sha3"`
	} `json:"float"`
	Synapse []struct {
		Name     string   `json:"name"`
		Fields   []string `json:"fields"`
		Body     string   `json:"body"`
		BodyHash string   `json:"body_hash"`
	} `json:"synapse"`
	Placeholder map[string]string `json:"placeholder"`
}

func loadGolden(t *testing.T) golden {
	t.Helper()
	b, err := os.ReadFile("testdata/pystr_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

type goldenStruct struct {
	A string   `json:"a"`
	B []int    `json:"b"`
	C *float64 `json:"c"`
}

// goldenTypes maps the generator's type names to Go types.
var goldenTypes = map[string]reflect.Type{
	"str":             reflect.TypeFor[string](),
	"*str":            reflect.TypeFor[*string](),
	"int":             reflect.TypeFor[int64](),
	"uint64":          reflect.TypeFor[uint64](),
	"float":           reflect.TypeFor[float64](),
	"bool":            reflect.TypeFor[bool](),
	"any":             reflect.TypeFor[any](),
	"[]str":           reflect.TypeFor[[]string](),
	"[]int":           reflect.TypeFor[[]int](),
	"[]float":         reflect.TypeFor[[]float64](),
	"[]float32":       reflect.TypeFor[[]float32](),
	"[]*bool":         reflect.TypeFor[[]*bool](),
	"[]any":           reflect.TypeFor[[]any](),
	"[][]int":         reflect.TypeFor[[][]int](),
	"map[str]any":     reflect.TypeFor[map[string]any](),
	"map[str]str":     reflect.TypeFor[map[string]string](),
	"map[str]int":     reflect.TypeFor[map[string]int](),
	"map[int]str":     reflect.TypeFor[map[int]string](),
	"map[str][]float": reflect.TypeFor[map[string][]float64](),
	"[]map[str]str":   reflect.TypeFor[[]map[string]string](),
	"struct":          reflect.TypeFor[goldenStruct](),
}

func sha3Of(s string) string {
	sum := sha3.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestPyStrGoldenJSON renders each body value as a receiver does (from its JSON text, typed
// by the Go field) and, where the Go value keeps all the JSON says, from the decoded value.
func TestPyStrGoldenJSON(t *testing.T) {
	g := loadGolden(t)
	if len(g.JSON) < 50 {
		t.Fatalf("only %d JSON cases in the golden file", len(g.JSON))
	}
	for _, c := range g.JSON {
		t.Run(c.Name, func(t *testing.T) {
			typ, ok := goldenTypes[c.Type]
			if !ok {
				t.Fatalf("no Go type for %q", c.Type)
			}
			var b strings.Builder
			if err := pyJSON(&b, []byte(c.JSON), typ, true); err != nil {
				t.Fatalf("pyJSON(%s): %v", c.JSON, err)
			}
			if b.String() != c.Str {
				t.Errorf("from JSON %s as %s:\n got %q\nwant %q", c.JSON, c.Type, b.String(), c.Str)
			}
			if sha3Of(b.String()) != c.SHA3 {
				t.Errorf("sha3 mismatch")
			}
			if !c.ValuePath {
				return
			}
			v := reflect.New(typ)
			if err := json.Unmarshal([]byte(c.JSON), v.Interface()); err != nil {
				t.Fatal(err)
			}
			got, err := PyStr(v.Elem().Interface())
			if err != nil {
				t.Fatal(err)
			}
			if got != c.Str {
				t.Errorf("PyStr of decoded value:\n got %q\nwant %q", got, c.Str)
			}
		})
	}
}

func TestPyStrGoldenFloat(t *testing.T) {
	g := loadGolden(t)
	for _, c := range g.Float {
		t.Run(c.Name, func(t *testing.T) {
			f, err := strconv.ParseFloat(c.Hex, 64)
			if err != nil {
				t.Fatal(err)
			}
			if c.Name == "float_neg_zero" {
				f = math.Copysign(0, -1)
			}
			if got := PyFloat(f); got != c.Str {
				t.Errorf("PyFloat(%s) = %q, want %q", c.Hex, got, c.Str)
			}
			if got, _ := PyStr(f); got != c.Str {
				t.Errorf("PyStr = %q, want %q", got, c.Str)
			}
			if got, _ := PyStr([]float64{f}); got != c.ReprInList {
				t.Errorf("PyStr([f]) = %q, want %q", got, c.ReprInList)
			}
			if sha3Of(PyFloat(f)) != c.SHA3 {
				t.Errorf("sha3 mismatch")
			}
		})
	}
}

func TestPlaceholderGolden(t *testing.T) {
	g := loadGolden(t)
	for name, typ := range map[string]reflect.Type{
		"str": reflect.TypeFor[string](), "int": reflect.TypeFor[int](), "float": reflect.TypeFor[float32](),
		"bool": reflect.TypeFor[bool](), "list": reflect.TypeFor[[]string](), "dict": reflect.TypeFor[map[string]int](),
	} {
		got, err := placeholder(typ)
		if err != nil || got != g.Placeholder[name] {
			t.Errorf("placeholder(%s) = %q, %v; want %q", typ, got, err, g.Placeholder[name])
		}
	}
}

func TestPyStrValues(t *testing.T) {
	s := "x"
	var nilMap map[string]int
	var nilPtr *int
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "None"},
		{"nil pointer", nilPtr, "None"},
		{"nil map", nilMap, "None"},
		{"pointer", &s, "x"},
		{"int8", int8(-8), "-8"},
		{"uint16", uint16(65535), "65535"},
		{"float32 tenth", float32(0.1), "0.1"},
		{"float32 third", float32(1) / 3, "0.33333334"},
		{"array", [2]bool{true, false}, "[True, False]"},
		{"sorted int keys", map[int]string{10: "a", 9: "b"}, "{10: 'a', 9: 'b'}"},
		{"json number int", json.Number("7"), "7"},
		{"json number float", json.Number("7.0"), "7.0"},
		{"raw message", json.RawMessage(`{"b":1,"a":[1.0]}`), "{'b': 1, 'a': [1.0]}"},
		{"invalid utf8 top", "a\xffb", "a\uFFFDb"},
		{"invalid utf8 nested", []string{"a\xffb"}, "['a\uFFFDb']"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PyStr(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("PyStr(%#v) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if got, _ := PyRepr("it's"); got != `"it's"` {
		t.Errorf("PyRepr = %s", got)
	}
	for _, bad := range []any{[]byte("x"), make(chan int), map[float64]int{1: 1}, struct{ F func() }{}} {
		if _, err := PyStr(bad); err == nil {
			t.Errorf("PyStr(%T) succeeded; want ErrUnsupportedType", bad)
		}
	}
}
