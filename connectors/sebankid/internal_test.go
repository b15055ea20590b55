package sebankid

import (
	"errors"
	"strings"
	"testing"

	"github.com/portvakt/portvakt/connectors"
)

func TestIdentityRefusesAnotherPerson(t *testing.T) {
	c := &Connector{id: "se-bankid"}
	complete := func(pnr string) *CollectResponse {
		return &CollectResponse{OrderRef: "ref", Status: StatusComplete, CompletionData: &CompletionData{
			User: CompletionUser{PersonalNumber: pnr, GivenName: "Alva", Surname: "Simulantsson"},
		}}
	}
	tests := []struct {
		name  string
		resp  *CollectResponse
		state orderState
	}{
		{"another person", complete("195203142392"), orderState{Method: MethodOtherDevice, PersonalNumber: "198507232398"}},
		{"invalid number", complete("198507232399"), orderState{Method: MethodOtherDevice}},
		{"no completion data", &CollectResponse{Status: StatusComplete}, orderState{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.identity(tt.resp, tt.state); !errors.Is(err, connectors.ErrInvalidResponse) {
				t.Errorf("identity: %v, want ErrInvalidResponse", err)
			}
		})
	}
	id, err := c.identity(complete("198507232398"), orderState{Method: MethodSameDevice, PersonalNumber: "198507232398"})
	if err != nil || id.Name != "Alva Simulantsson" || id.Method != MethodSameDeviceURN {
		t.Errorf("identity = %+v, %v", id, err)
	}
}

func TestParseAPIErrorWithoutJSON(t *testing.T) {
	e := parseAPIError("collect", 502, []byte("<html>Bad gateway</html>"))
	if e.Code != ErrorCodeUnknown || !e.retryable() || !strings.Contains(e.Error(), "502") {
		t.Errorf("parseAPIError = %+v", e)
	}
}

func TestReferenceTextShownWithoutTemplate(t *testing.T) {
	c := &Connector{}
	body, err := c.orderRequest(connectors.Request{EndUserIP: "192.0.2.1", ReferenceText: "Kod 4711"}, MethodOtherDevice)
	if err != nil || body.UserVisibleData != EncodeUserData("Kod 4711") || body.UserVisibleDataFormat != UserVisibleDataFormatSimpleMarkdown {
		t.Errorf("orderRequest = %+v, %v", body, err)
	}
	if got := truncate("åäö", 5); got != "åä" {
		t.Errorf("truncate split a rune: %q", got)
	}
}
