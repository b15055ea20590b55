package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/portvakt/portvakt/evidence"
)

// signText is what each signature of a --sign run shows: an agreement of the
// size a loan or a consent has, in BankID's markdown.
const signText = "## Loan agreement\n\nI take a loan of **250 000 SEK** at a fixed rate of **4.5 %** for 60 months, " +
	"with a monthly payment of **4 661 SEK**.\n\n- The first payment is due on the last day of next month.\n" +
	"- I may repay early at no cost.\n- The attached terms apply.\n\nI have read and understood the agreement."

// signDetails is a --sign run's authorization_details: the agreement and the
// digest of its attached terms.
func signDetails() string {
	sum := sha256.Sum256([]byte("portvakt bench: the loan's general terms"))
	d := []evidence.SignDetails{{
		Type: evidence.SignType, Text: signText, TextFormat: evidence.FormatMarkdown,
		DocumentDigests: []evidence.DocumentDigest{{Label: "Terms.pdf", HashAlg: "sha-256", Hash: base64.RawURLEncoding.EncodeToString(sum[:])}},
	}}
	raw, _ := json.Marshal(d) // plain strings always marshal
	return string(raw)
}

// signTally counts the evidence a --sign run received.
type signTally struct {
	signatures    atomic.Int64
	evidenceBytes atomic.Int64
}

// SignResult is what a --sign run says of the evidence.
type SignResult struct {
	// Signatures is how many token responses carried evidence.
	Signatures int `json:"signatures"`
	// EvidenceBytes is the mean size of the granted authorization_details
	// (the evidence package: the request, BankID's signature and OCSP
	// response, the attestation) in the token response.
	EvidenceBytes int `json:"evidence_bytes"`
}

func (s *signTally) result() *SignResult {
	n := s.signatures.Load()
	r := &SignResult{Signatures: int(n)}
	if n > 0 {
		r.EvidenceBytes = int(s.evidenceBytes.Load() / n)
	}
	return r
}

// optionPattern and csrfPattern read the broker's signing page, which shows
// the text and offers the eIDs that can sign it: a person reads it and
// presses one.
var (
	optionPattern = regexp.MustCompile(`name="option" value="([^"]+)"`)
	csrfPattern   = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// chooseOnPage presses the first eID button of the page in body, as the
// person does after reading what they are about to sign, and returns where
// the broker sends the browser.
func (l *login) chooseOnPage(ctx context.Context, pageURL string, body []byte) (string, error) {
	option, csrf := optionPattern.FindSubmatch(body), csrfPattern.FindSubmatch(body)
	if option == nil || csrf == nil {
		return "", fail("sign page: form", errors.New("no eID button or CSRF token on the signing page"))
	}
	form := url.Values{"option": {htmlUnescape(string(option[1]))}, "csrf_token": {htmlUnescape(string(csrf[1]))}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, pageURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := l.browser.Do(req)
	if err != nil {
		return "", fail("sign page: connection", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return "", fail(fmt.Sprintf("sign page: HTTP %d", resp.StatusCode), err)
	}
	return loc.String(), nil
}

// htmlUnescape undoes what the page's template escapes in attribute values.
func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// checkEvidence checks a signature's token response carries the evidence and
// counts its size.
func (l *login) checkEvidence(raw json.RawMessage) error {
	var granted []evidence.SignDetails
	if err := json.Unmarshal(raw, &granted); err != nil {
		return fail("token: evidence", fmt.Errorf("authorization_details: %w", err))
	}
	if len(granted) != 1 || granted[0].Evidence == nil || granted[0].Evidence.Attestation == "" {
		return fail("token: evidence", errors.New("no evidence in authorization_details"))
	}
	if !bytes.Contains(raw, []byte(`"bankid_signature"`)) && !bytes.Contains(raw, []byte(`"freja_details_jws"`)) {
		return fail("token: evidence", errors.New("the evidence has no native signature"))
	}
	l.t.signed.signatures.Add(1)
	l.t.signed.evidenceBytes.Add(int64(len(raw)))
	return nil
}
