package brokertest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/internal/testenv"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage/sqlstore"
	"github.com/portvakt/portvakt/themes"
)

// NewProvider validates cfg (after applying defaults), opens a SQLite database in a
// temp dir unless cfg names one, and builds the provider. o carries the test's
// connectors, clock and hooks; NewProvider fills in the rest. The database closes
// when the test ends.
func NewProvider(tb testing.TB, cfg *config.Config, o provider.Options) Built {
	tb.Helper()
	ctx := context.Background()
	if cfg.MasterKey == "" {
		k, err := keys.GenerateMasterKey()
		if err != nil {
			tb.Fatal(err)
		}
		cfg.MasterKey = k
	}
	if cfg.Storage.Driver == "" {
		cfg.Storage = config.Storage{Driver: "sqlite", DSN: filepath.Join(tb.TempDir(), "portvakt.db")}
	}
	cfg.ApplyDefaults()
	if problems := cfg.Validate(); len(problems) > 0 {
		tb.Fatal(problems.Err())
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlstore.Open(ctx, sqlstore.Config{Driver: cfg.Storage.Driver, DSN: cfg.Storage.DSN, Logger: logger})
	if err != nil {
		tb.Fatal(err)
	}
	testenv.CloseAtEnd(tb, store)
	if err := store.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	master, err := keys.ParseMasterKey(cfg.MasterKey)
	if err != nil {
		tb.Fatal(err)
	}
	sealer, err := keys.NewSealer(master)
	if err != nil {
		tb.Fatal(err)
	}
	km := keys.NewManager(store, sealer, keys.Options{Logger: logger, Algorithms: cfg.Keys.Algorithms})
	if err := km.Init(ctx); err != nil {
		tb.Fatal(err)
	}
	th, err := themes.Load(themes.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if err := provider.SyncConfigClients(ctx, store, cfg.Clients, time.Now()); err != nil {
		tb.Fatal(err)
	}
	if o.Logger == nil {
		o.Logger = logger
	}
	o.Config, o.Store, o.Keys, o.Sealer, o.Themes = cfg, store, km, sealer, th
	srv, err := provider.New(ctx, o)
	if err != nil {
		tb.Fatal(err)
	}
	return Built{Server: srv, Store: store, Keys: km}
}

// Built is what NewProvider made.
type Built struct {
	Server *provider.Server
	Store  *sqlstore.Store
	Keys   *keys.Manager
}
