package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// Concurrent writes on SQLite share commits: one that breaks a constraint or
// whose caller gave up must fail alone, and every other write must land.
func TestSQLiteConcurrentWritesFailAlone(t *testing.T) {
	s := openMigrated(t, sqliteConfig(t))
	ctx := t.Context()
	now := time.Now()
	request := func(id string) storage.AuthRequest {
		return storage.AuthRequest{ID: id, ClientID: "rp", Data: []byte(`{}`), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	const writers = 200
	// Every fifth write repeats an existing id; every seventh comes from a
	// caller that has already gone.
	for i := 0; i < writers; i += 5 {
		if err := s.CreateAuthRequest(ctx, request(fmt.Sprintf("dup-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	type outcome struct {
		id  string
		err error
	}
	results := make(chan outcome, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			id, wctx := fmt.Sprintf("req-%d", i), ctx
			switch {
			case i%5 == 0:
				id = fmt.Sprintf("dup-%d", i)
			case i%7 == 0:
				wctx = gone
			}
			results <- outcome{id, s.CreateAuthRequest(wctx, request(id))}
		})
	}
	wg.Wait()
	close(results)
	for r := range results {
		var want error
		switch {
		case r.id[:3] == "dup":
			want = storage.ErrAlreadyExists
		case r.err != nil && errors.Is(r.err, context.Canceled):
			if _, err := s.GetAuthRequest(ctx, r.id); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s: cancelled write was stored (get: %v)", r.id, err)
			}
			continue
		}
		if !errors.Is(r.err, want) {
			t.Errorf("create %s: %v, want %v", r.id, r.err, want)
			continue
		}
		if _, err := s.GetAuthRequest(ctx, r.id); err != nil {
			t.Errorf("get %s after its write: %v", r.id, err)
		}
	}
}
