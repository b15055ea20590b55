package provider

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/portvakt/portvakt/storage"
)

// parPath is the pushed authorization request endpoint (RFC 9126); client
// assertions may name it as their audience.
const parPath = "/oauth/par"

// requestURIPrefix starts every request_uri the PAR endpoint hands out.
const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// clientAuthFields are a PAR request's client authentication, not part of the
// authorization request it pushes.
var clientAuthFields = []string{"client_secret", "client_assertion", "client_assertion_type"}

// pushedParams is what a pushed request keeps, sealed: the authorization
// request's parameters, and whether they came in a signed request object.
type pushedParams struct {
	Params url.Values `json:"p"`
	Signed bool       `json:"s,omitempty"`
}

// par is the PAR endpoint (RFC 9126): an authenticated client posts its
// authorization request, which is checked as /authorize would check it, and
// gets a one-time request_uri to send the browser to /authorize with.
func (s *Server) par(w http.ResponseWriter, r *http.Request) {
	client, ok := s.grants.authenticatedPost(w, r)
	if !ok {
		return
	}
	uri, err := s.pushRequest(r, client)
	if err != nil {
		s.grants.tokenError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{
		"request_uri": uri,
		"expires_in":  int(s.cfg.AuthorizationRequests.Pushed().Seconds()),
	})
}

func (s *Server) pushRequest(r *http.Request, client *Client) (string, error) {
	ctx := r.Context()
	form := r.PostForm
	if form.Has("request_uri") {
		return "", oidc.ErrInvalidRequest().WithDescription("request_uri cannot be pushed")
	}
	if id := form.Get("client_id"); id != "" && id != client.ID {
		return "", oidc.ErrInvalidRequest().WithDescription("client_id is not the authenticated client")
	}
	pushed := pushedParams{}
	if ro := form.Get("request"); ro != "" {
		params, err := s.verifyRequestObject(ctx, client, ro)
		if err != nil {
			return "", err
		}
		pushed.Params, pushed.Signed = params, true
		// RFC 9449 §10.1: a client binds the code to its DPoP key with dpop_jkt
		// in the PAR request itself, beside a request object too.
		if jkt := form.Get("dpop_jkt"); jkt != "" {
			if inside := params.Get("dpop_jkt"); inside != "" && inside != jkt {
				return "", oidc.ErrInvalidRequest().WithDescription("dpop_jkt differs inside and outside the request object")
			}
			pushed.Params.Set("dpop_jkt", jkt)
		}
	} else {
		pushed.Params = url.Values{}
		for name, v := range form {
			if !slices.Contains(clientAuthFields, name) {
				pushed.Params[name] = v
			}
		}
	}
	pushed.Params.Set("client_id", client.ID)
	// A DPoP proof (or dpop_jkt) at the PAR endpoint binds the code to the
	// key, as at /authorize (RFC 9449 §10.1).
	jkt, err := s.grants.PushedDPoPJKT(ctx, r, s.issuer+parPath)
	if err != nil {
		return "", err
	}
	if jkt != "" {
		if inside := pushed.Params.Get("dpop_jkt"); inside != "" && inside != jkt {
			return "", oidc.ErrInvalidRequest().WithDescription("dpop_jkt differs from the DPoP proof's key")
		}
		pushed.Params.Set("dpop_jkt", jkt)
	}
	if err := s.flow.checkPushed(r, client, pushed); err != nil {
		return "", err
	}
	ref := newSecret()
	refHash := sha256.Sum256([]byte(ref))
	plain, err := json.Marshal(pushed)
	if err != nil {
		return "", fmt.Errorf("encode pushed request: %w", err)
	}
	sealed, err := s.codec.sealer.Seal(plain, pushedAssociatedData(refHash[:]))
	if err != nil {
		return "", fmt.Errorf("seal pushed request: %w", err)
	}
	now := s.now()
	if err := s.store.CreatePushedRequest(ctx, storage.PushedRequest{
		RefHash: refHash[:], ClientID: client.ID, Data: sealed,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.AuthorizationRequests.Pushed()),
	}); err != nil {
		return "", err
	}
	return requestURIPrefix + ref, nil
}

func pushedAssociatedData(refHash []byte) []byte {
	return append([]byte("par:"), refHash...)
}

// checkPushed checks a pushed request as /authorize will (which checks it
// again when the browser arrives): errors go back to the client as JSON.
func (s *logins) checkPushed(r *http.Request, client *Client, pushed pushedParams) error {
	check := r.Clone(r.Context())
	check.Form, check.PostForm = pushed.Params, url.Values{}
	req, err := op.ParseAuthorizeRequest(check, s.decoder)
	if err != nil {
		return oidc.ErrInvalidRequest().WithDescription("the authorization request cannot be read").WithParent(err)
	}
	if req.RedirectURI == "" || !slices.Contains(client.RedirectURIs, req.RedirectURI) {
		return oidc.ErrInvalidRequest().WithDescription("redirect_uri is missing or not registered for the client")
	}
	if name, limit, ok := oversizedParameter(pushed.Params); ok {
		return errParameterTooLong(name, limit)
	}
	if err := s.checkRequestRules(client, true, pushed.Signed); err != nil {
		return err
	}
	_, required, err := s.validateAuthorize(check, req, client, authParams{})
	if err != nil {
		return err
	}
	if required.sign != nil {
		_, err = s.optionsFor(client, required)
	}
	return err
}

// requestSource is how an authorization request reached /authorize.
type requestSource struct {
	pushed, signed bool
}

// resolveRequest replaces r.Form with the authorization request the client
// sent by reference (a pushed request's request_uri) or by value (a signed
// request object), so /authorize checks those parameters as it checks a
// plain query. Until the client's redirect URI is known, a failure can only
// be shown as a page: ok false means it was.
func (s *logins) resolveRequest(w http.ResponseWriter, r *http.Request) (src requestSource, ok bool) {
	ctx := r.Context()
	clientID := r.Form.Get("client_id")
	uri := r.Form.Get("request_uri")
	switch {
	case strings.HasPrefix(uri, requestURIPrefix):
		pushed, err := s.takePushed(ctx, clientID, strings.TrimPrefix(uri, requestURIPrefix))
		if err != nil {
			s.errorPage(w, r, http.StatusBadRequest, "error.invalid_request", err)
			return src, false
		}
		r.Form = pushed.Params
		return requestSource{pushed: true, signed: pushed.Signed}, true
	case r.Form.Get("request") != "" && uri == "":
		client, err := s.clients.Get(ctx, clientID)
		if err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				s.errorPage(w, r, http.StatusBadRequest, "error.unknown_client", err)
			} else {
				s.unavailablePage(w, r, err)
			}
			return src, false
		}
		params, err := s.verifyRequestObject(ctx, client, r.Form.Get("request"))
		if err != nil {
			s.refuseRequestObject(w, r, client, err)
			return src, false
		}
		params.Set("client_id", client.ID)
		r.Form = params
		return requestSource{signed: true}, true
	}
	return src, true
}

// refuseRequestObject answers a request object that failed its checks. Its
// own redirect_uri cannot be trusted; one in the query that is registered for
// the client can (OpenID Connect Core §6.1 has clients repeat it there), and
// gets the error with the query's state. Otherwise a page says what failed.
func (s *logins) refuseRequestObject(w http.ResponseWriter, r *http.Request, client *Client, err error) {
	redirectURI := r.Form.Get("redirect_uri")
	if redirectURI == "" || !slices.Contains(client.RedirectURIs, redirectURI) {
		s.clientErrorPage(w, r, client, http.StatusBadRequest, "error.invalid_request", err)
		return
	}
	p := authParams{ClientID: client.ID, RedirectURI: redirectURI}
	if state := r.Form.Get("state"); len(state) <= parameterCap("state") {
		p.State = state
	}
	if r.Form.Get("response_mode") == string(oidc.ResponseModeFormPost) {
		p.ResponseMode = string(oidc.ResponseModeFormPost)
	}
	s.respondError(w, r, p, err)
}

// takePushed takes the pushed request a request_uri names, once, for the
// client that pushed it.
func (s *logins) takePushed(ctx context.Context, clientID, ref string) (pushedParams, error) {
	var pushed pushedParams
	refHash := sha256.Sum256([]byte(ref))
	rec, err := s.store.TakePushedRequest(ctx, refHash[:], s.now())
	switch {
	case errors.Is(err, storage.ErrAlreadyTaken):
		return pushed, fmt.Errorf("request_uri used before: %w", err)
	case err != nil:
		return pushed, fmt.Errorf("request_uri unknown or expired: %w", err)
	case rec.ClientID != clientID:
		return pushed, fmt.Errorf("request_uri pushed by client %s, used by %q", rec.ClientID, clientID)
	}
	plain, err := s.codec.sealer.Open(rec.Data, pushedAssociatedData(refHash[:]))
	if err != nil {
		return pushed, fmt.Errorf("open pushed request: %w", err)
	}
	if err := json.Unmarshal(plain, &pushed); err != nil {
		return pushed, fmt.Errorf("decode pushed request: %w", err)
	}
	return pushed, nil
}

// checkRequestRules applies the server's and the client's rules for how an
// authorization request must arrive.
func (s *logins) checkRequestRules(client *Client, pushed, signed bool) error {
	rules := s.cfg.AuthorizationRequests
	if !pushed && (rules.RequirePushed || client.RequirePAR || client.isFAPI2()) {
		return oidc.ErrInvalidRequest().WithDescription("this client must push its authorization requests to the PAR endpoint")
	}
	if !signed && (rules.RequireSigned || client.RequireSignedRequest) {
		return oidc.ErrInvalidRequest().WithDescription("this client must send its authorization requests as a signed request object")
	}
	return nil
}
