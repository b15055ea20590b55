package sebankid

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"text/template"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// Method ids and their URNs.
const (
	MethodOtherDevice    = "other-device"
	MethodSameDevice     = "same-device"
	MethodOtherDeviceURN = "urn:portvakt:eid:se:bankid:other-device"
	MethodSameDeviceURN  = "urn:portvakt:eid:se:bankid:same-device"
)

// UpstreamACR is the Swedish assurance level of BankID (eIDAS substantial).
const UpstreamACR = "http://id.elegnamnden.se/loa/1.0/loa3"

// PollInterval is how often BankID asks relying parties to collect.
const PollInterval = 2 * time.Second

var (
	_ connectors.OrderConnector = (*Connector)(nil)
	_ connectors.Signer         = (*Connector)(nil)
	_ connectors.Backchannel    = (*Connector)(nil)
	_ connectors.Messages       = (*Connector)(nil)
)

// Connector logs people in with Swedish BankID.
type Connector struct {
	id                  string
	client              *Client
	logger              *slog.Logger
	now                 func() time.Time
	certificatePolicies []string
	pinCode             bool
	returnRisk          bool
	userVisibleData     *template.Template
	// referringDomain is the broker's own host, where the person started the login.
	referringDomain string
	// signingRoots are the trust anchors of BankID's signatures; nil: the
	// connector does not sign.
	signingRoots *x509.CertPool
}

// Client returns the API client, for signing and phone orders outside the login flow.
func (c *Connector) Client() *Client { return c.client }

// Info describes BankID: QR code on another device first, then this device.
func (c *Connector) Info() connectors.Info {
	return connectors.Info{
		ID:           c.id,
		Descriptions: descriptions(),
		Logo:         connectors.Logo{FS: logoFile, Path: "logo.svg"},
		Countries:    []string{"SE"},
		Name:         "BankID",
		Methods: []connectors.Method{
			{ID: MethodOtherDevice, URN: MethodOtherDeviceURN, LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial},
			{ID: MethodSameDevice, URN: MethodSameDeviceURN, LoA: connectors.LoASubstantial, MinLoA: connectors.LoASubstantial, LaunchesApp: true},
		},
		ACRAliases: map[string]string{
			"urn:grn:authn:se:bankid":                   "urn:portvakt:eid:se:bankid",
			"urn:grn:authn:se:bankid:same-device":       MethodSameDeviceURN,
			"urn:grn:authn:se:bankid:another-device":    MethodOtherDeviceURN,
			"urn:grn:authn:se:bankid:another-device:qr": MethodOtherDeviceURN,
		},
		Signing: c.signingInfo(),
	}
}

// orderState is what Order.State holds between polls.
type orderState struct {
	QRStartToken  string `json:"qrStartToken,omitempty"`
	QRStartSecret string `json:"qrStartSecret,omitempty"`
	Method        string `json:"method"`
	// PersonalNumber is the number the order was restricted to, checked again on
	// completion.
	PersonalNumber string `json:"personalNumber,omitempty"`
	// Mobile is whether the browser looked like a phone, which picks the text shown
	// while the app searches for a BankID.
	Mobile bool `json:"mobile,omitempty"`
	// Sign is set on a signing order: what its signature must sign.
	Sign *signState `json:"sign,omitempty"`
}

// Start starts an auth order.
func (c *Connector) Start(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
	method, err := c.checkOrder("sebankid start", req)
	if err != nil {
		return nil, err
	}
	body, err := c.orderRequest(req, method)
	if err != nil {
		return nil, err
	}
	return c.startOrder(ctx, "auth", method, req, nil, func(ctx context.Context) (*OrderResponse, error) { return c.client.Auth(ctx, body) })
}

// StartSign starts a signing order: the person sees and signs req.Text
// (simpleMarkdownV1 when req.Markdown), and signs req.NonVisibleData unseen.
func (c *Connector) StartSign(ctx context.Context, req connectors.SignRequest) (*connectors.Order, error) {
	method, err := c.checkOrder("sebankid sign", req.Request)
	if err != nil {
		return nil, err
	}
	visible, format, nonVisible, st, err := c.signContent("sebankid sign", "sign", req.SignContent)
	if err != nil {
		return nil, err
	}
	body, err := c.orderRequest(req.Request, method)
	if err != nil {
		return nil, err
	}
	body.UserVisibleData, body.UserVisibleDataFormat, body.UserNonVisibleData = visible, format, nonVisible
	return c.startOrder(ctx, "sign", method, req.Request, st, func(ctx context.Context) (*OrderResponse, error) { return c.client.Sign(ctx, body) })
}

// StartBackchannel starts a phone order for the person named by national id,
// no QR code, no browser: a signature of req.Sign when set (phone/sign), else
// an authentication (phone/auth).
func (c *Connector) StartBackchannel(ctx context.Context, req connectors.BackchannelRequest) (*connectors.Order, error) {
	if !nationalid.Valid(nationalid.SEPersonnummer, req.NationalID) {
		return nil, fmt.Errorf("sebankid phone: national id %s is not a 12-digit personnummer", nationalid.Mask(req.NationalID))
	}
	body := PhoneRequest{PersonalNumber: req.NationalID, CallInitiator: CallInitiatorRP}
	if req.PersonCalled {
		body.CallInitiator = CallInitiatorUser
	}
	if c.pinCode || len(c.certificatePolicies) > 0 {
		body.Requirement = &PhoneRequirement{PinCode: c.pinCode, CertificatePolicies: c.certificatePolicies}
	}
	orderReq := connectors.Request{NationalID: req.NationalID}
	if req.Sign != nil {
		var st *signState
		var err error
		body.UserVisibleData, body.UserVisibleDataFormat, body.UserNonVisibleData, st, err = c.signContent("sebankid phone sign", "phone/sign", *req.Sign)
		if err != nil {
			return nil, err
		}
		return c.startOrder(ctx, "phone/sign", methodPhone, orderReq, st, func(ctx context.Context) (*OrderResponse, error) {
			return c.client.PhoneSign(ctx, body)
		})
	}
	if req.Text != "" {
		body.UserVisibleData = EncodeUserData(req.Text)
	}
	return c.startOrder(ctx, "phone/auth", methodPhone, orderReq, nil, func(ctx context.Context) (*OrderResponse, error) {
		return c.client.PhoneAuth(ctx, body)
	})
}

// methodPhone marks a phone order's state: it has no QR code and no app link.
const methodPhone = "phone"

// checkOrder checks a browser order's request and returns its method.
func (c *Connector) checkOrder(op string, req connectors.Request) (string, error) {
	if req.MinLoA > connectors.LoASubstantial {
		return "", fmt.Errorf("%s: %s requested, bankid reaches substantial: %w", op, req.MinLoA, connectors.ErrLoANotSupported)
	}
	method := req.Method
	if method == "" {
		method = MethodOtherDevice
	}
	if method != MethodOtherDevice && method != MethodSameDevice {
		return "", fmt.Errorf("%s: unknown method %q", op, req.Method)
	}
	if req.EndUserIP == "" {
		return "", fmt.Errorf("%s: end user ip is required", op)
	}
	if req.NationalID != "" && !nationalid.Valid(nationalid.SEPersonnummer, req.NationalID) {
		return "", fmt.Errorf("%s: national id %s is not a 12-digit personnummer", op, nationalid.Mask(req.NationalID))
	}
	return method, nil
}

// startOrder calls BankID to start an order (auth, sign, phone/auth or
// phone/sign) and keeps what Poll and QR need in the order's state, and for a
// signature what it must sign.
func (c *Connector) startOrder(ctx context.Context, kind, method string, req connectors.Request, sign *signState, call func(context.Context) (*OrderResponse, error)) (*connectors.Order, error) {
	log := c.logger.With("method", method, "personal_number", nationalid.Mask(req.NationalID))
	resp, err := call(ctx)
	if err != nil {
		log.WarnContext(ctx, "bankid "+kind+" failed", "err", err)
		return nil, userError("sebankid start", err)
	}
	startedAt := c.now()
	browser := method != methodPhone
	if resp.OrderRef == "" || browser && (resp.QRStartToken == "" || resp.QRStartSecret == "" || resp.AutoStartToken == "") {
		return nil, &connectors.UserError{Message: RFA22, Err: fmt.Errorf("sebankid start: incomplete %s response: %w", kind, connectors.ErrUpstream)}
	}
	state, err := json.Marshal(orderState{
		QRStartToken:   resp.QRStartToken,
		QRStartSecret:  resp.QRStartSecret,
		Method:         method,
		PersonalNumber: req.NationalID,
		Mobile:         connectors.MobileUserAgent(req.UserAgent),
		Sign:           sign,
	})
	if err != nil {
		return nil, fmt.Errorf("sebankid start: encode state: %w", err)
	}
	order := &connectors.Order{
		Ref:          resp.OrderRef,
		Method:       method,
		StartedAt:    startedAt,
		PollInterval: PollInterval,
		State:        state,
	}
	// The same order opens from the QR code or from this link, so the QR page
	// can offer the app on this device too.
	if browser {
		order.LaunchURL = LaunchURL(resp.AutoStartToken)
	}
	log.InfoContext(ctx, "bankid order started", "order_ref", resp.OrderRef)
	return order, nil
}

func (c *Connector) orderRequest(req connectors.Request, method string) (OrderRequest, error) {
	body := OrderRequest{
		EndUserIP:  req.EndUserIP,
		ReturnRisk: c.returnRisk,
	}
	requirement := Requirement{
		PinCode:             c.pinCode,
		CertificatePolicies: c.certificatePolicies,
		PersonalNumber:      req.NationalID,
	}
	if requirement.PinCode || len(requirement.CertificatePolicies) > 0 || requirement.PersonalNumber != "" {
		body.Requirement = &requirement
	}
	if method == MethodSameDevice {
		body.ReturnURL = req.ReturnURL
	}
	if ua := truncate(req.UserAgent, 256); ua != "" || req.ReturnURL != "" || c.referringDomain != "" {
		referrer := c.referringDomain
		if referrer == "" {
			referrer = hostOf(req.ReturnURL)
		}
		body.Web = &Web{UserAgent: ua, ReferringDomain: referrer}
	}
	if c.userVisibleData == nil && req.ReferenceText != "" {
		body.UserVisibleData = EncodeUserData(req.ReferenceText)
		body.UserVisibleDataFormat = UserVisibleDataFormatSimpleMarkdown
	}
	if c.userVisibleData != nil {
		var text strings.Builder
		data := struct{ ClientName, ReferenceText, Method string }{req.ClientName, req.ReferenceText, method}
		if err := c.userVisibleData.Execute(&text, data); err != nil {
			return OrderRequest{}, fmt.Errorf("sebankid start: render userVisibleData: %w", err)
		}
		if text.Len() > 0 {
			body.UserVisibleData = EncodeUserData(text.String())
			body.UserVisibleDataFormat = UserVisibleDataFormatSimpleMarkdown
		}
	}
	return body, nil
}

// LaunchURL opens the BankID app on this device. The return URL travels in the
// order body, so redirect is "null" as BankID recommends.
func LaunchURL(autoStartToken string) string {
	return "bankid:///?autostarttoken=" + url.QueryEscape(autoStartToken) + "&redirect=null"
}

// QR returns the animated QR code content for other-device orders, "" otherwise.
func (c *Connector) QR(order *connectors.Order, now time.Time) string {
	var state orderState
	if order == nil || json.Unmarshal(order.State, &state) != nil || state.Method != MethodOtherDevice || state.QRStartToken == "" {
		return ""
	}
	return QRContent(state.QRStartToken, state.QRStartSecret, qrSeconds(order.StartedAt, now))
}

// Poll collects the order once.
func (c *Connector) Poll(ctx context.Context, order *connectors.Order) (connectors.Progress, error) {
	var state orderState
	if err := json.Unmarshal(order.State, &state); err != nil {
		return connectors.Progress{}, fmt.Errorf("sebankid poll: decode state: %w", err)
	}
	sameDevice := state.Method == MethodSameDevice
	log := c.logger.With("order_ref", order.Ref, "method", state.Method)
	resp, err := c.client.Collect(ctx, order.Ref)
	if err != nil {
		log.WarnContext(ctx, "bankid collect failed", "err", err)
		return connectors.Progress{}, userError("sebankid poll", err)
	}
	progress := connectors.Progress{Status: connectors.StatusPending, HintCode: resp.HintCode}
	switch resp.Status {
	case StatusPending:
		progress.Message = MessageFor(StatusPending, resp.HintCode, sameDevice, state.Mobile)
		log.DebugContext(ctx, "bankid order pending", "hint_code", resp.RawHintCode)
		return progress, nil
	case StatusComplete:
		identity, err := c.identity(resp, state)
		if err != nil {
			log.ErrorContext(ctx, "bankid completion rejected", "err", err)
			return connectors.Progress{Status: connectors.StatusFailed, Message: RFA22},
				&connectors.UserError{Message: RFA22, Err: err}
		}
		log.InfoContext(ctx, "bankid order complete", "personal_number", nationalid.Mask(identity.NationalID))
		return connectors.Progress{Status: connectors.StatusComplete, Identity: identity}, nil
	case StatusFailed:
		progress.Status = connectors.StatusFailed
		progress.Message = MessageFor(StatusFailed, resp.HintCode, sameDevice, state.Mobile)
		log.InfoContext(ctx, "bankid order failed", "hint_code", resp.RawHintCode)
		return progress, &connectors.UserError{
			Message: progress.Message,
			Err:     fmt.Errorf("sebankid poll: order failed with %s: %w", resp.HintCode, failureCause(resp.HintCode)),
		}
	}
	log.WarnContext(ctx, "bankid collect returned an unknown status", "status", resp.RawStatus)
	progress.Status = connectors.StatusFailed
	progress.Message = RFA22
	return progress, &connectors.UserError{
		Message: RFA22,
		Err:     fmt.Errorf("sebankid poll: unknown status %q: %w", resp.RawStatus, connectors.ErrUpstream),
	}
}

// failureCause is the sentinel for a failed order's hint code.
func failureCause(hintCode string) error {
	switch hintCode {
	case HintUserCancel, HintCancelled, HintUserDeclinedCall:
		return connectors.ErrCancelled
	case HintExpiredTransaction, HintStartFailed:
		return connectors.ErrExpired
	}
	return connectors.ErrUpstream
}

// Cancel cancels the order. An order BankID no longer knows is already over.
func (c *Connector) Cancel(ctx context.Context, order *connectors.Order) error {
	err := c.client.Cancel(ctx, order.Ref)
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.Code == ErrorCodeInvalidParameters || apiErr.Code == ErrorCodeNotFound) {
		return nil
	}
	if err != nil {
		c.logger.WarnContext(ctx, "bankid cancel failed", "order_ref", order.Ref, "err", err)
		return fmt.Errorf("sebankid cancel: %w: %w", connectors.ErrUpstream, err)
	}
	return nil
}

// userError wraps an API or transport failure with the message to show.
func userError(op string, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return &connectors.UserError{Message: MessageForError(apiErr.Code), Err: fmt.Errorf("%s: %w: %w", op, connectors.ErrUpstream, err)}
	}
	return &connectors.UserError{Message: RFA5, Err: fmt.Errorf("%s: %w: %w", op, connectors.ErrUpstream, err)}
}

func hostOf(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
