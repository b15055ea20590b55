// Package evidence owns what a signature leaves behind: the signing request
// type a relying party sends as RFC 9396 authorization_details, the content it
// maps to upstream, the evidence object that enriches the granted entry (the
// eID's native artefacts and the broker's attestation over them), the
// dedicated evidence keys that sign attestations, sealed storage with a
// retention, and the offline verification of an exported package.
//
// The attestation is a JWS (typ sign-evidence+jwt, ES256) whose claims hash
// every part of the package: the request entry without its evidence (RFC 8785
// form), the text the eID showed, each native artefact, and the signer, so
// no byte of a package changes unnoticed. Evidence keys carry a self-signed
// certificate (x5c) naming the broker; they are made under a storage lease
// (one per cluster), sealed under the master key, and never unpublished:
// evidence is kept for years and must verify as long as it is kept.
//
// Verify needs no database and no network: the package, the broker's
// published evidence keys and each eID's trust anchors (NativeVerifier).
// Each failed check has its own error, so a verifier can say which one.
package evidence
