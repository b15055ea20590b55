// Package access names who acts on the broker and what they may do: the one
// Principal the admin API, its command line and the admin token check share.
package access
