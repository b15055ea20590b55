package conformance

import (
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var purgeTests = []namedTest{
	{"PurgeExpired", testPurgeExpired},
}

var pingTests = []namedTest{
	{"Ping", func(t *testing.T, s storage.Storage) { mustNoErr(t, "Ping", s.Ping(t.Context())) }},
}

// testPurgeExpired writes one expired and one live record of each expiring kind,
// purges, and checks exactly the expired ones went.
func testPurgeExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()

	// Auth requests.
	expiredAR := newAuthRequest("ar-expired")
	expiredAR.CreatedAt, expiredAR.ExpiresAt = longAgo(), past()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, expiredAR))
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar-live")))

	// Tokens.
	expiredTok := newToken("tok-expired", "rp", "sub", "ar-expired")
	expiredTok.CreatedAt, expiredTok.ExpiresAt = longAgo(), past()
	mustNoErr(t, "CreateToken", s.CreateToken(ctx, expiredTok))
	mustNoErr(t, "CreateToken", s.CreateToken(ctx, newToken("tok-live", "rp", "sub", "ar-live")))

	// Sessions.
	mustNoErr(t, "CommitSession", s.CommitSession(ctx, "sess-expired", []byte("x"), past()))
	mustNoErr(t, "CommitSession", s.CommitSession(ctx, "sess-live", []byte("y"), future()))

	// Leases: one taken already expired.
	if !acquire(t, s, "lease-expired", "a", -time.Minute) || !acquire(t, s, "lease-live", "a", time.Hour) {
		t.Fatal("could not take free leases")
	}

	// Rate counters.
	oldWindow := longAgo().Truncate(time.Minute)
	if _, err := s.Hit(ctx, "key", oldWindow, oldWindow.Add(time.Minute)); err != nil {
		t.Fatalf("Hit: %v", err)
	}
	liveWindow := now().Truncate(time.Minute)
	if _, err := s.Hit(ctx, "key", liveWindow, liveWindow.Add(time.Hour)); err != nil {
		t.Fatalf("Hit: %v", err)
	}

	// Keys: one current, one retired but still published, one past its expiry.
	for _, id := range []string{"key-current", "key-retired", "key-expired"} {
		mustNoErr(t, "CreateKey", s.CreateKey(ctx, newKey(id, longAgo())))
	}
	mustNoErr(t, "RetireKey", s.RetireKey(ctx, "key-retired", past(), future()))
	mustNoErr(t, "RetireKey", s.RetireKey(ctx, "key-expired", longAgo(), past()))

	// Kinds that never expire.
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, newClient("rp")))
	mustNoErr(t, "CreateSecret", s.CreateSecret(ctx, "secret", []byte("s")))

	const expiredRows = 6
	n, err := s.PurgeExpired(ctx, now())
	mustNoErr(t, "PurgeExpired", err)
	if n != expiredRows {
		t.Errorf("PurgeExpired removed %d rows, want %d", n, expiredRows)
	}
	n, err = s.PurgeExpired(ctx, now())
	mustNoErr(t, "PurgeExpired again", err)
	if n != 0 {
		t.Errorf("second PurgeExpired removed %d rows, want 0", n)
	}

	// The live records are all still there.
	_, err = s.GetAuthRequest(ctx, "ar-live")
	mustNoErr(t, "GetAuthRequest live", err)
	_, err = s.GetToken(ctx, "tok-live")
	mustNoErr(t, "GetToken live", err)
	if _, found, err := s.FindSession(ctx, "sess-live"); err != nil || !found {
		t.Errorf("live session: found %v, err %v", found, err)
	}
	if acquire(t, s, "lease-live", "b", time.Minute) {
		t.Error("the live lease was purged")
	}
	if got, err := s.Hit(ctx, "key", liveWindow, liveWindow.Add(time.Hour)); err != nil || got != 2 {
		t.Errorf("live counter after purge: hit returned %d, %v; want 2", got, err)
	}
	if got, err := s.Hit(ctx, "key", oldWindow, oldWindow.Add(time.Minute)); err != nil || got != 1 {
		t.Errorf("expired counter after purge: hit returned %d, %v; want 1 (a new counter)", got, err)
	}
	keys, err := s.ListKeys(ctx)
	mustNoErr(t, "ListKeys", err)
	if len(keys) != 2 {
		t.Errorf("ListKeys after purge has %d keys, want 2 (current and retired)", len(keys))
	}
	_, err = s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient after purge", err)
	_, err = s.GetSecret(ctx, "secret")
	mustNoErr(t, "GetSecret after purge", err)

	// A later purge takes what has expired by then.
	n, err = s.PurgeExpired(ctx, now().Add(72*time.Hour))
	mustNoErr(t, "PurgeExpired later", err)
	// ar-live, tok-live, sess-live, lease-live, two counters (the old window's
	// was recreated), key-retired. Members of a cluster count in shards of
	// their own, so the live window's two hits may be two rows.
	if n != 7 && (!isCluster(s) || n != 8) {
		t.Errorf("later PurgeExpired removed %d rows, want 7", n)
	}
}
