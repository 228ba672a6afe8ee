package keys

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestSubstrateBIP39Vectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/substrate_bip39_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Password string      `json:"password"`
		Vectors  [][3]string `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for _, v := range file.Vectors {
		phrase, entropyHex, seedHex := v[0], v[1], v[2]
		t.Run(strings.Join(strings.Fields(phrase)[:3], "_"), func(t *testing.T) {
			entropy, err := MnemonicToEntropy(phrase)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(entropy); got != entropyHex {
				t.Errorf("entropy = %s, want %s", got, entropyHex)
			}
			back, err := EntropyToMnemonic(entropy)
			if err != nil || back != phrase {
				t.Errorf("EntropyToMnemonic = %q, %v", back, err)
			}
			seed, err := SeedFromMnemonic(phrase, file.Password)
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(seed[:]); got != seedHex {
				t.Errorf("seed = %s, want %s", got, seedHex)
			}
			kp, err := FromMnemonic(phrase, file.Password)
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := kp.Seed(); !ok || hex.EncodeToString(s[:]) != seedHex[:64] {
				t.Errorf("mini secret = %x, want %s", s, seedHex[:64])
			}
		})
	}
}

func TestMnemonicRoundTrip(t *testing.T) {
	for _, n := range ValidWordCounts {
		phrase, err := NewMnemonic(n)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(strings.Fields(phrase)); got != n {
			t.Fatalf("NewMnemonic(%d) has %d words", n, got)
		}
		kp, err := FromMnemonic(phrase, "")
		if err != nil {
			t.Fatalf("NewMnemonic(%d) does not parse: %v", n, err)
		}
		if p, ok := kp.Mnemonic(); !ok || p != phrase {
			t.Errorf("Mnemonic() = %q, %v", p, ok)
		}
		// White space and case do not matter.
		messy := "  " + strings.ToUpper(strings.ReplaceAll(phrase, " ", " \t\n ")) + " "
		kp2, err := FromMnemonic(messy, "")
		if err != nil || kp2.Public() != kp.Public() {
			t.Errorf("messy phrase: %v", err)
		}
		if p, _ := kp2.Mnemonic(); p != phrase {
			t.Errorf("normalized phrase = %q", p)
		}
	}
}

func TestBadMnemonic(t *testing.T) {
	tests := []struct {
		name, phrase string
	}{
		{"empty", ""},
		{"11 words", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"},
		{"13 words", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about about"},
		{"unknown word", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abuot"},
		{"bad checksum", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon"},
		{"swapped words", "walk drive obey lake curtain smoke basket hold race lonely fit bottom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromMnemonic(tt.phrase, "")
			if !errors.Is(err, ErrBadMnemonic) {
				t.Fatalf("err = %v, want ErrBadMnemonic", err)
			}
			if strings.Contains(err.Error(), "abuot") {
				t.Error("error repeats a word of the phrase")
			}
		})
	}
	for _, n := range []int{0, 11, 13, 27, -3} {
		if _, err := NewMnemonic(n); !errors.Is(err, ErrBadMnemonic) {
			t.Errorf("NewMnemonic(%d): err = %v", n, err)
		}
	}
}
