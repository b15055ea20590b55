package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/storage"
)

// RoleAgent lets a person use the agent console (caller verification).
const RoleAgent = "agent"

// PersonRoles are the roles a person can be granted for the consoles.
var PersonRoles = []string{RoleAdmin, RoleAuditor, RoleAgent}

// Errors of role changes.
var (
	ErrUnknownRole = errors.New("the role is not one of admin, auditor, agent")
	ErrNoPerson    = errors.New("name the person by a valid national id (with its country when ambiguous) or by a subject")
)

// Person names someone to grant a role to: a national id (its country decides
// when the number alone is ambiguous), or the pairwise subject the consoles get
// (their clients share the sector portvakt-consoles), for a person the eID gives no national id.
type Person struct {
	NationalID string `json:"national_id,omitempty"`
	Country    string `json:"country,omitempty"`
	Subject    string `json:"sub,omitempty"`
}

// SubjectKeyPrefix starts the person key of a person known by subject only.
const SubjectKeyPrefix = "sub:"

// PersonKey is the key a person's roles are stored under, and the label lists
// show: the keyed hash and the masked national id; never the number itself.
func (s *Service) PersonKey(p Person) (key, label string, err error) {
	switch {
	case p.NationalID != "" && p.Subject != "":
		return "", "", ErrNoPerson
	case p.NationalID != "":
		_, normal, err := nationalid.Recognize(p.NationalID, p.Country)
		if err != nil {
			return "", "", fmt.Errorf("%w: %w", ErrNoPerson, err)
		}
		return s.o.Audit.PersonKeyOf(normal), nationalid.Mask(normal), nil
	case p.Subject != "" && len(p.Subject) <= 255:
		return SubjectKeyPrefix + p.Subject, "", nil
	}
	return "", "", ErrNoPerson
}

// PersonKeyOfNationalID is the key of a person an eID identified by a national
// id already normalised (the console's sign-in).
func (s *Service) PersonKeyOfNationalID(normal string) string { return s.o.Audit.PersonKeyOf(normal) }

// GrantRole gives a person a console role; granting one they have is no change.
func (s *Service) GrantRole(ctx context.Context, p Principal, role string, who Person) (storage.PersonRole, error) {
	r, _, err := s.changeRole(ctx, p, "role.grant", role, who)
	return r, err
}

// RevokeRole takes a console role from a person. Their next request to a
// console is refused: the consoles read the roles on every request.
func (s *Service) RevokeRole(ctx context.Context, p Principal, role string, who Person) (bool, error) {
	_, had, err := s.changeRole(ctx, p, "role.revoke", role, who)
	return had, err
}

func (s *Service) changeRole(ctx context.Context, p Principal, action, role string, who Person) (storage.PersonRole, bool, error) {
	if err := s.authorize(ctx, p, true, action, ""); err != nil {
		return storage.PersonRole{}, false, err
	}
	if !slices.Contains(PersonRoles, role) {
		return storage.PersonRole{}, false, ErrUnknownRole
	}
	key, label, err := s.PersonKey(who)
	if err != nil {
		return storage.PersonRole{}, false, err
	}
	r := storage.PersonRole{PersonKey: key, Role: role, Label: label, GrantedAt: s.o.Now(), GrantedBy: p.Actor}
	var changed bool
	if action == "role.grant" {
		changed, err = s.o.Roles.GrantRole(ctx, r)
	} else {
		changed, err = s.o.Roles.RevokeRole(ctx, key, role)
	}
	if err != nil {
		return storage.PersonRole{}, false, fmt.Errorf("%s: %w", action, err)
	}
	e := audit.AdminEvent{Action: action, NationalIDMasked: label, Details: map[string]any{"role": role, "changed": changed}}
	if strings.HasPrefix(key, SubjectKeyPrefix) {
		e.Subject = strings.TrimPrefix(key, SubjectKeyPrefix)
	} else {
		e.PersonKey = key
	}
	s.record(ctx, p, e)
	return r, changed, nil
}

// ListRoles lists the grants, of one role when given.
func (s *Service) ListRoles(ctx context.Context, p Principal, role string) ([]storage.PersonRole, error) {
	if err := s.authorize(ctx, p, false, "role.list", ""); err != nil {
		return nil, err
	}
	if role != "" && !slices.Contains(PersonRoles, role) {
		return nil, ErrUnknownRole
	}
	roles, err := s.o.Roles.ListRoles(ctx, role)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	return roles, nil
}

// RolesOf is what a signed-in person may do now, read on every console
// request so a revocation takes effect at once.
func (s *Service) RolesOf(ctx context.Context, personKey string) ([]string, error) {
	roles, err := s.o.Roles.RolesOf(ctx, personKey)
	if err != nil {
		return nil, fmt.Errorf("read roles: %w", err)
	}
	return roles, nil
}
