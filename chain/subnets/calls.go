package subnets

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// Events.
const (
	EventNetworkAdded      = "subnets.NetworkAdded"
	EventNetworkRemoved    = "subnets.NetworkRemoved"
	EventStartCalled       = "subnets.StartCalled"
	EventIdentitySet       = "subnets.SubnetIdentitySet"
	EventColdkeyIdentity   = "subnets.ChainIdentitySet"
	EventHyperparameterSet = "subnets.HyperparameterSet"
	EventParameterSet      = "subnets.ParameterSet"
)

func netuidAttr(n uint16) env.Attr { return env.U64("netuid", uint64(n)) }

// RequireOwner returns the subnet when signer owns it.
func RequireOwner(r store.Reader, netuid uint16, signer keys.PublicKey) (Subnet, error) {
	if netuid == RootNetuid {
		return Subnet{}, ErrNotPermittedOnRoot
	}
	s, err := Require(r, netuid)
	if err != nil {
		return Subnet{}, err
	}
	if s.Owner != signer {
		return Subnet{}, fmt.Errorf("%w: subnet %d is owned by %s", ErrNotOwner, netuid, s.Owner.SS58())
	}
	return s, nil
}

// ValidateStartCall runs start_call's checks.
func ValidateStartCall(r store.Reader, signer keys.PublicKey, netuid uint16, now uint64) error {
	s, err := RequireOwner(r, netuid, signer)
	if err != nil {
		return err
	}
	if s.FirstEmissionBlock != 0 {
		return fmt.Errorf("%w: started at block %d", ErrFirstEmissionAlreadySet, s.FirstEmissionBlock-1)
	}
	if delay := GetParams(r).StartCallDelay; now < s.RegisteredAt+delay {
		return fmt.Errorf("%w: allowed from block %d", ErrStartCallTooEarly, s.RegisteredAt+delay)
	}
	return nil
}

// StartCall implements start_call: emission starts next block and staking
// is enabled. Ours: it also enables the subnet's TAO emission.
func StartCall(e *env.Env, kv store.KV, netuid uint16) error {
	now := uint64(e.Block.Height)
	if err := ValidateStartCall(kv, e.Signer, netuid, now); err != nil {
		return err
	}
	s, _ := Get(kv, netuid)
	s.FirstEmissionBlock = now + 1
	s.SubtokenEnabled = true
	s.EmissionEnabled = true
	put(kv, s)
	e.Events.Emit(EventStartCalled, netuidAttr(netuid), env.U64("first_emission_block", now+1))
	return nil
}

// SetSubnetIdentity implements set_subnet_identity (owner only).
func SetSubnetIdentity(e *env.Env, kv store.KV, netuid uint16, id SubnetIdentity) error {
	if _, err := RequireOwner(kv, netuid, e.Signer); err != nil {
		return err
	}
	if err := id.Validate(); err != nil {
		return err
	}
	store.SetJSON(kv, netuidKey(colIdentity, netuid), id)
	e.Events.Emit(EventIdentitySet, netuidAttr(netuid), env.Str("subnet_name", id.SubnetName))
	return nil
}

// PutIdentity stores a validated subnet identity (register_network).
func PutIdentity(kv store.KV, netuid uint16, id SubnetIdentity) {
	store.SetJSON(kv, netuidKey(colIdentity, netuid), id)
}

// SetIdentity implements set_identity for the signing coldkey.
func SetIdentity(e *env.Env, kv store.KV, id ChainIdentity) error {
	if err := id.Validate(); err != nil {
		return err
	}
	store.SetJSON(kv, coldIdentKey(e.Signer), id)
	e.Events.Emit(EventColdkeyIdentity, env.Account("coldkey", e.Signer), env.Str("name", id.Name))
	return nil
}

// WeightsVersionKeyRateLimit is how many tempos apart the owner may change
// weights_version_key (§15: 5 tempos; other hyperparameters use
// owner_hparam_rate_limit).
const WeightsVersionKeyRateLimit = 5

// HyperChange is a validated set_hyperparameter.
type HyperChange struct {
	Netuid uint16
	Name   string
	Value  uint64
	// CurrentUIDs is the subnet's neuron count (max_allowed_uids may not
	// go below it); the caller reads it from package neurons.
	CurrentUIDs uint64
	// Sudo says the signer is the sudo key.
	Sudo bool
	// Frozen says the subnet is in its admin freeze window (§10): the owner's
	// change is refused, sudo's is not. FrozenUntil is the epoch block that
	// ends it. The caller reads both from package epoch (epoch.FreezeWindow).
	Frozen      bool
	FrozenUntil uint64
}

// ValidateHyperparameter checks origin, bounds, rate limit and
// cross-field rules without writing.
func ValidateHyperparameter(r store.Reader, signer keys.PublicKey, c HyperChange, now uint64) (Hyperparams, error) {
	d, ok := findHyper(c.Name)
	if !ok {
		return Hyperparams{}, fmt.Errorf("%w: %q", ErrUnknownParameter, c.Name)
	}
	if c.Netuid == RootNetuid && !c.Sudo {
		return Hyperparams{}, ErrNotPermittedOnRoot
	}
	if _, err := Require(r, c.Netuid); err != nil {
		return Hyperparams{}, err
	}
	if !c.Sudo {
		if _, err := RequireOwner(r, c.Netuid, signer); err != nil {
			return Hyperparams{}, err
		}
		if !d.owner {
			return Hyperparams{}, fmt.Errorf("%w: %s is set by sudo only", ErrSudoOnly, c.Name)
		}
		if c.Frozen {
			return Hyperparams{}, fmt.Errorf("%w: subnet %d's epoch runs at block %d; change %s from block %d", ErrAdminFreezeWindow, c.Netuid, c.FrozenUntil, c.Name, c.FrozenUntil)
		}
		h := Hyper(r, c.Netuid)
		limit := GetParams(r).OwnerHparamRateLimit * h.Tempo
		if c.Name == "weights_version_key" {
			limit = WeightsVersionKeyRateLimit * h.Tempo
		}
		if last := ownerSetAt(r, c.Netuid, c.Name); last > 0 && limit > 0 && now-min(now, last) < limit {
			return Hyperparams{}, fmt.Errorf("%w: %s next allowed at block %d", ErrOwnerRateLimited, c.Name, last+limit)
		}
	}
	if c.Value < d.min || c.Value > d.max {
		return Hyperparams{}, fmt.Errorf("%w: %s = %d, allowed %d..%d", ErrValueNotInBounds, c.Name, c.Value, d.min, d.max)
	}
	h := Hyper(r, c.Netuid)
	*d.field(&h) = c.Value
	if c.Name == "max_allowed_uids" && c.Value < c.CurrentUIDs {
		return Hyperparams{}, fmt.Errorf("%w: %d uids registered, asked for %d", ErrMaxUidsLessThanCurrent, c.CurrentUIDs, c.Value)
	}
	// Admin §14: max_allowed_uids ≥ min_allowed_uids, checked whichever of
	// the two changes; alpha values only while liquid alpha is on.
	if (c.Name == "max_allowed_uids" || c.Name == "min_allowed_uids") && h.MaxAllowedUids < h.MinAllowedUids {
		return Hyperparams{}, fmt.Errorf("%w: max_allowed_uids %d, min_allowed_uids %d", ErrMaxUidsLessThanMinUids, h.MaxAllowedUids, h.MinAllowedUids)
	}
	if (c.Name == "alpha_low" || c.Name == "alpha_high") && h.LiquidAlphaOn == 0 {
		return Hyperparams{}, fmt.Errorf("%w: subnet %d has liquid_alpha_enabled false", ErrLiquidAlphaDisabled, c.Netuid)
	}
	if err := h.Validate(); err != nil {
		return Hyperparams{}, err
	}
	return h, nil
}

// SetHyperparameter implements the admin-utils setters (owner or sudo).
func SetHyperparameter(e *env.Env, kv store.KV, c HyperChange) error {
	now := uint64(e.Block.Height)
	h, err := ValidateHyperparameter(kv, e.Signer, c, now)
	if err != nil {
		return err
	}
	SetHyper(kv, c.Netuid, h)
	if !c.Sudo {
		kv.Set(ownerSetKey(c.Netuid, c.Name), u64(now))
	}
	if c.Name == "min_burn" || c.Name == "max_burn" {
		b := Burn(kv, c.Netuid)
		b.Burn = clampBurn(b.Burn, h)
		SetBurn(kv, c.Netuid, b)
	}
	e.Events.Emit(EventHyperparameterSet, netuidAttr(c.Netuid), env.Str("name", c.Name), env.U64("value", c.Value))
	return nil
}

// ValidateParameter checks sudo_set_parameter's name and bounds.
func ValidateParameter(r store.Reader, name string, value uint64) (Params, error) {
	for _, d := range paramTable {
		if d.name != name {
			continue
		}
		if value < d.min || value > d.max {
			return Params{}, fmt.Errorf("%w: %s = %d, allowed %d..%d", ErrValueNotInBounds, name, value, d.min, d.max)
		}
		p := GetParams(r)
		*d.field(&p) = value
		return p, nil
	}
	return Params{}, fmt.Errorf("%w: %q (known: %v)", ErrUnknownParameter, name, ParameterNames())
}

// SudoSetParameter implements sudo_set_parameter; the caller checked sudo.
func SudoSetParameter(e *env.Env, kv store.KV, name string, value uint64) error {
	p, err := ValidateParameter(kv, name, value)
	if err != nil {
		return err
	}
	SetParams(kv, p)
	e.Events.Emit(EventParameterSet, env.Str("name", name), env.U64("value", value))
	return nil
}
