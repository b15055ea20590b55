package storage

import "errors"

var (
	// ErrNotFound: no such record, or it has expired.
	ErrNotFound = errors.New("storage: not found")
	// ErrAlreadyExists: a record with that key exists.
	ErrAlreadyExists = errors.New("storage: already exists")
	// ErrCodeReused: ConsumeCode found the code already consumed. The AuthRequest is
	// returned with it, so the caller can revoke what the first redemption issued.
	ErrCodeReused = errors.New("storage: authorization code already used")
	// ErrConflict: an update lost a race (ReplaceAuthRequest: once; the updates
	// that retry: too many times in a row).
	ErrConflict = errors.New("storage: concurrent update conflict")
	// ErrLeaseLost: a write fenced by a lease found the lease taken by another
	// holder (or expired) since, and wrote nothing.
	ErrLeaseLost = errors.New("storage: lease lost")
	// ErrUnavailable wraps failures to reach the database, so callers can answer 503
	// or temporarily_unavailable rather than 500.
	ErrUnavailable = errors.New("storage: database unavailable")
)
