package storage

import (
	"context"
	"time"
)

// PersonRole is a role granted to a person of the broker's own consoles. The
// person is named by PersonKey, a keyed hash of the national id (or "sub:" and
// a pairwise subject for a person without one), never in clear; Label is what
// lists show instead (the national id masked).
type PersonRole struct {
	PersonKey string    `json:"person_key"`
	Role      string    `json:"role"`
	Label     string    `json:"label,omitempty"`
	GrantedAt time.Time `json:"granted_at"`
	// GrantedBy is the actor who granted it ("client:<id>", "cli:<user>", "person:<key>").
	GrantedBy string `json:"granted_by,omitempty"`
}

// Roles keeps the console roles granted to persons. Writes are keyed by
// (person key, role), so repeating one changes nothing.
type Roles interface {
	// GrantRole stores the grant; granting a role the person has keeps the
	// first grant and reports false.
	GrantRole(ctx context.Context, r PersonRole) (bool, error)
	// RevokeRole removes the grant and reports whether there was one.
	RevokeRole(ctx context.Context, personKey, role string) (bool, error)
	// RolesOf returns the person's roles, sorted.
	RolesOf(ctx context.Context, personKey string) ([]string, error)
	// ListRoles returns every grant, by person key then role; a role filters.
	ListRoles(ctx context.Context, role string) ([]PersonRole, error)
}
