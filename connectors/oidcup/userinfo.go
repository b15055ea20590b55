package oidcup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// Userinfo fetches the userinfo claims for a verified login. JSON and signed
// (optionally encrypted) JWT answers are accepted; a JWT must verify against the
// upstream's keys. The answer's sub must be the ID token's.
func (c *Client) Userinfo(ctx context.Context, res *Result) (map[string]any, error) {
	d, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	if d.userinfoURL == "" {
		return nil, upstreamErr(fmt.Errorf("upstream has no userinfo endpoint"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.userinfoURL, nil)
	if err != nil {
		return nil, upstreamErr(fmt.Errorf("userinfo request: %w", err))
	}
	req.Header.Set("Authorization", "Bearer "+res.AccessToken)
	req.Header.Set("Accept", "application/jwt, application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, upstreamErr(fmt.Errorf("userinfo request: %w", err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, upstreamErr(fmt.Errorf("userinfo response: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, upstreamErr(fmt.Errorf("userinfo: HTTP %d", resp.StatusCode))
	}
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var claims map[string]any
	if mediaType == "application/jwt" || strings.HasPrefix(strings.TrimSpace(string(body)), "eyJ") {
		claims, err = c.userinfoJWT(ctx, d, strings.TrimSpace(string(body)))
		if err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(body, &claims); err != nil {
		return nil, upstreamErr(fmt.Errorf("userinfo response: %w", err))
	}
	if sub, _ := claims["sub"].(string); sub != res.IDToken.Subject {
		return nil, invalidErr("userinfo sub does not match the id token")
	}
	return claims, nil
}

func (c *Client) userinfoJWT(ctx context.Context, d *discovered, raw string) (map[string]any, error) {
	signed, err := c.openNested(raw, false)
	if err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	payload, err := d.keys.VerifySignature(ctx, signed)
	if err != nil {
		return nil, fmt.Errorf("userinfo: %w", verifyErr(err))
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, invalidErr("userinfo claims: %v", err)
	}
	if iss, ok := claims["iss"].(string); ok && iss != c.opts.Issuer {
		return nil, invalidErr("userinfo iss %q is not the upstream", iss)
	}
	if aud, ok := claims["aud"]; ok && !audienceHas(aud, c.opts.ClientID) {
		return nil, invalidErr("userinfo aud is not this client")
	}
	return claims, nil
}

func audienceHas(aud any, clientID string) bool {
	switch v := aud.(type) {
	case string:
		return v == clientID
	case []any:
		for _, a := range v {
			if s, _ := a.(string); s == clientID {
				return true
			}
		}
	}
	return false
}
