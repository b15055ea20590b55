package conformance_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestConfigOP is oidcc-config-certification-test-plan: one module,
// oidcc-discovery-endpoint-verification.
func TestConfigOP(t *testing.T) {
	t.Run("oidcc-discovery-endpoint-verification", func(t *testing.T) {
		d := dev(t)
		resp, err := http.Get(d.issuer + "/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("discovery: status %d type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var m map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			t.Fatal(err)
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		list := func(k string) []string {
			var out []string
			for _, v := range asSlice(m[k]) {
				s, _ := v.(string)
				out = append(out, s)
			}
			return out
		}
		if str("issuer") != d.issuer {
			t.Errorf("issuer %q, want the URL discovery was read from, %q", str("issuer"), d.issuer)
		}
		// The suite requires https endpoints; dev mode runs on loopback http, so the
		// check here is that every endpoint is the issuer's own.
		for _, k := range []string{"authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"} {
			if !strings.HasPrefix(str(k), d.issuer+"/") {
				t.Errorf("%s %q is not under the issuer", k, str(k))
			}
		}
		if !slices.Contains(list("scopes_supported"), "openid") {
			t.Errorf("scopes_supported %v lacks openid", list("scopes_supported"))
		}
		if rt := list("response_types_supported"); !slices.Equal(rt, []string{"code"}) {
			t.Errorf("response_types_supported %v, want only code (no implicit or hybrid)", rt)
		}
		if gt := list("grant_types_supported"); slices.Contains(gt, "implicit") || slices.Contains(gt, "password") || !slices.Contains(gt, "authorization_code") {
			t.Errorf("grant_types_supported %v", gt)
		}
		if rm := list("response_modes_supported"); !slices.Contains(rm, "query") || !slices.Contains(rm, "form_post") || slices.Contains(rm, "fragment") {
			t.Errorf("response_modes_supported %v, want query and form_post", rm)
		}
		st := list("subject_types_supported")
		if len(st) == 0 || slices.ContainsFunc(st, func(s string) bool { return s != "public" && s != "pairwise" }) {
			t.Errorf("subject_types_supported %v", st)
		}
		algs := list("id_token_signing_alg_values_supported")
		if !slices.Contains(algs, "RS256") || slices.Contains(algs, "none") {
			t.Errorf("id_token_signing_alg_values_supported %v: RS256 required, none forbidden", algs)
		}
		if _, ok := m["claims_parameter_supported"].(bool); !ok {
			t.Errorf("claims_parameter_supported %v is not a boolean", m["claims_parameter_supported"])
		}
		if m["authorization_response_iss_parameter_supported"] != true {
			t.Errorf("authorization_response_iss_parameter_supported %v, want true (RFC 9207)", m["authorization_response_iss_parameter_supported"])
		}
		// Signed request objects are read (RFC 9101); request_uri_parameter_supported
		// is true when absent, so it must be present and false: only PAR's
		// request_uri is taken, never a URL to fetch.
		if m["request_parameter_supported"] != true {
			t.Errorf("request_parameter_supported %v, want true", m["request_parameter_supported"])
		}
		if m["request_uri_parameter_supported"] != false {
			t.Errorf("request_uri_parameter_supported %v, want false", m["request_uri_parameter_supported"])
		}
		if cc := list("code_challenge_methods_supported"); !slices.Equal(cc, []string{"S256"}) {
			t.Errorf("code_challenge_methods_supported %v, want [S256]", cc)
		}
		if tm := list("token_endpoint_auth_methods_supported"); !slices.Contains(tm, "client_secret_basic") || !slices.Contains(tm, "private_key_jwt") {
			t.Errorf("token_endpoint_auth_methods_supported %v", tm)
		}
		keys := jwks(t, &rp{meta: m})
		kids := map[string]bool{}
		for _, k := range keys {
			kid, _ := k["kid"].(string)
			if kid == "" || kids[kid] {
				t.Errorf("jwks key with empty or duplicate kid %q", kid)
			}
			kids[kid] = true
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				if _, has := k[private]; has {
					t.Errorf("jwks key %s publishes private member %s", kid, private)
				}
			}
		}
		if len(keys) == 0 {
			t.Error("jwks_uri has no keys")
		}
	})
}

func asSlice(v any) []any { s, _ := v.([]any); return s }
