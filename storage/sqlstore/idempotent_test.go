package sqlstore

import (
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// A compare-and-swap whose commit had an unknown outcome runs again with the
// same nonce; the row it already changed must count as its success, while any
// other caller still loses.
func TestRetriedCompareAndSwapRecognisesItsOwnWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *Store
	}{
		{"sqlite", openSQLiteForTest},
		{"mysql", openMySQLForTest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("ConsumeCode", func(t *testing.T) { testRetriedConsumeCode(t, tc.open(t)) })
			t.Run("ReplaceAuthRequest", func(t *testing.T) { testRetriedReplace(t, tc.open(t)) })
		})
	}
}

func testRetriedConsumeCode(t *testing.T, s *Store) {
	ctx := t.Context()
	code := sha256.Sum256([]byte("code of login-1"))
	now := time.Now()
	if err := s.CreateAuthRequest(ctx, storage.AuthRequest{ID: "login-1", ClientID: "rp", Data: []byte(`{}`),
		CodeHash: code[:], CodeExpiresAt: now.Add(time.Minute), ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.consumeCode(ctx, code[:], now, "nonce-legit"); err != nil {
		t.Fatalf("first redemption: %v", err)
	}
	r, err := s.consumeCode(ctx, code[:], now, "nonce-legit")
	if err != nil || r.ID != "login-1" {
		t.Errorf("the same redemption run again = %q, %v; want login-1 and no error", r.ID, err)
	}
	if _, err := s.consumeCode(ctx, code[:], now, "nonce-thief"); !errors.Is(err, storage.ErrCodeReused) {
		t.Errorf("a second redeemer got %v, want ErrCodeReused", err)
	}
}

func testRetriedReplace(t *testing.T, s *Store) {
	ctx := t.Context()
	now := time.Now()
	if err := s.CreateAuthRequest(ctx, storage.AuthRequest{ID: "login-2", ClientID: "rp", Data: []byte(`{"step":1}`),
		ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	read, err := s.GetAuthRequest(ctx, "login-2")
	if err != nil {
		t.Fatal(err)
	}
	next := read
	next.Data = []byte(`{"step":2}`)
	if _, err := s.replaceAuthRequest(ctx, next, "nonce-legit"); err != nil {
		t.Fatalf("first swap: %v", err)
	}
	got, err := s.replaceAuthRequest(ctx, next, "nonce-legit")
	if err != nil || got.Version != read.Version+1 {
		t.Errorf("the same swap run again = version %d, %v; want version %d and no error", got.Version, err, read.Version+1)
	}
	if _, err := s.replaceAuthRequest(ctx, next, "nonce-other"); !errors.Is(err, storage.ErrConflict) {
		t.Errorf("another writer from the same version got %v, want ErrConflict", err)
	}
}

func openSQLiteForTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), Config{Driver: DriverSQLite, DSN: filepath.Join(t.TempDir(), "portvakt.db")})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}
