package sim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
	"github.com/portvakt/portvakt/internal/randid"
)

const maxRequestBytes = 512 << 10

// RecordedRequest is one API request as received, for tests to assert on.
type RecordedRequest struct {
	// Path is relative to the API root: "auth", "collect", "phone/auth", ...
	Path        string
	ContentType string
	// ClientCN is the common name of the client certificate presented.
	ClientCN string
	Body     json.RawMessage
	At       time.Time
}

// Request bodies, declared here rather than shared with the connector so that a
// misnamed field on either side shows up in tests.
type requirement struct {
	PinCode             bool     `json:"pinCode"`
	Mrtd                bool     `json:"mrtd"`
	CardReader          string   `json:"cardReader"`
	CertificatePolicies []string `json:"certificatePolicies"`
	PersonalNumber      string   `json:"personalNumber"`
}

type orderRequest struct {
	EndUserIP             string       `json:"endUserIp"`
	Requirement           *requirement `json:"requirement"`
	UserVisibleData       string       `json:"userVisibleData"`
	UserVisibleDataFormat string       `json:"userVisibleDataFormat"`
	UserNonVisibleData    string       `json:"userNonVisibleData"`
	ReturnURL             string       `json:"returnUrl"`
	ReturnRisk            bool         `json:"returnRisk"`
	Web                   *struct {
		ReferringDomain  string `json:"referringDomain"`
		UserAgent        string `json:"userAgent"`
		DeviceIdentifier string `json:"deviceIdentifier"`
	} `json:"web"`
}

type phoneRequest struct {
	PersonalNumber string `json:"personalNumber"`
	CallInitiator  string `json:"callInitiator"`
	Requirement    *struct {
		PinCode             bool     `json:"pinCode"`
		CertificatePolicies []string `json:"certificatePolicies"`
	} `json:"requirement"`
	UserVisibleData       string `json:"userVisibleData"`
	UserVisibleDataFormat string `json:"userVisibleDataFormat"`
	UserNonVisibleData    string `json:"userNonVisibleData"`
}

type orderRefRequest struct {
	OrderRef string `json:"orderRef"`
}

// apiError is an error answer; the handler writes it as BankID does.
type apiError struct {
	status  int
	code    string
	details string
}

func (e *apiError) Error() string { return e.code + ": " + e.details }

func invalid(details string) *apiError {
	return &apiError{http.StatusBadRequest, "invalidParameters", details}
}

// APIHandler serves the RP API under /rp/v6.0/. Serve it with ServerTLSConfig.
func (s *Simulator) APIHandler() http.Handler {
	return http.HandlerFunc(s.serveAPI)
}

func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, APIPath)
	if !ok {
		writeError(w, &apiError{http.StatusNotFound, "notFound", "No such path"})
		return
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		writeError(w, &apiError{http.StatusUnauthorized, "unauthorized", "A client certificate is required"})
		return
	}
	if err := s.pki.VerifyConn(r.TLS); err != nil {
		writeError(w, &apiError{http.StatusUnauthorized, "unauthorized", "Client certificate not trusted"})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, &apiError{http.StatusMethodNotAllowed, "methodNotAllowed", "Only POST is allowed"})
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		writeError(w, &apiError{http.StatusUnsupportedMediaType, "unsupportedMediaType", "Content-Type must be exactly application/json, got " + ct})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, invalid("Could not read the body"))
		return
	}
	now := s.opts.Now()
	s.record(RecordedRequest{Path: path, ContentType: r.Header.Get("Content-Type"), ClientCN: r.TLS.PeerCertificates[0].Subject.CommonName, Body: body, At: now})
	if injected := s.takeInjected(path); injected != nil {
		s.logger.Info("bankid sim: injected error", "path", path, "code", injected.code)
		writeError(w, injected)
		return
	}
	var out any
	switch path {
	case "auth", "sign":
		out, err = s.startOrder(path, body, now)
	case "phone/auth", "phone/sign":
		out, err = s.startPhoneOrder(path, body, now)
	case "collect":
		out, err = s.collect(body, now)
	case "cancel":
		out, err = s.cancel(body, now)
	default:
		err = &apiError{http.StatusNotFound, "notFound", "No such path"}
	}
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{http.StatusInternalServerError, "internalError", err.Error()}
		}
		s.logger.Info("bankid sim: error", "path", path, "code", ae.code, "details", ae.details)
		writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Simulator) startOrder(kind string, body []byte, now time.Time) (any, error) {
	var req orderRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, invalid("Invalid JSON")
	}
	if net.ParseIP(req.EndUserIP) == nil {
		return nil, invalid("Invalid endUserIp")
	}
	visible, err := decodeUserData(req.UserVisibleData)
	if err != nil {
		return nil, invalid("Invalid userVisibleData")
	}
	if kind == "sign" && visible == "" {
		return nil, invalid("userVisibleData is required")
	}
	if _, err := decodeUserData(req.UserNonVisibleData); err != nil {
		return nil, invalid("Invalid userNonVisibleData")
	}
	if req.UserVisibleDataFormat != "" && req.UserVisibleDataFormat != "simpleMarkdownV1" {
		return nil, invalid("Invalid userVisibleDataFormat")
	}
	o := &order{
		kind: kind, endUserIP: req.EndUserIP, returnURL: req.ReturnURL, returnRisk: req.ReturnRisk, userVisibleData: visible,
		visibleRaw: req.UserVisibleData, visibleFormat: req.UserVisibleDataFormat, nonVisibleRaw: req.UserNonVisibleData,
	}
	if rq := req.Requirement; rq != nil {
		if rq.PersonalNumber != "" && !nationalid.Valid(nationalid.SEPersonnummer, rq.PersonalNumber) {
			return nil, invalid("Invalid personalNumber")
		}
		if rq.CardReader != "" && rq.CardReader != "class1" && rq.CardReader != "class2" {
			return nil, invalid("Invalid cardReader")
		}
		o.personalNumber, o.mrtd = rq.PersonalNumber, rq.Mrtd
	}
	if req.Web != nil && len(req.Web.UserAgent) > 256 {
		return nil, invalid("Invalid web.userAgent")
	}
	o.autoStartToken, o.qrStartToken, o.qrStartSecret = randid.UUID(), randid.UUID(), randid.UUID()
	if err := s.addOrder(o, now); err != nil {
		return nil, err
	}
	return map[string]string{
		"orderRef": o.ref, "autoStartToken": o.autoStartToken,
		"qrStartToken": o.qrStartToken, "qrStartSecret": o.qrStartSecret,
	}, nil
}

func (s *Simulator) startPhoneOrder(kind string, body []byte, now time.Time) (any, error) {
	var req phoneRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, invalid("Invalid JSON")
	}
	if !nationalid.Valid(nationalid.SEPersonnummer, req.PersonalNumber) {
		return nil, invalid("Invalid personalNumber")
	}
	if req.CallInitiator != "user" && req.CallInitiator != "RP" {
		return nil, invalid("Invalid callInitiator")
	}
	visible, err := decodeUserData(req.UserVisibleData)
	if err != nil || (kind == "phone/sign" && visible == "") {
		return nil, invalid("Invalid userVisibleData")
	}
	if _, err := decodeUserData(req.UserNonVisibleData); err != nil {
		return nil, invalid("Invalid userNonVisibleData")
	}
	if req.UserVisibleDataFormat != "" && req.UserVisibleDataFormat != "simpleMarkdownV1" {
		return nil, invalid("Invalid userVisibleDataFormat")
	}
	// Phone orders have no end user IP; BankID reports the phone's, so make one up.
	o := &order{
		kind: kind, personalNumber: req.PersonalNumber, endUserIP: "192.0.2.10", userVisibleData: visible, callInitiator: req.CallInitiator,
		visibleRaw: req.UserVisibleData, visibleFormat: req.UserVisibleDataFormat, nonVisibleRaw: req.UserNonVisibleData,
	}
	if err := s.addOrder(o, now); err != nil {
		return nil, err
	}
	return map[string]string{"orderRef": o.ref}, nil
}

// addOrder registers a new order, refusing it (and cancelling the other, as BankID
// does) when one is already in progress for the same person.
func (s *Simulator) addOrder(o *order, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	if other := s.inProgressFor(o.personalNumber, now); other != nil {
		other.finish(statusFailed, hintCancelled, now)
		return &apiError{http.StatusBadRequest, "alreadyInProgress", "Order already in progress for pno"}
	}
	o.ref = randid.UUID()
	o.createdAt = now
	o.status, o.hintCode = statusPending, hintOutstanding
	if script, ok := s.scripts[o.personalNumber]; ok && o.personalNumber != "" {
		o.script = script
		delete(s.scripts, o.personalNumber)
	}
	s.orders[o.ref] = o
	s.logger.Info("bankid sim: order started", "kind", o.kind, "order_ref", o.ref)
	return nil
}

func (s *Simulator) collect(body []byte, now time.Time) (any, error) {
	var req orderRefRequest
	if err := json.Unmarshal(body, &req); err != nil || req.OrderRef == "" {
		return nil, invalid("Invalid orderRef")
	}
	s.mu.Lock()
	s.sweep(now)
	o, ok := s.orders[req.OrderRef]
	if !ok || o.forgotten(now) {
		s.mu.Unlock()
		return nil, invalid("No such order")
	}
	s.advance(o, now)
	resp := o.response()
	var user TestUser
	var data signedData
	if cd := resp.CompletionData; cd != nil {
		user, data = *o.user, o.signedData(cd.Device.UHI)
	}
	at := o.finishedAt
	if !o.pending() {
		// The final answer is given once; the order is then gone.
		delete(s.orders, o.ref)
	}
	s.mu.Unlock()
	if cd := resp.CompletionData; cd != nil {
		// Signed outside the lock: the order is no longer shared, and other
		// orders need not wait for the signature.
		var err error
		if cd.Signature, cd.OCSPResponse, err = s.signing.signOrder(user, data, at); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

func (s *Simulator) cancel(body []byte, now time.Time) (any, error) {
	var req orderRefRequest
	if err := json.Unmarshal(body, &req); err != nil || req.OrderRef == "" {
		return nil, invalid("Invalid orderRef")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	o, ok := s.orders[req.OrderRef]
	if !ok || !o.pending() {
		return nil, invalid("No such order")
	}
	delete(s.orders, o.ref)
	return struct{}{}, nil
}

func decodeUserData(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, map[string]string{"errorCode": e.code, "details": e.details})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
