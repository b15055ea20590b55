package broker_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/broker"
	"github.com/portvakt/portvakt/internal/testenv"
)

// A panic in a handler is the server's fault, not the client's: the client gets a
// plain 500 without the stack, the log gets the stack at error level, and the
// process goes on serving.
func TestServeHTTPTurnsAPanicIntoALogged500(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := &testenv.SyncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("handler bug: secret-detail") })
	mux.HandleFunc("/panic-after-write", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		panic("late bug")
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- broker.ServeHTTP(ctx, ln, mux, logger) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("ServeHTTP: %v", err)
		}
	})
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/panic")
	if err != nil {
		t.Fatalf("the connection was dropped: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("status %d, type %q; want a plain-text 500", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for _, leak := range []string{"goroutine", "secret-detail", ".go:"} {
		if strings.Contains(string(body), leak) {
			t.Errorf("the response shows %q: %s", leak, body)
		}
	}
	log := logs.String()
	if !strings.Contains(log, `"level":"ERROR"`) || !strings.Contains(log, "secret-detail") || !strings.Contains(log, "recover_test.go") {
		t.Errorf("the log lacks the panic and its stack at error level: %s", log)
	}

	// Once the response has started, a 500 cannot be sent: the connection is cut
	// so the client cannot take the partial answer for a whole one.
	if resp, err := http.Get(base + "/panic-after-write"); err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil || errors.Is(err, io.EOF) {
			t.Errorf("a response cut by a panic read as complete")
		}
	}

	resp, err = http.Get(base + "/ok")
	if err != nil {
		t.Fatalf("after a panic the server no longer answers: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("after a panic: status %d", resp.StatusCode)
	}
}
