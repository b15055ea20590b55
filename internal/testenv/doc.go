// Package testenv finds what some tests need from the machine (Chromium, MariaDB,
// Node) and decides what happens when it is missing: such a test skips with a clear
// message locally and fails when CI=true, because in CI a check that cannot run is
// a check that cannot fail.
package testenv
