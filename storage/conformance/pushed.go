package conformance

import (
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var pushedRequestTests = []namedTest{
	{"TakeOnce", testPushedTakeOnce},
	{"Expired", testPushedExpired},
	{"ConcurrentTake", testPushedConcurrentTake},
	{"Purged", testPushedPurged},
}

func pushedRequest(ref string, created time.Time, life time.Duration) storage.PushedRequest {
	sum := sha256.Sum256([]byte(ref))
	return storage.PushedRequest{
		RefHash: sum[:], ClientID: "fapi-app", Data: []byte{0x00, 0x01, 0xfe, 'p'},
		CreatedAt: created, ExpiresAt: created.Add(life),
	}
}

func testPushedTakeOnce(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	r := pushedRequest("ref-1", at, time.Minute)
	mustNoErr(t, "CreatePushedRequest", s.CreatePushedRequest(ctx, r))
	mustErrIs(t, "CreatePushedRequest again", s.CreatePushedRequest(ctx, r), storage.ErrAlreadyExists)

	got, err := s.TakePushedRequest(ctx, r.RefHash, at.Add(time.Second))
	mustNoErr(t, "TakePushedRequest", err)
	if got.ClientID != r.ClientID {
		t.Errorf("client: got %q, want %q", got.ClientID, r.ClientID)
	}
	sameBytes(t, "data", got.Data, r.Data)
	sameTime(t, "expires_at", got.ExpiresAt, r.ExpiresAt)

	_, err = s.TakePushedRequest(ctx, r.RefHash, at.Add(2*time.Second))
	mustErrIs(t, "TakePushedRequest again", err, storage.ErrAlreadyTaken)
	unknown := pushedRequest("ref-unknown", at, time.Minute)
	_, err = s.TakePushedRequest(ctx, unknown.RefHash, at)
	mustErrIs(t, "TakePushedRequest unknown", err, storage.ErrNotFound)
}

func testPushedExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	r := pushedRequest("ref-expiring", at, time.Minute)
	mustNoErr(t, "CreatePushedRequest", s.CreatePushedRequest(ctx, r))
	_, err := s.TakePushedRequest(ctx, r.RefHash, r.ExpiresAt)
	mustErrIs(t, "TakePushedRequest at expiry", err, storage.ErrNotFound)
}

// testPushedConcurrentTake: of many authorization requests racing for one
// request_uri, exactly one gets it.
func testPushedConcurrentTake(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	r := pushedRequest("ref-raced", at, time.Minute)
	mustNoErr(t, "CreatePushedRequest", s.CreatePushedRequest(ctx, r))
	const takers = 12
	errs := make([]error, takers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range takers {
		wg.Go(func() {
			<-start
			_, errs[i] = writer(s, i).TakePushedRequest(ctx, r.RefHash, at.Add(time.Second))
		})
	}
	close(start)
	wg.Wait()
	winners := 0
	for i, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, storage.ErrAlreadyTaken):
			t.Errorf("taker %d: unexpected error %v", i, err)
		}
	}
	if winners != 1 {
		t.Errorf("%d takers got the request; want exactly 1", winners)
	}
}

func testPushedPurged(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	old := pushedRequest("ref-old", at.Add(-time.Hour), time.Minute)
	live := pushedRequest("ref-live", at, time.Minute)
	mustNoErr(t, "CreatePushedRequest old", s.CreatePushedRequest(ctx, old))
	mustNoErr(t, "CreatePushedRequest live", s.CreatePushedRequest(ctx, live))
	if _, err := s.PurgeExpired(ctx, at); err != nil {
		t.Fatalf("PurgeExpired: %v", err)
	}
	// Purged, the old reference is unknown even to a clock that would find it live.
	_, err := s.TakePushedRequest(ctx, old.RefHash, old.CreatedAt)
	mustErrIs(t, "TakePushedRequest purged", err, storage.ErrNotFound)
	_, err = s.TakePushedRequest(ctx, live.RefHash, at)
	mustNoErr(t, "TakePushedRequest live", err)
}
