package sim

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portvakt/portvakt/internal/nationalid"
)

type injectedError = apiError

// Script sets the collect results of an order, one step per collect. key is an
// existing order's orderRef, or else a personal number: the next order restricted
// to that number (requirement.personalNumber, or a phone order's number) gets the
// script. After the last step the order stays where the script left it.
func (s *Simulator) Script(key string, steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[key]; ok {
		o.script = append([]Step(nil), steps...)
		return
	}
	s.scripts[key] = append([]Step(nil), steps...)
}

// InjectError makes the next count requests to path ("auth", "collect",
// "phone/auth", ...; a leading /rp/v6.0/ is ignored) answer httpStatus with
// errorCode, sent exactly as given. The requests are still recorded.
func (s *Simulator) InjectError(path string, httpStatus int, errorCode string, count int) {
	path = strings.TrimPrefix(strings.TrimPrefix(path, APIPath), "/")
	s.mu.Lock()
	defer s.mu.Unlock()
	for range count {
		s.errors[path] = append(s.errors[path], injectedError{status: httpStatus, code: errorCode, details: "Injected by the simulator"})
	}
}

func (s *Simulator) takeInjected(path string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	queue := s.errors[path]
	if len(queue) == 0 {
		return nil
	}
	e := queue[0]
	s.errors[path] = queue[1:]
	return &e
}

// maxRecorded bounds the request log, so a long-running dev mode does not grow
// without end; tests look at far fewer.
const maxRecorded = 1000

func (s *Simulator) record(r RecordedRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxRecorded {
		s.requests = append(s.requests[:0], s.requests[len(s.requests)-maxRecorded/2:]...)
	}
	s.requests = append(s.requests, r)
}

// Requests returns the API requests received so far, oldest first.
func (s *Simulator) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RecordedRequest(nil), s.requests...)
}

// RequestsTo returns the requests received for one path, such as "collect".
func (s *Simulator) RequestsTo(path string) []RecordedRequest {
	var out []RecordedRequest
	for _, r := range s.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Orders lists the orders the simulator knows, newest first.
func (s *Simulator) Orders() []OrderInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrderInfo, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, o.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// Order returns one order.
func (s *Simulator) Order(ref string) (OrderInfo, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[ref]
	if !ok {
		return OrderInfo{}, false
	}
	return o.info(), true
}

// Errors from the app side of the simulator.
var (
	ErrNoSuchOrder  = errors.New("no such order")
	ErrOrderOver    = errors.New("order is no longer pending")
	ErrInvalidQR    = errors.New("qr code is not valid")
	ErrQRTooOld     = errors.New("qr code is too old")
	ErrWrongPerson  = errors.New("order is restricted to another personal number")
	ErrInvalidInput = errors.New("not a valid 12-digit personnummer")
)

// ScanQR plays the app reading an animated QR code: it checks the code against the
// order's qrStartSecret and the time since the order started, and returns the
// orderRef. The order then waits for the user to sign (hint userSign).
func (s *Simulator) ScanQR(content string) (string, error) {
	parts := strings.Split(strings.TrimSpace(content), ".")
	if len(parts) != 4 || parts[0] != "bankid" {
		return "", fmt.Errorf("%w: want bankid.<token>.<seconds>.<code>", ErrInvalidQR)
	}
	token, secondsText, code := parts[1], parts[2], parts[3]
	seconds, err := strconv.ParseInt(secondsText, 10, 64)
	if err != nil || seconds < 0 || strconv.FormatInt(seconds, 10) != secondsText {
		return "", fmt.Errorf("%w: bad seconds %q", ErrInvalidQR, secondsText)
	}
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findLocked(func(o *order) bool { return o.qrStartToken != "" && o.qrStartToken == token })
	if o == nil {
		return "", fmt.Errorf("%w: unknown qrStartToken", ErrNoSuchOrder)
	}
	if err := s.stillPending(o, now); err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, []byte(o.qrStartSecret))
	mac.Write([]byte(secondsText))
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(code)) {
		return "", fmt.Errorf("%w: authentication code does not match", ErrInvalidQR)
	}
	elapsed := now.Sub(o.createdAt)
	claimed := time.Duration(seconds) * time.Second
	// One second of slack for clocks that round rather than floor.
	if claimed > elapsed+time.Second {
		return "", fmt.Errorf("%w: code claims %ds, order is %s old", ErrInvalidQR, seconds, elapsed)
	}
	if elapsed-claimed > s.opts.QRMaxAge {
		return "", fmt.Errorf("%w: code from %ds, order is %s old", ErrQRTooOld, seconds, elapsed.Truncate(time.Second))
	}
	o.hintCode = hintUserSign
	return o.ref, nil
}

// OpenAutostart plays the app started by a launch URL's autostart token.
func (s *Simulator) OpenAutostart(autoStartToken string) (string, error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.findLocked(func(o *order) bool { return o.autoStartToken != "" && o.autoStartToken == autoStartToken })
	if o == nil {
		return "", fmt.Errorf("%w: unknown autostart token", ErrNoSuchOrder)
	}
	if err := s.stillPending(o, now); err != nil {
		return "", err
	}
	o.sameDevice = true
	o.hintCode = hintUserSign
	return o.ref, nil
}

// Approve completes the order as the person with personalNumber (a test user or any
// valid number; "" means the person the order is restricted to, else the default
// user) and returns the order's returnUrl.
func (s *Simulator) Approve(orderRef, personalNumber string) (returnURL string, err error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderRef]
	if !ok {
		return "", ErrNoSuchOrder
	}
	if err := s.stillPending(o, now); err != nil {
		return "", err
	}
	if personalNumber == "" {
		personalNumber = cmp.Or(o.personalNumber, s.opts.DefaultPersonalNumber)
	}
	if !nationalid.Valid(nationalid.SEPersonnummer, personalNumber) {
		return "", ErrInvalidInput
	}
	if o.personalNumber != "" && o.personalNumber != personalNumber {
		return "", ErrWrongPerson
	}
	s.complete(o, personalNumber, now)
	return o.returnURL, nil
}

// Decline plays the person cancelling in the app (hint userCancel).
func (s *Simulator) Decline(orderRef string) (returnURL string, err error) {
	now := s.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[orderRef]
	if !ok {
		return "", ErrNoSuchOrder
	}
	if err := s.stillPending(o, now); err != nil {
		return "", err
	}
	o.finish(statusFailed, hintUserCancel, now)
	return o.returnURL, nil
}

func (s *Simulator) stillPending(o *order, now time.Time) error {
	if o.pending() && now.Sub(o.createdAt) >= s.opts.OrderTTL {
		o.finish(statusFailed, hintExpired, now)
	}
	if !o.pending() {
		return ErrOrderOver
	}
	return nil
}

func (s *Simulator) findLocked(match func(*order) bool) *order {
	for _, o := range s.orders {
		if match(o) {
			return o
		}
	}
	return nil
}

// statusForAppError is the HTTP status the app page answers an error with.
func statusForAppError(err error) int {
	if errors.Is(err, ErrNoSuchOrder) {
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}
