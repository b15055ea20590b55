package sebankid

// The JSON bodies of the RP API v6.0, named as the API names them.

// Requirement restricts who and what may complete an order.
type Requirement struct {
	PinCode             bool     `json:"pinCode,omitempty"`
	Mrtd                bool     `json:"mrtd,omitempty"`
	CardReader          string   `json:"cardReader,omitempty"`
	CertificatePolicies []string `json:"certificatePolicies,omitempty"`
	// PersonalNumber (12 digits) only restricts who may complete the order.
	PersonalNumber string `json:"personalNumber,omitempty"`
}

// Web describes the browser the person started from.
type Web struct {
	ReferringDomain  string `json:"referringDomain,omitempty"`
	UserAgent        string `json:"userAgent,omitempty"`
	DeviceIdentifier string `json:"deviceIdentifier,omitempty"`
}

// OrderRequest is the body of auth and sign.
type OrderRequest struct {
	EndUserIP   string       `json:"endUserIp"`
	Requirement *Requirement `json:"requirement,omitempty"`
	// UserVisibleData and UserNonVisibleData are base64 of UTF-8 text; see
	// EncodeUserData. UserVisibleData is required for sign.
	UserVisibleData       string `json:"userVisibleData,omitempty"`
	UserVisibleDataFormat string `json:"userVisibleDataFormat,omitempty"`
	UserNonVisibleData    string `json:"userNonVisibleData,omitempty"`
	ReturnURL             string `json:"returnUrl,omitempty"`
	ReturnRisk            bool   `json:"returnRisk,omitempty"`
	Web                   *Web   `json:"web,omitempty"`
}

// PhoneRequirement is the smaller requirement phone orders accept.
type PhoneRequirement struct {
	PinCode             bool     `json:"pinCode,omitempty"`
	CertificatePolicies []string `json:"certificatePolicies,omitempty"`
}

// Call initiators for phone orders.
const (
	CallInitiatorUser = "user"
	CallInitiatorRP   = "RP"
)

// PhoneRequest is the body of phone/auth and phone/sign.
type PhoneRequest struct {
	PersonalNumber        string            `json:"personalNumber"`
	CallInitiator         string            `json:"callInitiator"`
	Requirement           *PhoneRequirement `json:"requirement,omitempty"`
	UserVisibleData       string            `json:"userVisibleData,omitempty"`
	UserVisibleDataFormat string            `json:"userVisibleDataFormat,omitempty"`
	UserNonVisibleData    string            `json:"userNonVisibleData,omitempty"`
}

// UserVisibleDataFormatSimpleMarkdown is the only defined userVisibleDataFormat.
const UserVisibleDataFormatSimpleMarkdown = "simpleMarkdownV1"

// OrderResponse answers auth and sign; phone orders have only OrderRef.
type OrderResponse struct {
	OrderRef       string `json:"orderRef"`
	AutoStartToken string `json:"autoStartToken,omitempty"`
	QRStartToken   string `json:"qrStartToken,omitempty"`
	QRStartSecret  string `json:"qrStartSecret,omitempty"`
}

// OrderRefRequest is the body of collect and cancel.
type OrderRefRequest struct {
	OrderRef string `json:"orderRef"`
}

// CollectResponse answers collect. The client normalises Status and HintCode (see
// ParseStatus, ParseHintCode); RawStatus and RawHintCode keep what the API sent.
type CollectResponse struct {
	OrderRef       string          `json:"orderRef"`
	Status         string          `json:"status"`
	HintCode       string          `json:"hintCode,omitempty"`
	CompletionData *CompletionData `json:"completionData,omitempty"`

	RawStatus   string `json:"-"`
	RawHintCode string `json:"-"`
}

// CompletionData is present when the order is complete.
type CompletionData struct {
	User            CompletionUser   `json:"user"`
	Device          CompletionDevice `json:"device"`
	BankIDIssueDate string           `json:"bankIdIssueDate,omitempty"`
	StepUp          *StepUp          `json:"stepUp,omitempty"`
	Signature       string           `json:"signature"`
	OCSPResponse    string           `json:"ocspResponse"`
	Risk            string           `json:"risk,omitempty"`
}

// CompletionUser is the person who completed the order.
type CompletionUser struct {
	PersonalNumber string `json:"personalNumber"`
	Name           string `json:"name"`
	GivenName      string `json:"givenName"`
	Surname        string `json:"surname"`
}

// CompletionDevice is the device the order was completed on.
type CompletionDevice struct {
	IPAddress string `json:"ipAddress"`
	UHI       string `json:"uhi,omitempty"`
}

// StepUp reports the extra checks made.
type StepUp struct {
	Mrtd bool `json:"mrtd"`
}
