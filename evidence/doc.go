// Package evidence owns what a signature leaves behind: the signing request
// type a relying party sends as RFC 9396 authorization_details, the content it
// maps to upstream, the evidence object that enriches the granted entry (the
// eID's native artefacts and the broker's attestation over them), the
// dedicated evidence keys that sign attestations, sealed storage with a
// retention, and the offline verification of an exported package.
package evidence
