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

	"github.com/portvakt/portvakt/internal/logging"
)

// runSim runs one simulator on its own, for a broker started elsewhere (serve with
// a config that points at it).
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: portvakt sim se-bankid|no-bankid|fi-ftn|dk-mitid [flags]")
	}
	id := args[0]
	fs := flag.NewFlagSet("sim "+id, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address of the simulator's pages (and OIDC endpoints)")
	auto := fs.Bool("auto-approve", false, "approve every login at once")
	out := fs.String("out", ".portvakt-sim", "where se-bankid writes its CA and a client certificate for the broker")
	redirect := fs.String("redirect-uri", "", "OIDC simulators: the broker's callback to register (http://127.0.0.1:8080/callback/<id>)")
	secret := fs.String("client-secret", "", "OIDC simulators: the secret of client "+devUpstreamClient+" (default: random, printed)")
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
	sims, err := startSimulators(ctx, base, *auto, logger)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	sims.mount(mux)
	switch id {
	case "se-bankid":
		if err := os.MkdirAll(*out, 0o700); err != nil {
			return err
		}
		for name, b := range map[string][]byte{"ca.pem": sims.bankid.CAPEM(), "client.pem": sims.bankidCert, "client-key.pem": sims.bankidKey} {
			if err := os.WriteFile(filepath.Join(*out, name), b, 0o600); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "BankID RP API: %s\napp page: %s/sim/se-bankid/\ntrust material: %s/{ca.pem,client.pem,client-key.pem}\n", sims.bankidAPI, base, *out)
	case "no-bankid", "fi-ftn", "dk-mitid":
		srv := sims.oidc[id]
		if *secret != "" {
			sims.clientSecret = *secret
		}
		if *redirect != "" && id != "fi-ftn" {
			if err := registerStandalone(srv, sims.clientSecret, *redirect); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "issuer: %s\nclient: %s / %s\n", srv.Issuer(), devUpstreamClient, sims.clientSecret)
	default:
		return fmt.Errorf("unknown simulator %q", id)
	}
	return serveHTTP(ctx, ln, mux, logger)
}
