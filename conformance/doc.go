// Package conformance holds portvakt's OpenID conformance and interoperability
// tests; it has no code of its own.
//
// The tests reproduce, module by module, the OpenID Foundation's Basic OP, Form
// Post Basic OP and Config OP certification plans against dev mode started
// in-process (TestBasicOP, TestFormPostBasicOP, TestConfigOP), check the RFC 9700
// rules the broker promises (TestSecurity...), and log in with real relying-party
// libraries: coreos/go-oidc, zitadel's rp package, through node/ the
// openid-client package for Node.js and through python/ Python's authlib (the
// demo client with each library's defaults). Tests for gaps not yet closed in the
// provider are behind the build tag conformance_gaps.
//
// Run: go test ./conformance/... (the Node interop test needs node and
// `npm ci` in conformance/node; the authlib one Debian's python3-authlib and
// python3-requests). Fuzz targets live beside the parsers they fuzz;
// conformance/fuzz.sh runs each for a bounded time.
package conformance
