// Package frejasig checks a Freja eID signature offline: the signed result
// (the details JWS of a completed signature) against Freja's result-signing
// keys, and that it signs exactly the text and binary data that were sent, by
// the expected person, approved.
//
// The details payload is Freja's documented signature result: signRef,
// status, userInfoType, userInfo, minRegistrationLevel, requestedAttributes,
// timestamp (milliseconds), signatureType and signatureData, whose
// userSignature is the person's own JWS over the signed data:
//
//   - SIMPLE: the payload is the UTF-8 text shown, byte for byte;
//   - EXTENDED: the payload is base64url(text) "." base64url(binaryData),
//     both unpadded, so the unseen binary data is signed with the text.
//
// certificateStatus (the status of the person's certificate at signing) is
// carried, not checked: Freja's own signature over the details vouches for it.
//
// The checks have distinct sentinel errors, so a verifier can say which part
// of a signature failed.
package frejasig
