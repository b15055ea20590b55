package admin

import (
	"errors"
	"slices"
	"strings"
)

// Roles.
const (
	RoleAdmin   = "admin"
	RoleAuditor = "auditor"
)

// Principal is who acts: an admin API token's client, or a CLI user.
type Principal struct {
	// Actor names them in the audit trail: "client:<id>" or "cli:<user>".
	Actor string
	Roles []string
	// IP is the caller's address, when there is one.
	IP string
}

// Can reports whether the principal has the role.
func (p Principal) Can(role string) bool { return slices.Contains(p.Roles, role) }

func (p Principal) mayRead() bool { return p.Can(RoleAdmin) || p.Can(RoleAuditor) }

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
