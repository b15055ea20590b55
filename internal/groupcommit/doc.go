// Package groupcommit gathers the writes of concurrent callers into batches, so
// that one commit serves many of them: SQLite's single writer and the audit
// chain's single head both serialize writers, and a commit costs about the same
// for one record as for many. The engine only queues, batches and hands over;
// what a batch means (one transaction, one chain append) and how a failure in it
// is shared out is the committer's.
package groupcommit
