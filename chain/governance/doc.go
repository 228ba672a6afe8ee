// Package governance lets TAO holders govern the chain (CHAIN-SPEC
// "Governance", ours) and owns safe mode and upgrade plans.
//
// Calls: propose (parameter change, subnet dissolve, safe mode on/off,
// software upgrade plan, sudo retirement, text), deposit, vote. At the end
// of a proposal's voting period, EndBlock tallies it from the state at
// that moment: voting power = free balance + root stake + the TAO value of
// alpha stake (its pro-rata share of the subnet's TAO reserve, see
// AlphaTAOValue); quorum (share of total issuance that voted) ≥ 33.4%, yes >
// 50% of non-abstain votes, veto < 33.4% of all votes cast. A passed
// proposal executes in the same end-block on a branch: it applies
// atomically or, on failure, changes nothing and the failure is recorded.
// Deposits return to depositors unless vetoed (then burned).
//
// A later vote by the same coldkey replaces its earlier vote. Events:
// governance.Proposed, governance.Deposited, governance.Voted,
// governance.Tallied, governance.Executed, governance.ExecutionFailed.
package governance
