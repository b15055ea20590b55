// Package toyeid is a fifth eID that exists only for tests: a connector, its
// simulator and its registration, and nothing else. A test that adds Type() to
// the registry proves that an eID needs no more than that to be offered on the
// login page, run in dev mode and advertised in discovery.
//
// The toy trusts its callback's query: it must never be registered outside tests.
package toyeid
