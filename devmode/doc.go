// Package devmode is `portvakt dev`: the broker on a local SQLite database (or
// MariaDB), every eID simulator in-process, and the demo app, with no setup. Tests,
// the conformance suite and the benchmark start the same thing through Start.
package devmode
