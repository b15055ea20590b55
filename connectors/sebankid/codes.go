package sebankid

import "strings"

// Order statuses from collect.
const (
	StatusPending  = "pending"
	StatusFailed   = "failed"
	StatusComplete = "complete"
)

// Hint codes from collect. New codes can appear at any time; they parse as
// HintUnknown.
const (
	HintOutstandingTransaction = "outstandingTransaction"
	HintNoClient               = "noClient"
	HintStarted                = "started"
	HintUserMrtd               = "userMrtd"
	HintUserCallConfirm        = "userCallConfirm"
	HintUserSign               = "userSign"
	HintExpiredTransaction     = "expiredTransaction"
	HintCertificateErr         = "certificateErr"
	HintUserCancel             = "userCancel"
	HintCancelled              = "cancelled"
	HintStartFailed            = "startFailed"
	HintUserDeclinedCall       = "userDeclinedCall"
	HintNotSupportedByUserApp  = "notSupportedByUserApp"
	HintTransactionRiskBlocked = "transactionRiskBlocked"
	HintUnknown                = "unknown"
)

var knownStatuses = []string{StatusPending, StatusFailed, StatusComplete}

var knownHints = []string{
	HintOutstandingTransaction, HintNoClient, HintStarted, HintUserMrtd,
	HintUserCallConfirm, HintUserSign, HintExpiredTransaction, HintCertificateErr,
	HintUserCancel, HintCancelled, HintStartFailed, HintUserDeclinedCall,
	HintNotSupportedByUserApp, HintTransactionRiskBlocked,
}

// ParseStatus normalises a collect status case-insensitively; unknown ones are "unknown".
func ParseStatus(s string) string { return normalise(s, knownStatuses, "unknown") }

// ParseHintCode normalises a hintCode case-insensitively; "" stays "" (complete
// orders have none) and unknown ones are HintUnknown.
func ParseHintCode(s string) string {
	if s == "" {
		return ""
	}
	return normalise(s, knownHints, HintUnknown)
}

func normalise(s string, known []string, unknown string) string {
	for _, k := range known {
		if strings.EqualFold(s, k) {
			return k
		}
	}
	return unknown
}
