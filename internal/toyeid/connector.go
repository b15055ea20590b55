package toyeid

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/portvakt/portvakt/connectors"
)

// Config is the toy connector's configuration: where its simulator is.
type Config struct {
	Issuer string `json:"issuer"`
}

// Open checks the configuration.
func (c *Config) Open(_ context.Context, id string, _ connectors.Deps) (connectors.Connector, error) {
	if c.Issuer == "" {
		return nil, errors.New("issuer is required")
	}
	return &Connector{id: id, issuer: c.Issuer}, nil
}

// Connector sends the browser to the toy simulator and takes back the person it
// names.
type Connector struct {
	id, issuer string
}

var _ connectors.RedirectConnector = (*Connector)(nil)

//go:embed toy.svg
var files embed.FS

// Country is the toy's made-up country, a user-assigned ISO 3166 code.
const Country = "XX"

// URN is the toy's acr value.
const URN = "urn:portvakt:eid:xx:toy"

// Info describes the toy: one method, substantial.
func (c *Connector) Info() connectors.Info {
	return connectors.Info{
		ID: c.id, Countries: []string{Country}, Name: "Toy eID", Names: map[string]string{"sv": "Leksaks-eID"},
		Descriptions: map[string]string{"sv": "För den som leker", "en": "For those who play"}, Logo: connectors.Logo{FS: files, Path: "toy.svg"},
		Methods: []connectors.Method{{URN: URN, LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial}},
	}
}

// Begin sends the browser to the simulator with the broker's state.
func (c *Connector) Begin(_ context.Context, req connectors.Request) (string, []byte, error) {
	if req.MinLoA > connectors.LoASubstantial {
		return "", nil, connectors.ErrLoANotSupported
	}
	q := url.Values{"state": {req.ID}, "redirect_uri": {req.CallbackURL}}
	return c.issuer + "/authorize?" + q.Encode(), []byte("toy"), nil
}

// Finish takes the person the simulator names.
func (c *Connector) Finish(_ context.Context, _ []byte, r *http.Request) (connectors.Identity, error) {
	id := r.URL.Query().Get("person")
	i := slices.IndexFunc(people, func(p connectors.TestPerson) bool { return p.NationalID == id })
	if i < 0 {
		return connectors.Identity{}, fmt.Errorf("%w: unknown toy person %q", connectors.ErrInvalidResponse, id)
	}
	return connectors.Identity{Name: people[i].Name, StableID: id, LoA: connectors.LoASubstantial}, nil
}

// people are the toy's test users.
var people = []connectors.TestPerson{{Name: "Toy Testperson", NationalID: "toy-1"}}
