package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// Instrument wraps a connector so every upstream call is timed and counted. The
// wrapper implements exactly the capabilities the connector does (redirect or
// order, its messages, its published keys), so a capability check on it is as
// true as on the connector itself.
func (m *Metrics) Instrument(c connectors.Connector) connectors.Connector {
	base := instrumented{m: m, inner: c, id: c.Info().ID}
	switch flow := c.(type) {
	case connectors.OrderConnector:
		return withLocalCapabilities(&orderConnector{instrumented: base, order: flow}, c)
	case connectors.RedirectConnector:
		return withLocalCapabilities(&redirectConnector{instrumented: base, redirect: flow}, c)
	}
	return c
}

// withLocalCapabilities adds to the instrumented flow the capabilities that never
// call the upstream (texts, published keys), each only if inner has it. Go cannot
// add methods at run time, so every combination is spelled out.
func withLocalCapabilities(flow, inner connectors.Connector) connectors.Connector {
	msg, hasMsg := inner.(connectors.Messages)
	keys, hasKeys := inner.(connectors.KeyPublisher)
	switch f := flow.(type) {
	case *orderConnector:
		switch {
		case hasMsg && hasKeys:
			return struct {
				*orderConnector
				connectors.Messages
				connectors.KeyPublisher
			}{f, msg, keys}
		case hasMsg:
			return struct {
				*orderConnector
				connectors.Messages
			}{f, msg}
		case hasKeys:
			return struct {
				*orderConnector
				connectors.KeyPublisher
			}{f, keys}
		}
	case *redirectConnector:
		switch {
		case hasMsg && hasKeys:
			return struct {
				*redirectConnector
				connectors.Messages
				connectors.KeyPublisher
			}{f, msg, keys}
		case hasMsg:
			return struct {
				*redirectConnector
				connectors.Messages
			}{f, msg}
		case hasKeys:
			return struct {
				*redirectConnector
				connectors.KeyPublisher
			}{f, keys}
		}
	}
	return flow
}

type instrumented struct {
	m     *Metrics
	inner connectors.Connector
	id    string
}

func (i instrumented) Info() connectors.Info { return i.inner.Info() }

type redirectConnector struct {
	instrumented
	redirect connectors.RedirectConnector
}

var _ connectors.RedirectConnector = (*redirectConnector)(nil)

func (c *redirectConnector) Begin(ctx context.Context, req connectors.Request) (string, []byte, error) {
	start := time.Now()
	u, st, err := c.redirect.Begin(ctx, req)
	c.m.observeUpstream(c.id, "begin", start, err)
	return u, st, err
}

func (c *redirectConnector) Finish(ctx context.Context, state []byte, r *http.Request) (connectors.Identity, error) {
	start := time.Now()
	id, err := c.redirect.Finish(ctx, state, r)
	c.m.observeUpstream(c.id, "finish", start, err)
	return id, err
}

type orderConnector struct {
	instrumented
	order connectors.OrderConnector
}

var _ connectors.OrderConnector = (*orderConnector)(nil)

func (c *orderConnector) Start(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
	start := time.Now()
	o, err := c.order.Start(ctx, req)
	c.m.observeUpstream(c.id, "start", start, err)
	return o, err
}

func (c *orderConnector) Poll(ctx context.Context, o *connectors.Order) (connectors.Progress, error) {
	start := time.Now()
	p, err := c.order.Poll(ctx, o)
	c.m.observeUpstream(c.id, "poll", start, err)
	return p, err
}

func (c *orderConnector) Cancel(ctx context.Context, o *connectors.Order) error {
	start := time.Now()
	err := c.order.Cancel(ctx, o)
	c.m.observeUpstream(c.id, "cancel", start, err)
	return err
}

func (c *orderConnector) QR(o *connectors.Order, now time.Time) string { return c.order.QR(o, now) }

// resultOf names an upstream outcome for the result label.
func resultOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, connectors.ErrCancelled):
		return "cancelled"
	case errors.Is(err, connectors.ErrExpired):
		return "expired"
	case errors.Is(err, connectors.ErrLoANotSupported):
		return "level"
	case errors.Is(err, connectors.ErrInvalidResponse):
		return "invalid"
	case errors.Is(err, connectors.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "error"
}
