package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/devmode"
	"github.com/portvakt/portvakt/internal/logging"
)

// runSim runs the simulators on their own, for a broker started elsewhere with a
// config that points at them.
func runSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: portvakt sim %s [flags]", strings.Join(devIDs(broker.ConnectorTypes()), "|"))
	}
	id := args[0]
	fs := flag.NewFlagSet("sim "+id, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address of the simulator's pages (and OpenID endpoints)")
	auto := fs.Bool("auto-approve", false, "approve every login at once")
	out := fs.String("out", ".portvakt-sim", "where a simulator that authenticates the broker by certificate (se-bankid, freja) writes its CA and a client certificate; freja also the certificate its results are signed with")
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
	howto, err := sims.Standalone(id, connectors.StandaloneOptions{RedirectURI: *redirect, ClientSecret: *secret, Dir: *out})
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, howto)
	return broker.ServeHTTP(ctx, ln, mux, logger)
}

// devIDs are the connector ids of the registered eIDs, as dev mode names them.
func devIDs(reg connectors.Registry) []string {
	var out []string
	for _, t := range reg {
		out = append(out, t.DevID)
	}
	return out
}
