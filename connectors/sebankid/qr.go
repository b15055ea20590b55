package sebankid

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"
)

// QRContent is the animated QR code's content seconds after the order started:
// bankid.<qrStartToken>.<seconds>.<hex HMAC-SHA256(qrStartSecret, seconds)>.
func QRContent(qrStartToken, qrStartSecret string, seconds int64) string {
	t := strconv.FormatInt(seconds, 10)
	mac := hmac.New(sha256.New, []byte(qrStartSecret))
	mac.Write([]byte(t))
	return "bankid." + qrStartToken + "." + t + "." + hex.EncodeToString(mac.Sum(nil))
}

// qrSeconds is the whole seconds elapsed since start, never negative.
func qrSeconds(start, now time.Time) int64 {
	d := now.Sub(start)
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}
