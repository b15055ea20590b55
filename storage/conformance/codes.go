package conformance

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

var codeTests = []namedTest{
	{"Issue", testIssueCode},
	{"Consume", testConsumeCode},
	{"ConsumeUnknownOrExpired", testConsumeCodeUnknownOrExpired},
	{"ConcurrentConsume", testConsumeCodeConcurrent},
}

// issueCode stores a code on a request the way the provider does: in an update.
func issueCode(t *testing.T, s storage.Storage, id string, codeHash []byte, codeExpiresAt time.Time) {
	t.Helper()
	_, err := s.UpdateAuthRequest(t.Context(), id, func(r storage.AuthRequest) (storage.AuthRequest, error) {
		r.CodeHash, r.CodeExpiresAt = codeHash, codeExpiresAt
		return r, nil
	})
	mustNoErr(t, "UpdateAuthRequest with a code", err)
}

func testIssueCode(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	before, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)

	codeExpiry := now().Add(10 * time.Minute)
	issueCode(t, s, "ar", hash("code"), codeExpiry)
	got, err := s.GetAuthRequest(ctx, "ar")
	mustNoErr(t, "GetAuthRequest", err)
	sameBytes(t, "CodeHash", got.CodeHash, hash("code"))
	sameTime(t, "CodeExpiresAt", got.CodeExpiresAt, codeExpiry)
	sameTime(t, "ExpiresAt kept", got.ExpiresAt, before.ExpiresAt)
	if !got.CodeUsedAt.IsZero() {
		t.Errorf("CodeUsedAt = %v, want zero", got.CodeUsedAt)
	}
	if got.Version <= before.Version {
		t.Errorf("Version after issuing the code = %d, want more than %d", got.Version, before.Version)
	}

	// A request created finished (single sign-on) carries its code from the start.
	sso := newAuthRequest("ar-sso")
	sso.CodeHash, sso.CodeExpiresAt = hash("code-sso"), codeExpiry
	mustNoErr(t, "CreateAuthRequest with a code", s.CreateAuthRequest(ctx, sso))
	got, err = s.GetAuthRequest(ctx, "ar-sso")
	mustNoErr(t, "GetAuthRequest", err)
	sameBytes(t, "CodeHash", got.CodeHash, hash("code-sso"))
	sameTime(t, "CodeExpiresAt", got.CodeExpiresAt, codeExpiry)

	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar-other")))
	_, err = s.UpdateAuthRequest(ctx, "ar-other", func(r storage.AuthRequest) (storage.AuthRequest, error) {
		r.CodeHash, r.CodeExpiresAt = hash("code"), codeExpiry
		return r, nil
	})
	mustErrIs(t, "a code hash in use", err, storage.ErrAlreadyExists)
}

func testConsumeCode(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	issueCode(t, s, "ar", hash("code"), now().Add(time.Minute))

	usedAt := now()
	got, err := s.ConsumeCode(ctx, hash("code"), usedAt)
	mustNoErr(t, "first ConsumeCode", err)
	if got.ID != "ar" {
		t.Errorf("ConsumeCode returned request %q, want ar", got.ID)
	}
	sameBytes(t, "CodeHash", got.CodeHash, hash("code"))
	sameTime(t, "CodeUsedAt", got.CodeUsedAt, usedAt)
	sameJSON(t, "Data", got.Data, newAuthRequest("ar").Data)

	again, err := s.ConsumeCode(ctx, hash("code"), now())
	mustErrIs(t, "second ConsumeCode", err, storage.ErrCodeReused)
	if again.ID != "ar" {
		t.Errorf("reused ConsumeCode returned request %q, want ar (to revoke what it issued)", again.ID)
	}
	sameTime(t, "CodeUsedAt after reuse", again.CodeUsedAt, usedAt)

	// Reuse is still reported after the code would have expired, until purged,
	// so the tokens of the first redemption can be revoked.
	_, err = s.ConsumeCode(ctx, hash("code"), now().Add(2*time.Hour))
	mustErrIs(t, "ConsumeCode of a used code after expiry", err, storage.ErrCodeReused)
}

func testConsumeCodeUnknownOrExpired(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	_, err := s.ConsumeCode(ctx, hash("unknown"), now())
	mustErrIs(t, "ConsumeCode unknown", err, storage.ErrNotFound)

	r := newAuthRequest("ar")
	r.ExpiresAt = now().Add(time.Minute)
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, r))
	issueCode(t, s, "ar", hash("code"), now().Add(time.Minute))
	// Redeemed after it expired: "now" is past the expiry.
	_, err = s.ConsumeCode(ctx, hash("code"), now().Add(2*time.Minute))
	mustErrIs(t, "ConsumeCode expired", err, storage.ErrNotFound)
	if errors.Is(err, storage.ErrCodeReused) {
		t.Errorf("expired code reported as reused: %v", err)
	}
	// The failed late redemption did not use the code up.
	_, err = s.ConsumeCode(ctx, hash("code"), now())
	mustNoErr(t, "ConsumeCode in time", err)

	// The code expires on its own clock, even while its login lives much longer.
	long := newAuthRequest("long-login")
	long.ExpiresAt = now().Add(time.Hour)
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, long))
	issueCode(t, s, "long-login", hash("short-code"), now().Add(time.Minute))
	_, err = s.ConsumeCode(ctx, hash("short-code"), now().Add(2*time.Minute))
	mustErrIs(t, "ConsumeCode after the code's own expiry", err, storage.ErrNotFound)
}

// testConsumeCodeConcurrent: of many simultaneous redemptions exactly one wins.
func testConsumeCodeConcurrent(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateAuthRequest", s.CreateAuthRequest(ctx, newAuthRequest("ar")))
	issueCode(t, s, "ar", hash("code"), now().Add(time.Minute))

	const redeemers = 50
	type result struct {
		r   storage.AuthRequest
		err error
	}
	results := make(chan result, redeemers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range redeemers {
		wg.Go(func() {
			<-start
			r, err := writer(s, i).ConsumeCode(ctx, hash("code"), now())
			results <- result{r, err}
		})
	}
	close(start)
	wg.Wait()
	close(results)

	var won, reused int
	for res := range results {
		switch {
		case res.err == nil:
			won++
		case errors.Is(res.err, storage.ErrCodeReused):
			reused++
			if res.r.ID != "ar" {
				t.Errorf("ErrCodeReused came with request %q, want ar", res.r.ID)
			}
		default:
			t.Errorf("ConsumeCode: unexpected error %v", res.err)
		}
	}
	if won != 1 || reused != redeemers-1 {
		t.Errorf("%d redemptions succeeded and %d saw ErrCodeReused, want 1 and %d", won, reused, redeemers-1)
	}
}
