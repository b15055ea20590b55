package admin

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/storage"
)

// document is what a client's stored settings hold: the provider's client
// document, plus whether an admin disabled the client (the provider ignores the
// extra field; EnabledClients hides disabled clients from it).
type document struct {
	config.Client
	Disabled bool `json:"disabled,omitempty"`
}

func decodeDocument(rec storage.Client) (document, error) {
	var d document
	if err := json.Unmarshal(rec.Settings, &d); err != nil {
		return d, fmt.Errorf("decode client %s: %w", rec.ID, err)
	}
	return d, nil
}

// EnabledClients wraps the provider's store so a disabled client is unknown to
// it: no login, no token, no introspection, until an admin enables it again.
func EnabledClients(s storage.Storage) storage.Storage { return enabledClients{s} }

type enabledClients struct{ storage.Storage }

func (e enabledClients) GetClient(ctx context.Context, id string) (storage.Client, error) {
	rec, err := e.Storage.GetClient(ctx, id)
	if err != nil {
		return rec, err
	}
	var flag struct {
		Disabled bool `json:"disabled"`
	}
	if json.Unmarshal(rec.Settings, &flag) == nil && flag.Disabled {
		return storage.Client{}, fmt.Errorf("client %s is disabled: %w", id, storage.ErrNotFound)
	}
	return rec, nil
}

// Client is a client as the admin API shows it. The secret is never part of it;
// SecretSet says whether one is stored.
type Client struct {
	config.Client
	Disabled  bool   `json:"disabled"`
	Source    string `json:"source"`
	ReadOnly  bool   `json:"read_only"`
	SecretSet bool   `json:"secret_set"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func viewOf(rec storage.Client) (Client, error) {
	d, err := decodeDocument(rec)
	if err != nil {
		return Client{}, err
	}
	v := Client{Client: d.Client, Disabled: d.Disabled, Source: rec.Source, ReadOnly: rec.Source == SourceConfig,
		SecretSet: d.SecretHash != "", CreatedAt: rec.CreatedAt.UTC().Format(timeFormat), UpdatedAt: rec.UpdatedAt.UTC().Format(timeFormat)}
	v.SecretHash = ""
	return v, nil
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// Client sources.
const (
	SourceConfig = "config"
	SourceAPI    = "api"
)
