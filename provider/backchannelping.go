package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// pingTimeout bounds one notification call.
const pingTimeout = 10 * time.Second

// newNotifyClient calls notification endpoints: never a redirect (CIBA §10.2,
// the client's endpoint is the one registered), and a bound on each call.
func newNotifyClient(base *http.Client) *http.Client {
	c := &http.Client{Timeout: pingTimeout, Transport: base.Transport}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

// ping tells a ping-mode client that a verification is over (CIBA §10.2): a
// POST of {"auth_req_id"} to its notification endpoint with its bearer. It is
// sent once; a 401 or 403 is not retried, nor anything else, and the outcome
// waits at the token endpoint whatever the client answered.
func (s *backchannel) ping(ctx context.Context, a *authRequest) {
	bc := a.state.Backchannel
	client, err := s.flow.clients.Get(ctx, a.state.Params.ClientID)
	if err != nil || client.BackchannelEndpoint == "" || bc.AuthReqID == "" {
		s.flow.logger.WarnContext(ctx, "ping: no notification endpoint", "client_id", a.state.Params.ClientID, "error", err)
		return
	}
	body, err := json.Marshal(map[string]string{"auth_req_id": bc.AuthReqID})
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, client.BackchannelEndpoint, bytes.NewReader(body))
	if err != nil {
		s.flow.logger.WarnContext(ctx, "ping: request", "client_id", client.ID, "error", err)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bc.NotifyToken)
	resp, err := s.notify.Do(req)
	if err != nil {
		s.flow.logger.WarnContext(ctx, "ping: notification endpoint unreachable", "client_id", client.ID, "error", errors.Unwrap(err))
		return
	}
	_ = resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		s.flow.logger.WarnContext(ctx, "ping: notification endpoint refused", "client_id", client.ID, "status", resp.StatusCode)
	}
}
