package conformance

import (
	"testing"
	"time"

	"github.com/portvakt/portvakt/storage"
)

// NewConsents returns an empty consent store for one test.
type NewConsents func(t *testing.T) storage.Consents

// RunConsentTests runs the consent store suite; each subtest gets a fresh store.
func RunConsentTests(t *testing.T, newStore NewConsents) {
	t.Helper()
	runSuite(t, newStore, []suiteTest[storage.Consents]{
		{"RememberAndWithdraw", testConsentRememberAndWithdraw},
		{"GrantWithoutRememberKeepsNothing", testConsentOnce},
		{"DeclineForgets", testConsentDecline},
		{"LogNewestFirst", testConsentLog},
	})
}

func consentEvent(id, client, subject, decision string, remember bool, at time.Time) storage.ConsentEvent {
	return storage.ConsentEvent{ID: id, Time: at, ClientID: client, Subject: subject, Decision: decision,
		Claims: []string{"name", "national_id"}, Remember: remember}
}

func testConsentRememberAndWithdraw(t *testing.T, s storage.Consents) {
	ctx := t.Context()
	at := time.Now().Add(-time.Minute)
	mustNoErr(t, "grant", s.RecordConsent(ctx, consentEvent("e1", "c", "s", storage.ConsentGranted, true, at)))
	got, err := s.GetRememberedConsent(ctx, "c", "s")
	mustNoErr(t, "GetRememberedConsent", err)
	sameStrings(t, "Claims", got.Claims, []string{"name", "national_id"})
	sameTime(t, "GrantedAt", got.GrantedAt, at)
	if _, err := s.GetRememberedConsent(ctx, "c", "other"); err == nil {
		t.Error("another subject has the consent too")
	}
	list, err := s.ListRememberedConsents(ctx, storage.ConsentQuery{ClientID: "c"})
	mustNoErr(t, "ListRememberedConsents", err)
	if len(list) != 1 || list[0].Subject != "s" {
		t.Errorf("remembered = %+v", list)
	}
	w := consentEvent("e2", "c", "s", storage.ConsentWithdrawn, false, time.Now())
	w.Actor = "client:admin"
	mustNoErr(t, "withdraw", s.RecordConsent(ctx, w))
	_, err = s.GetRememberedConsent(ctx, "c", "s")
	mustErrIs(t, "GetRememberedConsent after withdrawal", err, storage.ErrNotFound)
}

func testConsentOnce(t *testing.T, s storage.Consents) {
	mustNoErr(t, "grant", s.RecordConsent(t.Context(), consentEvent("e1", "c", "s", storage.ConsentGranted, false, time.Now())))
	_, err := s.GetRememberedConsent(t.Context(), "c", "s")
	mustErrIs(t, "GetRememberedConsent", err, storage.ErrNotFound)
}

func testConsentDecline(t *testing.T, s storage.Consents) {
	ctx := t.Context()
	mustNoErr(t, "grant", s.RecordConsent(ctx, consentEvent("e1", "c", "s", storage.ConsentGranted, true, time.Now())))
	mustNoErr(t, "decline", s.RecordConsent(ctx, consentEvent("e2", "c", "s", storage.ConsentDeclined, false, time.Now())))
	_, err := s.GetRememberedConsent(ctx, "c", "s")
	mustErrIs(t, "GetRememberedConsent after decline", err, storage.ErrNotFound)
}

func testConsentLog(t *testing.T, s storage.Consents) {
	ctx := t.Context()
	base := time.Now().Add(-time.Hour)
	mustNoErr(t, "1", s.RecordConsent(ctx, consentEvent("e1", "c", "s", storage.ConsentDeclined, false, base)))
	mustNoErr(t, "2", s.RecordConsent(ctx, consentEvent("e2", "c", "s", storage.ConsentGranted, true, base.Add(time.Minute))))
	mustNoErr(t, "3", s.RecordConsent(ctx, consentEvent("e3", "d", "s", storage.ConsentGranted, false, base.Add(2*time.Minute))))
	got, err := s.ListConsentEvents(ctx, storage.ConsentQuery{ClientID: "c", Subject: "s"})
	mustNoErr(t, "ListConsentEvents", err)
	if len(got) != 2 || got[0].ID != "e2" || got[1].ID != "e1" {
		t.Fatalf("log = %+v, want e2, e1", got)
	}
	if got[0].Decision != storage.ConsentGranted || !got[0].Remember || len(got[0].Claims) != 2 {
		t.Errorf("newest entry = %+v", got[0])
	}
}
