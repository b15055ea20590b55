// Logs in to portvakt with openid-client as a client whose access tokens are
// DPoP-bound and whose ID tokens and userinfo come encrypted: the code bound by
// dpop_jkt, the token request and userinfo with openid-client's DPoP, the
// responses decrypted with openid-client's own JWE support. Prints one JSON
// report on stdout for the Go test that runs it. Settings come from the
// environment: PORTVAKT_ISSUER, PORTVAKT_CLIENT_ID, PORTVAKT_CLIENT_SECRET,
// PORTVAKT_REDIRECT_URI, PORTVAKT_ACR_VALUES and PORTVAKT_ENC_JWK (the
// client's private decryption key, a JWK with kid).
import * as client from 'openid-client'

const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

// follow plays the browser: cookies kept, redirects followed until the
// relying party's redirect URI (dev mode's eIDs approve at once).
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
    if (resp.status < 300 || resp.status >= 400) throw new Error(`stopped at ${url}: status ${resp.status}`)
    const loc = new URL(resp.headers.get('location'), url)
    if (loc.href.startsWith(until)) return loc
    url = loc.href
  }
  throw new Error(`no answer to ${until} after 25 hops`)
}

async function main() {
  const issuer = env('PORTVAKT_ISSUER')
  const redirectUri = env('PORTVAKT_REDIRECT_URI')
  const config = await client.discovery(new URL(issuer), env('PORTVAKT_CLIENT_ID'),
    { client_secret: env('PORTVAKT_CLIENT_SECRET'), userinfo_signed_response_alg: 'RS256' },
    undefined, { execute: [client.allowInsecureRequests] })
  const { kid, ...jwk } = JSON.parse(env('PORTVAKT_ENC_JWK'))
  delete jwk.use
  delete jwk.alg
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt', 'unwrapKey'])
  client.enableDecryptingResponses(config, ['A256GCM', 'A128CBC-HS256'], { key, kid })
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'))

  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const authURL = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid profile', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    acr_values: env('PORTVAKT_ACR_VALUES'), dpop_jkt: await DPoP.calculateThumbprint(),
  })
  const callback = await follow(authURL.href, redirectUri)

  let encryptedIDToken = false
  const realFetch = globalThis.fetch
  globalThis.fetch = async (input, init) => {
    const resp = await realFetch(input, init)
    if (String(input instanceof Request ? input.url : input).endsWith('/oauth/token') && resp.ok) {
      const body = await resp.clone().json()
      encryptedIDToken = typeof body.id_token === 'string' && body.id_token.split('.').length === 5
    }
    return resp
  }
  const tokens = await client.authorizationCodeGrant(config, callback,
    { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, undefined, { DPoP })
  globalThis.fetch = realFetch
  const claims = tokens.claims()
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP })
  const asBearer = await fetch(config.serverMetadata().userinfo_endpoint, { headers: { authorization: `Bearer ${tokens.access_token}` } })
  process.stdout.write(JSON.stringify({
    ok: true,
    token_type: tokens.token_type,
    encrypted_id_token: encryptedIDToken,
    sub: claims.sub,
    nonce_ok: claims.nonce === nonce,
    userinfo_sub: userinfo.sub,
    userinfo_name: userinfo.name ?? null,
    bearer_userinfo_status: asBearer.status,
  }) + '\n')
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e?.stack ?? e), code: e?.code, cause: String(e?.cause ?? '') }) + '\n')
  process.exitCode = 1
})
