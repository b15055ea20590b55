package conformance

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var evidenceTests = []namedTest{
	{"CreateGet", testEvidenceCreateGet},
	{"Expired", testEvidenceExpired},
	{"Purge", testEvidencePurge},
	{"PurgeBatches", testEvidencePurgeBatches},
	{"ConcurrentPurge", testEvidenceConcurrentPurge},
	{"NotPurgedByPurgeExpired", testEvidenceKeptByPurgeExpired},
}

var evidenceKeyTests = []namedTest{
	{"RotateFenced", testEvidenceKeyRotateFenced},
	{"RetiredKeptForever", testEvidenceKeysKept},
}

func evidenceRecord(id, client string, created time.Time, life time.Duration) storage.EvidenceRecord {
	return storage.EvidenceRecord{
		ID: id, ClientID: client, Data: []byte{0x01, 0x00, 0xff, 's', 'e', 'v'},
		CreatedAt: created, ExpiresAt: created.Add(life),
	}
}

func testEvidenceCreateGet(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	r := evidenceRecord("sev_one", "app", at, 24*time.Hour)
	mustNoErr(t, "CreateEvidence", s.CreateEvidence(ctx, r))
	mustErrIs(t, "CreateEvidence again", s.CreateEvidence(ctx, r), storage.ErrAlreadyExists)
	got, err := s.GetEvidence(ctx, r.ID, at)
	mustNoErr(t, "GetEvidence", err)
	if got.ID != r.ID || got.ClientID != r.ClientID {
		t.Errorf("GetEvidence = %q of %q, want %q of %q", got.ID, got.ClientID, r.ID, r.ClientID)
	}
	sameBytes(t, "data", got.Data, r.Data)
	sameTime(t, "created_at", got.CreatedAt, r.CreatedAt)
	sameTime(t, "expires_at", got.ExpiresAt, r.ExpiresAt)
	_, err = s.GetEvidence(ctx, "sev_unknown", at)
	mustErrIs(t, "GetEvidence unknown", err, storage.ErrNotFound)
}

// testEvidenceExpired: expired evidence is gone for readers before the purge
// deletes it.
func testEvidenceExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	r := evidenceRecord("sev_expiring", "app", at, time.Hour)
	mustNoErr(t, "CreateEvidence", s.CreateEvidence(ctx, r))
	_, err := s.GetEvidence(ctx, r.ID, r.ExpiresAt.Add(-time.Millisecond))
	mustNoErr(t, "GetEvidence before expiry", err)
	_, err = s.GetEvidence(ctx, r.ID, r.ExpiresAt)
	mustErrIs(t, "GetEvidence at expiry", err, storage.ErrNotFound)
}

func testEvidencePurge(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	old := evidenceRecord("sev_old", "app-a", at.Add(-2*time.Hour), time.Hour)
	live := evidenceRecord("sev_live", "app-b", at, time.Hour)
	mustNoErr(t, "CreateEvidence old", s.CreateEvidence(ctx, old))
	mustNoErr(t, "CreateEvidence live", s.CreateEvidence(ctx, live))
	purged, err := s.PurgeEvidence(ctx, at, 100)
	mustNoErr(t, "PurgeEvidence", err)
	if len(purged) != 1 || purged[0].ID != old.ID || purged[0].ClientID != old.ClientID {
		t.Fatalf("PurgeEvidence = %+v, want only %s of %s", purged, old.ID, old.ClientID)
	}
	sameTime(t, "purged created_at", purged[0].CreatedAt, old.CreatedAt)
	_, err = s.GetEvidence(ctx, old.ID, old.CreatedAt)
	mustErrIs(t, "GetEvidence purged (read as of before its expiry)", err, storage.ErrNotFound)
	_, err = s.GetEvidence(ctx, live.ID, at)
	mustNoErr(t, "GetEvidence live", err)
	again, err := s.PurgeEvidence(ctx, at, 100)
	mustNoErr(t, "PurgeEvidence again", err)
	if len(again) != 0 {
		t.Errorf("PurgeEvidence again = %+v, want nothing", again)
	}
}

// testEvidencePurgeBatches: a limit bounds one call; calls until a short batch
// delete everything expired, each record once.
func testEvidencePurgeBatches(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	const n = 7
	for i := range n {
		mustNoErr(t, "CreateEvidence", s.CreateEvidence(ctx, evidenceRecord(fmt.Sprintf("sev_%02d", i), "app", at.Add(-time.Hour), time.Minute)))
	}
	var ids []string
	for range n {
		batch, err := s.PurgeEvidence(ctx, at, 3)
		mustNoErr(t, "PurgeEvidence", err)
		if len(batch) > 3 {
			t.Fatalf("PurgeEvidence with limit 3 deleted %d", len(batch))
		}
		for _, p := range batch {
			ids = append(ids, p.ID)
		}
		if len(batch) < 3 {
			break
		}
	}
	slices.Sort(ids)
	if len(ids) != n || len(slices.Compact(slices.Clone(ids))) != n {
		t.Errorf("purged %v, want each of %d records once", ids, n)
	}
}

// testEvidenceConcurrentPurge: purges racing in several processes report each
// record exactly once between them.
func testEvidenceConcurrentPurge(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	const n = 20
	for i := range n {
		mustNoErr(t, "CreateEvidence", s.CreateEvidence(ctx, evidenceRecord(fmt.Sprintf("sev_race_%02d", i), "app", at.Add(-time.Hour), time.Minute)))
	}
	var (
		mu  sync.Mutex
		ids []string
	)
	raceWriters(t, "PurgeEvidence", func(i int) error {
		for {
			batch, err := writer(s, i).PurgeEvidence(ctx, at, 4)
			if err != nil {
				return err
			}
			mu.Lock()
			for _, p := range batch {
				ids = append(ids, p.ID)
			}
			mu.Unlock()
			if len(batch) < 4 {
				return nil
			}
		}
	})
	slices.Sort(ids)
	if len(ids) != n || len(slices.Compact(slices.Clone(ids))) != n {
		t.Errorf("racing purges reported %d records (%v), want each of %d once", len(ids), ids, n)
	}
}

// testEvidenceKeptByPurgeExpired: the general purge leaves evidence alone, so
// every deletion goes through PurgeEvidence and is audited.
func testEvidenceKeptByPurgeExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	at := now().Truncate(time.Millisecond)
	r := evidenceRecord("sev_kept", "app", at.Add(-2*time.Hour), time.Hour)
	mustNoErr(t, "CreateEvidence", s.CreateEvidence(ctx, r))
	_, err := s.PurgeExpired(ctx, at)
	mustNoErr(t, "PurgeExpired", err)
	purged, err := s.PurgeEvidence(ctx, at, 10)
	mustNoErr(t, "PurgeEvidence", err)
	if len(purged) != 1 {
		t.Errorf("PurgeEvidence after PurgeExpired = %+v, want the record", purged)
	}
}

func evidenceKey(id string, created time.Time) storage.EvidenceKey {
	return storage.EvidenceKey{
		ID: id, Algorithm: "ES256", PrivateKey: []byte("sealed-" + id),
		PublicJWK: json.RawMessage(`{"kty":"EC","kid":"` + id + `"}`), CreatedAt: created.Truncate(time.Millisecond),
	}
}

// testEvidenceKeyRotateFenced: a rotation writes only while its lease is held
// under the same token, and bumps the generation.
func testEvidenceKeyRotateFenced(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	first, err := s.AcquireLease(ctx, "evidence-keys", "a", -time.Minute)
	mustNoErr(t, "AcquireLease a", err)
	mustErrIs(t, "RotateEvidenceKey under an expired lease",
		s.RotateEvidenceKey(ctx, first, evidenceKey("ek-a", now()), nil, now()), storage.ErrLeaseLost)

	second, err := s.AcquireLease(ctx, "evidence-keys", "b", time.Minute)
	mustNoErr(t, "AcquireLease b", err)
	mustErrIs(t, "RotateEvidenceKey by the holder the lease moved on from",
		s.RotateEvidenceKey(ctx, first, evidenceKey("ek-a", now()), nil, now()), storage.ErrLeaseLost)

	g0 := generation(t, s, "evidence_keys")
	k1 := evidenceKey("ek-1", past())
	mustNoErr(t, "RotateEvidenceKey first", s.RotateEvidenceKey(ctx, second, k1, nil, now()))
	if g := generation(t, s, "evidence_keys"); g <= g0 {
		t.Errorf("evidence_keys generation after RotateEvidenceKey = %d, was %d", g, g0)
	}
	mustErrIs(t, "RotateEvidenceKey same id", s.RotateEvidenceKey(ctx, second, k1, nil, now()), storage.ErrAlreadyExists)
	retiredAt := now().Truncate(time.Millisecond)
	mustNoErr(t, "RotateEvidenceKey second", s.RotateEvidenceKey(ctx, second, evidenceKey("ek-2", now()), []string{"ek-1"}, retiredAt))

	keys, err := s.ListEvidenceKeys(ctx)
	mustNoErr(t, "ListEvidenceKeys", err)
	if len(keys) != 2 || keys[0].ID != "ek-2" || keys[1].ID != "ek-1" {
		t.Fatalf("ListEvidenceKeys = %v, want ek-2 then ek-1", keyIDs(keys))
	}
	if !keys[0].RetiredAt.IsZero() {
		t.Errorf("ek-2 retired at %v, want current", keys[0].RetiredAt)
	}
	sameTime(t, "ek-1 retired_at", keys[1].RetiredAt, retiredAt)
	sameBytes(t, "ek-1 private key", keys[1].PrivateKey, k1.PrivateKey)
	sameJSON(t, "ek-1 public jwk", keys[1].PublicJWK, k1.PublicJWK)
	sameTime(t, "ek-1 created_at", keys[1].CreatedAt, k1.CreatedAt)
}

// testEvidenceKeysKept: retired evidence keys outlive any purge; evidence
// lasts years and must stay verifiable.
func testEvidenceKeysKept(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	lease, err := s.AcquireLease(ctx, "evidence-keys", "a", time.Minute)
	mustNoErr(t, "AcquireLease", err)
	mustNoErr(t, "RotateEvidenceKey", s.RotateEvidenceKey(ctx, lease, evidenceKey("ek-old", longAgo()), nil, longAgo()))
	mustNoErr(t, "RotateEvidenceKey", s.RotateEvidenceKey(ctx, lease, evidenceKey("ek-new", past()), []string{"ek-old"}, longAgo()))
	_, err = s.PurgeExpired(ctx, farFuture().Add(100*365*24*time.Hour))
	mustNoErr(t, "PurgeExpired", err)
	keys, err := s.ListEvidenceKeys(ctx)
	mustNoErr(t, "ListEvidenceKeys", err)
	if len(keys) != 2 {
		t.Errorf("ListEvidenceKeys after a purge = %v, want both keys", keyIDs(keys))
	}
}

func keyIDs(keys []storage.EvidenceKey) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.ID
	}
	return ids
}
