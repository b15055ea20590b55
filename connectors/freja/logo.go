package freja

import "embed"

// logoFile is Freja eID's logo for the login page; a theme's
// static/eids/<id>.svg replaces it.
//
//go:embed logo.svg
var logoFile embed.FS
