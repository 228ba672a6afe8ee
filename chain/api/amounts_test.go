package api_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gotensor/gotensor/chain/api"
)

func TestAmountsJSON(t *testing.T) {
	const big = 1<<53 + 1 // the first integer a float64 cannot hold
	m := api.Metagraph{Stake: api.Amounts{0, big, ^uint64(0)}, RootStake: api.Amounts{}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"stake":["0","9007199254740993","18446744073709551615"]`, `"root_stake":[]`, `"emission":null`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("%s lacks %s", b, want)
		}
	}
	var back api.Metagraph
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Stake, m.Stake) || back.RootStake == nil || len(back.RootStake) != 0 || back.Emission != nil {
		t.Fatalf("round trip: %v %v %v", back.Stake, back.RootStake, back.Emission)
	}
	// What a float64 decoder makes of the strings' numeric form shows why they are strings.
	var f struct{ Stake []float64 }
	json.Unmarshal([]byte(`{"stake":[9007199254740993]}`), &f)
	if uint64(f.Stake[0]) == big {
		t.Fatal("float64 held 2^53+1; the reason for string amounts is gone")
	}
}

func TestAmountsReadsNumbersAndSpaces(t *testing.T) {
	for in, want := range map[string]api.Amounts{
		`[1,2,3]`:                             {1, 2, 3},
		`[ "1" , 2 ,"18446744073709551615" ]`: {1, 2, ^uint64(0)},
		"[\n]":                                {},
		`["0"]`:                               {0},
	} {
		var got api.Amounts
		if err := json.Unmarshal([]byte(in), &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	var got api.Amounts = api.Amounts{7}
	if err := json.Unmarshal([]byte(`null`), &got); err != nil || got != nil {
		t.Errorf("null: %v %v", got, err)
	}
}

func TestAmountsRejects(t *testing.T) {
	for _, in := range []string{`[-1]`, `["-1"]`, `[1.5]`, `[1e3]`, `["18446744073709551616"]`, `["x"]`, `[""]`,
		`["01"]`, `[01]`, `{"a":1}`, `"5"`, `[true]`, `[null]`, `["1"2]`, `[1,]`} {
		got := api.Amounts{42}
		err := json.Unmarshal([]byte(in), &got)
		if err == nil {
			t.Errorf("%s: accepted as %v", in, got)
			continue
		}
		if !reflect.DeepEqual(got, api.Amounts{42}) {
			t.Errorf("%s: rejected but changed the value to %v", in, got)
		}
	}
}
