package storage

import (
	"context"
	"time"
)

// Consent decisions as logged.
const (
	ConsentGranted   = "granted"
	ConsentDeclined  = "declined"
	ConsentWithdrawn = "withdrawn"
)

// ConsentEvent is one entry of the consent log: a decision on the consent page or
// a withdrawal.
type ConsentEvent struct {
	ID       string    `json:"id"`
	Time     time.Time `json:"time"`
	ClientID string    `json:"client_id"`
	Subject  string    `json:"sub"`
	// Decision is ConsentGranted, ConsentDeclined or ConsentWithdrawn.
	Decision string   `json:"decision"`
	Claims   []string `json:"claims,omitempty"`
	Remember bool     `json:"remember"`
	// Actor is who withdrew (empty for the person's own decisions).
	Actor string `json:"actor,omitempty"`
}

// RememberedConsent is a standing consent of a person (subject) to a client.
type RememberedConsent struct {
	ClientID  string    `json:"client_id"`
	Subject   string    `json:"sub"`
	Claims    []string  `json:"claims"`
	GrantedAt time.Time `json:"granted_at"`
}

// ConsentQuery selects log entries or remembered consents; empty fields do not filter.
type ConsentQuery struct {
	ClientID string
	Subject  string
	Limit    int
}

// Consents keeps consent decisions.
type Consents interface {
	// RecordConsent appends e to the log. A granted decision with Remember
	// replaces the remembered consent; a declined or withdrawn one removes it.
	RecordConsent(ctx context.Context, e ConsentEvent) error
	// GetRememberedConsent returns ErrNotFound when there is none.
	GetRememberedConsent(ctx context.Context, clientID, subject string) (RememberedConsent, error)
	ListRememberedConsents(ctx context.Context, q ConsentQuery) ([]RememberedConsent, error)
	// ListConsentEvents returns the log, newest first.
	ListConsentEvents(ctx context.Context, q ConsentQuery) ([]ConsentEvent, error)
}
