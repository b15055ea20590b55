package conformance_test

import (
	"testing"
)

// module is one test module of the OpenID Foundation's suite, written once and run
// by every plan that lists it.
type module struct {
	name string
	run  func(t *testing.T, r *rp)
}

// basicModules is oidcc-basic-certification-test-plan, in the suite's order (38
// modules). The Form Post plan runs the same list with response_mode=form_post.
func basicModules() []module {
	return []module{
		{"oidcc-server", testServer},
		{"oidcc-response-type-missing", testResponseTypeMissing},
		{"oidcc-idtoken-signature", testIDTokenSignature},
		{"oidcc-idtoken-unsigned", testIDTokenUnsigned},
		{"oidcc-userinfo-get", testUserinfo("get")},
		{"oidcc-userinfo-post-header", testUserinfo("post-header")},
		{"oidcc-userinfo-post-body", testUserinfo("post-body")},
		{"oidcc-ensure-request-without-nonce-succeeds-for-code-flow", testWithoutNonce},
		{"oidcc-scope-profile", testScope("openid profile", true)},
		{"oidcc-scope-email", testScope("openid email", false)},
		{"oidcc-scope-address", testScope("openid address", false)},
		{"oidcc-scope-phone", testScope("openid phone", false)},
		{"oidcc-scope-all", testScope("openid profile email address phone", true)},
		{"oidcc-alternate-happy-flow", testAlternateHappyFlow},
		{"oidcc-display-page", testIgnoredParam("display", "page")},
		{"oidcc-display-popup", testIgnoredParam("display", "popup")},
		{"oidcc-prompt-login", testPromptLogin},
		{"oidcc-prompt-none-not-logged-in", testPromptNoneNotLoggedIn},
		{"oidcc-prompt-none-logged-in", testPromptNoneLoggedIn},
		{"oidcc-max-age-1", testMaxAge1},
		{"oidcc-max-age-10000", testMaxAge10000},
		{"oidcc-ensure-request-with-unknown-parameter-succeeds", testIgnoredParam("extra", "foobar")},
		{"oidcc-id-token-hint", testIDTokenHint},
		{"oidcc-login-hint", testLoginHint},
		{"oidcc-ui-locales", testIgnoredParam("ui_locales", "se")},
		{"oidcc-claims-locales", testIgnoredParam("claims_locales", "se")},
		{"oidcc-ensure-request-with-acr-values-succeeds", testACRValues},
		{"oidcc-codereuse", testCodeReuse},
		{"oidcc-codereuse-30seconds", testCodeReuse30Seconds},
		{"oidcc-ensure-registered-redirect-uri", testRegisteredRedirectURI},
		{"oidcc-ensure-post-request-succeeds", testPostRequest},
		{"oidcc-server-client-secret-post", testClientSecretPost},
		{"oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported", testRequestURIUnsupported},
		{"oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported", testUnsignedRequestObjectRejected},
		{"oidcc-claims-essential", testClaimsEssential},
		{"oidcc-ensure-request-object-with-redirect-uri", testRequestObjectRedirectURI},
		{"oidcc-refresh-token", testRefreshToken},
		{"oidcc-ensure-request-with-valid-pkce-succeeds", testValidPKCE},
	}
}

// runPlan runs every module of a plan in parallel against dev mode, each in its
// own browser.
func runPlan(t *testing.T, responseMode string) {
	d := dev(t)
	r := newRP(t, d, responseMode)
	for _, m := range basicModules() {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			m.run(t, r)
		})
	}
}

// TestBasicOP is oidcc-basic-certification-test-plan
// [server_metadata=discovery][client_registration=static_client].
func TestBasicOP(t *testing.T) { runPlan(t, "") }

// TestFormPostBasicOP is oidcc-formpost-basic-certification-test-plan: the Basic
// modules with response_mode=form_post.
func TestFormPostBasicOP(t *testing.T) { runPlan(t, "form_post") }

func TestPlansListEveryBasicModule(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range basicModules() {
		if seen[m.name] {
			t.Errorf("module %s listed twice", m.name)
		}
		seen[m.name] = true
	}
	if len(seen) != 38 {
		t.Errorf("%d modules, the Basic OP plan has 38", len(seen))
	}
}
