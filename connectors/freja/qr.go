package freja

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"
)

// StaticQRContent is the QR code of a transaction started without a dynamic
// one: the app binds the person to it by reference alone.
func StaticQRContent(ref string) string {
	return "frejaeid://bindUserToTransaction?transactionReference=" + url.QueryEscape(ref)
}

// DynamicQRContent is the dynamic QR code's content seconds after the
// transaction started: the app link with transactionReference
// <ref>.<seconds>.<base64url HMAC-SHA256(qrCodeSecret, seconds)>. Unlike
// BankID's hex, Freja's code is base64url (unpadded, so it needs no escaping).
func DynamicQRContent(appURL, ref, qrCodeSecret string, seconds int64) string {
	t := strconv.FormatInt(seconds, 10)
	mac := hmac.New(sha256.New, []byte(qrCodeSecret))
	mac.Write([]byte(t))
	code := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	return appURL + "?action=bindUserToTransaction&transactionReference=" + url.QueryEscape(ref+"."+t+"."+code)
}

// qrSeconds is the whole seconds elapsed since start, never negative.
func qrSeconds(start, now time.Time) int64 {
	d := now.Sub(start)
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}
