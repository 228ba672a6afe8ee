package miner

import (
	"context"
	"testing"

	"github.com/gotensor/gotensor/subnets/prompting/challenge"
	"github.com/gotensor/gotensor/subnets/prompting/protocol"
)

func ask(t *testing.T, b Backend, c challenge.Challenge) bool {
	t.Helper()
	text, _, err := b.Complete(context.Background(), &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: c.Prompt}}, Seed: int64(c.Seed)})
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(text)
}

// The spread the demo relies on: tools solve every family; the built-in
// model alone reads passages and follows formats; careless solves none.
func TestBackendsQualitySpread(t *testing.T) {
	score := map[string]map[challenge.Family]int{}
	backends := map[string]Backend{"tools": BuiltinBackend{Tools: true}, "builtin": BuiltinBackend{}, "careless": Careless{}}
	for name, b := range backends {
		score[name] = map[challenge.Family]int{}
		for seed := uint64(0); seed < 400; seed++ {
			c := challenge.Generate(seed)
			if ask(t, b, c) {
				score[name][c.Family]++
			}
		}
	}
	for _, f := range challenge.Families {
		if score["tools"][f] != 50 {
			t.Errorf("tool-using miner solved %d/50 %s challenges", score["tools"][f], f)
		}
		if score["careless"][f] > 10 {
			t.Errorf("careless miner solved %d/50 %s challenges", score["careless"][f], f)
		}
	}
	for _, f := range []challenge.Family{challenge.Extract, challenge.Format} {
		if score["builtin"][f] != 50 {
			t.Errorf("built-in model solved %d/50 %s challenges", score["builtin"][f], f)
		}
	}
	total := func(m map[challenge.Family]int) (n int) {
		for _, v := range m {
			n += v
		}
		return n
	}
	if !(total(score["tools"]) > total(score["builtin"]) && total(score["builtin"]) > total(score["careless"])) {
		t.Errorf("scores not ordered: %v", score)
	}
	t.Logf("solved of 400: tools %d, builtin %d, careless %d", total(score["tools"]), total(score["builtin"]), total(score["careless"]))
}

func TestTrigramWritesCorpusLikeText(t *testing.T) {
	text, _, _ := BuiltinBackend{}.Complete(context.Background(), &protocol.Chat{Messages: []protocol.Message{{Role: "user", Content: "Tell me about bread."}}, Seed: 7})
	if len(text) < 20 {
		t.Fatalf("short text %q", text)
	}
}

func TestEval(t *testing.T) {
	for expr, want := range map[string]float64{"37 + 12 * 5": 97, "(1 + 2) * 3": 9, "10 - 4 - 3": 3, "-2 * 3": -6, "7 / 2": 3.5} {
		if got, err := Eval(expr); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", expr, got, err, want)
		}
	}
	for _, bad := range []string{"1 +", "(1", "1 / 0", "x"} {
		if _, err := Eval(bad); err == nil {
			t.Errorf("%q evaluated", bad)
		}
	}
}
