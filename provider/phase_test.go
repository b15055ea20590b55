package provider

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// statesIn are logins as they are stored, one per phase.
func statesIn() map[phase]loginState {
	id := &connectors.Identity{NationalID: "199001011234"}
	return map[phase]loginState{
		phaseChoosing: {Options: []string{"se-test/"}},
		phaseRunning:  {Option: "se-test/", Order: &connectors.Order{Ref: "o1"}, Message: "rfa1"},
		phaseRetry:    {Option: "se-test/", Failure: &failure{Code: "access_denied"}, Message: "error.expired"},
		phaseConsent:  {Option: "se-test/", Identity: id, Subject: "s", ConsentPending: true},
		phaseDone:     {Option: "se-test/", Identity: id, Subject: "s", Done: true},
		phaseFailed:   {Option: "se-test/", Failure: &failure{Code: "access_denied"}},
	}
}

// Every transition, legal and illegal, in one table: the table is the rule.
func TestPhaseTransitions(t *testing.T) {
	const (
		C = phaseChoosing
		R = phaseRunning
		T = phaseRetry
		K = phaseConsent
		D = phaseDone
		F = phaseFailed
	)
	legal := map[[2]phase]bool{
		{C, R}: true, {C, T}: true, {C, F}: true,
		{R, R}: true, {R, T}: true, {R, F}: true, {R, K}: true, {R, D}: true,
		{T, R}: true, {T, T}: true, {T, F}: true, {T, K}: true, {T, D}: true,
		{K, D}: true, {K, F}: true,
		{D, D}: true,
	}
	for from := range phaseCount {
		for to := range phaseCount {
			want := legal[[2]phase{from, to}]
			if got := from.canMoveTo(to); got != want {
				t.Errorf("%s -> %s: legal %v, want %v", from, to, got, want)
			}
		}
	}
	for p := range phaseCount {
		if p.terminal() == p.runsEID() && p != phaseConsent {
			t.Errorf("%s: terminal %v and runsEID %v", p, p.terminal(), p.runsEID())
		}
	}
	if phaseCount.canMoveTo(phaseDone) {
		t.Error("an unknown phase may move")
	}
}

// The stored fields read back as the phase they stand for, so a login stored
// before phases existed continues in the right one.
func TestPhaseOfStoredState(t *testing.T) {
	for want, st := range statesIn() {
		plain, err := json.Marshal(&st)
		if err != nil {
			t.Fatal(err)
		}
		var read loginState
		if err := json.Unmarshal(plain, &read); err != nil {
			t.Fatal(err)
		}
		if got := read.phase(); got != want {
			t.Errorf("%s: stored state reads as %s", want, got)
		}
	}
}

// moveLogin applies the table to real writes: each phase to each other phase.
func TestMoveLoginFollowsTheTable(t *testing.T) {
	states := statesIn()
	for from := range phaseCount {
		for to := range phaseCount {
			st := states[from]
			err := moveLogin(&st, func(st *loginState) error {
				if from != to {
					*st = states[to]
				}
				return nil
			})
			// A write that stays in its phase changes nothing here, so only the
			// table decides.
			if want := from.canMoveTo(to); (err == nil) != want {
				t.Errorf("%s -> %s: err %v, want legal %v", from, to, err, want)
			}
			if err != nil && !errors.Is(err, errLoginMovedOn) {
				t.Errorf("%s -> %s: %v is not errLoginMovedOn", from, to, err)
			}
		}
	}
}

// A finished login takes the write that issues its code and nothing that
// changes its state, even within its phase (a cancel racing the answer).
func TestTerminalStateIsFinal(t *testing.T) {
	for _, p := range []phase{phaseDone, phaseFailed} {
		st := statesIn()[p]
		err := moveLogin(&st, func(st *loginState) error {
			st.AuthTime = time.Unix(1, 0)
			return nil
		})
		if !errors.Is(err, errLoginMovedOn) {
			t.Errorf("%s: a change within the phase gave %v", p, err)
		}
	}
	st := statesIn()[phaseDone]
	if err := moveLogin(&st, func(*loginState) error { return nil }); err != nil {
		t.Errorf("the code's write on a finished login: %v", err)
	}
	// The person cancels a finished login: the failure would hide under Done.
	st = statesIn()[phaseDone]
	err := moveLogin(&st, func(st *loginState) error {
		st.Failure = &failure{Code: "access_denied"}
		return nil
	})
	if !errors.Is(err, errLoginMovedOn) {
		t.Errorf("cancel of a finished login gave %v", err)
	}
}

// The rule for back to the client versus try again: a failure with a message
// lets the person retry; one without goes to the client.
func TestFailureDecidesRetryOrClient(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want phase
	}{
		{connectors.ErrCancelled, phaseRetry},
		{connectors.ErrExpired, phaseRetry},
		{connectors.ErrRateLimited, phaseRetry},
		{connectors.ErrInvalidResponse, phaseRetry},
		{connectors.ErrUpstream, phaseRetry},
		{connectors.ErrLoANotSupported, phaseFailed},
	} {
		f, msg := failureFor(tc.err)
		st := loginState{Option: "se-test/", Failure: f, Message: msg}
		if got := st.phase(); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.err, got, tc.want)
		}
	}
}

// Each named write lands in the phase it says, from every phase it may start in.
func TestTransitionsLandInTheirPhase(t *testing.T) {
	id := &connectors.Identity{NationalID: "199001011234"}
	denied := &failure{Code: "access_denied"}
	for _, tc := range []struct {
		name  string
		from  []phase
		write func(*loginState)
		want  phase
	}{
		{"attempt", []phase{phaseChoosing, phaseRunning, phaseRetry}, func(st *loginState) { st.attempt("se-test/", nil, &connectors.Order{Ref: "o2"}) }, phaseRunning},
		{"fail with a message", []phase{phaseChoosing, phaseRunning, phaseRetry}, func(st *loginState) { st.fail(denied, "error.expired") }, phaseRetry},
		{"fail for the client", []phase{phaseChoosing, phaseRunning, phaseRetry}, func(st *loginState) { st.fail(denied, "") }, phaseFailed},
		{"identify", []phase{phaseRunning, phaseRetry}, func(st *loginState) { st.identify(id, "s", time.Unix(1, 0), false) }, phaseDone},
		{"identify, asking consent", []phase{phaseRunning, phaseRetry}, func(st *loginState) { st.identify(id, "s", time.Unix(1, 0), true) }, phaseConsent},
		{"consented", []phase{phaseConsent}, (*loginState).consented, phaseDone},
		{"end", []phase{phaseChoosing, phaseRunning, phaseRetry, phaseConsent}, func(st *loginState) { st.end(denied) }, phaseFailed},
	} {
		for _, from := range tc.from {
			st := statesIn()[from]
			if err := moveLogin(&st, func(st *loginState) error { tc.write(st); return nil }); err != nil {
				t.Errorf("%s from %s: %v", tc.name, from, err)
			}
			if got := st.phase(); got != tc.want {
				t.Errorf("%s from %s: %s, want %s", tc.name, from, got, tc.want)
			}
		}
	}
	// A cancel after a failed attempt keeps the attempt's error for the client.
	st := statesIn()[phaseRetry]
	st.end(&failure{Code: "other"})
	if st.Failure.Code != "access_denied" {
		t.Errorf("end replaced the earlier failure with %q", st.Failure.Code)
	}
}
