package audit

import (
	"context"
	"fmt"

	"github.com/portvakt/portvakt/provider/storage"
)

// Report is the result of verifying the chain.
type Report struct {
	// Records is how many records were checked.
	Records int `json:"records"`
	// OK is true when every record and the head agree.
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

// Verify walks the chain from the anchor to the head: sequence numbers without
// gaps, each record's hash recomputed, each linked to the one before, and the last
// one equal to the head. An error means the trail could not be read; a broken
// chain is a Report with Broken set.
func (t *Trail) Verify(ctx context.Context) (Report, error) {
	head, err := t.store.AuditHead(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify audit trail: %w", err)
	}
	var rep Report
	wantSeq, prevHash := head.AnchorSeq+1, head.AnchorHash
	after := head.AnchorSeq
	fail := func(seq int64, id, format string, args ...any) (Report, error) {
		rep.Broken = &Break{Seq: seq, ID: id, Reason: fmt.Sprintf(format, args...)}
		return rep, nil
	}
	for {
		page, err := t.store.ListAudit(ctx, storage.AuditQuery{AfterSeq: after, Limit: 1000})
		if err != nil {
			return Report{}, fmt.Errorf("verify audit trail: %w", err)
		}
		for _, r := range page {
			if r.Seq != wantSeq {
				return fail(wantSeq, "", "missing (the next stored record is %d)", r.Seq)
			}
			sum, err := Hash(r)
			if err != nil {
				return fail(r.Seq, r.ID, "cannot be hashed: %v", err)
			}
			if sum != r.Hash {
				return fail(r.Seq, r.ID, "altered: its content does not match its hash")
			}
			if r.PrevHash != prevHash {
				return fail(r.Seq, r.ID, "does not link to the record before it")
			}
			rep.Records++
			wantSeq, prevHash, after = r.Seq+1, r.Hash, r.Seq
		}
		if len(page) < 1000 {
			break
		}
	}
	if after != head.LastSeq || prevHash != head.LastHash {
		return fail(after+1, "", "missing: the chain head is record %d, the last stored record is %d", head.LastSeq, after)
	}
	rep.OK = true
	return rep, nil
}
