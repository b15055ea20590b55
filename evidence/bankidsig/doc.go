// Package bankidsig verifies a Swedish BankID signature offline: the XML-DSig
// document BankID returns as completionData.signature and the OCSP response
// beside it. Verify checks, in order, that the XML signature is genuine (both
// references, bankIdSignedData and KeyInfo, digested under exclusive C14N, and
// the signature over SignedInfo by the person's key), that the person's
// certificate chains to a configured signing root and was valid when signing,
// that the signed texts are those expected byte for byte, that the certificate
// names the expected personal number, and that the OCSP response is genuine
// (signed by the issuing CA or a responder it authorised), says good for that
// certificate, was produced at the signing and carries BankID's nonce binding
// it to this very signature. Each failed check has its own sentinel error.
//
// Only what the signature itself proves is trusted: the certificates in
// KeyInfo serve as intermediates, never as roots, and a document that could be
// read two ways (two elements with one Id, duplicate attributes, a DTD) is
// refused before anything is checked.
package bankidsig
