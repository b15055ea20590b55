// Package recovery keeps a handler's panic from reaching the client or the process:
// the client gets a plain 500, the log gets the panic and its stack.
package recovery
