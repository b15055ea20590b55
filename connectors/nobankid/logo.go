package nobankid

import "embed"

// logoFile is Norwegian BankID's logo for the login page; a theme's
// static/eids/<id>.svg replaces it.
//
//go:embed logo.svg
var logoFile embed.FS
