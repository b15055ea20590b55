// Package keys owns the broker's cryptographic material: the token signing keys
// published in the JWKS and the named server secrets (subject HMAC key, cookie keys),
// all kept in storage encrypted under one master key.
//
// A Sealer encrypts with the master key. A Manager generates, caches, rotates and
// retires signing keys and creates secrets once across every broker process sharing
// the database: generation and rotation happen under the "keys-rotation" lease, and
// every process notices changes through the storage "keys" generation counter.
//
// Signing and publishing keys are on the hot path of every token and /keys request,
// so they are served from memory; only Refresh, Init, Rotate and List touch storage.
package keys
