package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/logging"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o devmode.Options
	var addr string
	var redirects multiFlag
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.Issuer, "issuer", "", "issuer URL (default http://<addr>, with 127.0.0.1 for an unspecified host)")
	fs.StringVar(&o.Data, "data", ".portvakt-dev", "directory for the database and master key, kept across restarts")
	fs.StringVar(&o.MasterKeyFile, "master-key-file", "", "master key file, made on first start (default <data>/master.key; "+devmode.MasterKeyEnv+" in the environment wins)")
	fs.StringVar(&o.DBDriver, "db-driver", "sqlite", "sqlite, or mysql with --dsn")
	fs.StringVar(&o.DSN, "dsn", "", "database DSN (default: a SQLite file in --data)")
	fs.BoolVar(&o.AutoApprove, "auto-approve", false, "simulators approve at once, as the login_hint=sub:<id> person or a default test user")
	fs.StringVar(&o.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.LogFormat, "log-format", "text", "text or json")
	fs.Var(&redirects, "redirect-uri", "another redirect URI for the demo client (repeatable), e.g. http://localhost:3000/callback")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.ExtraRedirectURIs = redirects
	if k, ok := os.LookupEnv(devmode.MasterKeyEnv); ok && k != "" {
		o.MasterKey, o.MasterKeySource = k, "environment variable "+devmode.MasterKeyEnv
	}
	logger, err := logging.New(stderr, o.LogLevel, o.LogFormat)
	if err != nil {
		return err
	}
	o.Logger = logger
	slog.SetDefault(logger) // the op library logs through the default logger
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	env, err := devmode.Start(ctx, ln, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nportvakt dev is running\n  issuer:     %s\n  demo app:   %s/demo\n  client:     %s / %s\n"+
		"  admin:      %s/admin/ (sign in with any simulated eID; API client %s / %s)\n"+
		"  agents:     %s/agent/ (caller verification)\n"+
		"  roles:      the first test person of every simulator is admin, auditor and agent\n"+
		"  simulators: %s/sim/\n  data:       %s\n  master key: %s\n\n",
		env.Issuer, env.Issuer, devmode.DemoClientID, devmode.DemoClientSecret,
		env.Issuer, devmode.AdminClientID, devmode.AdminClientSecret, env.Issuer, env.Issuer, o.Data, env.Broker.Config.MasterKeySource)
	return env.Wait()
}
