package keys

import "fmt"

// The Bitcoin base58 alphabet, which SS58 uses.
const b58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

var b58Index = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(b58Alphabet); i++ {
		t[b58Alphabet[i]] = int8(i)
	}
	return t
}()

// base58Encode encodes b; each leading zero byte becomes a '1'. It divides the number by
// 58⁵ at a time on 32-bit limbs: an axon or dendrite encodes addresses on every request, and
// digit-by-digit division of a 35-byte payload took most of the few microseconds it cost.
func base58Encode(b []byte) string {
	zeros := 0
	for zeros < len(b) && b[zeros] == 0 {
		zeros++
	}
	// The number as big-endian 32-bit limbs (the first one partial).
	rest := b[zeros:]
	limbs := make([]uint32, 0, (len(rest)+3)/4)
	if n := len(rest) % 4; n > 0 {
		var v uint32
		for _, c := range rest[:n] {
			v = v<<8 | uint32(c)
		}
		limbs = append(limbs, v)
		rest = rest[n:]
	}
	for ; len(rest) > 0; rest = rest[4:] {
		limbs = append(limbs, uint32(rest[0])<<24|uint32(rest[1])<<16|uint32(rest[2])<<8|uint32(rest[3]))
	}
	const chunk = 58 * 58 * 58 * 58 * 58 // 58⁵ < 2³²
	// log(256)/log(58) < 1.37, plus a chunk's worth of slack.
	digits := make([]byte, 0, len(b)*137/100+6) // least significant first
	for len(limbs) > 0 {
		var r uint64
		for i, l := range limbs {
			cur := r<<32 | uint64(l)
			limbs[i] = uint32(cur / chunk)
			r = cur % chunk
		}
		for len(limbs) > 0 && limbs[0] == 0 {
			limbs = limbs[1:]
		}
		for range 5 {
			digits = append(digits, byte(r%58))
			r /= 58
		}
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 { // the last chunk's leading zeros
		digits = digits[:len(digits)-1]
	}
	out := make([]byte, zeros+len(digits))
	for i := 0; i < zeros; i++ {
		out[i] = '1'
	}
	for i, d := range digits {
		out[len(out)-1-i] = b58Alphabet[d]
	}
	return string(out)
}

// base58Decode is the inverse of base58Encode.
func base58Decode(s string) ([]byte, error) {
	zeros := 0
	for zeros < len(s) && s[zeros] == '1' {
		zeros++
	}
	bytes := make([]byte, 0, len(s))
	for i := zeros; i < len(s); i++ {
		v := b58Index[s[i]]
		if v < 0 {
			return nil, fmt.Errorf("character %q at position %d is not base58", s[i], i+1)
		}
		carry := int(v)
		for j := range bytes {
			carry += int(bytes[j]) * 58
			bytes[j] = byte(carry)
			carry >>= 8
		}
		for carry > 0 {
			bytes = append(bytes, byte(carry))
			carry >>= 8
		}
	}
	out := make([]byte, zeros+len(bytes))
	for i, b := range bytes {
		out[len(out)-1-i] = b
	}
	return out, nil
}
