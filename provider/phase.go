package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/portvakt/portvakt/connectors"
)

// phase is where a transaction (today: a browser login) is in its life. It is
// derived from the stored state rather than stored itself, so a login started
// before an upgrade reads the same after it and no migration is needed.
type phase uint8

const (
	// phaseChoosing: no eID attempt yet; the person chooses.
	phaseChoosing phase = iota
	// phaseRunning: an eID attempt runs upstream (a redirect or an order).
	phaseRunning
	// phaseRetry: the attempt failed with a message for the person, who may
	// choose again or cancel.
	phaseRetry
	// phaseConsent: the person is identified and asked to consent.
	phaseConsent
	// phaseDone: identified; the client gets a code. Terminal.
	phaseDone
	// phaseFailed: ends with an error for the client. Terminal.
	phaseFailed
	phaseCount
)

var phaseNames = [phaseCount]string{"choosing", "running", "retry", "consent", "done", "failed"}

func (p phase) String() string {
	if p < phaseCount {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", uint8(p))
}

// phase reads the login's phase from its stored fields. The order of the cases
// is the rule: an outcome outranks a consent question, which outranks a
// failed attempt.
func (st *loginState) phase() phase {
	switch {
	case st.Done:
		return phaseDone
	case st.Failure != nil && st.Message == "":
		return phaseFailed
	case st.ConsentPending:
		return phaseConsent
	case st.Failure != nil:
		return phaseRetry
	case st.Option != "":
		return phaseRunning
	}
	return phaseChoosing
}

// moves are the legal transitions, the one place that says how a login may
// move. A phase not listed as its own successor takes no write that stays in
// it; done takes one, the write that issues its code, which leaves the state as
// it is. A terminal phase moves nowhere else, so no late, replayed or racing
// request revives or changes an outcome.
var moves = [phaseCount][]phase{
	// Start an attempt; its start fails (with or without a message); cancel.
	phaseChoosing: {phaseRunning, phaseRetry, phaseFailed},
	// Progress or another option; the attempt fails; cancel; identified.
	phaseRunning: {phaseRunning, phaseRetry, phaseFailed, phaseConsent, phaseDone},
	// Choose again; fail again; cancel; the upstream answers after all.
	phaseRetry: {phaseRunning, phaseRetry, phaseFailed, phaseConsent, phaseDone},
	// Granted; declined or cancelled.
	phaseConsent: {phaseDone, phaseFailed},
	phaseDone:    {phaseDone},
	phaseFailed:  nil,
}

// canMoveTo reports whether a write may take a login from p to next.
func (p phase) canMoveTo(next phase) bool {
	if p >= phaseCount {
		return false
	}
	for _, m := range moves[p] {
		if m == next {
			return true
		}
	}
	return false
}

// terminal: the login reached its outcome and the next step answers the client.
func (p phase) terminal() bool { return p == phaseDone || p == phaseFailed }

// runsEID: an eID may still start or answer (the person is not identified yet
// and the login is not over).
func (p phase) runsEID() bool { return p == phaseChoosing || p == phaseRunning || p == phaseRetry }

// errIllegalMove refuses a write that would break the transition table; it is a
// errLoginMovedOn, so callers show the login as it is now.
func errIllegalMove(from, to phase) error {
	return fmt.Errorf("%w: %s cannot move to %s", errLoginMovedOn, from, to)
}

// failureFor maps an eID's error to the transaction's failure, and decides
// between the two ways a failure ends: a message id for the person, who may
// then choose again (phaseRetry), or none, and the error goes straight back to
// the client (phaseFailed).
func failureFor(err error) (*failure, string) {
	switch {
	case errors.Is(err, connectors.ErrCancelled):
		return &failure{Code: string(oidc.AccessDenied), Description: "the person cancelled the login"}, "error.cancelled"
	case errors.Is(err, connectors.ErrCountryNotAccepted):
		return &failure{Code: "unmet_authentication_requirements", Description: "the person is not from a country the request accepts"}, ""
	case errors.Is(err, connectors.ErrLoANotSupported):
		return &failure{Code: "unmet_authentication_requirements", Description: "the eID could not reach the requested level of assurance"}, ""
	case errors.Is(err, connectors.ErrExpired):
		return &failure{Code: string(oidc.AccessDenied), Description: "the eID login expired"}, "error.expired"
	case errors.Is(err, connectors.ErrRateLimited):
		return &failure{Code: "temporarily_unavailable", Description: "too many login attempts; try again later"}, "error.rate_limited"
	case errors.Is(err, connectors.ErrInvalidResponse):
		return &failure{Code: string(oidc.AccessDenied), Description: "the eID's answer failed verification"}, "error.upstream"
	default:
		return &failure{Code: "temporarily_unavailable", Description: "the eID is not available right now"}, "error.upstream"
	}
}

// moveLogin applies change to st and refuses the result unless the transition
// table allows it. A terminal login keeps its state byte for byte: the one
// write it takes (the code) changes only the stored record.
func moveLogin(st *loginState, change func(*loginState) error) error {
	from := st.phase()
	var before []byte
	if from.terminal() {
		b, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode login state: %w", err)
		}
		before = b
	}
	if err := change(st); err != nil {
		return err
	}
	to := st.phase()
	if !from.canMoveTo(to) {
		return errIllegalMove(from, to)
	}
	if before != nil {
		after, err := json.Marshal(st)
		if err != nil {
			return fmt.Errorf("encode login state: %w", err)
		}
		if !bytes.Equal(before, after) {
			return fmt.Errorf("%w: a %s login's state is final", errLoginMovedOn, from)
		}
	}
	return nil
}
