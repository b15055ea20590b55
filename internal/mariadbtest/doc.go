// Package mariadbtest runs a MariaDB server of a test's own, in a temporary data
// directory on a free port, so a test can stop and start the database under a
// running broker without disturbing the shared server other tests use. Without the
// MariaDB server binaries it skips the test, or fails it when CI=true.
package mariadbtest
