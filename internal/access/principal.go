package access

import "slices"

// Principal is who acts: an admin API token's client, or a command-line user.
type Principal struct {
	// Actor names them in the audit trail: "client:<id>" or "cli:<user>".
	Actor string
	Roles []string
	// IP is the caller's address, when there is one.
	IP string
	// TokenID is the admin access token the call came with, if any.
	TokenID string
}

// Can reports whether the principal has the role.
func (p Principal) Can(role string) bool { return slices.Contains(p.Roles, role) }

// CanAny reports whether the principal has at least one of the roles.
func (p Principal) CanAny(roles ...string) bool { return slices.ContainsFunc(roles, p.Can) }
