// Package galeratest runs a three-node MariaDB Galera cluster on one host for a
// test: each node in a short temporary directory of its own, on free ports, with
// rsync state transfer and the wsrep_mode the broker requires. It can kill,
// rejoin, isolate, heal, freeze and restart nodes, and waits on the nodes' own
// status, never on fixed sleeps. Without mariadbd, galera-4 or rsync it skips the
// test, or fails it when CI=true.
package galeratest
