package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"

	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/storage"
)

// backchannel is caller verification, OpenID Connect CIBA: a login with no
// browser. A client names the caller; the broker starts an eID order by the
// caller's national id (the connector's Backchannel capability), collects it in
// the background and answers the client's token requests (poll) or tells it
// the outcome is ready (ping). The request is a login of the flow engine: the
// same stored state, phases, order polling, identity checks and audit trail.
type backchannel struct {
	flow   *logins
	grants *grants
	// notify calls clients' notification endpoints (ping mode): no redirects.
	notify *http.Client
}

// The CIBA protocol's names.
const (
	backchannelPath   = "/oauth/bc-authorize"
	grantTypeCIBA     = config.GrantTypeCIBA
	claimAuthReqID    = "urn:openid:params:jwt:claim:auth_req_id"
	deliveryPoll      = "poll"
	deliveryPing      = "ping"
	callInitiatorUser = "user"
	callInitiatorRP   = "rp"
)

// Bounds of caller verification.
const (
	// backchannelInterval is the poll interval the acknowledgement names; a
	// client that polls faster gets slow_down and this much more.
	backchannelInterval = 5 * time.Second
	// pollTolerance forgives a poll that arrives a little early (a client's
	// timer and the network are not exact).
	pollTolerance = 500 * time.Millisecond
	// backchannelMaxExpiry is how long an eID waits for the caller (BankID's
	// phone order runs about two minutes); requested_expiry can shorten it.
	backchannelMaxExpiry = 120 * time.Second
	// backchannelGrace keeps a verification's record after it expired, so its
	// client gets expired_token rather than an unknown id.
	backchannelGrace = 10 * time.Minute
	// collectEvery is how often the broker collects open phone orders
	// (BankID's collect interval), whatever the clients' polling.
	collectEvery = 2 * time.Second
	// Texts a client gives: BankID shows at most 40 characters of a phone
	// order's text; reason and agent are for the record.
	maxBindingMessage = 40
	maxReason         = 200
	maxAgent          = 200
	// consoleAgentPrefix marks agents of the broker's own agent console.
	consoleAgentPrefix = "portvakt:"
)

// AgentConsoleClientID is the broker's own agent console, a confidential
// client of the broker registered by the broker itself: the one client whose
// agents are named "portvakt:<person key>".
const AgentConsoleClientID = "portvakt-agent-console"

// backchannelIDPrefix starts the stored id of every caller verification, so the
// collector lists them by a range of the primary key.
const backchannelIDPrefix = "bc."

// backchannelRecordID is the stored id of the verification an auth_req_id
// names: its hash, so the database never holds the id itself.
func backchannelRecordID(authReqID string) string {
	sum := sha256.Sum256([]byte("auth_req_id\x00" + authReqID))
	return backchannelIDPrefix + hex.EncodeToString(sum[:])
}

// backchannelCodeHash is what the finished verification's row is redeemed by
// (the code column), from its stored id: whichever process collects the
// outcome sets it, and single redemption is the code's atomic consumption.
func backchannelCodeHash(recordID string) []byte {
	sum := sha256.Sum256([]byte("auth_req_code\x00" + recordID))
	return sum[:]
}

// backchannelState is what a login has besides its parameters when it is a
// caller verification. It is sealed with the rest of the login's state.
type backchannelState struct {
	Mode string `json:"m"`
	// NotifyToken is the client's bearer for ping mode; AuthReqID is kept only
	// in ping mode, sealed, because the ping must name it.
	NotifyToken string `json:"nt,omitempty"`
	AuthReqID   string `json:"ar,omitempty"`
	// The caller: national id (sealed with the state) and its country.
	NationalID string `json:"nid"`
	Country    string `json:"c"`
	// CallInitiator is user (the caller phoned) or rp (the agent phoned).
	CallInitiator  string `json:"ci"`
	BindingMessage string `json:"bm,omitempty"`
	Reason         string `json:"r,omitempty"`
	Agent          string `json:"ag,omitempty"`
	// Interval is the client's current poll interval, raised by slow_down.
	Interval       time.Duration `json:"iv"`
	LastClientPoll time.Time     `json:"lcp,omitempty"`
	StartedAt      time.Time     `json:"sa"`
	Expires        time.Time     `json:"ex"`
	// ClientIP is the address the request came from, for the record.
	ClientIP string `json:"ip,omitempty"`
}

// BackchannelOrder is the eID order a running caller verification waits on:
// its connector and the order, for dev mode's automated approval. ErrNotFound
// when the auth_req_id names no running verification.
func (s *Server) BackchannelOrder(ctx context.Context, authReqID string) (connectorID string, order *connectors.Order, err error) {
	a, err := s.flow.loadAuthRequest(ctx, backchannelRecordID(authReqID))
	if err != nil {
		return "", nil, err
	}
	if a.state.Backchannel == nil || a.state.Order == nil {
		return "", nil, fmt.Errorf("verification is not waiting for the caller: %w", storage.ErrNotFound)
	}
	return connectorOf(a.state.Option), a.state.Order, nil
}

// callerLease is the lease that keeps one caller to one open verification
// (an eID refuses, or cancels, a second order for the same person).
func (s *logins) callerLease(nationalID string) string {
	return "ciba-caller:" + pairwiseSubject(s.rateSecret, "ciba-caller", nationalID)
}
