// Package conformance is the test suite every storage.Storage implementation
// must pass. An implementation's own tests call RunTests with a constructor that
// returns an empty, migrated store (and closes it in t.Cleanup). A store that
// serves several processes on one database (or on the nodes of one cluster)
// also calls RunClusterTests with several such stores: the same tests then
// spread their calls, and their racing writers, over the members.
//
// The suite uses the wall clock only with margins of hours, and tests expiry by
// writing records that expired in the past or by passing a later "now", so it
// needs no sleeps.
package conformance
