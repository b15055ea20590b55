package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// Report is the result of verifying the chain.
type Report struct {
	// Records is how many records were checked.
	Records int `json:"records"`
	// Legacy is how many of them were written before the chain was keyed: they
	// are checked with the unkeyed hash only, which someone able to write the
	// database could have recomputed.
	Legacy int `json:"legacy,omitempty"`
	// KeyedFrom is the first record of the keyed chain.
	KeyedFrom int64 `json:"keyed_from"`
	// LastSeq and LastHash are the last record checked.
	LastSeq  int64  `json:"last_seq"`
	LastHash string `json:"last_hash"`
	// Checkpoint is the sequence of the checkpoint the chain was checked
	// against, when there was one.
	Checkpoint int64 `json:"checkpoint,omitempty"`
	// OK is true when every record, the head and the checkpoint agree.
	OK bool `json:"ok"`
	// Broken names the first record that fails, when one does.
	Broken *Break `json:"broken,omitempty"`
}

// Break is the first place the chain does not hold.
type Break struct {
	Seq    int64  `json:"seq"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

func (b *Break) String() string {
	if b.ID == "" {
		return fmt.Sprintf("record %d: %s", b.Seq, b.Reason)
	}
	return fmt.Sprintf("record %d (id %s): %s", b.Seq, b.ID, b.Reason)
}

// Verify walks the chain from the anchor to the head: the head and anchor MAC,
// sequence numbers without gaps, each record's keyed hash recomputed (the
// unkeyed one before the keyed chain starts), each linked to the one before,
// and the last one equal to the head. An error means the trail could not be
// read; a broken chain is a Report with Broken set.
func (t *Trail) Verify(ctx context.Context) (Report, error) {
	return t.verify(ctx, nil)
}

// VerifyCheckpoint verifies the chain and that it still reaches the head the
// checkpoint recorded: a forged checkpoint, a chain cut back before it or one
// re-anchored since fails.
func (t *Trail) VerifyCheckpoint(ctx context.Context, c Checkpoint) (Report, error) {
	return t.verify(ctx, &c)
}

func (t *Trail) verify(ctx context.Context, cp *Checkpoint) (Report, error) {
	head, err := t.store.AuditHead(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify audit trail: %w", err)
	}
	rep := Report{KeyedFrom: head.KeyedFrom, LastSeq: head.AnchorSeq, LastHash: head.AnchorHash}
	fail := func(seq int64, id, format string, args ...any) (Report, error) {
		rep.Broken = &Break{Seq: seq, ID: id, Reason: fmt.Sprintf(format, args...)}
		return rep, nil
	}
	if cp != nil && !t.genuine(*cp) {
		return fail(cp.Seq, "", "the checkpoint does not verify: forged, altered or written under another master key")
	}
	empty := head == storage.AuditHead{}
	if !empty && (head.KeyedFrom == 0 || !sameMAC(head.MAC, t.chain.HeadMAC(head))) {
		return fail(head.LastSeq, "", "the chain head or purge anchor was altered: its MAC does not match")
	}
	if cp != nil && cp.KeyedFrom != head.KeyedFrom {
		return fail(head.KeyedFrom, "", "the keyed chain starts here, the checkpoint says at record %d: the chain was re-anchored", cp.KeyedFrom)
	}
	wantSeq, after := head.AnchorSeq+1, head.AnchorSeq
	for {
		page, err := t.store.ListAudit(ctx, storage.AuditQuery{AfterSeq: after, Limit: 1000})
		if err != nil {
			return Report{}, fmt.Errorf("verify audit trail: %w", err)
		}
		for _, r := range page {
			if r.Seq != wantSeq {
				return fail(wantSeq, "", "missing (the next stored record is %d)", r.Seq)
			}
			if reason := t.checkRecord(r, head.KeyedFrom); reason != "" {
				return fail(r.Seq, r.ID, "%s", reason)
			}
			if r.PrevHash != rep.LastHash {
				return fail(r.Seq, r.ID, "does not link to the record before it")
			}
			if cp != nil && r.Seq == cp.Seq && r.Hash != cp.Hash {
				return fail(r.Seq, r.ID, "is not the record the checkpoint of %s recorded", cp.Time.Format(time.RFC3339))
			}
			rep.Records++
			if r.Seq < head.KeyedFrom {
				rep.Legacy++
			}
			wantSeq, after, rep.LastSeq, rep.LastHash = r.Seq+1, r.Seq, r.Seq, r.Hash
		}
		if len(page) < 1000 {
			break
		}
	}
	if after != head.LastSeq || rep.LastHash != head.LastHash {
		return fail(after+1, "", "missing: the chain head is record %d, the last stored record is %d", head.LastSeq, after)
	}
	if cp != nil {
		switch {
		case cp.Seq > head.LastSeq:
			return fail(head.LastSeq+1, "", "missing: the checkpoint of %s recorded the chain up to record %d, it now ends at %d",
				cp.Time.Format(time.RFC3339), cp.Seq, head.LastSeq)
		case cp.Seq == head.AnchorSeq && cp.Hash != head.AnchorHash:
			return fail(cp.Seq, "", "the purge anchor is not the record the checkpoint recorded")
		}
		// A checkpoint older than the anchor is of purged records: its place
		// in the sequence is all that is left to check.
		rep.Checkpoint = cp.Seq
	}
	rep.OK = true
	return rep, nil
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
