package evidence

import "time"

// SignType is the authorization_details type of a signature request. A URN
// rather than a URL of the issuer, so a relying party sends the same type to
// every deployment.
const SignType = "urn:portvakt:sign:v1"

// Text formats of SignDetails.TextFormat.
const (
	FormatPlain    = "plain"
	FormatMarkdown = "markdown" // BankID's simpleMarkdownV1
)

// SignDetails is one authorization_details entry of type SignType: the request
// as the client sent it and, once granted, the evidence.
type SignDetails struct {
	Type    string   `json:"type"`
	Actions []string `json:"actions,omitempty"`
	// Text is shown to the person and signed, UTF-8.
	Text string `json:"text"`
	// TextFormat is FormatPlain (the default when empty) or FormatMarkdown.
	TextFormat string `json:"text_format,omitempty"`
	// DocumentDigests name documents signed by their digests; their labels and
	// digests are appended to the shown text, and all of them are signed
	// unseen as RFC 8785 JSON.
	DocumentDigests []DocumentDigest `json:"document_digests,omitempty"`
	// NonVisibleData is signed without being shown, base64url without padding.
	NonVisibleData string `json:"non_visible_data,omitempty"`
	// CallInitiator, on a backchannel request, says who phoned whom: "user" or "rp".
	CallInitiator string `json:"call_initiator,omitempty"`
	// Evidence enriches the granted entry (RFC 9396 §7.1); never in a request.
	Evidence *Evidence `json:"evidence,omitempty"`
}

// DocumentDigest is a document signed by its digest.
type DocumentDigest struct {
	Label string `json:"label"`
	// HashAlg is "sha-256", "sha-384" or "sha-512" (IANA hash names).
	HashAlg string `json:"hash_alg"`
	// Hash is the digest, base64url without padding.
	Hash string `json:"hash"`
}

// Evidence is the proof of one signature.
type Evidence struct {
	// ID is "sev_" and random; the client fetches the evidence again by it.
	ID string `json:"id"`
	// Provider is the connector id of the eID that signed ("se-bankid").
	Provider string `json:"provider"`
	// Operation is the upstream call that signed ("rp/v6.0/sign").
	Operation string    `json:"operation"`
	SignedAt  time.Time `json:"signed_at"`
	Signer    Signer    `json:"signer"`
	// VisibleData, VisibleDataFormat and NonVisibleData are what was sent
	// upstream, byte for byte (base64, standard), as connectors.Signature.
	VisibleData       string `json:"visible_data"`
	VisibleDataFormat string `json:"visible_data_format,omitempty"`
	NonVisibleData    string `json:"non_visible_data,omitempty"`
	// Native are the eID's own artefacts, verbatim (connectors.Signature.Native).
	Native map[string]string `json:"native"`
	// Attestation is the broker's JWS (typ sign-evidence+jwt) over hashes of
	// the request, the text and the native artefacts.
	Attestation string `json:"attestation"`
}

// Signer is who signed.
type Signer struct {
	// Sub is the signer's subject at the client, as in its ID tokens.
	Sub        string      `json:"sub"`
	NationalID *NationalID `json:"national_id,omitempty"`
	Name       string      `json:"name,omitempty"`
}

// NationalID is a national identity number and its country.
type NationalID struct {
	Country string `json:"country"`
	Value   string `json:"value"`
}
