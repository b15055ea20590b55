package provider

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Server-provided DPoP nonces (RFC 9449 §8, §9), on with tokens.dpop_nonces.
// A nonce is the time it was made and a MAC of it under a server secret: any
// broker process checks it without a database read, and a proof that carries
// one was made after the nonce was, whatever its iat says (§11.3).

// dpopNonceLifetime is how long a nonce is accepted; a client then gets a new
// one with use_dpop_nonce and retries once.
const dpopNonceLifetime = 5 * time.Minute

// dpopNonceHeader carries a fresh nonce to the client.
const dpopNonceHeader = "DPoP-Nonce"

// errUseDPoPNonce is a proof without a valid nonce from the broker.
var errUseDPoPNonce = errors.New("use_dpop_nonce")

// dpopNonces makes and checks nonces; a nil one means nonces are off.
type dpopNonces struct {
	secret []byte
}

// issue makes a nonce for now.
func (n *dpopNonces) issue(now time.Time) string {
	msg := make([]byte, 8, 8+sha256.Size)
	binary.BigEndian.PutUint64(msg, uint64(now.Unix())) //nolint:gosec // G115: the broker's clock is after 1970
	return base64.RawURLEncoding.EncodeToString(n.mac(msg))
}

func (n *dpopNonces) mac(stamp []byte) []byte {
	m := hmac.New(sha256.New, n.secret)
	m.Write([]byte("dpop-nonce\x00"))
	m.Write(stamp)
	return append(stamp, m.Sum(nil)[:16]...)
}

// check accepts a nonce the broker made within dpopNonceLifetime.
func (n *dpopNonces) check(nonce string, now time.Time) error {
	raw, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(raw) != 8+16 || !hmac.Equal(n.mac(append([]byte(nil), raw[:8]...)), raw) {
		return fmt.Errorf("%w: the nonce is not the broker's", errUseDPoPNonce)
	}
	made := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0) //nolint:gosec // G115: checked by the MAC
	if now.Sub(made) > dpopNonceLifetime || made.After(now.Add(dpopMaxAhead)) {
		return fmt.Errorf("%w: the nonce has expired", errUseDPoPNonce)
	}
	return nil
}

// offerDPoPNonce sends a fresh nonce with an answer that refused a proof for
// the lack of one.
func (s *base) offerDPoPNonce(w http.ResponseWriter, err error) {
	if s.dpopNonces != nil && errors.Is(err, errUseDPoPNonce) {
		w.Header().Set(dpopNonceHeader, s.dpopNonces.issue(s.now()))
	}
}
