package conformance_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	zrp "github.com/zitadel/oidc/v3/pkg/client/rp"
	httphelper "github.com/zitadel/oidc/v3/pkg/http"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"
)

type nonceKey struct{}

// zitadelRP is a relying party on zitadel's rp package as its examples build one:
// AuthURLHandler and CodeExchangeHandler with UserinfoCallback, PKCE in an
// encrypted cookie, and the library's verifier checking signature, iss, aud, exp,
// nonce, at_hash and auth_time against max_age. The library leaves the RFC 9207
// iss response parameter to the application, which checks it before the handler.
func zitadelRP(t *testing.T, issuer, clientID, secret, base string, maxAge time.Duration) http.Handler {
	t.Helper()
	hashKey, encKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hashKey)
	_, _ = rand.Read(encKey)
	cookies := httphelper.NewCookieHandler(hashKey, encKey, httphelper.WithUnsecure())
	party, err := zrp.NewRelyingPartyOIDC(context.Background(), issuer, clientID, secret, base+"/callback",
		[]string{oidc.ScopeOpenID, oidc.ScopeProfile},
		zrp.WithPKCE(cookies), zrp.WithAuthStyle(oauth2.AuthStyleInHeader),
		zrp.WithVerifierOpts(
			zrp.WithNonce(func(ctx context.Context) string { n, _ := ctx.Value(nonceKey{}).(string); return n }),
			zrp.WithAuthTimeMaxAge(maxAge),
			zrp.WithSupportedSigningAlgorithms("RS256"),
		),
		zrp.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, e, desc, _ string) {
			writeReport(w, rpReport{Error: "authorization error " + e + ": " + desc})
		}),
		zrp.WithUnauthorizedHandler(func(w http.ResponseWriter, _ *http.Request, desc, _ string) {
			writeReport(w, rpReport{Error: desc})
		}),
	)
	if err != nil {
		t.Fatalf("zitadel rp: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		nonce := randomString()
		if err := cookies.SetCookie(w, "nonce", nonce); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		zrp.AuthURLHandler(randomString, party,
			zrp.WithURLParam("nonce", nonce),
			zrp.WithURLParam("max_age", fmt.Sprint(int(maxAge.Seconds()))),
			zrp.WithURLParam("acr_values", mitidACR),
		)(w, r)
	})
	exchange := zrp.CodeExchangeHandler(zrp.UserinfoCallback(
		func(w http.ResponseWriter, _ *http.Request, tokens *oidc.Tokens[*oidc.IDTokenClaims], _ string, _ zrp.RelyingParty, info *oidc.UserInfo) {
			claims := tokens.IDTokenClaims
			rep := rpReport{Subject: claims.Subject, IDToken: tokens.IDToken, AccessToken: tokens.AccessToken,
				IDClaims: map[string]any{"acr": claims.AuthenticationContextClassReference, "auth_time": claims.AuthTime.AsTime().Unix(),
					"at_hash": claims.AccessTokenHash, "nonce": claims.Nonce},
				Userinfo: map[string]any{"sub": info.Subject, "name": info.Name}}
			if info.Subject != claims.Subject {
				rep.Error = "userinfo sub differs from the ID token's"
			}
			if claims.AccessTokenHash == "" {
				rep.Error = "ID token has no at_hash"
			}
			writeReport(w, rep)
		}), party)
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		if err := checkIssParam(r, issuer); err != nil {
			writeReport(w, rpReport{Error: err.Error()})
			return
		}
		nonce, err := cookies.CheckCookie(r, "nonce")
		if err != nil {
			writeReport(w, rpReport{Error: "nonce cookie: " + err.Error()})
			return
		}
		exchange(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
	mux.HandleFunc("GET /logout", func(w http.ResponseWriter, r *http.Request) {
		to, err := zrp.EndSession(r.Context(), party, r.FormValue("id_token_hint"), base+"/logged-out", "bye", "", nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, to.String())
	})
	mux.HandleFunc("GET /logged-out", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "logged out, state %s", r.FormValue("state"))
	})
	mux.HandleFunc("GET /end-session-url", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, party.GetEndSessionEndpoint())
	})
	return mux
}

// TestInteropZitadelRP logs in, reads userinfo and logs out with zitadel's rp.
func TestInteropZitadelRP(t *testing.T) {
	d := dev(t)
	const clientID, secret = "interop-zitadel", "interop-zitadel-secret-0123456789"
	srv := interopRP(t, d, clientID, secret, func(base string) http.Handler {
		return zitadelRP(t, d.issuer, clientID, secret, base, 5*time.Minute)
	})
	b := newBrowser(t)
	var rep rpReport
	status, body, _ := browse(t, b, srv.URL+"/login")
	rep.decode(t, status, body)
	if rep.Userinfo["name"] == "" || rep.IDClaims["acr"] == "" {
		t.Errorf("claims: ID token %v, userinfo %v", rep.IDClaims, rep.Userinfo)
	}

	// The library's own end_session call (no browser) must be answered with the
	// registered post-logout URI and state.
	status, body, _ = browse(t, newBrowser(t), srv.URL+"/logout?"+url.Values{"id_token_hint": {rep.IDToken}}.Encode())
	if status != http.StatusOK || body != srv.URL+"/logged-out?state=bye" {
		t.Errorf("zrp.EndSession: status %d, %q", status, body)
	}
	// The browser's logout ends the broker's session for this client.
	_, endSession, _ := browse(t, b, srv.URL+"/end-session-url")
	logout := endSession + "?" + url.Values{"id_token_hint": {rep.IDToken}, "client_id": {clientID},
		"post_logout_redirect_uri": {srv.URL + "/logged-out"}, "state": {"bye"}}.Encode()
	status, body, final := browse(t, b, logout)
	if status != http.StatusOK || final.String() != srv.URL+"/logged-out?state=bye" {
		t.Errorf("logout ended at %s (status %d): %.200s", final, status, body)
	}
	expectLoggedOut(t, d, b, clientID, srv.URL+"/callback", rep.AccessToken)
}
