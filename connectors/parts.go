package connectors

import (
	"context"
	"net/http"
	"time"
)

// The flows alone, without Info, so that Parts can hold each separately and
// Assemble can embed them side by side.
type (
	// RedirectFlow is RedirectConnector's own methods.
	RedirectFlow interface {
		Begin(ctx context.Context, req Request) (redirectURL string, state []byte, err error)
		Finish(ctx context.Context, state []byte, r *http.Request) (Identity, error)
	}
	// OrderFlow is OrderConnector's own methods.
	OrderFlow interface {
		Start(ctx context.Context, req Request) (*Order, error)
		Poll(ctx context.Context, order *Order) (Progress, error)
		Cancel(ctx context.Context, order *Order) error
		QR(order *Order, now time.Time) string
	}
	// SignFlow is Signer's own method.
	SignFlow interface {
		StartSign(ctx context.Context, req SignRequest) (*Order, error)
	}
	// BackchannelFlow is Backchannel's own method.
	BackchannelFlow interface {
		StartBackchannel(ctx context.Context, req BackchannelRequest) (*Order, error)
	}
)

// Parts are a connector taken apart by capability, nil where it has none. A
// decorator (instrumentation, dev mode's app links) replaces the parts it
// decorates and assembles the rest unchanged, so it neither hides a capability
// nor claims one.
type Parts struct {
	Info        Connector
	Redirect    RedirectFlow
	Order       OrderFlow
	Sign        SignFlow
	Backchannel BackchannelFlow
	Keys        KeyPublisher
	Messages    Messages
}

// Split takes a connector apart.
func Split(c Connector) Parts {
	p := Parts{Info: c}
	p.Redirect, _ = c.(RedirectConnector)
	p.Order, _ = c.(OrderConnector)
	if p.Order != nil {
		p.Sign, _ = c.(Signer)
		p.Backchannel, _ = c.(Backchannel)
	}
	p.Keys, _ = c.(KeyPublisher)
	p.Messages, _ = c.(Messages)
	return p
}

const (
	hasRedirect = 1 << iota
	hasOrder
	hasSign
	hasBackchannel
	hasKeys
	hasMessages
)

// mask says which parts Assemble embeds: Redirect only without Order, Sign and
// Backchannel only with it.
func (p Parts) mask() int {
	m := 0
	switch {
	case p.Order != nil:
		m |= hasOrder
		if p.Sign != nil {
			m |= hasSign
		}
		if p.Backchannel != nil {
			m |= hasBackchannel
		}
	case p.Redirect != nil:
		m |= hasRedirect
	}
	if p.Keys != nil {
		m |= hasKeys
	}
	if p.Messages != nil {
		m |= hasMessages
	}
	return m
}
