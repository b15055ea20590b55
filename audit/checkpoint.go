package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Checkpoint is a signed statement of the chain head at a time, for an operator
// to keep outside the database: a chain later cut back to an earlier head (even
// with that head's own row restored from a backup) no longer reaches it.
//
// It is an HMAC under the chain key, not a JWS under a signing key: verifying
// the chain already takes the master key, so the one who checks a checkpoint
// has what it takes; signing keys rotate out of the JWKS and live in the same
// database an attacker would be writing.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	KeyedFrom int64     `json:"keyed_from"`
	Time      time.Time `json:"time"`
	MAC       string    `json:"mac"`
}

// Checkpoint returns the signed current head. The chain is verified first: a
// checkpoint of a broken chain would vouch for the break.
func (t *Trail) Checkpoint(ctx context.Context) (Checkpoint, Report, error) {
	rep, err := t.Verify(ctx)
	if err != nil || !rep.OK {
		return Checkpoint{}, rep, err
	}
	if rep.LastSeq == 0 {
		return Checkpoint{}, rep, fmt.Errorf("audit checkpoint: the trail has no records yet")
	}
	head, err := t.store.AuditHead(ctx)
	if err != nil {
		return Checkpoint{}, rep, fmt.Errorf("audit checkpoint: %w", err)
	}
	if head.LastSeq < rep.LastSeq {
		return Checkpoint{}, rep, fmt.Errorf("audit checkpoint: the head moved back while it was verified")
	}
	// Records appended since the walk are not verified; the checkpoint is of the
	// head that was.
	c := Checkpoint{Seq: rep.LastSeq, Hash: rep.LastHash, KeyedFrom: head.KeyedFrom, Time: storageTime(t.now())}
	c.MAC = t.chain.checkpointMAC(c)
	return c, rep, nil
}

// ParseCheckpoint reads a checkpoint as Checkpoint's JSON; VerifyCheckpoint
// checks that it is genuine.
func ParseCheckpoint(b []byte) (Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("read audit checkpoint: %w", err)
	}
	if c.Seq <= 0 || c.Hash == "" || c.MAC == "" || c.Time.IsZero() {
		return c, fmt.Errorf("read audit checkpoint: seq, hash, time and mac are required")
	}
	return c, nil
}

// genuine reports whether c was written by a holder of the chain key.
func (t *Trail) genuine(c Checkpoint) bool {
	return sameMAC(c.MAC, t.chain.checkpointMAC(c))
}
