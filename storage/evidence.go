package storage

import (
	"context"
	"encoding/json"
	"time"
)

// EvidenceRecord is the evidence of one signature, sealed by the caller: Data
// is opaque to storage. It lives until ExpiresAt (the retention, years), then
// PurgeEvidence deletes it.
type EvidenceRecord struct {
	ID        string
	ClientID  string
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PurgedEvidence names a record PurgeEvidence deleted, so the caller can audit
// that it existed once its data is gone.
type PurgedEvidence struct {
	ID        string
	ClientID  string
	CreatedAt time.Time
}

// EvidenceKey is a key that signs evidence attestations. PrivateKey is sealed
// by the caller. Unlike token signing keys, evidence keys are never purged: a
// retired key must still verify evidence it signed years ago.
type EvidenceKey struct {
	ID         string // kid
	Algorithm  string // ES256
	PrivateKey []byte
	// PublicJWK is the public key as a JWK, with its certificate (x5c).
	PublicJWK json.RawMessage
	CreatedAt time.Time
	// RetiredAt is when it stopped signing (zero while current).
	RetiredAt time.Time
}

// Evidence stores signature evidence and the keys that attest it. Every
// change of the keys bumps the "evidence_keys" generation.
type Evidence interface {
	// CreateEvidence stores r; an ID stored before is ErrAlreadyExists.
	CreateEvidence(ctx context.Context, r EvidenceRecord) error
	// GetEvidence returns the record stored under id; ErrNotFound when it is
	// unknown or expired at now (purged or not).
	GetEvidence(ctx context.Context, id string, now time.Time) (EvidenceRecord, error)
	// PurgeEvidence deletes up to limit records that expired before now and
	// returns exactly those it deleted (a record another process deleted first
	// is not among them). Fewer than limit means nothing expired is left.
	PurgeEvidence(ctx context.Context, now time.Time, limit int) ([]PurgedEvidence, error)

	// ListEvidenceKeys returns every evidence key, current and retired,
	// newest first.
	ListEvidenceKeys(ctx context.Context) ([]EvidenceKey, error)
	// RotateEvidenceKey stores k and retires those of the keys named in retire
	// that are still current, in one write fenced by lease: it fails with
	// ErrLeaseLost, writing nothing, unless lease is still held by its holder
	// under its token. A k.ID stored before is ErrAlreadyExists.
	RotateEvidenceKey(ctx context.Context, lease Lease, k EvidenceKey, retire []string, retiredAt time.Time) error
}
