package provider

import (
	"sync"

	"github.com/portvakt/portvakt/storage"
)

// decodedStates keeps the decoded state of recently read logins, by id and
// version, so a login read again unchanged (a page polling a BankID order every
// second) costs its database read but not another unseal and JSON decode, which
// took a third of a status poll's CPU. The row is still read every time, so
// another replica's change is seen at once: it bumps the version and misses.
//
// Entries are shared: code that reads a login treats its state as read-only,
// and changes go through updateRecord, which decodes its own copy.
type decodedStates struct {
	mu      sync.Mutex
	entries map[string]decodedState
	max     int
}

type decodedState struct {
	version int64
	state   loginState
}

// maxDecodedStates bounds the memory: about 2 KB each, for more logins than a
// broker has waiting at a QR code at once.
const maxDecodedStates = 8192

func newDecodedStates(max int) *decodedStates {
	return &decodedStates{entries: make(map[string]decodedState, max), max: max}
}

// load returns the login of rec, decoding it only if this version was not seen.
func (d *decodedStates) load(codec stateCodec, rec storage.AuthRequest) (*authRequest, error) {
	d.mu.Lock()
	e, ok := d.entries[rec.ID]
	d.mu.Unlock()
	if ok && e.version == rec.Version {
		return &authRequest{id: rec.ID, rec: rec, state: e.state}, nil
	}
	a, err := codec.decode(rec)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if _, present := d.entries[rec.ID]; !present && len(d.entries) >= d.max {
		for id := range d.entries { // any one: the map's order is random enough
			delete(d.entries, id)
			break
		}
	}
	d.entries[rec.ID] = decodedState{version: rec.Version, state: a.state}
	d.mu.Unlock()
	return a, nil
}
