package neurons

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/chain/subnets"
	"github.com/gotensor/gotensor/keys"
)

// Endpoint is the validated part of serve_axon and serve_prometheus.
type Endpoint struct {
	Netuid   uint16
	Version  uint32
	IP       []byte
	Port     uint32
	IPType   uint32
	Protocol uint32
}

// validIP applies §5: v4 must be below 255.255.255.255 and not 127.0.0.1;
// v6 not all-ones and not ::1; zero is allowed for axons only.
func validIP(ip []byte, ipType uint32, allowZero bool) error {
	switch {
	case ipType == 4 && len(ip) == 4, ipType == 6 && len(ip) == 16:
	default:
		return fmt.Errorf("%w: ip_type %d with a %d-byte address", ErrInvalidIpType, ipType, len(ip))
	}
	zero, ones := true, true
	for _, b := range ip {
		zero = zero && b == 0
		ones = ones && b == 0xff
	}
	loopback := (ipType == 4 && ip[0] == 127 && ip[1] == 0 && ip[2] == 0 && ip[3] == 1) ||
		(ipType == 6 && string(ip[:15]) == string(make([]byte, 15)) && ip[15] == 1)
	switch {
	case ones:
		return fmt.Errorf("%w: broadcast address", ErrInvalidIpAddress)
	case loopback:
		return fmt.Errorf("%w: loopback address", ErrInvalidIpAddress)
	case zero && !allowZero:
		return fmt.Errorf("%w: 0 address", ErrInvalidIpAddress)
	}
	return nil
}

func checkServe(r store.Reader, hotkey keys.PublicKey, ep Endpoint, prevBlock, now uint64, axon bool) error {
	if axon {
		if _, err := subnets.Require(r, ep.Netuid); err != nil {
			return err
		}
		if _, ok := UID(r, ep.Netuid, hotkey); !ok {
			return fmt.Errorf("%w: %s on subnet %d", ErrHotKeyNotRegisteredInNetwork, hotkey.SS58(), ep.Netuid)
		}
	}
	if err := validIP(ep.IP, ep.IPType, axon); err != nil {
		return err
	}
	if !axon {
		if _, err := subnets.Require(r, ep.Netuid); err != nil {
			return err
		}
		if _, ok := UID(r, ep.Netuid, hotkey); !ok {
			return fmt.Errorf("%w: %s on subnet %d", ErrHotKeyNotRegisteredInNetwork, hotkey.SS58(), ep.Netuid)
		}
	}
	limit := subnets.Hyper(r, ep.Netuid).ServingRateLimit
	if limit > 0 && prevBlock > 0 && now-min(now, prevBlock) < limit {
		return fmt.Errorf("%w: next allowed at block %d", ErrServingRateLimitExceeded, prevBlock+limit)
	}
	if ep.Port == 0 || ep.Port > 65535 {
		return fmt.Errorf("%w: %d", ErrInvalidPort, ep.Port)
	}
	if ep.Protocol > 255 {
		return fmt.Errorf("%w: protocol %d", ErrInvalidVersion, ep.Protocol)
	}
	return nil
}

// ValidateServeAxon runs serve_axon's checks for the signing hotkey.
func ValidateServeAxon(r store.Reader, hotkey keys.PublicKey, ep Endpoint, now uint64) error {
	prev, _ := Axon(r, ep.Netuid, hotkey)
	return checkServe(r, hotkey, ep, prev.Block, now, true)
}

// ServeAxon implements serve_axon (signed by the hotkey, free).
func ServeAxon(e *env.Env, kv store.KV, ep Endpoint) error {
	now := uint64(e.Block.Height)
	if err := ValidateServeAxon(kv, e.Signer, ep, now); err != nil {
		return err
	}
	a := AxonInfo{Block: now, Version: ep.Version, IP: append([]byte(nil), ep.IP...), Port: uint16(ep.Port), IPType: uint8(ep.IPType), Protocol: uint8(ep.Protocol)}
	store.SetJSON(kv, axonKey(ep.Netuid, e.Signer), a)
	e.Events.Emit(EventAxonServed, env.U64("netuid", uint64(ep.Netuid)), env.Account("hotkey", e.Signer), env.Str("endpoint", FormatEndpoint(a.IP, a.Port)))
	return nil
}

// ValidatePrometheus runs serve_prometheus's checks.
func ValidatePrometheus(r store.Reader, hotkey keys.PublicKey, ep Endpoint, now uint64) error {
	prev, _ := Prometheus(r, ep.Netuid, hotkey)
	return checkServe(r, hotkey, ep, prev.Block, now, false)
}

// ServePrometheus implements serve_prometheus (signed by the hotkey, free).
func ServePrometheus(e *env.Env, kv store.KV, ep Endpoint) error {
	now := uint64(e.Block.Height)
	if err := ValidatePrometheus(kv, e.Signer, ep, now); err != nil {
		return err
	}
	p := PrometheusInfo{Block: now, Version: ep.Version, IP: append([]byte(nil), ep.IP...), Port: uint16(ep.Port), IPType: uint8(ep.IPType)}
	store.SetJSON(kv, promKey(ep.Netuid, e.Signer), p)
	e.Events.Emit(EventPrometheusServed, env.U64("netuid", uint64(ep.Netuid)), env.Account("hotkey", e.Signer), env.Str("endpoint", FormatEndpoint(p.IP, p.Port)))
	return nil
}

// ValidateCommitment runs set_commitment's checks.
func ValidateCommitment(r store.Reader, hotkey keys.PublicKey, netuid uint16, data []byte, now uint64) error {
	if _, err := subnets.Require(r, netuid); err != nil {
		return err
	}
	if _, ok := UID(r, netuid, hotkey); !ok {
		return fmt.Errorf("%w: %s on subnet %d", ErrHotKeyNotRegisteredInNetwork, hotkey.SS58(), netuid)
	}
	if len(data) > MaxCommitment {
		return fmt.Errorf("%w: %d bytes", ErrCommitmentTooLarge, len(data))
	}
	if prev, ok := GetCommitment(r, netuid, hotkey); ok {
		limit := subnets.GetParams(r).CommitmentRateLimit
		if limit > 0 && now-min(now, prev.Block) < limit {
			return fmt.Errorf("%w: next allowed at block %d", ErrCommitmentRateLimited, prev.Block+limit)
		}
	}
	return nil
}

// SetCommitment implements set_commitment (signed by the hotkey).
func SetCommitment(e *env.Env, kv store.KV, netuid uint16, data []byte) error {
	now := uint64(e.Block.Height)
	if err := ValidateCommitment(kv, e.Signer, netuid, data, now); err != nil {
		return err
	}
	store.SetJSON(kv, commitmentKey(netuid, e.Signer), Commitment{Block: now, Data: append([]byte(nil), data...)})
	e.Events.Emit(EventCommitmentSet, env.U64("netuid", uint64(netuid)), env.Account("hotkey", e.Signer), env.U64("bytes", uint64(len(data))))
	return nil
}

// FormatEndpoint renders an address and port for people ("1.2.3.4:8091",
// "[2001:db8::1]:8091").
func FormatEndpoint(ip []byte, port uint16) string {
	switch len(ip) {
	case 4:
		return fmt.Sprintf("%d.%d.%d.%d:%d", ip[0], ip[1], ip[2], ip[3], port)
	case 16:
		s := ""
		for i := 0; i < 16; i += 2 {
			if i > 0 {
				s += ":"
			}
			s += fmt.Sprintf("%x", uint16(ip[i])<<8|uint16(ip[i+1]))
		}
		return fmt.Sprintf("[%s]:%d", s, port)
	}
	return ""
}
