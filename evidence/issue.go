package evidence

import "github.com/portvakt/portvakt/connectors"

// IssueInput is what the broker knows when a signature completes: whom the
// evidence is for, the granted request, and the identity with its proof.
type IssueInput struct {
	// ClientID is the client that asked (the attestation's aud); only it may
	// fetch the evidence.
	ClientID string
	// Subject is the signer's sub at that client.
	Subject string
	// Txn is the transaction's id, also in the ID token's txn claim.
	Txn string
	// ACR is the level the signature achieved (an eIDAS LoA URI).
	ACR string
	// Details is the granted request entry, without Evidence.
	Details SignDetails
	// Identity is the signer; its Signature is set.
	Identity connectors.Identity
}

// NativeVerifier checks one eID's native artefacts offline: that they are
// genuine under the verifier's trust anchors, that they sign ev.VisibleData,
// ev.VisibleDataFormat and ev.NonVisibleData byte for byte, and that they name
// the signer of ev.Signer.NationalID. An error says which check failed.
type NativeVerifier interface {
	VerifyNative(ev *Evidence) error
}
