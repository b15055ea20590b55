// Logs in to portvakt with openid-client (Node.js) and its defaults, as a relying
// party would, and prints one JSON report on stdout for the Go test that runs it.
//
// The script plays both parts: the relying party (openid-client, with its strict
// checks: RFC 9207 iss, state, nonce, PKCE, at_hash, auth_time against max_age)
// and the person's browser, which only follows redirects because dev mode's eIDs
// approve at once. Settings come from the environment:
//   PORTVAKT_ISSUER, PORTVAKT_CLIENT_ID, PORTVAKT_CLIENT_SECRET,
//   PORTVAKT_REDIRECT_URI, PORTVAKT_POST_LOGOUT_URI, PORTVAKT_ACR_VALUES
import { readFileSync } from 'node:fs'
import * as client from 'openid-client'

const env = (name) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is not set`)
  return v
}

const settings = {
  issuer: env('PORTVAKT_ISSUER'),
  clientId: env('PORTVAKT_CLIENT_ID'),
  clientSecret: env('PORTVAKT_CLIENT_SECRET'),
  redirectUri: env('PORTVAKT_REDIRECT_URI'),
  postLogoutUri: env('PORTVAKT_POST_LOGOUT_URI'),
  acrValues: process.env.PORTVAKT_ACR_VALUES || '',
}
const maxAge = 300

// A browser: a cookie jar, and every hop followed by hand.
class Browser {
  constructor() { this.cookies = new Map() }

  async request(url, init = {}) {
    const headers = new Headers(init.headers)
    const jar = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    if (jar) headers.set('cookie', jar)
    const resp = await fetch(url, { ...init, headers, redirect: 'manual' })
    for (const c of resp.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';')
      const i = pair.indexOf('=')
      const name = pair.slice(0, i).trim()
      const expired = attrs.some((a) => /^\s*max-age=(0|-)/i.test(a))
      if (expired) this.cookies.delete(name)
      else this.cookies.set(name, pair.slice(i + 1).trim())
    }
    return resp
  }

  // follow goes from url until the answer reaches `until`: a redirect there, or
  // an auto-submitting form to it (form_post). It returns what the relying party
  // receives: a URL (query) or a Request (form_post).
  async follow(url, until) {
    let req = { url, init: {} }
    for (let hop = 0; hop < 25; hop++) {
      const resp = await this.request(req.url, req.init)
      if (resp.status >= 300 && resp.status < 400) {
        const loc = new URL(resp.headers.get('location'), req.url)
        if (loc.href.startsWith(until)) return { url: loc, hops: hop + 1 }
        req = { url: loc.href, init: {} }
        continue
      }
      const page = await resp.text()
      const form = /<form[^>]*\saction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page)
      if (resp.status === 200 && form) {
        const action = new URL(unescapeHTML(form[1]), req.url)
        const fields = new URLSearchParams()
        for (const m of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)"/g)) {
          fields.append(unescapeHTML(m[1]), unescapeHTML(m[2]))
        }
        if (action.href.startsWith(until)) {
          const body = fields.toString()
          return {
            request: new Request(action, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
            fields,
            hops: hop + 1,
          }
        }
        const option = /name="option" value="([^"]*)"/.exec(form[2])
        if (option) {
          fields.set('option', unescapeHTML(option[1]))
          req = { url: action.href, init: { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } } }
          continue
        }
      }
      throw new Error(`stopped at ${req.url}: status ${resp.status}: ${page.slice(0, 300)}`)
    }
    throw new Error(`no answer to ${until} after 25 hops`)
  }
}

function unescapeHTML(s) {
  return s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

async function login(config, browser, responseMode) {
  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const params = {
    redirect_uri: settings.redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    max_age: String(maxAge),
  }
  if (settings.acrValues) params.acr_values = settings.acrValues
  if (responseMode) params.response_mode = responseMode
  const answer = await browser.follow(client.buildAuthorizationUrl(config, params).href, settings.redirectUri)
  const current = answer.request ?? answer.url
  if (responseMode === 'form_post' && !answer.request) throw new Error('form_post answered with a redirect')

  // RFC 9207: the same response with another iss must be refused before any token
  // request (so the code stays usable for the real exchange below).
  let issTamperRejected = false
  try {
    await client.authorizationCodeGrant(config, tamperIss(answer), { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, maxAge })
  } catch (e) {
    issTamperRejected = /"iss"/.test(String(e?.cause?.message ?? e?.message))
  }

  const tokens = await client.authorizationCodeGrant(config, current, {
    pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, maxAge, idTokenExpected: true,
  })
  const claims = tokens.claims()
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
  return {
    mode: responseMode || 'query',
    hops: answer.hops,
    sub: claims.sub,
    acr: claims.acr,
    auth_time: claims.auth_time,
    has_at_hash: typeof claims.at_hash === 'string',
    nonce_ok: claims.nonce === nonce,
    userinfo_sub: userinfo.sub,
    userinfo_name: userinfo.name ?? null,
    iss_tamper_rejected: issTamperRejected,
    id_token: tokens.id_token,
    access_token: tokens.access_token,
  }
}

function tamperIss(answer) {
  if (answer.request) {
    const fields = new URLSearchParams(answer.fields)
    fields.set('iss', 'https://evil.example')
    return new Request(answer.request.url, { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  }
  const u = new URL(answer.url)
  u.searchParams.set('iss', 'https://evil.example')
  return u
}

// tokenAuth records how openid-client authenticated the client at the token
// endpoint, watching the requests it makes rather than configuring it.
const tokenAuth = new Set()
const realFetch = globalThis.fetch
globalThis.fetch = async (input, init = {}) => {
  const url = String(input instanceof Request ? input.url : input)
  if (url.endsWith('/oauth/token')) {
    const headers = new Headers(init.headers)
    if (/^basic /i.test(headers.get('authorization') ?? '')) tokenAuth.add('client_secret_basic')
    if (new URLSearchParams(String(init.body ?? '')).has('client_secret')) tokenAuth.add('client_secret_post')
  }
  return realFetch(input, init)
}

async function main() {
  // openid-client's defaults: only the issuer, client id and secret. Dev mode
  // speaks plain http on loopback, which openid-client allows only when told.
  const config = await client.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret,
    undefined, { execute: [client.allowInsecureRequests] })
  const browser = new Browser()
  const logins = []
  logins.push(await login(config, browser, ''))
  logins.push(await login(config, browser, 'form_post'))

  // RP-initiated logout in the browser, then a silent request must fail.
  const last = logins[logins.length - 1]
  const endSession = client.buildEndSessionUrl(config, {
    id_token_hint: last.id_token, post_logout_redirect_uri: settings.postLogoutUri, state: 'bye',
  })
  const out = await browser.follow(endSession.href, settings.postLogoutUri)
  const logout = { redirected_to: out.url.href }

  const state = client.randomState()
  const silent = client.buildAuthorizationUrl(config, {
    redirect_uri: settings.redirectUri, scope: 'openid', state, prompt: 'none',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256',
    ...(settings.acrValues ? { acr_values: settings.acrValues } : {}),
  })
  const afterLogout = await browser.follow(silent.href, settings.redirectUri)
  try {
    await client.authorizationCodeGrant(config, afterLogout.url, { expectedState: state, pkceCodeVerifier: 'x'.repeat(43) })
    logout.after_logout_error = null
  } catch (e) {
    logout.after_logout_error = e.error ?? e.code ?? String(e)
  }
  const userinfoAfterLogout = await fetch(config.serverMetadata().userinfo_endpoint, {
    headers: { authorization: `Bearer ${last.access_token}` },
  })
  logout.userinfo_status_after_logout = userinfoAfterLogout.status

  for (const l of logins) { delete l.id_token; delete l.access_token }
  const version = JSON.parse(readFileSync(new URL('./node_modules/openid-client/package.json', import.meta.url), 'utf8')).version
  process.stdout.write(JSON.stringify({ ok: true, library: 'openid-client', version, token_auth: [...tokenAuth], logins, logout }) + '\n')
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ ok: false, error: String(e?.stack ?? e), code: e?.code, cause: String(e?.cause ?? '') }) + '\n')
  process.exitCode = 1
})
