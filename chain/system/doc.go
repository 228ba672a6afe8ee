// Package system owns what every transaction touches: account nonces, the
// chain parameters for fees and mortality, the sudo key, and the mapping
// from consensus validators to the accounts that receive their fees.
//
// CHAIN-SPEC rows "Transaction fees" and "Mortality and nonces" (ours):
// fee = base for the call's class + per-byte fee × tx size + tip, paid to
// the block proposer's reward account; each transaction names the signer's
// next nonce and the last block at which it is valid.
package system
