package connectors

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

type part struct{}

func (part) Info() Info { return Info{ID: "xx-part"} }
func (part) Begin(context.Context, Request) (string, []byte, error) {
	return "", nil, nil
}
func (part) Finish(context.Context, []byte, *http.Request) (Identity, error) {
	return Identity{}, nil
}
func (part) Start(context.Context, Request) (*Order, error) { return nil, nil }
func (part) Poll(context.Context, *Order) (Progress, error) { return Progress{}, nil }
func (part) Cancel(context.Context, *Order) error           { return nil }
func (part) QR(*Order, time.Time) string                    { return "" }
func (part) StartSign(context.Context, SignRequest) (*Order, error) {
	return nil, nil
}
func (part) StartBackchannel(context.Context, BackchannelRequest) (*Order, error) {
	return nil, nil
}
func (part) PublicJWKS() jose.JSONWebKeySet { return jose.JSONWebKeySet{} }
func (part) Message(string, string) string  { return "" }

// TestAssembleHasExactlyItsParts: for every combination of parts, the
// assembled connector passes exactly the capability checks its parts make
// true, and taking it apart again gives the same parts.
func TestAssembleHasExactlyItsParts(t *testing.T) {
	for m := 0; m < 1<<6; m++ {
		p := Parts{Info: part{}}
		if m&hasRedirect != 0 {
			p.Redirect = part{}
		}
		if m&hasOrder != 0 {
			p.Order = part{}
		}
		if m&hasSign != 0 {
			p.Sign = part{}
		}
		if m&hasBackchannel != 0 {
			p.Backchannel = part{}
		}
		if m&hasKeys != 0 {
			p.Keys = part{}
		}
		if m&hasMessages != 0 {
			p.Messages = part{}
		}
		want := p.mask()
		c := Assemble(p)
		if c.Info().ID != "xx-part" {
			t.Errorf("mask %06b: Info lost", m)
		}
		_, redirect := c.(RedirectConnector)
		_, order := c.(OrderConnector)
		_, sign := c.(Signer)
		_, backchannel := c.(Backchannel)
		_, keys := c.(KeyPublisher)
		_, messages := c.(Messages)
		for _, check := range []struct {
			name string
			bit  int
			got  bool
		}{
			{"RedirectConnector", hasRedirect, redirect}, {"OrderConnector", hasOrder, order}, {"Signer", hasSign, sign},
			{"Backchannel", hasBackchannel, backchannel}, {"KeyPublisher", hasKeys, keys}, {"Messages", hasMessages, messages},
		} {
			if check.got != (want&check.bit != 0) {
				t.Errorf("parts %06b (assembled as %06b): %s = %v", m, want, check.name, check.got)
			}
		}
		if again := Split(c).mask(); again != want {
			t.Errorf("parts %06b: split again as %06b, want %06b", m, again, want)
		}
	}
}
