package synapse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gotensor/gotensor/keys"
)

// Epistula v2 headers (reference §2.8).
const (
	EpistulaVersion         = "2"
	HeaderEpistulaVersion   = "Epistula-Version"
	HeaderEpistulaTimestamp = "Epistula-Timestamp" // Unix milliseconds
	HeaderEpistulaUUID      = "Epistula-Uuid"
	HeaderEpistulaSignedBy  = "Epistula-Signed-By"
	HeaderEpistulaSignedFor = "Epistula-Signed-For"
	HeaderEpistulaSignature = "Epistula-Request-Signature"
)

// EpistulaMessage is the text an Epistula sender signs:
// "{sha256_hex(body)}.{uuid}.{timestamp_ms}.{signed_for}", signed_for empty when absent.
func EpistulaMessage(body []byte, uuid string, timestampMs int64, signedFor string) []byte {
	sum := sha256.Sum256(body)
	b := make([]byte, 0, 64+1+len(uuid)+1+13+1+len(signedFor))
	b = hex.AppendEncode(b, sum[:])
	b = append(b, '.')
	b = append(b, uuid...)
	b = append(b, '.')
	b = strconv.AppendInt(b, timestampMs, 10)
	b = append(b, '.')
	return append(b, signedFor...)
}

// IsEpistula reports whether h carries an Epistula-Version header.
func IsEpistula(h http.Header) bool { return h.Get(HeaderEpistulaVersion) != "" }

// EpistulaHeaders is what an Epistula request's headers say. The Epistula-Secret-Signature-*
// headers are not read: they prove nothing the request signature does not.
type EpistulaHeaders struct {
	Timestamp int64 // Unix milliseconds
	UUID      string
	SignedBy  keys.PublicKey
	SignedFor string // SS58 of the intended receiver, or empty
	Signature []byte
}

// ParseEpistula reads the Epistula headers of h. A missing or malformed header returns
// ErrBadHeader naming it.
func ParseEpistula(h http.Header) (EpistulaHeaders, error) {
	var e EpistulaHeaders
	get := func(name string) (string, error) {
		v := h.Values(name)
		switch len(v) {
		case 0:
			return "", fmt.Errorf("%w: %s is missing", ErrBadHeader, name)
		case 1:
			return strings.TrimSpace(v[0]), nil
		}
		return "", fmt.Errorf("%w: %s is repeated", ErrBadHeader, name)
	}
	v, err := get(HeaderEpistulaVersion)
	if err != nil {
		return e, err
	}
	if v != EpistulaVersion {
		return e, fmt.Errorf("%w: %s %q: only version %s is supported", ErrBadHeader, HeaderEpistulaVersion, v, EpistulaVersion)
	}
	if v, err = get(HeaderEpistulaTimestamp); err != nil {
		return e, err
	}
	if e.Timestamp, err = strconv.ParseInt(v, 10, 64); err != nil || e.Timestamp <= 0 {
		return e, fmt.Errorf("%w: %s %q is not Unix milliseconds", ErrBadHeader, HeaderEpistulaTimestamp, v)
	}
	if e.UUID, err = get(HeaderEpistulaUUID); err != nil {
		return e, err
	}
	if e.UUID == "" || len(e.UUID) > 64 {
		return e, fmt.Errorf("%w: %s must be 1 to 64 characters", ErrBadHeader, HeaderEpistulaUUID)
	}
	if v, err = get(HeaderEpistulaSignedBy); err != nil {
		return e, err
	}
	if e.SignedBy, err = keys.ParseSS58(v); err != nil {
		return e, fmt.Errorf("%w: %s: %v", ErrBadHeader, HeaderEpistulaSignedBy, err)
	}
	if len(h.Values(HeaderEpistulaSignedFor)) > 0 {
		if e.SignedFor, err = get(HeaderEpistulaSignedFor); err != nil {
			return e, err
		}
	}
	if v, err = get(HeaderEpistulaSignature); err != nil {
		return e, err
	}
	if e.Signature, err = keys.ParseSignature(v); err != nil {
		return e, fmt.Errorf("%w: %s: %v", ErrBadHeader, HeaderEpistulaSignature, err)
	}
	return e, nil
}

// Verify reports whether e's signature by SignedBy covers body.
func (e *EpistulaHeaders) Verify(body []byte) bool {
	return keys.Verify(e.SignedBy, EpistulaMessage(body, e.UUID, e.Timestamp, e.SignedFor), e.Signature)
}
