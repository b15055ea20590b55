// Package httpsec is the one source of the browser security headers: the
// Content-Security-Policy of the broker's pages (login, order, consent, errors,
// admin, demo) and of the simulated eID apps, and the framing, referrer, sniffing
// and transport headers every HTML page carries. Production and the tests that
// check the pages in a browser use the same values from here.
package httpsec
