package sim

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/portvakt/portvakt/internal/recovery"
)

// Serve serves the API over mutual TLS on addr (such as "127.0.0.1:0") until ctx
// ends, and returns the API base URL (the service host) to configure the connector with.
func (s *Simulator) Serve(ctx context.Context, addr string) (apiURL string, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("sim: listen: %w", err)
	}
	srv := &http.Server{
		Handler:           recovery.Handler(s.logger, s.APIHandler()),
		TLSConfig:         s.ServerTLSConfig(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          s.serverErrorLog(),
	}
	// ServeTLS (not Serve on a TLS listener) offers HTTP/2, so the broker keeps
	// one connection for all its orders instead of a TLS handshake per burst.
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return "https://" + ln.Addr().String(), nil
}

// Start is Serve on a free loopback port.
func (s *Simulator) Start(ctx context.Context) (apiURL string, err error) {
	return s.Serve(ctx, "127.0.0.1:0")
}

// NewTestServer starts an httptest server for the API with the simulator's mutual
// TLS; its URL is the API base URL. Close it when done.
func (s *Simulator) NewTestServer() *httptest.Server {
	srv := httptest.NewUnstartedServer(s.APIHandler())
	srv.TLS = s.ServerTLSConfig()
	srv.Config.ErrorLog = s.serverErrorLog()
	srv.StartTLS()
	return srv
}

// serverErrorLog sends the HTTP server's own messages (refused TLS handshakes, which
// tests provoke on purpose) to the simulator's logger.
func (s *Simulator) serverErrorLog() *log.Logger {
	return slog.NewLogLogger(s.logger.Handler(), slog.LevelDebug)
}
