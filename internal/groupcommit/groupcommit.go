package groupcommit

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is what work gets that was still in line when the engine closed, or
// that came after.
var ErrClosed = errors.New("group commit closed")

// Engine queues jobs and hands them, at most max at a time and in arrival order,
// to commit on one goroutine, which runs only while there is work. Jobs that
// arrive while a batch commits wait for the next batch. commit reports each
// job's outcome in the job itself (J is usually a pointer).
type Engine[J any] struct {
	commit func(batch []J)
	max    int

	mu      sync.Mutex
	queue   []*entry[J]
	running bool
	idle    chan struct{} // closed when the running goroutine stops
	closed  bool
}

type entry[J any] struct {
	Ticket
	job J
}

// Ticket follows one job through the engine.
type Ticket struct {
	done  chan struct{}
	taken bool  // its batch has begun; guarded by the engine's mu
	err   error // ErrClosed, or nil once its batch is committed
}

// Done is closed once the job's batch has been committed, or the engine closed
// before the job was taken.
func (t *Ticket) Done() <-chan struct{} { return t.done }

// Err is, after Done, ErrClosed when the job never ran and nil when its batch
// was handed to commit.
func (t *Ticket) Err() error { return t.err }

// New returns an engine that commits batches of at most max jobs.
func New[J any](max int, commit func(batch []J)) *Engine[J] {
	return &Engine[J]{commit: commit, max: max}
}

// Add queues j; it runs with its batch whether or not anyone waits for it.
func (e *Engine[J]) Add(j J) *Ticket {
	en := &entry[J]{Ticket: Ticket{done: make(chan struct{})}, job: j}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		en.err = ErrClosed
		close(en.done)
		return &en.Ticket
	}
	e.queue = append(e.queue, en)
	if !e.running {
		e.running, e.idle = true, make(chan struct{})
		go e.run()
	}
	return &en.Ticket
}

// Do queues j and waits until its batch is committed. A caller whose ctx ends
// while j still waits in line withdraws it: j does not run and Do returns the
// context's error. Once the batch holding j has begun, Do waits for it, since
// commit may be writing into memory the caller owns.
func (e *Engine[J]) Do(ctx context.Context, j J) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := e.Add(j)
	select {
	case <-t.done:
		return t.err
	case <-ctx.Done():
	}
	e.mu.Lock()
	if !t.taken && t.err == nil {
		e.withdraw(t)
		e.mu.Unlock()
		return ctx.Err()
	}
	e.mu.Unlock()
	<-t.done
	return t.err
}

// withdraw takes t out of the line; the caller holds mu.
func (e *Engine[J]) withdraw(t *Ticket) {
	for i, en := range e.queue {
		if &en.Ticket == t {
			e.queue = append(e.queue[:i:i], e.queue[i+1:]...)
			return
		}
	}
}

// Close refuses new work, fails the work still in line with ErrClosed and waits
// for the batch being committed.
func (e *Engine[J]) Close() {
	e.mu.Lock()
	e.closed = true
	for _, en := range e.queue {
		en.err = ErrClosed
		close(en.done)
	}
	e.queue = nil
	idle, running := e.idle, e.running
	e.mu.Unlock()
	if running {
		<-idle
	}
}

// run commits batch after batch and stops when the line is empty.
func (e *Engine[J]) run() {
	for {
		e.mu.Lock()
		n := min(len(e.queue), e.max)
		if n == 0 {
			e.running = false
			close(e.idle)
			e.mu.Unlock()
			return
		}
		taken := e.queue[:n:n]
		e.queue = e.queue[n:]
		batch := make([]J, n)
		for i, en := range taken {
			en.taken = true
			batch[i] = en.job
		}
		e.mu.Unlock()
		e.commit(batch)
		for _, en := range taken {
			close(en.done)
		}
	}
}
