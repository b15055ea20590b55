package connectors

import (
	"errors"
	"fmt"
)

// Sentinel errors a connector returns (wrapped with %w) so the broker can answer the
// person and the relying party correctly without knowing the upstream.
var (
	// ErrCancelled: the person cancelled, in the eID or on the page. RP: access_denied.
	ErrCancelled = errors.New("login cancelled")
	// ErrLoANotSupported: the requested level cannot be reached with this eID or
	// method, or the upstream returned a lower level than asked. RP: an error, never
	// a downgraded login.
	ErrLoANotSupported = errors.New("level of assurance not supported")
	// ErrExpired: the order or upstream session timed out.
	ErrExpired = errors.New("login expired")
	// ErrUpstream: the upstream failed, timed out or answered something invalid.
	// RP: temporarily_unavailable.
	ErrUpstream = errors.New("upstream eID failed")
	// ErrInvalidResponse: the upstream's answer failed verification (signature, iss,
	// nonce, state). RP: access_denied; logged as a security event.
	ErrInvalidResponse = errors.New("upstream response failed verification")
	// ErrRateLimited: too many orders started for this IP or person.
	ErrRateLimited = errors.New("too many login attempts")
	// ErrCountryNotAccepted: the person is from a country the login does not
	// accept (an eID of several countries, asked for some of them). RP:
	// unmet_authentication_requirements.
	ErrCountryNotAccepted = errors.New("the person's country is not accepted for this login")
	// ErrTextNotShown: the eID cannot show the person a text with this
	// request (Freja eID shows none with a pushed authentication).
	ErrTextNotShown = errors.New("the eID cannot show a text with this request")
	// ErrUnknownPerson: the eID has no person by the national id or address it
	// was asked to reach (a push to a person's app). RP: unknown_user_id.
	ErrUnknownPerson = errors.New("the eID knows no such person")
)

// UserError carries the message id to show the person with an error (for example
// BankID's RFA4 for alreadyInProgress). Unwrap gives the sentinel above.
type UserError struct {
	Message string // message id, resolved with the connector's Messages
	Err     error
}

func (e *UserError) Error() string { return fmt.Sprintf("%v (message %s)", e.Err, e.Message) }
func (e *UserError) Unwrap() error { return e.Err }
