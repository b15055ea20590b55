package admin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/portvakt/portvakt/audit"
	"github.com/portvakt/portvakt/config"
	"github.com/portvakt/portvakt/consent"
	"github.com/portvakt/portvakt/internal/randid"
	"github.com/portvakt/portvakt/provider"
	"github.com/portvakt/portvakt/storage"
)

// EID is a connector clients can be allowed.
type EID struct {
	ID      string `json:"id"`
	Country string `json:"country"`
	Name    string `json:"name"`
}

// Options are the Service's collaborators.
type Options struct {
	Store storage.Storage
	// Roles keeps the console roles granted to persons.
	Roles    storage.Roles
	Audit    *audit.Trail
	Consents *consent.Store
	// Algorithms are the configured signing algorithms (id_token_signed_response_alg
	// must be one of them).
	Algorithms []string
	// EIDs are the configured connectors.
	EIDs []EID
	// FTNEIDs are the ids of those of the Finnish Trust Network, whose
	// clients must receive encrypted responses (config.Client.ValidateFTN).
	FTNEIDs []string
	// AuditRetention is how long audit records are kept (0: for ever).
	AuditRetention time.Duration
	// Refresh makes this process see a client change at once (the provider's
	// RefreshClients); other processes see it through the generation counter.
	Refresh func(context.Context) error
	Logger  *slog.Logger
	Now     func() time.Time
}

// Service is every admin operation, shared by the API, the page and the CLI.
type Service struct {
	o Options
}

// NewService returns the service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o}
}

// SetRefresh sets the cache refresh once the provider exists.
func (s *Service) SetRefresh(refresh func(context.Context) error) { s.o.Refresh = refresh }

// EIDs lists the configured connectors.
func (s *Service) EIDs() []EID { return slices.Clone(s.o.EIDs) }

// authorize checks the role and records a refused change.
func (s *Service) authorize(ctx context.Context, p Principal, write bool, action, clientID string) error {
	if (write && p.Can(RoleAdmin)) || (!write && mayRead(p)) {
		return nil
	}
	if write {
		s.record(ctx, p, audit.AdminEvent{Action: action, ClientID: clientID, Outcome: "denied", Error: "forbidden"})
	}
	return ErrForbidden
}

// record writes an admin change to the audit trail. A change that cannot be
// audited has still happened, so the failure is logged loudly, not returned.
func (s *Service) record(ctx context.Context, p Principal, e audit.AdminEvent) {
	e.Actor, e.ClientIP = p.Actor, p.IP
	if e.Outcome == "" {
		e.Outcome = "success"
	}
	if err := s.o.Audit.RecordAdmin(ctx, e); err != nil {
		s.o.Logger.ErrorContext(ctx, "admin change not audited", "action", e.Action, "client_id", e.ClientID, "actor", e.Actor, "error", err)
	}
}

func (s *Service) refresh(ctx context.Context) {
	if s.o.Refresh == nil {
		return
	}
	if err := s.o.Refresh(ctx); err != nil {
		s.o.Logger.WarnContext(ctx, "refresh client cache", "error", err)
	}
}

// recordEndingTokens revokes every token the client holds, after a change that
// ends them is stored (so a token issued in between is caught too), and records
// the change with how many it revoked. Should the revocation fail, the change
// stands, the record says so and the error is returned; a deleted or disabled
// client's tokens are refused by the token checks regardless.
func (s *Service) recordEndingTokens(ctx context.Context, p Principal, e audit.AdminEvent) error {
	details, _ := e.Details.(map[string]any)
	if details == nil {
		details = map[string]any{}
	}
	n, err := s.o.Store.RevokeTokensByClient(ctx, e.ClientID, s.o.Now())
	details["tokens_revoked"] = n
	e.Details = details
	if err != nil {
		e.Outcome, e.Error = "failure", "the change is stored but the client's tokens were not revoked"
	}
	s.record(ctx, p, e)
	if err != nil {
		return fmt.Errorf("revoke tokens of client %s: %w", e.ClientID, err)
	}
	return nil
}

// ListClients returns every client, ordered by id.
func (s *Service) ListClients(ctx context.Context, p Principal) ([]Client, error) {
	if err := s.authorize(ctx, p, false, "client.list", ""); err != nil {
		return nil, err
	}
	recs, err := s.o.Store.ListClients(ctx)
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	out := make([]Client, 0, len(recs))
	for _, rec := range recs {
		v, err := viewOf(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// GetClient returns one client.
func (s *Service) GetClient(ctx context.Context, p Principal, id string) (Client, error) {
	if err := s.authorize(ctx, p, false, "client.get", id); err != nil {
		return Client{}, err
	}
	rec, err := s.o.Store.GetClient(ctx, id)
	if err != nil {
		return Client{}, notFound(err)
	}
	return viewOf(rec)
}

func notFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// needsSecret reports whether the client authenticates with a secret.
func needsSecret(c config.Client) bool {
	return c.AuthMethod == "client_secret_basic" || c.AuthMethod == "client_secret_post"
}

// prepare validates a client document from an admin, keeping the given secret hash.
func (s *Service) prepare(in config.Client, secretHash string) (config.Client, error) {
	in.Secret, in.SecretHash = "", secretHash
	if in.AuthMethod == "" && len(in.AuthMethods) == 0 && in.JWKSURL == "" && len(in.JWKS) == 0 {
		in.AuthMethod = "client_secret_basic"
	}
	in.ApplyDefaults()
	eids := map[string]bool{}
	for _, e := range s.o.EIDs {
		eids[e.ID] = true
	}
	// The secret is generated after validation; stand in for it meanwhile.
	check := in
	if needsSecret(check) && check.SecretHash == "" {
		check.SecretHash = provider.HashSecret("placeholder")
	}
	problems := append(check.Validate(s.o.Algorithms, eids), check.ValidateFTN(s.o.FTNEIDs)...)
	if len(problems) > 0 {
		return in, &InvalidError{Problems: problems}
	}
	return in, nil
}

// checkSector refuses a client whose sector is another client's id, or whose id
// is another client's sector (config.SectorConflicts).
func (s *Service) checkSector(ctx context.Context, c config.Client) error {
	recs, err := s.o.Store.ListClients(ctx)
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
	}
	others := make([]config.Client, 0, len(recs))
	for _, rec := range recs {
		other, err := provider.DecodeClient(rec)
		if err != nil {
			return err
		}
		others = append(others, other)
	}
	if problems := config.SectorConflicts(c, others); len(problems) > 0 {
		return &InvalidError{Problems: problems}
	}
	return nil
}

// NewSecret is a client secret: 32 random bytes, base64url.
func NewSecret() (string, error) { return randid.String(32), nil }

// CreateClient stores a new client. For a client that authenticates with a
// secret, the secret is generated and returned: this is the only time it is shown.
func (s *Service) CreateClient(ctx context.Context, p Principal, in ClientSettings) (Client, string, error) {
	if err := s.authorize(ctx, p, true, "client.create", in.ID); err != nil {
		return Client{}, "", err
	}
	c, err := s.prepare(in.asConfig(), "")
	if err != nil {
		return Client{}, "", err
	}
	if strings.HasPrefix(c.ID, config.ReservedClientPrefix) {
		return Client{}, "", &InvalidError{Problems: []string{"client_id: ids starting with " + config.ReservedClientPrefix + " are the broker's own consoles' clients"}}
	}
	if err := s.checkSector(ctx, c); err != nil {
		return Client{}, "", err
	}
	var secret string
	if needsSecret(c) {
		if secret, err = NewSecret(); err != nil {
			return Client{}, "", err
		}
		c.SecretHash = provider.HashSecret(secret)
	}
	doc, err := provider.EncodeClient(c)
	if err != nil {
		return Client{}, "", err
	}
	now := s.o.Now()
	rec := storage.Client{ID: c.ID, Source: SourceAPI, Settings: doc, CreatedAt: now, UpdatedAt: now}
	if err := s.o.Store.CreateClient(ctx, rec); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			return Client{}, "", ErrExists
		}
		return Client{}, "", fmt.Errorf("create client: %w", err)
	}
	s.refresh(ctx)
	view, err := viewOf(rec)
	s.record(ctx, p, audit.AdminEvent{Action: "client.create", ClientID: c.ID, Details: map[string]any{"client": view}})
	return view, secret, err
}

// change applies fn to an API client's settings under compare-and-swap.
func (s *Service) change(ctx context.Context, id string, fn func(*config.Client) error) (Client, error) {
	var stored storage.Client
	err := s.o.Store.UpdateClient(ctx, id, func(rec storage.Client) (storage.Client, error) {
		if rec.Source == SourceConfig {
			return rec, ErrReadOnly
		}
		settings, err := provider.DecodeClient(rec)
		if err != nil {
			return rec, err
		}
		if err := fn(&settings); err != nil {
			return rec, err
		}
		if rec.Settings, err = provider.EncodeClient(settings); err != nil {
			return rec, err
		}
		rec.UpdatedAt = s.o.Now()
		stored = rec
		return rec, nil
	})
	if err != nil {
		return Client{}, notFound(err)
	}
	s.refresh(ctx)
	return viewOf(stored)
}

// UpdateClient replaces an API client's settings (the id, secret and disabled
// state stay).
func (s *Service) UpdateClient(ctx context.Context, p Principal, id string, in ClientSettings) (Client, error) {
	if err := s.authorize(ctx, p, true, "client.update", id); err != nil {
		return Client{}, err
	}
	in.ID = id
	if err := s.checkSector(ctx, in.asConfig()); err != nil {
		return Client{}, err
	}
	var before ClientSettings
	ends := false
	view, err := s.change(ctx, id, func(d *config.Client) error {
		before = settingsOf(*d)
		c, err := s.prepare(in.asConfig(), d.SecretHash)
		if err != nil {
			return err
		}
		if needsSecret(c) && c.SecretHash == "" {
			return &InvalidError{Problems: []string{"token_endpoint_auth_method: the client has no secret; rotate one after switching, or create the client anew"}}
		}
		if !needsSecret(c) {
			c.SecretHash = ""
		}
		c.Disabled = d.Disabled
		ends = provider.ChangeEndsTokens(*d, c)
		*d = c
		return nil
	})
	if err != nil {
		return Client{}, err
	}
	e := audit.AdminEvent{Action: "client.update", ClientID: id, Details: map[string]any{"before": before, "after": view.ClientSettings}}
	if ends {
		if err := s.recordEndingTokens(ctx, p, e); err != nil {
			return Client{}, err
		}
		return view, nil
	}
	s.record(ctx, p, e)
	return view, nil
}

// SetDisabled disables or enables an API client; disabling revokes its tokens.
func (s *Service) SetDisabled(ctx context.Context, p Principal, id string, disabled bool) (Client, error) {
	action := "client.enable"
	if disabled {
		action = "client.disable"
	}
	if err := s.authorize(ctx, p, true, action, id); err != nil {
		return Client{}, err
	}
	view, err := s.change(ctx, id, func(d *config.Client) error { d.Disabled = disabled; return nil })
	if err != nil {
		return Client{}, err
	}
	if disabled {
		if err := s.recordEndingTokens(ctx, p, audit.AdminEvent{Action: action, ClientID: id}); err != nil {
			return Client{}, err
		}
		return view, nil
	}
	s.record(ctx, p, audit.AdminEvent{Action: action, ClientID: id})
	return view, nil
}

// DeleteClient removes an API client and revokes its tokens.
func (s *Service) DeleteClient(ctx context.Context, p Principal, id string) error {
	if err := s.authorize(ctx, p, true, "client.delete", id); err != nil {
		return err
	}
	rec, err := s.o.Store.GetClient(ctx, id)
	if err != nil {
		return notFound(err)
	}
	if rec.Source == SourceConfig {
		return ErrReadOnly
	}
	if err := s.o.Store.DeleteClient(ctx, id); err != nil {
		return notFound(err)
	}
	s.refresh(ctx)
	return s.recordEndingTokens(ctx, p, audit.AdminEvent{Action: "client.delete", ClientID: id})
}

// RotateSecret gives an API client a new secret, returned once; the old one
// stops working at once, and so do the tokens the client got with it.
func (s *Service) RotateSecret(ctx context.Context, p Principal, id string) (string, error) {
	if err := s.authorize(ctx, p, true, "client.rotate_secret", id); err != nil {
		return "", err
	}
	secret, err := NewSecret()
	if err != nil {
		return "", err
	}
	if _, err := s.change(ctx, id, func(d *config.Client) error {
		if !needsSecret(*d) {
			return ErrNoSecret
		}
		d.SecretHash = provider.HashSecret(secret)
		return nil
	}); err != nil {
		return "", err
	}
	if err := s.recordEndingTokens(ctx, p, audit.AdminEvent{Action: "client.rotate_secret", ClientID: id}); err != nil {
		return "", err
	}
	return secret, nil
}
