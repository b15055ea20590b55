package audit

import (
	"context"
	"sync"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// batcher is group commit for the chain: the chain has one head, so appends are
// serialized by a lock the database holds until commit. Instead of one transaction
// per record, records that arrive while a batch is being written wait for the
// next batch; each caller still returns only once its record is committed.
type batcher struct {
	store storage.AuditLog
	chain storage.AuditChain

	mu      sync.Mutex
	queue   []*pendingRecord
	writing bool
}

type pendingRecord struct {
	rec  storage.AuditRecord
	done chan error
}

// maxBatch bounds one transaction.
const maxBatch = 256

// append queues rec and waits until the batch holding it is committed.
func (b *batcher) append(ctx context.Context, rec storage.AuditRecord) error {
	p := &pendingRecord{rec: rec, done: make(chan error, 1)}
	b.mu.Lock()
	b.queue = append(b.queue, p)
	start := !b.writing
	b.writing = true
	b.mu.Unlock()
	if start {
		go b.write(context.WithoutCancel(ctx))
	}
	select {
	case err := <-p.done:
		return err
	case <-ctx.Done():
		// The record is still written with its batch; the caller stops waiting.
		return ctx.Err()
	}
}

// write drains the queue batch by batch and stops when it is empty. ctx must not
// be cancelled by the caller that started it: one caller giving up must not lose
// the records of the others.
func (b *batcher) write(ctx context.Context) {
	for {
		b.mu.Lock()
		n := min(len(b.queue), maxBatch)
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		if n == 0 {
			b.writing = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		recs := make([]storage.AuditRecord, len(batch))
		for i, p := range batch {
			recs[i] = p.rec
		}
		batchCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := b.store.AppendAudit(batchCtx, recs, b.chain)
		cancel()
		for _, p := range batch {
			p.done <- err
		}
	}
}
