package bench

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portvakt/portvakt/internal/randid"
)

// flowError is a failed login, with the kind it is counted under.
type flowError struct {
	kind string
	err  error
}

func (e *flowError) Error() string { return e.kind + ": " + e.err.Error() }
func (e *flowError) Unwrap() error { return e.err }

func fail(kind string, err error) error { return &flowError{kind: kind, err: err} }

// kindOf is the kind a failed login is counted under.
func kindOf(err error) string {
	var fe *flowError
	if errors.As(err, &fe) {
		return fe.kind
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "other"
}

// maxHops bounds the redirects of one login.
const maxHops = 20

// login is one person's login: a browser's cookies and the relying party's secrets
// for this authorization request.
type login struct {
	t                      *target
	browser                *http.Client
	state, nonce, verifier string
	// id is the broker's login id, once the browser has reached /login/{id}.
	id string
	// chosen: a signature's eID was pressed on the page showing the text.
	chosen bool
}

func (t *target) newLogin(browser *http.Client) *login {
	return &login{t: t, browser: browser, state: randid.New(), nonce: randid.New(), verifier: randid.New() + randid.New()}
}

// authorizeURL is the relying party's authorization request (code flow, PKCE S256).
func (l *login) authorizeURL() string {
	sum := sha256.Sum256([]byte(l.verifier))
	q := url.Values{
		"client_id": {l.t.o.ClientID}, "response_type": {"code"}, "scope": {"openid profile"},
		"redirect_uri": {l.t.o.RedirectURI}, "state": {l.state}, "nonce": {l.nonce},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"acr_values": {l.t.acr},
	}
	if l.t.o.LoginHint != "" {
		q.Set("login_hint", l.t.o.LoginHint)
	}
	if l.t.signDetails != "" {
		q.Set("authorization_details", l.t.signDetails)
	}
	return l.t.authorize + "?" + q.Encode()
}

// complete runs the whole login: the browser's part, then the code redemption and
// the ID token check.
func (l *login) complete(ctx context.Context) error {
	start := l.authorizeURL()
	if l.t.keyClient != nil {
		var err error
		if start, err = l.push(ctx, start); err != nil {
			return err
		}
	}
	callback, err := l.browse(ctx, start, true)
	if err != nil {
		return err
	}
	return l.redeem(ctx, callback)
}

// browse follows the browser from start until the broker sends it to the relying
// party, and returns that redirect's query. A running order is polled as the order
// page does when waitOrders is set; otherwise browse stops at the order page and
// returns nil.
func (l *login) browse(ctx context.Context, start string, waitOrders bool) (url.Values, error) {
	next := start
	for range maxHops {
		stage := stageOf(next)
		resp, err := l.get(ctx, next)
		if err != nil {
			return nil, fail(stage+": connection", err)
		}
		var page []byte
		if l.t.signDetails != "" && !l.chosen && resp.StatusCode == http.StatusOK && stage == "login" {
			page, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther:
			loc, err := resp.Location()
			if err != nil {
				return nil, fail(stage+": redirect", err)
			}
			if to := loc.String(); strings.HasPrefix(to, l.t.o.RedirectURI+"?") {
				return loc.Query(), nil
			}
			next = loc.String()
		case page != nil:
			// A signature's first page shows the text and the eIDs that can sign it.
			l.chosen = true
			if next, err = l.chooseOnPage(ctx, next, page); err != nil {
				return nil, err
			}
		case resp.StatusCode == http.StatusOK && stage == "login":
			l.id = loginID(resp.Request.URL.Path)
			if !waitOrders {
				return nil, nil
			}
			if next, err = l.awaitOrder(ctx); err != nil {
				return nil, err
			}
		default:
			return nil, fail(fmt.Sprintf("%s: HTTP %d", stage, resp.StatusCode), errors.New(resp.Status))
		}
	}
	return nil, fail("redirects", fmt.Errorf("no redirect to the client after %d hops", maxHops))
}

// orderPollDelay is how long a login waits between status polls while an order is
// pending (dev mode's auto-approve completes it at the first poll).
const orderPollDelay = 250 * time.Millisecond

// awaitOrder polls the order's status until it completes, and returns where the
// page would go then.
func (l *login) awaitOrder(ctx context.Context) (string, error) {
	for {
		st, err := l.status(ctx)
		if err != nil {
			return "", err
		}
		switch st.Status {
		case "complete":
			return l.t.issuer + st.Redirect, nil
		case "pending":
		default:
			return "", fail("order: "+st.Status, errors.New(st.Message))
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(orderPollDelay):
		}
	}
}

// orderStatus is the order page's status answer.
type orderStatus struct {
	Status   string `json:"status"`
	Message  string `json:"message"`
	Redirect string `json:"redirect"`
}

// status asks once, as the order page does.
func (l *login) status(ctx context.Context) (orderStatus, error) {
	var st orderStatus
	resp, err := l.get(ctx, l.t.issuer+"/login/"+l.id+"/status")
	if err != nil {
		return st, fail("status: connection", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return st, fail(fmt.Sprintf("status: HTTP %d", resp.StatusCode), errors.New(resp.Status))
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fail("status: body", err)
	}
	return st, nil
}

// redeem checks the authorization response, redeems the code (client_secret_basic)
// and verifies the ID token.
func (l *login) redeem(ctx context.Context, callback url.Values) error {
	switch {
	case callback.Get("error") != "":
		return fail("callback: error="+callback.Get("error"), errors.New(callback.Get("error_description")))
	case callback.Get("state") != l.state:
		return fail("callback: state", errors.New("state differs"))
	case callback.Get("iss") != l.t.issuer:
		return fail("callback: iss", fmt.Errorf("iss %q", callback.Get("iss")))
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {callback.Get("code")},
		"redirect_uri": {l.t.o.RedirectURI}, "code_verifier": {l.verifier},
	}
	resp, err := l.tokenRequest(ctx, form)
	if err != nil {
		return fail("token: connection", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fail(fmt.Sprintf("token: HTTP %d", resp.StatusCode), errors.New(resp.Status))
	}
	var tok struct {
		IDToken              string          `json:"id_token"`
		AccessToken          string          `json:"access_token"`
		AuthorizationDetails json.RawMessage `json:"authorization_details"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil {
		return fail("token: body", err)
	}
	if tok.IDToken == "" || tok.AccessToken == "" {
		return fail("token: body", errors.New("no id_token or access_token"))
	}
	if err := l.t.keys.verifyIDToken(ctx, tok.IDToken, l.t.issuer, l.t.o.ClientID, l.nonce); err != nil {
		return fail("id_token", err)
	}
	if l.t.signDetails != "" {
		return l.checkEvidence(tok.AuthorizationDetails)
	}
	return nil
}

// tokenRequest posts form to the token endpoint with the client's
// authentication: client_secret_basic, or an assertion for a keyed client.
func (l *login) tokenRequest(ctx context.Context, form url.Values) (*http.Response, error) {
	if l.t.keyClient != nil {
		return l.t.keyClient.post(ctx, l.browser, l.t.token, form)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.t.token, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(l.t.o.ClientID), url.QueryEscape(l.t.o.ClientSecret))
	return l.browser.Do(req)
}

func (l *login) get(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return l.browser.Do(req)
}

// stageOf names the step of a login a URL belongs to, for counting errors.
func stageOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "other"
	}
	p := u.Path
	switch {
	case strings.HasPrefix(p, "/sim/"):
		return "upstream"
	case strings.HasSuffix(p, "/authorize"):
		return "authorize"
	case strings.HasPrefix(p, "/login/") && strings.HasSuffix(p, "/status"):
		return "status"
	case strings.HasPrefix(p, "/login/") && strings.HasSuffix(p, "/done"):
		return "done"
	case strings.HasPrefix(p, "/login/"):
		return "login"
	case strings.HasPrefix(p, "/callback/"):
		return "callback"
	}
	return "other"
}

// loginID is {id} in /login/{id}.
func loginID(path string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(path, "/login/"), "/")
	return id
}
