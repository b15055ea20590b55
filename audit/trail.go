package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

var _ provider.AuditRecorder = (*Trail)(nil)

// Record kinds.
const (
	KindLogin = "login"
	KindAdmin = "admin"
	// KindVerification is a caller verification (CIBA): who checked whom,
	// when, why, and how it ended.
	KindVerification = "verification"
	// KindEvidence is a client fetching a signature's evidence, or the broker
	// purging it past its retention.
	KindEvidence = "evidence"
)

var (
	_ provider.VerificationRecorder = (*Trail)(nil)
	_ provider.EvidenceRecorder     = (*Trail)(nil)
)

// Sealer encrypts national ids at rest (keys.Sealer).
type Sealer interface {
	Seal(plaintext, associatedData []byte) ([]byte, error)
	Open(sealed, associatedData []byte) ([]byte, error)
}

// Options are a Trail's collaborators.
type Options struct {
	Store  storage.AuditLog
	Sealer Sealer
	// PersonKey is the secret of the keyed hash that finds a person's records.
	PersonKey []byte
	// ChainKey is the secret the chain is keyed with (a server secret sealed
	// under the master key).
	ChainKey []byte
	Logger   *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Leases claim this process's chain (storage.Leases); when nil, Store's
	// own if it has them, else a chain is picked without one.
	Leases storage.Leases
	// ChainLease is how long a chain claim lasts unless renewed (every third
	// of it); a minute when zero.
	ChainLease time.Duration
	// AnchorInterval is how often the process anchors the other chains'
	// heads in its own; a minute when zero.
	AnchorInterval time.Duration
}

// Trail is the audit trail.
type Trail struct {
	store     storage.AuditLog
	sealer    Sealer
	personKey []byte
	chain     chainKey
	logger    *slog.Logger
	now       func() time.Time
	batches   *batcher
	slot      *slot

	renewEvery, anchorEvery time.Duration

	anchorMu   sync.Mutex
	lastAnchor []anchorHead

	// tending is the lease renewal and periodic anchoring, from the chain's
	// claim until Close.
	tendMu  sync.Mutex
	closed  bool
	stop    context.CancelFunc
	tending sync.WaitGroup
}

// New returns the trail.
func New(o Options) *Trail {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ChainLease <= 0 {
		o.ChainLease = time.Minute
	}
	if o.AnchorInterval <= 0 {
		o.AnchorInterval = time.Minute
	}
	if o.Leases == nil {
		o.Leases, _ = o.Store.(storage.Leases)
	}
	chain := chainKey{key: o.ChainKey}
	t := &Trail{store: o.Store, sealer: o.Sealer, personKey: o.PersonKey, chain: chain, logger: o.Logger, now: o.Now,
		slot:       &slot{leases: o.Leases, holder: "audit-" + randid.Hex(16), ttl: o.ChainLease, logger: o.Logger},
		renewEvery: o.ChainLease / 3, anchorEvery: o.AnchorInterval}
	t.batches = newBatcher(o.Store, chain, t.prepareBatch)
	return t
}

// RecordLogin appends an identification outcome.
func (t *Trail) RecordLogin(ctx context.Context, e provider.LoginEvent) error {
	rec := storage.AuditRecord{
		ID: randid.Hex(16), Time: e.Time, Kind: KindLogin, ClientID: e.ClientID, Connector: e.Connector,
		Country: e.Country, Subject: e.Subject, Outcome: e.Outcome, Error: e.Error, ClientIP: e.ClientIP,
		Action: e.Action,
	}
	if e.LoA != 0 {
		rec.LoA = e.LoA.String()
	}
	if e.AuthRequestID != "" || e.EvidenceID != "" {
		rec.Details, _ = json.Marshal(loginDetails{AuthRequestID: e.AuthRequestID, EvidenceID: e.EvidenceID})
	}
	if e.NationalID != "" {
		sealed, err := t.sealer.Seal([]byte(e.NationalID), []byte(rec.ID))
		if err != nil {
			return fmt.Errorf("audit login: seal national id: %w", err)
		}
		rec.NationalIDSealed, rec.NationalIDMasked, rec.PersonKey = sealed, nationalid.Mask(e.NationalID), t.PersonKeyOf(e.NationalID)
	}
	return t.append(ctx, rec)
}

// loginDetails are what a login record says besides the columns; a
// signature's names its evidence, whose record outlives the evidence.
type loginDetails struct {
	AuthRequestID string `json:"auth_request_id,omitempty"`
	EvidenceID    string `json:"evidence_id,omitempty"`
}

// RecordEvidenceFetch appends a client's fetch of a signature's evidence.
func (t *Trail) RecordEvidenceFetch(ctx context.Context, e provider.EvidenceFetchEvent) error {
	rec := storage.AuditRecord{
		ID: randid.Hex(16), Time: e.Time, Kind: KindEvidence, Action: "evidence.fetch", ClientID: e.ClientID,
		Outcome: provider.OutcomeSuccess, ClientIP: e.ClientIP,
	}
	rec.Details, _ = json.Marshal(map[string]string{"evidence_id": e.EvidenceID})
	return t.append(ctx, rec)
}

// RecordEvidencePurge appends that a signature's evidence was purged past
// its retention: the evidence is gone, the record that it existed stays.
func (t *Trail) RecordEvidencePurge(ctx context.Context, at time.Time, clientID, evidenceID string, createdAt time.Time) error {
	rec := storage.AuditRecord{
		ID: randid.Hex(16), Time: at, Kind: KindEvidence, Action: "evidence.purge", ClientID: clientID,
		Actor: "broker", Outcome: provider.OutcomeSuccess,
	}
	rec.Details, _ = json.Marshal(map[string]string{"evidence_id": evidenceID, "created_at": createdAt.UTC().Format(time.RFC3339)})
	return t.append(ctx, rec)
}

// verificationAction says whether a verification identified the caller or
// had them sign.
func verificationAction(e provider.VerificationEvent) string {
	if e.Sign {
		return "ciba.sign"
	}
	return "ciba"
}

// verificationDetails are what a verification record says besides the
// columns every record has.
type verificationDetails struct {
	AuthRequestID  string `json:"auth_request_id,omitempty"`
	Reason         string `json:"reason,omitempty"`
	BindingMessage string `json:"binding_message,omitempty"`
	CallInitiator  string `json:"call_initiator,omitempty"`
	EvidenceID     string `json:"evidence_id,omitempty"`
	StartedAt      string `json:"started_at"`
	FinishedAt     string `json:"finished_at"`
}

// RecordVerification appends a caller verification: the client, the agent
// (Actor), the caller's national id sealed, the reason and binding message,
// the outcome and its times.
func (t *Trail) RecordVerification(ctx context.Context, e provider.VerificationEvent) error {
	rec := storage.AuditRecord{
		ID: randid.Hex(16), Time: e.Finished, Kind: KindVerification, ClientID: e.ClientID, Actor: agentActorOf(e.Agent),
		Action: verificationAction(e), Connector: e.Connector, Country: e.Country, Subject: e.Subject, Outcome: e.Outcome,
		Error: e.Error, ClientIP: e.ClientIP,
	}
	if e.LoA != 0 {
		rec.LoA = e.LoA.String()
	}
	details, err := json.Marshal(verificationDetails{
		AuthRequestID: e.AuthRequestID, Reason: e.Reason, BindingMessage: e.BindingMessage, CallInitiator: e.CallInitiator,
		EvidenceID: e.EvidenceID,
		StartedAt:  e.Started.UTC().Format(time.RFC3339Nano), FinishedAt: e.Finished.UTC().Format(time.RFC3339Nano),
	})
	if err != nil {
		return fmt.Errorf("audit verification: details: %w", err)
	}
	rec.Details = details
	if e.NationalID != "" {
		sealed, err := t.sealer.Seal([]byte(e.NationalID), []byte(rec.ID))
		if err != nil {
			return fmt.Errorf("audit verification: seal national id: %w", err)
		}
		rec.NationalIDSealed, rec.NationalIDMasked, rec.PersonKey = sealed, nationalid.Mask(e.NationalID), t.PersonKeyOf(e.NationalID)
	}
	return t.append(ctx, rec)
}

// AdminEvent is one admin change (or refused attempt).
type AdminEvent struct {
	Actor    string
	Action   string
	ClientID string
	// Subject is the person concerned, for consent withdrawals.
	Subject string
	// PersonKey and NationalIDMasked name the person a role change concerns,
	// so their records are found by national id as logins are.
	PersonKey        string
	NationalIDMasked string
	Outcome          string
	Error            string
	ClientIP         string
	// Details say what changed (never a secret).
	Details any
}

// RecordAdmin appends an admin change.
func (t *Trail) RecordAdmin(ctx context.Context, e AdminEvent) error {
	rec := storage.AuditRecord{
		ID: randid.Hex(16), Time: t.now(), Kind: KindAdmin, ClientID: e.ClientID, Actor: e.Actor, Action: e.Action,
		Subject: e.Subject, PersonKey: e.PersonKey, NationalIDMasked: e.NationalIDMasked, Outcome: e.Outcome, Error: e.Error, ClientIP: e.ClientIP,
	}
	if e.Details != nil {
		b, err := json.Marshal(e.Details)
		if err != nil {
			return fmt.Errorf("audit %s: details: %w", e.Action, err)
		}
		rec.Details = b
	}
	return t.append(ctx, rec)
}

func (t *Trail) append(ctx context.Context, rec storage.AuditRecord) error {
	if rec.Time.IsZero() {
		rec.Time = t.now()
	}
	rec.Time = storageTime(rec.Time)
	if err := t.batches.append(ctx, rec); err != nil {
		return fmt.Errorf("audit %s record: %w", rec.Kind, err)
	}
	return nil
}

// PersonKeyOf is the keyed hash that finds a person's records without storing
// the national id in clear.
func (t *Trail) PersonKeyOf(nationalID string) string {
	mac := hmac.New(sha256.New, t.personKey)
	mac.Write([]byte(nationalID))
	return hex.EncodeToString(mac.Sum(nil))
}

// storageTime is t as it will be read back: stored times have millisecond
// precision, and a record is hashed as it will be read.
func storageTime(t time.Time) time.Time { return time.UnixMilli(t.UnixMilli()).UTC() }
