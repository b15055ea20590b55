package provider

import (
	"context"
	"net/http"

	"github.com/portvakt/portvakt/config"
)

// PurgeNow runs one round of the background purge at once, on the server's clock.
func (s *Server) PurgeNow(ctx context.Context) { s.purge(ctx) }

// RuntimeSettings is the mapping from a client's schema to what the provider acts on.
func RuntimeSettings(cl config.Client) ClientSettings { return settingsOf(cl) }

// PushedDPoPJKTOf is what the PAR endpoint calls to bind a pushed request's code.
func (s *Server) PushedDPoPJKTOf(r *http.Request, parURL string) (string, error) {
	return s.grants.PushedDPoPJKT(r.Context(), r, parURL)
}

// CollectNow runs one round of the caller verifications' collection at once.
func (s *Server) CollectNow(ctx context.Context) { s.ciba.collect(ctx, s.holder) }
