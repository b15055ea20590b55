package provider

import (
	"errors"
	"net/http"
	"strings"

	"github.com/portvakt/portvakt/connectors"
	"github.com/portvakt/portvakt/evidence"
	"github.com/portvakt/portvakt/storage"
)

// evidenceKeysPath publishes the keys of the evidence attestations.
const evidenceKeysPath = "/evidence/keys"

// maxEvidenceID bounds an evidence id in a path: ids are "sev_" and a few
// dozen characters.
const maxEvidenceID = 128

// evidenceFetch answers GET (HTTP Basic) and POST (form client
// authentication: client_secret_post, private_key_jwt) /evidence/{id}: the
// evidence of a signature, to the client it was issued to only. Unknown,
// expired, purged and other clients' evidence are the same 404, so a client
// learns nothing of evidence it does not hold. Every answer given is on
// record in the audit trail first; a fetch that cannot be recorded is not
// answered.
func (s *Server) evidenceFetch(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	ctx := r.Context()
	if s.evidence == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	auth, err := clientAuthFrom(r)
	var client *Client
	if err == nil {
		client, err = s.grants.authenticateClient(ctx, r, auth)
	}
	if err == nil && client.AuthMethod == "none" {
		// A public client has no secret: its id alone proves nothing.
		err = errors.New("public clients cannot fetch evidence")
	}
	if err != nil {
		s.logger.InfoContext(ctx, "evidence fetch: client authentication failed", "error", err)
		w.Header().Set("WWW-Authenticate", `Basic realm="portvakt evidence"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "client authentication failed"})
		return
	}
	id := r.PathValue("id")
	if !strings.HasPrefix(id, "sev_") || len(id) > maxEvidenceID {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	d, err := s.evidence.Fetch(ctx, client.ID, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	case err != nil:
		s.logger.ErrorContext(ctx, "evidence fetch", "client_id", client.ID, "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	if err := s.recordEvidenceFetch(r, client.ID, id); err != nil {
		s.logger.ErrorContext(ctx, "evidence fetch not answered: its audit record was not written", "client_id", client.ID, "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// recordEvidenceFetch writes the audit record of a fetch. A broker with an
// audit trail that cannot record fetches does not answer them.
func (s *Server) recordEvidenceFetch(r *http.Request, clientID, id string) error {
	if s.flow.auditor == nil {
		return nil
	}
	rec, ok := s.flow.auditor.(EvidenceRecorder)
	if !ok {
		return errors.New("the audit trail cannot record evidence fetches")
	}
	return rec.RecordEvidenceFetch(r.Context(), EvidenceFetchEvent{Time: s.now(), ClientID: clientID, EvidenceID: id, ClientIP: s.clientIP(r)})
}

// evidenceKeys publishes the evidence keys, current and retired, so that an
// attestation verifies however old it is.
func (s *Server) evidenceKeys(w http.ResponseWriter, r *http.Request) {
	if s.evidence == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
		return
	}
	set, err := s.evidence.KeySet(r.Context())
	if err != nil {
		s.logger.ErrorContext(r.Context(), "evidence keys", "error", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSONCacheable(w, set)
}

// signDiscovery is the signing metadata of discovery: the authorization
// details types (RFC 9396 §10) and where the evidence keys are.
type signDiscovery struct {
	DetailsTypes []string `json:"authorization_details_types_supported,omitempty"`
	EvidenceKeys string   `json:"sign_evidence_jwks_uri,omitempty"`
}

// signDiscovery names the signing type only when signatures can be made:
// evidence is kept and some eID can sign.
func (s *Server) signDiscovery() signDiscovery {
	if s.evidence == nil {
		return signDiscovery{}
	}
	for _, o := range s.flow.options {
		if _, ok := o.Connector.(connectors.Signer); ok && o.Info.Signing != nil {
			return signDiscovery{DetailsTypes: []string{evidence.SignType}, EvidenceKeys: s.issuer + evidenceKeysPath}
		}
	}
	return signDiscovery{}
}
