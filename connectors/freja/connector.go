package freja

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/internal/nationalid"
)

// Method ids and their URNs.
const (
	MethodOtherDevice    = "other-device"
	MethodSameDevice     = "same-device"
	MethodOtherDeviceURN = "urn:portvakt:eid:freja:other-device"
	MethodSameDeviceURN  = "urn:portvakt:eid:freja:same-device"
	// methodPush marks an order pushed to a named person's app: no QR code, no
	// app link.
	methodPush = "push"
)

// PollInterval is how often results are fetched.
const PollInterval = 2 * time.Second

// Order kinds, which pick the API's authentication or signature paths.
const (
	kindAuth = "auth"
	kindSign = "sign"
)

var (
	_ connectors.OrderConnector = (*Connector)(nil)
	_ connectors.Signer         = (*Connector)(nil)
	_ connectors.Backchannel    = (*Connector)(nil)
	_ connectors.Messages       = (*Connector)(nil)
)

// Connector logs people in with Freja eID.
type Connector struct {
	id        string
	client    *Client
	logger    *slog.Logger
	now       func() time.Time
	appURL    string
	countries []string
	// minLevel is the registration level asked for when the login needs no
	// more than low.
	minLevel string
	verifier *detailsVerifier
}

// Client returns the API client.
func (c *Connector) Client() *Client { return c.client }

// Info describes Freja: a QR code on another device first, then this device,
// for every configured country. PLUS, the level that reaches substantial, is
// Swedish only.
func (c *Connector) Info() connectors.Info {
	top := connectors.LoALow
	if slices.Contains(c.countries, "SE") {
		top = connectors.LoASubstantial
	}
	low := min(LevelLoA(c.minLevel), top)
	return connectors.Info{
		ID:           c.id,
		Countries:    slices.Clone(c.countries),
		Name:         "Freja eID",
		Descriptions: descriptions(),
		Logo:         connectors.Logo{FS: logoFile, Path: "logo.svg"},
		Methods: []connectors.Method{
			{ID: MethodOtherDevice, URN: MethodOtherDeviceURN, LoA: top, MinLoA: low},
			{ID: MethodSameDevice, URN: MethodSameDeviceURN, LoA: top, MinLoA: low, LaunchesApp: true},
		},
		ACRAliases: map[string]string{"urn:grn:authn:se:frejaid": "urn:portvakt:eid:se:freja"},
		Signing:    signingInfo(),
	}
}

// orderState is what Order.State holds between polls.
type orderState struct {
	Kind         string `json:"kind"`
	Method       string `json:"method"`
	QRCodeSecret string `json:"qrCodeSecret,omitempty"`
	// Level is the registration level asked for, checked again on approval.
	Level string `json:"level"`
	// Country and SSN name the person the transaction was pushed to, checked
	// again on approval.
	Country string `json:"country,omitempty"`
	SSN     string `json:"ssn,omitempty"`
	Email   string `json:"email,omitempty"`
	// SignText and SignBinary are a signature's dataToSign exactly as sent
	// (base64), which the result must sign.
	SignText   string `json:"signText,omitempty"`
	SignBinary string `json:"signBinary,omitempty"`
}

// person is who a transaction is for: userInfoType and userInfo.
type person struct {
	infoType, info   string
	country, ssn     string
	email            string
	useDynamicQRCode bool
}

// Start starts an authentication.
func (c *Connector) Start(ctx context.Context, req connectors.Request) (*connectors.Order, error) {
	method, level, who, err := c.checkOrder("freja start", req)
	if err != nil {
		return nil, err
	}
	body := InitAuthRequest{
		UserInfoType: who.infoType, UserInfo: who.info, MinRegistrationLevel: level,
		AttributesToReturn: attributes(), UseDynamicQRCode: who.useDynamicQRCode,
	}
	return c.startOrder(ctx, req, orderState{Kind: kindAuth, Method: method, Level: level, Country: who.country, SSN: who.ssn},
		func(ctx context.Context) (string, string, error) {
			resp, err := c.client.InitAuthentication(ctx, body)
			if err != nil {
				return "", "", err
			}
			return resp.AuthRef, resp.QRCodeSecret, nil
		})
}

// StartBackchannel pushes an authentication, or with req.Sign a signature, to
// the app of the person named by national id (or, without one, by e-mail
// address): no QR code, no browser.
func (c *Connector) StartBackchannel(ctx context.Context, req connectors.BackchannelRequest) (*connectors.Order, error) {
	if req.Sign == nil && req.Text != "" {
		// An authentication pushed by Freja shows no text of the relying
		// party's: a binding message the caller never sees binds nothing.
		return nil, fmt.Errorf("freja push: %w", connectors.ErrTextNotShown)
	}
	var who person
	switch {
	case req.NationalID != "":
		p, err := c.personByID(req.NationalID)
		if err != nil {
			return nil, fmt.Errorf("freja push: %w", err)
		}
		who = p
	case req.Email != "":
		who = person{infoType: UserInfoEmail, info: req.Email, email: req.Email}
	default:
		return nil, errors.New("freja push: a national id or an e-mail address is required")
	}
	if req.Sign != nil {
		return c.startSign(ctx, connectors.Request{NationalID: req.NationalID}, *req.Sign, methodPush, c.minLevel, who)
	}
	body := InitAuthRequest{UserInfoType: who.infoType, UserInfo: who.info, MinRegistrationLevel: c.minLevel, AttributesToReturn: attributes()}
	state := orderState{Kind: kindAuth, Method: methodPush, Level: c.minLevel, Country: who.country, SSN: who.ssn, Email: who.email}
	return c.startOrder(ctx, connectors.Request{NationalID: req.NationalID}, state, func(ctx context.Context) (string, string, error) {
		resp, err := c.client.InitAuthentication(ctx, body)
		if err != nil {
			return "", "", err
		}
		return resp.AuthRef, resp.QRCodeSecret, nil
	})
}

// checkOrder checks a browser order's request and returns its method, the
// registration level to ask for and the person to ask.
func (c *Connector) checkOrder(op string, req connectors.Request) (method, level string, who person, err error) {
	level = c.minLevel
	switch {
	case req.MinLoA > connectors.LoASubstantial || req.MinLoA == connectors.LoASubstantial && !slices.Contains(c.countries, "SE"):
		return "", "", who, fmt.Errorf("%s: %s requested, freja reaches substantial with Freja eID Plus (Sweden): %w", op, req.MinLoA, connectors.ErrLoANotSupported)
	case req.MinLoA == connectors.LoASubstantial:
		level = LevelPlus
	}
	method = req.Method
	if method == "" {
		method = MethodOtherDevice
	}
	if method != MethodOtherDevice && method != MethodSameDevice {
		return "", "", who, fmt.Errorf("%s: unknown method %q", op, req.Method)
	}
	switch {
	case req.Push && req.NationalID != "":
		who, err = c.personByID(req.NationalID, req.Countries...)
		if err != nil {
			return "", "", who, fmt.Errorf("%s: %w", op, err)
		}
		if level == LevelPlus && who.country != "SE" {
			return "", "", who, fmt.Errorf("%s: Freja eID Plus is Swedish only, the hinted person is from %s: %w", op, who.country, connectors.ErrLoANotSupported)
		}
		return methodPush, level, who, nil
	case req.Push && req.Email != "":
		// The country is the approving person's, checked with the result.
		return methodPush, level, person{infoType: UserInfoEmail, info: req.Email, email: req.Email}, nil
	}
	return method, level, person{infoType: UserInfoInferred, info: "N/A", useDynamicQRCode: method == MethodOtherDevice}, nil
}

// personByID names a person by national id, in the first configured country
// (of those the login accepts, if it names any) whose rules the number passes.
func (c *Connector) personByID(id string, accepted ...string) (person, error) {
	for _, country := range c.countries {
		if len(accepted) > 0 && !slices.Contains(accepted, country) {
			continue
		}
		if typ := idTypeOf(country); nationalid.Valid(typ, id) {
			info, err := json.Marshal(SSNUserInfo{Country: country, SSN: id})
			if err != nil {
				return person{}, err
			}
			return person{infoType: UserInfoSSN, info: base64.StdEncoding.EncodeToString(info), country: country, ssn: id}, nil
		}
	}
	return person{}, fmt.Errorf("national id %s is not valid in an accepted country: %w", nationalid.Mask(id), connectors.ErrCountryNotAccepted)
}

// startOrder calls Freja to start a transaction and keeps what Poll and QR
// need in the order's state.
func (c *Connector) startOrder(ctx context.Context, req connectors.Request, state orderState, call func(context.Context) (ref, qrSecret string, err error)) (*connectors.Order, error) {
	log := c.logger.With("kind", state.Kind, "method", state.Method, "personal_number", nationalid.Mask(state.SSN))
	ref, secret, err := call(ctx)
	if err != nil {
		log.WarnContext(ctx, "freja start failed", "err", err)
		return nil, userError("freja start", err)
	}
	startedAt := c.now()
	if ref == "" {
		return nil, &connectors.UserError{Message: MsgFailed, Err: fmt.Errorf("freja start: no transaction reference: %w", connectors.ErrUpstream)}
	}
	state.QRCodeSecret = secret
	raw, err := json.Marshal(state)
	if err != nil {
		return nil, fmt.Errorf("freja start: encode state: %w", err)
	}
	order := &connectors.Order{Ref: ref, Method: state.Method, StartedAt: startedAt, PollInterval: PollInterval, State: raw}
	switch state.Method {
	case MethodSameDevice:
		order.LaunchURL = LaunchURL(ref, req.ReturnURL)
	case MethodOtherDevice:
		// The same transaction opens from the QR code or from this link, so the
		// QR page can offer the app on this device too.
		order.LaunchURL = LaunchURL(ref, "")
	}
	log.InfoContext(ctx, "freja transaction started", "ref", ref)
	return order, nil
}

// LaunchURL opens the Freja app on this device, bound to the transaction; the
// app returns to returnURL when one is given.
func LaunchURL(ref, returnURL string) string {
	u := "frejaeid://bindUserToTransaction?transactionReference=" + url.QueryEscape(ref)
	if returnURL != "" {
		u += "&originAppScheme=" + url.QueryEscape(returnURL)
	}
	return u
}

// QR returns the dynamic QR code's content for other-device orders, "" otherwise.
func (c *Connector) QR(order *connectors.Order, now time.Time) string {
	var state orderState
	if order == nil || json.Unmarshal(order.State, &state) != nil || state.Method != MethodOtherDevice {
		return ""
	}
	if state.QRCodeSecret == "" {
		return StaticQRContent(order.Ref)
	}
	return DynamicQRContent(c.appURL, order.Ref, state.QRCodeSecret, qrSeconds(order.StartedAt, now))
}

// Poll fetches the transaction's result once.
func (c *Connector) Poll(ctx context.Context, order *connectors.Order) (connectors.Progress, error) {
	var state orderState
	if err := json.Unmarshal(order.State, &state); err != nil {
		return connectors.Progress{}, fmt.Errorf("freja poll: decode state: %w", err)
	}
	log := c.logger.With("ref", order.Ref, "kind", state.Kind, "method", state.Method)
	fetch := c.client.AuthResult
	if state.Kind == kindSign {
		fetch = c.client.SignResult
	}
	result, err := fetch(ctx, order.Ref)
	if err != nil {
		log.WarnContext(ctx, "freja result failed", "err", err)
		return connectors.Progress{}, userError("freja poll", err)
	}
	progress := connectors.Progress{Status: connectors.StatusPending, HintCode: result.Status}
	switch result.Status {
	case StatusStarted:
		progress.Message = startedMessage(state.Method)
		return progress, nil
	case StatusDeliveredToMobile:
		progress.Message = MsgDelivered
		return progress, nil
	case StatusApproved:
		identity, err := c.approved(order, result, state)
		if err != nil {
			log.ErrorContext(ctx, "freja approval refused", "err", err)
			message := MsgFailed
			if errors.Is(err, connectors.ErrLoANotSupported) {
				message = MsgLevel
			}
			return connectors.Progress{Status: connectors.StatusFailed, HintCode: result.Status, Message: message},
				&connectors.UserError{Message: message, Err: err}
		}
		log.InfoContext(ctx, "freja transaction approved", "personal_number", nationalid.Mask(identity.NationalID))
		return connectors.Progress{Status: connectors.StatusComplete, HintCode: result.Status, Identity: identity}, nil
	}
	message, cause := failure(result.Status)
	log.InfoContext(ctx, "freja transaction ended", "status", truncate(result.Status, 32))
	progress.Status, progress.Message = connectors.StatusFailed, message
	return progress, &connectors.UserError{Message: message, Err: fmt.Errorf("freja poll: transaction %s: %w", truncate(result.Status, 32), cause)}
}

// startedMessage is what to tell a person whose transaction waits for the app.
func startedMessage(method string) string {
	switch method {
	case MethodSameDevice:
		return MsgStartSameDevice
	case methodPush:
		return MsgPushed
	}
	return MsgScanQR
}

// failure is the message and sentinel of a final status other than APPROVED.
func failure(status string) (string, error) {
	switch status {
	case StatusRejected:
		return MsgRejected, connectors.ErrCancelled
	case StatusCanceled:
		return MsgCanceled, connectors.ErrCancelled
	case StatusRPCanceled:
		return MsgRPCanceled, connectors.ErrCancelled
	case StatusExpired:
		return MsgExpired, connectors.ErrExpired
	}
	return MsgFailed, connectors.ErrUpstream
}

// Cancel cancels the transaction. One Freja no longer knows is already over.
func (c *Connector) Cancel(ctx context.Context, order *connectors.Order) error {
	var state orderState
	_ = json.Unmarshal(order.State, &state) // an unreadable state cancels as a login
	cancel := c.client.CancelAuthentication
	if state.Kind == kindSign {
		cancel = c.client.CancelSignature
	}
	err := cancel(ctx, order.Ref)
	var apiErr *APIError
	if errors.As(err, &apiErr) && apiErr.Code == CodeInvalidReference {
		return nil
	}
	if err != nil {
		c.logger.WarnContext(ctx, "freja cancel failed", "ref", order.Ref, "err", err)
		return fmt.Errorf("freja cancel: %w: %w", connectors.ErrUpstream, err)
	}
	return nil
}

// userError wraps an API or transport failure with the message to show.
func userError(op string, err error) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		if MessageForCode(apiErr.Code) == MsgNoSuchUser {
			return &connectors.UserError{Message: MsgNoSuchUser, Err: fmt.Errorf("%s: %w: %w: %w", op, connectors.ErrUpstream, connectors.ErrUnknownPerson, err)}
		}
		return &connectors.UserError{Message: MessageForCode(apiErr.Code), Err: fmt.Errorf("%s: %w: %w", op, connectors.ErrUpstream, err)}
	}
	return &connectors.UserError{Message: MsgFailed, Err: fmt.Errorf("%s: %w: %w", op, connectors.ErrUpstream, err)}
}

func attributes() []Attribute {
	return []Attribute{{AttrBasicUserInfo}, {AttrSSN}, {AttrDateOfBirth}, {AttrRegistrationLevel}}
}
