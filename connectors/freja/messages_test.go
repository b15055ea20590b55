package freja_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/connectors/freja"
	"github.com/portvakt/portvakt/connectors/freja/sim"
)

var languages = []string{"sv", "nb", "fi", "da", "en"}

func TestMessagesInEveryLanguage(t *testing.T) {
	c := &freja.Connector{}
	for _, id := range freja.MessageIDs() {
		seen := map[string]string{}
		for _, lang := range languages {
			text := c.Message(lang, id)
			if text == "" {
				t.Errorf("%s has no %s text", id, lang)
			}
			if other, dup := seen[text]; dup {
				t.Errorf("%s: the %s text equals the %s text %q", id, lang, other, text)
			}
			seen[text] = lang
		}
		if got := c.Message("de", id); got != c.Message("en", id) {
			t.Errorf("%s in German = %q, want the English fallback", id, got)
		}
	}
	if got := c.Message("sv", "freja.nothing"); got != "" {
		t.Errorf("unknown id gave %q", got)
	}
}

// Every error code Freja answers a start with reaches the person as a message
// of ours, in every language.
func TestEveryErrorCodeMapsToAMessage(t *testing.T) {
	e := newEnv(t, sim.Options{})
	for _, code := range freja.ErrorCodes() {
		e.sim.InjectError(freja.PathInitAuth, http.StatusBadRequest, code, 1)
		_, err := e.conn.Start(context.Background(), loginRequest("", connectors.LoALow))
		var ue *connectors.UserError
		var apiErr *freja.APIError
		if !errors.As(err, &ue) || !errors.As(err, &apiErr) || apiErr.Code != code || !errors.Is(err, connectors.ErrUpstream) {
			t.Errorf("code %d: err = %v, want a UserError over the APIError", code, err)
			continue
		}
		if ue.Message != freja.MessageForCode(code) {
			t.Errorf("code %d: message %q, want %q", code, ue.Message, freja.MessageForCode(code))
		}
		for _, lang := range languages {
			if freja.Message(lang, ue.Message) == "" {
				t.Errorf("code %d: message %s has no %s text", code, ue.Message, lang)
			}
		}
	}
	specific := map[int]string{
		freja.CodeNoSuchUser: freja.MsgNoSuchUser, freja.CodeInvalidRegistrationLevel: freja.MsgLevel,
		freja.CodeAuthInitFailed: freja.MsgRefused, freja.CodeUnknownRelyingParty: freja.MsgNotAvailable,
		freja.CodeInvalidDataToSign: freja.MsgSignRefused, freja.CodeInvalidReference: freja.MsgExpired,
	}
	for code, want := range specific {
		if got := freja.MessageForCode(code); got != want {
			t.Errorf("MessageForCode(%d) = %s, want %s", code, got, want)
		}
	}
}

func TestResultErrorsAreRetriedOnlyWhenTransient(t *testing.T) {
	e := newEnv(t, sim.Options{AutoApprove: true})
	e.conn.Client().SetRetryBackoff([]time.Duration{0, 0})
	order := e.start(t, loginRequest("", connectors.LoALow))
	e.sim.InjectError(freja.PathAuthResult, http.StatusServiceUnavailable, 0, 2)
	if p, err := e.poll(t, order); err != nil || p.Status != connectors.StatusComplete {
		t.Errorf("poll through two 503s = %+v, %v; want complete", p, err)
	}
	order = e.start(t, loginRequest("", connectors.LoALow))
	e.sim.InjectError(freja.PathAuthResult, http.StatusBadRequest, freja.CodeInvalidReference, 1)
	_, err := e.poll(t, order)
	if !errors.Is(err, connectors.ErrUpstream) || len(e.sim.RequestsTo(freja.PathAuthResult)) != 4 {
		t.Errorf("poll = %v after %d result calls; want one unrepeated failure", err, len(e.sim.RequestsTo(freja.PathAuthResult)))
	}
}
