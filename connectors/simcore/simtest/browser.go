package simtest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// Choices on the simulator's page.
const (
	Approve = "approve"
	Cancel  = "cancel"
)

// maxSteps bounds the redirects and pages one login may take.
const maxSteps = 10

var (
	formAction  = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	checkedUser = regexp.MustCompile(`name="user" value="([^"]*)" checked`)
)

// Browser is a person's browser with a cookie jar. Client is used for every
// request; its redirects are handled by the Browser.
type Browser struct {
	Client *http.Client
	// Bank is the bank to pick on a page that offers a choice (FTN's); ""
	// keeps the preselected one.
	Bank string
}

// NewBrowser returns a browser over transport (http.DefaultTransport when nil).
func NewBrowser(transport http.RoundTripper) *Browser {
	jar, _ := cookiejar.New(nil) // never fails with nil options
	return &Browser{Client: &http.Client{
		Transport: transport,
		Jar:       jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// Login opens authURL and, when the simulator shows its page, chooses action
// (Approve or Cancel) as the test user with nationalID ("" keeps the preselected
// one). It returns the URL the simulator sent the browser to on another host or
// path than its own: the client's callback, which is not fetched.
func (b *Browser) Login(ctx context.Context, authURL, nationalID, action string) (*url.URL, error) {
	start, err := url.Parse(authURL)
	if err != nil {
		return nil, fmt.Errorf("auth url: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return nil, err
	}
	for range maxSteps {
		resp, err := b.Client.Do(req)
		if err != nil {
			return nil, err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := req.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				return nil, fmt.Errorf("redirect: %w", err)
			}
			if loc.Host != start.Host || loc.Query().Has("code") || loc.Query().Has("error") {
				return loc, nil
			}
			if req, err = http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil); err != nil {
				return nil, err
			}
		case resp.StatusCode == http.StatusOK:
			if req, err = b.submit(ctx, req.URL, string(body), nationalID, action); err != nil {
				return nil, err
			}
		default:
			return nil, &StatusError{Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}
		}
	}
	return nil, errors.New("too many steps")
}

// StatusError is a simulator answer that was neither a page nor a redirect.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// submit fills in the simulator's page form.
func (b *Browser) submit(ctx context.Context, page *url.URL, body, nationalID, action string) (*http.Request, error) {
	m := formAction.FindStringSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("no form on the page at %s", page)
	}
	target, err := page.Parse(html.UnescapeString(m[1]))
	if err != nil {
		return nil, fmt.Errorf("form action: %w", err)
	}
	form := url.Values{"action": {action}}
	for _, in := range hiddenInput.FindAllStringSubmatch(body, -1) {
		form.Set(in[1], html.UnescapeString(in[2]))
	}
	if b.Bank != "" {
		form.Set("method", b.Bank)
	}
	if nationalID != "" {
		form.Set("user", nationalID)
	} else if sel := checkedUser.FindStringSubmatch(body); sel != nil {
		form.Set("user", html.UnescapeString(sel[1]))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}
