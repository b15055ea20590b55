// Package demo is the relying party that ships with `portvakt dev`: a small web app
// at /demo that logs in through the broker with a real authorization code flow and
// PKCE, exactly as an integrator's app would, and shows the verified claims.
package demo
