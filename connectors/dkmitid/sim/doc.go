// Package sim simulates a MitID broker's OpenID provider (modelled on the
// Signaturgruppen broker) for development and tests: idp_values (only "mitid";
// others are refused), idp_params with loa_value, base64 reference_text
// (≤130 characters) and cpr_hint / uuid_hint; NSIS levels in loa, ial, aal and acr;
// the person's data from userinfo (mitid.uuid, mitid.identity_name,
// mitid.date_of_birth, dk.cpr for scope ssn); and a cancel answered with
// error=access_denied&error_description=mitid_user_aborted. The test users'
// CPR numbers are synthetic with valid dates.
package sim
