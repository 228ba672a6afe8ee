// Package yuma computes Yuma Consensus: one subnet epoch as a pure function of the subnet's
// state, following subtensor's sparse epoch (docs/reference/subtensor.md HEAD §8 and §9,
// CHAIN-SPEC row "Yuma Consensus epoch") bit for bit in fixed point (package fixed). The
// reference vectors in vectors/yuma, described in vectors/README.md, are the arbiter; the
// step numbers below are that README's.
//
// # Use
//
// The chain's epoch module loads an [Inputs] from state, calls [Epoch], and stores the
// [Outputs] (chain/epoch's load, compute, store; STYLE §2):
//
//	out, err := yuma.Epoch(in)
//	if err != nil { ... } // in is inconsistent: see Inputs.Validate and the Err values
//	// store out.ValidatorPermit and out.Bonds for the next epoch; pay out.ServerEmission
//	// and out.ValidatorEmission; store the u16 vectors for queries.
//
// The loader must drop weight and bond entries for uids ≥ n (as subtensor does when it reads
// them); Validate rejects them rather than guessing.
//
// # Steps (n neurons, block B, last_tempo T, emission E)
//
//  1. Activity: active_i = !(last_update_i + activity_cutoff < B).
//  2. Stake: stake below stake_threshold is 0 (owner exempt); S = stake normalised in I64F64
//     and truncated to I32F32.
//  3. Permits: the epoch masks with the permits stored by the previous epoch (owner: true)
//     and issues new ones to the top k non-zero stakes (k = max_allowed_validators).
//  4. Active stake: A_i = S_i for active uids with an old permit, normalised.
//  5. Weights: rows of uids without an old permit emptied, self-weights dropped (owner
//     exempt), weights not newer than their target's registration dropped, rows normalised.
//  6. Consensus: C_j = the κ-majority stake-weighted median of column j.
//  7. Clipping: W̄_ij = min(W_ij, C_j), dropped where that is 0.
//  8. Validator trust: VT_i = Σ_j W̄_ij.
//  9. Incentive: R_j = Σ_i A_i·W̄_ij, I = normalize(R).
//  10. Weights for bonds: W^b = W + β·(W̄ − W), β = bonds_penalty/65535.
//  11. Old bonds: stored bonds minus those on uids registered at or after T.
//  12. Bonds and dividends: Yuma2 (column-normalised EMA, dividends Σ_j I_j·EMA_ij) or
//     Yuma3 (absolute EMA, fixed or liquid alpha; dividends A_i·Σ_j Ē_ij·I_j).
//  13. Stored bonds: new rows for uids with a new permit, every other row empty.
//  14. Emission: shares I + D normalised, or the active stake (else the stake) when no
//     incentive or dividends exist; amounts floor(share·E).
//
// Rank and trust, which subtensor at HEAD no longer stores, are computed as legacy subtensor
// did for the metagraph: Rank = u16(normalize(R)), equal to Incentive, and
// Trust_j = u16(R_j/P_j) with the pre-clip rank P_j = Σ_i A_i·W_ij (0 when P_j = 0).
//
// # Cost and determinism
//
// Every step is linear in n plus the number of stored weight and bond entries, except the
// permit sort (n log n) and the consensus medians (expected linear in each column's
// non-zero weights): the medians work on each column's positive weights plus one position for
// all zero scores, which gives subtensor's values (see consensus in epoch.go). Epoch
// allocates per call, never per entry; it uses no floats, maps, goroutines or clocks, every
// loop is bounded by n or the entry count, and it does not panic on any input: Validate
// rejects inconsistent ones.
//
// The package also exports the building blocks the chain and the vectors' math cases use:
// [MaxUpscaleWeights] (set_weights' max-upscale), [VecMaxUpscaleToU16], [Normalize],
// [NormalizeToU16], [WeightedMedian], [WeightedMedianCol] and [MatEMAAlpha].
package yuma
