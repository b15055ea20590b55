package sebankid

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// maxResponseBytes bounds what we read from the API; real answers are a few KB
// (the signature being the largest part).
const maxResponseBytes = 1 << 20

// defaultRetryBackoff is short on purpose: collect is polled every two seconds, so a
// retry that waits longer than that only delays the next poll.
var defaultRetryBackoff = []time.Duration{100 * time.Millisecond, 250 * time.Millisecond}

// Client calls the BankID RP API v6.0. Its HTTP client must present the RP
// certificate and trust only the BankID root; mtls.NewHTTPClient builds one.
type Client struct {
	baseURL *url.URL
	http    *http.Client
	// retryBackoff is the wait before each retry of an idempotent call; its length is
	// the number of retries.
	retryBackoff []time.Duration
}

// NewClient returns a client for the API at baseURL (ending in /rp/v6.0/).
func NewClient(baseURL string, httpClient *http.Client) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("bankid client: parse base url: %w", err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("bankid client: base url %q: want an absolute https url", baseURL)
	}
	if u.Path == "" || u.Path[len(u.Path)-1] != '/' {
		u.Path += "/"
	}
	return &Client{baseURL: u, http: httpClient, retryBackoff: defaultRetryBackoff}, nil
}

// SetRetryBackoff replaces the waits before retries of collect and cancel; its
// length is the number of retries (none for an empty slice).
func (c *Client) SetRetryBackoff(backoff []time.Duration) {
	c.retryBackoff = append([]time.Duration(nil), backoff...)
}

// Auth starts an authentication order. It is never retried.
func (c *Client) Auth(ctx context.Context, req OrderRequest) (*OrderResponse, error) {
	var out OrderResponse
	return &out, c.call(ctx, "auth", req, &out, false)
}

// Sign starts a signing order; req.UserVisibleData is required. It is never retried.
func (c *Client) Sign(ctx context.Context, req OrderRequest) (*OrderResponse, error) {
	if req.UserVisibleData == "" {
		return nil, errors.New("bankid sign: userVisibleData is required")
	}
	var out OrderResponse
	return &out, c.call(ctx, "sign", req, &out, false)
}

// PhoneAuth starts an authentication during a phone call. It is never retried.
func (c *Client) PhoneAuth(ctx context.Context, req PhoneRequest) (*OrderResponse, error) {
	var out OrderResponse
	return &out, c.call(ctx, "phone/auth", req, &out, false)
}

// PhoneSign starts a signing during a phone call. It is never retried.
func (c *Client) PhoneSign(ctx context.Context, req PhoneRequest) (*OrderResponse, error) {
	if req.UserVisibleData == "" {
		return nil, errors.New("bankid phone/sign: userVisibleData is required")
	}
	var out OrderResponse
	return &out, c.call(ctx, "phone/sign", req, &out, false)
}

// Collect asks for an order's status, retrying briefly on transient failures.
// Status and HintCode come back normalised.
func (c *Client) Collect(ctx context.Context, orderRef string) (*CollectResponse, error) {
	var out CollectResponse
	if err := c.call(ctx, "collect", OrderRefRequest{OrderRef: orderRef}, &out, true); err != nil {
		return nil, err
	}
	out.RawStatus, out.RawHintCode = out.Status, out.HintCode
	out.Status, out.HintCode = ParseStatus(out.Status), ParseHintCode(out.HintCode)
	return &out, nil
}

// Cancel cancels an order, retrying briefly on transient failures.
func (c *Client) Cancel(ctx context.Context, orderRef string) error {
	var out struct{}
	return c.call(ctx, "cancel", OrderRefRequest{OrderRef: orderRef}, &out, true)
}

// EncodeUserData base64-encodes text for userVisibleData and userNonVisibleData.
func EncodeUserData(text string) string {
	return base64.StdEncoding.EncodeToString([]byte(text))
}

func (c *Client) call(ctx context.Context, path string, in, out any, idempotent bool) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("bankid %s: encode request: %w", path, err)
	}
	endpoint := c.baseURL.ResolveReference(&url.URL{Path: path}).String()
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

func (c *Client) post(ctx context.Context, path, endpoint string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bankid %s: build request: %w", path, err)
	}
	// Exactly this value: BankID answers 415 when a charset parameter is added.
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("bankid %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return fmt.Errorf("bankid %s: read response: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return parseAPIError(path, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("bankid %s: decode response: %w", path, err)
	}
	return nil
}

// transient reports whether a failed idempotent call is worth repeating: transport
// failures and server-side errors, but not our own cancellation.
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
