package groupcommit

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
)

// gate is a committer that records its batches and, while held, blocks inside
// a commit, so a test can line jobs up behind it.
type gate struct {
	mu      sync.Mutex
	batches [][]int
	started chan int // the first job of each batch, as it starts
	release chan struct{}
	held    atomic.Bool
}

func newGate() *gate {
	return &gate{started: make(chan int, 100), release: make(chan struct{})}
}

func (g *gate) commit(batch []*int) {
	ids := make([]int, len(batch))
	for i, j := range batch {
		ids[i] = *j
		*j = -*j // the job's outcome, written while its caller may wait
	}
	g.mu.Lock()
	g.batches = append(g.batches, ids)
	g.mu.Unlock()
	g.started <- ids[0]
	if g.held.Load() {
		<-g.release
	}
}

func (g *gate) committed() [][]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.batches)
}

// waitInLine spins until n jobs wait in e's line.
func waitInLine[J any](e *Engine[J], n int) {
	for {
		e.mu.Lock()
		l := len(e.queue)
		e.mu.Unlock()
		if l == n {
			return
		}
		runtime.Gosched()
	}
}

func job(id int) *int { return &id }

func TestBatchesInOrderAndBounded(t *testing.T) {
	g := newGate()
	g.held.Store(true)
	e := New(3, g.commit)
	first := e.Add(job(1))
	<-g.started // job 1 commits alone; the rest line up behind it
	var tickets []*Ticket
	for id := 2; id <= 6; id++ {
		tickets = append(tickets, e.Add(job(id)))
	}
	g.held.Store(false)
	close(g.release)
	for _, tk := range append(tickets, first) {
		<-tk.Done()
		if tk.Err() != nil {
			t.Errorf("ticket error %v", tk.Err())
		}
	}
	want := [][]int{{1}, {2, 3, 4}, {5, 6}}
	if got := g.committed(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("batches %v, want %v", got, want)
	}
}

func TestDo(t *testing.T) {
	tests := []struct {
		name string
		// cancel ends the caller's context: "before" it calls, "in line" while the
		// job waits behind another batch, "running" while its own batch commits.
		cancel  string
		wantErr error
		ran     bool
	}{
		{"waits for its batch", "", nil, true},
		{"gone before calling", "before", context.Canceled, false},
		{"withdrawn while in line", "in line", context.Canceled, false},
		{"waits for a batch that has begun", "running", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGate()
			g.held.Store(true)
			e := New(8, g.commit)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			blocker := e.Add(job(1))
			<-g.started
			if tt.cancel == "running" {
				// Let the blocker finish so the job under test starts its own batch.
				g.release <- struct{}{}
				<-blocker.Done()
			}
			if tt.cancel == "before" {
				cancel()
			}
			j := job(2)
			result := make(chan error, 1)
			go func() { result <- e.Do(ctx, j) }()
			var err error
			switch tt.cancel {
			case "in line":
				waitInLine(e, 1)
				cancel()
				err = <-result // returns while the blocker still commits
				close(g.release)
			case "running":
				<-g.started
				cancel()
				select {
				case err := <-result:
					t.Fatalf("Do returned %v while its batch was committing", err)
				default:
				}
				close(g.release)
				err = <-result
			default:
				close(g.release)
				err = <-result
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Do = %v, want %v", err, tt.wantErr)
			}
			<-blocker.Done()
			e.Close()
			ran := slices.ContainsFunc(g.committed(), func(b []int) bool { return slices.Contains(b, 2) })
			if ran != tt.ran || ran != (*j == -2) {
				t.Errorf("job ran %v (outcome %d), want %v", ran, *j, tt.ran)
			}
		})
	}
}

func TestClose(t *testing.T) {
	g := newGate()
	g.held.Store(true)
	e := New(8, g.commit)
	running := e.Add(job(1))
	<-g.started
	inLine := e.Add(job(2))
	closed := make(chan struct{})
	go func() { e.Close(); close(closed) }()
	<-inLine.Done() // failed at once, not after the running batch
	if !errors.Is(inLine.Err(), ErrClosed) {
		t.Errorf("job in line: %v, want ErrClosed", inLine.Err())
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a batch was committing")
	default:
	}
	close(g.release)
	<-closed
	<-running.Done()
	if running.Err() != nil {
		t.Errorf("running job: %v", running.Err())
	}
	if err := e.Do(t.Context(), job(3)); !errors.Is(err, ErrClosed) {
		t.Errorf("Do after Close = %v, want ErrClosed", err)
	}
	if got := g.committed(); !slices.EqualFunc(got, [][]int{{1}}, slices.Equal) {
		t.Errorf("batches %v, want only the running one", got)
	}
}

func TestConcurrentCallersAllCommitted(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]bool{}
	e := New(16, func(batch []*int) {
		if len(batch) > 16 {
			t.Errorf("batch of %d", len(batch))
		}
		mu.Lock()
		defer mu.Unlock()
		for _, j := range batch {
			seen[*j] = true
		}
	})
	var wg sync.WaitGroup
	for i := range 500 {
		wg.Go(func() {
			if err := e.Do(t.Context(), job(i)); err != nil {
				t.Errorf("Do(%d): %v", i, err)
			}
		})
	}
	wg.Wait()
	e.Close()
	if len(seen) != 500 {
		t.Errorf("%d jobs committed, want 500", len(seen))
	}
}
