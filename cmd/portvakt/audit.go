package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/portvakt/portvakt/audit"
)

// errAuditBroken makes `portvakt audit verify` exit non-zero on a broken chain.
var errAuditBroken = errors.New("the audit trail does not verify")

// runAudit verifies, exports and purges the audit trail.
func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	const usage = "usage: portvakt audit verify|checkpoint|export|purge --config FILE " +
		"[--checkpoint FILE] [--client ID] [--national-id ID] [--sub SUB] [--agent AGENT | --agent-national-id ID] " +
		"[--from RFC3339] [--to RFC3339] [--after CURSOR]"
	if len(args) == 0 {
		return fmt.Errorf("%s", usage)
	}
	sub := args[0]
	fs, path := newAdminFlags("audit "+sub, stderr)
	var q audit.Query
	fs.StringVar(&q.ClientID, "client", "", "export: only this client's records")
	fs.StringVar(&q.NationalID, "national-id", "", "export: only this person's records")
	fs.StringVar(&q.Subject, "sub", "", "export: only records with this sub")
	fs.StringVar(&q.Agent, "agent", "", "export: only the caller verifications of this agent (the agent value the client sent)")
	fs.StringVar(&q.AgentNationalID, "agent-national-id", "", "export: only the caller verifications this agent console user made")
	from := fs.String("from", "", "export: records at or after this time (RFC 3339)")
	to := fs.String("to", "", "export: records before this time (RFC 3339)")
	after := fs.String("after", "", "export: records after this cursor (<unix ms>.<chain>.<seq>, as the admin API's next_after)")
	checkpoint := fs.String("checkpoint", "", "verify: also check the chain against this checkpoint (from `audit checkpoint`)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if q.From, err = optionalTime(*from); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if q.To, err = optionalTime(*to); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if q.After, err = audit.ParseCursor(*after); err != nil {
		return fmt.Errorf("--after: %w", err)
	}
	s, err := openAdminSession(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer closeAfter(&err, s.close)
	switch sub {
	case "verify":
		var rep audit.Report
		if *checkpoint == "" {
			rep, err = s.svc.VerifyAudit(ctx, s.as)
		} else {
			var c audit.Checkpoint
			if c, err = readCheckpoint(*checkpoint); err != nil {
				return err
			}
			rep, err = s.svc.VerifyAuditCheckpoint(ctx, s.as, c)
		}
		if err != nil {
			return err
		}
		return printReport(stdout, rep)
	case "checkpoint":
		c, rep, err := s.svc.CheckpointAudit(ctx, s.as)
		if err != nil {
			return err
		}
		if !rep.OK {
			return printReport(stdout, rep)
		}
		return json.NewEncoder(stdout).Encode(c)
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

// printReport prints a verification report; a broken chain is an error.
func printReport(w io.Writer, rep audit.Report) error {
	if rep.Broken != nil {
		fmt.Fprintf(w, "BROKEN after %d good records: %s\n", rep.Records, rep.Broken)
		return errAuditBroken
	}
	fmt.Fprintf(w, "ok: %d records in %d chains; every chain verifies and the %d anchors between them hold", rep.Records, len(rep.Chains), rep.Anchors)
	if rep.Checkpoint > 0 {
		fmt.Fprintf(w, ", and the trail reaches the checkpoint of %s (%d chain heads)", rep.CheckpointTime.Format(time.RFC3339), rep.Checkpoint)
	}
	fmt.Fprintln(w)
	for _, c := range rep.Chains {
		fmt.Fprintf(w, "  chain %d: %d records", c.Chain, c.Records)
		if c.Records > 0 {
			fmt.Fprintf(w, ", %d to %d", c.LastSeq-int64(c.Records)+1, c.LastSeq)
		}
		if c.AnchorSeq > 0 {
			fmt.Fprintf(w, " (up to %d purged)", c.AnchorSeq)
		}
		fmt.Fprintln(w)
	}
	if rep.Legacy > 0 {
		fmt.Fprintf(w, "note: %d records of chain 0 before record %d were written before the chain was keyed; "+
			"they are checked with the legacy unkeyed hash only\n", rep.Legacy, rep.KeyedFrom)
	}
	return nil
}

func readCheckpoint(path string) (audit.Checkpoint, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the operator names the checkpoint file
	if err != nil {
		return audit.Checkpoint{}, fmt.Errorf("--checkpoint: %w", err)
	}
	return audit.ParseCheckpoint(b)
}

func optionalTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}
