package provider

import (
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// The writes that move a login from one phase to another, named, so that the
// fields behind a phase are set in one place each. moveLogin checks the move
// against the table in phase.go.

// attempt makes a new eID attempt the login's current one (phaseRunning); it
// replaces whatever failure the person saw before.
func (st *loginState) attempt(option string, upstream []byte, order *connectors.Order) {
	st.Option, st.UpstreamState, st.Order, st.LastPoll = option, upstream, order, time.Time{}
	st.Failure, st.Message = nil, ""
}

// fail ends the current attempt with f. With a message for the person the login
// waits for them to choose again (phaseRetry); without one f goes to the client
// (phaseFailed). failureFor decides which.
func (st *loginState) fail(f *failure, message string) {
	st.Failure, st.Message, st.Order = f, message, nil
}

// identify records who logged in: the consent question when the client asks
// for consent (phaseConsent), else the login is done (phaseDone).
func (st *loginState) identify(id *connectors.Identity, subject string, at time.Time, askConsent bool) {
	st.Identity, st.Subject, st.AuthTime = id, subject, at
	st.Done, st.ConsentPending = !askConsent, askConsent
	st.Order, st.UpstreamState, st.Message, st.Failure = nil, nil, "", nil
}

// consented: the person agreed to share their data (phaseDone).
func (st *loginState) consented() { st.ConsentPending, st.Done = false, true }

// end stops the login for the client (phaseFailed) with f, unless an earlier
// failure already says why: a cancel after a failed attempt keeps its error.
func (st *loginState) end(f *failure) {
	if st.Failure == nil {
		st.Failure = f
	}
	st.Order, st.Message, st.ConsentPending = nil, "", false
}
