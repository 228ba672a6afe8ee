package localnet

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The terminal view shows what the README shows: height and issuance, per subnet the next
// epoch and a metagraph table (uid, role, stake, incentive, dividends, emission, trust,
// axon), then where services listen.
func TestRenderShowsTheMetagraphTable(t *testing.T) {
	v := View{Time: time.Date(2026, 1, 2, 17, 50, 10, 0, time.UTC), Height: 145, TotalIssuance: 6000141 * raoPerTAO,
		Subnets: []SubnetView{{Netuid: 1, Name: SubnetPrompting, Tempo: 20, NextEpoch: 162, Neurons: []NeuronView{
			{UID: 1, Role: RoleValidator, Stake: 101142600000, Dividends: 0.9687, Emission: 7943300000},
			{UID: 3, Role: RoleMinerTool, Stake: 44867600000, Incentive: 0.8617, Emission: 7065800000, Trust: 1, Axon: "10.0.0.1:43147"},
			{UID: 6, Stake: 0},
		}}},
		Services: []Service{{Name: "node RPC", Addr: "http://127.0.0.1:26657"}, {Name: "gateway", Addr: "http://127.0.0.1:8000/v1"}}}
	var b bytes.Buffer
	Render(&b, v)
	out := b.String()
	for _, want := range []string{
		"gotensor localnet  block 145  total issuance 6000141.0000 TAO  17:50:10\n",
		"subnet 1 (prompting)  tempo 20  next epoch at block 162 (in 17 blocks)\n",
		"services:\n  node RPC               http://127.0.0.1:26657\n  gateway                http://127.0.0.1:8000/v1\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("view lacks %q:\n%s", want, out)
		}
	}
	rows := map[string]string{
		"header": `uid\s+role\s+stake \(α\)\s+incentive\s+dividends\s+emission \(α\)\s+trust\s+axon`,
		"uid 1":  `\n\s+1\s+validator\s+101\.1426\s+0\.0000\s+0\.9687\s+7\.9433\s+0\.0000\s`,
		"uid 3":  `\n\s+3\s+miner \(tools\)\s+44\.8676\s+0\.8617\s+0\.0000\s+7\.0658\s+1\.0000\s+10\.0\.0\.1:43147`,
		"uid 6":  `\n\s+6\s+-\s+0\.0000\s`, // a neuron localnet did not start (one a user added)
	}
	for name, re := range rows {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("view: %s row does not match %s:\n%s", name, re, out)
		}
	}
}
