package system

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Nonce returns the account's next nonce.
func Nonce(r store.Reader, who keys.PublicKey) uint64 {
	v, err := codec.ParseU64(r.Get(nonceKey(who)))
	if err != nil {
		panic(fmt.Sprintf("system: corrupt nonce of %s: %v", who.SS58(), err))
	}
	return v
}

// SetNonce stores the account's next nonce.
func SetNonce(kv store.KV, who keys.PublicKey, n uint64) { kv.Set(nonceKey(who), codec.U64(n)) }

// GetParams returns the stored parameters.
func GetParams(r store.Reader) Params {
	var p Params
	if !paramsMemo.Get(r, paramsKey, &p) {
		return DefaultParams()
	}
	return p
}

// paramsMemo decodes the parameters once per change: every transaction
// reads them (up to three times: CheckTx, proposal, block), and they change
// only by sudo or governance.
var paramsMemo store.JSONMemo[Params]

// SetParams stores p; p must be valid.
func SetParams(kv store.KV, p Params) {
	b, err := json.Marshal(p) // a struct: field order is fixed
	if err != nil {
		panic(fmt.Sprintf("system: encode params: %v", err))
	}
	kv.Set(paramsKey, b)
}

// Sudo returns the sudo key; ok is false once sudo is retired (or never set).
func Sudo(r store.Reader) (keys.PublicKey, bool) {
	b := r.Get(sudoKey)
	if len(b) != 32 {
		return keys.PublicKey{}, false
	}
	return keys.PublicKey(b), true
}

// SetSudo sets the sudo key.
func SetSudo(kv store.KV, who keys.PublicKey) { kv.Set(sudoKey, who[:]) }

// IsSudo reports whether who may make sudo calls.
func IsSudo(r store.Reader, who keys.PublicKey) bool {
	s, ok := Sudo(r)
	return ok && s == who
}

// Profile is the genesis profile ("mainnet" or "localnet").
func Profile(r store.Reader) string { return string(r.Get(profileKey)) }

// RewardAccount returns the account that receives the fees of the
// validator with the given consensus address.
func RewardAccount(r store.Reader, consAddr []byte) (keys.PublicKey, bool) {
	b := r.Get(validatorKey(consAddr))
	if len(b) != 32 {
		return keys.PublicKey{}, false
	}
	return keys.PublicKey(b), true
}

// SetRewardAccount maps a consensus address to a reward account.
func SetRewardAccount(kv store.KV, consAddr []byte, who keys.PublicKey) {
	kv.Set(validatorKey(consAddr), who[:])
}

// RetireSudo removes the sudo key for good (governance).
func RetireSudo(kv store.KV) { kv.Delete(sudoKey) }
