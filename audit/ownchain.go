package audit

import (
	"context"
	"fmt"

	"github.com/portvakt/portvakt/storage"
)

// Chain is the chain this process appends to, 0 before its first append.
func (t *Trail) Chain() int64 { return t.slot.claimed() }

// prepareBatch claims the process's chain on the first batch, and then puts
// an anchor of the other chains ahead of that batch's records, so the chain
// is tied to the others from its start.
func (t *Trail) prepareBatch(ctx context.Context) (int64, []storage.AuditRecord, error) {
	chain, fresh, err := t.slot.claim(ctx)
	if err != nil || !fresh {
		return chain, nil, err
	}
	t.startTending()
	heads, err := t.anchorHeads(ctx, chain)
	if err != nil {
		// The periodic anchor makes up for it; the records go in now.
		t.logger.WarnContext(ctx, "anchor the other audit chains", "error", err)
		return chain, nil, nil
	}
	if len(heads) == 0 {
		return chain, nil, nil
	}
	t.logger.InfoContext(ctx, "appending to audit chain", "chain", chain, "other_chains", len(heads))
	return chain, []storage.AuditRecord{t.anchorRecord(heads)}, nil
}

func (t *Trail) startTending() {
	t.tendMu.Lock()
	defer t.tendMu.Unlock()
	if t.closed || t.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.stop = cancel
	t.tending.Go(func() { t.tend(ctx, t.renewEvery, t.anchorEvery) })
}

// Close stops renewing the chain lease and anchoring, and releases the lease
// so that the next process may take the chain.
func (t *Trail) Close(ctx context.Context) error {
	t.tendMu.Lock()
	t.closed = true
	stop := t.stop
	t.tendMu.Unlock()
	if stop != nil {
		stop()
	}
	t.tending.Wait()
	if err := t.slot.release(ctx); err != nil {
		return fmt.Errorf("release the audit chain: %w", err)
	}
	return nil
}
