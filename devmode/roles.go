package devmode

import (
	"context"
	"fmt"
	"slices"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// devPrincipal grants dev mode's roles, as the audit trail names it.
var devPrincipal = admin.Principal{Actor: "dev:default-roles", Roles: []string{admin.RoleAdmin}}

// grantDefaultRoles gives the first test person of every simulator the admin,
// auditor and agent roles, so the consoles can be tried at once. Roles a person
// has already are left as they are (and not audited again).
func grantDefaultRoles(ctx context.Context, b *broker.Broker, sims *Simulators) error {
	svc := b.Admin.Service
	for _, person := range sims.DefaultPeople() {
		_, normal, err := nationalid.Recognize(person.NationalID, "")
		if err != nil {
			continue // a person without a national id of the four (a toy eID's)
		}
		have, err := svc.RolesOf(ctx, svc.PersonKeyOfNationalID(normal))
		if err != nil {
			return err
		}
		for _, role := range admin.PersonRoles {
			if slices.Contains(have, role) {
				continue
			}
			if _, err := svc.GrantRole(ctx, devPrincipal, role, admin.Person{NationalID: normal}); err != nil {
				return fmt.Errorf("grant dev role %s: %w", role, err)
			}
		}
	}
	return nil
}

// DefaultPeople are the first test person of every simulator: whom an
// auto-approving simulator approves as when no login_hint names another.
func (s *Simulators) DefaultPeople() []connectors.TestPerson {
	var out []connectors.TestPerson
	for _, id := range s.ids {
		if people := s.byID[id].People(); len(people) > 0 {
			out = append(out, people[0])
		}
	}
	return out
}
