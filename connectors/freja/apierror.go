package freja

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Error codes Freja answers with ({"code": <int>, "message": "..."}).
const (
	CodeInvalidParameters        = 1000
	CodeInvalidUserInfoType      = 1001
	CodeInvalidUserInfo          = 1002
	CodeMethodNotAllowed         = 1004
	CodeInvalidRegistrationLevel = 1007
	CodeUnknownRelyingParty      = 1008
	CodeInvalidJSON              = 1010
	CodeNoSuchUser               = 1012
	CodeInvalidReference         = 1100
	CodeAuthInitFailed           = 2000
	CodeInvalidAttributes        = 2002
	// 3000–3007 refuse a signature, 4000–4005 an organisation id, 5000–5002 a
	// custom identifier.
	CodeSignInitFailed         = 3000
	CodeInvalidSignTitle       = 3001
	CodeInvalidDataToSign      = 3002
	CodeInvalidDataToSignType  = 3003
	CodeInvalidSignatureType   = 3004
	CodeInvalidPushText        = 3005
	CodeInvalidSignExpiry      = 3006
	CodeInvalidBinaryData      = 3007
	CodeOrgIDNotAllowed        = 4000
	CodeOrgIDInvalid           = 4001
	CodeOrgIDNoSuchUser        = 4002
	CodeOrgIDAlreadySet        = 4003
	CodeOrgIDInvalidIssuer     = 4004
	CodeOrgIDInvalidTitle      = 4005
	CodeCustomIDInvalid        = 5000
	CodeCustomIDAlreadyUsed    = 5001
	CodeCustomIDNoSuchIdentity = 5002
)

// ErrorCodes lists every error code the connector knows, each with a message.
func ErrorCodes() []int {
	return []int{
		CodeInvalidParameters, CodeInvalidUserInfoType, CodeInvalidUserInfo, CodeMethodNotAllowed,
		CodeInvalidRegistrationLevel, CodeUnknownRelyingParty, CodeInvalidJSON, CodeNoSuchUser,
		CodeInvalidReference, CodeAuthInitFailed, CodeInvalidAttributes,
		CodeSignInitFailed, CodeInvalidSignTitle, CodeInvalidDataToSign, CodeInvalidDataToSignType,
		CodeInvalidSignatureType, CodeInvalidPushText, CodeInvalidSignExpiry, CodeInvalidBinaryData,
		CodeOrgIDNotAllowed, CodeOrgIDInvalid, CodeOrgIDNoSuchUser, CodeOrgIDAlreadySet,
		CodeOrgIDInvalidIssuer, CodeOrgIDInvalidTitle,
		CodeCustomIDInvalid, CodeCustomIDAlreadyUsed, CodeCustomIDNoSuchIdentity,
	}
}

// APIError is an error answer from the Relying Party API.
type APIError struct {
	// Path is the API path called, such as "/authentication/1.0/getOneResult".
	Path       string
	HTTPStatus int
	// Code is Freja's error code, 0 when the answer carried none.
	Code    int
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("freja %s: http %d: code %d: %s", e.Path, e.HTTPStatus, e.Code, e.Message)
}

// retryable reports whether repeating an idempotent call may help: server-side
// failures only, never errors in what we sent.
func (e *APIError) retryable() bool { return e.HTTPStatus >= 500 && e.Code == 0 }

func parseAPIError(path string, status int, body []byte) *APIError {
	var wire struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	e := &APIError{Path: path, HTTPStatus: status}
	if err := json.Unmarshal(body, &wire); err != nil || wire.Code == 0 {
		e.Message = strings.TrimSpace(truncate(string(body), 200))
		return e
	}
	e.Code, e.Message = wire.Code, truncate(wire.Message, 200)
	return e
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
