package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/logging"
)

// adminSession is the admin service over the configured database, acting as
// the person at the terminal: the same operations as the admin API, audited as
// "cli:<os user>".
type adminSession struct {
	svc   *admin.Service
	as    admin.Principal
	close func() error
}

// closeAfter runs closer when a command ends and adds its failure to the command's
// error: a database that does not close cleanly may not have written everything.
// A clean close leaves the command's error as it was (errAuditBroken included).
func closeAfter(err *error, closer func() error) {
	if closeErr := closer(); closeErr != nil {
		*err = errors.Join(*err, closeErr)
	}
}

// newAdminFlags is a flag set with --config.
func newAdminFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs, fs.String("config", "", "configuration file (YAML; ${VAR} is read from the environment)")
}

func openAdminSession(ctx context.Context, path string, stderr io.Writer) (*adminSession, error) {
	if path == "" {
		return nil, fmt.Errorf("--config FILE is required")
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	// Warnings only: the command's own output is what the person reads.
	logger, err := logging.New(stderr, "warn", "text")
	if err != nil {
		return nil, err
	}
	store, err := broker.OpenStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	keyManager, sealer, err := broker.OpenKeys(ctx, cfg, store, logger)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	parts, err := broker.OpenAdmin(ctx, cfg, store, keyManager, sealer, nil, logger)
	if err != nil {
		return nil, errors.Join(err, store.Close())
	}
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return &adminSession{
		svc: parts.Service,
		as:  admin.Principal{Actor: "cli:" + name, Roles: []string{admin.RoleAdmin}},
		close: func() error {
			// A command that appended claimed a chain: free it for the next process.
			return errors.Join(parts.Audit.Close(context.WithoutCancel(ctx)), store.Close())
		},
	}, nil
}
