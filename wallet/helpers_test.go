package wallet

import (
	"testing"

	"github.com/gotensor/gotensor/keys"
)

// cheapKDF makes $NACL use a small Argon2i cost for the rest of the test, for tests of
// logic rather than of the file format.
func cheapKDF(t *testing.T) {
	t.Helper()
	old := naclCost
	naclCost.ops, naclCost.memKiB = 1, 64
	t.Cleanup(func() { naclCost = old })
}

func alice(t *testing.T) *keys.Keypair {
	t.Helper()
	kp, err := keys.FromURI("//Alice")
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func newWallet(t *testing.T) *Wallet {
	t.Helper()
	w, err := New(Config{Path: t.TempDir(), Name: "w1", Hotkey: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func verify(pub keys.PublicKey, msg, sig []byte) bool { return keys.Verify(pub, msg, sig) }
