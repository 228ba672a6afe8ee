package balances

const (
	// RAOPerTAO is the number of RAO in one TAO.
	RAOPerTAO uint64 = 1_000_000_000
	// ExistentialDeposit is the smallest balance an account may hold.
	ExistentialDeposit uint64 = 500
	// MaxSupply is the issuance cap: 21M TAO.
	MaxSupply uint64 = 21_000_000 * RAOPerTAO
)
