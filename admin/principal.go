package admin

import (
	"errors"
	"strings"

	"github.com/portvakt/portvakt/internal/access"
)

// Roles.
const (
	RoleAdmin   = "admin"
	RoleAuditor = "auditor"
)

// Principal is who acts: an admin API token's client, or a CLI user.
type Principal = access.Principal

// mayRead: admins and auditors read.
func mayRead(p Principal) bool { return p.CanAny(RoleAdmin, RoleAuditor) }

// Errors the API maps to statuses.
var (
	ErrForbidden = errors.New("the principal's role does not allow this")
	ErrNotFound  = errors.New("no such client")
	ErrReadOnly  = errors.New("the client is declared in the configuration file and is read-only here")
	ErrExists    = errors.New("a client with that id exists")
	ErrNoSecret  = errors.New("the client does not authenticate with a secret")
	// ErrNoRetention: purging needs audit.retention in the configuration.
	ErrNoRetention = errors.New("no audit retention period is configured (audit.retention)")
)

// InvalidError lists every problem of a client document.
type InvalidError struct{ Problems []string }

func (e *InvalidError) Error() string { return "invalid client: " + strings.Join(e.Problems, "; ") }
