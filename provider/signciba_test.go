package provider_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
)

// phoneSign starts a signature by phone (CIBA) and returns the status and
// answer of the backchannel endpoint.
func (b *signBroker) phoneSign(t *testing.T, client, person, details string, extra url.Values) (int, map[string]any) {
	t.Helper()
	form := url.Values{"scope": {"openid"}, "login_hint": {"sub:" + person}, "authorization_details": {details}}
	for k, v := range extra {
		form[k] = v
	}
	status, body := b.postForm(t, "/oauth/bc-authorize", client, signerSecret, form)
	answer := map[string]any{}
	_ = json.Unmarshal(body, &answer)
	return status, answer
}

func (b *signBroker) cibaToken(t *testing.T, authReqID string) (int, signTokens) {
	t.Helper()
	status, body := b.postForm(t, "/oauth/token", "signer", signerSecret, url.Values{
		"grant_type": {"urn:openid:params:grant-type:ciba"}, "auth_req_id": {authReqID}})
	var tok signTokens
	_ = json.Unmarshal(body, &tok)
	return status, tok
}

func TestSignByPhone(t *testing.T) {
	b := newSignBroker(t)
	ctx := context.Background()
	details := `[{"type":"urn:portvakt:sign:v1","text":"I confirm the transfer of **500 SEK**.","text_format":"markdown","call_initiator":"rp"}]`

	t.Run("signed, with evidence", func(t *testing.T) {
		status, ack := b.phoneSign(t, "signer", "198507099805", details, nil)
		authReqID, _ := ack["auth_req_id"].(string)
		if status != http.StatusOK || authReqID == "" {
			t.Fatalf("bc-authorize: %d %v", status, ack)
		}
		if status, tok := b.cibaToken(t, authReqID); status != http.StatusBadRequest || tok.Error != "authorization_pending" {
			t.Fatalf("before the caller signed: %d %+v", status, tok)
		}
		b.server.CollectNow(ctx) // the caller reads the text
		b.server.CollectNow(ctx) // and signs
		status, tok := b.cibaToken(t, authReqID)
		if status != http.StatusOK || len(tok.AuthorizationDetails) != 1 || tok.AuthorizationDetails[0].Evidence == nil {
			t.Fatalf("token: %d %+v", status, tok)
		}
		ev := tok.AuthorizationDetails[0].Evidence
		if ev.Operation != "rp/v6.0/phone/sign" || ev.VisibleDataFormat != "simpleMarkdownV1" {
			t.Errorf("evidence %+v", ev)
		}
		claims := verifyIDToken(t, b, "signer", signerSecret, tok.IDToken)
		if claims["sign_evidence_id"] != ev.ID || claims["txn"] == nil || claims["urn:openid:params:jwt:claim:auth_req_id"] != authReqID {
			t.Errorf("ID token claims %v", claims)
		}
		b.signer.mu.Lock()
		req := b.signer.phone[len(b.signer.phone)-1]
		b.signer.mu.Unlock()
		want, _ := evidence.Content(mustDetails(t, details))
		if req.Sign == nil || req.Sign.Text != want.Text || !req.Sign.Markdown || req.PersonCalled {
			t.Errorf("the eID was asked %+v, want a signature of %q that the client phoned about", req, want.Text)
		}
	})
	t.Run("declined", func(t *testing.T) {
		b.signer.setOutcome("197001012389", connectors.ErrCancelled)
		status, ack := b.phoneSign(t, "signer", "197001012389", details, nil)
		if status != http.StatusOK {
			t.Fatalf("bc-authorize: %d %v", status, ack)
		}
		b.server.CollectNow(ctx)
		b.server.CollectNow(ctx)
		if status, tok := b.cibaToken(t, ack["auth_req_id"].(string)); status != http.StatusBadRequest || tok.Error != "access_denied" || tok.AuthorizationDetails != nil {
			t.Errorf("token: %d %+v", status, tok)
		}
	})
	for _, tt := range []struct {
		name    string
		details string
		extra   url.Values
		want    string
	}{
		// An eID that cannot sign by phone is not asked to, and says so.
		{"eID that cannot sign by phone", details, url.Values{"acr_values": {"urn:portvakt:eid:se:plain"}}, "without a browser"},
		{"call_initiator differing", details, url.Values{"call_initiator": {"user"}}, "differs"},
		{"invalid entry", `[{"type":"urn:portvakt:sign:v1"}]`, nil, "text is required"},
		{"text too long", `[{"type":"urn:portvakt:sign:v1","text":"` + strings.Repeat("x", 30001) + `"}]`, nil, "too long"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, answer := b.phoneSign(t, "signer", "198001012387", tt.details, tt.extra)
			if status != http.StatusBadRequest || answer["error"] != "invalid_authorization_details" || !strings.Contains(answer["error_description"].(string), tt.want) {
				t.Errorf("bc-authorize: %d %v, want invalid_authorization_details with %q", status, answer, tt.want)
			}
		})
	}
}

// TestSignByPhoneInASignedRequest: the signature request may come inside the
// client's signed backchannel request, its entries as JSON.
func TestSignByPhoneInASignedRequest(t *testing.T) {
	jc := newJARClient(t, "ciba-jar")
	cl := jc.config(t)
	cl.GrantTypes = []string{config.GrantTypeCIBA}
	cl.RedirectURIs = nil
	cl.AuthorizationDetailsTypes = []string{evidence.SignType}
	b := newSignBroker(t, withClients(cl))
	now := b.clock.now()
	var entries []any
	if err := json.Unmarshal([]byte(`[{"type":"urn:portvakt:sign:v1","text":"I accept the offer.","call_initiator":"user"}]`), &entries); err != nil {
		t.Fatal(err)
	}
	request := jc.sign(t, "", map[string]any{
		"iss": jc.id, "aud": b.URL, "jti": randomString(), "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
		"scope": "openid", "login_hint": "sub:196505053386", "authorization_details": entries,
	})
	status, body := b.postForm(t, "/oauth/bc-authorize", "", "", merge(jc.assertion(t, b.broker, nil), url.Values{"request": {request}}))
	if status != http.StatusOK {
		t.Fatalf("bc-authorize: %d %s", status, body)
	}
	b.signer.mu.Lock()
	req := b.signer.phone[len(b.signer.phone)-1]
	b.signer.mu.Unlock()
	if req.Sign == nil || req.Sign.Text != "I accept the offer." || !req.PersonCalled {
		t.Errorf("the eID was asked %+v", req)
	}
}
