package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// Report is the result of verifying the trail: every chain, and the anchors
// that tie them together.
type Report struct {
	// Records is how many records were checked, in all chains.
	Records int `json:"records"`
	// Legacy is how many of them were written before the chain was keyed: they
	// are checked with the unkeyed hash only, which someone able to write the
	// database could have recomputed.
	Legacy int `json:"legacy,omitempty"`
	// KeyedFrom is the first keyed record of chain 0, the trail written when
	// there was one chain.
	KeyedFrom int64 `json:"keyed_from"`
	// Anchors is how many heads named by anchor records were checked against
	// their chains.
	Anchors int `json:"anchors"`
	// Chains are the chains checked, in chain order.
	Chains []ChainReport `json:"chains"`
	// Checkpoint is how many chain heads of a checkpoint the trail was checked
	// against, when there was one, and CheckpointTime the checkpoint's time.
	Checkpoint     int       `json:"checkpoint,omitempty"`
	CheckpointTime time.Time `json:"checkpoint_time,omitzero"`
	// OK is true when every record, head, anchor and the checkpoint agree.
	OK bool `json:"ok"`
	// Broken names the first place that fails, when one does.
	Broken *Break `json:"broken,omitempty"`
}

// ChainReport is one chain's part of a Report.
type ChainReport struct {
	Chain   int64 `json:"chain"`
	Records int   `json:"records"`
	Legacy  int   `json:"legacy,omitempty"`
	// KeyedFrom is the chain's first keyed record; AnchorSeq the last purged.
	KeyedFrom int64 `json:"keyed_from"`
	AnchorSeq int64 `json:"anchor_seq,omitempty"`
	// LastSeq and LastHash are the last record checked.
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash"`
}

// anyPurged reports whether some chain has had records purged.
func (r Report) anyPurged() bool {
	for _, c := range r.Chains {
		if c.AnchorSeq > 0 {
			return true
		}
	}
	return false
}

// Break is the first place the trail does not hold.
type Break struct {
	Chain  int64  `json:"chain"`
	Seq    int64  `json:"seq"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

func (b *Break) String() string {
	if b.ID == "" {
		return fmt.Sprintf("chain %d, record %d: %s", b.Chain, b.Seq, b.Reason)
	}
	return fmt.Sprintf("chain %d, record %d (id %s): %s", b.Chain, b.Seq, b.ID, b.Reason)
}

// brokenError carries a Break out of the walk; it is not a failure to read.
type brokenError struct{ b Break }

func (e *brokenError) Error() string { return e.b.String() }

func broken(chain, seq int64, id, format string, args ...any) error {
	return &brokenError{Break{Chain: chain, Seq: seq, ID: id, Reason: fmt.Sprintf(format, args...)}}
}

// Verify walks every chain from its purge anchor to its head: the head and
// anchor MAC, sequence numbers without gaps, each record's keyed hash
// recomputed (the unkeyed one before chain 0's keyed records start), each
// linked to the one before, and the last one equal to the head. Then every
// head named by an anchor record is checked against its chain: the named record
// must still be there with that hash, or lie at or below the chain's purge
// anchor; so a chain deleted whole, or cut back below what another chain
// anchored, is found. An error means the trail could not be read; a broken
// trail is a Report with Broken set.
func (t *Trail) Verify(ctx context.Context) (Report, error) {
	return t.verify(ctx, nil)
}

// VerifyCheckpoint verifies the trail and that every chain still reaches the
// head the checkpoint recorded: a forged checkpoint, a chain cut back before
// it, deleted or re-anchored since fails. A checkpoint from when there was one
// chain is checked against chain 0.
func (t *Trail) VerifyCheckpoint(ctx context.Context, c Checkpoint) (Report, error) {
	return t.verify(ctx, &c)
}

// verification is the state of one Verify.
type verification struct {
	t  *Trail
	cp map[int64]CheckpointHead
	// heads are the chains walked so far, by chain.
	heads map[int64]storage.AuditHead
	// pending are anchor refs into chains not walked yet: checked as those
	// chains' records go by.
	pending map[int64]map[int64][]anchorRef
	// later are anchor refs into chains already walked: looked up at the end.
	later map[int64][]anchorRef
	rep   Report
}

func (t *Trail) verify(ctx context.Context, cp *Checkpoint) (Report, error) {
	v := &verification{t: t, heads: map[int64]storage.AuditHead{}, pending: map[int64]map[int64][]anchorRef{}, later: map[int64][]anchorRef{}}
	err := v.run(ctx, cp)
	var b *brokenError
	if errors.As(err, &b) {
		v.rep.Broken = &b.b
		return v.rep, nil
	}
	if err != nil {
		return Report{}, fmt.Errorf("verify audit trail: %w", err)
	}
	v.rep.OK = true
	return v.rep, nil
}

func (v *verification) run(ctx context.Context, cp *Checkpoint) error {
	if cp != nil {
		heads := cp.heads()
		if !v.t.genuine(*cp) {
			return broken(heads[0].Chain, heads[0].Seq, "", "the checkpoint does not verify: forged, altered or written under another master key")
		}
		v.cp = map[int64]CheckpointHead{}
		for _, h := range heads {
			v.cp[h.Chain] = h
		}
		v.rep.CheckpointTime = cp.Time
	}
	heads, err := v.t.store.AuditHeads(ctx)
	if err != nil {
		return err
	}
	withRecords, err := v.t.store.AuditRecordChains(ctx)
	if err != nil {
		return err
	}
	known := map[int64]bool{}
	for _, h := range heads {
		known[h.Chain] = true
	}
	for _, c := range withRecords {
		if !known[c] {
			return broken(c, 0, "", "the chain has records but no head: its head was deleted")
		}
	}
	for _, h := range v.cp {
		if !known[h.Chain] {
			return broken(h.Chain, h.Seq, "", "missing: the checkpoint of %s recorded the chain up to record %d, the chain is gone",
				v.rep.CheckpointTime.Format(time.RFC3339), h.Seq)
		}
	}
	for _, h := range heads {
		if err := v.walk(ctx, h); err != nil {
			return err
		}
	}
	if err := v.resolve(ctx); err != nil {
		return err
	}
	if v.cp != nil {
		v.rep.Checkpoint = len(v.cp)
	}
	return nil
}

// walk checks one chain, record by record.
func (v *verification) walk(ctx context.Context, head storage.AuditHead) error {
	c := head.Chain
	cr := ChainReport{Chain: c, KeyedFrom: head.KeyedFrom, AnchorSeq: head.AnchorSeq, LastSeq: head.AnchorSeq, LastHash: head.AnchorHash}
	unkeyedEmpty := c == 0 && head == storage.AuditHead{}
	if !unkeyedEmpty && (head.KeyedFrom == 0 || !sameMAC(head.MAC, v.t.chain.HeadMAC(head))) {
		return broken(c, head.LastSeq, "", "the chain head or purge anchor was altered: its MAC does not match")
	}
	if c != 0 && head.KeyedFrom != 1 {
		return broken(c, head.KeyedFrom, "", "the chain says its keyed records start here, but every chain after chain 0 is keyed from its first record")
	}
	cp, hasCP := v.cp[c]
	if hasCP && cp.KeyedFrom != head.KeyedFrom {
		return broken(c, head.KeyedFrom, "", "the keyed chain starts here, the checkpoint says at record %d: the chain was re-anchored", cp.KeyedFrom)
	}
	const page = 1000
	want, after := head.AnchorSeq+1, head.AnchorSeq
walk:
	for {
		recs, err := v.t.store.ListAuditChain(ctx, c, after, page)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Seq > head.LastSeq {
				break walk // checked below
			}
			if r.Seq != want {
				return broken(c, want, "", "missing (the next stored record is %d)", r.Seq)
			}
			if reason := v.t.checkRecord(r, head.KeyedFrom); reason != "" {
				return broken(c, r.Seq, r.ID, "%s", reason)
			}
			if r.PrevHash != cr.LastHash {
				return broken(c, r.Seq, r.ID, "does not link to the record before it")
			}
			if hasCP && r.Seq == cp.Seq && r.Hash != cp.Hash {
				return broken(c, r.Seq, r.ID, "is not the record the checkpoint of %s recorded", v.rep.CheckpointTime.Format(time.RFC3339))
			}
			for _, ref := range v.pending[c][r.Seq] {
				if ref.hash != r.Hash {
					return broken(c, r.Seq, r.ID, "is not the record the anchor at chain %d, record %d names", ref.fromChain, ref.fromSeq)
				}
				v.rep.Anchors++
			}
			delete(v.pending[c], r.Seq)
			if r.Kind == KindChain && r.Action == ActionAnchor {
				if err := v.note(r); err != nil {
					return err
				}
			}
			cr.Records++
			if r.Seq < head.KeyedFrom {
				cr.Legacy++
			}
			want, after, cr.LastSeq, cr.LastHash = r.Seq+1, r.Seq, r.Seq, r.Hash
		}
		if len(recs) < page || after >= head.LastSeq {
			break
		}
	}
	if after != head.LastSeq || cr.LastHash != head.LastHash {
		return broken(c, after+1, "", "missing: the chain head is record %d, the last stored record is %d", head.LastSeq, after)
	}
	beyond, err := v.t.store.ListAuditChain(ctx, c, head.LastSeq, 1)
	if err != nil {
		return err
	}
	if len(beyond) == 1 {
		if err := v.pastHead(ctx, head, beyond[0]); err != nil {
			return err
		}
	}
	if hasCP {
		switch {
		case cp.Seq > head.LastSeq:
			return broken(c, head.LastSeq+1, "", "missing: the checkpoint of %s recorded the chain up to record %d, it now ends at %d",
				v.rep.CheckpointTime.Format(time.RFC3339), cp.Seq, head.LastSeq)
		case cp.Seq == head.AnchorSeq && cp.Hash != head.AnchorHash:
			return broken(c, cp.Seq, "", "the purge anchor is not the record the checkpoint recorded")
		}
		// A checkpoint older than the anchor is of purged records: its place
		// in the sequence is all that is left to check.
	}
	// Refs into this chain that no record met are past its head or purged:
	// resolve sorts them out with the head.
	for seq, refs := range v.pending[c] {
		v.later[c] = append(v.later[c], refs...)
		delete(v.pending[c], seq)
	}
	v.heads[c] = head
	v.rep.Chains = append(v.rep.Chains, cr)
	v.rep.Records += cr.Records
	v.rep.Legacy += cr.Legacy
	if c == 0 {
		v.rep.KeyedFrom = head.KeyedFrom
	}
	return nil
}

// pastHead accepts a record after the head the walk started from only if the
// chain's head has since moved to it or past it (a process appended while the
// trail was verified); one beyond the current head is not covered by any MAC.
// The walk stops at the head it started from, so that every chain is checked
// as of one reading of all heads, and anchors name only records in it.
func (v *verification) pastHead(ctx context.Context, head storage.AuditHead, r storage.AuditRecord) error {
	now, err := v.t.store.AuditHead(ctx, head.Chain)
	if err != nil {
		return err
	}
	if now.LastSeq < r.Seq {
		return broken(head.Chain, r.Seq, r.ID, "a record past the chain head (record %d)", now.LastSeq)
	}
	return nil
}

// checkRecord says what is wrong with a record's own hash, or "".
func (t *Trail) checkRecord(r storage.AuditRecord, keyedFrom int64) string {
	keyed, err := t.chain.RecordHash(r)
	if err != nil {
		return fmt.Sprintf("cannot be hashed: %v", err)
	}
	if r.Seq >= keyedFrom {
		if !sameMAC(keyed, r.Hash) {
			return "altered: its content does not match its keyed hash"
		}
		return ""
	}
	if sameMAC(keyed, r.Hash) {
		return "a keyed record before the keyed chain starts: the chain was re-anchored"
	}
	if legacy, _ := Hash(r); legacy != r.Hash {
		return "altered: its content does not match its hash"
	}
	return ""
}
