package conformance

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// Fixture times: far enough from now that no test can straddle an expiry.
func now() time.Time       { return time.Now() }
func future() time.Time    { return time.Now().Add(time.Hour) }
func past() time.Time      { return time.Now().Add(-time.Hour) }
func longAgo() time.Time   { return time.Now().Add(-48 * time.Hour) }
func farFuture() time.Time { return time.Now().Add(48 * time.Hour) }

var errUpdater = errors.New("updater refused")

func mustNoErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

func mustErrIs(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error = %v, want %v", what, err, want)
	}
}

// sameTime compares at millisecond precision, the least a store must keep.
func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if got.IsZero() != want.IsZero() || (!want.IsZero() && got.UnixMilli() != want.UnixMilli()) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// sameJSON compares documents by meaning: a store may reformat them.
func sameJSON(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if len(want) == 0 {
		if len(got) != 0 {
			t.Errorf("%s = %s, want empty", what, got)
		}
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("%s = %q: not JSON: %v", what, got, err)
		return
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: fixture is not JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func sameBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s = %x, want %x", what, got, want)
	}
}

func sameStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

// appendToList is an updater body: it adds item to a JSON array of strings.
func appendToList(doc json.RawMessage, item string) (json.RawMessage, error) {
	var list []string
	if len(doc) > 0 {
		if err := json.Unmarshal(doc, &list); err != nil {
			return nil, err
		}
	}
	return json.Marshal(append(list, item))
}

func decodeList(t *testing.T, doc []byte) []string {
	t.Helper()
	var list []string
	if err := json.Unmarshal(doc, &list); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	return list
}

// hash is a fixture code hash.
func hash(seed string) []byte {
	h := sha256.Sum256([]byte(seed))
	return h[:]
}

// writers is how many read-modify-writes raceWriters runs at once. A
// compare-and-swap loses only to a writer that won, so each of ten writers wins
// within ten attempts, the retries a store owes its callers; with more writers
// than that a store may rightly give up with ErrConflict.
const writers = 10

// raceWriters runs write(0) ... write(writers-1) at once and fails the test on
// any error.
func raceWriters(t *testing.T, what string, write func(i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() { errs <- write(i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustNoErr(t, what, err)
	}
}
