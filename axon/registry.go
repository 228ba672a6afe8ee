package axon

import "github.com/gotensor/gotensor/keys"

// CallerInfo is what the axon knows about a registered caller.
type CallerInfo struct {
	UID             uint16
	Stake           uint64 // RAO (1 TAO = 10⁹ RAO)
	ValidatorPermit bool
}

// Registry tells the axon who may call it: the hotkeys registered on its subnet, with their
// stake and validator permit. The metagraph implements it; Caller is called on every request
// before any other work, so it must be fast and safe for concurrent use.
type Registry interface {
	// Caller returns the caller's info, or false when hotkey is not registered.
	Caller(hotkey keys.PublicKey) (CallerInfo, bool)
}

// StaticRegistry is a fixed Registry, for tests, examples and private deployments.
type StaticRegistry map[keys.PublicKey]CallerInfo

// Caller implements Registry.
func (r StaticRegistry) Caller(hotkey keys.PublicKey) (CallerInfo, bool) {
	c, ok := r[hotkey]
	return c, ok
}
