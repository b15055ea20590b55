// Verifies callers through portvakt's backchannel endpoint with openid-client's
// CIBA functions (poll mode), as a Node.js relying party would, and prints one
// JSON report on stdout for the Go test that runs it. Settings come from the
// environment: PORTVAKT_ISSUER, PORTVAKT_CIBA_CLIENT_ID, PORTVAKT_CIBA_CLIENT_SECRET,
// PORTVAKT_CIBA_APPROVE (a caller's personnummer dev mode approves) and
// PORTVAKT_CIBA_DECLINE (one whose phone order the test made decline).
import * as client from 'openid-client'

const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

const report = { ok: false, version: '', approved: null, declined: null, reused: null, malformed: null }

try {
  const config = await client.discovery(new URL(env('PORTVAKT_ISSUER')), env('PORTVAKT_CIBA_CLIENT_ID'),
    undefined, client.ClientSecretBasic(env('PORTVAKT_CIBA_CLIENT_SECRET')), { execute: [client.allowInsecureRequests] })
  report.version = client.version ?? ''

  // Approved: the tokens, the ID token's claims as openid-client validated them.
  const started = await client.initiateBackchannelAuthentication(config, {
    scope: 'openid profile national_id', login_hint: `se-pnr:${env('PORTVAKT_CIBA_APPROVE')}`,
    binding_message: 'Case 4711', call_initiator: 'user', reason: 'Interop test',
  })
  const tokens = await client.pollBackchannelAuthenticationGrant(config, started)
  const claims = tokens.claims()
  report.approved = {
    interval: started.interval, expires_in: started.expires_in, sub: claims.sub, national_id: claims.national_id,
    auth_req_id_claim: claims['urn:openid:params:jwt:claim:auth_req_id'] === started.auth_req_id, acr: claims.acr,
  }

  // The same auth_req_id redeemed again.
  try {
    await client.pollBackchannelAuthenticationGrant(config, { ...started, interval: 0 })
    report.reused = 'accepted'
  } catch (e) {
    report.reused = e.error ?? String(e)
  }

  // Declined in the app.
  const declined = await client.initiateBackchannelAuthentication(config, {
    scope: 'openid', login_hint: `se-pnr:${env('PORTVAKT_CIBA_DECLINE')}`,
  })
  try {
    await client.pollBackchannelAuthenticationGrant(config, declined)
    report.declined = 'accepted'
  } catch (e) {
    report.declined = e.error ?? String(e)
  }

  // A malformed personal number.
  try {
    await client.initiateBackchannelAuthentication(config, { scope: 'openid', login_hint: 'se-pnr:198103140000' })
    report.malformed = 'accepted'
  } catch (e) {
    report.malformed = e.error ?? String(e)
  }
  report.ok = true
} catch (e) {
  report.error = `${e.name}: ${e.message}${e.error ? ` (${e.error}: ${e.error_description})` : ''}`
}
console.log(JSON.stringify(report))
