package oidcup

import (
	"crypto/subtle"
	"fmt"
	"net/http"

	"github.com/portvakt/portvakt/connectors"
)

// callbackCode checks the upstream's callback request against the login's state
// and returns the authorization code.
func (c *Client) callbackCode(st State, r *http.Request) (string, error) {
	if err := r.ParseForm(); err != nil {
		return "", invalidErr("callback: %v", err)
	}
	got := r.Form.Get("state")
	if st.State == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.State)) != 1 {
		return "", invalidErr("callback state does not match the login")
	}
	// RFC 9207: when the upstream names itself, it must be the one we asked.
	if iss := r.Form.Get("iss"); iss != "" && iss != c.opts.Issuer {
		return "", invalidErr("callback iss %q is not the upstream %q", iss, c.opts.Issuer)
	}
	if e := r.Form.Get("error"); e != "" {
		desc := r.Form.Get("error_description")
		if e == "access_denied" {
			return "", fmt.Errorf("%w: upstream said %s: %s", connectors.ErrCancelled, e, desc)
		}
		return "", fmt.Errorf("%w: upstream said %s: %s", connectors.ErrUpstream, e, desc)
	}
	code := r.Form.Get("code")
	if code == "" {
		return "", invalidErr("callback carries neither code nor error")
	}
	return code, nil
}
