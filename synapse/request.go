package synapse

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gotensor/gotensor/keys"
)

// Version is the SDK version this package speaks, as Bittensor's version_as_int (reference
// §7): 10.2.0. Python axons apply their time-window nonce rule to callers at 7.2.0 or later.
const Version = 10_002_000

// VersionAsInt returns major·1,000,000 + minor·1,000 + patch, Bittensor's version_as_int.
func VersionAsInt(major, minor, patch int) int { return major*1_000_000 + minor*1_000 + patch }

// DefaultTimeout is Bittensor's default call timeout (reference §0).
const DefaultTimeout = 12 * time.Second

// Scheme is a way to sign requests. Bittensor is the default; Epistula is the signed-header
// scheme several subnets use (reference §2.8).
type Scheme uint8

const (
	// Bittensor: bt_header_* headers, signature over
	// "{nonce}.{dendrite_hotkey}.{axon_hotkey}.{uuid}.{body_hash}" (reference §2.2–2.4).
	Bittensor Scheme = 1 << iota
	// Epistula: Epistula-* headers, signature over "{sha256(body)}.{uuid}.{timestamp}.{signed_for}".
	Epistula
)

func (s Scheme) String() string {
	switch s {
	case Bittensor:
		return "bittensor"
	case Epistula:
		return "epistula"
	case Bittensor | Epistula:
		return "bittensor|epistula"
	}
	return "scheme(" + strconv.Itoa(int(s)) + ")"
}

// RequestOptions are the per-request facts PrepareRequest needs. The zero value is valid.
type RequestOptions struct {
	// Scheme signs the request; zero means Bittensor.
	Scheme Scheme
	// Timeout is the call's timeout, sent in the timeout header; zero means DefaultTimeout.
	Timeout time.Duration
	// Nonce is the request's Unix-nanosecond nonce; zero means now. Epistula sends it in
	// milliseconds.
	Nonce int64
	// UUID identifies the dendrite (Bittensor) or the request (Epistula); empty means a new
	// random UUID.
	UUID string
	// ExternalIP is reported as the dendrite's IP; empty leaves it out (the axon sees the
	// peer address anyway).
	ExternalIP string
}

// NewUUID returns a random (version 4) UUID in its 36-character text form.
func NewUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24+)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// PrepareRequest makes s a signed request from signer to axon, as a dendrite does (reference
// §2.4 step 3): it sets s's name and timeout, its Dendrite terminal info (version, nonce,
// uuid, hotkey, ip, signature) and Axon terminal info (ip, port, hotkey), then returns the
// JSON body and the headers, signed with the chosen scheme. The headers' names keep their
// exact case; copy them into a request with map assignment, not Header.Set.
func PrepareRequest(s Synapse, signer *keys.Keypair, axon AxonInfo, opt RequestOptions) ([]byte, http.Header, error) {
	t, err := TypeOf(s)
	if err != nil {
		return nil, nil, err
	}
	if err := t.check(s); err != nil {
		return nil, nil, err
	}
	if signer == nil {
		return nil, nil, fmt.Errorf("synapse: prepare request: no signer")
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	nonce := opt.Nonce
	if nonce == 0 {
		nonce = time.Now().UnixNano()
	}
	uuid := opt.UUID
	if uuid == "" {
		uuid = NewUUID()
	}
	b := s.SynapseBase()
	b.Name = t.name
	b.Timeout = timeout.Seconds()
	b.Dendrite = TerminalInfo{IP: opt.ExternalIP, Version: Version, Nonce: nonce, UUID: uuid, Hotkey: signer.SS58()}
	b.Axon = TerminalInfo{IP: axon.IP, Port: int(axon.Port), Hotkey: axon.Hotkey.SS58()}
	b.ComputedBodyHash = ""
	h := http.Header{}
	switch opt.Scheme {
	case 0, Bittensor:
		hash, err := BodyHash(s)
		if err != nil {
			return nil, nil, err
		}
		sig, err := signer.Sign(SignatureMessage(nonce, b.Dendrite.Hotkey, b.Axon.Hotkey, uuid, hash))
		if err != nil {
			return nil, nil, err
		}
		b.Dendrite.Signature = "0x" + hex.EncodeToString(sig)
		body, err := json.Marshal(s)
		if err != nil {
			return nil, nil, fmt.Errorf("synapse: encode %s: %w", t.name, err)
		}
		b.TotalSize = int64(len(body))
		t.WriteHeaders(h, s, hash)
		h.Set("Content-Type", "application/json")
		return body, h, nil
	case Epistula:
		body, err := json.Marshal(s)
		if err != nil {
			return nil, nil, fmt.Errorf("synapse: encode %s: %w", t.name, err)
		}
		ts := nonce / int64(time.Millisecond)
		signedFor := ""
		if !axon.Hotkey.IsZero() {
			signedFor = axon.Hotkey.SS58()
		}
		sig, err := signer.Sign(EpistulaMessage(body, uuid, ts, signedFor))
		if err != nil {
			return nil, nil, err
		}
		h.Set(HeaderEpistulaVersion, EpistulaVersion)
		h.Set(HeaderEpistulaTimestamp, strconv.FormatInt(ts, 10))
		h.Set(HeaderEpistulaUUID, uuid)
		h.Set(HeaderEpistulaSignedBy, signer.SS58())
		if signedFor != "" {
			h.Set(HeaderEpistulaSignedFor, signedFor)
		}
		h.Set(HeaderEpistulaSignature, "0x"+hex.EncodeToString(sig))
		setHeader(h, HeaderName, t.name)
		setHeader(h, HeaderTimeout, PyFloat(b.Timeout))
		h.Set("Content-Type", "application/json")
		return body, h, nil
	}
	return nil, nil, fmt.Errorf("synapse: prepare request: unknown scheme %v", opt.Scheme)
}
