package provider

import (
	"bytes"
	"testing"

	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/storage"
)

func TestDecodedStatesFollowTheVersion(t *testing.T) {
	sealer, err := keys.NewSealer(bytes.Repeat([]byte{3}, keys.MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	codec := stateCodec{sealer: sealer}
	record := func(id string, version int64, message string) storage.AuthRequest {
		data, err := codec.encode(id, &loginState{Message: message})
		if err != nil {
			t.Fatal(err)
		}
		return storage.AuthRequest{ID: id, Data: data, Version: version}
	}
	d := newDecodedStates(2)
	steps := []struct {
		name string
		rec  storage.AuthRequest
		want string
	}{
		{"first read decodes", record("a", 1, "one"), "one"},
		// Same version: served from memory. The data is unreadable to show it is
		// not decoded (a real row of the same version has the same data).
		{"same version is not decoded again", storage.AuthRequest{ID: "a", Data: []byte(`"bm90IHNlYWxlZA"`), Version: 1}, "one"},
		{"a new version is decoded", record("a", 2, "two"), "two"},
		{"another login", record("b", 1, "bee"), "bee"},
		{"a third login evicts one", record("c", 1, "sea"), "sea"},
	}
	for _, step := range steps {
		a, err := d.load(codec, step.rec)
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if a.state.Message != step.want || a.rec.Version != step.rec.Version || a.id != step.rec.ID {
			t.Fatalf("%s: got %q at version %d, want %q at %d", step.name, a.state.Message, a.rec.Version, step.want, step.rec.Version)
		}
	}
	if n := len(d.entries); n != 2 {
		t.Errorf("%d entries kept, want at most 2", n)
	}
	if _, err := d.load(codec, storage.AuthRequest{ID: "d", Data: []byte(`"bm90IHNlYWxlZA"`), Version: 1}); err == nil {
		t.Error("an unreadable login that was never decoded loaded without error")
	}
}
