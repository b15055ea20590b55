package config

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"slices"

	"github.com/go-jose/go-jose/v4"
)

// The broker encrypts ID tokens and userinfo (OIDC Core §10.2) with these
// algorithms only: RSA1_5 is refused (padding oracles), and so is compression.
var (
	EncryptionAlgorithms = []string{"RSA-OAEP-256", "RSA-OAEP", "ECDH-ES", "ECDH-ES+A256KW"}
	EncryptionEncodings  = []string{"A256GCM", "A128CBC-HS256"}
)

// defaultEncryptionEnc is the enc of a response whose alg alone is registered
// (OpenID Connect Dynamic Client Registration §2).
const defaultEncryptionEnc = "A128CBC-HS256"

// ftnTypes are the connector types of the Finnish Trust Network.
var ftnTypes = []string{"fiftn", "ftn"}

func (cl *Client) applyEncryptionDefaults() {
	if cl.IDTokenEncryptionAlg != "" && cl.IDTokenEncryptionEnc == "" {
		cl.IDTokenEncryptionEnc = defaultEncryptionEnc
	}
	if cl.UserinfoEncryptionAlg != "" && cl.UserinfoEncryptionEnc == "" {
		cl.UserinfoEncryptionEnc = defaultEncryptionEnc
	}
}

// EncryptsIDToken reports whether the client's ID tokens are encrypted.
func (cl *Client) EncryptsIDToken() bool { return cl.IDTokenEncryptionAlg != "" }

func (cl *Client) validateEncryption(p *Problems) {
	for _, r := range []struct{ name, alg, enc string }{
		{"id_token", cl.IDTokenEncryptionAlg, cl.IDTokenEncryptionEnc},
		{"userinfo", cl.UserinfoEncryptionAlg, cl.UserinfoEncryptionEnc},
	} {
		switch {
		case r.alg == "" && r.enc != "":
			p.Add("%s_encrypted_response_enc: needs %s_encrypted_response_alg", r.name, r.name)
			continue
		case r.alg == "":
			continue
		case !slices.Contains(EncryptionAlgorithms, r.alg):
			p.Add("%s_encrypted_response_alg: %q is not one of %v", r.name, r.alg, EncryptionAlgorithms)
			continue
		case !slices.Contains(EncryptionEncodings, r.enc):
			p.Add("%s_encrypted_response_enc: %q is not one of %v", r.name, r.enc, EncryptionEncodings)
		}
		if len(cl.JWKS) == 0 && cl.JWKSURL == "" {
			p.Add("jwks: %s_encrypted_response_alg needs a key with use enc in jwks or jwks_uri", r.name)
			continue
		}
		if len(cl.JWKS) > 0 {
			set, _ := cl.ParseJWKS()
			if set == nil || EncryptionKey(set, r.alg) == nil {
				p.Add("jwks: %s_encrypted_response_alg %s needs a key with use enc of that type (RSA for RSA-OAEP, EC for ECDH-ES)", r.name, r.alg)
			}
		}
	}
}

// EncryptionKey is the key of set a response encrypted with alg goes to: the
// first with use enc whose type fits alg (RSA for RSA-OAEP, EC for ECDH-ES)
// and whose own alg, if it names one, is alg. nil if there is none.
func EncryptionKey(set *jose.JSONWebKeySet, alg string) *jose.JSONWebKey {
	for i := range set.Keys {
		k := &set.Keys[i]
		if k.Use != "enc" || k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		switch k.Key.(type) {
		case *rsa.PublicKey:
			if alg == "RSA-OAEP-256" || alg == "RSA-OAEP" {
				return k
			}
		case *ecdsa.PublicKey:
			if alg == "ECDH-ES" || alg == "ECDH-ES+A256KW" {
				return k
			}
		}
	}
	return nil
}

// FTNConnectorIDs are the ids of the configured Finnish Trust Network connectors.
func (c *Config) FTNConnectorIDs() []string {
	var ids []string
	for _, cn := range c.Connectors {
		if slices.Contains(ftnTypes, cn.Type) {
			ids = append(ids, cn.ID)
		}
	}
	return ids
}

// ValidateFTN refuses a client that chose Finnish Trust Network logins (its
// eids name one of ftnIDs, or its countries name FI) without encrypted ID
// tokens and userinfo. Finnish rules pass FTN identity data (the personal
// identity code, names) on to a relying party only signed and then encrypted
// to the party's own key, as every FTN broker enforces.
func (cl *Client) ValidateFTN(ftnIDs []string) Problems {
	var p Problems
	if !cl.choosesFTN(ftnIDs) {
		return p
	}
	if cl.IDTokenEncryptionAlg == "" {
		p.Add("id_token_encrypted_response_alg: required for a client that may receive Finnish Trust Network identities (they are passed on only encrypted to the client's key)")
	}
	if cl.UserinfoEncryptionAlg == "" {
		p.Add("userinfo_encrypted_response_alg: required for a client that may receive Finnish Trust Network identities (they are passed on only encrypted to the client's key)")
	}
	return p
}

func (cl *Client) choosesFTN(ftnIDs []string) bool {
	if len(cl.EIDs) > 0 {
		return slices.ContainsFunc(cl.EIDs, func(id string) bool { return slices.Contains(ftnIDs, id) })
	}
	return len(ftnIDs) > 0 && slices.Contains(cl.Countries, "FI")
}
