package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/portvakt/portvakt/storage"
)

// chainKey keys the chain: each record's hash, the head with the purge anchor,
// and checkpoints are HMAC-SHA256 under one secret held sealed under the master
// key, each with its own label so that no value can stand in for another. Only
// a holder of the master key can extend the chain, move its head or anchor, or
// write a checkpoint that verifies.
type chainKey struct{ key []byte }

var _ storage.AuditChain = chainKey{}

// keyedVersion is the canonical encoding's version for keyed records.
const keyedVersion = 2

func (k chainKey) mac(label string, parts ...[]byte) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("portvakt audit " + label + "\x00"))
	for _, p := range parts {
		m.Write(p)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// RecordHash is the keyed link of a record: an HMAC over its canonical encoding,
// PrevHash included.
func (k chainKey) RecordHash(r storage.AuditRecord) (string, error) {
	b, err := canonical(r, keyedVersion)
	if err != nil {
		return "", err
	}
	return k.mac("record", b), nil
}

// HeadMAC authenticates the head, the purge anchor and where the keyed chain starts.
func (k chainKey) HeadMAC(h storage.AuditHead) string {
	return k.mac("head", fmt.Appendf(nil, "%d|%s|%d|%s|%d", h.LastSeq, h.LastHash, h.AnchorSeq, h.AnchorHash, h.KeyedFrom))
}

// checkpointMAC authenticates a checkpoint's fields.
func (k chainKey) checkpointMAC(c Checkpoint) string {
	return k.mac("checkpoint", fmt.Appendf(nil, "%d|%s|%d|%d", c.Seq, c.Hash, c.KeyedFrom, c.Time.UnixMilli()))
}

// sameMAC compares two hex MACs in constant time.
func sameMAC(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
