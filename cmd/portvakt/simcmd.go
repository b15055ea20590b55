package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/logging"
)

// runSim runs the simulators on their own, for a broker started elsewhere with a
// config that points at them.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: portvakt sim se-bankid|no-bankid|fi-ftn|dk-mitid [flags]")
	}
	id := args[0]
	fs := flag.NewFlagSet("sim "+id, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address of the simulator's pages (and OpenID endpoints)")
	auto := fs.Bool("auto-approve", false, "approve every login at once")
	out := fs.String("out", ".portvakt-sim", "where se-bankid writes its CA and a client certificate for the broker")
	redirect := fs.String("redirect-uri", "", "OpenID simulators: the broker's callback to register (http://127.0.0.1:8080/callback/<id>)")
	secret := fs.String("client-secret", "", "OpenID simulators: the secret of client "+devmode.DevUpstreamClient+" (default: random, printed)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	logger, err := logging.New(stderr, "info", "text")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	sims, err := devmode.StartSimulators(ctx, base, *auto, logger)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	sims.Mount(mux)
	switch id {
	case "se-bankid":
		if err := os.MkdirAll(*out, 0o700); err != nil { //nolint:gosec // G703: the operator names the output directory
			return err
		}
		ca, cert, key := sims.BankIDTrust()
		for name, b := range map[string][]byte{"ca.pem": ca, "client.pem": cert, "client-key.pem": key} {
			if err := os.WriteFile(filepath.Join(*out, name), b, 0o600); err != nil { //nolint:gosec // G703: the operator names the output directory
				return err
			}
		}
		fmt.Fprintf(stdout, "BankID RP API: %s\napp page: %s/sim/se-bankid/\ntrust material: %s/{ca.pem,client.pem,client-key.pem}\n", sims.BankIDAPI, base, *out)
	case "no-bankid", "dk-mitid":
		s := *secret
		if *redirect != "" {
			if s, err = sims.RegisterUpstreamClient(id, *redirect, *secret); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "issuer: %s/sim/%s\nclient: %s / %s\n", base, id, devmode.DevUpstreamClient, s)
	case "fi-ftn":
		fmt.Fprintf(stdout, "issuer: %s/sim/fi-ftn (FTN registers clients by their JWKS; run it inside `portvakt dev`)\n", base)
	default:
		return fmt.Errorf("unknown simulator %q", id)
	}
	return broker.ServeHTTP(ctx, ln, mux, logger)
}
