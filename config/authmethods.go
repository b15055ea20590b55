package config

import "slices"

// secretAuthMethods are the methods that may be combined in AuthMethods: both
// prove the same secret, so accepting either adds no way in.
var secretAuthMethods = []string{"client_secret_basic", "client_secret_post"}

// validateAuthMethods checks token_endpoint_auth_methods: secret methods only
// (a secret must never become optional, nor stand in for a key), and the primary
// method among them.
func (cl *Client) validateAuthMethods(p *Problems) {
	if len(cl.AuthMethods) == 0 {
		return
	}
	for _, m := range cl.AuthMethods {
		if !slices.Contains(secretAuthMethods, m) {
			p.Add("token_endpoint_auth_methods: %q cannot be combined; only %v can", m, secretAuthMethods)
		}
	}
	if !slices.Contains(cl.AuthMethods, cl.AuthMethod) {
		p.Add("token_endpoint_auth_method: %q is not one of token_endpoint_auth_methods %v", cl.AuthMethod, cl.AuthMethods)
	}
}
