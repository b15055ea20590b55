package agentconsole

import (
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/fakeciba"
	"github.com/portvakt/portvakt/internal/testid"
)

// TestVerificationFollowsTheBroker: the console polls no sooner than the
// interval, backs off by five seconds on slow_down, and ends a verification
// as the broker's answer says; a finished one forgets the typed number.
func TestVerificationFollowsTheBroker(t *testing.T) {
	caller := fakeciba.Person{NationalID: testid.Personnummer(time.Date(1990, 2, 14, 0, 0, 0, 0, time.UTC), 123), Country: "SE", Name: "Tove Testring"}
	fake := fakeciba.Start(t, "portvakt-agent-console", caller)
	ciba := NewCIBA(fake.URL, "portvakt-agent-console", "secret", nil)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	begin := func() *verification {
		t.Helper()
		ack, err := ciba.Start(t.Context(), StartRequest{LoginHint: "se-pnr:" + caller.NationalID, Reason: "r", CallInitiator: "user"})
		if err != nil {
			t.Fatal(err)
		}
		return &verification{AuthReqID: ack.AuthReqID, Number: caller.NationalID, Interval: ack.Interval, State: statePending,
			NextPoll: now.Add(time.Duration(ack.Interval) * time.Second), Expires: now.Add(time.Minute)}
	}
	advance := func(v *verification, at time.Time) {
		t.Helper()
		if _, err := v.advance(t.Context(), ciba, at); err != nil {
			t.Fatal(err)
		}
	}

	v := begin()
	advance(v, now)
	if v.State != statePending || v.NextPoll != now.Add(time.Second) {
		t.Errorf("before the interval: %s, next poll %v", v.State, v.NextPoll)
	}
	advance(v, now.Add(time.Second))
	if v.State != statePending || v.NextPoll != now.Add(2*time.Second) {
		t.Errorf("pending: %s, next poll %v", v.State, v.NextPoll)
	}
	fake.Finish(fakeciba.SlowDown, nil)
	advance(v, now.Add(2*time.Second))
	if v.State != statePending || v.Interval != 6 || v.NextPoll != now.Add(8*time.Second) {
		t.Errorf("after slow_down: %s, interval %d, next poll %v", v.State, v.Interval, v.NextPoll)
	}
	fake.Finish(fakeciba.Approved, nil)
	advance(v, now.Add(8*time.Second))
	if v.State != stateApproved || !v.Match || v.Result.Name != caller.Name || v.Number != "" {
		t.Errorf("approved: %+v", v)
	}

	for _, tc := range []struct{ outcome, want string }{{fakeciba.Declined, stateDeclined}, {fakeciba.Expired, stateExpired}} {
		v := begin()
		fake.Finish(tc.outcome, nil)
		advance(v, now.Add(time.Second))
		if v.State != tc.want || v.Result != nil {
			t.Errorf("%s: %s", tc.outcome, v.State)
		}
	}

	v = begin()
	advance(v, now.Add(2*time.Minute))
	if v.State != stateExpired {
		t.Errorf("past its expiry: %s", v.State)
	}
}
