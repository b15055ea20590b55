package metrics

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// Instrument wraps a connector so every upstream call is timed and counted.
// Each capability that calls the upstream is wrapped on its own and the rest
// pass through, so the instrumented connector has exactly the capabilities of
// the connector (a capability check on it is as true as on the connector).
func (m *Metrics) Instrument(c connectors.Connector) connectors.Connector {
	p := connectors.Split(c)
	u := upstream{m: m, id: c.Info().ID}
	if p.Redirect != nil {
		p.Redirect = redirectFlow{upstream: u, inner: p.Redirect}
	}
	if p.Order != nil {
		p.Order = orderFlow{upstream: u, inner: p.Order}
	}
	if p.Sign != nil {
		p.Sign = signFlow{upstream: u, inner: p.Sign}
	}
	if p.Backchannel != nil {
		p.Backchannel = backchannelFlow{upstream: u, inner: p.Backchannel}
	}
	return connectors.Assemble(p)
}

// upstream times and counts one connector's upstream calls.
type upstream struct {
	m  *Metrics
	id string
}

// timed runs one upstream call and records how long it took and how it ended.
func timed[T any](u upstream, op string, call func() (T, error)) (T, error) {
	start := time.Now()
	v, err := call()
	u.m.observeUpstream(u.id, op, start, err)
	return v, err
}

type redirectFlow struct {
	upstream
	inner connectors.RedirectFlow
}

// Begin has three results, so it times itself rather than through timed.
func (f redirectFlow) Begin(ctx context.Context, req connectors.Request) (string, []byte, error) {
	start := time.Now()
	u, st, err := f.inner.Begin(ctx, req)
	f.m.observeUpstream(f.id, "begin", start, err)
	return u, st, err
}

func (f redirectFlow) Finish(ctx context.Context, state []byte, r *http.Request) (connectors.Identity, error) {
	return timed(f.upstream, "finish", func() (connectors.Identity, error) { return f.inner.Finish(ctx, state, r) })
}

type orderFlow struct {
	upstream
	inner connectors.OrderFlow
}

func (f orderFlow) Start(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
	return timed(f.upstream, "start", func() (*connectors.Order, error) { return f.inner.Start(ctx, req) })
}

func (f orderFlow) Poll(ctx context.Context, o *connectors.Order) (connectors.Progress, error) {
	return timed(f.upstream, "poll", func() (connectors.Progress, error) { return f.inner.Poll(ctx, o) })
}

func (f orderFlow) Cancel(ctx context.Context, o *connectors.Order) error {
	_, err := timed(f.upstream, "cancel", func() (struct{}, error) { return struct{}{}, f.inner.Cancel(ctx, o) })
	return err
}

// QR is computed locally: nothing to time.
func (f orderFlow) QR(o *connectors.Order, now time.Time) string { return f.inner.QR(o, now) }

type signFlow struct {
	upstream
	inner connectors.SignFlow
}

func (f signFlow) StartSign(ctx context.Context, req connectors.SignRequest) (*connectors.Order, error) {
	return timed(f.upstream, "sign", func() (*connectors.Order, error) { return f.inner.StartSign(ctx, req) })
}

type backchannelFlow struct {
	upstream
	inner connectors.BackchannelFlow
}

func (f backchannelFlow) StartBackchannel(ctx context.Context, req connectors.BackchannelRequest) (*connectors.Order, error) {
	return timed(f.upstream, "backchannel", func() (*connectors.Order, error) { return f.inner.StartBackchannel(ctx, req) })
}

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
