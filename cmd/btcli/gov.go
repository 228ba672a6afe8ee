package main

// btcli gov: on-chain governance (CHAIN-SPEC "Governance"; chain/governance). TAO holders
// propose, deposit and vote; at the end of the voting period the chain tallies from the
// state at that moment and executes a passed proposal in the same block. The submitting
// commands follow chaintx.go's pattern: check flags, refuse early what the chain would
// refuse (naming the chain's error), show and ask, submit, print from the receipt.

import (
	"context"
	"fmt"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotensor/gotensor/chain/api"
	"github.com/gotensor/gotensor/chain/tx/txpb"
	"github.com/gotensor/gotensor/client"
)

// Governance events and proposal kinds as the chain names them; gov_test.go checks them
// against chain/governance's constants.
const (
	evProposed  = "governance.Proposed"  // id, kind, proposer, voting_end
	evDeposited = "governance.Deposited" // id, depositor, amount
	evVoted     = "governance.Voted"     // id, voter, option

	govKindParameterChange = "parameter_change"
	govKindDissolveSubnet  = "dissolve_subnet"
	govKindSafeMode        = "safe_mode"
	govKindUpgrade         = "upgrade_plan"
	govKindRetireSudo      = "retire_sudo"
	govKindText            = "text"

	govStatusVoting = "voting"
)

// Limits the chain checks at propose time (chain/governance checkPayload).
const (
	govMaxTitle       = 256
	govMaxDescription = 4096
	govMaxUpgradeName = 64
)

func newGovCmd(app *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "gov",
		Aliases: []string{"governance"},
		Short:   "Propose, fund and vote on governance proposals; list them and follow their tally",
		Long: `On-chain governance: any coldkey may propose a parameter change, a subnet dissolve,
safe mode on/off, a software upgrade plan, sudo retirement or a text, locking at least
the minimum deposit. Holders vote yes, no, abstain or veto; a later vote by the same
coldkey replaces the earlier one. Voting power (free balance + root stake + the TAO
value of alpha stake) is counted when the voting period ends. A proposal passes with
quorum (turnout ≥ 33.4% of total issuance), yes > 50% of the non-abstain votes, and veto
< 33.4% of all votes; it executes in that block. Deposits return unless vetoed (then
burned). See docs/governance.md.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newGovProposeCmd(app), newGovDepositCmd(app), newGovVoteCmd(app),
		newGovListCmd(app), newGovShowCmd(app), newGovTallyCmd(app), newGovParamsCmd(app))
	return cmd
}

// --- formatting -----------------------------------------------------------------------

// pct renders a/b as a percentage with two decimals, rounded down ("33.40%").
func govPct(a, b uint64) string {
	if b == 0 {
		return "0.00%"
	}
	q := new(big.Int).Mul(new(big.Int).SetUint64(a), big.NewInt(10_000))
	q.Quo(q, new(big.Int).SetUint64(b))
	v := q.Uint64()
	return fmt.Sprintf("%d.%02d%%", v/100, v%100)
}

// ppmPct renders parts per million as a percentage ("33.4%").
func govPPM(ppm uint64) string {
	s := strings.TrimRight(fmt.Sprintf("%d.%04d", ppm/10_000, ppm%10_000), "0")
	return strings.TrimSuffix(s, ".") + "%"
}

// atLeast reports a/b ≥ ppm/10^6 exactly, as chain/governance's tally does.
func govAtLeast(a, b, ppm uint64) bool {
	hi1, lo1 := bits.Mul64(a, 1_000_000)
	hi2, lo2 := bits.Mul64(b, ppm)
	return hi1 > hi2 || (hi1 == hi2 && lo1 >= lo2)
}

// ceilShare is the least x with x/total ≥ ppm/10^6 (the quorum in RAO).
func govCeilShare(total, ppm uint64) uint64 {
	q := new(big.Int).Mul(new(big.Int).SetUint64(total), new(big.Int).SetUint64(ppm))
	q.Add(q, big.NewInt(999_999))
	q.Quo(q, big.NewInt(1_000_000))
	return q.Uint64()
}

// payload reads a proposal payload field (the chain omits zero values).
func govPayloadU64(p map[string]any, key string) uint64 {
	switch v := p[key].(type) {
	case float64:
		return uint64(v)
	case string:
		n, _ := strconv.ParseUint(v, 10, 64)
		return n
	}
	return 0
}

func govPayloadStr(p map[string]any, key string) string { s, _ := p[key].(string); return s }

func govPayloadBool(p map[string]any, key string) bool { b, _ := p[key].(bool); return b }

// effect says in words what a proposal does when it passes.
func govEffect(kind string, p map[string]any) string {
	switch kind {
	case govKindParameterChange:
		if govPayloadBool(p, "has_netuid") {
			return fmt.Sprintf("set %s = %d on subnet %d", govPayloadStr(p, "name"), govPayloadU64(p, "value"), govPayloadU64(p, "netuid"))
		}
		return fmt.Sprintf("set global parameter %s = %d", govPayloadStr(p, "name"), govPayloadU64(p, "value"))
	case govKindDissolveSubnet:
		return fmt.Sprintf("dissolve subnet %d (its pool's TAO goes back to its stakers)", govPayloadU64(p, "netuid"))
	case govKindSafeMode:
		if govPayloadBool(p, "on") {
			return "turn safe mode on (pauses every call except governance and sudo)"
		}
		return "turn safe mode off"
	case govKindUpgrade:
		s := fmt.Sprintf("software upgrade %q at block %d", govPayloadStr(p, "name"), govPayloadU64(p, "height"))
		if info := govPayloadStr(p, "info"); info != "" {
			s += " (" + info + ")"
		}
		return s
	case govKindRetireSudo:
		return "retire the sudo key for good"
	case govKindText:
		return "none (text proposal)"
	}
	return kind
}

// proposalView is a proposal as btcli prints it: the chain's view plus the effect in words.
type govProposalView struct {
	api.Proposal
	Effect string `json:"effect"`
}

func govViewOf(p api.Proposal) govProposalView {
	return govProposalView{p, govEffect(p.Kind, p.Payload)}
}

// --- reading proposals ----------------------------------------------------------------

// requireID is a usage error unless --id was given.
func govRequireID(cmd *cobra.Command) error {
	if !cmd.Flags().Changed("id") {
		return usageErrorf("--id is required; see `btcli gov list` for the proposal ids")
	}
	return nil
}

// proposal reads one proposal with its votes and tally, turning "not found" into the
// chain's UnknownProposal with what to do.
func govProposal(ctx context.Context, c *client.Client, id uint64) (api.Proposal, error) {
	p, err := c.Proposal(ctx, id)
	if isNotFound(err) {
		return p, fmt.Errorf("UnknownProposal: there is no proposal %d; see `btcli gov list`", id)
	}
	return p, err
}

// openProposal reads a proposal that a transaction sent now may still deposit on or
// vote on: its voting period must include the next block.
func govOpenProposal(ctx context.Context, c *client.Client, id uint64) (api.Proposal, int64, error) {
	p, err := govProposal(ctx, c, id)
	if err != nil {
		return p, 0, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return p, 0, err
	}
	if p.Status != govStatusVoting || uint64(st.Height)+1 > p.VotingEnd {
		return p, st.Height, fmt.Errorf("VotingClosed: proposal %d is %s; its voting ended at block %d (now %d); see `btcli gov tally --id %d`",
			id, p.Status, p.VotingEnd, st.Height, id)
	}
	return p, st.Height, nil
}

// --- propose --------------------------------------------------------------------------

type govProposeResult struct {
	ID        uint64         `json:"id"`
	Title     string         `json:"title"`
	Kind      string         `json:"kind"`
	Payload   map[string]any `json:"payload"`
	Effect    string         `json:"effect"`
	Deposit   uint64         `json:"deposit_rao,string"`
	Proposer  string         `json:"proposer"`
	VotingEnd uint64         `json:"voting_end"`
	txInfo
}

// proposeFlags are propose's kind flags; exactly one kind may be given.
type govProposeFlags struct {
	param, value          string
	netuid, dissolve      uint16
	safeMode              string
	upgradeName, upInfo   string
	upgradeHeight         uint64
	retireSudo, text      bool
	title, descr, deposit string
}

// kind returns the proposal kind the flags ask for.
func (f *govProposeFlags) kind(cmd *cobra.Command) (string, error) {
	ch := cmd.Flags().Changed
	var kinds []string
	if ch("param") || ch("value") {
		kinds = append(kinds, govKindParameterChange)
	}
	if ch("dissolve-netuid") {
		kinds = append(kinds, govKindDissolveSubnet)
	}
	if ch("safe-mode") {
		kinds = append(kinds, govKindSafeMode)
	}
	if ch("upgrade-name") || ch("upgrade-height") || ch("upgrade-info") {
		kinds = append(kinds, govKindUpgrade)
	}
	if f.retireSudo {
		kinds = append(kinds, govKindRetireSudo)
	}
	if f.text {
		kinds = append(kinds, govKindText)
	}
	const choose = "--param NAME --value V [--netuid N], --dissolve-netuid N, --safe-mode on|off, --upgrade-name X --upgrade-height H, --retire-sudo or --text"
	switch {
	case len(kinds) == 0:
		return "", usageErrorf("say what the proposal does: one of %s", choose)
	case len(kinds) > 1:
		return "", usageErrorf("one proposal does one thing; got %s; choose one of %s", strings.Join(kinds, " and "), choose)
	}
	if ch("netuid") && kinds[0] != govKindParameterChange {
		return "", usageErrorf("--netuid goes with --param (a subnet hyperparameter); to dissolve a subnet use --dissolve-netuid")
	}
	return kinds[0], nil
}

// build checks the kind's flags against the chain and returns the call's kind message and
// the payload as the chain will show it.
func (f *govProposeFlags) build(cmd *cobra.Command, c *client.Client, kind string, height int64, gp api.GovernanceParams) (any, map[string]any, string, error) {
	ctx := cmd.Context()
	switch kind {
	case govKindParameterChange:
		if f.param == "" || f.value == "" {
			return nil, nil, "", usageErrorf("a parameter change needs --param and --value; see `btcli sudo get [--netuid N]` for names and bounds")
		}
		global := !cmd.Flags().Changed("netuid")
		var ps []api.Hyperparameter
		var err error
		if global {
			ps, err = c.NetworkParams(ctx)
		} else {
			if _, err = subnet(ctx, c, f.netuid); err != nil {
				return nil, nil, "", err
			}
			ps, err = c.Hyperparameters(ctx, f.netuid)
		}
		if err != nil {
			return nil, nil, "", err
		}
		p, ok := findParam(ps, f.param)
		if !ok {
			where := "global parameters (give --netuid for a subnet hyperparameter)"
			if !global {
				where = fmt.Sprintf("hyperparameters of subnet %d", f.netuid)
			}
			return nil, nil, "", usageErrorf("InvalidProposal: unknown parameter %q; the %s are: %s", f.param, where, paramNames(ps, false))
		}
		v, err := parseParamValue(f.value, p)
		if err != nil {
			return nil, nil, "", err
		}
		pl := map[string]any{"name": f.param, "value": strconv.FormatUint(v, 10)}
		what := fmt.Sprintf("set global parameter %s: %d → %d", f.param, p.Value, v)
		if !global {
			pl["has_netuid"], pl["netuid"] = true, float64(f.netuid)
			what = fmt.Sprintf("set %s on subnet %d: %d → %d", f.param, f.netuid, p.Value, v)
		}
		return &txpb.ParameterChange{HasNetuid: !global, Netuid: uint32(f.netuid), Name: f.param, Value: v}, pl, what, nil
	case govKindDissolveSubnet:
		if f.dissolve == 0 {
			return nil, nil, "", usageErrorf("netuid 0 is the root network and cannot be dissolved")
		}
		if _, err := subnet(ctx, c, f.dissolve); err != nil {
			return nil, nil, "", err
		}
		pl := map[string]any{"netuid": float64(f.dissolve)}
		return &txpb.DissolveSubnet{Netuid: uint32(f.dissolve)}, pl, govEffect(kind, pl), nil
	case govKindSafeMode:
		var on bool
		switch strings.ToLower(f.safeMode) {
		case "on", "true", "1":
			on = true
		case "off", "false", "0":
		default:
			return nil, nil, "", usageErrorf("--safe-mode is on or off, not %q", f.safeMode)
		}
		pl := map[string]any{"on": on}
		what := govEffect(kind, pl)
		if on == gp.SafeMode {
			what += fmt.Sprintf(" (it is already %s)", map[bool]string{true: "on", false: "off"}[on])
		}
		return &txpb.SafeMode{On: on}, pl, what, nil
	case govKindUpgrade:
		if f.upgradeName == "" || len(f.upgradeName) > govMaxUpgradeName {
			return nil, nil, "", usageErrorf("--upgrade-name is required, 1..%d bytes: the name the new binary declares", govMaxUpgradeName)
		}
		// The vote ends voting_period blocks after the block that includes the proposal
		// (at the earliest the next one); the upgrade must come after it.
		end := uint64(height) + 1 + gp.VotingPeriod
		if f.upgradeHeight <= end {
			return nil, nil, "", usageErrorf("InvalidProposal: --upgrade-height %d must come after the vote ends (about block %d); leave operators time, e.g. --upgrade-height %d",
				f.upgradeHeight, end, end+gp.VotingPeriod)
		}
		pl := map[string]any{"name": f.upgradeName, "height": float64(f.upgradeHeight), "info": f.upInfo}
		return &txpb.UpgradePlan{Name: f.upgradeName, Height: f.upgradeHeight, Info: f.upInfo}, pl, govEffect(kind, pl), nil
	case govKindRetireSudo:
		if gp.Sudo == "" {
			return nil, nil, "", fmt.Errorf("sudo is already retired on this chain; nothing to propose")
		}
		pl := map[string]any{}
		return &txpb.RetireSudo{}, pl, fmt.Sprintf("retire the sudo key %s for good: sudo calls fail afterwards", gp.Sudo), nil
	default:
		return &txpb.Text{}, map[string]any{}, govEffect(govKindText, nil), nil
	}
}

func newGovProposeCmd(app *App) *cobra.Command {
	var f govProposeFlags
	cmd := &cobra.Command{
		Use:   "propose",
		Short: "Submit a proposal, locking a deposit (one of --param/--dissolve-netuid/--safe-mode/--upgrade-name/--retire-sudo/--text)",
		Long: `Submit a governance proposal signed by the wallet's coldkey, which locks --deposit (at
least the chain's minimum; see ` + "`btcli gov params`" + `). The proposal does one of:

  --param NAME --value V [--netuid N]   set a global parameter, or a subnet hyperparameter
                                        (values as ` + "`btcli sudo set`" + `: whole numbers, RAO for amounts)
  --dissolve-netuid N                   dissolve a subnet
  --safe-mode on|off                    pause every call except governance and sudo, or resume
  --upgrade-name X --upgrade-height H   schedule a software upgrade: at block H every node halts
     [--upgrade-info I]                 unless its binary declares X (see docs/governance.md)
  --retire-sudo                         remove the sudo key for good
  --text                                no effect; a signal of intent

A payload the chain would fail to execute is refused now. Prints the proposal id and the
block its voting ends at. The deposit returns after the vote unless the proposal is vetoed.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if f.title == "" || len(f.title) > govMaxTitle {
				return usageErrorf("--title is required, 1..%d bytes", govMaxTitle)
			}
			if len(f.descr) > govMaxDescription {
				return usageErrorf("--description is %d bytes; the limit is %d", len(f.descr), govMaxDescription)
			}
			if f.deposit == "" {
				return usageErrorf("--deposit is required (TAO, e.g. 10); see `btcli gov params` for the minimum")
			}
			deposit, err := parseTAO(f.deposit)
			if err != nil {
				return err
			}
			kind, err := f.kind(cmd)
			if err != nil {
				return err
			}
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			gp, err := c.GovernanceParams(ctx)
			if err != nil {
				return err
			}
			if deposit < gp.MinDeposit {
				return fmt.Errorf("DepositTooLow: the deposit %s is below the minimum %s; pass --deposit %s or more",
					formatTAO(deposit), formatTAO(gp.MinDeposit), strings.TrimPrefix(formatTAO(gp.MinDeposit), "τ"))
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			kindMsg, pl, what, err := f.build(cmd, c, kind, st.Height, gp)
			if err != nil {
				return err
			}
			call := client.Propose(f.title, f.descr, deposit, kindMsg)
			fee, err := c.EstimateFee(ctx, cold, call, client.SubmitOptions{})
			if err != nil {
				return err
			}
			if _, err := funds(ctx, c, cold.SS58(), deposit, "the deposit", fee, "lower --deposit (not below the minimum) or fund the coldkey"); err != nil {
				return err
			}
			chain, err := c.Params(ctx)
			if err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, "propose", "Do you want to submit this proposal?",
				[2]string{"Proposal", fmt.Sprintf("%q (%s)", f.title, kind)},
				[2]string{"Effect", what},
				[2]string{"Deposit", fmt.Sprintf("%s (minimum %s); returned after the vote unless vetoed, then burned", formatTAO(deposit), formatTAO(gp.MinDeposit))},
				[2]string{"Voting", fmt.Sprintf("%s, ends at about block %d", plural(gp.VotingPeriod, "block", ""), uint64(st.Height)+1+gp.VotingPeriod)},
				[2]string{"Passes if", fmt.Sprintf("turnout ≥ %s of issuance (%s), yes > %s of yes+no+veto, veto < %s of votes",
					govPPM(gp.QuorumPPM), formatTAO(govCeilShare(chain.TotalIssuance, gp.QuorumPPM)), govPPM(gp.ThresholdPPM), govPPM(gp.VetoPPM))},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			ev, _ := r.Event(evProposed)
			res := govProposeResult{ID: attrU64(ev, "id"), Title: f.title, Kind: kind, Payload: pl, Effect: govEffect(kind, pl),
				Deposit: deposit, Proposer: cold.SS58(), VotingEnd: attrU64(ev, "voting_end"), txInfo: newTxInfo(fee, r)}
			return app.Print(res, func(t *Table) {
				t.Line("Proposal %d submitted in block %d (tx %s): %s", res.ID, res.Block, res.Hash, res.Effect)
				t.Line("Voting ends at block %d. Vote with: btcli gov vote --id %d yes|no|abstain|veto", res.VotingEnd, res.ID)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.title, "title", "", "proposal title (1..256 bytes)")
	fl.StringVar(&f.descr, "description", "", "proposal description (up to 4096 bytes)")
	fl.StringVar(&f.deposit, "deposit", "", "TAO to lock, at least the minimum (see btcli gov params)")
	fl.StringVar(&f.param, "param", "", "parameter change: global parameter or (with --netuid) subnet hyperparameter name")
	fl.StringVar(&f.value, "value", "", "parameter change: new value, a whole number (RAO for amounts) or true/false")
	fl.Uint16Var(&f.netuid, "netuid", 0, "parameter change: the subnet whose hyperparameter --param names")
	fl.Uint16Var(&f.dissolve, "dissolve-netuid", 0, "dissolve this subnet")
	fl.StringVar(&f.safeMode, "safe-mode", "", "turn safe mode on or off")
	fl.StringVar(&f.upgradeName, "upgrade-name", "", "software upgrade: the name the new binary declares")
	fl.Uint64Var(&f.upgradeHeight, "upgrade-height", 0, "software upgrade: the block at which nodes switch (after the vote ends)")
	fl.StringVar(&f.upInfo, "upgrade-info", "", "software upgrade: where to get the binary (URL, version, checksum)")
	fl.BoolVar(&f.retireSudo, "retire-sudo", false, "retire the sudo key for good")
	fl.BoolVar(&f.text, "text", false, "a text proposal (no effect on chain)")
	return cmd
}

// --- deposit --------------------------------------------------------------------------

type govDepositResult struct {
	ID        uint64 `json:"id"`
	Amount    uint64 `json:"amount_rao,string"`
	Deposit   uint64 `json:"deposit_rao,string"` // the proposal's total after this one
	VotingEnd uint64 `json:"voting_end"`
	txInfo
}

func newGovDepositCmd(app *App) *cobra.Command {
	var id uint64
	var amount string
	cmd := &cobra.Command{
		Use:   "deposit",
		Short: "Add to a proposal's deposit while it is voting (returned after the vote unless vetoed)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := govRequireID(cmd); err != nil {
				return err
			}
			if amount == "" {
				return usageErrorf("--amount is required (TAO, e.g. 5)")
			}
			value, err := parseTAO(amount)
			if err != nil {
				return err
			}
			if value == 0 {
				return usageErrorf("--amount must be greater than zero")
			}
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			p, _, err := govOpenProposal(ctx, c, id)
			if err != nil {
				return err
			}
			call := client.DepositOn(id, value)
			fee, err := c.EstimateFee(ctx, cold, call, client.SubmitOptions{})
			if err != nil {
				return err
			}
			if _, err := funds(ctx, c, cold.SS58(), value, "the deposit", fee, "deposit less or fund the coldkey"); err != nil {
				return err
			}
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("deposit on proposal %d", id), "Do you want to add this deposit?",
				[2]string{"Proposal", fmt.Sprintf("%d %q: %s", p.ID, p.Title, govEffect(p.Kind, p.Payload))},
				[2]string{"Deposit", fmt.Sprintf("%s, total %s; returned after the vote (block %d) unless vetoed, then burned", formatTAO(value), formatTAO(p.Deposit+value), p.VotingEnd)},
				[2]string{"Fee", formatTAO(fee)},
			)
			if err != nil {
				return err
			}
			res := govDepositResult{ID: id, Amount: value, Deposit: p.Deposit + value, VotingEnd: p.VotingEnd, txInfo: newTxInfo(fee, r)}
			if after, err := c.Proposal(ctx, id); err == nil {
				res.Deposit = after.Deposit
			}
			return app.Print(res, func(t *Table) {
				t.Line("Deposited %s on proposal %d in block %d (tx %s); its deposit is now %s", formatTAO(value), id, res.Block, res.Hash, formatTAO(res.Deposit))
			})
		},
	}
	cmd.Flags().Uint64Var(&id, "id", 0, "proposal id (see btcli gov list)")
	cmd.Flags().StringVar(&amount, "amount", "", "TAO to add, e.g. 5 (or 5000000000rao)")
	return cmd
}

// --- vote -----------------------------------------------------------------------------

var govVoteOptions = map[string]txpb.VoteOption{
	"yes": txpb.VoteOption_VOTE_OPTION_YES, "no": txpb.VoteOption_VOTE_OPTION_NO,
	"abstain": txpb.VoteOption_VOTE_OPTION_ABSTAIN, "veto": txpb.VoteOption_VOTE_OPTION_VETO,
}

type govVoteResult struct {
	ID        uint64 `json:"id"`
	Voter     string `json:"voter"`
	Option    string `json:"option"`
	Replaced  string `json:"replaced,omitempty"` // the earlier vote this one replaces
	VotingEnd uint64 `json:"voting_end"`
	txInfo
}

func newGovVoteCmd(app *App) *cobra.Command {
	var id uint64
	var option string
	cmd := &cobra.Command{
		Use:   "vote --id N yes|no|abstain|veto",
		Short: "Vote on a proposal with the wallet's coldkey; a later vote replaces the earlier one",
		Long: `Vote yes, no, abstain or veto on a proposal, signed by the wallet's coldkey. Voting again
before the period ends replaces the earlier vote (only the last one counts). Voting power
is the coldkey's free balance + root stake + the TAO value of its alpha stake, counted
from the state when the voting period ends, so moving funds after voting cannot count
twice. Veto ≥ 33.4% of all votes rejects the proposal and burns its deposit.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("give one option (yes, no, abstain or veto), got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if err := govRequireID(cmd); err != nil {
				return err
			}
			if len(args) == 1 {
				if option != "" && !strings.EqualFold(option, args[0]) {
					return usageErrorf("--option %s and argument %s disagree; give one", option, args[0])
				}
				option = args[0]
			}
			option = strings.ToLower(strings.TrimSpace(option))
			opt, ok := govVoteOptions[option]
			if !ok {
				return usageErrorf("InvalidVoteOption: vote yes, no, abstain or veto (got %q)", option)
			}
			w, cold, c, err := app.coldkeyClient(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			p, _, err := govOpenProposal(ctx, c, id)
			if err != nil {
				return err
			}
			var earlier string
			for _, v := range p.Votes {
				if v.Voter == cold.SS58() {
					earlier = v.Option
				}
			}
			call := client.Vote(id, opt)
			fee, err := c.EstimateFee(ctx, cold, call, client.SubmitOptions{})
			if err != nil {
				return err
			}
			acct, err := funds(ctx, c, cold.SS58(), 0, "", fee, "fund the coldkey")
			if err != nil {
				return err
			}
			power := acct.Free
			if stakes, err := c.Stake(ctx, cold.SS58()); err == nil {
				for _, s := range stakes {
					power += s.TAOValue
				}
			}
			summary := [][2]string{
				{"Proposal", fmt.Sprintf("%d %q: %s", p.ID, p.Title, govEffect(p.Kind, p.Payload))},
				{"Vote", option},
			}
			if earlier != "" {
				summary = append(summary, [2]string{"Replaces", fmt.Sprintf("your earlier vote %q (only the last vote counts)", earlier)})
			}
			summary = append(summary,
				[2]string{"Power", fmt.Sprintf("%s now (free + stake); counted again when voting ends at block %d", formatTAO(power), p.VotingEnd)},
				[2]string{"Fee", formatTAO(fee)})
			r, err := app.confirmAndSubmit(ctx, c, w, call, fmt.Sprintf("vote on proposal %d", id), "Do you want to vote?", summary...)
			if err != nil {
				return err
			}
			res := govVoteResult{ID: id, Voter: cold.SS58(), Option: option, Replaced: earlier, VotingEnd: p.VotingEnd, txInfo: newTxInfo(fee, r)}
			if ev, ok := r.Event(evVoted); ok && ev["option"] != "" {
				res.Option = ev["option"]
			}
			return app.Print(res, func(t *Table) {
				t.Line("Voted %s on proposal %d in block %d (tx %s); voting ends at block %d", res.Option, id, res.Block, res.Hash, res.VotingEnd)
				if earlier != "" {
					t.Line("This vote replaced your earlier vote %q.", earlier)
				}
			})
		},
	}
	cmd.Flags().Uint64Var(&id, "id", 0, "proposal id (see btcli gov list)")
	cmd.Flags().StringVar(&option, "option", "", "yes, no, abstain or veto (or give it as the argument)")
	return cmd
}

// --- list, show, tally ----------------------------------------------------------------

// tallyView is a tally against the rules, in RAO and as shares.
type govTallyView struct {
	ID            uint64 `json:"id"`
	Status        string `json:"status"`
	Final         bool   `json:"final"` // counted at the end of voting; else so far, with today's balances
	VotingEnd     uint64 `json:"voting_end"`
	Height        int64  `json:"height,omitempty"` // the block the numbers are read at (so far)
	TotalIssuance uint64 `json:"total_issuance_rao,string"`
	Yes           uint64 `json:"yes_rao,string"`
	No            uint64 `json:"no_rao,string"`
	Abstain       uint64 `json:"abstain_rao,string"`
	Veto          uint64 `json:"veto_rao,string"`
	Voters        uint64 `json:"voters"`
	// Shares of total issuance.
	YesPct     string `json:"yes_pct"`
	NoPct      string `json:"no_pct"`
	AbstainPct string `json:"abstain_pct"`
	VetoPct    string `json:"veto_pct"`
	// The three rules: turnout (of issuance) against quorum, veto (of votes cast) against
	// the veto threshold, yes (of yes+no+veto) against the pass threshold.
	Turnout       string `json:"turnout_pct"`
	Quorum        string `json:"quorum_pct"`
	QuorumReached bool   `json:"quorum_reached"`
	VetoShare     string `json:"veto_share_pct"`
	VetoThreshold string `json:"veto_threshold_pct"`
	Vetoed        bool   `json:"vetoed"`
	YesShare      string `json:"yes_share_pct"`
	Threshold     string `json:"threshold_pct"`
	Outcome       string `json:"outcome"` // passed, rejected or vetoed under these numbers
}

func newGovTallyView(p api.Proposal, gp api.GovernanceParams, height int64) govTallyView {
	t := api.Tally{}
	if p.Tally != nil {
		t = *p.Tally
	}
	cast := t.Yes + t.No + t.Abstain + t.Veto
	nonAbstain := t.Yes + t.No + t.Veto
	v := govTallyView{ID: p.ID, Status: p.Status, Final: t.Final, VotingEnd: p.VotingEnd, TotalIssuance: t.TotalIssuance,
		Yes: t.Yes, No: t.No, Abstain: t.Abstain, Veto: t.Veto, Voters: t.Voters,
		YesPct: govPct(t.Yes, t.TotalIssuance), NoPct: govPct(t.No, t.TotalIssuance), AbstainPct: govPct(t.Abstain, t.TotalIssuance), VetoPct: govPct(t.Veto, t.TotalIssuance),
		Turnout: govPct(cast, t.TotalIssuance), Quorum: govPPM(gp.QuorumPPM), QuorumReached: t.TotalIssuance > 0 && govAtLeast(cast, t.TotalIssuance, gp.QuorumPPM),
		VetoShare: govPct(t.Veto, cast), VetoThreshold: govPPM(gp.VetoPPM), Vetoed: cast > 0 && govAtLeast(t.Veto, cast, gp.VetoPPM),
		YesShare: govPct(t.Yes, nonAbstain), Threshold: govPPM(gp.ThresholdPPM), Outcome: t.Outcome}
	if !t.Final {
		v.Height = height
	}
	return v
}

// printTally writes a tally for people.
func printGovTally(t *Table, v govTallyView) {
	when := fmt.Sprintf("so far at block %d (voting ends at block %d; power is counted then)", v.Height, v.VotingEnd)
	if v.Final {
		when = fmt.Sprintf("final, counted at block %d", v.VotingEnd)
	}
	t.Line("Tally of proposal %d, %s: %s", v.ID, when, v.Status)
	t.Row("OPTION", "TAO", "OF ISSUANCE")
	for _, r := range [][3]string{{"yes", formatTAO(v.Yes), v.YesPct}, {"no", formatTAO(v.No), v.NoPct},
		{"abstain", formatTAO(v.Abstain), v.AbstainPct}, {"veto", formatTAO(v.Veto), v.VetoPct}} {
		t.Row(r[0], r[1], r[2])
	}
	t.Line("Total issuance %s; %s", formatTAO(v.TotalIssuance), plural(v.Voters, "voter", ""))
	t.Line("Quorum:  turnout %s, needs ≥ %s: %s", v.Turnout, v.Quorum, map[bool]string{true: "reached", false: "not reached"}[v.QuorumReached])
	t.Line("Veto:    %s of votes, vetoed at ≥ %s: %s", v.VetoShare, v.VetoThreshold, yesNo(v.Vetoed))
	t.Line("Yes:     %s of yes+no+veto, needs > %s", v.YesShare, v.Threshold)
	if v.Final {
		t.Line("Outcome: %s", v.Outcome)
	} else {
		t.Line("Outcome so far: %s", v.Outcome)
	}
}

type govListRow struct {
	ID        uint64       `json:"id"`
	Title     string       `json:"title"`
	Kind      string       `json:"kind"`
	Effect    string       `json:"effect"`
	Status    string       `json:"status"`
	VotingEnd uint64       `json:"voting_end"`
	Deposit   uint64       `json:"deposit_rao,string"`
	Error     string       `json:"error,omitempty"`
	Tally     govTallyView `json:"tally"`
}

// govStatuses are the statuses a proposal can have (chain/governance), in order.
var govStatuses = []string{govStatusVoting, "passed", "rejected", "vetoed", "failed"}

func newGovListCmd(app *App) *cobra.Command {
	var status string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List proposals, newest first: id, title, kind, status, voting end and tally",
		Long: `List proposals, newest first (the chain serves the 1000 newest), with their tally so far
or final. --status voting (or passed, rejected, vetoed, failed) lists only those: the chain
filters, so it serves the 1000 newest in that status, however many newer ones have another.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			status = strings.ToLower(strings.TrimSpace(status))
			if status != "" && !slices.Contains(govStatuses, status) {
				return usageErrorf("--status is one of %s, not %q", strings.Join(govStatuses, ", "), status)
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			gp, err := c.GovernanceParams(ctx)
			if err != nil {
				return err
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			ps, err := govProposals(ctx, c, status)
			if err != nil {
				return err
			}
			rows := []govListRow{}
			for _, p := range ps {
				if status != "" && p.Status != status { // a node from before ?status= ignores it
					continue
				}
				if p.Tally == nil { // still voting: the list carries no tally; read it so far
					if full, err := c.Proposal(ctx, p.ID); err == nil {
						p = full
					}
				}
				rows = append(rows, govListRow{ID: p.ID, Title: p.Title, Kind: p.Kind, Effect: govEffect(p.Kind, p.Payload), Status: p.Status,
					VotingEnd: p.VotingEnd, Deposit: p.Deposit, Error: p.Error, Tally: newGovTallyView(p, gp, st.Height)})
			}
			return app.Print(map[string]any{"proposals": rows, "height": st.Height}, func(t *Table) {
				if len(rows) == 0 && status != "" {
					t.Line("No %s proposals. `btcli gov list` shows all of them.", status)
					return
				}
				if len(rows) == 0 {
					t.Line("No proposals yet. Submit one with `btcli gov propose`.")
					return
				}
				t.Row("ID", "TITLE", "KIND", "STATUS", "VOTING END", "DEPOSIT", "YES", "NO", "ABSTAIN", "VETO", "TURNOUT", "OUTCOME")
				for _, r := range rows {
					end := strconv.FormatUint(r.VotingEnd, 10)
					outcome := r.Tally.Outcome
					if r.Status == govStatusVoting {
						outcome += " so far"
						if r.VotingEnd > uint64(st.Height) {
							end += fmt.Sprintf(" (in %d)", r.VotingEnd-uint64(st.Height))
						}
					}
					t.Row(strconv.FormatUint(r.ID, 10), govClip(r.Title, 32), r.Kind, r.Status, end, formatTAO(r.Deposit),
						r.Tally.YesPct, r.Tally.NoPct, r.Tally.AbstainPct, r.Tally.VetoPct, r.Tally.Turnout, outcome)
				}
				t.Line("Percentages are of total issuance; quorum needs turnout ≥ %s. Details: btcli gov show --id N", govPPM(gp.QuorumPPM))
			})
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "list only proposals with this status: "+strings.Join(govStatuses, ", "))
	return cmd
}

// govProposals lists the newest proposals, only those in status when it is not "": the
// chain filters (query path /governance/proposals?status=S; status is one of govStatuses,
// plain words), so a proposal in status S is found behind any number of newer ones.
func govProposals(ctx context.Context, c *client.Client, status string) ([]api.Proposal, error) {
	if status == "" {
		return c.Proposals(ctx)
	}
	var ps []api.Proposal
	err := c.Query(ctx, api.PathProposals+"?status="+status, 0, &ps)
	return ps, err
}

func govClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

type govShowResult struct {
	govProposalView
	TallyView govTallyView `json:"tally_view"`
}

func newGovShowCmd(app *App) *cobra.Command {
	var id uint64
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show a proposal in full: payload, deposit, status, votes and tally",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := govRequireID(cmd); err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			p, gp, height, err := govProposalAndParams(ctx, c, id)
			if err != nil {
				return err
			}
			res := govShowResult{govViewOf(p), newGovTallyView(p, gp, height)}
			if res.Votes == nil {
				res.Votes = []api.VoteView{}
			}
			return app.Print(res, func(t *Table) {
				t.Line("Proposal %d: %q", p.ID, p.Title)
				t.Row("Kind", p.Kind)
				t.Row("Effect", res.Effect)
				if p.Description != "" {
					t.Row("Description", p.Description)
				}
				t.Row("Proposer", p.Proposer)
				t.Row("Deposit", formatTAO(p.Deposit))
				t.Row("Submitted", fmt.Sprintf("block %d", p.Submitted))
				t.Row("Voting end", fmt.Sprintf("block %d", p.VotingEnd))
				t.Row("Status", p.Status)
				if p.Error != "" {
					t.Row("Execution error", p.Error)
				}
				t.Line("")
				t.Row("VOTER", "OPTION")
				for _, v := range p.Votes {
					t.Row(v.Voter, v.Option)
				}
				if len(p.Votes) == 0 {
					t.Line("(no votes yet)")
				}
				t.Line("")
				printGovTally(t, res.TallyView)
			})
		},
	}
	cmd.Flags().Uint64Var(&id, "id", 0, "proposal id (see btcli gov list)")
	return cmd
}

func govProposalAndParams(ctx context.Context, c *client.Client, id uint64) (api.Proposal, api.GovernanceParams, int64, error) {
	p, err := govProposal(ctx, c, id)
	if err != nil {
		return p, api.GovernanceParams{}, 0, err
	}
	gp, err := c.GovernanceParams(ctx)
	if err != nil {
		return p, gp, 0, err
	}
	st, err := c.Status(ctx)
	return p, gp, st.Height, err
}

func newGovTallyCmd(app *App) *cobra.Command {
	var id uint64
	cmd := &cobra.Command{
		Use:   "tally",
		Short: "Show a proposal's tally: each option as TAO and % of issuance, quorum, veto, outcome so far",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := govRequireID(cmd); err != nil {
				return err
			}
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			p, gp, height, err := govProposalAndParams(ctx, c, id)
			if err != nil {
				return err
			}
			v := newGovTallyView(p, gp, height)
			return app.Print(v, func(t *Table) { printGovTally(t, v) })
		},
	}
	cmd.Flags().Uint64Var(&id, "id", 0, "proposal id (see btcli gov list)")
	return cmd
}

// --- params ---------------------------------------------------------------------------

type govParamsResult struct {
	MinDeposit    uint64 `json:"min_deposit_rao,string"`
	VotingPeriod  uint64 `json:"voting_period_blocks"`
	Quorum        string `json:"quorum_pct"`
	QuorumTAO     uint64 `json:"quorum_rao,string"` // turnout needed at today's issuance
	Threshold     string `json:"threshold_pct"`
	Veto          string `json:"veto_pct"`
	TotalIssuance uint64 `json:"total_issuance_rao,string"`
	SafeMode      bool   `json:"safe_mode"`
	Locked        uint64 `json:"locked_deposits_rao,string"`
	Sudo          string `json:"sudo,omitempty"`
	SudoRetired   bool   `json:"sudo_retired"`
	UpgradeName   string `json:"upgrade_name,omitempty"`
	UpgradeHeight uint64 `json:"upgrade_height,omitempty"`
	UpgradeInfo   string `json:"upgrade_info,omitempty"`
}

func newGovParamsCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "params",
		Short: "Show the governance rules, safe mode, the sudo key and any scheduled upgrade",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := app.Client(ctx)
			if err != nil {
				return err
			}
			defer c.Close()
			gp, err := c.GovernanceParams(ctx)
			if err != nil {
				return err
			}
			chain, err := c.Params(ctx)
			if err != nil {
				return err
			}
			res := govParamsResult{MinDeposit: gp.MinDeposit, VotingPeriod: gp.VotingPeriod, Quorum: govPPM(gp.QuorumPPM),
				QuorumTAO: govCeilShare(chain.TotalIssuance, gp.QuorumPPM), Threshold: govPPM(gp.ThresholdPPM), Veto: govPPM(gp.VetoPPM),
				TotalIssuance: chain.TotalIssuance, SafeMode: gp.SafeMode, Locked: gp.Locked, Sudo: gp.Sudo, SudoRetired: gp.Sudo == "",
				UpgradeName: gp.UpgradeName, UpgradeHeight: gp.UpgradeHeight, UpgradeInfo: gp.UpgradeInfo}
			return app.Print(res, func(t *Table) {
				t.Row("Minimum deposit", formatTAO(res.MinDeposit))
				t.Row("Voting period", plural(res.VotingPeriod, "block", ""))
				t.Row("Quorum", fmt.Sprintf("turnout ≥ %s of total issuance (%s of %s)", res.Quorum, formatTAO(res.QuorumTAO), formatTAO(res.TotalIssuance)))
				t.Row("Pass threshold", fmt.Sprintf("yes > %s of yes+no+veto", res.Threshold))
				t.Row("Veto threshold", fmt.Sprintf("veto ≥ %s of all votes rejects and burns the deposits", res.Veto))
				t.Row("Locked deposits", formatTAO(res.Locked))
				t.Row("Safe mode", map[bool]string{true: "ON: only governance and sudo calls run", false: "off"}[res.SafeMode])
				if res.SudoRetired {
					t.Row("Sudo key", "none (retired by governance)")
				} else {
					t.Row("Sudo key", res.Sudo)
				}
				if res.UpgradeName != "" {
					row := fmt.Sprintf("%q at block %d", res.UpgradeName, res.UpgradeHeight)
					if res.UpgradeInfo != "" {
						row += " (" + res.UpgradeInfo + ")"
					}
					t.Row("Scheduled upgrade", row)
				}
			})
		},
	}
}
