// Package logging builds the broker's slog logger: JSON or text, with a last line of
// defence that masks anything shaped like a Nordic national id before it is written.
package logging
