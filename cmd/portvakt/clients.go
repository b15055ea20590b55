package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/portvakt/portvakt/admin"
)

const clientsUsage = `usage:
  portvakt clients list --config FILE
  portvakt clients get ID --config FILE
  portvakt clients create --config FILE --file CLIENT.json   (prints the secret once)
  portvakt clients update ID --config FILE --file CLIENT.json
  portvakt clients disable|enable|delete ID --config FILE
  portvakt clients rotate-secret ID --config FILE            (prints the new secret once)
CLIENT.json is the admin API's client document ("-" reads it from standard input).`

// runClients manages clients through the same service as the admin API.
func runClients(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		return fmt.Errorf("%s", clientsUsage)
	}
	sub, rest := args[0], args[1:]
	var id string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	fs, path := newAdminFlags("clients "+sub, stderr)
	file := fs.String("file", "", "client document (JSON), - for standard input")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	needsID := sub != "list" && sub != "create"
	if needsID && id == "" {
		return fmt.Errorf("clients %s: a client id is required\n%s", sub, clientsUsage)
	}
	s, err := openAdminSession(ctx, *path, stderr)
	if err != nil {
		return err
	}
	defer closeAfter(&err, s.close)
	switch sub {
	case "list":
		clients, err := s.svc.ListClients(ctx, s.as)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSOURCE\tCOUNTRIES\tEIDS\tSTATE")
		for _, c := range clients {
			source, state := c.Source, "enabled"
			if c.ReadOnly {
				source += " (read-only)"
			}
			if c.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Name, source, orAll(c.Countries), strings.Join(c.EIDs, ","), state)
		}
		return tw.Flush()
	case "get":
		c, err := s.svc.GetClient(ctx, s.as, id)
		if err != nil {
			return err
		}
		return printJSON(stdout, c)
	case "create", "update":
		in, err := readClient(*file)
		if err != nil {
			return err
		}
		if sub == "update" {
			c, err := s.svc.UpdateClient(ctx, s.as, id, in)
			if err != nil {
				return err
			}
			return printJSON(stdout, c)
		}
		c, secret, err := s.svc.CreateClient(ctx, s.as, in)
		if err != nil {
			return err
		}
		if err := printJSON(stdout, c); err != nil {
			return err
		}
		if secret != "" {
			fmt.Fprintf(stdout, "client secret (shown once): %s\n", secret)
		}
		return nil
	case "disable", "enable":
		c, err := s.svc.SetDisabled(ctx, s.as, id, sub == "disable")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "client %s is %sd\n", c.ID, sub)
		return nil
	case "delete":
		if err := s.svc.DeleteClient(ctx, s.as, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "client %s deleted\n", id)
		return nil
	case "rotate-secret":
		secret, err := s.svc.RotateSecret(ctx, s.as, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new client secret for %s (shown once): %s\n", id, secret)
		return nil
	}
	return fmt.Errorf("unknown clients command %q\n%s", sub, clientsUsage)
}

func orAll(list []string) string {
	if len(list) == 0 {
		return "all"
	}
	return strings.Join(list, ",")
}

func readClient(path string) (admin.ClientSettings, error) {
	var in admin.ClientSettings
	if path == "" {
		return in, fmt.Errorf("--file CLIENT.json is required")
	}
	var (
		b   []byte
		err error
	)
	if path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path) //nolint:gosec // G304: the operator names the client document
	}
	if err != nil {
		return in, fmt.Errorf("read client document: %w", err)
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return in, fmt.Errorf("client document %s: %w", path, err)
	}
	return in, nil
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
