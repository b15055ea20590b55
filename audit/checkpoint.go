package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Checkpoint is a signed statement of every chain's head at a time, for an
// operator to keep outside the database: a chain later cut back to an earlier
// head (even with that head's own row restored from a backup), or deleted
// whole, no longer reaches it.
//
// It is an HMAC under the chain key, not a JWS under a signing key: verifying
// the chain already takes the master key, so the one who checks a checkpoint
// has what it takes; signing keys rotate out of the JWKS and live in the same
// database an attacker would be writing.
type Checkpoint struct {
	Heads []CheckpointHead `json:"heads,omitempty"`
	// Seq, Hash and KeyedFrom are the one head of a checkpoint written when the
	// trail had one chain (now chain 0); Heads is empty in such a checkpoint.
	Seq       int64     `json:"seq,omitempty"`
	Hash      string    `json:"hash,omitempty"`
	KeyedFrom int64     `json:"keyed_from,omitempty"`
	Time      time.Time `json:"time"`
	MAC       string    `json:"mac"`
}

// CheckpointHead is one chain's head in a checkpoint.
type CheckpointHead struct {
	Chain     int64  `json:"chain"`
	Seq       int64  `json:"seq"`
	Hash      string `json:"hash"`
	KeyedFrom int64  `json:"keyed_from"`
}

// heads are the chain heads c vouches for.
func (c Checkpoint) heads() []CheckpointHead {
	if len(c.Heads) == 0 {
		return []CheckpointHead{{Chain: 0, Seq: c.Seq, Hash: c.Hash, KeyedFrom: c.KeyedFrom}}
	}
	return c.Heads
}

// Checkpoint returns the signed current heads. The trail is verified first: a
// checkpoint of a broken chain would vouch for the break.
func (t *Trail) Checkpoint(ctx context.Context) (Checkpoint, Report, error) {
	rep, err := t.Verify(ctx)
	if err != nil || !rep.OK {
		return Checkpoint{}, rep, err
	}
	if rep.Records == 0 && !rep.anyPurged() {
		return Checkpoint{}, rep, fmt.Errorf("audit checkpoint: the trail has no records yet")
	}
	// Records appended since the walk are not verified; the checkpoint is of
	// the heads that were.
	c := Checkpoint{Time: storageTime(t.now())}
	for _, ch := range rep.Chains {
		c.Heads = append(c.Heads, CheckpointHead{Chain: ch.Chain, Seq: ch.LastSeq, Hash: ch.LastHash, KeyedFrom: ch.KeyedFrom})
	}
	c.MAC = t.chain.checkpointMAC(c)
	return c, rep, nil
}

// ParseCheckpoint reads a checkpoint as Checkpoint's JSON, either form;
// VerifyCheckpoint checks that it is genuine.
func ParseCheckpoint(b []byte) (Checkpoint, error) {
	var c Checkpoint
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("read audit checkpoint: %w", err)
	}
	if c.MAC == "" || c.Time.IsZero() {
		return c, fmt.Errorf("read audit checkpoint: time and mac are required")
	}
	if len(c.Heads) == 0 && (c.Seq <= 0 || c.Hash == "") {
		return c, fmt.Errorf("read audit checkpoint: heads (or seq and hash) are required")
	}
	return c, nil
}

// genuine reports whether c was written by a holder of the chain key.
func (t *Trail) genuine(c Checkpoint) bool {
	return sameMAC(c.MAC, t.chain.checkpointMAC(c))
}
