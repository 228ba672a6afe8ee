package governance

import "testing"

func TestOutcome(t *testing.T) {
	p := DefaultParams()
	const iss = 1000
	cases := []struct {
		name string
		t    Tally
		want string
	}{
		{"no quorum", Tally{Yes: 300, Issuance: iss}, StatusRejected},
		{"quorum exactly", Tally{Yes: 334, Issuance: iss}, StatusPassed},
		{"abstain counts for quorum only", Tally{Yes: 10, Abstain: 400, Issuance: iss}, StatusPassed},
		{"all abstain", Tally{Abstain: 500, Issuance: iss}, StatusRejected},
		{"half is not more than half", Tally{Yes: 200, No: 200, Issuance: iss}, StatusRejected},
		{"majority", Tally{Yes: 201, No: 199, Issuance: iss}, StatusPassed},
		{"veto at 33.4%", Tally{Yes: 666, Veto: 334, Issuance: iss}, StatusVetoed},
		{"veto below", Tally{Yes: 667, Veto: 333, Issuance: iss}, StatusPassed},
		{"veto counts against yes", Tally{Yes: 300, Veto: 200, No: 100, Issuance: iss}, StatusRejected},
		{"nothing issued", Tally{}, StatusRejected},
	}
	for _, c := range cases {
		if got := Outcome(c.t, p); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}
