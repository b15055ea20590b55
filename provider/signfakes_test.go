package provider_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// memEvidence is the evidence service of provider tests: it keeps each
// issued entry for the client it was issued to, as evidence.Service does.
type memEvidence struct {
	mu     sync.Mutex
	issued map[string]evidence.SignDetails
	owner  map[string]string
	inputs []evidence.IssueInput
	// refuse, when set, is the error of every Issue (a store that is down).
	refuse error
	key    *ecdsa.PrivateKey
}

var _ provider.EvidenceService = (*memEvidence)(nil)

func newMemEvidence(t *testing.T) *memEvidence {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &memEvidence{issued: map[string]evidence.SignDetails{}, owner: map[string]string{}, key: key}
}

func (m *memEvidence) Issue(_ context.Context, in evidence.IssueInput) (evidence.SignDetails, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return evidence.SignDetails{}, m.refuse
	}
	sig := in.Identity.Signature
	d := in.Details
	d.Evidence = &evidence.Evidence{
		ID: "sev_" + randomString(), Provider: in.Identity.Connector, Operation: sig.Operation, SignedAt: sig.SignedAt,
		Signer:      evidence.Signer{Sub: in.Subject, Name: in.Identity.Name, NationalID: &evidence.NationalID{Country: in.Identity.Country, Value: in.Identity.NationalID}},
		VisibleData: sig.VisibleData, VisibleDataFormat: sig.VisibleDataFormat, NonVisibleData: sig.NonVisibleData,
		Native: sig.Native, Attestation: "test.attestation." + in.Txn,
	}
	m.issued[d.Evidence.ID], m.owner[d.Evidence.ID] = d, in.ClientID
	m.inputs = append(m.inputs, in)
	return d, nil
}

func (m *memEvidence) Fetch(_ context.Context, clientID, id string) (evidence.SignDetails, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.issued[id]
	if !ok || m.owner[id] != clientID {
		return evidence.SignDetails{}, storage.ErrNotFound
	}
	return d, nil
}

func (m *memEvidence) KeySet(context.Context) (jose.JSONWebKeySet, error) {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &m.key.PublicKey, KeyID: "ev-1", Algorithm: "ES256", Use: "sig"}}}, nil
}

func (m *memEvidence) issueInputs() []evidence.IssueInput {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]evidence.IssueInput(nil), m.inputs...)
}

// testSigner is an order eID that signs, as BankID does: a QR code for
// another device, or the app on this one; its signatures carry native
// artefacts of the signed content. People named in outcome end otherwise.
type testSigner struct {
	id      string
	signing connectors.SigningInfo
	mu      sync.Mutex
	signs   []connectors.SignRequest
	phone   []connectors.BackchannelRequest
	outcome map[string]error // by national id
	// polled counts the polls of each order: the first is pending, as the
	// person reads the text in the app.
	polled map[string]int
	// loginOrders: the order signs nothing, as a login order would (an eID
	// that answers a signature with a plain login).
	loginOrders bool
}

var (
	_ connectors.Signer      = (*testSigner)(nil)
	_ connectors.Backchannel = (*testSigner)(nil)
)

func (c *testSigner) Info() connectors.Info {
	info := c.signing
	return connectors.Info{ID: c.id, Countries: []string{"SE"}, Name: "Signing eID " + c.id, Methods: []connectors.Method{
		{ID: "other-device", URN: provider.ConnectorURN(c.id) + ":other-device", LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
		{ID: "same-device", URN: provider.ConnectorURN(c.id) + ":same-device", LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial, LaunchesApp: true},
	}, Signing: &info}
}

// signerOrder is what a testSigner's order keeps.
type signerOrder struct {
	Person string                  `json:"p"`
	Sign   *connectors.SignContent `json:"s,omitempty"`
	Phone  bool                    `json:"ph,omitempty"`
}

func (c *testSigner) order(req connectors.Request, o signerOrder) (*connectors.Order, error) {
	if o.Person == "" {
		o.Person = "199001012389"
	}
	state, _ := json.Marshal(o)
	order := &connectors.Order{Ref: randomString(), StartedAt: time.Now(), State: state}
	if req.Method == "same-device" {
		order.LaunchURL = "bankid:///?autostarttoken=" + order.Ref
	}
	return order, nil
}

func (c *testSigner) Start(_ context.Context, req connectors.Request) (*connectors.Order, error) {
	return c.order(req, signerOrder{Person: req.NationalID})
}

func (c *testSigner) StartSign(_ context.Context, req connectors.SignRequest) (*connectors.Order, error) {
	c.mu.Lock()
	c.signs = append(c.signs, req)
	c.mu.Unlock()
	content := req.SignContent
	return c.order(req.Request, signerOrder{Person: req.NationalID, Sign: &content})
}

func (c *testSigner) StartBackchannel(_ context.Context, req connectors.BackchannelRequest) (*connectors.Order, error) {
	c.mu.Lock()
	c.phone = append(c.phone, req)
	c.mu.Unlock()
	return c.order(connectors.Request{}, signerOrder{Person: req.NationalID, Sign: req.Sign, Phone: true})
}

func (c *testSigner) Poll(_ context.Context, o *connectors.Order) (connectors.Progress, error) {
	var st signerOrder
	if err := json.Unmarshal(o.State, &st); err != nil {
		return connectors.Progress{}, err
	}
	c.mu.Lock()
	outcome, login := c.outcome[st.Person], c.loginOrders
	if c.polled == nil {
		c.polled = map[string]int{}
	}
	c.polled[o.Ref]++
	first := c.polled[o.Ref] == 1
	c.mu.Unlock()
	if first {
		return connectors.Progress{Status: connectors.StatusPending}, nil
	}
	if outcome != nil {
		return connectors.Progress{Status: connectors.StatusFailed}, outcome
	}
	id := &connectors.Identity{Country: "SE", NationalID: st.Person, NationalIDType: connectors.IDTypeSEPersonnummer,
		Name: "Signe Signer", LoA: connectors.LoASubstantial}
	if st.Sign != nil && !login {
		sig := &connectors.Signature{Operation: "rp/v6.0/sign", SignedAt: time.Now().UTC().Truncate(time.Second),
			VisibleData: base64.StdEncoding.EncodeToString([]byte(st.Sign.Text)),
			Native:      map[string]string{"bankid_signature": "PFNpZ25hdHVyZS8+", "bankid_ocsp_response": "MAA="}}
		if st.Phone {
			sig.Operation = "rp/v6.0/phone/sign"
		}
		if st.Sign.Markdown {
			sig.VisibleDataFormat = "simpleMarkdownV1"
		}
		if len(st.Sign.NonVisibleData) > 0 {
			sig.NonVisibleData = base64.StdEncoding.EncodeToString(st.Sign.NonVisibleData)
		}
		id.Signature = sig
	}
	return connectors.Progress{Status: connectors.StatusComplete, Identity: id}, nil
}

func (c *testSigner) Cancel(context.Context, *connectors.Order) error { return nil }

func (c *testSigner) QR(o *connectors.Order, _ time.Time) string { return "qr." + o.Ref }

func (c *testSigner) setOutcome(person string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.outcome == nil {
		c.outcome = map[string]error{}
	}
	c.outcome[person] = err
}

func (c *testSigner) signRequests() []connectors.SignRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connectors.SignRequest(nil), c.signs...)
}

// signBroker is a broker that offers signatures: the eIDs se-signer (markdown,
// long texts, phone signing) and se-plain (plain text of 100 bytes at most,
// no unseen data) besides the test eIDs that cannot sign, and the client
// "signer" allowed to request them.
type signBroker struct {
	*broker
	evidence *memEvidence
	signer   *testSigner
	plain    *testSigner
}

const signerSecret = "signer-secret-0123456789"

func newSignBroker(t *testing.T, opts ...brokerOption) *signBroker {
	t.Helper()
	ev := newMemEvidence(t)
	signer := &testSigner{id: "se-signer", signing: connectors.SigningInfo{MaxTextBytes: 30000, Markdown: true, MaxNonVisibleBytes: 150000, Backchannel: true}}
	plain := &testSigner{id: "se-plain", signing: connectors.SigningInfo{MaxTextBytes: 100}}
	withSigners := func(cfg *config.Config, extra *[]connectors.Connector) {
		cfg.Connectors = append(cfg.Connectors, config.Connector{ID: "se-signer", Type: "test"}, config.Connector{ID: "se-plain", Type: "test"})
		cfg.Clients = append(cfg.Clients, config.Client{ID: "signer", Name: "Signing RP", Secret: signerSecret, RedirectURIs: []string{rpRedirect},
			GrantTypes: []string{"authorization_code", config.GrantTypeCIBA}, Scopes: []string{"national_id"},
			AuthorizationDetailsTypes: []string{evidence.SignType}},
			config.Client{ID: "signer-post", Name: "Signing RP by form", Secret: signerSecret, AuthMethod: "client_secret_post",
				RedirectURIs: []string{rpRedirect}, AuthorizationDetailsTypes: []string{evidence.SignType}})
		*extra = append(*extra, signer, plain)
	}
	b := startBrokerWith(t, filepath.Join(t.TempDir(), "portvakt.db"), testMasterKey(t), func(o *provider.Options) { o.Evidence = ev },
		append([]brokerOption{withSigners}, opts...)...)
	return &signBroker{broker: b, evidence: ev, signer: signer, plain: plain}
}

func (m *memAudit) RecordEvidenceFetch(_ context.Context, e provider.EvidenceFetchEvent) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refuse != nil {
		return m.refuse
	}
	m.fetches = append(m.fetches, e)
	return nil
}

func (m *memAudit) evidenceFetches() []provider.EvidenceFetchEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]provider.EvidenceFetchEvent(nil), m.fetches...)
}

var errSignTest = errors.New("evidence store down")

// getWithBasic GETs url with HTTP Basic client authentication unless client
// is empty.
func getWithBasic(t *testing.T, url, client, secret string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if client != "" {
		req.SetBasicAuth(client, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
