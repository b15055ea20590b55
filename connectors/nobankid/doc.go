// Package nobankid is the connector for Norwegian BankID's OpenID provider.
//
// Profile: authorization code flow with PKCE S256 (always), scopes
// "openid profile nnin_altsub", acr_values urn:bankid:bid for the "high" method
// (the returned acr must be urn:bankid:bid;LOA=4) and urn:bankid:bis for
// "substantial" (BankID with biometrics, LOA=3). A lower LOA than asked is
// refused with connectors.ErrLoANotSupported, never downgraded. A valid
// fødselsnummer from the broker's login_hint is passed on as login_hint
// BID:<fnr> (BIS:<fnr> for biometrics). Userinfo is a signed JWT (JSON is
// accepted too). The person key is the national id from nnin_altsub when the
// client is provisioned for it, else the stable bankid_altsub; sub is not stable
// at BankID and is not used.
//
// The simulator of this upstream is in the sim subpackage.
package nobankid
