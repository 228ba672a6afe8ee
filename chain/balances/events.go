package balances

// Event types and attribute keys.
const (
	EventTransfer   = "balances.Transfer"
	EventEndowed    = "balances.Endowed"
	EventDustLost   = "balances.DustLost"
	EventBalanceSet = "balances.BalanceSet"
	EventWithdraw   = "balances.Withdraw"
	EventDeposit    = "balances.Deposit"

	AttrFrom    = "from"
	AttrTo      = "to"
	AttrAccount = "account"
	AttrAmount  = "amount"
	AttrFree    = "free"
	AttrReason  = "reason"
)
