package broker_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portvakt/portvakt/internal/testenv"
)

// A broker killed with SIGKILL while the person is at the eID, and started again,
// finishes the login: everything a login needs is in the database.
func TestLoginSurvivesKillAndRestart(t *testing.T) {
	t.Parallel()
	front := startFrontDoor(t, false)
	proc := newBrokerProcess(t, front, testenv.MySQLDatabase(t))
	proc.start()

	t.Run("MitID: killed while the person is at the eID", func(t *testing.T) {
		req := newAuthRequest(front.url)
		br := newBrowser(t)
		atSim := br.visit(req.url(front.url, "urn:portvakt:eid:dk:mitid"))
		proc.kill()
		proc.start()
		user := front.sims.OIDC["dk-mitid"].TestUsers()[0]
		code := req.code(t, br.approveAtSimulator(atSim, user.NationalID))
		_, claims := req.redeem(t, code)
		if claims["national_id"] != user.NationalID || claims["country"] != "DK" {
			t.Errorf("ID token claims %v", claims)
		}
	})

	t.Run("BankID: killed while the order is pending", func(t *testing.T) {
		req := newAuthRequest(front.url)
		br := newBrowser(t)
		orderPage := br.visit(req.url(front.url, "urn:portvakt:eid:se:bankid:other-device"))
		if orderPage.status != http.StatusOK || !strings.HasPrefix(orderPage.url.Path, "/login/") {
			t.Fatalf("expected the order page, got %d at %s", orderPage.status, orderPage.url)
		}
		proc.kill()
		orders := front.sims.BankID.Orders()
		if len(orders) == 0 {
			t.Fatal("no order at the BankID simulator")
		}
		// The person approves in the app while the broker is down.
		if _, err := front.sims.BankID.Approve(orders[0].Ref, "198507232398"); err != nil {
			t.Fatal(err)
		}
		proc.start()
		code := req.code(t, br.visit(br.awaitOrder(front.url, orderPage.url.Path, 15*time.Second)))
		_, claims := req.redeem(t, code)
		if claims["national_id"] != "198507232398" || claims["country"] != "SE" {
			t.Errorf("ID token claims %v", claims)
		}
	})
}
