package epoch

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/yuma"
	"github.com/gotensor/gotensor/keys"
)

// Params are the epoch's global parameters.
type Params struct {
	// MaxEpochsPerBlock bounds the epochs one block runs; the rest wait a block.
	MaxEpochsPerBlock uint64 `json:"max_epochs_per_block"`
}

// DefaultParams are the reference defaults (§10).
func DefaultParams() Params { return Params{MaxEpochsPerBlock: 2} }

// Validate checks bounds.
func (p Params) Validate() error {
	if p.MaxEpochsPerBlock == 0 || p.MaxEpochsPerBlock > 64 {
		return fmt.Errorf("epoch params: max_epochs_per_block %d must be 1..64", p.MaxEpochsPerBlock)
	}
	return nil
}

// GetParams returns the parameters.
func GetParams(r store.Reader) Params {
	b := r.Get(paramsKey)
	if b == nil {
		return DefaultParams()
	}
	var p Params
	if err := json.Unmarshal(b, &p); err != nil {
		panic(fmt.Sprintf("epoch: corrupt params: %v", err))
	}
	return p
}

// SetParams stores the parameters.
func SetParams(kv store.KV, p Params) {
	b, _ := json.Marshal(p)
	kv.Set(paramsKey, b)
}

func encodeRow(row yuma.Row) []byte {
	b := make([]byte, 0, 4*len(row))
	for _, e := range row {
		b = codec.AppendU16(b, e.UID)
		b = codec.AppendU16(b, e.Value)
	}
	return b
}

func decodeRow(b []byte) yuma.Row {
	if len(b)%4 != 0 {
		panic("epoch: corrupt row")
	}
	row := make(yuma.Row, len(b)/4)
	for i := range row {
		row[i] = yuma.Entry{UID: uint16(b[4*i])<<8 | uint16(b[4*i+1]), Value: uint16(b[4*i+2])<<8 | uint16(b[4*i+3])}
	}
	return row
}

// Weights returns uid's stored weight row.
func Weights(r store.Reader, netuid, uid uint16) yuma.Row {
	return decodeRow(r.Get(uidKey(colWeights, netuid, uid)))
}

func putRow(kv store.KV, col byte, netuid, uid uint16, row yuma.Row) {
	if len(row) == 0 {
		kv.Delete(uidKey(col, netuid, uid))
		return
	}
	kv.Set(uidKey(col, netuid, uid), encodeRow(row))
}

// Bonds returns uid's stored bond row.
func Bonds(r store.Reader, netuid, uid uint16) yuma.Row {
	return decodeRow(r.Get(uidKey(colBonds, netuid, uid)))
}

// LastUpdate returns uid's last weight update block, or 0 when none.
func LastUpdate(r store.Reader, netuid, uid uint16) uint64 {
	v, err := codec.ParseU64(r.Get(uidKey(colLastUpdate, netuid, uid)))
	if err != nil {
		panic(fmt.Sprintf("epoch: corrupt last update: %v", err))
	}
	return v
}

func setLastUpdate(kv store.KV, netuid, uid uint16, block uint64) {
	kv.Set(uidKey(colLastUpdate, netuid, uid), codec.U64(block))
}

// Commit is one pending weights commit.
type Commit struct {
	Hash  []byte `json:"hash"`
	Epoch uint64 `json:"epoch"`
	Block uint64 `json:"block"`
}

// Commits returns a hotkey's pending commits on netuid, oldest first.
func Commits(r store.Reader, netuid uint16, hk keys.PublicKey) []Commit {
	var cs []Commit
	if b := r.Get(commitsKey(netuid, hk)); b != nil {
		if err := json.Unmarshal(b, &cs); err != nil {
			panic(fmt.Sprintf("epoch: corrupt commits: %v", err))
		}
	}
	return cs
}

func putCommits(kv store.KV, netuid uint16, hk keys.PublicKey, cs []Commit) {
	if len(cs) == 0 {
		kv.Delete(commitsKey(netuid, hk))
		return
	}
	b, _ := json.Marshal(cs)
	kv.Set(commitsKey(netuid, hk), b)
}

// Result is a uid's outcome of the last epoch (u16 values are parts of 65535).
type Result struct {
	StakeWeight    uint16 `json:"stake_weight"`
	Rank           uint16 `json:"rank"`
	Trust          uint16 `json:"trust"`
	Consensus      uint16 `json:"consensus"`
	Incentive      uint16 `json:"incentive"`
	Dividends      uint16 `json:"dividends"`
	ValidatorTrust uint16 `json:"validator_trust"`
	Permit         bool   `json:"validator_permit"`
	Active         bool   `json:"active"`
	Emission       uint64 `json:"emission,string"`
}

// GetResult returns uid's last epoch result.
func GetResult(r store.Reader, netuid, uid uint16) Result {
	var res Result
	if b := r.Get(uidKey(colResult, netuid, uid)); b != nil {
		if err := json.Unmarshal(b, &res); err != nil {
			panic(fmt.Sprintf("epoch: corrupt result: %v", err))
		}
	}
	return res
}

func putResult(kv store.KV, netuid, uid uint16, res Result) {
	b, _ := json.Marshal(res)
	kv.Set(uidKey(colResult, netuid, uid), b)
}

// Schedule is a subnet's epoch bookkeeping (§10 HEAD).
type Schedule struct {
	LastEpochBlock uint64 `json:"last_epoch_block"`
	PendingEpochAt uint64 `json:"pending_epoch_at"`
	EpochIndex     uint64 `json:"epoch_index"`
	// LastStepBlock is the block the last epoch ran (LastMechanismStepBlock);
	// Ran says one has.
	LastStepBlock uint64 `json:"last_step_block"`
	Ran           bool   `json:"ran"`
}

// GetSchedule returns a subnet's schedule.
func GetSchedule(r store.Reader, netuid uint16) Schedule {
	var s Schedule
	if b := r.Get(scheduleKey(netuid)); b != nil {
		if err := json.Unmarshal(b, &s); err != nil {
			panic(fmt.Sprintf("epoch: corrupt schedule: %v", err))
		}
	}
	return s
}

// PutSchedule stores a subnet's schedule.
func PutSchedule(kv store.KV, netuid uint16, s Schedule) {
	b, _ := json.Marshal(s)
	kv.Set(scheduleKey(netuid), b)
}

// RemoveSubnet deletes every record of a subnet (dissolve); bounded by
// the subnet's uids (≤ 256) per collection.
func RemoveSubnet(kv store.KV, netuid uint16) {
	for _, col := range []byte{colWeights, colBonds, colLastUpdate, colCommits, colResult} {
		p := netuidPrefix(col, netuid)
		var ks [][]byte
		kv.Iterate(p, store.PrefixEnd(p), func(k, _ []byte) bool {
			ks = append(ks, append([]byte(nil), k...))
			return len(ks) < 65536
		})
		for _, k := range ks {
			kv.Delete(k)
		}
	}
	kv.Delete(scheduleKey(netuid))
}
