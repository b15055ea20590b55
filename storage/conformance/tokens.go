package conformance

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var tokenTests = []namedTest{
	{"CreateGet", testTokenCreateGet},
	{"Expired", testTokenExpired},
	{"Revoke", testTokenRevoke},
	{"RevokeByAuthRequest", testTokenRevokeByAuthRequest},
	{"RevokeOfSession", testTokenRevokeOfSession},
	{"RevokeByClient", testTokenRevokeByClient},
	{"IssuedUnderClientRecord", testTokenIssuedUnderClientRecord},
	{"DPoPBinding", testTokenDPoPBinding},
}

// testTokenDPoPBinding: a token bound to a DPoP key comes back with its key's
// thumbprint, and an unbound one with none, so a bound token can never be
// mistaken for a bearer token.
func testTokenDPoPBinding(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	bound := newToken("tok-dpop", "rp", "sub-1", "ar-1")
	bound.DPoPJKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
	mustNoErr(t, "CreateToken bound", s.CreateToken(ctx, bound))
	mustNoErr(t, "CreateToken bearer", s.CreateToken(ctx, newToken("tok-bearer", "rp", "sub-1", "ar-2")))
	got, err := s.GetToken(ctx, "tok-dpop")
	mustNoErr(t, "GetToken bound", err)
	if got.DPoPJKT != bound.DPoPJKT {
		t.Errorf("DPoPJKT = %q, want %q", got.DPoPJKT, bound.DPoPJKT)
	}
	got, err = s.GetToken(ctx, "tok-bearer")
	mustNoErr(t, "GetToken bearer", err)
	if got.DPoPJKT != "" {
		t.Errorf("bearer token DPoPJKT = %q, want none", got.DPoPJKT)
	}
}

func newToken(id, clientID, subject, authRequestID string) storage.Token {
	return storage.Token{
		ID:            id,
		ClientID:      clientID,
		Subject:       subject,
		AuthRequestID: authRequestID,
		Scopes:        []string{"openid", "profile"},
		Audience:      []string{clientID, "https://api.example"},
		Claims:        json.RawMessage(`{"sub":"` + subject + `","name":"Test Person"}`),
		CreatedAt:     now(),
		ExpiresAt:     future(),
	}
}

func testTokenCreateGet(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	want := newToken("tok-1", "rp", "sub-1", "ar-1")
	mustNoErr(t, "CreateToken", s.CreateToken(ctx, want))
	mustErrIs(t, "CreateToken duplicate", s.CreateToken(ctx, want), storage.ErrAlreadyExists)

	got, err := s.GetToken(ctx, "tok-1")
	mustNoErr(t, "GetToken", err)
	if got.ID != want.ID || got.ClientID != want.ClientID || got.Subject != want.Subject || got.AuthRequestID != want.AuthRequestID {
		t.Errorf("GetToken = %+v, want %+v", got, want)
	}
	sameStrings(t, "Scopes", got.Scopes, want.Scopes)
	sameStrings(t, "Audience", got.Audience, want.Audience)
	sameJSON(t, "Claims", got.Claims, want.Claims)
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	if !got.RevokedAt.IsZero() {
		t.Errorf("RevokedAt = %v, want zero", got.RevokedAt)
	}

	// No auth request and no lists are fine too (client credentials style).
	bare := storage.Token{ID: "tok-bare", ClientID: "rp", CreatedAt: now(), ExpiresAt: future()}
	mustNoErr(t, "CreateToken bare", s.CreateToken(ctx, bare))
	got, err = s.GetToken(ctx, "tok-bare")
	mustNoErr(t, "GetToken bare", err)
	if len(got.Scopes) != 0 || len(got.Audience) != 0 || got.AuthRequestID != "" {
		t.Errorf("bare token = %+v", got)
	}

	_, err = s.GetToken(ctx, "tok-unknown")
	mustErrIs(t, "GetToken unknown", err, storage.ErrNotFound)
}

func testTokenExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	tok := newToken("tok", "rp", "sub", "ar")
	tok.CreatedAt = longAgo()
	tok.ExpiresAt = past()
	mustNoErr(t, "CreateToken", s.CreateToken(ctx, tok))
	_, err := s.GetToken(ctx, "tok")
	mustErrIs(t, "GetToken expired", err, storage.ErrNotFound)
}

func testTokenRevoke(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateToken", s.CreateToken(ctx, newToken("tok", "rp", "sub", "ar")))
	mustNoErr(t, "CreateToken", s.CreateToken(ctx, newToken("tok-kept", "rp", "sub", "ar")))

	revokedAt := now()
	mustNoErr(t, "RevokeToken", s.RevokeToken(ctx, "tok", revokedAt))
	got, err := s.GetToken(ctx, "tok")
	mustNoErr(t, "GetToken of a revoked token", err)
	sameTime(t, "RevokedAt", got.RevokedAt, revokedAt)

	// Revoking again keeps the first time.
	mustNoErr(t, "RevokeToken again", s.RevokeToken(ctx, "tok", future()))
	got, err = s.GetToken(ctx, "tok")
	mustNoErr(t, "GetToken", err)
	sameTime(t, "RevokedAt after second revoke", got.RevokedAt, revokedAt)

	got, err = s.GetToken(ctx, "tok-kept")
	mustNoErr(t, "GetToken", err)
	if !got.RevokedAt.IsZero() {
		t.Errorf("another token was revoked too")
	}
	mustErrIs(t, "RevokeToken unknown", s.RevokeToken(ctx, "tok-unknown", now()), storage.ErrNotFound)
}

func testTokenRevokeByAuthRequest(t *testing.T, s storage.Storage) {
	checkBulkRevoke(t, s, "RevokeTokensByAuthRequest", [4]storage.Token{
		newToken("tok-1", "rp", "sub", "ar"), newToken("tok-2", "rp", "sub", "ar"),
		newToken("tok-3", "rp", "sub", "ar"), newToken("tok-other", "rp", "sub", "ar-other"),
	}, func(known bool, at time.Time) (int64, error) {
		return s.RevokeTokensByAuthRequest(t.Context(), map[bool]string{true: "ar", false: "ar-unknown"}[known], at)
	})
}

func testTokenRevokeOfSession(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	inSession := func(tok storage.Token, session string) storage.Token { tok.Session = session; return tok }
	for _, tok := range []storage.Token{
		inSession(newToken("tok-1", "rp", "sub", "ar-1"), "laptop"),
		inSession(newToken("tok-2", "rp", "sub", "ar-2"), "laptop"),
		inSession(newToken("tok-other-browser", "rp", "sub", "ar-5"), "phone"),
		newToken("tok-no-browser", "rp", "sub", "ar-6"),
		inSession(newToken("tok-other-sub", "rp", "sub-2", "ar-3"), "laptop"),
		inSession(newToken("tok-other-rp", "rp-2", "sub", "ar-4"), "laptop"),
	} {
		mustNoErr(t, "CreateToken", s.CreateToken(ctx, tok))
	}
	got, err := s.GetToken(ctx, "tok-1")
	mustNoErr(t, "GetToken tok-1", err)
	if got.Session != "laptop" {
		t.Errorf("Session = %q, want laptop", got.Session)
	}
	n, err := s.RevokeTokensOfSession(ctx, "rp", "sub", "", now())
	mustNoErr(t, "RevokeTokensOfSession without a session", err)
	if n != 0 {
		t.Errorf("RevokeTokensOfSession without a session revoked %d, want 0", n)
	}
	n, err = s.RevokeTokensOfSession(ctx, "rp", "sub", "laptop", now())
	mustNoErr(t, "RevokeTokensOfSession", err)
	if n != 2 {
		t.Errorf("RevokeTokensOfSession revoked %d, want 2", n)
	}
	for id, wantRevoked := range map[string]bool{"tok-1": true, "tok-2": true, "tok-other-browser": false, "tok-no-browser": false,
		"tok-other-sub": false, "tok-other-rp": false} {
		got, err := s.GetToken(ctx, id)
		mustNoErr(t, "GetToken "+id, err)
		if got.RevokedAt.IsZero() == wantRevoked {
			t.Errorf("%s revoked = %v, want %v", id, !got.RevokedAt.IsZero(), wantRevoked)
		}
	}
}

func testTokenRevokeByClient(t *testing.T, s storage.Storage) {
	checkBulkRevoke(t, s, "RevokeTokensByClient", [4]storage.Token{
		newToken("tok-1", "rp", "sub", "ar-1"), newToken("tok-2", "rp", "sub-2", "ar-2"),
		newToken("tok-3", "rp", "sub", "ar-3"), newToken("tok-other-rp", "rp-2", "sub", "ar-4"),
	}, func(known bool, at time.Time) (int64, error) {
		return s.RevokeTokensByClient(t.Context(), map[bool]string{true: "rp", false: "rp-unknown"}[known], at)
	})
}

// checkBulkRevoke runs a revocation of a group of tokens: the first three are in
// the group (the third revoked before, so it keeps its first time), the fourth is
// not; revoke(false, at) revokes a group with no token.
func checkBulkRevoke(t *testing.T, s storage.Storage, what string, tokens [4]storage.Token, revoke func(known bool, at time.Time) (int64, error)) {
	t.Helper()
	ctx := t.Context()
	for _, tok := range tokens {
		mustNoErr(t, "CreateToken", s.CreateToken(ctx, tok))
	}
	firstRevoke := past()
	mustNoErr(t, "RevokeToken", s.RevokeToken(ctx, tokens[2].ID, firstRevoke))
	at := now()
	n, err := revoke(true, at)
	mustNoErr(t, what, err)
	if n != 2 {
		t.Errorf("%s revoked %d, want 2 (one was revoked already)", what, n)
	}
	wantRevokedAt(t, s, map[string]int64{tokens[0].ID: at.UnixMilli(), tokens[1].ID: at.UnixMilli(), tokens[2].ID: firstRevoke.UnixMilli(), tokens[3].ID: 0})
	n, err = revoke(false, at)
	mustNoErr(t, what+" of an unknown group", err)
	if n != 0 {
		t.Errorf("%s of an unknown group revoked %d", what, n)
	}
}

// A token issued under one version of its client's record is stored only while
// the record is still that version: a process whose view of the client is stale
// (the client changed, was deleted, or was deleted and created again) cannot
// issue a token.
func testTokenIssuedUnderClientRecord(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, newClient("rp")))
	seen, err := s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient", err)
	if seen.Version == 0 {
		t.Fatal("GetClient returned no version")
	}
	under := func(c storage.Client, id string) storage.Token {
		tok := newToken(id, "rp", "sub", "ar-"+id)
		tok.IssuedUnder = storage.ClientRecord{CreatedAt: c.CreatedAt, Version: c.Version}
		return tok
	}
	mustNoErr(t, "CreateToken under the current record", s.CreateToken(ctx, under(seen, "tok-current")))
	if _, err := s.GetToken(ctx, "tok-current"); err != nil {
		t.Fatalf("GetToken tok-current: %v", err)
	}

	mustNoErr(t, "UpdateClient", s.UpdateClient(ctx, "rp", func(c storage.Client) (storage.Client, error) { return c, nil }))
	mustErrIs(t, "CreateToken under a changed record", s.CreateToken(ctx, under(seen, "tok-changed")), storage.ErrConflict)
	mustErrIs(t, "GetToken tok-changed", getTokenErr(ctx, s, "tok-changed"), storage.ErrNotFound)
	fresh, err := s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient", err)
	if fresh.Version == seen.Version {
		t.Fatalf("the version did not change with an update: %d", fresh.Version)
	}
	mustNoErr(t, "CreateToken under the new record", s.CreateToken(ctx, under(fresh, "tok-fresh")))

	mustNoErr(t, "DeleteClient", s.DeleteClient(ctx, "rp"))
	mustErrIs(t, "CreateToken under a deleted record", s.CreateToken(ctx, under(fresh, "tok-deleted")), storage.ErrConflict)
	again := newClient("rp")
	again.CreatedAt, again.UpdatedAt = now(), now()
	mustNoErr(t, "CreateClient again", s.CreateClient(ctx, again))
	stale := storage.Client{CreatedAt: seen.CreatedAt, Version: 1}
	mustErrIs(t, "CreateToken under the deleted client's first record", s.CreateToken(ctx, under(stale, "tok-reborn")), storage.ErrConflict)
}

func getTokenErr(ctx context.Context, s storage.Storage, id string) error {
	_, err := s.GetToken(ctx, id)
	return err
}

// wantRevokedAt checks each token's revocation time in unix ms (0: not revoked).
func wantRevokedAt(t *testing.T, s storage.Storage, want map[string]int64) {
	t.Helper()
	for id, ms := range want {
		got, err := s.GetToken(t.Context(), id)
		mustNoErr(t, "GetToken "+id, err)
		if got.RevokedAt.IsZero() != (ms == 0) || (ms != 0 && got.RevokedAt.UnixMilli() != ms) {
			t.Errorf("%s RevokedAt = %v, want unix ms %d (0: not revoked)", id, got.RevokedAt, ms)
		}
	}
}
