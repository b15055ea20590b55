package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// ActionAnchor is the action of an anchor record: a record, in one chain, of
// the heads of the other chains as its process saw them. Verify checks each
// named record against its chain, so a chain cannot be deleted or cut back
// below a point another chain anchored without Verify saying so. A chain is
// covered this way from the first anchor written after its records, at most
// an anchor interval later; a checkpoint kept outside the database covers all
// chains at once.
const ActionAnchor = "chain.anchor"

// anchorHead is one chain's head as an anchor records it.
type anchorHead struct {
	Chain int64  `json:"chain"`
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
}

type anchorDetails struct {
	Heads []anchorHead `json:"heads"`
}

// anchorHeads reads the heads an anchor in own would record: every other chain
// that has records.
func (t *Trail) anchorHeads(ctx context.Context, own int64) ([]anchorHead, error) {
	heads, err := t.store.AuditHeads(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit anchor: %w", err)
	}
	var out []anchorHead
	for _, h := range heads {
		if h.Chain != own && h.LastSeq > 0 {
			out = append(out, anchorHead{Chain: h.Chain, Seq: h.LastSeq, Hash: h.LastHash})
		}
	}
	return out, nil
}

// anchorRecord is the anchor record for heads.
func (t *Trail) anchorRecord(heads []anchorHead) storage.AuditRecord {
	details, _ := json.Marshal(anchorDetails{Heads: heads})
	return storage.AuditRecord{ID: randid.Hex(16), Time: storageTime(t.now()), Kind: KindChain, Action: ActionAnchor, Outcome: "success", Details: details}
}

// errNoChain is Anchor's answer before the process has appended anything.
var errNoChain = errors.New("this process has no audit chain yet")

// Anchor appends to this process's chain an anchor of every other chain's head
// (the periodic tie between chains; tests call it to force one). It writes
// nothing when the other heads are those of the last anchor, or before the
// process has a chain.
func (t *Trail) Anchor(ctx context.Context) error {
	chain := t.slot.claimed()
	if chain == 0 {
		return errNoChain
	}
	heads, err := t.anchorHeads(ctx, chain)
	if err != nil {
		return err
	}
	t.anchorMu.Lock()
	same := slices.Equal(heads, t.lastAnchor)
	t.anchorMu.Unlock()
	if len(heads) == 0 || same {
		return nil
	}
	if err := t.append(ctx, t.anchorRecord(heads)); err != nil {
		return err
	}
	t.noteAnchor(heads)
	return nil
}

func (t *Trail) noteAnchor(heads []anchorHead) {
	t.anchorMu.Lock()
	t.lastAnchor = heads
	t.anchorMu.Unlock()
}

// tend renews the chain lease and anchors the other chains until ctx ends.
func (t *Trail) tend(ctx context.Context, renewEvery, anchorEvery time.Duration) {
	renew := time.NewTicker(renewEvery)
	defer renew.Stop()
	anchor := time.NewTicker(anchorEvery)
	defer anchor.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
			t.slot.renew(ctx)
		case <-anchor.C:
			if err := t.Anchor(ctx); err != nil && ctx.Err() == nil {
				t.logger.WarnContext(ctx, "anchor the other audit chains", "error", err)
			}
		}
	}
}
