package conformance

import (
	"testing"

	"github.com/portvakt/portvakt/storage"
)

// NewStorage returns an empty store for one test and arranges (t.Cleanup) for
// it to be closed and removed.
type NewStorage func(t *testing.T) storage.Storage

// RunTests runs the whole suite; each subtest gets a fresh store.
func RunTests(t *testing.T, newStorage NewStorage) {
	t.Helper()
	groups := []struct {
		name  string
		tests []namedTest
	}{
		{"Clients", clientTests},
		{"AuthRequests", authRequestTests},
		{"OpenOrders", openOrderTests},
		{"Codes", codeTests},
		{"Tokens", tokenTests},
		{"Keys", keyTests},
		{"Secrets", secretTests},
		{"Sessions", sessionTests},
		{"Leases", leaseTests},
		{"RateCounters", rateCounterTests},
		{"PushedRequests", pushedRequestTests},
		{"Evidence", evidenceTests},
		{"EvidenceKeys", evidenceKeyTests},
		{"Generations", generationTests},
		{"Purge", purgeTests},
		{"Ping", pingTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newStorage(t))
				})
			}
		})
	}
}

type namedTest struct {
	name string
	run  func(t *testing.T, s storage.Storage)
}

// suiteTest is one named test of a store of type S.
type suiteTest[S any] struct {
	name string
	run  func(*testing.T, S)
}

// runSuite runs each test as a subtest on a fresh store.
func runSuite[S any](t *testing.T, fresh func(*testing.T) S, tests []suiteTest[S]) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, fresh(t)) })
	}
}
