package broker_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portvakt/portvakt/internal/testenv"
)

// brokerProcess is `portvakt serve --config FILE` as a real process, so a test can
// kill it the hard way and start it again on the same configuration.
type brokerProcess struct {
	t      *testing.T
	bin    string
	config string
	env    []string
	addr   string
	output *testenv.SyncBuffer

	cmd    *exec.Cmd
	exited chan struct{}
}

// newBrokerProcess writes a configuration for a broker behind front (issuer: the
// front door's address) on dsn, listening on a port of its own, and puts that
// port behind the front door.
func newBrokerProcess(t *testing.T, front *frontDoor, dsn string) *brokerProcess {
	t.Helper()
	p := &brokerProcess{t: t, bin: portvaktBinary(t), addr: freeAddr(t), output: &testenv.SyncBuffer{}}
	cfg := front.config(t, dsn, "")
	var connectors []map[string]any
	for _, c := range cfg.Connectors {
		connectors = append(connectors, map[string]any{"id": c.ID, "type": c.Type, "config": c.Config})
	}
	doc := map[string]any{
		"issuer": cfg.Issuer, "listen": p.addr,
		"master_key": "${PORTVAKT_TEST_MASTER_KEY}",
		"storage":    map[string]any{"driver": "mysql", "dsn": dsn},
		"log":        map[string]any{"level": "warn", "format": "text"},
		"metrics":    map[string]any{"listen": freeAddr(t)},
		"connectors": connectors,
		"clients": []map[string]any{{
			"id": rpID, "name": "Test RP", "secret": rpSecret,
			"redirect_uris": []string{rpRedirect}, "scopes": []string{"national_id"},
		}},
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	p.config = filepath.Join(t.TempDir(), "portvakt.yaml")
	if err := os.WriteFile(p.config, b, 0o600); err != nil {
		t.Fatal(err)
	}
	p.env = append(os.Environ(), "PORTVAKT_TEST_MASTER_KEY="+newMasterKey(t))
	if _, err := front.sims.RegisterUpstreamClient("dk-mitid", cfg.Issuer+"/callback/dk-mitid", ""); err != nil {
		t.Fatal(err)
	}
	front.add("http://" + p.addr)
	t.Cleanup(func() {
		if p.running() {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("portvakt serve output:\n%s", p.output.String())
		}
	})
	return p
}

// start runs the process and waits until it reports ready.
func (p *brokerProcess) start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "serve", "--config", p.config)
	p.cmd.Env = p.env
	p.cmd.Stdout, p.cmd.Stderr = p.output, p.output
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func(cmd *exec.Cmd) {
		_ = cmd.Wait()
		close(exited)
	}(p.cmd)
	p.exited = exited
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get("http://" + p.addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			p.t.Fatalf("portvakt serve exited while starting: %v\n%s", p.cmd.ProcessState, p.output.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("portvakt serve was not ready within 60 s\n%s", p.output.String())
		}
	}
}

// kill sends SIGKILL: no shutdown, no request finished, nothing flushed.
func (p *brokerProcess) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	<-p.exited
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		p.t.Fatalf("the process ended with %v, not by SIGKILL", p.cmd.ProcessState)
	}
}

func (p *brokerProcess) running() bool {
	if p.exited == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// freeAddr is a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string { return testenv.FreeAddr(t) }
