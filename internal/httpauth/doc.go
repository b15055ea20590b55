// Package httpauth reads the Authorization header the way RFC 9110 §11 defines it:
// a scheme, matched without regard to case, then the credentials.
package httpauth
