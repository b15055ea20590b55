package recovery

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
)

// Handler recovers a panic in next. Before the response has started, the client
// gets a plain-text 500 with no detail; after, the connection is cut (as net/http
// does), so a partial answer cannot pass for a whole one. http.ErrAbortHandler is
// net/http's own way to abort a response and passes through unlogged.
func Handler(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &startWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			logger.ErrorContext(r.Context(), "handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rw.started {
				panic(http.ErrAbortHandler)
			}
			h := w.Header()
			for k := range h {
				delete(h, k)
			}
			h.Set("Cache-Control", "no-store")
			http.Error(w, "internal server error", http.StatusInternalServerError)
		}()
		next.ServeHTTP(rw, r)
	})
}

// startWriter notes whether the response has started.
type startWriter struct {
	http.ResponseWriter
	started bool
}

func (s *startWriter) WriteHeader(status int) {
	if status >= 200 {
		s.started = true
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *startWriter) Write(b []byte) (int, error) {
	s.started = true
	return s.ResponseWriter.Write(b)
}

// Flush keeps streaming handlers working through the wrapper.
func (s *startWriter) Flush() {
	s.started = true
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach Flush, deadlines and hijacking.
func (s *startWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
