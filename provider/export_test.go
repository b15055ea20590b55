package provider

import "context"

// PurgeNow runs one round of the background purge at once, on the server's clock.
func (s *Server) PurgeNow(ctx context.Context) { s.purge(ctx) }
