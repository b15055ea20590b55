package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/storage"
)

// KindChain marks records about the chains themselves: the record that starts
// the keyed chain 0 on a trail written before the chain was keyed, and the
// anchors that tie the chains together.
const KindChain = "chain"

// ErrChainReset means the head says the chain was never keyed while its last
// record is keyed: someone reset the head, and re-anchoring now would make the
// keyed records look like legacy ones. Verify reports such a chain as broken.
var ErrChainReset = errors.New("audit chain head was reset: its last record is keyed but the head is not")

// KeyChain keys chain 0 (the trail as one chain wrote it) once, at start; the
// other chains are keyed from their first record. An empty chain is keyed from its first
// record. A chain of records written with the unkeyed hash is re-anchored, not
// rehashed: rehashing would bless whatever was changed in it before, so those
// records stay as written and Verify reports them as legacy, and a record stating
// where the keyed chain starts is appended, linked to the last of them. It
// reports whether it keyed the chain now.
func (t *Trail) KeyChain(ctx context.Context) (bool, error) {
	head, err := t.store.AuditHead(ctx, 0)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return false, fmt.Errorf("key audit chain: %w", err)
	}
	if head.KeyedFrom > 0 {
		return false, nil
	}
	if head.LastSeq > 0 {
		last, err := t.store.ListAuditChain(ctx, 0, head.LastSeq-1, 1)
		if err != nil {
			return false, fmt.Errorf("key audit chain: %w", err)
		}
		if len(last) == 1 {
			if sum, err := t.chain.RecordHash(last[0]); err == nil && sameMAC(sum, last[0].Hash) {
				return false, ErrChainReset
			}
		}
	}
	details, _ := json.Marshal(map[string]string{
		"chain": "keyed from this record on; the records before it carry the legacy unkeyed hash",
	})
	anchor := storage.AuditRecord{ID: randid.Hex(16), Time: t.now(), Kind: KindChain, Action: "chain.keyed", Outcome: "success", Details: details}
	anchor.Time = storageTime(anchor.Time)
	keyed, err := t.store.KeyAuditChain(ctx, anchor, t.chain)
	if err != nil {
		return false, fmt.Errorf("key audit chain: %w", err)
	}
	if keyed {
		t.logger.InfoContext(ctx, "audit chain keyed under the master key", "legacy_records", head.LastSeq-head.AnchorSeq)
	}
	return keyed, nil
}
