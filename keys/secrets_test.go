package keys

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
)

func TestSecretCreatedOnceAcrossManagers(t *testing.T) {
	f := newFixture(t)
	const managers, goroutines = 3, 8
	results := make([][]byte, managers*goroutines)
	errs := make([]error, len(results))
	var wg sync.WaitGroup
	for i := range managers {
		m := f.manager(fmt.Sprintf("process-%d", i))
		for j := range goroutines {
			n := i*goroutines + j
			wg.Go(func() { results[n], errs[n] = m.Secret(context.Background(), "subject-hmac", 32) })
		}
	}
	wg.Wait()
	for i := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(results[i], results[0]) {
			t.Fatalf("caller %d got a different secret", i)
		}
	}
	if len(results[0]) != 32 || bytes.Equal(results[0], make([]byte, 32)) {
		t.Fatalf("secret = %x", results[0])
	}

	stored := f.store.secrets["subject-hmac"]
	if bytes.Contains(stored, results[0]) {
		t.Fatal("secret stored in clear")
	}
	opened, err := f.sealer.Open(stored, []byte("subject-hmac"))
	if err != nil || !bytes.Equal(opened, results[0]) {
		t.Fatalf("stored secret does not open under its name: %v", err)
	}
}

func TestSecretLosingCreatorReadsWinner(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	winner := f.manager("winner")
	var winnerValue []byte
	var once sync.Once
	f.store.afterSecretMiss = func(name string) {
		// Another process creates the secret between our read and our create.
		once.Do(func() {
			f.store.afterSecretMiss = nil
			var err error
			if winnerValue, err = winner.Secret(ctx, name, 64); err != nil {
				t.Error(err)
			}
		})
	}
	loser := f.manager("loser")
	got, err := loser.Secret(ctx, "cookie-hash", 64)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, winnerValue) {
		t.Fatal("loser did not adopt the winner's secret")
	}
}

func TestSecretIsCachedAndCopied(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.manager("one")
	first, err := m.Secret(ctx, "cookie-block", 32)
	if err != nil {
		t.Fatal(err)
	}
	first[0] ^= 0xff
	calls := f.store.calls.Load()
	second, err := m.Secret(ctx, "cookie-block", 32)
	if err != nil {
		t.Fatal(err)
	}
	if f.store.calls.Load() != calls {
		t.Error("cached secret read storage again")
	}
	if second[0] == first[0] {
		t.Error("caller's change leaked into the cache")
	}
	other, err := m.Secret(ctx, "op-crypto", 32)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other, second) {
		t.Error("two names share a value")
	}
}

func TestSecretRejects(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m := f.manager("one")
	if _, err := m.Secret(ctx, "subject-hmac", 32); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		size int
	}{
		{"subject-hmac", 16}, // size differs from the stored value
		{"", 32},
		{"x", 0},
		{"x", -1},
		{"x", 1 << 20},
	}
	for _, tt := range tests {
		if _, err := m.Secret(ctx, tt.name, tt.size); err == nil {
			t.Errorf("Secret(%q, %d) succeeded", tt.name, tt.size)
		}
	}
	// A secret sealed under another name (a swapped row) is refused.
	f.store.secrets["cookie-hash"] = f.store.secrets["subject-hmac"]
	if _, err := f.manager("two").Secret(ctx, "cookie-hash", 32); err == nil {
		t.Error("accepted a secret sealed under another name")
	}
}
