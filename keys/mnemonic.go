package keys

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"strings"

	"github.com/cosmos/go-bip39"
)

// ErrBadMnemonic is returned for a phrase that is not a valid BIP39 English mnemonic: wrong
// word count, a word not in the list, or a bad checksum.
var ErrBadMnemonic = errors.New("keys: invalid mnemonic")

// wordIndex maps each BIP39 English word to its 11-bit value. The list is BIP39's (the
// go-bip39 module already in our graph checks it against the published CRC on init).
var wordIndex = func() map[string]int {
	m := make(map[string]int, len(bip39.EnglishWordList))
	for i, w := range bip39.EnglishWordList {
		m[w] = i
	}
	return m
}()

// ValidWordCounts are the mnemonic lengths btcli offers (reference §1.3).
var ValidWordCounts = []int{12, 15, 18, 21, 24}

// NewMnemonic returns a fresh English BIP39 mnemonic of 12, 15, 18, 21 or 24 words from
// crypto/rand.
func NewMnemonic(words int) (string, error) {
	if words%3 != 0 || words < 12 || words > 24 {
		return "", fmt.Errorf("%w: %d words; use 12, 15, 18, 21 or 24", ErrBadMnemonic, words)
	}
	entropy := make([]byte, words*4/3)
	if _, err := rand.Read(entropy); err != nil {
		return "", fmt.Errorf("keys: reading random entropy: %w", err)
	}
	return EntropyToMnemonic(entropy)
}

// EntropyToMnemonic encodes 16, 20, 24, 28 or 32 bytes of entropy as BIP39 English words.
func EntropyToMnemonic(entropy []byte) (string, error) {
	n := len(entropy)
	if n < 16 || n > 32 || n%4 != 0 {
		return "", fmt.Errorf("%w: %d bytes of entropy; use 16 to 32 in steps of 4", ErrBadMnemonic, n)
	}
	sum := sha256.Sum256(entropy)
	// The bit string is entropy ‖ first n/4 bits of SHA-256(entropy); each 11 bits is a word.
	bits := append(append([]byte{}, entropy...), sum[0]) // n/4 ≤ 8 bits of checksum
	bit := func(i int) int { return int(bits[i/8]>>(7-i%8)) & 1 }
	nWords := (n*8 + n/4) / 11
	words := make([]string, nWords)
	for w := range nWords {
		idx := 0
		for i := range 11 {
			idx = idx<<1 | bit(w*11+i)
		}
		words[w] = bip39.EnglishWordList[idx]
	}
	return strings.Join(words, " "), nil
}

// MnemonicToEntropy checks a phrase (words separated by any white space, any case) and
// returns its entropy. This entropy, not the BIP39 seed, is what substrate derives keys from.
func MnemonicToEntropy(phrase string) ([]byte, error) {
	words := strings.Fields(strings.ToLower(phrase))
	n := len(words)
	if n%3 != 0 || n < 12 || n > 24 {
		return nil, fmt.Errorf("%w: %d words; a mnemonic has 12, 15, 18, 21 or 24", ErrBadMnemonic, n)
	}
	totalBits := n * 11
	csBits := totalBits / 33
	bits := make([]byte, (totalBits+7)/8)
	for w, word := range words {
		idx, ok := wordIndex[word]
		if !ok {
			return nil, fmt.Errorf("%w: word %d is not in the BIP39 English list; check its spelling", ErrBadMnemonic, w+1)
		}
		for i := range 11 {
			if idx>>(10-i)&1 == 1 {
				pos := w*11 + i
				bits[pos/8] |= 1 << (7 - pos%8)
			}
		}
	}
	entropy := bits[:(totalBits-csBits)/8]
	sum := sha256.Sum256(entropy)
	got := int(bits[len(entropy)]) >> (8 - csBits)
	want := int(sum[0]) >> (8 - csBits)
	if got != want {
		return nil, fmt.Errorf("%w: checksum does not match; a word is wrong or the words are out of order", ErrBadMnemonic)
	}
	return append([]byte(nil), entropy...), nil
}

// NormalizeMnemonic returns the phrase lower-cased with single spaces, as it is stored in a
// keyfile's secretPhrase, after checking it.
func NormalizeMnemonic(phrase string) (string, error) {
	if _, err := MnemonicToEntropy(phrase); err != nil {
		return "", err
	}
	return strings.Join(strings.Fields(strings.ToLower(phrase)), " "), nil
}

// SeedFromMnemonic returns substrate-bip39's 64-byte seed: PBKDF2-HMAC-SHA512 over the
// mnemonic's entropy with salt "mnemonic"+password, 2048 rounds (reference §1.3). Its first
// 32 bytes are the mini secret key. This is not the BIP39 seed of the phrase.
func SeedFromMnemonic(phrase, password string) ([64]byte, error) {
	var out [64]byte
	entropy, err := MnemonicToEntropy(phrase)
	if err != nil {
		return out, err
	}
	k, err := pbkdf2.Key(sha512.New, string(entropy), []byte("mnemonic"+password), 2048, 64)
	if err != nil {
		return out, fmt.Errorf("keys: pbkdf2: %w", err)
	}
	copy(out[:], k)
	return out, nil
}
