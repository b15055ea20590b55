package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/portvakt/portvakt/broker"
)

const usage = `portvakt: an OpenID Connect broker for the Nordic national eIDs.

Usage:
  portvakt dev [--addr 127.0.0.1:8080] [--data ./.portvakt-dev] [--master-key-file FILE] [--auto-approve]
  portvakt serve --config FILE
  portvakt migrate --config FILE
  portvakt keys list|rotate [--alg RS256]|master-key --config FILE
  portvakt clients list|get|create|update|disable|enable|delete|rotate-secret --config FILE ...
  portvakt consents list|withdraw --config FILE --client ID [--sub SUB]
  portvakt roles grant|revoke|list --config FILE [--role admin|auditor|agent] [--national-id ID | --sub SUB]
  portvakt audit verify|checkpoint|export|purge --config FILE [filters]
  portvakt sim {{eids}} [--addr ...] [--auto-approve]
  portvakt evidence verify FILE --evidence-keys JWKS-FILE [--issuer URL] [--bankid-roots PEM] [--freja-keys FILE]
  portvakt evidence keys|rotate --config FILE
  portvakt bench [--issuer URL] [--eid mitid|nobankid|ftn|bankid] [--concurrency 32] [--duration 30s] [--pending N] [--ciba] [--json]
  portvakt health [--url http://127.0.0.1:8080/readyz]
  portvakt version

Run 'portvakt <command> -h' for a command's flags.
`

// usageText is usage with the eIDs the binary knows.
func usageText() string {
	return strings.Replace(usage, "{{eids}}", strings.Join(devIDs(broker.ConnectorTypes()), "|"), 1)
}

type command func(ctx context.Context, args []string, stdout, stderr io.Writer) error

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	commands := map[string]command{
		"dev":      runDev,
		"serve":    runServe,
		"migrate":  runMigrate,
		"keys":     runKeys,
		"sim":      runSim,
		"clients":  runClients,
		"consents": runConsents,
		"audit":    runAudit,
		"roles":    runRoles,
		"bench":    runBench,
		"evidence": runEvidence,
		"health":   runHealth,
		"version": func(_ context.Context, _ []string, out, _ io.Writer) error {
			_, err := fmt.Fprintln(out, version())
			return err
		},
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usageText())
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "portvakt: unknown command %q\n\n%s", args[0], usageText())
		return 2
	}
	if err := cmd(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "portvakt %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func version() string { return "portvakt (development build)" }
