package conformance

import (
	"testing"

	"github.com/portvakt/portvakt/storage"
)

var sessionTests = []namedTest{
	{"Lifecycle", testSessionLifecycle},
	{"Expired", testSessionExpired},
}

func testSessionLifecycle(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	find := func(token string) ([]byte, bool) {
		t.Helper()
		data, found, err := s.FindSession(ctx, token)
		mustNoErr(t, "FindSession", err)
		return data, found
	}
	if _, found := find("tok-unknown"); found {
		t.Error("FindSession found an unknown session")
	}

	mustNoErr(t, "CommitSession", s.CommitSession(ctx, "tok", []byte("first"), future()))
	data, found := find("tok")
	if !found {
		t.Fatal("FindSession did not find a committed session")
	}
	sameBytes(t, "session data", data, []byte("first"))

	mustNoErr(t, "CommitSession again", s.CommitSession(ctx, "tok", []byte("second"), farFuture()))
	data, _ = find("tok")
	sameBytes(t, "session data after recommit", data, []byte("second"))

	mustNoErr(t, "CommitSession", s.CommitSession(ctx, "tok-kept", []byte("kept"), future()))
	mustNoErr(t, "DeleteSession", s.DeleteSession(ctx, "tok"))
	if _, found := find("tok"); found {
		t.Error("FindSession found a deleted session")
	}
	if _, found := find("tok-kept"); !found {
		t.Error("DeleteSession deleted another session")
	}
	mustNoErr(t, "DeleteSession unknown", s.DeleteSession(ctx, "tok"))
}

func testSessionExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CommitSession", s.CommitSession(ctx, "tok", []byte("data"), past()))
	if _, found, err := s.FindSession(ctx, "tok"); err != nil || found {
		t.Errorf("FindSession of an expired session = found %v, err %v; want not found", found, err)
	}
	// Committing again with a later expiry revives it (scs renews this way).
	mustNoErr(t, "CommitSession", s.CommitSession(ctx, "tok", []byte("data"), future()))
	if _, found, err := s.FindSession(ctx, "tok"); err != nil || !found {
		t.Errorf("FindSession after renewal = found %v, err %v; want found", found, err)
	}
}
