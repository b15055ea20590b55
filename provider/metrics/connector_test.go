package metrics

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
)

type fakeRedirect struct{}

func (fakeRedirect) Info() connectors.Info { return connectors.Info{ID: "xx-redirect"} }
func (fakeRedirect) Begin(context.Context, connectors.Request) (string, []byte, error) {
	return "", nil, nil
}
func (fakeRedirect) Finish(context.Context, []byte, *http.Request) (connectors.Identity, error) {
	return connectors.Identity{}, nil
}

type fakeOrder struct{}

func (fakeOrder) Info() connectors.Info { return connectors.Info{ID: "xx-order"} }
func (fakeOrder) Start(context.Context, connectors.Request) (*connectors.Order, error) {
	return &connectors.Order{}, nil
}
func (fakeOrder) Poll(context.Context, *connectors.Order) (connectors.Progress, error) {
	return connectors.Progress{}, nil
}
func (fakeOrder) Cancel(context.Context, *connectors.Order) error { return nil }
func (fakeOrder) QR(*connectors.Order, time.Time) string          { return "" }

type signs struct{}

func (signs) StartSign(context.Context, connectors.SignRequest) (*connectors.Order, error) {
	return &connectors.Order{}, nil
}

type phones struct{}

func (phones) StartBackchannel(context.Context, connectors.BackchannelRequest) (*connectors.Order, error) {
	return &connectors.Order{}, nil
}

type texts struct{}

func (texts) Message(_, id string) string { return "text of " + id }

type keys struct{}

func (keys) PublicJWKS() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{KeyID: "k1"}}}
}

// TestInstrumentKeepsExactlyTheCapabilities: a check for a capability on the
// instrumented connector answers as it does on the connector, for every
// combination, and what passes through still reaches the connector.
func TestInstrumentKeepsExactlyTheCapabilities(t *testing.T) {
	type redirectWithTexts struct {
		fakeRedirect
		texts
	}
	type redirectWithKeys struct {
		fakeRedirect
		keys
	}
	type redirectWithBoth struct {
		fakeRedirect
		texts
		keys
	}
	type orderWithTexts struct {
		fakeOrder
		texts
	}
	type orderWithKeys struct {
		fakeOrder
		keys
	}
	type orderWithBoth struct {
		fakeOrder
		texts
		keys
	}
	type orderThatSigns struct {
		fakeOrder
		signs
		texts
	}
	type orderOfAll struct {
		fakeOrder
		signs
		phones
		texts
	}
	for name, c := range map[string]connectors.Connector{
		"redirect": fakeRedirect{}, "redirect+messages": redirectWithTexts{}, "redirect+keys": redirectWithKeys{}, "redirect+both": redirectWithBoth{},
		"order": fakeOrder{}, "order+messages": orderWithTexts{}, "order+keys": orderWithKeys{}, "order+both": orderWithBoth{},
		"order+sign+messages": orderThatSigns{}, "order+sign+backchannel+messages": orderOfAll{},
	} {
		t.Run(name, func(t *testing.T) {
			got := New().Instrument(c)
			if got.Info().ID != c.Info().ID {
				t.Errorf("Info().ID = %q, want %q", got.Info().ID, c.Info().ID)
			}
			check := func(capability string, has func(connectors.Connector) bool) {
				if want := has(c); has(got) != want {
					t.Errorf("%s: instrumented has it = %v, connector has it = %v", capability, has(got), want)
				}
			}
			check("RedirectConnector", func(x connectors.Connector) bool { _, ok := x.(connectors.RedirectConnector); return ok })
			check("OrderConnector", func(x connectors.Connector) bool { _, ok := x.(connectors.OrderConnector); return ok })
			check("Messages", func(x connectors.Connector) bool { _, ok := x.(connectors.Messages); return ok })
			check("Signer", func(x connectors.Connector) bool { _, ok := x.(connectors.Signer); return ok })
			check("Backchannel", func(x connectors.Connector) bool { _, ok := x.(connectors.Backchannel); return ok })
			check("KeyPublisher", func(x connectors.Connector) bool { _, ok := x.(connectors.KeyPublisher); return ok })
			if m, ok := got.(connectors.Messages); ok && m.Message("en", "RFA1") != "text of RFA1" {
				t.Errorf("Message does not reach the connector")
			}
			if k, ok := got.(connectors.KeyPublisher); ok && len(k.PublicJWKS().Keys) != 1 {
				t.Errorf("PublicJWKS does not reach the connector")
			}
		})
	}
}
