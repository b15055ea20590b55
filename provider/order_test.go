package provider_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
)

// testOrders is an order connector that exists only in tests: each order answers
// the polls scripted for its personal number, then completes.
type testOrders struct {
	mu        sync.Mutex
	polls     map[string]int
	cancelled []string
	script    map[string][]connectors.Progress // by national id
	// held polls of a national id wait, once inside the upstream call, until
	// released: a poll in flight while something else happens to the login.
	held map[string]*heldPoll
}

type heldPoll struct{ entered, release chan struct{} }

// hold makes the next poll for person wait inside the upstream call.
func (c *testOrders) hold(person string) *heldPoll {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := &heldPoll{entered: make(chan struct{}), release: make(chan struct{})}
	if c.held == nil {
		c.held = map[string]*heldPoll{}
	}
	c.held[person] = h
	return h
}

var _ connectors.OrderConnector = (*testOrders)(nil)

func (c *testOrders) Info() connectors.Info {
	return connectors.Info{ID: "se-order", Countries: []string{"SE"}, Name: "Order eID", Methods: []connectors.Method{
		{ID: "", URN: "urn:portvakt:eid:se:order", LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
	}}
}

func (c *testOrders) Start(_ context.Context, req connectors.Request) (*connectors.Order, error) {
	return &connectors.Order{Ref: req.ID, StartedAt: time.Now(), PollInterval: 0, State: []byte(req.NationalID)}, nil
}

func (c *testOrders) Poll(_ context.Context, o *connectors.Order) (connectors.Progress, error) {
	c.mu.Lock()
	h := c.held[string(o.State)]
	delete(c.held, string(o.State))
	c.mu.Unlock()
	if h != nil {
		close(h.entered)
		<-h.release
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.polls[o.Ref]
	c.polls[o.Ref] = n + 1
	steps := c.script[string(o.State)]
	if n < len(steps) {
		p := steps[n]
		if p.Status == connectors.StatusFailed {
			return p, connectors.ErrCancelled
		}
		return p, nil
	}
	return connectors.Progress{Status: connectors.StatusComplete, Identity: &connectors.Identity{
		Country: "SE", NationalID: string(o.State), LoA: connectors.LoASubstantial, Name: "Order Person",
	}}, nil
}

func (c *testOrders) Cancel(_ context.Context, o *connectors.Order) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelled = append(c.cancelled, o.Ref)
	return nil
}

func (c *testOrders) QR(o *connectors.Order, now time.Time) string {
	return "qr." + o.Ref + "." + now.Format("15:04:05")
}

func (c *testOrders) Message(lang, id string) string {
	if id == "RFA1" {
		return map[string]string{"sv": "Starta appen.", "en": "Start your app."}[lang]
	}
	return ""
}

type orderStatus struct {
	Status, Message, Redirect string
	QRContent                 string `json:"qr_content"`
}

func pollStatus(t *testing.T, c *http.Client, loginURL string) orderStatus {
	t.Helper()
	resp, err := c.Get(loginURL + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st orderStatus
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// startOrder opens an authorization request that runs the order connector and
// returns the login page URL.
func startOrder(t *testing.T, b *broker, c *http.Client, person, lang string) string {
	t.Helper()
	q := url.Values{"client_id": {"rp1"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {rpRedirect},
		"acr_values": {"urn:portvakt:eid:se:order"}, "login_hint": {"sub:" + person}, "ui_locales": {lang}, "state": {"o"}}
	resp, err := c.Get(b.URL + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "data:image/png;base64,") {
		t.Errorf("the order page has no first QR image")
	}
	return resp.Request.URL.String()
}

func TestOrderLogin(t *testing.T) {
	b := newBroker(t)
	// The order page polls once as it renders, the page's script after that.
	b.orders.script["199001012389"] = []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusPending, Message: "RFA1"}}
	c := browser(t)
	login := startOrder(t, b, c, "199001012389", "sv")

	st := pollStatus(t, c, login)
	if st.Status != "pending" || st.Message != "Starta appen." || !strings.HasPrefix(st.QRContent, "qr.") {
		t.Fatalf("first poll: %+v", st)
	}
	st = pollStatus(t, c, login)
	if st.Status != "complete" || st.Redirect == "" {
		t.Fatalf("second poll: %+v", st)
	}
	resp, err := c.Get(b.URL + st.Redirect)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := mustParse(t, resp.Header.Get("Location")).Query(); got.Get("code") == "" || got.Get("iss") != b.URL {
		t.Errorf("after the order: %v", got)
	}
}

func TestOrderCancelAndFailure(t *testing.T) {
	b := newBroker(t)
	b.orders.script["198507099805"] = []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusPending}, {Status: connectors.StatusPending}}
	b.orders.script["197001012392"] = []connectors.Progress{{Status: connectors.StatusPending}, {Status: connectors.StatusFailed, Message: "RFA6"}}

	t.Run("cancel on the page cancels upstream", func(t *testing.T) {
		c := browser(t)
		login := startOrder(t, b, c, "198507099805", "en")
		resp, err := c.Get(login)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := csrfField.FindStringSubmatch(string(body))
		if m == nil {
			t.Fatal("no cancel form")
		}
		resp, err = c.PostForm(login+"/cancel", url.Values{"csrf_token": {m[1]}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := mustParse(t, resp.Header.Get("Location")).Query(); got.Get("error") != "access_denied" {
			t.Errorf("cancel: %v", got)
		}
		if len(b.orders.cancelled) != 1 {
			t.Errorf("orders cancelled upstream: %v", b.orders.cancelled)
		}
	})
	t.Run("a failed order shows its message and lets the person go back", func(t *testing.T) {
		c := browser(t)
		login := startOrder(t, b, c, "197001012392", "en")
		st := pollStatus(t, c, login)
		if st.Status != "failed" || st.Redirect == "" {
			t.Fatalf("poll: %+v", st)
		}
		resp, err := c.Get(b.URL + st.Redirect)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "The login was cancelled") {
			t.Errorf("the login page does not say the order was cancelled: %s", body)
		}
	})
	t.Run("a cancel without the CSRF token is refused", func(t *testing.T) {
		c := browser(t)
		login := startOrder(t, b, c, "198507099805", "en")
		resp, err := c.PostForm(login+"/cancel", url.Values{"csrf_token": {"forged"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
}

func TestOrderStatusIsBoundToTheBrowser(t *testing.T) {
	b := newBroker(t)
	b.orders.script["199001012389"] = []connectors.Progress{{Status: connectors.StatusPending}}
	login := startOrder(t, b, browser(t), "199001012389", "en")
	resp, err := browser(t).Get(login + "/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("another browser polled the order: status %d", resp.StatusCode)
	}
}

// Reloading a finished login does not issue a second code for it.
func TestFinishedLoginAnswersOnce(t *testing.T) {
	b := newBroker(t)
	b.orders.script["199001012389"] = []connectors.Progress{{Status: connectors.StatusPending}}
	c := browser(t)
	login := startOrder(t, b, c, "199001012389", "en")
	st := pollStatus(t, c, login)
	if st.Status != "complete" {
		t.Fatalf("poll: %+v", st)
	}
	first, err := c.Get(b.URL + st.Redirect)
	if err != nil {
		t.Fatal(err)
	}
	first.Body.Close()
	if mustParse(t, first.Header.Get("Location")).Query().Get("code") == "" {
		t.Fatalf("no code: %s", first.Header.Get("Location"))
	}
	again, err := c.Get(b.URL + st.Redirect)
	if err != nil {
		t.Fatal(err)
	}
	again.Body.Close()
	if isRedirect(again) {
		t.Errorf("a reload was sent to the client again: %s", again.Header.Get("Location"))
	}
}
