package sebankid

// RFA message ids: BankID's Recommended User Messages.
const (
	RFA1   = "RFA1"
	RFA2   = "RFA2"
	RFA3   = "RFA3"
	RFA4   = "RFA4"
	RFA5   = "RFA5"
	RFA6   = "RFA6"
	RFA8   = "RFA8"
	RFA9   = "RFA9"
	RFA13  = "RFA13"
	RFA15A = "RFA15A"
	RFA15B = "RFA15B"
	RFA16  = "RFA16"
	RFA17A = "RFA17A"
	RFA17B = "RFA17B"
	RFA19  = "RFA19"
	RFA20  = "RFA20"
	RFA21  = "RFA21"
	RFA22  = "RFA22"
	RFA23  = "RFA23"
)

// Message returns the text of an RFA message in lang (sv, en, nb, fi, da), falling
// back to English; "" for an unknown id.
func (c *Connector) Message(lang, id string) string { return Message(lang, id) }

// Message is Connector.Message without a connector.
func Message(lang, id string) string {
	texts, ok := rfaTexts[id]
	if !ok {
		return ""
	}
	if t, ok := texts[lang]; ok {
		return t
	}
	return texts["en"]
}

// MessageIDs lists every RFA id the connector has texts for.
func MessageIDs() []string {
	return []string{RFA1, RFA2, RFA3, RFA4, RFA5, RFA6, RFA8, RFA9, RFA13, RFA15A, RFA15B,
		RFA16, RFA17A, RFA17B, RFA19, RFA20, RFA21, RFA22, RFA23}
}

// MessageFor maps a collect status and hint code to the RFA message to show, as
// BankID's guidelines order it (the first matching rule wins). sameDevice is true
// when the app was started on the person's device rather than from a QR code;
// mobile is true when that device is a phone or tablet.
func MessageFor(status, hintCode string, sameDevice, mobile bool) string {
	switch {
	case status == StatusPending && hintCode == HintOutstandingTransaction:
		if sameDevice {
			return RFA13
		}
		return RFA1
	case status == StatusPending && hintCode == HintNoClient:
		return RFA1
	case status == StatusPending && hintCode == HintUserSign:
		return RFA9
	case status == StatusPending && hintCode == HintStarted:
		if sameDevice && !mobile {
			return RFA15A
		}
		return RFA15B
	case hintCode == HintCancelled:
		return RFA3
	case hintCode == HintUserCancel:
		return RFA6
	case hintCode == HintExpiredTransaction:
		return RFA8
	case hintCode == HintCertificateErr:
		return RFA16
	case hintCode == HintStartFailed:
		if sameDevice {
			return RFA17A
		}
		return RFA17B
	case status == StatusPending && hintCode == HintUserMrtd:
		return RFA23
	case status == StatusPending:
		return RFA21
	}
	return RFA22
}

// MessageForError maps an API error code to the RFA message to show.
func MessageForError(code ErrorCode) string {
	switch code {
	case ErrorCodeAlreadyInProgress:
		return RFA4
	case ErrorCodeRequestTimeout, ErrorCodeMaintenance, ErrorCodeInternalError,
		ErrorCodeTooManyRequests, ErrorCodeMethodNotAllowed:
		return RFA5
	}
	return RFA22
}
