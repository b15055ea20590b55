package broker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/portvakt/portvakt/admin"
	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/consent"
	"github.com/portvakt/portvakt/keys"
	"github.com/portvakt/portvakt/storage/sqlstore"
)

// AdminParts are the audit trail, the consent store and the admin service over
// one database, as both the broker and the CLI use them.
type AdminParts struct {
	Audit    *audit.Trail
	Consents *consent.Store
	Service  *admin.Service
}

// OpenAdmin builds the audit trail, consent store and admin service. eids are
// the configured connectors' descriptions (nil: the ids from the configuration).
func OpenAdmin(ctx context.Context, cfg *config.Config, store *sqlstore.Store, keyManager *keys.Manager, sealer *keys.Sealer, eids []admin.EID, logger *slog.Logger) (*AdminParts, error) {
	personKey, err := keyManager.Secret(ctx, "audit-person-hmac", 32)
	if err != nil {
		return nil, fmt.Errorf("audit person key: %w", err)
	}
	chainKey, err := keyManager.Secret(ctx, "audit-chain-hmac", 32)
	if err != nil {
		return nil, fmt.Errorf("audit chain key: %w", err)
	}
	// Each process appends to a chain of its own, claimed through the store's
	// leases on its first record.
	trail := audit.New(audit.Options{Store: store, Sealer: sealer, PersonKey: personKey, ChainKey: chainKey,
		Leases: store, AnchorInterval: cfg.Audit.AnchorInterval.D(), Logger: logger})
	// A reset head is left for `audit verify` to report, not re-anchored over;
	// logins go on meanwhile.
	if _, err := trail.KeyChain(ctx); err != nil && !errors.Is(err, audit.ErrChainReset) {
		return nil, err
	}
	consents := consent.New(store, nil)
	if eids == nil {
		for _, c := range cfg.Connectors {
			eids = append(eids, admin.EID{ID: c.ID, Name: c.ID})
		}
	}
	svc := admin.NewService(admin.Options{
		Store: store, Roles: store, Audit: trail, Consents: consents, Algorithms: cfg.Keys.Algorithms, EIDs: eids, FTNEIDs: cfg.FTNConnectorIDs(),
		AuditRetention: cfg.Audit.Retention.D(),
	})
	return &AdminParts{Audit: trail, Consents: consents, Service: svc}, nil
}

func describeEIDs(conns []connectors.Connector) []admin.EID {
	out := make([]admin.EID, 0, len(conns))
	for _, c := range conns {
		info := c.Info()
		out = append(out, admin.EID{ID: info.ID, Country: strings.Join(info.Countries, ","), Name: info.Name})
	}
	return out
}

// Handler is the broker's whole HTTP surface: the admin API and page under
// /admin/, everything else the provider's.
func (a *Broker) Handler() http.Handler {
	api := admin.NewAPI(a.Admin.Service, a.Provider.VerifyAdminToken, a.Provider.ClientIP)
	api.SetSignIn(a.Consoles.AdminSignIn)
	return withAgentConsole(a.Consoles.Agent, admin.Mount(api, a.Consoles.AdminSignIn, a.Provider.Handler()))
}

// purgeAudit deletes audit records past the retention period, hourly, in one
// process at a time.
func (a *Broker) purgeAudit(ctx context.Context) {
	retention := a.Config.Audit.Retention.D()
	if retention <= 0 {
		return
	}
	holder := fmt.Sprintf("audit-purge-%p", a)
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if lease, err := a.Store.AcquireLease(ctx, "audit-purge", holder, 50*time.Minute); err == nil && lease.Held {
			if n, err := a.Admin.Audit.Purge(ctx, retention); err != nil {
				a.Logger.Warn("purge audit records", "error", err)
			} else if n > 0 {
				a.Logger.Info("purged audit records past retention", "records", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
