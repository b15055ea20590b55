// Logs in to portvakt as its FAPI 2.0 client with openid-client: the
// authorization request signed as a request object (JAR) and pushed (PAR),
// private_key_jwt, DPoP at the PAR, token and userinfo endpoints; prints one
// JSON report on stdout for the Go test that runs it. Settings come from the
// environment:
//   PORTVAKT_ISSUER, PORTVAKT_CLIENT_ID, PORTVAKT_CLIENT_KEY (a private JWK file),
//   PORTVAKT_REDIRECT_URI, PORTVAKT_ACR_VALUES
import { readFileSync } from 'node:fs'
import * as client from 'openid-client'

const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

// follow plays the browser, which only follows redirects: dev mode's eIDs
// approve at once.
async function follow(url, until) {
  const cookies = new Map()
  for (let hop = 0; hop < 25; hop++) {
    const headers = new Headers()
    if (cookies.size) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const resp = await fetch(url, { headers, redirect: 'manual' })
    for (const c of resp.headers.getSetCookie()) {
      const pair = c.split(';')[0]
      const i = pair.indexOf('=')
      cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim())
    }
    if (resp.status < 300 || resp.status >= 400) {
      throw new Error(`stopped at ${url}: status ${resp.status}: ${(await resp.text()).slice(0, 300)}`)
    }
    const loc = new URL(resp.headers.get('location'), url)
    if (loc.href.startsWith(until)) return loc
    url = loc.href
  }
  throw new Error(`no answer to ${until} after 25 hops`)
}

async function main() {
  const issuer = env('PORTVAKT_ISSUER')
  const redirectUri = env('PORTVAKT_REDIRECT_URI')
  const jwk = JSON.parse(readFileSync(env('PORTVAKT_CLIENT_KEY'), 'utf8'))
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
  const signingKey = { key, kid: jwk.kid }

  const config = await client.discovery(new URL(issuer), env('PORTVAKT_CLIENT_ID'),
    { id_token_signed_response_alg: 'ES256' }, client.PrivateKeyJwt(signingKey),
    { execute: [client.allowInsecureRequests] })
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))

  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const params = {
    redirect_uri: redirectUri, scope: 'openid profile', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    acr_values: process.env.PORTVAKT_ACR_VALUES || '',
  }
  const jar = await client.buildAuthorizationUrlWithJAR(config, params, signingKey)
  const authorizationUrl = await client.buildAuthorizationUrlWithPAR(config, jar.searchParams, { DPoP })
  const pushedOnly = [...authorizationUrl.searchParams.keys()].sort().join(',')

  const callback = await follow(authorizationUrl.href, redirectUri)
  const tokens = await client.authorizationCodeGrant(config, callback,
    { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, undefined, { DPoP })
  const claims = tokens.claims()
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP })
  process.stdout.write(JSON.stringify({
    ok: true, query: pushedOnly, token_type: tokens.token_type, sub: claims.sub, acr: claims.acr,
    nonce_ok: claims.nonce === nonce, userinfo_sub: userinfo.sub,
  }) + '\n')
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e?.stack ?? e), code: e?.code, cause: String(e?.cause ?? '') }) + '\n')
  process.exitCode = 1
})
