package freja

// Message ids: what the login page tells the person while a transaction runs
// and when it ends.
const (
	MsgScanQR          = "freja.scan_qr"
	MsgStartSameDevice = "freja.start_same_device"
	MsgPushed          = "freja.pushed"
	MsgDelivered       = "freja.delivered"
	MsgRejected        = "freja.rejected"
	MsgCanceled        = "freja.canceled"
	MsgRPCanceled      = "freja.rp_canceled"
	MsgExpired         = "freja.expired"
	MsgLevel           = "freja.level"
	MsgNoSuchUser      = "freja.no_such_user"
	MsgInvalidHint     = "freja.invalid_person"
	MsgRefused         = "freja.refused"
	MsgNotAvailable    = "freja.not_available"
	MsgSignRefused     = "freja.sign_refused"
	MsgFailed          = "freja.failed"
)

// MessageIDs lists every message the connector has texts for.
func MessageIDs() []string {
	return []string{MsgScanQR, MsgStartSameDevice, MsgPushed, MsgDelivered, MsgRejected, MsgCanceled,
		MsgRPCanceled, MsgExpired, MsgLevel, MsgNoSuchUser, MsgInvalidHint, MsgRefused, MsgNotAvailable,
		MsgSignRefused, MsgFailed}
}

// Message returns the text of a message in lang (sv, nb, fi, da, en), falling
// back to English; "" for an unknown id.
func (c *Connector) Message(lang, id string) string { return Message(lang, id) }

// Message is Connector.Message without a connector.
func Message(lang, id string) string {
	texts, ok := messageTexts[id]
	if !ok {
		return ""
	}
	if t, ok := texts[lang]; ok {
		return t
	}
	return texts["en"]
}

// MessageForCode maps an API error code to the message to show: what the
// person can do about it, not what the relying party sent wrong.
func MessageForCode(code int) string {
	switch {
	case code == CodeNoSuchUser || code == CodeOrgIDNoSuchUser || code == CodeCustomIDNoSuchIdentity:
		return MsgNoSuchUser
	case code == CodeInvalidUserInfo || code == CodeInvalidUserInfoType:
		return MsgInvalidHint
	case code == CodeInvalidRegistrationLevel:
		return MsgLevel
	case code == CodeInvalidReference:
		return MsgExpired
	case code == CodeAuthInitFailed:
		return MsgRefused
	case code == CodeMethodNotAllowed || code == CodeUnknownRelyingParty:
		return MsgNotAvailable
	case code >= CodeSignInitFailed && code <= CodeInvalidBinaryData:
		return MsgSignRefused
	}
	return MsgFailed
}
