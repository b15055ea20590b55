package provider

import "github.com/portvakt/portvakt/config"

// requestDiscovery is the metadata of pushed requests and request objects
// that the library's discovery type has no field for (RFC 9126 §5, RFC 9101
// §10.5). The server-wide requirements appear only when they are on.
type requestDiscovery struct {
	PushedAuthorizationRequestEndpoint string `json:"pushed_authorization_request_endpoint"`
	RequirePushedAuthorizationRequests bool   `json:"require_pushed_authorization_requests,omitempty"`
	RequireSignedRequestObject         bool   `json:"require_signed_request_object,omitempty"`
}

func (s *Server) requestDiscovery() requestDiscovery {
	rules := s.cfg.AuthorizationRequests
	return requestDiscovery{
		PushedAuthorizationRequestEndpoint: s.issuer + parPath,
		RequirePushedAuthorizationRequests: rules.RequirePushed,
		RequireSignedRequestObject:         rules.RequireSigned,
	}
}

func requestObjectSigningAlgs() []string { return config.RequestObjectAlgorithms }
