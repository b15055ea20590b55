package provider

import (
	"context"
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// AuditRecorder keeps the audit trail of identifications: who was identified,
// when, with which eID, for which client. The provider calls it once per login
// outcome; a recorder error is logged, not shown to the person.
type AuditRecorder interface {
	RecordLogin(ctx context.Context, e LoginEvent) error
}

// LoginEvent is one identification outcome.
type LoginEvent struct {
	Time          time.Time
	ClientID      string
	AuthRequestID string
	Connector     string // idp, e.g. se-bankid; empty if none was chosen
	LoA           connectors.LoA
	Country       string
	// NationalID in clear: the recorder stores it sealed and shows it masked.
	NationalID string
	Subject    string // the client's sub for the person
	Outcome    string // OutcomeSuccess, OutcomeCancel or OutcomeError
	Error      string // the OIDC error code given to the client, for failures
	ClientIP   string
	// Action is ActionSign for a signature, "" for a login.
	Action string
	// EvidenceID is a signature's evidence (evidence.Evidence.ID).
	EvidenceID string
}

// ActionSign marks the audit record of a signature.
const ActionSign = "sign"

// EvidenceRecorder keeps the record of every evidence fetch; the provider
// finds it on its AuditRecorder. Without it, fetching evidence is refused:
// every fetch is on record.
type EvidenceRecorder interface {
	RecordEvidenceFetch(ctx context.Context, e EvidenceFetchEvent) error
}

// EvidenceFetchEvent is a client fetching a signature's evidence.
type EvidenceFetchEvent struct {
	Time       time.Time
	ClientID   string
	EvidenceID string
	ClientIP   string
}

// VerificationRecorder keeps the record of caller verifications (CIBA); the
// provider finds it on its AuditRecorder.
type VerificationRecorder interface {
	RecordVerification(ctx context.Context, e VerificationEvent) error
}

// VerificationEvent is one caller verification: started and ended, or
// refused at the request.
type VerificationEvent struct {
	Started, Finished time.Time
	ClientID          string
	// AuthRequestID is the stored (hashed) id of the verification.
	AuthRequestID string
	// Agent is who at the client made the look-up, as the client names them;
	// "portvakt:<person key>" from the broker's own agent console.
	Agent          string
	Reason         string
	BindingMessage string
	CallInitiator  string // user or rp
	Connector      string
	LoA            connectors.LoA
	Country        string
	// NationalID of the caller in clear: the recorder stores it sealed.
	NationalID string
	Subject    string
	// Outcome is OutcomeSuccess, VerificationDeclined, VerificationExpired,
	// VerificationRefused or OutcomeError.
	Outcome  string
	Error    string
	ClientIP string
	// Sign: the verification was a signature; EvidenceID its evidence, once
	// signed.
	Sign       bool
	EvidenceID string
}

// Outcomes of caller verifications besides success and error.
const (
	VerificationDeclined = "declined"
	VerificationExpired  = "expired"
	// VerificationRefused: the request was refused; no eID order started.
	VerificationRefused = "refused"
)

// Login outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeCancel  = "cancel"
	OutcomeError   = "error"
)

// ConsentStore keeps people's consent decisions for clients that ask for consent.
type ConsentStore interface {
	// Remembered reports whether the person remembered consent to this client for
	// at least these claims (and has not withdrawn it) at or after since: a consent
	// from before was given to an earlier client with the same id.
	Remembered(ctx context.Context, clientID, subject string, claims []string, since time.Time) (bool, error)
	// Record stores one decision (approve or decline), with its time and the exact
	// claims shown.
	Record(ctx context.Context, d ConsentDecision) error
}

// ConsentDecision is what the person answered on the consent page.
type ConsentDecision struct {
	Time     time.Time
	ClientID string
	Subject  string
	Claims   []string
	Granted  bool
	Remember bool
}
