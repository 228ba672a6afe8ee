package app

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/governance"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/system"
)

func proposalView(r store.Reader, p governance.Proposal, detail bool) api.Proposal {
	var payload map[string]any
	b, _ := json.Marshal(p.Payload)
	json.Unmarshal(b, &payload)
	v := api.Proposal{ID: p.ID, Proposer: p.Proposer.SS58(), Title: p.Title, Description: p.Description, Kind: p.Kind,
		Payload: payload, Deposit: p.Deposit, Submitted: p.Submitted, VotingEnd: p.VotingEnd, Status: p.Status, Error: p.Error}
	params := governance.GetParams(r)
	switch {
	case p.Tally != nil:
		t := *p.Tally
		v.Tally = &api.Tally{Yes: t.Yes, No: t.No, Abstain: t.Abstain, Veto: t.Veto, Voters: t.Voters, TotalIssuance: t.Issuance,
			Outcome: governance.Outcome(t, params), Final: true}
	case detail:
		t := governance.CurrentTally(r, p.ID)
		v.Tally = &api.Tally{Yes: t.Yes, No: t.No, Abstain: t.Abstain, Veto: t.Veto, Voters: t.Voters, TotalIssuance: t.Issuance,
			Outcome: governance.Outcome(t, params)}
	}
	if detail {
		for _, vt := range governance.Votes(r, p.ID, int(params.MaxVotes)) {
			v.Votes = append(v.Votes, api.VoteView{Voter: vt.Voter.SS58(), Option: vt.Option.String()})
		}
	}
	return v
}

// proposalsFilter reads the proposals list's query string: status=S keeps
// the proposals in status S (any case); "" keeps all.
func proposalsFilter(rawQuery string) (string, error) {
	valid := strings.Join(governance.Statuses, ", ")
	status := ""
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "":
		case "status":
			s := strings.ToLower(v)
			if !slices.Contains(governance.Statuses, s) {
				return "", badRequest("status %q is not a proposal status: use one of %s", v, valid)
			}
			status = s
		default:
			return "", badRequest("unknown parameter %q (use status=%s)", k, strings.Join(governance.Statuses, "|"))
		}
	}
	return status, nil
}

func queryGovernance(snap *store.Snapshot, route, rawQuery string) (any, bool, error) {
	switch {
	case route == api.PathGovParams:
		p, s := governance.GetParams(snap), governance.GetState(snap)
		v := api.GovernanceParams{MinDeposit: p.MinDeposit, VotingPeriod: p.VotingPeriod, QuorumPPM: p.QuorumPPM,
			ThresholdPPM: p.ThresholdPPM, VetoPPM: p.VetoPPM, SafeMode: s.SafeMode, Locked: s.Locked}
		if sudo, ok := system.Sudo(snap); ok {
			v.Sudo = sudo.SS58()
		}
		if s.Upgrade != nil {
			v.UpgradeName, v.UpgradeHeight, v.UpgradeInfo = s.Upgrade.Name, s.Upgrade.Height, s.Upgrade.Info
		}
		return v, true, nil
	case route == api.PathProposals:
		status, err := proposalsFilter(rawQuery)
		if err != nil {
			return nil, true, err
		}
		out := []api.Proposal{}
		for _, p := range governance.ListStatus(snap, status, maxListed) {
			out = append(out, proposalView(snap, p, false))
		}
		return out, true, nil
	case strings.HasPrefix(route, api.PathProposals+"/"):
		id, err := strconv.ParseUint(strings.TrimPrefix(route, api.PathProposals+"/"), 10, 64)
		if err != nil {
			return nil, true, badRequest("proposal id must be a number")
		}
		p, ok := governance.Get(snap, id)
		if !ok {
			return nil, true, notFound("no proposal %d", id)
		}
		return proposalView(snap, p, true), true, nil
	}
	return nil, false, nil
}
