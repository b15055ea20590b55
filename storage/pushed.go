package storage

import (
	"context"
	"errors"
	"time"
)

// PushedRequest is an authorization request a client pushed (RFC 9126): its
// parameters, sealed by the provider, kept under the hash of the reference
// the client was given as its request_uri.
type PushedRequest struct {
	RefHash   []byte
	ClientID  string
	Data      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PushedRequests stores pushed authorization requests until one authorization
// request takes them.
type PushedRequests interface {
	// CreatePushedRequest stores r; a RefHash stored before is ErrAlreadyExists.
	CreatePushedRequest(ctx context.Context, r PushedRequest) error
	// TakePushedRequest returns the request stored under refHash and marks it
	// taken, atomically: of many concurrent callers exactly one gets it. A
	// request taken before gives ErrAlreadyTaken; an unknown or expired one
	// ErrNotFound.
	TakePushedRequest(ctx context.Context, refHash []byte, now time.Time) (PushedRequest, error)
}

// ErrAlreadyTaken: the pushed request was taken before.
var ErrAlreadyTaken = errors.New("storage: pushed request already taken")
