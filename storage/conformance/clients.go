package conformance

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/portvakt/portvakt/storage"
)

var clientTests = []namedTest{
	{"CreateGetList", testClientCreateGetList},
	{"Update", testClientUpdate},
	{"UpdateErrors", testClientUpdateErrors},
	{"ConcurrentUpdate", testClientConcurrentUpdate},
	{"Delete", testClientDelete},
	{"Generation", testClientGeneration},
	{"Document", testClientDocument},
}

func newClient(id string) storage.Client {
	created := past()
	return storage.Client{
		ID:        id,
		Source:    "api",
		Settings:  json.RawMessage(`{"redirect_uris":["https://rp.example/cb"],"name":"` + id + `"}`),
		CreatedAt: created,
		UpdatedAt: created,
	}
}

func testClientCreateGetList(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	// IDs differ only in case: they are distinct clients, ordered byte-wise.
	created := map[string]storage.Client{}
	for _, id := range []string{"rp-b", "rp-a", "Rp-a", "rp-c"} {
		created[id] = newClient(id)
		mustNoErr(t, "CreateClient "+id, s.CreateClient(ctx, created[id]))
	}
	mustErrIs(t, "CreateClient duplicate", s.CreateClient(ctx, newClient("rp-a")), storage.ErrAlreadyExists)

	want := created["rp-a"]
	got, err := s.GetClient(ctx, "rp-a")
	mustNoErr(t, "GetClient", err)
	if got.ID != want.ID || got.Source != want.Source {
		t.Errorf("GetClient = %+v, want %+v", got, want)
	}
	sameJSON(t, "Settings", got.Settings, want.Settings)
	sameTime(t, "CreatedAt", got.CreatedAt, want.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, want.UpdatedAt)

	_, err = s.GetClient(ctx, "rp-unknown")
	mustErrIs(t, "GetClient unknown", err, storage.ErrNotFound)

	list, err := s.ListClients(ctx)
	mustNoErr(t, "ListClients", err)
	var gotIDs []string
	for _, c := range list {
		gotIDs = append(gotIDs, c.ID)
	}
	sameStrings(t, "ListClients ids", gotIDs, []string{"Rp-a", "rp-a", "rp-b", "rp-c"})
}

func testClientUpdate(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	orig := newClient("rp")
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, orig))

	newSettings := json.RawMessage(`{"redirect_uris":["https://rp.example/other"]}`)
	updatedAt := now()
	err := s.UpdateClient(ctx, "rp", func(c storage.Client) (storage.Client, error) {
		sameJSON(t, "updater input Settings", c.Settings, orig.Settings)
		c.Settings = newSettings
		c.Source = "config"
		c.UpdatedAt = updatedAt
		return c, nil
	})
	mustNoErr(t, "UpdateClient", err)

	got, err := s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient", err)
	sameJSON(t, "Settings", got.Settings, newSettings)
	if got.Source != "config" {
		t.Errorf("Source = %q, want config", got.Source)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, orig.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, updatedAt)
}

func testClientUpdateErrors(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	err := s.UpdateClient(ctx, "rp-unknown", func(c storage.Client) (storage.Client, error) {
		t.Error("updater called for an unknown client")
		return c, nil
	})
	mustErrIs(t, "UpdateClient unknown", err, storage.ErrNotFound)

	orig := newClient("rp")
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, orig))
	err = s.UpdateClient(ctx, "rp", func(c storage.Client) (storage.Client, error) {
		c.Settings = json.RawMessage(`{"changed":true}`)
		return c, errUpdater
	})
	mustErrIs(t, "UpdateClient with failing updater", err, errUpdater)
	got, err := s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient", err)
	sameJSON(t, "Settings after failed update", got.Settings, orig.Settings)
}

// testClientConcurrentUpdate: every one of many racing read-modify-writes lands.
func testClientConcurrentUpdate(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	c := newClient("rp")
	c.Settings = json.RawMessage(`[]`)
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, c))

	raceWriters(t, "concurrent UpdateClient", func(i int) error {
		return writer(s, i).UpdateClient(ctx, "rp", func(c storage.Client) (storage.Client, error) {
			var err error
			c.Settings, err = appendToList(c.Settings, fmt.Sprint(i))
			return c, err
		})
	})

	got, err := s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient", err)
	seen := map[string]bool{}
	for _, item := range decodeList(t, got.Settings) {
		seen[item] = true
	}
	for i := range writers {
		if !seen[fmt.Sprint(i)] {
			t.Errorf("update %d was lost; settings = %s", i, got.Settings)
		}
	}
	if n := len(decodeList(t, got.Settings)); n != writers {
		t.Errorf("settings has %d items, want %d: %s", n, writers, got.Settings)
	}
}

func testClientDelete(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, newClient("rp")))
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, newClient("rp-kept")))
	mustNoErr(t, "DeleteClient", s.DeleteClient(ctx, "rp"))
	_, err := s.GetClient(ctx, "rp")
	mustErrIs(t, "GetClient after delete", err, storage.ErrNotFound)
	mustErrIs(t, "DeleteClient again", s.DeleteClient(ctx, "rp"), storage.ErrNotFound)
	_, err = s.GetClient(ctx, "rp-kept")
	mustNoErr(t, "GetClient of the other client", err)
	// The id is free again.
	mustNoErr(t, "CreateClient after delete", s.CreateClient(ctx, newClient("rp")))
}

// testClientGeneration: every change of a client moves the "clients" generation.
func testClientGeneration(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	last := generation(t, s, "clients")
	step := func(what string, err error) {
		t.Helper()
		mustNoErr(t, what, err)
		g := generation(t, s, "clients")
		if g <= last {
			t.Errorf("after %s the clients generation is %d, was %d: want it higher", what, g, last)
		}
		last = g
	}
	step("CreateClient", s.CreateClient(ctx, newClient("rp")))
	step("UpdateClient", s.UpdateClient(ctx, "rp", func(c storage.Client) (storage.Client, error) {
		c.Settings = json.RawMessage(`{"v":2}`)
		return c, nil
	}))
	step("DeleteClient", s.DeleteClient(ctx, "rp"))
}

func generation(t *testing.T, s storage.Storage, name string) int64 {
	t.Helper()
	g, err := s.Generation(t.Context(), name)
	mustNoErr(t, "Generation "+name, err)
	return g
}

// testClientDocument: a typed client document, and one stored before documents
// had a format, come back from the store as they went in.
func testClientDocument(t *testing.T, s storage.Storage) {
	ctx := t.Context()
	doc := storage.ClientDocument{ID: "rp", Name: "RP", AuthMethod: "private_key_jwt",
		JWKS:         map[string]any{"keys": []any{map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}},
		RedirectURIs: []string{"https://rp.example/cb"}, MinLoA: "high", Theme: storage.ClientTheme{DisplayName: "Är"},
		IDTokenLifetime: "30m0s", Disabled: true}
	settings, err := storage.EncodeClientDocument(doc)
	mustNoErr(t, "EncodeClientDocument", err)
	c := newClient("rp")
	c.Settings = settings
	mustNoErr(t, "CreateClient", s.CreateClient(ctx, c))
	got, err := s.GetClient(ctx, "rp")
	mustNoErr(t, "GetClient", err)
	back, err := storage.DecodeClientDocument(got.Settings)
	mustNoErr(t, "DecodeClientDocument", err)
	doc.Format = storage.ClientDocumentFormat
	if !reflect.DeepEqual(back, doc) {
		t.Errorf("stored document came back as %+v, want %+v", back, doc)
	}

	old := newClient("rp-old")
	old.Settings = json.RawMessage(`{"id":"rp-old","name":"Old","token_endpoint_auth_method":"none","redirect_uris":["https://rp.example/cb"],"theme":{}}`)
	mustNoErr(t, "CreateClient with a document from before formats", s.CreateClient(ctx, old))
	got, err = s.GetClient(ctx, "rp-old")
	mustNoErr(t, "GetClient", err)
	back, err = storage.DecodeClientDocument(got.Settings)
	mustNoErr(t, "DecodeClientDocument of a document from before formats", err)
	want := storage.ClientDocument{Format: 1, ID: "rp-old", Name: "Old", AuthMethod: "none", RedirectURIs: []string{"https://rp.example/cb"}}
	if !reflect.DeepEqual(back, want) {
		t.Errorf("document from before formats came back as %+v, want %+v", back, want)
	}
}
