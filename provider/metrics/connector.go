package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/connectors"
)

// Instrument wraps a connector so every upstream call is timed and counted. The
// wrapper keeps the connector's capabilities (redirect or order, its messages,
// its published keys).
func (m *Metrics) Instrument(c connectors.Connector) connectors.Connector {
	base := instrumented{m: m, inner: c, id: c.Info().ID}
	switch c := c.(type) {
	case connectors.OrderConnector:
		return &orderConnector{instrumented: base, order: c}
	case connectors.RedirectConnector:
		return &redirectConnector{instrumented: base, redirect: c}
	}
	return c
}

type instrumented struct {
	m     *Metrics
	inner connectors.Connector
	id    string
}

func (i instrumented) Info() connectors.Info { return i.inner.Info() }

// Message passes the connector's own texts through, if it has any.
func (i instrumented) Message(lang, id string) string {
	if msg, ok := i.inner.(connectors.Messages); ok {
		return msg.Message(lang, id)
	}
	return ""
}

// PublicJWKS passes the connector's published keys through, if it has any.
func (i instrumented) PublicJWKS() jose.JSONWebKeySet {
	if p, ok := i.inner.(interface{ PublicJWKS() jose.JSONWebKeySet }); ok {
		return p.PublicJWKS()
	}
	return jose.JSONWebKeySet{}
}

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
