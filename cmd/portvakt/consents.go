package main

import (
	"context"
	"fmt"
	"io"
)

// runConsents lists and withdraws consents through the admin service.
func runConsents(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	const usage = "usage: portvakt consents list|withdraw --config FILE --client ID [--sub SUB]"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	sub := args[0]
	fs, path := newAdminFlags("consents "+sub, stderr)
	client := fs.String("client", "", "client id")
	subject := fs.String("sub", "", "the client's sub for the person")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *client == "" || (sub == "withdraw" && *subject == "") {
		return fmt.Errorf("%s", usage)
	}
	s, err := openAdminSession(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer closeAfter(&err, s.close)
	switch sub {
	case "list":
		c, err := s.svc.ListConsents(ctx, s.as, *client, *subject)
		if err != nil {
			return err
		}
		return printJSON(stdout, c)
	case "withdraw":
		had, err := s.svc.WithdrawConsent(ctx, s.as, *client, *subject)
		if err != nil {
			return err
		}
		if had {
			fmt.Fprintf(stdout, "consent of %s to %s withdrawn; the next login asks again\n", *subject, *client)
		} else {
			fmt.Fprintf(stdout, "%s had no standing consent to %s; the withdrawal is logged\n", *subject, *client)
		}
		return nil
	}
	return fmt.Errorf("unknown consents command %q\n%s", sub, usage)
}
