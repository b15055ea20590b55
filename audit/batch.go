package audit

import (
	"context"
	"time"

	"github.com/portvakt/portvakt/internal/groupcommit"
	"github.com/portvakt/portvakt/storage"
)

// batcher is group commit for the process's chain: a chain has one head, so
// its appends are serialized by the compare-and-swap of that head. Instead of
// one transaction per record, records that arrive while a batch is being
// written wait for the next batch; each caller still returns only once its
// record is committed.
type batcher struct {
	store storage.AuditLog
	chain storage.AuditChain
	// prepare names the chain a batch goes to and the records to write ahead
	// of it (an anchor when the chain was claimed just now).
	prepare func(ctx context.Context) (int64, []storage.AuditRecord, error)
	engine  *groupcommit.Engine[*pendingRecord]
}

type pendingRecord struct {
	rec storage.AuditRecord
	err error
}

// maxBatch bounds one transaction.
const maxBatch = 256

func newBatcher(store storage.AuditLog, chain storage.AuditChain, prepare func(context.Context) (int64, []storage.AuditRecord, error)) *batcher {
	b := &batcher{store: store, chain: chain, prepare: prepare}
	b.engine = groupcommit.New(maxBatch, b.write)
	return b
}

// append queues rec and waits until the batch holding it is committed.
func (b *batcher) append(ctx context.Context, rec storage.AuditRecord) error {
	p := &pendingRecord{rec: rec}
	t := b.engine.Add(p)
	select {
	case <-t.Done():
		if err := t.Err(); err != nil {
			return err
		}
		return p.err
	case <-ctx.Done():
		// The record is still written with its batch; the caller stops waiting.
		return ctx.Err()
	}
}

// write appends one batch to the chain in one transaction.
func (b *batcher) write(batch []*pendingRecord) {
	// Not the callers' contexts: one caller giving up must not lose the
	// records of the others.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	chainID, recs, err := b.prepare(ctx)
	if err == nil {
		for _, p := range batch {
			recs = append(recs, p.rec)
		}
		_, err = b.store.AppendAudit(ctx, chainID, recs, b.chain)
	}
	cancel()
	for _, p := range batch {
		p.err = err
	}
}
