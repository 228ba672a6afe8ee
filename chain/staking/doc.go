// Package staking owns stake: per (hotkey, netuid) a share pool of alpha
// (TAO on the root network, netuid 0, 1:1), per (hotkey, coldkey, netuid)
// the coldkey's shares of it, and every hotkey's delegate take.
//
// Calls: add_stake, add_stake_limit, remove_stake, remove_stake_limit,
// remove_stake_full_limit, unstake_all, unstake_all_alpha, move_stake,
// transfer_stake, swap_stake, swap_stake_limit, increase_take,
// decrease_take, root_register. Queries: a coldkey's stakes, a hotkey's
// nominators, delegates, quotes. Events: staking.StakeAdded,
// staking.StakeRemoved, staking.StakeMoved, staking.TakeChanged,
// staking.RootRegistered.
//
// CHAIN-SPEC rows "Staking" (reference §7.1–7.5), "Pools (dTAO AMM)" (the
// swap math is package swap; pool reserves are package pools) and "Root
// network" (§13: TAO staked on netuid 0 counts with TaoWeight in every
// subnet's stake weight). Buys pay their fee in TAO to the block author;
// sells pay it in alpha, sold to TAO without a fee for the author, as §12.
package staking
