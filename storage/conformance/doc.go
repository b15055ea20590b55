// Package conformance is the test suite every storage.Storage implementation
// must pass. An implementation's own tests call RunTests with a constructor that
// returns an empty, migrated store (and closes it in t.Cleanup).
//
// The suite uses the wall clock only with margins of hours, and tests expiry by
// writing records that expired in the past or by passing a later "now", so it
// needs no sleeps.
package conformance
