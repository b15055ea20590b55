// Package sim simulates the Norwegian BankID OpenID provider for development and
// tests: PKCE S256 required, acr_values urn:bankid:bid (high, LOA=4) and
// urn:bankid:bis (substantial, LOA=3), login_hint BID:<fødselsnummer>, an unstable
// sub next to the stable bankid_altsub, nnin_altsub for the scope of that name,
// and userinfo as a signed JWT. The test users have synthetic fødselsnummer (the
// test series, month + 80) with both check digits correct.
package sim
