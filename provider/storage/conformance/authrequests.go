package conformance

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/portvakt/portvakt/provider/storage"
)

var authRequestTests = []namedTest{
	{"CreateGet", testAuthRequestCreateGet},
	{"Update", testAuthRequestUpdate},
	{"UpdateErrors", testAuthRequestUpdateErrors},
	{"ConcurrentUpdate", testAuthRequestConcurrentUpdate},
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

	const writers = 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			_, err := s.UpdateAuthRequest(ctx, "ar", func(r storage.AuthRequest) (storage.AuthRequest, error) {
				var err error
				r.Data, err = appendToList(r.Data, fmt.Sprint(i))
				return r, err
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		mustNoErr(t, "concurrent UpdateAuthRequest", err)
	}
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
	mustErrIs(t, "SetCode on expired request", s.SetCode(ctx, "ar-expired", hash("c"), future()), storage.ErrNotFound)
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
