package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/portvakt/portvakt/storage"
)

// chainKey keys the chains: each record's hash, each head with its purge
// anchor, and checkpoints are HMAC-SHA256 under one secret held sealed under
// the master key, each with its own label so that no value can stand in for
// another. Only a holder of the master key can extend a chain, move its head
// or anchor, or write a checkpoint that verifies.
type chainKey struct{ key []byte }

var _ storage.AuditChain = chainKey{}

// Canonical encoding versions of keyed records. Chain 0, the trail written
// before there were several chains, keeps version 2 (its records verify as
// they were written); the chains processes append to use version 3, which
// hashes the chain id too, so that a record cannot be moved to another chain.
const (
	keyedVersion   = 2
	chainedVersion = 3
)

func (k chainKey) mac(label string, parts ...[]byte) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("portvakt audit " + label + "\x00"))
	for _, p := range parts {
		m.Write(p)
	}
	return hex.EncodeToString(m.Sum(nil))
}

// RecordHash is the keyed link of a record: an HMAC over its canonical encoding,
// PrevHash included, and for the chains after chain 0 the chain id.
func (k chainKey) RecordHash(r storage.AuditRecord) (string, error) {
	v := chainedVersion
	if r.Chain == 0 {
		v = keyedVersion
	}
	b, err := canonical(r, v)
	if err != nil {
		return "", err
	}
	return k.mac("record", b), nil
}

// HeadMAC authenticates a chain's head, its purge anchor and where its keyed
// records start. Chain 0's head keeps the MAC it had when it was the only
// chain, so a trail verifies right after the upgrade; every other chain's MAC
// has its own label and the chain id, so no head can pass for another chain's.
func (k chainKey) HeadMAC(h storage.AuditHead) string {
	if h.Chain == 0 {
		return k.mac("head", fmt.Appendf(nil, "%d|%s|%d|%s|%d", h.LastSeq, h.LastHash, h.AnchorSeq, h.AnchorHash, h.KeyedFrom))
	}
	return k.mac("chain head", fmt.Appendf(nil, "%d|%d|%s|%d|%s|%d", h.Chain, h.LastSeq, h.LastHash, h.AnchorSeq, h.AnchorHash, h.KeyedFrom))
}

// checkpointMAC authenticates a checkpoint's fields: every head it lists, or,
// for a checkpoint written when there was one chain, that chain's head.
func (k chainKey) checkpointMAC(c Checkpoint) string {
	if len(c.Heads) == 0 {
		return k.mac("checkpoint", fmt.Appendf(nil, "%d|%s|%d|%d", c.Seq, c.Hash, c.KeyedFrom, c.Time.UnixMilli()))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d", c.Time.UnixMilli())
	for _, h := range c.Heads {
		fmt.Fprintf(&b, "|%d,%d,%s,%d", h.Chain, h.Seq, h.Hash, h.KeyedFrom)
	}
	return k.mac("checkpoint heads", []byte(b.String()))
}

// sameMAC compares two hex MACs in constant time.
func sameMAC(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }
