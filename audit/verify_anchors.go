package audit

import (
	"context"
	"encoding/json"

	"github.com/portvakt/portvakt/storage"
)

// anchorRef is a head named by an anchor record: chain's record seq had hash,
// as the anchor at (fromChain, fromSeq) saw it.
type anchorRef struct {
	seq                int64
	hash               string
	fromChain, fromSeq int64
}

// note files the heads an anchor record names.
func (v *verification) note(r storage.AuditRecord) error {
	var d anchorDetails
	if err := json.Unmarshal(r.Details, &d); err != nil {
		return broken(r.Chain, r.Seq, r.ID, "an anchor whose heads cannot be read: %v", err)
	}
	for _, h := range d.Heads {
		ref := anchorRef{seq: h.Seq, hash: h.Hash, fromChain: r.Chain, fromSeq: r.Seq}
		if _, walked := v.heads[h.Chain]; walked || h.Chain == r.Chain {
			v.later[h.Chain] = append(v.later[h.Chain], ref)
			continue
		}
		if v.pending[h.Chain] == nil {
			v.pending[h.Chain] = map[int64][]anchorRef{}
		}
		v.pending[h.Chain][h.Seq] = append(v.pending[h.Chain][h.Seq], ref)
	}
	return nil
}

// resolve checks the anchor refs the walks could not: into chains walked
// before the anchor was met, into chains that are gone, or past or below a
// chain's kept records.
func (v *verification) resolve(ctx context.Context) error {
	for c, bySeq := range v.pending {
		for seq, refs := range bySeq {
			// Every chain with a head was walked: these name a chain that is gone.
			ref := refs[0]
			return broken(c, seq, "", "missing: the anchor at chain %d, record %d names this chain's record %d, and the chain is gone",
				ref.fromChain, ref.fromSeq, seq)
		}
	}
	for c, refs := range v.later {
		head, ok := v.heads[c]
		if !ok {
			ref := refs[0]
			return broken(c, ref.seq, "", "missing: the anchor at chain %d, record %d names this chain's record %d, and the chain is gone",
				ref.fromChain, ref.fromSeq, ref.seq)
		}
		for _, ref := range refs {
			if err := v.check(ctx, head, ref); err != nil {
				return err
			}
			v.rep.Anchors++
		}
	}
	return nil
}

// check holds one anchor ref against a walked chain.
func (v *verification) check(ctx context.Context, head storage.AuditHead, ref anchorRef) error {
	c := head.Chain
	switch {
	case ref.seq > head.LastSeq:
		return broken(c, head.LastSeq+1, "", "missing: the anchor at chain %d, record %d names record %d, the chain now ends at %d (cut back)",
			ref.fromChain, ref.fromSeq, ref.seq, head.LastSeq)
	case ref.seq < head.AnchorSeq:
		return nil // purged; the chain verified from its anchor on
	case ref.seq == head.AnchorSeq:
		if ref.hash != head.AnchorHash {
			return broken(c, ref.seq, "", "the purge anchor is not the record the anchor at chain %d, record %d names", ref.fromChain, ref.fromSeq)
		}
		return nil
	}
	recs, err := v.t.store.ListAuditChain(ctx, c, ref.seq-1, 1)
	if err != nil {
		return err
	}
	if len(recs) == 1 && recs[0].Seq == ref.seq {
		if recs[0].Hash != ref.hash {
			return broken(c, ref.seq, recs[0].ID, "is not the record the anchor at chain %d, record %d names", ref.fromChain, ref.fromSeq)
		}
		return nil
	}
	// Gone since the walk: only a purge may have taken it.
	now, err := v.t.store.AuditHead(ctx, c)
	if err == nil && now.AnchorSeq >= ref.seq {
		return nil
	}
	return broken(c, ref.seq, "", "missing: the anchor at chain %d, record %d names it", ref.fromChain, ref.fromSeq)
}
