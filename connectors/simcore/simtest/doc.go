// Package simtest drives the browser's part of a login against a simulator, for
// connector tests: it follows the authorize redirect with a cookie jar, submits
// the page that plays the eID, and stops at the redirect back to the client.
package simtest
