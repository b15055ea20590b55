package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/portvakt/portvakt/audit"
)

// errAuditBroken makes `portvakt audit verify` exit non-zero on a broken chain.
var errAuditBroken = errors.New("the audit trail does not verify")

// runAudit verifies, exports and purges the audit trail.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const usage = "usage: portvakt audit verify|export|purge --config FILE " +
		"[--client ID] [--national-id ID] [--sub SUB] [--from RFC3339] [--to RFC3339]"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	sub := args[0]
	fs, path := newAdminFlags("audit "+sub, stderr)
	var q audit.Query
	fs.StringVar(&q.ClientID, "client", "", "export: only this client's records")
	fs.StringVar(&q.NationalID, "national-id", "", "export: only this person's records")
	fs.StringVar(&q.Subject, "sub", "", "export: only records with this sub")
	from := fs.String("from", "", "export: records at or after this time (RFC 3339)")
	to := fs.String("to", "", "export: records before this time (RFC 3339)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var err error
	if q.From, err = optionalTime(*from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if q.To, err = optionalTime(*to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	s, err := openAdminSession(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	switch sub {
	case "verify":
		rep, err := s.svc.VerifyAudit(ctx, s.as)
		if err != nil {
			return err
		}
		if rep.Broken != nil {
			fmt.Fprintf(stdout, "BROKEN after %d good records: %s\n", rep.Records, rep.Broken)
			return errAuditBroken
		}
		fmt.Fprintf(stdout, "ok: %d records, the chain verifies\n", rep.Records)
		return nil
	case "export":
		_, err := s.svc.ExportAudit(ctx, s.as, stdout, q)
		return err
	case "purge":
		n, err := s.svc.PurgeAudit(ctx, s.as)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "purged %d records past the retention period\n", n)
		return nil
	}
	return fmt.Errorf("unknown audit command %q\n%s", sub, usage)
}

func optionalTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}
