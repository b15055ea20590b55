package conformance

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/portvakt/portvakt/storage"
)

var authRequestTests = []namedTest{
	{"CreateGet", testAuthRequestCreateGet},
	{"Update", testAuthRequestUpdate},
	{"UpdateErrors", testAuthRequestUpdateErrors},
	{"ConcurrentUpdate", testAuthRequestConcurrentUpdate},
	{"Replace", testAuthRequestReplace},
	{"ReplaceIssuesCode", testAuthRequestReplaceIssuesCode},
	{"Expired", testAuthRequestExpired},
	{"Delete", testAuthRequestDelete},
}

func newAuthRequest(id string) storage.AuthRequest {
	return storage.AuthRequest{
		ID:        id,
		ClientID:  "rp",
		Data:      json.RawMessage(`{"redirect_uri":"https://rp.example/cb","state":"s-` + id + `"}`),
		CreatedAt: now(),
		ExpiresAt: future(),
	}
}

func testAuthRequestCreateGet(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	want := newAuthRequest("ar-1")
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, want))
	mustErrIs(t, "CreateAuthRequest duplicate", s.CreateAuthRequest(ctx, want), storage.ErrAlreadyExists)

	got, err := s.GetAuthRequest(ctx, "ar-1")
	mustNoErr(t, "GetAuthRequest", err)
	if got.ID != want.ID || got.ClientID != want.ClientID {
		t.Errorf("GetAuthRequest = %+v, want %+v", got, want)
	}
	sameJSON(t, "Data", got.Data, want.Data)
	if got.CodeHash != nil {
		t.Errorf("CodeHash = %x, want nil", got.CodeHash)
	}
	sameTime(t, "CodeUsedAt", got.CodeUsedAt, want.CodeUsedAt)
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "ExpiresAt", got.ExpiresAt, want.ExpiresAt)

	_, err = s.GetAuthRequest(ctx, "ar-unknown")
	mustErrIs(t, "GetAuthRequest unknown", err, storage.ErrNotFound)
}

func testAuthRequestUpdate(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	before, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)

	newData := json.RawMessage(`{"step":"identified"}`)
	newExpiry := farFuture()
	updated, err := s.UpdateAuthRequest(ctx, "ar", func(r storage.AuthRequest) (storage.AuthRequest, error) {
		if r.Version != before.Version {
			t.Errorf("updater saw version %d, want %d", r.Version, before.Version)
		}
		r.Data = newData
		r.ExpiresAt = newExpiry
		return r, nil
	})
	mustNoErr(t, "UpdateAuthRequest", err)
	if updated.Version <= before.Version {
		t.Errorf("Version after update = %d, want more than %d", updated.Version, before.Version)
	}
	sameJSON(t, "returned Data", updated.Data, newData)
	sameTime(t, "returned ExpiresAt", updated.ExpiresAt, newExpiry)

	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	sameJSON(t, "stored Data", got.Data, newData)
	sameTime(t, "stored ExpiresAt", got.ExpiresAt, newExpiry)
	if got.Version != updated.Version {
		t.Errorf("stored Version = %d, returned %d", got.Version, updated.Version)
	}
	if got.ID != "ar" || got.ClientID != "rp" {
		t.Errorf("identity changed: %+v", got)
	}
}

func testAuthRequestUpdateErrors(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	_, err := s.UpdateAuthRequest(ctx, "ar-unknown", func(r storage.AuthRequest) (storage.AuthRequest, error) {
		t.Error("updater called for an unknown request")
		return r, nil
	})
	mustErrIs(t, "UpdateAuthRequest unknown", err, storage.ErrNotFound)

	orig := newAuthRequest("ar")
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, orig))
	_, err = s.UpdateAuthRequest(ctx, "ar", func(r storage.AuthRequest) (storage.AuthRequest, error) {
		r.Data = json.RawMessage(`{"changed":true}`)
		return r, errUpdater
	})
	mustErrIs(t, "UpdateAuthRequest with failing updater", err, errUpdater)
	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	sameJSON(t, "Data after failed update", got.Data, orig.Data)
}

func testAuthRequestConcurrentUpdate(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	r := newAuthRequest("ar")
	r.Data = json.RawMessage(`[]`)
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, r))
	before, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)

	raceWriters(t, "concurrent UpdateAuthRequest", func(i int) error {
		_, err := writer(s, i).UpdateAuthRequest(ctx, "ar", func(r storage.AuthRequest) (storage.AuthRequest, error) {
			var err error
			r.Data, err = appendToList(r.Data, fmt.Sprint(i))
			return r, err
		})
		return err
	})
	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	if n := len(decodeList(t, got.Data)); n != writers {
		t.Errorf("data has %d items, want %d (updates lost): %s", n, writers, got.Data)
	}
	if got.Version != before.Version+writers {
		t.Errorf("Version = %d, want %d", got.Version, before.Version+writers)
	}
}

func testAuthRequestExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	r := newAuthRequest("ar-expired")
	r.CreatedAt = longAgo()
	r.ExpiresAt = past()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, r))
	_, err := s.GetAuthRequest(ctx, "ar-expired")
	mustErrIs(t, "GetAuthRequest expired", err, storage.ErrNotFound)
	_, err = s.UpdateAuthRequest(ctx, "ar-expired", func(r storage.AuthRequest) (storage.AuthRequest, error) {
		t.Error("updater called for an expired request")
		return r, nil
	})
	mustErrIs(t, "UpdateAuthRequest expired", err, storage.ErrNotFound)
}

func testAuthRequestDelete(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar-kept")))
	mustNoErr(t, "DeleteAuthRequest", s.DeleteAuthRequest(ctx, "ar"))
	_, err := s.GetAuthRequest(ctx, "ar")
	mustErrIs(t, "GetAuthRequest after delete", err, storage.ErrNotFound)
	_, err = s.GetAuthRequest(ctx, "ar-kept")
	mustNoErr(t, "GetAuthRequest of the other request", err)
	// Deleting is idempotent: a request may be deleted by cleanup and by the flow.
	mustNoErr(t, "DeleteAuthRequest again", s.DeleteAuthRequest(ctx, "ar"))
}

func testAuthRequestReplace(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	read, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)

	next := read
	next.Data = json.RawMessage(`{"step":"chosen"}`)
	stored, err := s.ReplaceAuthRequest(ctx, next)
	mustNoErr(t, "ReplaceAuthRequest at the read version", err)
	if stored.Version != read.Version+1 {
		t.Errorf("Version after replace = %d, want %d", stored.Version, read.Version+1)
	}
	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	sameJSON(t, "stored Data", got.Data, next.Data)
	if got.Version != stored.Version {
		t.Errorf("stored Version = %d, returned %d", got.Version, stored.Version)
	}

	// The version read before the replace is stale now: the write must not land.
	stale := read
	stale.Data = json.RawMessage(`{"step":"stale"}`)
	_, err = s.ReplaceAuthRequest(ctx, stale)
	mustErrIs(t, "ReplaceAuthRequest at a stale version", err, storage.ErrConflict)
	got, err = s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	sameJSON(t, "Data after a stale replace", got.Data, next.Data)

	unknown := newAuthRequest("ar-unknown")
	unknown.Version = 1
	_, err = s.ReplaceAuthRequest(ctx, unknown)
	mustErrIs(t, "ReplaceAuthRequest unknown", err, storage.ErrNotFound)

	expired := newAuthRequest("ar-expired")
	expired.CreatedAt, expired.ExpiresAt = longAgo(), past()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, expired))
	expired.Version, expired.ExpiresAt = 1, future()
	_, err = s.ReplaceAuthRequest(ctx, expired)
	mustErrIs(t, "ReplaceAuthRequest expired (even when extending it)", err, storage.ErrNotFound)
}

// A login that finishes issues its code in the same write; the code is then
// redeemable like any other.
func testAuthRequestReplaceIssuesCode(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar-other")))
	read, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)

	next := read
	next.Data = json.RawMessage(`{"step":"done"}`)
	next.CodeHash, next.CodeExpiresAt = hash("code"), future()
	_, err = s.ReplaceAuthRequest(ctx, next)
	mustNoErr(t, "ReplaceAuthRequest with a code", err)
	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	sameBytes(t, "CodeHash", got.CodeHash, hash("code"))
	sameTime(t, "CodeExpiresAt", got.CodeExpiresAt, next.CodeExpiresAt)

	other, err := s.GetAuthRequest(ctx, "ar-other")
	mustNoErr(t, "GetAuthRequest", err)
	other.CodeHash, other.CodeExpiresAt = hash("code"), future()
	_, err = s.ReplaceAuthRequest(ctx, other)
	mustErrIs(t, "ReplaceAuthRequest with a hash in use", err, storage.ErrAlreadyExists)

	consumed, err := s.ConsumeCode(ctx, hash("code"), now())
	mustNoErr(t, "ConsumeCode", err)
	if consumed.ID != "ar" {
		t.Errorf("ConsumeCode gave request %q, want ar", consumed.ID)
	}
	_, err = s.ConsumeCode(ctx, hash("code"), now())
	mustErrIs(t, "ConsumeCode again", err, storage.ErrCodeReused)
}
