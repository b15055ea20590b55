package sqlstore

import (
	"context"

	"github.com/portvakt/portvakt/storage"
)

var _ storage.Roles = (*Store)(nil)

// GrantRole inserts the grant unless the person has the role; the primary key
// (person_key, role) makes a repeated or retried grant change nothing. After a
// commit whose outcome was lost and a retry that found the row, it reports
// false although this call wrote it: the grant stands either way.
func (s *Store) GrantRole(ctx context.Context, r storage.PersonRole) (bool, error) {
	if r.GrantedAt.IsZero() {
		r.GrantedAt = s.now()
	}
	insert := "INSERT INTO person_roles (person_key, role, label, granted_at, granted_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (person_key, role) DO NOTHING"
	if s.dialect.name == DriverMySQL {
		insert = "INSERT IGNORE INTO person_roles (person_key, role, label, granted_at, granted_by) VALUES (?, ?, ?, ?, ?)"
	}
	n, err := s.execCount(ctx, insert, r.PersonKey, r.Role, r.Label, millis(r.GrantedAt), r.GrantedBy)
	if err != nil {
		return false, s.fail("grant role", err)
	}
	return n > 0, nil
}

// RevokeRole deletes the grant by its key.
func (s *Store) RevokeRole(ctx context.Context, personKey, role string) (bool, error) {
	n, err := s.execCount(ctx, "DELETE FROM person_roles WHERE person_key = ? AND role = ?", personKey, role)
	if err != nil {
		return false, s.fail("revoke role", err)
	}
	return n > 0, nil
}

// RolesOf returns the person's roles, sorted.
func (s *Store) RolesOf(ctx context.Context, personKey string) ([]string, error) {
	rows, err := s.query(ctx, "SELECT role FROM person_roles WHERE person_key = ? ORDER BY role", personKey)
	if err != nil {
		return nil, s.fail("read roles", err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var role string
		if err := rows.Scan(&role); err != nil {
			return nil, s.fail("read roles", err)
		}
		out = append(out, role)
	}
	return out, s.fail("read roles", rows.Err())
}

// ListRoles returns every grant (of one role, when given).
func (s *Store) ListRoles(ctx context.Context, role string) ([]storage.PersonRole, error) {
	q, args := "SELECT person_key, role, label, granted_at, granted_by FROM person_roles ORDER BY person_key, role", []any{}
	if role != "" {
		q, args = "SELECT person_key, role, label, granted_at, granted_by FROM person_roles WHERE role = ? ORDER BY person_key, role", []any{role}
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.fail("list roles", err)
	}
	defer func() { _ = rows.Close() }()
	var out []storage.PersonRole
	for rows.Next() {
		var (
			r  storage.PersonRole
			at int64
		)
		if err := rows.Scan(&r.PersonKey, &r.Role, &r.Label, &at, &r.GrantedBy); err != nil {
			return nil, s.fail("list roles", err)
		}
		r.GrantedAt = fromMillis(at)
		out = append(out, r)
	}
	return out, s.fail("list roles", rows.Err())
}
