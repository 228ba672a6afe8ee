package coinbase

import (
	"encoding/json"
	"fmt"

	"github.com/gotensor/gotensor/chain/codec"
	"github.com/gotensor/gotensor/chain/store"
)

// Module is this module's first key byte (see chain/app's table).
const Module byte = 0x08

const (
	colPending byte = 0x01 // netuid → Pending (JSON)
	colParams  byte = 0x02 // → Params (JSON)
)

func pendingKey(netuid uint16) []byte {
	return codec.Key(Module, colPending, codec.AppendU16(nil, netuid))
}

var paramsKey = codec.Key(Module, colParams)

// Pending is alpha a subnet accumulated since its last epoch.
type Pending struct {
	Server    uint64 `json:"server,string"`
	Validator uint64 `json:"validator,string"`
	Root      uint64 `json:"root,string"`
	OwnerCut  uint64 `json:"owner_cut,string"`
	// ProtocolAlpha is alpha the protocol bought with TAO emission it
	// could not inject (§11.3); it belongs to no staker.
	ProtocolAlpha uint64 `json:"protocol_alpha,string"`
	// MinerBurnedPPM is the share of the last epoch's miner incentive
	// that was burned (owner hotkeys), in parts per million (§11.2).
	MinerBurnedPPM uint64 `json:"miner_burned_ppm"`
}

// GetPending returns a subnet's pending amounts.
func GetPending(r store.Reader, netuid uint16) Pending {
	var p Pending
	if b := r.Get(pendingKey(netuid)); b != nil {
		if err := json.Unmarshal(b, &p); err != nil {
			panic(fmt.Sprintf("coinbase: corrupt pending: %v", err))
		}
	}
	return p
}

func putPending(kv store.KV, netuid uint16, p Pending) {
	b, _ := json.Marshal(p)
	kv.Set(pendingKey(netuid), b)
}

// RemoveSubnet drops a dissolved subnet's pending amounts.
func RemoveSubnet(kv store.KV, netuid uint16) { kv.Delete(pendingKey(netuid)) }

// Params are the emission parameters.
type Params struct {
	// MovingAlphaPPB is SubnetMovingAlpha in parts per billion (3e-6 = 3000).
	MovingAlphaPPB uint64 `json:"subnet_moving_alpha_ppb"`
	// EMAPriceHalvingBlocks slows the moving price for young subnets.
	EMAPriceHalvingBlocks uint64 `json:"ema_price_halving_blocks"`
}

// DefaultParams are the mainnet values (§11.7).
func DefaultParams() Params { return Params{MovingAlphaPPB: 3000, EMAPriceHalvingBlocks: 201_600} }

// LocalnetParams make emission shares move within minutes.
func LocalnetParams() Params { return Params{MovingAlphaPPB: 50_000_000, EMAPriceHalvingBlocks: 100} }

// Validate checks bounds.
func (p Params) Validate() error {
	if p.MovingAlphaPPB > 1_000_000_000 {
		return fmt.Errorf("coinbase params: subnet_moving_alpha_ppb %d above 1e9", p.MovingAlphaPPB)
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
		panic(fmt.Sprintf("coinbase: corrupt params: %v", err))
	}
	return p
}

// SetParams stores the parameters.
func SetParams(kv store.KV, p Params) {
	b, _ := json.Marshal(p)
	kv.Set(paramsKey, b)
}

// Genesis is the module's genesis.
type Genesis struct {
	Params Params `json:"params"`
}

// InitGenesis stores the parameters.
func InitGenesis(kv store.KV, g Genesis) error {
	if err := g.Params.Validate(); err != nil {
		return err
	}
	SetParams(kv, g.Params)
	return nil
}

// ExportGenesis returns the parameters.
func ExportGenesis(r store.Reader) Genesis { return Genesis{Params: GetParams(r)} }
