package sebankid_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/portvakt/portvakt/connectors/sebankid"
	"github.com/portvakt/portvakt/connectors/sebankid/sim"
)

func TestClientSignAndPhoneOrders(t *testing.T) {
	e := newEnv(t, sim.Options{AutoApprove: true})
	client := e.conn.Client()
	ctx := context.Background()
	pnr := sim.TestUsers()[3].PersonalNumber

	sign, err := client.Sign(ctx, sebankid.OrderRequest{
		EndUserIP:             "198.51.100.4",
		UserVisibleData:       sebankid.EncodeUserData("Jag godkänner avtalet."),
		UserVisibleDataFormat: sebankid.UserVisibleDataFormatSimpleMarkdown,
		UserNonVisibleData:    sebankid.EncodeUserData(`{"doc":"42"}`),
		Requirement:           &sebankid.Requirement{Mrtd: true, CardReader: "class1"},
		Web:                   &sebankid.Web{ReferringDomain: "rp.example.test", UserAgent: "UA", DeviceIdentifier: "device-1"},
	})
	if err != nil || sign.OrderRef == "" || sign.QRStartSecret == "" {
		t.Fatalf("Sign = %+v, %v", sign, err)
	}
	if _, err := client.Sign(ctx, sebankid.OrderRequest{EndUserIP: "198.51.100.4"}); err == nil {
		t.Error("Sign without userVisibleData succeeded")
	}
	collected, err := client.Collect(ctx, sign.OrderRef)
	if err != nil || collected.Status != sebankid.StatusComplete || collected.CompletionData.StepUp == nil || !collected.CompletionData.StepUp.Mrtd {
		t.Fatalf("Collect of sign = %+v, %v", collected, err)
	}

	for _, start := range []func(context.Context, sebankid.PhoneRequest) (*sebankid.OrderResponse, error){client.PhoneAuth, client.PhoneSign} {
		resp, err := start(ctx, sebankid.PhoneRequest{
			PersonalNumber:  pnr,
			CallInitiator:   sebankid.CallInitiatorUser,
			Requirement:     &sebankid.PhoneRequirement{PinCode: true},
			UserVisibleData: sebankid.EncodeUserData("Samtal med kundtjänst"),
		})
		if err != nil || resp.OrderRef == "" || resp.QRStartToken != "" {
			t.Fatalf("phone order = %+v, %v; want an orderRef only", resp, err)
		}
		collected, err := client.Collect(ctx, resp.OrderRef)
		if err != nil || collected.CompletionData == nil || collected.CompletionData.User.PersonalNumber != pnr {
			t.Fatalf("Collect of phone order = %+v, %v", collected, err)
		}
	}
	var body map[string]any
	_ = json.Unmarshal(e.sim.RequestsTo("phone/sign")[0].Body, &body)
	if body["callInitiator"] != "user" || body["personalNumber"] != pnr {
		t.Errorf("phone/sign body = %v", body)
	}

	e.sim.InjectError("cancel", http.StatusInternalServerError, "internalError", 1)
	resp, err := client.Auth(ctx, sebankid.OrderRequest{EndUserIP: "198.51.100.4"})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Cancel(ctx, resp.OrderRef); err != nil {
		t.Errorf("Cancel through one internalError: %v", err)
	}
	if n := len(e.sim.RequestsTo("cancel")); n != 2 {
		t.Errorf("cancel requests = %d, want 2", n)
	}
	var apiErr *sebankid.APIError
	if err := client.Cancel(ctx, resp.OrderRef); !errors.As(err, &apiErr) || apiErr.Code != sebankid.ErrorCodeInvalidParameters {
		t.Errorf("Cancel of a cancelled order: %v, want invalidParameters", err)
	}
}
