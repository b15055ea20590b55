package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/storage"
)

// clientCache keeps decoded clients in memory: a login or token request needs
// its client at several steps, and the hot path must not go to the database,
// nor decode and map the stored document, for it.
// Every process polls the "clients" generation and drops its cache when an admin
// change anywhere bumped it.
type clientCache struct {
	store    storage.Storage
	defaults config.Tokens
	logger   *slog.Logger

	mu   sync.RWMutex
	byID map[string]*Client
	gen  int64
}

func newClientCache(store storage.Storage, defaults config.Tokens, logger *slog.Logger) *clientCache {
	return &clientCache{store: store, defaults: defaults, logger: logger, byID: map[string]*Client{}}
}

// Get returns the client or an error wrapping storage.ErrNotFound.
func (cc *clientCache) Get(ctx context.Context, id string) (*Client, error) {
	cc.mu.RLock()
	c, ok := cc.byID[id]
	gen := cc.gen
	cc.mu.RUnlock()
	if ok {
		return c, nil
	}
	rec, err := cc.store.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	c, err = clientFromRecord(rec, cc.defaults)
	if err != nil {
		return nil, err
	}
	cc.mu.Lock()
	if cc.gen == gen {
		cc.byID[id] = c
	}
	cc.mu.Unlock()
	return c, nil
}

// Refresh drops the cache if the clients changed since the last look.
func (cc *clientCache) Refresh(ctx context.Context) error {
	gen, err := cc.store.Generation(ctx, "clients")
	if err != nil {
		return err
	}
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if gen != cc.gen {
		cc.gen = gen
		cc.byID = map[string]*Client{}
	}
	return nil
}

// SyncConfigClients makes the stored config clients equal to the file's: new ones
// created, changed ones updated, removed ones deleted. API clients are left alone,
// and a config client may not take the id of an API client. A removed client, and
// one whose change ends its tokens (ChangeEndsTokens), loses the tokens it holds.
func SyncConfigClients(ctx context.Context, store storage.Storage, clients []config.Client, now time.Time) error {
	want := map[string]json.RawMessage{}
	wantSettings := map[string]config.Client{}
	for _, cl := range clients {
		// newClient refuses what the store must not hold (a secret_hash not in hex).
		if _, err := newClient(cl, "config", config.Tokens{}); err != nil {
			return err
		}
		stored := storedForm(cl)
		doc, err := EncodeClient(stored)
		if err != nil {
			return err
		}
		want[cl.ID], wantSettings[cl.ID] = doc, stored
	}
	existing, err := store.ListClients(ctx)
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
	}
	have := map[string]storage.Client{}
	var apiClients []config.Client
	for _, rec := range existing {
		have[rec.ID] = rec
		if rec.Source != "config" {
			api, err := DecodeClient(rec)
			if err != nil {
				return err
			}
			apiClients = append(apiClients, api)
		}
		if rec.Source == "config" {
			if _, keep := want[rec.ID]; !keep {
				if err := store.DeleteClient(ctx, rec.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
					return fmt.Errorf("delete client %s: %w", rec.ID, err)
				}
				if err := revokeClientTokens(ctx, store, rec.ID, now); err != nil {
					return err
				}
			}
		}
	}
	for _, cl := range clients {
		if problems := config.SectorConflicts(cl, apiClients); len(problems) > 0 {
			return fmt.Errorf("client %s in the config file: %s", cl.ID, strings.Join(problems, "; "))
		}
	}
	for id, doc := range want {
		rec, ok := have[id]
		switch {
		case !ok:
			err = store.CreateClient(ctx, storage.Client{ID: id, Source: "config", Settings: doc, CreatedAt: now, UpdatedAt: now})
		case rec.Source != "config":
			return fmt.Errorf("client %s in the config file is also managed through the admin API; rename one", id)
		case !storedAs(rec, doc):
			err = store.UpdateClient(ctx, id, func(c storage.Client) (storage.Client, error) {
				c.Settings, c.UpdatedAt = doc, now
				return c, nil
			})
			if err == nil && configChangeEndsTokens(rec, wantSettings[id]) {
				err = revokeClientTokens(ctx, store, id, now)
			}
		}
		if err != nil {
			return fmt.Errorf("store client %s: %w", id, err)
		}
	}
	return nil
}

// configChangeEndsTokens compares a stored config client with the file's; a
// stored document that no longer decodes is treated as changed in every way.
func configChangeEndsTokens(stored storage.Client, after config.Client) bool {
	before, err := DecodeClient(stored)
	if err != nil {
		return true
	}
	return ChangeEndsTokens(before, after)
}

// storedAs reports whether the stored client holds the settings doc does. The
// stored document is read and written anew first, so that one in an older
// format is not rewritten (and its version moved) for that alone.
func storedAs(stored storage.Client, doc json.RawMessage) bool {
	settings, err := DecodeClient(stored)
	if err != nil {
		return false
	}
	current, err := EncodeClient(settings)
	return err == nil && jsonEqual(current, doc)
}

func revokeClientTokens(ctx context.Context, store storage.Storage, id string, now time.Time) error {
	if _, err := store.RevokeTokensByClient(ctx, id, now); err != nil {
		return fmt.Errorf("revoke tokens of client %s: %w", id, err)
	}
	return nil
}

func jsonEqual(a, b json.RawMessage) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return bytes.Equal(a, b)
	}
	ax, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return bytes.Equal(ax, by)
}
