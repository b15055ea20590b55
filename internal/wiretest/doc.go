// Package wiretest helps the tests that pin a wire format (the stored client
// document, the admin API's): a fixture must set every field, so that a field
// added later cannot miss the golden file, and the golden file is compared in
// the compact form the encoder writes.
package wiretest
