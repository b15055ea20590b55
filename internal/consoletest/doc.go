// Package consoletest signs a test's browser in to one of the broker's own
// consoles (/admin or /agent) through a simulated eID, as a person would:
// the console's login, the broker's login page, the eID, the callback.
package consoletest
