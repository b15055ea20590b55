package freja

import "encoding/json"

// The JSON payloads of Freja's Relying Party API, named as the API names them.
// Each travels base64-encoded in a form-style body: <parameter>=<base64(JSON)>.

// User info types: how a transaction names its person.
const (
	UserInfoInferred = "INFERRED" // the person who scans the QR code or opens the app
	UserInfoSSN      = "SSN"      // a personal number with its country
	UserInfoEmail    = "EMAIL"
)

// Registration levels, lowest first: BASIC is an e-mail address only, EXTENDED
// an identity document checked, PLUS also a physical meeting (Sweden only).
const (
	LevelBasic    = "BASIC"
	LevelExtended = "EXTENDED"
	LevelPlus     = "PLUS"
)

// Transaction statuses; the last five are final.
const (
	StatusStarted           = "STARTED"
	StatusDeliveredToMobile = "DELIVERED_TO_MOBILE"
	StatusApproved          = "APPROVED"
	StatusRejected          = "REJECTED"
	StatusCanceled          = "CANCELED"
	StatusRPCanceled        = "RP_CANCELED"
	StatusExpired           = "EXPIRED"
)

// Attributes a transaction asks Freja to return.
const (
	AttrBasicUserInfo     = "BASIC_USER_INFO"
	AttrSSN               = "SSN"
	AttrDateOfBirth       = "DATE_OF_BIRTH"
	AttrEmailAddress      = "EMAIL_ADDRESS"
	AttrRegistrationLevel = "REGISTRATION_LEVEL"
)

// Attribute is one entry of attributesToReturn.
type Attribute struct {
	Attribute string `json:"attribute"`
}

// SSNUserInfo is userInfo for UserInfoSSN, itself sent as base64 JSON.
type SSNUserInfo struct {
	Country string `json:"country"`
	SSN     string `json:"ssn"`
}

// InitAuthRequest is initAuthentication's payload.
type InitAuthRequest struct {
	UserInfoType         string      `json:"userInfoType"`
	UserInfo             string      `json:"userInfo"`
	MinRegistrationLevel string      `json:"minRegistrationLevel"`
	AttributesToReturn   []Attribute `json:"attributesToReturn,omitempty"`
	UseDynamicQRCode     bool        `json:"useDynamicQrCode,omitempty"`
}

// InitAuthResponse answers initAuthentication; QRCodeSecret only for a
// dynamic QR code.
type InitAuthResponse struct {
	AuthRef      string `json:"authRef"`
	QRCodeSecret string `json:"qrCodeSecret,omitempty"`
}

// Data types of a signature's content.
const (
	DataToSignText         = "SIMPLE_UTF8_TEXT"
	DataToSignExtendedText = "EXTENDED_UTF8_TEXT"
	SignatureTypeSimple    = "SIMPLE"
	SignatureTypeExtended  = "EXTENDED"
)

// DataToSign is what the person signs: Text (base64 of UTF-8) is shown,
// BinaryData (base64) is signed unseen.
type DataToSign struct {
	Text       string `json:"text"`
	BinaryData string `json:"binaryData,omitempty"`
}

// InitSignRequest is initSignature's payload.
type InitSignRequest struct {
	UserInfoType         string      `json:"userInfoType"`
	UserInfo             string      `json:"userInfo"`
	MinRegistrationLevel string      `json:"minRegistrationLevel"`
	Title                string      `json:"title,omitempty"`
	DataToSignType       string      `json:"dataToSignType"`
	DataToSign           DataToSign  `json:"dataToSign"`
	SignatureType        string      `json:"signatureType"`
	AttributesToReturn   []Attribute `json:"attributesToReturn,omitempty"`
	UseDynamicQRCode     bool        `json:"useDynamicQrCode,omitempty"`
}

// InitSignResponse answers initSignature.
type InitSignResponse struct {
	SignRef      string `json:"signRef"`
	QRCodeSecret string `json:"qrCodeSecret,omitempty"`
}

// BasicUserInfo is the person's name.
type BasicUserInfo struct {
	Name    string `json:"name"`
	Surname string `json:"surname"`
}

// RequestedAttributes are the attributes Freja returned.
type RequestedAttributes struct {
	BasicUserInfo     *BasicUserInfo `json:"basicUserInfo,omitempty"`
	SSN               *SSNUserInfo   `json:"ssn,omitempty"`
	DateOfBirth       string         `json:"dateOfBirth,omitempty"`
	EmailAddress      string         `json:"emailAddress,omitempty"`
	RegistrationLevel string         `json:"registrationLevel,omitempty"`
}

// Result answers getOneResult, for authentications (AuthRef) and signatures
// (SignRef) alike. Details is the JWS Freja signed, present when APPROVED; only
// what it carries is trusted.
type Result struct {
	AuthRef             string               `json:"authRef,omitempty"`
	SignRef             string               `json:"signRef,omitempty"`
	Status              string               `json:"status"`
	Details             string               `json:"details,omitempty"`
	RequestedAttributes *RequestedAttributes `json:"requestedAttributes,omitempty"`
}

// Details is the payload of the details JWS.
type Details struct {
	AuthRef              string               `json:"authRef,omitempty"`
	SignRef              string               `json:"signRef,omitempty"`
	Status               string               `json:"status"`
	UserInfoType         string               `json:"userInfoType"`
	UserInfo             string               `json:"userInfo"`
	MinRegistrationLevel string               `json:"minRegistrationLevel"`
	RequestedAttributes  *RequestedAttributes `json:"requestedAttributes,omitempty"`
	// SignatureType is a signature's SIMPLE or EXTENDED.
	SignatureType string `json:"signatureType,omitempty"`
	// SignatureData is a signature's proof: the signed content and Freja's
	// signature over it.
	SignatureData json.RawMessage `json:"signatureData,omitempty"`
	// Timestamp is milliseconds since the Unix epoch.
	Timestamp int64 `json:"timestamp"`
}
