package provider_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/provider"
)

// loanDigest is a synthetic document digest (SHA-256 of "loan").
var loanDigest = []byte{0x8a, 0x1f, 0x2b, 0x4e, 0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07,
	0x18, 0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07}

func loanDetails() string {
	return `[{"type":"urn:portvakt:sign:v1","text":"## Loan\nAmount: **250 000 SEK**","text_format":"markdown",` +
		`"document_digests":[{"label":"Loan.pdf","hash_alg":"sha-256","hash":"` + base64.RawURLEncoding.EncodeToString(loanDigest) + `"}],` +
		`"non_visible_data":"AQID"}]`
}

// signAttempt is a signing authorization request in a browser: the page it
// reached, or the redirect back to the client.
type signAttempt struct {
	page     string // the body of the page shown, when one is
	login    string // the login's URL
	back     *url.URL
	verifier string
}

// startSign sends an authorization request for a signature and follows it
// until a page shows or the client gets an answer.
func (b *signBroker) startSign(t *testing.T, c *http.Client, client string, q url.Values) signAttempt {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	base := url.Values{"client_id": {client}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"state": {"s1"}, "nonce": {"n1"}, "code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"}, "ui_locales": {"en"}}
	for k, v := range q {
		base[k] = v
	}
	resp, err := c.Get(b.URL + "/authorize?" + base.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if isRedirect(resp) {
		return signAttempt{back: mustParse(t, resp.Header.Get("Location")), verifier: verifier}
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("authorize: status %d: %.300s", resp.StatusCode, body)
	}
	return signAttempt{page: string(body), login: resp.Request.URL.String(), verifier: verifier}
}

// choose picks an option on the preview page and follows the order to its
// end, returning the redirect to the client.
func (b *signBroker) choose(t *testing.T, c *http.Client, at signAttempt, option string) (orderPage string, back *url.URL) {
	t.Helper()
	m := csrfField.FindStringSubmatch(at.page)
	if m == nil {
		t.Fatal("no CSRF token on the page")
	}
	resp, err := c.PostForm(at.login, url.Values{"csrf_token": {m[1]}, "option": {option}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if isRedirect(resp) {
		return "", mustParse(t, resp.Header.Get("Location"))
	}
	st := pollStatus(t, c, at.login)
	if st.Redirect == "" {
		t.Fatalf("order status %+v", st)
	}
	resp, err = c.Get(b.URL + st.Redirect)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !isRedirect(resp) {
		// A failed attempt goes back to the chooser with its message.
		return string(body), nil
	}
	return string(body), mustParse(t, resp.Header.Get("Location"))
}

// signTokens is the token response of a signature.
type signTokens struct {
	IDToken              string                 `json:"id_token"`
	AccessToken          string                 `json:"access_token"`
	AuthorizationDetails []evidence.SignDetails `json:"authorization_details"`
	Error                string                 `json:"error"`
}

func (b *signBroker) redeemSign(t *testing.T, client, secret string, back *url.URL, verifier string) signTokens {
	t.Helper()
	if back.Query().Get("code") == "" {
		t.Fatalf("no code: %v", back.Query())
	}
	status, body := b.postForm(t, "/oauth/token", client, secret, url.Values{"grant_type": {"authorization_code"},
		"code": {back.Query().Get("code")}, "redirect_uri": {rpRedirect}, "code_verifier": {verifier}})
	var tok signTokens
	if err := json.Unmarshal(body, &tok); err != nil || status != http.StatusOK {
		t.Fatalf("token: %d %s", status, body)
	}
	return tok
}

func TestSignInTheBrowser(t *testing.T) {
	b := newSignBroker(t)
	for _, method := range []string{"other-device", "same-device"} {
		t.Run(method, func(t *testing.T) {
			c := browser(t)
			at := b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}, "login_hint": {"sub:198507099805"}})
			// The preview: the text rendered, the document and its digest, the
			// signing options only (se-plain has no markdown).
			for _, want := range []string{"<h3>Loan</h3>", "<strong>250 000 SEK</strong>", "Loan.pdf", hex.EncodeToString(loanDigest),
				"Sign for Signing RP", `value="se-signer/other-device"`, `value="se-signer/same-device"`} {
				if !strings.Contains(at.page, want) {
					t.Errorf("the preview lacks %q", want)
				}
			}
			for _, unwanted := range []string{`value="se-test/"`, `value="se-order/"`, `value="se-plain/other-device"`} {
				if strings.Contains(at.page, unwanted) {
					t.Errorf("the preview offers %s, which cannot sign this", unwanted)
				}
			}
			order, back := b.choose(t, c, at, "se-signer/"+method)
			if !strings.Contains(order, "Sign with") {
				t.Errorf("the order page does not say it signs: %.400s", order)
			}
			if back == nil || back.Query().Get("state") != "s1" {
				t.Fatalf("back at the client: %v", back)
			}
			// What the eID was asked to sign is the content of the request.
			reqs := b.signer.signRequests()
			want, _ := evidence.Content(mustDetails(t, loanDetails()))
			got := reqs[len(reqs)-1].SignContent
			if got.Text != want.Text || !got.Markdown || string(got.NonVisibleData) != string(want.NonVisibleData) {
				t.Errorf("signed %+v, want %+v", got, want)
			}
			tok := b.redeemSign(t, "signer", signerSecret, back, at.verifier)
			if len(tok.AuthorizationDetails) != 1 || tok.AuthorizationDetails[0].Evidence == nil {
				t.Fatalf("authorization_details %+v", tok.AuthorizationDetails)
			}
			granted := tok.AuthorizationDetails[0]
			ev := granted.Evidence
			if granted.Text != "## Loan\nAmount: **250 000 SEK**" || ev.Provider != "se-signer" || ev.Native["bankid_signature"] == "" ||
				ev.VisibleData != base64.StdEncoding.EncodeToString([]byte(want.Text)) {
				t.Errorf("granted entry %+v, evidence %+v", granted, ev)
			}
			claims := verifyIDToken(t, b, "signer", signerSecret, tok.IDToken)
			if claims["sign_evidence_id"] != ev.ID || claims["txn"] == nil || claims["txn"] == "" {
				t.Errorf("ID token claims %v, want sign_evidence_id %s and txn", claims, ev.ID)
			}
			if _, leaked := claims["authorization_details"]; leaked {
				t.Error("the ID token carries the evidence, not a reference")
			}
			in := b.evidence.issueInputs()
			if last := in[len(in)-1]; last.ClientID != "signer" || last.Txn != claims["txn"] || last.Details.Evidence != nil {
				t.Errorf("issue input %+v", last)
			}
			events := b.audit.all()
			if last := events[len(events)-1]; last.Action != provider.ActionSign || last.EvidenceID != ev.ID {
				t.Errorf("audit record %+v, want a signature with its evidence", last)
			}
		})
	}
}

func mustDetails(t *testing.T, raw string) evidence.SignDetails {
	t.Helper()
	d, err := evidence.ParseSignDetails([]byte(raw))
	if err != nil || len(d) != 1 {
		t.Fatalf("ParseSignDetails: %v", err)
	}
	return d[0]
}

// verifyIDToken checks an ID token's signature as a client would and returns
// its claims.
func verifyIDToken(t *testing.T, b *signBroker, client, secret, raw string) map[string]any {
	t.Helper()
	idt, err := newRP(t, b.broker, client, secret).verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// TestSignRefused: each request a signature cannot be granted for gets
// invalid_authorization_details at the client, with what is wrong, and no
// eID order starts.
func TestSignRefused(t *testing.T) {
	b := newSignBroker(t)
	entry := func(fields string) string { return `[{"type":"urn:portvakt:sign:v1",` + fields + `}]` }
	tests := []struct {
		name   string
		client string
		q      url.Values
		want   string // in error_description
	}{
		// A client not allowed to sign cannot make the broker produce a
		// signature in a person's name.
		{"client without permission", "rp1", url.Values{"authorization_details": {entry(`"text":"x"`)}}, "may not request"},
		{"client without permission, Idura alias", "rp1", url.Values{"login_hint": {"action:sign message:" + base64.StdEncoding.EncodeToString([]byte("x"))}}, "may not request"},
		// A text longer than every eID shows is refused before an order starts
		// rather than cut.
		{"text too long for every eID", "signer", url.Values{"authorization_details": {entry(`"text":"` + strings.Repeat("a", 30001) + `"`)}, "acr_values": {"urn:portvakt:eid:se:plain"}}, "too long for Signing eID se-plain"},
		// Markdown shown as raw asterisks would misstate what is signed.
		{"markdown for an eID without it", "signer", url.Values{"authorization_details": {entry(`"text":"**x**","text_format":"markdown"`)}, "acr_values": {"urn:portvakt:eid:se:plain"}}, "markdown is not supported by Signing eID se-plain"},
		// An eID that cannot sign is never offered for a signature.
		{"an eID that cannot sign", "signer", url.Values{"authorization_details": {entry(`"text":"x"`)}, "acr_values": {"urn:portvakt:eid:se:test"}}, "no eID this request allows can sign: Test eID SE cannot sign"},
		{"unknown field", "signer", url.Values{"authorization_details": {entry(`"text":"x","amount":5`)}}, "unknown field"},
		// The evidence would attest a phone call that never happened.
		{"call_initiator in a browser's signature", "signer", url.Values{"authorization_details": {entry(`"text":"x","call_initiator":"rp"`)}}, "call_initiator is for a signature by phone"},
		{"unknown type", "signer", url.Values{"authorization_details": {`[{"type":"payment_initiation"}]`}}, "not supported"},
		// A client cannot forge the evidence it is to receive.
		{"evidence in the request", "signer", url.Values{"authorization_details": {entry(`"text":"x","evidence":{"id":"sev_x"}`)}}, "unknown field"},
		{"not JSON", "signer", url.Values{"authorization_details": {"[{"}}, "JSON array"},
		{"bad digest", "signer", url.Values{"authorization_details": {entry(`"text":"x","document_digests":[{"label":"a","hash_alg":"sha-256","hash":"AA"}]`)}}, "bytes"},
		{"alias and details together", "signer", url.Values{"authorization_details": {entry(`"text":"x"`)}, "login_hint": {"action:sign message:eA"}}, "together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(b.signer.signRequests()) + len(b.plain.signRequests())
			at := b.startSign(t, browser(t), tt.client, tt.q)
			if at.back == nil {
				t.Fatalf("a page was shown: %.300s", at.page)
			}
			q := at.back.Query()
			if q.Get("error") != "invalid_authorization_details" || !strings.Contains(q.Get("error_description"), tt.want) || q.Get("state") != "s1" {
				t.Errorf("answer %v, want invalid_authorization_details with %q", q, tt.want)
			}
			if after := len(b.signer.signRequests()) + len(b.plain.signRequests()); after != before {
				t.Error("an order started")
			}
		})
	}
}

// TestSignPreviewIsShownForOneOption: with a single eID left, a login goes
// straight to it; a signature still shows what is signed first.
func TestSignPreviewIsShownForOneOption(t *testing.T) {
	b := newSignBroker(t)
	at := b.startSign(t, browser(t), "signer", url.Values{"authorization_details": {`[{"type":"urn:portvakt:sign:v1","text":"<script>alert(1)</script>"}]`},
		"acr_values": {"urn:portvakt:eid:se:signer:other-device"}})
	if at.page == "" || !strings.Contains(at.page, `value="se-signer/other-device"`) {
		t.Fatalf("no preview page: %v", at.back)
	}
	// A hostile client's text is shown as text.
	if strings.Contains(at.page, "<script>alert") || !strings.Contains(at.page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the text to sign is not escaped on the page")
	}
	if len(b.signer.signRequests()) != 0 {
		t.Error("the eID started before the person saw the text")
	}
}

func TestSignIduraAlias(t *testing.T) {
	b := newSignBroker(t)
	c := browser(t)
	msg := base64.StdEncoding.EncodeToString([]byte("# Avtal\nJag godkänner."))
	at := b.startSign(t, c, "signer", url.Values{"login_hint": {"action:sign message:" + msg}, "acr_values": {"urn:portvakt:eid:se:signer"}})
	if !strings.Contains(at.page, "<h2>Avtal</h2>") {
		t.Fatalf("preview: %.500s / %v", at.page, at.back)
	}
	_, back := b.choose(t, c, at, "se-signer/other-device")
	tok := b.redeemSign(t, "signer", signerSecret, back, at.verifier)
	if len(tok.AuthorizationDetails) != 1 || tok.AuthorizationDetails[0].TextFormat != evidence.FormatMarkdown ||
		tok.AuthorizationDetails[0].Text != "# Avtal\nJag godkänner." {
		t.Errorf("granted %+v", tok.AuthorizationDetails)
	}
}

// TestSignDeclinedOrExpired: a signature the person declines, or lets
// expire, ends as a login does: the client gets access_denied and no evidence
// exists.
func TestSignDeclinedOrExpired(t *testing.T) {
	b := newSignBroker(t)
	for name, outcome := range map[string]error{"declined": connectors.ErrCancelled, "expired": connectors.ErrExpired} {
		t.Run(name, func(t *testing.T) {
			person := map[string]string{"declined": "197001012389", "expired": "198001012387"}[name]
			b.signer.setOutcome(person, outcome)
			c := browser(t)
			before := len(b.evidence.issueInputs())
			at := b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}, "login_hint": {"sub:" + person}})
			page, back := b.choose(t, c, at, "se-signer/other-device")
			if back != nil {
				t.Fatalf("back at the client at once: %v", back.Query())
			}
			_ = page
			// The person is back at the preview with the message; cancelling
			// answers the client.
			resp, err := c.Get(at.login + "/cancel")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if q := mustParse(t, resp.Header.Get("Location")).Query(); q.Get("error") != "access_denied" {
				t.Errorf("answer %v", q)
			}
			if len(b.evidence.issueInputs()) != before {
				t.Error("evidence issued for a signature that was not made")
			}
		})
	}
}

// TestSignWithoutEvidenceFailsClosed: a signature whose evidence cannot be
// stored never reaches the client as a success, and one the eID answers
// without a signature of the content is refused.
func TestSignWithoutEvidenceFailsClosed(t *testing.T) {
	t.Run("evidence store down", func(t *testing.T) {
		b := newSignBroker(t)
		b.evidence.refuse = errSignTest
		c := browser(t)
		at := b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}})
		_, back := b.choose(t, c, at, "se-signer/other-device")
		if back == nil || back.Query().Get("error") != "temporarily_unavailable" || back.Query().Get("code") != "" {
			t.Errorf("answer %v, want temporarily_unavailable and no code", back)
		}
	})
	t.Run("the eID answers with a login, not a signature", func(t *testing.T) {
		// A login order's identity cannot pass as a signature of the text.
		b := newSignBroker(t)
		b.signer.loginOrders = true
		c := browser(t)
		at := b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}})
		if _, back := b.choose(t, c, at, "se-signer/other-device"); back != nil && back.Query().Get("code") != "" {
			t.Error("a code for a signature that was not made")
		}
		if len(b.evidence.issueInputs()) != 0 {
			t.Error("evidence issued without a signature")
		}
	})
}

// TestSignNeverFromTheSession: a person logged in already still signs; the
// session answers a login, never a signature.
func TestSignNeverFromTheSession(t *testing.T) {
	b := newSignBroker(t)
	c := browser(t)
	r := newRP(t, b.broker, "signer", signerSecret)
	r.login(t, b.broker, c, url.Values{"acr_values": {"urn:portvakt:eid:se:test"}})
	at := b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}})
	if at.back != nil || !strings.Contains(at.page, "Loan.pdf") {
		t.Fatalf("the signature was answered without the person: %v", at.back)
	}
	at = b.startSign(t, c, "signer", url.Values{"authorization_details": {loanDetails()}, "prompt": {"none"}})
	if at.back == nil || at.back.Query().Get("error") != "interaction_required" {
		t.Errorf("prompt=none: %v", at.back)
	}
}
