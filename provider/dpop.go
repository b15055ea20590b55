package provider

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// DPoP (RFC 9449): a client proves, with every request, that it holds the
// private key its tokens are bound to. A proof is a JWT signed by that key,
// naming the request's method and URL and the moment it was made; the broker
// accepts each proof once.

const (
	// dpopHeader is the request header a proof travels in.
	dpopHeader = "DPoP"
	// dpopMaxAge is how old a proof may be; its jti is remembered as long.
	dpopMaxAge = 60 * time.Second
	// dpopMaxAhead is how far in the future a proof's iat may lie: the
	// client's clock may run ahead of ours (FAPI 2.0 accepts 10 s).
	dpopMaxAhead = 10 * time.Second
	// dpopMaxProof bounds a proof before it is parsed.
	dpopMaxProof = 8 << 10
	// dpopMaxJTI bounds the jti (RFC 9449 §11.1: refuse huge ones).
	dpopMaxJTI = 256
)

// dpopAlgorithms are the algorithms a proof may be signed with: asymmetric
// ones only, and none of RSASSA-PKCS1-v1_5 (FAPI 2.0 §5.4).
var dpopAlgorithms = []jose.SignatureAlgorithm{jose.ES256, jose.PS256, jose.EdDSA}

// dpopAlgorithmNames are dpopAlgorithms as discovery and challenges name them.
func dpopAlgorithmNames() []string {
	names := make([]string, len(dpopAlgorithms))
	for i, a := range dpopAlgorithms {
		names[i] = string(a)
	}
	return names
}

// errInvalidDPoPProof is a proof that fails a check of RFC 9449 §4.3.
var errInvalidDPoPProof = errors.New("invalid DPoP proof")

// dpopProof is a proof that passed every check.
type dpopProof struct {
	// JKT is the thumbprint of the key that signed it (RFC 7638, SHA-256).
	JKT string
}

// dpopTarget is the request a proof must name: its method, the URL of the
// endpoint under the issuer (never taken from the request's Host header) and,
// at a resource, the access token presented with it.
type dpopTarget struct {
	method      string
	url         string
	accessToken string
}

// dpopClaims are a proof's claims.
type dpopClaims struct {
	JTI   string       `json:"jti"`
	HTM   string       `json:"htm"`
	HTU   string       `json:"htu"`
	IAT   *json.Number `json:"iat"`
	ATH   string       `json:"ath"`
	Nonce string       `json:"nonce"`
}

// dpopProofOf reads and checks the request's DPoP proof (RFC 9449 §4.3). A
// request without one gives nil and no error: whether one is needed is the
// caller's decision. Every failure wraps errInvalidDPoPProof.
func (s *base) dpopProofOf(ctx context.Context, r *http.Request, target dpopTarget) (*dpopProof, error) {
	values := r.Header.Values(dpopHeader)
	switch {
	case len(values) == 0:
		return nil, nil
	case len(values) > 1:
		return nil, fmt.Errorf("%w: more than one DPoP header", errInvalidDPoPProof)
	case len(values[0]) > dpopMaxProof:
		return nil, fmt.Errorf("%w: the proof is too large", errInvalidDPoPProof)
	}
	key, claims, err := verifyDPoPSignature(values[0])
	if err != nil {
		return nil, err
	}
	if err := checkDPoPClaims(claims, target, s.now()); err != nil {
		return nil, err
	}
	if s.dpopNonces != nil {
		if claims.Nonce == "" {
			return nil, fmt.Errorf("%w: the proof needs a nonce from the broker", errUseDPoPNonce)
		}
		if err := s.dpopNonces.check(claims.Nonce, s.now()); err != nil {
			return nil, err
		}
	}
	sum, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("%w: key thumbprint: %w", errInvalidDPoPProof, err)
	}
	proof := &dpopProof{JKT: base64.RawURLEncoding.EncodeToString(sum)}
	if err := s.useDPoPProofOnce(ctx, proof.JKT, claims); err != nil {
		return nil, err
	}
	return proof, nil
}

// verifyDPoPSignature checks the proof's form, header and signature and
// returns the public key it carries and its claims.
func verifyDPoPSignature(raw string) (*jose.JSONWebKey, *dpopClaims, error) {
	// ParseSignedCompact refuses other algorithms and a header jwk that is not a
	// valid public key.
	jws, err := jose.ParseSignedCompact(raw, dpopAlgorithms)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", errInvalidDPoPProof, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, nil, fmt.Errorf("%w: not one signature", errInvalidDPoPProof)
	}
	h := jws.Signatures[0].Protected
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != "dpop+jwt" {
		return nil, nil, fmt.Errorf("%w: typ %q is not dpop+jwt", errInvalidDPoPProof, typ)
	}
	key := h.JSONWebKey
	if key == nil || !key.Valid() || !key.IsPublic() {
		return nil, nil, fmt.Errorf("%w: the header needs a public jwk", errInvalidDPoPProof)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: signature: %w", errInvalidDPoPProof, err)
	}
	claims := new(dpopClaims)
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.UseNumber()
	if err := dec.Decode(claims); err != nil {
		return nil, nil, fmt.Errorf("%w: claims: %w", errInvalidDPoPProof, err)
	}
	return key, claims, nil
}

// checkDPoPClaims checks that the proof names this request, now.
func checkDPoPClaims(c *dpopClaims, target dpopTarget, now time.Time) error {
	switch {
	case c.JTI == "" || c.HTM == "" || c.HTU == "" || c.IAT == nil:
		return fmt.Errorf("%w: jti, htm, htu and iat are required", errInvalidDPoPProof)
	case len(c.JTI) > dpopMaxJTI:
		return fmt.Errorf("%w: jti is too long", errInvalidDPoPProof)
	case c.HTM != target.method:
		return fmt.Errorf("%w: htm %q is not %s", errInvalidDPoPProof, c.HTM, target.method)
	case !sameDPoPURL(c.HTU, target.url):
		return fmt.Errorf("%w: htu is not %s", errInvalidDPoPProof, target.url)
	}
	iat, err := c.IAT.Float64()
	if err != nil {
		return fmt.Errorf("%w: iat is not a number", errInvalidDPoPProof)
	}
	issued := time.Unix(int64(iat), 0)
	if issued.Before(now.Add(-dpopMaxAge)) || issued.After(now.Add(dpopMaxAhead)) {
		return fmt.Errorf("%w: iat is outside the accepted window", errInvalidDPoPProof)
	}
	if target.accessToken == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(target.accessToken))
	if ath := base64.RawURLEncoding.EncodeToString(sum[:]); subtle.ConstantTimeCompare([]byte(c.ATH), []byte(ath)) != 1 {
		return fmt.Errorf("%w: ath does not match the access token", errInvalidDPoPProof)
	}
	return nil
}

// sameDPoPURL compares htu with the endpoint's URL as RFC 9449 §4.3 asks:
// without query and fragment, after syntax- and scheme-based normalisation
// (RFC 3986 §6.2.2-6.2.3: case of scheme and host, default ports, empty path).
func sameDPoPURL(htu, want string) bool {
	a, err := normalDPoPURL(htu)
	if err != nil {
		return false
	}
	b, err := normalDPoPURL(want)
	return err == nil && a == b
}

func normalDPoPURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" || u.User != nil {
		return "", errors.New("not an absolute http URL")
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port != "" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, nil
}

// useDPoPProofOnce refuses a proof seen before (RFC 9449 §11.1). A jti is
// remembered per key for as long as a proof is accepted, in the database, so
// a proof replayed at another broker process is refused too.
func (s *base) useDPoPProofOnce(ctx context.Context, jkt string, c *dpopClaims) error {
	n, err := s.store.Hit(ctx, "dpop:"+hashHex(jkt+"\x00"+c.JTI), time.Unix(0, 0), s.now().Add(dpopMaxAge+dpopMaxAhead+time.Minute))
	if err != nil {
		return fmt.Errorf("dpop replay store: %w", err)
	}
	if n > 1 {
		return fmt.Errorf("%w: the proof was already used", errInvalidDPoPProof)
	}
	return nil
}

// dpopProofError is the token endpoint's answer to a proof that failed
// (RFC 9449 §5, §8): invalid_dpop_proof or use_dpop_nonce, 400.
func dpopProofError(err error) error {
	switch {
	case errors.Is(err, errUseDPoPNonce):
		return errUseDPoPNonceCode().WithDescription("send a DPoP proof with the nonce in the DPoP-Nonce header").WithParent(err)
	case errors.Is(err, errInvalidDPoPProof):
		return errInvalidDPoPProofCode().WithDescription("%s", dpopReason(err)).WithParent(err)
	default:
		return err
	}
}

// dpopReason is what the client is told of a failed proof: the check that
// failed, nothing of the broker's internals.
func dpopReason(err error) string {
	return "DPoP proof " + strings.TrimPrefix(err.Error(), errInvalidDPoPProof.Error()+": ")
}
