package balances

import (
	"fmt"

	"github.com/gotensor/gotensor/chain/env"
	"github.com/gotensor/gotensor/chain/store"
	"github.com/gotensor/gotensor/keys"
)

// ParseAccount parses an SS58 (prefix 42) or 0x-hex public key.
func ParseAccount(s string) (keys.PublicKey, error) {
	pk, err := keys.ParsePublicKeyOrSS58(s)
	if err != nil {
		return keys.PublicKey{}, fmt.Errorf("%w: %q: %v", ErrInvalidDestination, s, err)
	}
	return pk, nil
}

// transferPlan is a validated transfer.
type transferPlan struct {
	from, to        keys.PublicKey
	value           uint64
	fromAfter, dust uint64
	toAfter         uint64
	endowed         bool
}

func planTransfer(r store.Reader, from keys.PublicKey, dest string, value uint64, keepAlive bool) (transferPlan, error) {
	to, err := ParseAccount(dest)
	if err != nil {
		return transferPlan{}, err
	}
	if to == from {
		return transferPlan{}, fmt.Errorf("%w: %s", ErrTransferToSelf, to.SS58())
	}
	if value == 0 {
		return transferPlan{}, ErrZeroAmount
	}
	free := Free(r, from)
	if value > free {
		return transferPlan{}, fmt.Errorf("%w: free %s, transfer %s", ErrInsufficientBalance, FormatTAO(free), FormatTAO(value))
	}
	p := transferPlan{from: from, to: to, value: value, fromAfter: free - value}
	if p.fromAfter < ExistentialDeposit && p.fromAfter > 0 {
		if keepAlive {
			return transferPlan{}, fmt.Errorf("%w: %s would remain", ErrExpendability, FormatTAO(p.fromAfter))
		}
		p.dust, p.fromAfter = p.fromAfter, 0
	}
	if keepAlive && p.fromAfter == 0 {
		return transferPlan{}, fmt.Errorf("%w: nothing would remain", ErrExpendability)
	}
	toFree := Free(r, to)
	if toFree > MaxSupply || value > MaxSupply-toFree {
		return transferPlan{}, fmt.Errorf("%w: destination holds %d RAO", ErrOverflow, toFree)
	}
	p.toAfter = toFree + value
	if toFree == 0 {
		if value < ExistentialDeposit {
			return transferPlan{}, fmt.Errorf("%w: %d RAO to a new account %s", ErrExistentialDeposit, value, to.SS58())
		}
		p.endowed = true
	}
	return p, nil
}

func (p transferPlan) apply(e *env.Env, kv store.KV) {
	setFree(kv, p.from, p.fromAfter)
	setFree(kv, p.to, p.toAfter)
	if p.endowed {
		e.Events.Emit(EventEndowed, env.Account(AttrAccount, p.to), env.U64(AttrFree, p.value))
	}
	e.Events.Emit(EventTransfer, env.Account(AttrFrom, p.from), env.Account(AttrTo, p.to), env.U64(AttrAmount, p.value))
	if p.dust > 0 {
		setIssuance(kv, TotalIssuance(kv)-p.dust)
		e.Events.Emit(EventDustLost, env.Account(AttrAccount, p.from), env.U64(AttrAmount, p.dust))
	}
}

// ValidateTransfer runs every check of transfer without writing.
func ValidateTransfer(r store.Reader, from keys.PublicKey, dest string, value uint64, keepAlive bool) error {
	_, err := planTransfer(r, from, dest, value, keepAlive)
	return err
}

// Transfer implements transfer (keepAlive false) and transfer_keep_alive.
func Transfer(e *env.Env, kv store.KV, dest string, value uint64, keepAlive bool) error {
	p, err := planTransfer(kv, e.Signer, dest, value, keepAlive)
	if err != nil {
		return err
	}
	p.apply(e, kv)
	return nil
}

func transferAllValue(r store.Reader, from keys.PublicKey, keepAlive bool) uint64 {
	free := Free(r, from)
	if keepAlive {
		if free <= ExistentialDeposit {
			return 0
		}
		return free - ExistentialDeposit
	}
	return free
}

// ValidateTransferAll runs every check of transfer_all without writing.
func ValidateTransferAll(r store.Reader, from keys.PublicKey, dest string, keepAlive bool) error {
	return ValidateTransfer(r, from, dest, transferAllValue(r, from, keepAlive), keepAlive)
}

// TransferAll implements transfer_all.
func TransferAll(e *env.Env, kv store.KV, dest string, keepAlive bool) error {
	return Transfer(e, kv, dest, transferAllValue(kv, e.Signer, keepAlive), keepAlive)
}

// ValidateSetBalance checks sudo_set_balance's arguments.
func ValidateSetBalance(r store.Reader, who string, free uint64) error {
	pk, err := ParseAccount(who)
	if err != nil {
		return err
	}
	if free != 0 && free < ExistentialDeposit {
		return fmt.Errorf("%w: %d RAO", ErrExistentialDeposit, free)
	}
	old := Free(r, pk)
	issuance := TotalIssuance(r) - old
	if free > MaxSupply-issuance {
		return fmt.Errorf("%w: issuance would be %d RAO", ErrIssuanceCapExceeded, issuance+free)
	}
	return nil
}

// SudoSetBalance implements sudo_set_balance; the caller checked the origin.
func SudoSetBalance(e *env.Env, kv store.KV, who string, free uint64) error {
	if err := ValidateSetBalance(kv, who, free); err != nil {
		return err
	}
	pk, _ := ParseAccount(who)
	old := Free(kv, pk)
	setFree(kv, pk, free)
	setIssuance(kv, TotalIssuance(kv)-old+free)
	e.Events.Emit(EventBalanceSet, env.Account(AttrAccount, pk), env.U64(AttrFree, free))
	return nil
}

// Withdraw takes amount from who (fees, stake, burns). It may take the
// balance to zero; it never leaves dust checks to the caller.
func Withdraw(e *env.Env, kv store.KV, who keys.PublicKey, amount uint64, reason string) error {
	free := Free(kv, who)
	if amount > free {
		return fmt.Errorf("%w: free %s, needed %s for %s", ErrInsufficientBalance, FormatTAO(free), FormatTAO(amount), reason)
	}
	if amount == 0 {
		return nil
	}
	setFree(kv, who, free-amount)
	e.Events.Emit(EventWithdraw, env.Account(AttrAccount, who), env.U64(AttrAmount, amount), env.Str(AttrReason, reason))
	return nil
}

// Deposit credits amount to who; the RAO must already be in issuance
// (taken from somewhere by Withdraw).
func Deposit(e *env.Env, kv store.KV, who keys.PublicKey, amount uint64, reason string) error {
	if amount == 0 {
		return nil
	}
	free := Free(kv, who)
	if amount > MaxSupply-min(free, MaxSupply) {
		return fmt.Errorf("%w: deposit %d RAO onto %d", ErrOverflow, amount, free)
	}
	setFree(kv, who, free+amount)
	e.Events.Emit(EventDeposit, env.Account(AttrAccount, who), env.U64(AttrAmount, amount), env.Str(AttrReason, reason))
	return nil
}

// Recycle removes amount from total issuance (RAO already withdrawn).
func Recycle(kv store.KV, amount uint64) {
	setIssuance(kv, TotalIssuance(kv)-min(amount, TotalIssuance(kv)))
}

// Mint creates amount RAO on who's balance, up to the supply cap.
func Mint(e *env.Env, kv store.KV, who keys.PublicKey, amount uint64, reason string) error {
	iss := TotalIssuance(kv)
	if amount > MaxSupply-min(iss, MaxSupply) {
		return fmt.Errorf("%w: minting %d RAO onto issuance %d", ErrIssuanceCapExceeded, amount, iss)
	}
	if err := Deposit(e, kv, who, amount, reason); err != nil {
		return err
	}
	setIssuance(kv, iss+amount)
	return nil
}

// FormatTAO renders RAO as TAO with 9 decimals, e.g. "1.500000000 TAO".
func FormatTAO(rao uint64) string {
	return fmt.Sprintf("%d.%09d TAO", rao/RAOPerTAO, rao%RAOPerTAO)
}

// AddIssuance records amount RAO minted outside any account (emission
// that goes straight into subnet pools), up to the supply cap.
func AddIssuance(kv store.KV, amount uint64) error {
	iss := TotalIssuance(kv)
	if amount > MaxSupply-min(iss, MaxSupply) {
		return fmt.Errorf("%w: minting %d RAO onto issuance %d", ErrIssuanceCapExceeded, amount, iss)
	}
	setIssuance(kv, iss+amount)
	return nil
}
