// Package browser holds end-to-end tests that drive Chromium through dev mode the
// way a person does: from the demo app through the broker's pages and the
// simulated eIDs back to the verified claims, plus the login page's cancel links,
// language switcher and phone layout, and every simulator page in every
// language at a phone's size. It has no code of its own.
//
// The tests need Chromium (found on PATH, or named by PORTVAKT_CHROMIUM); without
// it they skip, or fail when CI=true; -short skips them. Each run starts one
// headless Chromium and, per test, dev mode on a free loopback port and a fresh
// browser context. Every step leaves a full-page PNG, <test>-<step>.png, in
// PORTVAKT_ARTIFACTS (default test-artifacts/browser; a relative path is taken
// from the repository's root).
package browser
