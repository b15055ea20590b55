package dkmitid

import "embed"

// logoFile is MitID's logo for the login page; a theme's
// static/eids/<id>.svg replaces it.
//
//go:embed logo.svg
var logoFile embed.FS
