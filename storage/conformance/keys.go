package conformance

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var keyTests = []namedTest{
	{"CreateList", testKeyCreateList},
	{"Retire", testKeyRetire},
	{"Generation", testKeyGeneration},
}

func newKey(id string, createdAt time.Time) storage.SigningKey {
	return storage.SigningKey{
		ID:         id,
		Algorithm:  "ES256",
		PrivateKey: []byte("encrypted private key of " + id),
		PublicJWK:  json.RawMessage(`{"kty":"EC","crv":"P-256","kid":"` + id + `","x":"AA","y":"AA"}`),
		CreatedAt:  createdAt,
	}
}

func testKeyCreateList(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	base := now().Add(-3 * time.Hour)
	for _, id := range []string{"key-old", "key-new", "key-mid"} {
		offset := map[string]time.Duration{"key-old": 0, "key-mid": time.Hour, "key-new": 2 * time.Hour}[id]
		mustNoErr(t, "CreateKey "+id, s.CreateKey(ctx, newKey(id, base.Add(offset))))
	}
	mustErrIs(t, "CreateKey duplicate", s.CreateKey(ctx, newKey("key-old", base)), storage.ErrAlreadyExists)

	keys, err := s.ListKeys(ctx)
	mustNoErr(t, "ListKeys", err)
	var ids []string
	for _, k := range keys {
		ids = append(ids, k.ID)
	}
	sameStrings(t, "ListKeys order (newest first)", ids, []string{"key-new", "key-mid", "key-old"})

	want := newKey("key-new", base.Add(2*time.Hour))
	got := keys[0]
	if got.Algorithm != want.Algorithm {
		t.Errorf("Algorithm = %q, want %q", got.Algorithm, want.Algorithm)
	}
	sameBytes(t, "PrivateKey", got.PrivateKey, want.PrivateKey)
	sameJSON(t, "PublicJWK", got.PublicJWK, want.PublicJWK)
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	if !got.RetiredAt.IsZero() || !got.ExpiresAt.IsZero() {
		t.Errorf("current key has RetiredAt %v, ExpiresAt %v; want zero", got.RetiredAt, got.ExpiresAt)
	}
}

func testKeyRetire(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateKey", s.CreateKey(ctx, newKey("key-a", past())))
	mustNoErr(t, "CreateKey", s.CreateKey(ctx, newKey("key-b", past())))

	retiredAt, expiresAt := now(), future()
	mustNoErr(t, "RetireKey", s.RetireKey(ctx, "key-a", retiredAt, expiresAt))
	mustErrIs(t, "RetireKey again", s.RetireKey(ctx, "key-a", now(), farFuture()), storage.ErrNotFound)
	mustErrIs(t, "RetireKey unknown", s.RetireKey(ctx, "key-unknown", now(), future()), storage.ErrNotFound)

	// A retired key stays listed until it expires.
	keys, err := s.ListKeys(ctx)
	mustNoErr(t, "ListKeys", err)
	found := false
	for _, k := range keys {
		if k.ID == "key-a" {
			found = true
			sameTime(t, "RetiredAt", k.RetiredAt, retiredAt)
			sameTime(t, "ExpiresAt", k.ExpiresAt, expiresAt)
		}
	}
	if !found || len(keys) != 2 {
		t.Errorf("ListKeys = %d keys (key-a listed: %v), want both keys", len(keys), found)
	}

	// An expired key is no longer listed.
	mustNoErr(t, "RetireKey", s.RetireKey(ctx, "key-b", longAgo(), past()))
	keys, err = s.ListKeys(ctx)
	mustNoErr(t, "ListKeys", err)
	if len(keys) != 1 || keys[0].ID != "key-a" {
		t.Errorf("ListKeys after key-b expired = %+v, want only key-a", keys)
	}
}

func testKeyGeneration(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	g0 := generation(t, s, "keys")
	mustNoErr(t, "CreateKey", s.CreateKey(ctx, newKey("key", past())))
	g1 := generation(t, s, "keys")
	if g1 <= g0 {
		t.Errorf("keys generation after CreateKey = %d, was %d", g1, g0)
	}
	mustNoErr(t, "RetireKey", s.RetireKey(ctx, "key", now(), future()))
	if g2 := generation(t, s, "keys"); g2 <= g1 {
		t.Errorf("keys generation after RetireKey = %d, was %d", g2, g1)
	}
}
