"""Logs in to portvakt with Python's authlib, as a relying party would, and prints
one JSON report on stdout for the Go test that runs it.

authlib is used with its defaults: nothing but the issuer's metadata, the client id,
secret and redirect URI is given to it, so the client authenticates the way authlib
chooses. The script also plays the person's browser, which only follows redirects
because dev mode's eIDs approve at once. Settings come from the environment:
PORTVAKT_ISSUER, PORTVAKT_CLIENT_ID, PORTVAKT_CLIENT_SECRET, PORTVAKT_REDIRECT_URI,
PORTVAKT_ACR_VALUES.
"""

import json
import os
import sys
import traceback
from urllib.parse import parse_qs, urljoin, urlparse

import authlib
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken


def follow(browser, url, until):
    """Follows redirects from url until one goes to until; returns that URL."""
    for _ in range(25):
        resp = browser.get(url, allow_redirects=False)
        if not 300 <= resp.status_code < 400:
            raise RuntimeError(f"stopped at {url}: status {resp.status_code}: {resp.text[:300]}")
        url = urljoin(url, resp.headers["Location"])
        if url.startswith(until):
            return url
    raise RuntimeError(f"no answer to {until} after 25 hops")


def main():
    issuer = os.environ["PORTVAKT_ISSUER"]
    client_id = os.environ["PORTVAKT_CLIENT_ID"]
    client_secret = os.environ["PORTVAKT_CLIENT_SECRET"]
    redirect_uri = os.environ["PORTVAKT_REDIRECT_URI"]
    acr_values = os.environ.get("PORTVAKT_ACR_VALUES", "")

    meta = requests.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    keys = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())

    session = OAuth2Session(client_id, client_secret, scope="openid profile",
                            redirect_uri=redirect_uri, code_challenge_method="S256")
    code_verifier, nonce = generate_token(48), generate_token(20)
    extra = {"acr_values": acr_values} if acr_values else {}
    url, state = session.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce, **extra)

    callback = follow(requests.Session(), url, redirect_uri)
    params = parse_qs(urlparse(callback).query)
    if params.get("iss") != [issuer]:  # RFC 9207, which authlib leaves to the application
        raise RuntimeError(f"authorization response iss {params.get('iss')}, want {issuer}")

    token = session.fetch_token(meta["token_endpoint"], authorization_response=callback,
                                code_verifier=code_verifier)
    claims = jwt.decode(token["id_token"], keys, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": issuer}},
                        claims_params={"nonce": nonce, "client_id": client_id,
                                       "access_token": token["access_token"]})
    claims.validate()
    userinfo = session.get(meta["userinfo_endpoint"]).json()

    auth = session.token_endpoint_auth_method
    print(json.dumps({
        "ok": True, "library": "authlib", "version": authlib.__version__,
        "token_endpoint_auth_method": auth if isinstance(auth, str) else None,
        "sub": claims["sub"], "acr": claims.get("acr"), "has_at_hash": "at_hash" in claims,
        "userinfo_sub": userinfo.get("sub"), "userinfo_name": userinfo.get("name"),
    }))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # the Go test reads the report, whatever went wrong
        print(json.dumps({"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}))
        sys.exit(1)
