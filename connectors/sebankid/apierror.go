package sebankid

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ErrorCode is a BankID RP API errorCode, normalised to the documented spelling.
type ErrorCode string

// The documented error codes. Anything else is ErrorCodeUnknown.
const (
	ErrorCodeAlreadyInProgress    ErrorCode = "alreadyInProgress"
	ErrorCodeInvalidParameters    ErrorCode = "invalidParameters"
	ErrorCodeUnauthorized         ErrorCode = "unauthorized"
	ErrorCodeNotFound             ErrorCode = "notFound"
	ErrorCodeMethodNotAllowed     ErrorCode = "methodNotAllowed"
	ErrorCodeRequestTimeout       ErrorCode = "requestTimeout"
	ErrorCodeUnsupportedMediaType ErrorCode = "unsupportedMediaType"
	ErrorCodeTooManyRequests      ErrorCode = "tooManyRequests"
	ErrorCodeInternalError        ErrorCode = "internalError"
	ErrorCodeMaintenance          ErrorCode = "maintenance"
	ErrorCodeUnknown              ErrorCode = "unknown"
)

var knownErrorCodes = []ErrorCode{
	ErrorCodeAlreadyInProgress, ErrorCodeInvalidParameters, ErrorCodeUnauthorized,
	ErrorCodeNotFound, ErrorCodeMethodNotAllowed, ErrorCodeRequestTimeout,
	ErrorCodeUnsupportedMediaType, ErrorCodeTooManyRequests, ErrorCodeInternalError,
	ErrorCodeMaintenance,
}

// ParseErrorCode matches s case-insensitively against the documented codes, because
// BankID has changed the casing of codes before; unrecognised codes are unknown.
func ParseErrorCode(s string) ErrorCode {
	for _, c := range knownErrorCodes {
		if strings.EqualFold(s, string(c)) {
			return c
		}
	}
	return ErrorCodeUnknown
}

// APIError is an error answer from the RP API.
type APIError struct {
	// Path is the API path called, such as "collect".
	Path string
	// HTTPStatus is the response status code.
	HTTPStatus int
	// Code is the normalised errorCode; RawCode is what the API sent.
	Code    ErrorCode
	RawCode string
	Details string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("bankid %s: http %d: %s: %s", e.Path, e.HTTPStatus, e.RawCode, e.Details)
}

// retryable reports whether repeating an idempotent call may help: server-side
// failures and maintenance, never errors in what we sent.
func (e *APIError) retryable() bool { return e.HTTPStatus >= 500 }

func parseAPIError(path string, status int, body []byte) *APIError {
	var wire struct {
		ErrorCode string `json:"errorCode"`
		Details   string `json:"details"`
	}
	e := &APIError{Path: path, HTTPStatus: status}
	if err := json.Unmarshal(body, &wire); err != nil || wire.ErrorCode == "" {
		e.Code = ErrorCodeUnknown
		e.Details = strings.TrimSpace(truncate(string(body), 200))
		return e
	}
	e.RawCode = wire.ErrorCode
	e.Code = ParseErrorCode(wire.ErrorCode)
	e.Details = wire.Details
	return e
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
