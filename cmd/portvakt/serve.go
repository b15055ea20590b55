package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/logging"
	"github.com/portvakt/portvakt/keys"
)

func configFlag(name string, args []string, stderr io.Writer) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file (YAML; ${VAR} is read from the environment)")
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	if *path == "" {
		return nil, fs, fmt.Errorf("--config FILE is required")
	}
	cfg, err := config.Load(*path)
	return cfg, fs, err
}

func runServe(ctx context.Context, args []string, _, stderr io.Writer) error {
	cfg, _, err := configFlag("serve", args, stderr)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	slog.SetDefault(logger) // the op library logs through the default logger
	a, err := broker.Build(ctx, cfg, logger, nil)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := serveMetrics(ctx, cancel, cfg, a, logger); err != nil {
		return errors.Join(err, ln.Close())
	}
	return a.Run(ctx, ln, a.Handler())
}

// serveMetrics serves /metrics on metrics.listen, apart from the public login
// listener: the metrics name clients. A failure there stops the broker, as a
// failure of the main listener would.
func serveMetrics(ctx context.Context, stop context.CancelFunc, cfg *config.Config, a *broker.Broker, logger *slog.Logger) error {
	if cfg.Metrics.Listen == "off" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.Metrics.Listen)
	if err != nil {
		return fmt.Errorf("metrics.listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.Provider.MetricsHandler())
	logger.Info("metrics are served", "addr", ln.Addr().String(), "path", "/metrics")
	go func() {
		if err := broker.ServeHTTP(ctx, ln, mux, logger); err != nil {
			logger.Error("metrics listener stopped", "error", err)
			stop()
		}
	}()
	return nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	cfg, _, err := configFlag("migrate", args, stderr)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	store, err := broker.OpenStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeAfter(&err, store.Close)
	_, err = fmt.Fprintln(stdout, "database schema is up to date")
	return err
}

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		return fmt.Errorf("usage: portvakt keys list|rotate|master-key")
	}
	sub, rest := args[0], args[1:]
	if sub == "master-key" {
		k, err := keys.GenerateMasterKey()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, k)
		return err
	}
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "configuration file")
	alg := fs.String("alg", "", "algorithm to rotate (default: every configured one)")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		return err
	}
	logger, err := logging.New(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	store, err := broker.OpenStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeAfter(&err, store.Close)
	m, _, err := broker.OpenKeys(ctx, cfg, store, logger)
	if err != nil {
		return err
	}
	switch sub {
	case "rotate":
		algs := cfg.Keys.Algorithms
		if *alg != "" {
			algs = []string{*alg}
		}
		for _, a := range algs {
			if err := m.Rotate(ctx, a); err != nil {
				return fmt.Errorf("rotate %s: %w", a, err)
			}
			fmt.Fprintf(stdout, "rotated %s\n", a)
		}
		return nil
	case "list":
		infos, err := m.List(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%-24s %-6s %-8s %-20s %s\n", "KID", "ALG", "CURRENT", "CREATED", "PUBLISHED UNTIL")
		for _, k := range infos {
			until := "-"
			if !k.ExpiresAt.IsZero() {
				until = k.ExpiresAt.UTC().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(stdout, "%-24s %-6s %-8t %-20s %s\n", k.ID, k.Algorithm, k.Current, k.CreatedAt.UTC().Format("2006-01-02 15:04"), until)
		}
		return nil
	}
	return fmt.Errorf("unknown keys command %q", sub)
}
