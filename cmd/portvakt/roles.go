package main

import (
	"context"
	"fmt"
	"io"

	"github.com/portvakt/portvakt/admin"
)

// runRoles grants, revokes and lists the console roles of persons through the
// admin service (audited as the person at the terminal).
func runRoles(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	const usage = "usage: portvakt roles grant|revoke --config FILE --role admin|auditor|agent (--national-id ID [--country SE|NO|FI|DK] | --sub SUB)\n" +
		"       portvakt roles list --config FILE [--role ROLE]"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	sub := args[0]
	fs, path := newAdminFlags("roles "+sub, stderr)
	role := fs.String("role", "", "admin, auditor or agent")
	var who admin.Person
	fs.StringVar(&who.NationalID, "national-id", "", "the person's national id (stored only as a keyed hash)")
	fs.StringVar(&who.Country, "country", "", "the national id's country, when the number alone is ambiguous")
	fs.StringVar(&who.Subject, "sub", "", "the person's subject at the consoles (sector portvakt-consoles), for a person without a national id")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if sub != "list" && *role == "" {
		return fmt.Errorf("%s", usage)
	}
	s, err := openAdminSession(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer closeAfter(&err, s.close)
	switch sub {
	case "grant":
		r, err := s.svc.GrantRole(ctx, s.as, *role, who)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s granted to %s\n", r.Role, personLabel(r.Label, r.PersonKey))
		return nil
	case "revoke":
		had, err := s.svc.RevokeRole(ctx, s.as, *role, who)
		if err != nil {
			return err
		}
		if had {
			fmt.Fprintf(stdout, "%s revoked; the person's next console request is refused\n", *role)
		} else {
			fmt.Fprintf(stdout, "the person did not have %s; the attempt is logged\n", *role)
		}
		return nil
	case "list":
		roles, err := s.svc.ListRoles(ctx, s.as, *role)
		if err != nil {
			return err
		}
		return printJSON(stdout, roles)
	}
	return fmt.Errorf("unknown roles command %q\n%s", sub, usage)
}

func personLabel(label, key string) string {
	if label != "" {
		return label
	}
	return key
}
