package freja

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The Relying Party API's paths and the form parameter each takes.
const (
	PathInitAuth       = "/authentication/1.0/initAuthentication"
	PathAuthResult     = "/authentication/1.0/getOneResult"
	PathCancelAuth     = "/authentication/1.0/cancel"
	PathInitSign       = "/sign/1.0/initSignature"
	PathSignResult     = "/sign/1.0/getOneResult"
	PathCancelSign     = "/sign/1.0/cancel"
	paramInitAuth      = "initAuthRequest"
	paramAuthResult    = "getOneAuthResultRequest"
	paramCancelAuth    = "cancelAuthRequest"
	paramInitSign      = "initSignRequest"
	paramSignResult    = "getOneSignResultRequest"
	paramCancelSign    = "cancelSignRequest"
	maxResponseBytes   = 1 << 20
	relyingPartyIDName = "relyingPartyId"
)

// defaultRetryBackoff is short: results are polled every two seconds, so a
// longer wait only delays the next poll.
var defaultRetryBackoff = []time.Duration{100 * time.Millisecond, 250 * time.Millisecond}

// Client calls Freja's Relying Party API. Its HTTP client must present the
// relying party's certificate and trust only Freja's root; mtls.NewHTTPClient builds one.
type Client struct {
	baseURL *url.URL
	http    *http.Client
	// relyingPartyID is sent by integrators on behalf of a relying party, or "".
	relyingPartyID string
	retryBackoff   []time.Duration
}

// NewClient returns a client for the API at baseURL (the service host, such as
// https://services.prod.frejaeid.com).
func NewClient(baseURL string, httpClient *http.Client, relyingPartyID string) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("freja client: parse base url: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("freja client: base url %q: want an absolute https url", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{baseURL: u, http: httpClient, relyingPartyID: relyingPartyID, retryBackoff: defaultRetryBackoff}, nil
}

// SetRetryBackoff replaces the waits before retries of result and cancel calls;
// its length is the number of retries.
func (c *Client) SetRetryBackoff(backoff []time.Duration) {
	c.retryBackoff = append([]time.Duration(nil), backoff...)
}

// InitAuthentication starts an authentication. It is never retried: a retried
// start would be a second transaction, which cancels both.
func (c *Client) InitAuthentication(ctx context.Context, req InitAuthRequest) (*InitAuthResponse, error) {
	var out InitAuthResponse
	return &out, c.call(ctx, PathInitAuth, paramInitAuth, req, &out, false)
}

// AuthResult asks for an authentication's status once.
func (c *Client) AuthResult(ctx context.Context, authRef string) (*Result, error) {
	var out Result
	return &out, c.call(ctx, PathAuthResult, paramAuthResult, map[string]string{"authRef": authRef}, &out, true)
}

// CancelAuthentication cancels an authentication.
func (c *Client) CancelAuthentication(ctx context.Context, authRef string) error {
	var out struct{}
	return c.call(ctx, PathCancelAuth, paramCancelAuth, map[string]string{"authRef": authRef}, &out, true)
}

// InitSignature starts a signature. It is never retried.
func (c *Client) InitSignature(ctx context.Context, req InitSignRequest) (*InitSignResponse, error) {
	var out InitSignResponse
	return &out, c.call(ctx, PathInitSign, paramInitSign, req, &out, false)
}

// SignResult asks for a signature's status once.
func (c *Client) SignResult(ctx context.Context, signRef string) (*Result, error) {
	var out Result
	return &out, c.call(ctx, PathSignResult, paramSignResult, map[string]string{"signRef": signRef}, &out, true)
}

// CancelSignature cancels a signature.
func (c *Client) CancelSignature(ctx context.Context, signRef string) error {
	var out struct{}
	return c.call(ctx, PathCancelSign, paramCancelSign, map[string]string{"signRef": signRef}, &out, true)
}

// EncodeParam is a request body: the parameter name, "=", and the payload's
// JSON in standard base64, as Freja reads it.
func EncodeParam(name string, payload any) (string, error) {
	data, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	return name + "=" + base64.StdEncoding.EncodeToString(data), nil
}

func (c *Client) call(ctx context.Context, path, param string, in, out any, idempotent bool) error {
	body, err := EncodeParam(param, in)
	if err != nil {
		return fmt.Errorf("freja %s: encode request: %w", path, err)
	}
	if c.relyingPartyID != "" {
		body += "&" + relyingPartyIDName + "=" + url.QueryEscape(c.relyingPartyID)
	}
	endpoint := c.baseURL.JoinPath(path).String()
	retries := 0
	if idempotent {
		retries = len(c.retryBackoff)
	}
	for attempt := 0; ; attempt++ {
		err = c.post(ctx, path, endpoint, body, out)
		if err == nil || attempt >= retries || !transient(ctx, err) {
			return err
		}
		if werr := wait(ctx, c.retryBackoff[attempt]); werr != nil {
			return errors.Join(err, werr)
		}
	}
}

func (c *Client) post(ctx context.Context, path, endpoint, body string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("freja %s: build request: %w", path, err)
	}
	// Freja's own client labels the form-style body JSON; the API expects it so.
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("freja %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("freja %s: read response: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return parseAPIError(path, resp.StatusCode, data)
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("freja %s: decode response: %w", path, err)
	}
	return nil
}

// transient reports whether a failed idempotent call is worth repeating.
func transient(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.retryable()
	}
	var urlErr *url.Error
	return errors.As(err, &urlErr)
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
