package validator

import (
	"testing"
	"time"

	"github.com/gotensor/gotensor/subnets/prompting/challenge"
)

func TestScore(t *testing.T) {
	c := challenge.GenerateFamily(challenge.Arithmetic, 3)
	to := 4 * time.Second
	if s := Score(c, "The answer is "+c.Expected, 100*time.Millisecond, to); s != 1 {
		t.Errorf("fast correct: %v", s)
	}
	if s := Score(c, c.Expected, to, to); s != SlowFloor {
		t.Errorf("slow correct: %v", s)
	}
	if s := Score(c, c.Expected, 2250*time.Millisecond, to); s != 0.75 {
		t.Errorf("halfway: %v", s)
	}
	if Score(c, "", time.Millisecond, to) != 0 || Score(c, "0", time.Millisecond, to) != 0 {
		t.Error("empty or wrong answer scored")
	}
}

func TestEMAAndWeights(t *testing.T) {
	var e EMA
	e.Alpha = 0.5
	e.Update("a", 1)
	e.Update("a", 1)
	e.Update("b", 1)
	if e.Get("a") != 0.75 || e.Get("b") != 0.5 || e.Get("c") != 0 {
		t.Fatalf("a %v b %v", e.Get("a"), e.Get("b"))
	}
	uids, w := Weights([]uint16{1, 2, 3}, []float64{e.Get("a"), e.Get("b"), e.Get("c")})
	if len(uids) != 2 || uids[0] != 1 || w[0] != 65535 || w[1] != 43690 {
		t.Fatalf("%v %v", uids, w)
	}
	if u, _ := Weights([]uint16{1}, []float64{0}); u != nil {
		t.Fatal("all-zero averages gave weights")
	}
}
