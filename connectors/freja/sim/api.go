package sim

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/internal/randid"
)

const maxRequestBytes = 64 << 10

// RecordedRequest is one API request as received, for tests to assert on.
type RecordedRequest struct {
	// Path is the API path, such as /authentication/1.0/initAuthentication.
	Path        string
	ContentType string
	// ClientCN is the common name of the client certificate presented.
	ClientCN string
	// Param is the body's parameter name; Payload its decoded JSON.
	Param   string
	Payload json.RawMessage
	// RelyingPartyID is the integrator's relyingPartyId, if sent.
	RelyingPartyID string
	At             time.Time
}

// apiError is an error answer, written as Freja does: {"code", "message"}.
type apiError struct {
	status  int
	code    int
	message string
}

func (e *apiError) Error() string { return e.message }

func coded(code int, message string) *apiError {
	return &apiError{http.StatusBadRequest, code, message}
}

// Request payloads, declared here rather than shared with the connector so
// that a misnamed field on either side shows up in tests.
type initRequest struct {
	UserInfoType         string `json:"userInfoType"`
	UserInfo             string `json:"userInfo"`
	MinRegistrationLevel string `json:"minRegistrationLevel"`
	AttributesToReturn   []struct {
		Attribute string `json:"attribute"`
	} `json:"attributesToReturn"`
	UseDynamicQRCode bool   `json:"useDynamicQrCode"`
	Title            string `json:"title"`
	DataToSignType   string `json:"dataToSignType"`
	DataToSign       *struct {
		Text       string `json:"text"`
		BinaryData string `json:"binaryData"`
	} `json:"dataToSign"`
	SignatureType string `json:"signatureType"`
}

// endpoint is one API path: its parameter and what it does.
type endpoint struct {
	param string
	serve func(s *Simulator, payload []byte, now time.Time) (any, error)
}

var endpoints = map[string]endpoint{
	freja.PathInitAuth:   {"initAuthRequest", func(s *Simulator, p []byte, now time.Time) (any, error) { return s.initTransaction(kindAuth, p, now) }},
	freja.PathAuthResult: {"getOneAuthResultRequest", func(s *Simulator, p []byte, now time.Time) (any, error) { return s.getResult(kindAuth, p, now) }},
	freja.PathCancelAuth: {"cancelAuthRequest", func(s *Simulator, p []byte, now time.Time) (any, error) { return s.cancel(kindAuth, p, now) }},
	freja.PathInitSign:   {"initSignRequest", func(s *Simulator, p []byte, now time.Time) (any, error) { return s.initTransaction(kindSign, p, now) }},
	freja.PathSignResult: {"getOneSignResultRequest", func(s *Simulator, p []byte, now time.Time) (any, error) { return s.getResult(kindSign, p, now) }},
	freja.PathCancelSign: {"cancelSignRequest", func(s *Simulator, p []byte, now time.Time) (any, error) { return s.cancel(kindSign, p, now) }},
}

// APIHandler serves the Relying Party API. Serve it with ServerTLSConfig.
func (s *Simulator) APIHandler() http.Handler { return http.HandlerFunc(s.serveAPI) }

func (s *Simulator) serveAPI(w http.ResponseWriter, r *http.Request) {
	ep, ok := endpoints[r.URL.Path]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"code": freja.CodeInvalidParameters, "message": "No such path"})
		return
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 || s.pki.VerifyConn(r.TLS) != nil {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"code": freja.CodeUnknownRelyingParty, "message": "Client certificate not trusted"})
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, &apiError{http.StatusMethodNotAllowed, freja.CodeMethodNotAllowed, "Only POST is allowed"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		writeError(w, coded(freja.CodeInvalidParameters, "Could not read the body"))
		return
	}
	now := s.opts.Now()
	param, payload, rpID, perr := parseBody(string(body), ep.param)
	s.record(RecordedRequest{
		Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"), ClientCN: r.TLS.PeerCertificates[0].Subject.CommonName,
		Param: param, Payload: payload, RelyingPartyID: rpID, At: now,
	})
	if injected := s.takeInjected(r.URL.Path); injected != nil {
		s.logger.Info("freja sim: injected error", "path", r.URL.Path, "code", injected.code)
		writeError(w, injected)
		return
	}
	if perr != nil {
		writeError(w, perr)
		return
	}
	out, err := ep.serve(s, payload, now)
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{http.StatusInternalServerError, 0, err.Error()}
		}
		s.logger.Info("freja sim: error", "path", r.URL.Path, "code", ae.code, "message", ae.message)
		writeError(w, ae)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// parseBody reads a form-style body, <param>=<base64(JSON)>[&relyingPartyId=…].
// It is not URL-decoded: standard base64 carries '+' and '/' as they are.
func parseBody(body, want string) (param string, payload []byte, rpID string, err *apiError) {
	for _, pair := range strings.Split(strings.TrimSpace(body), "&") {
		name, value, _ := strings.Cut(pair, "=")
		switch name {
		case "relyingPartyId":
			rpID = value
		case want:
			param = name
			data, derr := base64.StdEncoding.DecodeString(value)
			if derr != nil {
				return param, nil, rpID, coded(freja.CodeInvalidJSON, "The parameter is not base64")
			}
			if !json.Valid(data) {
				return param, nil, rpID, coded(freja.CodeInvalidJSON, "The parameter is not JSON")
			}
			payload = data
		}
	}
	if payload == nil {
		return param, nil, rpID, coded(freja.CodeInvalidParameters, "Missing parameter "+want)
	}
	return param, payload, rpID, nil
}

var knownAttributes = []string{
	freja.AttrBasicUserInfo, freja.AttrSSN, freja.AttrDateOfBirth, freja.AttrEmailAddress, freja.AttrRegistrationLevel,
	"ALL_EMAIL_ADDRESSES", "ALL_PHONE_NUMBERS", "ADDRESSES", "CUSTOM_IDENTIFIER", "INTEGRATOR_SPECIFIC_USER_ID",
	"RELYING_PARTY_USER_ID", "LOA_LEVEL", "UNIQUE_PERSONAL_IDENTIFIER", "AGE", "GENDER",
}

// initTransaction starts an authentication or a signature. A second
// transaction for a person who has one in progress cancels both.
func (s *Simulator) initTransaction(kind string, payload []byte, now time.Time) (any, error) {
	var req initRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, coded(freja.CodeInvalidJSON, "Invalid JSON")
	}
	t := &transaction{kind: kind, infoType: req.UserInfoType, userInfo: req.UserInfo, minLevel: req.MinRegistrationLevel}
	switch req.MinRegistrationLevel {
	case freja.LevelBasic, freja.LevelExtended, freja.LevelPlus:
	default:
		return nil, coded(freja.CodeInvalidRegistrationLevel, "Invalid minRegistrationLevel")
	}
	for _, a := range req.AttributesToReturn {
		if !slices.Contains(knownAttributes, a.Attribute) {
			return nil, coded(freja.CodeInvalidAttributes, "Invalid attributesToReturn")
		}
	}
	switch req.UserInfoType {
	case freja.UserInfoInferred:
	case freja.UserInfoSSN:
		u, err := ssnUser(req.UserInfo)
		if err != nil {
			return nil, err
		}
		if req.MinRegistrationLevel == freja.LevelBasic {
			return nil, coded(freja.CodeInvalidRegistrationLevel, "SSN needs minRegistrationLevel EXTENDED or PLUS")
		}
		t.pushed, t.person = &u, personKey(u)
	case freja.UserInfoEmail:
		u, ok := UserByEmail(req.UserInfo)
		if !ok {
			return nil, coded(freja.CodeNoSuchUser, "No such user")
		}
		t.pushed, t.person = &u, personKey(u)
	default:
		return nil, coded(freja.CodeInvalidUserInfoType, "Invalid userInfoType")
	}
	if kind == kindSign {
		if err := checkSign(&req, t); err != nil {
			return nil, err
		}
	}
	if req.UseDynamicQRCode {
		t.qrSecret = randid.String(32)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	t.ref = randid.String(32)
	t.createdAt, t.status = now, freja.StatusStarted
	if script, ok := s.scripts[t.person]; ok && t.person != "" {
		t.script = script
		delete(s.scripts, t.person)
	}
	if others := s.activeFor(t.person, now); len(others) > 0 {
		for _, o := range others {
			o.finish(freja.StatusCanceled, now)
		}
		t.finish(freja.StatusCanceled, now)
	}
	s.txs[t.ref] = t
	s.logger.Info("freja sim: transaction started", "kind", kind, "ref", t.ref, "user_info_type", t.infoType)
	out := map[string]string{"authRef": t.ref}
	if kind == kindSign {
		out = map[string]string{"signRef": t.ref}
	}
	if t.qrSecret != "" {
		out["qrCodeSecret"] = t.qrSecret
	}
	return out, nil
}

// ssnUser reads SSN userInfo, base64 JSON {"country", "ssn"}, and finds the person.
func ssnUser(userInfo string) (TestUser, error) {
	raw, err := base64.StdEncoding.DecodeString(userInfo)
	var info freja.SSNUserInfo
	if err != nil || json.Unmarshal(raw, &info) != nil || info.SSN == "" {
		return TestUser{}, coded(freja.CodeInvalidUserInfo, "Invalid userInfo")
	}
	u, ok := UserBySSN(info.SSN)
	if !ok || u.Country != info.Country {
		return TestUser{}, coded(freja.CodeInvalidUserInfo, "Invalid userInfo: not a personal number of "+info.Country)
	}
	if _, known := knownUser(info.Country, info.SSN); !known {
		return TestUser{}, coded(freja.CodeNoSuchUser, "No such user")
	}
	return u, nil
}

func checkSign(req *initRequest, t *transaction) error {
	if req.DataToSign == nil {
		return coded(freja.CodeInvalidDataToSign, "dataToSign is required")
	}
	text, err := base64.StdEncoding.DecodeString(req.DataToSign.Text)
	if err != nil || len(text) == 0 {
		return coded(freja.CodeInvalidDataToSign, "Invalid dataToSign.text")
	}
	switch req.DataToSignType {
	case freja.DataToSignText:
	case freja.DataToSignExtendedText:
		if _, err := base64.StdEncoding.DecodeString(req.DataToSign.BinaryData); err != nil || req.DataToSign.BinaryData == "" {
			return coded(freja.CodeInvalidBinaryData, "Invalid dataToSign.binaryData")
		}
	default:
		return coded(freja.CodeInvalidDataToSignType, "Invalid dataToSignType")
	}
	// SIMPLE signs SIMPLE_UTF8_TEXT, EXTENDED signs EXTENDED_UTF8_TEXT, as
	// Freja's client checks.
	simple := req.DataToSignType == freja.DataToSignText && req.SignatureType == freja.SignatureTypeSimple
	extended := req.DataToSignType == freja.DataToSignExtendedText && req.SignatureType == freja.SignatureTypeExtended
	if !simple && !extended {
		return coded(freja.CodeInvalidSignatureType, "Invalid signatureType")
	}
	if utf8.RuneCount(text) > freja.MaxSignTextChars {
		return coded(freja.CodeInvalidDataToSign, "dataToSign.text is too long")
	}
	if len(req.Title) > 128 {
		return coded(freja.CodeInvalidSignTitle, "Invalid title")
	}
	t.text, t.binary, t.title, t.signatureType = string(text), req.DataToSign.BinaryData, req.Title, req.SignatureType
	return nil
}

// refOf reads {"authRef"} or {"signRef"}.
func refOf(kind string, payload []byte) (string, error) {
	var req struct {
		AuthRef string `json:"authRef"`
		SignRef string `json:"signRef"`
	}
	if err := json.Unmarshal(payload, &req); err != nil {
		return "", coded(freja.CodeInvalidJSON, "Invalid JSON")
	}
	ref := req.AuthRef
	if kind == kindSign {
		ref = req.SignRef
	}
	if ref == "" {
		return "", coded(freja.CodeInvalidParameters, "The reference is missing")
	}
	return ref, nil
}

func (s *Simulator) getResult(kind string, payload []byte, now time.Time) (any, error) {
	ref, err := refOf(kind, payload)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	t, ok := s.txs[ref]
	if !ok || t.kind != kind || t.forgotten(now) {
		return nil, coded(freja.CodeInvalidReference, "Invalid reference")
	}
	s.advance(t, now)
	return s.result(t)
}

func (s *Simulator) cancel(kind string, payload []byte, now time.Time) (any, error) {
	ref, err := refOf(kind, payload)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep(now)
	t, ok := s.txs[ref]
	if ok && !t.final() && now.Sub(t.createdAt) >= s.opts.TTL {
		t.finish(freja.StatusExpired, now)
	}
	if !ok || t.kind != kind || t.final() {
		return nil, coded(freja.CodeInvalidReference, "Invalid reference")
	}
	t.finish(freja.StatusRPCanceled, now)
	return struct{}{}, nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, map[string]any{"code": e.code, "message": e.message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
