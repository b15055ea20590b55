package conformance_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// rp is the suite's relying party: a static client of one OP, with the OP's
// discovery document and an ID token verifier built from it.
type rp struct {
	issuer       string
	clientID     string
	secret       string
	authStyle    string // client_secret_basic or client_secret_post
	redirectURI  string
	responseMode string // "" (query) or form_post
	provider     *oidc.Provider
	meta         map[string]any
}

func newRP(t *testing.T, d *devEnv, responseMode string) *rp {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), d.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	r := &rp{issuer: d.issuer, clientID: "demo", secret: "demo-secret", authStyle: "client_secret_basic",
		redirectURI: d.redirectURI(), responseMode: responseMode, provider: p}
	if err := p.Claims(&r.meta); err != nil {
		t.Fatal(err)
	}
	return r
}

// withClient returns a copy of the RP acting as another static client.
func (r *rp) withClient(id, secret, authStyle string) *rp {
	c := *r
	c.clientID, c.secret, c.authStyle = id, secret, authStyle
	return &c
}

// baseRequest is the authorization request every module starts from: code flow,
// state, nonce, PKCE S256 and the configured acr.
type request struct {
	params   url.Values
	state    string
	nonce    string
	verifier string
}

func (r *rp) newRequest() *request {
	req := &request{state: randomString(), nonce: randomString(), verifier: randomString() + randomString()}
	req.params = url.Values{
		"client_id": {r.clientID}, "response_type": {"code"}, "scope": {"openid"},
		"redirect_uri": {r.redirectURI}, "state": {req.state}, "nonce": {req.nonce},
		"code_challenge": {s256(req.verifier)}, "code_challenge_method": {"S256"},
		"acr_values": {mitidACR},
	}
	if r.responseMode != "" {
		req.params.Set("response_mode", r.responseMode)
	}
	return req
}

// browser is a user agent with cookies that follows every step itself, so each
// hop can be inspected.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// authzResponse is how an authorization request ended.
type authzResponse struct {
	// Params is the response delivered to redirect_uri (nil on an error page).
	Params url.Values
	// Delivery is "redirect" or "form_post" (empty on an error page).
	Delivery string
	// Target is the URL the response was delivered to.
	Target string
	// Hops counts the HTTP requests the browser made, the first included.
	Hops int
	// PageStatus and PageBody describe the page the browser stopped at instead.
	PageStatus int
	PageBody   string
	PageHeader http.Header
}

var (
	formPattern   = regexp.MustCompile(`(?s)<form[^>]*\saction="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenPattern = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)"`)
	optionPattern = regexp.MustCompile(`name="option" value="([^"]*)"`)
)

// authorize sends an authorization request (GET, or POST as a form) and follows
// the browser's path until the response reaches the client or a page stops it.
// On a page with a choice of eIDs it picks MitID, like a person following the
// suite's instructions.
func (b *browser) authorize(r *rp, method string, params url.Values) authzResponse {
	b.t.Helper()
	var req *http.Request
	if method == http.MethodPost {
		req, _ = http.NewRequest(http.MethodPost, r.issuer+"/authorize", strings.NewReader(params.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, _ = http.NewRequest(http.MethodGet, r.issuer+"/authorize?"+params.Encode(), nil)
	}
	return b.follow(r, req)
}

// authorizeRaw sends a GET with the query exactly as given.
func (b *browser) authorizeRaw(r *rp, rawQuery string) authzResponse {
	req, _ := http.NewRequest(http.MethodGet, r.issuer+"/authorize?"+rawQuery, nil)
	return b.follow(r, req)
}

func (b *browser) follow(r *rp, req *http.Request) authzResponse {
	b.t.Helper()
	var out authzResponse
	for out.Hops = 1; out.Hops <= 25; out.Hops++ {
		resp, err := b.c.Do(req)
		if err != nil {
			b.t.Fatalf("hop %d %s %s: %v", out.Hops, req.Method, req.URL, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			if resp.StatusCode == http.StatusTemporaryRedirect {
				b.t.Errorf("%s answered 307, which RFC 9700 §4.12 forbids", req.URL)
			}
			loc, err := req.URL.Parse(resp.Header.Get("Location"))
			if err != nil {
				b.t.Fatalf("hop %d: bad Location %q", out.Hops, resp.Header.Get("Location"))
			}
			if strings.HasPrefix(loc.String(), r.redirectURI) {
				out.Params, out.Delivery, out.Target = loc.Query(), "redirect", loc.Scheme+"://"+loc.Host+loc.Path
				return out
			}
			req, _ = http.NewRequest(http.MethodGet, loc.String(), nil)
			continue
		}
		page := string(body)
		if m := formPattern.FindStringSubmatch(page); m != nil && resp.StatusCode == http.StatusOK {
			action, inner := html.UnescapeString(m[1]), m[2]
			fields := url.Values{}
			for _, f := range hiddenPattern.FindAllStringSubmatch(inner, -1) {
				fields.Add(html.UnescapeString(f[1]), html.UnescapeString(f[2]))
			}
			target, _ := req.URL.Parse(action)
			if strings.HasPrefix(target.String(), r.redirectURI) {
				out.Params, out.Delivery, out.Target = fields, "form_post", target.String()
				return out
			}
			if opts := optionPattern.FindAllStringSubmatch(inner, -1); len(opts) > 0 {
				fields.Set("option", pickOption(opts))
				req, _ = http.NewRequest(http.MethodPost, target.String(), strings.NewReader(fields.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				continue
			}
		}
		out.PageStatus, out.PageBody, out.PageHeader = resp.StatusCode, page, resp.Header
		return out
	}
	b.t.Fatalf("no answer to the client after %d hops", out.Hops)
	return out
}

// pickOption prefers MitID, which approves at once in dev mode.
func pickOption(opts [][]string) string {
	for _, o := range opts {
		if strings.HasPrefix(html.UnescapeString(o[1]), "dk-mitid/") {
			return html.UnescapeString(o[1])
		}
	}
	return html.UnescapeString(opts[0][1])
}

// expectDelivery checks the response came back as the plan's response_mode asks,
// with state and the RFC 9207 iss.
func (r *rp) expectDelivery(t *testing.T, got authzResponse, state string) url.Values {
	t.Helper()
	if got.Params == nil {
		t.Fatalf("stopped at a page (status %d) instead of answering the client: %.300s", got.PageStatus, got.PageBody)
	}
	want := "redirect"
	if r.responseMode == "form_post" {
		want = "form_post"
	}
	if got.Delivery != want {
		t.Errorf("response delivered by %s, want %s", got.Delivery, want)
	}
	if got.Target != r.redirectURI {
		t.Errorf("response delivered to %s, want %s", got.Target, r.redirectURI)
	}
	if got.Params.Get("iss") != r.issuer {
		t.Errorf("iss %q, want %q (RFC 9207)", got.Params.Get("iss"), r.issuer)
	}
	if got.Params.Get("state") != state {
		t.Errorf("state %q, want %q", got.Params.Get("state"), state)
	}
	return got.Params
}

// expectCode checks a successful authorization response and returns the code.
func (r *rp) expectCode(t *testing.T, got authzResponse, state string) string {
	t.Helper()
	p := r.expectDelivery(t, got, state)
	if p.Get("error") != "" || p.Get("code") == "" {
		t.Fatalf("want a code, got %v", p)
	}
	return p.Get("code")
}

// expectError checks an error response to the client and returns its code.
func (r *rp) expectError(t *testing.T, got authzResponse, state string) string {
	t.Helper()
	p := r.expectDelivery(t, got, state)
	if p.Get("code") != "" || p.Get("error") == "" {
		t.Fatalf("want an error response, got %v", p)
	}
	return p.Get("error")
}

// expectErrorPage checks the OP showed an error page and did not answer the client.
func expectErrorPage(t *testing.T, got authzResponse) {
	t.Helper()
	if got.Params != nil {
		t.Fatalf("the OP answered %s by %s with %v; want an error page", got.Target, got.Delivery, got.Params)
	}
	if got.PageStatus < 400 || got.PageStatus >= 500 || !strings.HasPrefix(got.PageHeader.Get("Content-Type"), "text/html") {
		t.Errorf("page status %d type %q; want a 4xx HTML error page", got.PageStatus, got.PageHeader.Get("Content-Type"))
	}
}

// tokenResponse is the token endpoint's answer, kept whole.
type tokenResponse struct {
	Status int
	Body   map[string]any
	Raw    string
}

func (tr tokenResponse) str(k string) string { s, _ := tr.Body[k].(string); return s }

// redeem trades a code at the token endpoint with the client's auth method.
func (r *rp) redeem(t *testing.T, code, verifier string) tokenResponse {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {r.redirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return r.tokenRequest(t, form)
}

func (r *rp) tokenRequest(t *testing.T, form url.Values) tokenResponse {
	t.Helper()
	switch r.authStyle {
	case "client_secret_post":
		form.Set("client_id", r.clientID)
		form.Set("client_secret", r.secret)
	case "none":
		form.Set("client_id", r.clientID)
	}
	req, _ := http.NewRequest(http.MethodPost, r.provider.Endpoint().TokenURL, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r.authStyle == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(r.clientID), url.QueryEscape(r.secret))
	}
	return doToken(t, req)
}

func doToken(t *testing.T, req *http.Request) tokenResponse {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := tokenResponse{Status: resp.StatusCode, Raw: string(raw)}
	_ = json.Unmarshal(raw, &out.Body)
	return out
}

// expectTokenError checks an OAuth error from the token endpoint.
func expectTokenError(t *testing.T, tr tokenResponse, want string) {
	t.Helper()
	if tr.Status != http.StatusBadRequest && tr.Status != http.StatusUnauthorized || tr.str("error") != want {
		t.Errorf("token endpoint: status %d body %.200s; want %s", tr.Status, tr.Raw, want)
	}
}

// login is a finished code flow.
type login struct {
	req     *request
	code    string
	tokens  tokenResponse
	idToken *oidc.IDToken
	claims  map[string]any
	rawID   string
	hops    int
}

func (l login) accessToken() string { return l.tokens.str("access_token") }

func (l login) authTime(t *testing.T) int64 {
	t.Helper()
	v, ok := l.claims["auth_time"].(float64)
	if !ok {
		t.Fatalf("ID token has no auth_time: %v", l.claims)
	}
	return int64(v)
}

// login runs an authorization request to its code and redeems it, checking the
// token response and the ID token as oidcc-server does.
func (r *rp) login(t *testing.T, b *browser, req *request) login {
	t.Helper()
	got := b.authorize(r, http.MethodGet, req.params)
	return r.finish(t, req, got)
}

func (r *rp) finish(t *testing.T, req *request, got authzResponse) login {
	t.Helper()
	code := r.expectCode(t, got, req.state)
	verifier := req.verifier
	if req.params.Get("code_challenge") == "" {
		verifier = ""
	}
	tr := r.redeem(t, code, verifier)
	l := login{req: req, code: code, tokens: tr, hops: got.Hops}
	r.checkTokenResponse(t, tr)
	l.rawID = tr.str("id_token")
	l.idToken, l.claims = r.verifyIDToken(t, l.rawID, req.params.Get("nonce"), tr.str("access_token"), code)
	return l
}

func (r *rp) checkTokenResponse(t *testing.T, tr tokenResponse) {
	t.Helper()
	if tr.Status != http.StatusOK {
		t.Fatalf("token endpoint: status %d body %s", tr.Status, tr.Raw)
	}
	if tr.str("access_token") == "" || tr.str("id_token") == "" || !strings.EqualFold(tr.str("token_type"), "Bearer") {
		t.Errorf("token response lacks access_token, id_token or token_type Bearer: %s", tr.Raw)
	}
	if v, ok := tr.Body["expires_in"].(float64); !ok || v <= 0 {
		t.Errorf("token response expires_in %v", tr.Body["expires_in"])
	}
}

// verifyIDToken checks signature (against jwks_uri, by kid), iss, aud, exp, iat,
// nonce, and at_hash and c_hash when present.
func (r *rp) verifyIDToken(t *testing.T, raw, nonce, accessToken, code string) (*oidc.IDToken, map[string]any) {
	t.Helper()
	v := r.provider.Verifier(&oidc.Config{ClientID: r.clientID, SupportedSigningAlgs: []string{"RS256"}})
	idt, err := v.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("ID token does not verify: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	if _, ok := claims["iat"].(float64); !ok {
		t.Errorf("ID token has no iat")
	}
	if idt.Subject == "" {
		t.Errorf("ID token has no sub")
	}
	if aud := idt.Audience; len(aud) > 1 {
		if azp, _ := claims["azp"].(string); azp != r.clientID {
			t.Errorf("several audiences %v without azp = client_id", aud)
		}
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(accessToken); err != nil {
			t.Errorf("at_hash: %v", err)
		}
	}
	if ch, ok := claims["c_hash"].(string); ok && ch != leftHalfHash(code) {
		t.Errorf("c_hash %q does not match the code", ch)
	}
	return idt, claims
}

func leftHalfHash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

// userinfo calls the userinfo endpoint: GET with the header, POST with the
// header, or POST with access_token in the body.
func (r *rp) userinfo(t *testing.T, how, accessToken string) (int, map[string]any) {
	t.Helper()
	endpoint := r.provider.UserInfoEndpoint()
	var req *http.Request
	switch how {
	case "get":
		req, _ = http.NewRequest(http.MethodGet, endpoint, nil)
		req.Header.Set("Authorization", "Bearer "+accessToken)
	case "post-header":
		req, _ = http.NewRequest(http.MethodPost, endpoint, nil)
		req.Header.Set("Authorization", "Bearer "+accessToken)
	case "post-body":
		req, _ = http.NewRequest(http.MethodPost, endpoint, strings.NewReader(url.Values{"access_token": {accessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func randomString() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// waitPast returns once the wall clock is past the Unix second unix+after, so an
// auth_time taken then is strictly later and a max_age of after seconds has
// passed. It waits at most about after seconds: dev mode's clock is the real one.
func waitPast(t *testing.T, unix, after int64) {
	t.Helper()
	deadline := time.Unix(unix+after, 0).Add(10 * time.Millisecond)
	d := time.Until(deadline)
	if d > time.Duration(after)*time.Second+time.Second {
		t.Fatalf("auth_time %d is in the future", unix)
	}
	if d > 0 {
		time.Sleep(d)
	}
}
