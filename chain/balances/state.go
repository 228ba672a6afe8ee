package balances

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

func mustU64(b []byte, what string) uint64 {
	v, err := codec.ParseU64(b)
	if err != nil {
		panic(fmt.Sprintf("balances: corrupt %s: %v", what, err))
	}
	return v
}

// Free returns an account's free balance in RAO.
func Free(r store.Reader, who keys.PublicKey) uint64 {
	return mustU64(r.Get(freeKey(who)), "free balance")
}

// TotalIssuance returns the RAO in existence.
func TotalIssuance(r store.Reader) uint64 {
	return mustU64(r.Get(issuanceKey), "total issuance")
}

// Accounts returns how many accounts hold a balance.
func Accounts(r store.Reader) uint64 {
	return mustU64(r.Get(accountsNumKey), "account count")
}

func setIssuance(kv store.KV, v uint64) { kv.Set(issuanceKey, codec.U64(v)) }

// setFree writes a balance, keeping the account count; 0 removes the entry.
func setFree(kv store.KV, who keys.PublicKey, v uint64) {
	had := Free(kv, who) != 0
	switch {
	case v == 0 && had:
		kv.Delete(freeKey(who))
		kv.Set(accountsNumKey, codec.U64(Accounts(kv)-1))
	case v == 0:
	default:
		kv.Set(freeKey(who), codec.U64(v))
		if !had {
			kv.Set(accountsNumKey, codec.U64(Accounts(kv)+1))
		}
	}
}

// Account is one balance entry, as iterated.
type Account struct {
	Who  keys.PublicKey
	Free uint64
}

// IterateAccounts calls fn for accounts in key order, starting after
// `after` (zero key: from the start), until fn returns false.
func IterateAccounts(r store.Reader, after *keys.PublicKey, fn func(Account) bool) {
	start := freePrefix
	if after != nil {
		start = append(freeKey(*after), 0)
	}
	r.Iterate(start, store.PrefixEnd(freePrefix), func(k, v []byte) bool {
		var a Account
		copy(a.Who[:], k[len(freePrefix):])
		a.Free = mustU64(v, "free balance")
		return fn(a)
	})
}
