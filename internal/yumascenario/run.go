package yumascenario

import (
	"fmt"
	"slices"

	"github.com/gotensor/gotensor/chain/yuma"
)

// EpochResult is one epoch step's outputs, in the JSON shape `yuma scenario` prints: the
// README's fields, then the extra ones (ignored by the checks).
type EpochResult struct {
	Block           uint64     `json:"block"`
	StakeWeight     []uint16   `json:"stake_weight"`
	Consensus       []uint16   `json:"consensus"`
	Incentive       []uint16   `json:"incentive"`
	Dividends       []uint16   `json:"dividends"`
	ValidatorTrust  []uint16   `json:"validator_trust"`
	Emission        []uint64   `json:"emission"`
	ValidatorPermit []bool     `json:"validator_permit"`
	Active          []bool     `json:"active"`
	Bonds           [][]uint16 `json:"bonds"`

	Rank              []uint16 `json:"rank"`
	Trust             []uint16 `json:"trust"`
	ServerEmission    []uint64 `json:"server_emission"`
	ValidatorEmission []uint64 `json:"validator_emission"`
}

// state is the subnet as a scenario's steps leave it.
type state struct {
	n            int
	stake        []uint64
	registeredAt []uint64
	lastUpdate   []uint64
	permits      []bool
	weights      []yuma.Row
	bonds        []yuma.Row
}

// Run checks the scenario with Validate, executes its steps in order and returns one result
// per epoch step.
func Run(f *File) ([]EpochResult, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	n := len(f.Neurons)
	s := &state{
		n:            n,
		stake:        make([]uint64, n),
		registeredAt: make([]uint64, n),
		lastUpdate:   make([]uint64, n),
		permits:      make([]bool, n),
		weights:      make([]yuma.Row, n),
		bonds:        make([]yuma.Row, n),
	}
	for i, nr := range f.Neurons {
		s.stake[i] = nr.Stake
		s.registeredAt[i] = nr.RegisteredAt
		s.lastUpdate[i] = nr.RegisteredAt
		if nr.LastUpdate != nil {
			s.lastUpdate[i] = *nr.LastUpdate
		}
	}
	var results []EpochResult
	for k, st := range f.Steps {
		if st.Op != OpEpoch {
			if err := s.apply(st); err != nil {
				return nil, fmt.Errorf("step %d (%s): %w", k, st.Op, err)
			}
			continue
		}
		r, err := s.epoch(f.Params, st)
		if err != nil {
			return nil, fmt.Errorf("step %d (epoch at block %d): %w", k, st.Block, err)
		}
		results = append(results, r)
	}
	return results, nil
}

func (s *state) checkUID(u uint16) error {
	if int(u) >= s.n {
		return fmt.Errorf("%w: uid %d, n = %d", ErrFormat, u, s.n)
	}
	return nil
}

// apply runs a non-epoch step as vectors/README.md "Steps" describes.
func (s *state) apply(st Step) error {
	switch st.Op {
	case OpSetWeights, OpRegister, OpSetStake, OpResetBonds:
	default:
		return fmt.Errorf("%w: unknown op %q", ErrFormat, st.Op)
	}
	if err := s.checkUID(st.UID); err != nil {
		return err
	}
	u := int(st.UID)
	switch st.Op {
	case OpSetWeights:
		if len(st.UIDs) != len(st.Weights) {
			return fmt.Errorf("%w: %d uids, %d weights", ErrFormat, len(st.UIDs), len(st.Weights))
		}
		up := yuma.MaxUpscaleWeights(st.Weights)
		row := make(yuma.Row, len(up))
		for k, v := range up {
			if err := s.checkUID(st.UIDs[k]); err != nil {
				return err
			}
			row[k] = yuma.Entry{UID: st.UIDs[k], Value: v}
		}
		s.weights[u] = row
		s.lastUpdate[u] = st.Block
	case OpRegister:
		s.registeredAt[u] = st.Block
		s.lastUpdate[u] = st.Block
		s.stake[u] = st.Stake
		s.weights[u] = nil
		s.bonds[u] = nil
		s.permits[u] = false
		for i, row := range s.weights {
			for k := range row {
				if row[k].UID == st.UID {
					s.weights[i][k].Value = 0
				}
			}
		}
	case OpSetStake:
		s.stake[u] = st.Stake
	case OpResetBonds:
		for i, row := range s.bonds {
			s.bonds[i] = slices.DeleteFunc(slices.Clone(row), func(e yuma.Entry) bool { return e.UID == st.UID })
		}
	}
	return nil
}

// epoch runs the epoch on the current state, stores the new permits and bonds, and returns
// the outputs with bonds as the full n×n matrix.
func (s *state) epoch(p Params, st Step) (EpochResult, error) {
	in := yuma.Inputs{
		N:            s.n,
		Block:        st.Block,
		LastTempo:    st.LastTempo,
		Stake:        s.stake,
		RegisteredAt: s.registeredAt,
		LastUpdate:   s.lastUpdate,
		Permits:      s.permits,
		Weights:      s.weights,
		Bonds:        s.bonds,
		Params: yuma.Params{
			ActivityCutoff:        p.ActivityCutoff,
			Kappa:                 p.Kappa,
			BondsMovingAverage:    p.BondsMovingAverage,
			BondsPenalty:          p.BondsPenalty,
			MaxAllowedValidators:  p.MaxAllowedValidators,
			StakeThreshold:        p.StakeThreshold,
			Yuma3:                 p.Yuma3,
			LiquidAlpha:           p.LiquidAlpha,
			AlphaLow:              p.AlphaLow,
			AlphaHigh:             p.AlphaHigh,
			AlphaSigmoidSteepness: p.AlphaSigmoidSteepness,
		},
		Emission: st.Emission,
	}
	if p.OwnerUID != nil {
		in.HasOwner, in.OwnerUID = true, *p.OwnerUID
	}
	out, err := yuma.Epoch(in)
	if err != nil {
		return EpochResult{}, err
	}
	s.permits = slices.Clone(out.ValidatorPermit)
	s.bonds = out.Bonds
	bonds := make([][]uint16, s.n)
	for i, row := range out.Bonds {
		bonds[i] = make([]uint16, s.n)
		for _, e := range row {
			bonds[i][e.UID] = e.Value
		}
	}
	return EpochResult{
		Block:             st.Block,
		StakeWeight:       out.StakeWeight,
		Consensus:         out.Consensus,
		Incentive:         out.Incentive,
		Dividends:         out.Dividends,
		ValidatorTrust:    out.ValidatorTrust,
		Emission:          out.Emission,
		ValidatorPermit:   out.ValidatorPermit,
		Active:            out.Active,
		Bonds:             bonds,
		Rank:              out.Rank,
		Trust:             out.Trust,
		ServerEmission:    out.ServerEmission,
		ValidatorEmission: out.ValidatorEmission,
	}, nil
}
