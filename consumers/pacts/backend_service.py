"""backend-service's pacts with auth-service: how it checks the tokens users present.

The backend gets its own service token with the client-credentials grant (HTTP Basic client
authentication; the credentials come from the provider state, never from the pact), verifies
signatures with the JWKS, and introspects every token so that a revoked one is refused at once.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import partial
from typing import Any

from pact import match

from consumers.auth_v2 import AuthClient
from consumers.pacts.support import (
    ALICE,
    EXAMPLE_JWT,
    USER_ID,
    PactWriter,
    StateValue,
    from_state,
    jwt,
    serve_http,
    uuid,
    with_form,
)

CONSUMER = "backend-service"
AUTH = "auth-service"
JSON = "application/json"
#: The example client secret of the pacts; a verifier sends the provider's own (`${basic}`).
EXAMPLE_SECRET = "example-secret"

SERVICE_TOKEN = {
    "access_token": jwt(),
    "token_type": "Bearer",
    "expires_in": match.int(900),
    "scope": "auth:introspect",
}
JWKS = {
    "keys": match.each_like(
        {
            "kty": "RSA",
            "kid": match.str("key-1"),
            "use": "sig",
            "alg": "RS256",
            "n": match.regex("sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri", regex=r"^[A-Za-z0-9_-]+$"),
            "e": match.regex("AQAB", regex=r"^[A-Za-z0-9_-]+$"),
        }
    )
}
INTROSPECTING: dict[str, object] = {
    "client_id": "backend-service",
    "audience": "auth",
    "scope": "auth:introspect",
}


def active_introspection(audience: str) -> dict[str, Any]:
    """What a resource service reads from an active user token's introspection."""
    return {
        "active": True,
        "token_type": "access_token",
        "sub": uuid(USER_ID),
        "aud": audience,
        "iss": match.str("https://auth.contractgate.test"),
        "exp": match.int(1772367300),
        "iat": match.int(1772366400),
        "jti": match.str("6b1f0c1e6f0d4b8a"),
        "tenant_id": match.str("acme"),
        "scope": match.str("openid profile email"),
    }


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def client_credentials(writer: PactWriter, consumer: str, client_id: str, audience: str, scope: str) -> None:
    """Shared with websocket-service: a client-credentials grant with HTTP Basic client authentication."""
    with writer.pact(consumer, AUTH) as pact:
        interaction = (
            pact.upon_receiving(f"a client credentials grant for audience {audience} with scope {scope}")
            .given("a service client exists", client_id=client_id)
            .with_request("POST", "/v2/auth/token")
            .with_header("Authorization", from_state(_basic(client_id, EXAMPLE_SECRET), "${basic}"))
        )
        with_form(interaction, {"grant_type": "client_credentials", "audience": audience, "scope": scope})
        interaction.will_respond_with(200).with_body({**SERVICE_TOKEN, "scope": scope}, content_type=JSON)
        with serve_http(pact) as url, AuthClient(url) as client:
            token = client.client_credentials(client_id, EXAMPLE_SECRET, audience, scope)
    assert token.refresh_token is None and token.scope == scope


def jwks(writer: PactWriter, consumer: str) -> None:
    """Shared with websocket-service: the public keys that verify access tokens."""
    with writer.pact(consumer, AUTH) as pact:
        (
            pact.upon_receiving("a request for the signing keys")
            .with_request("GET", "/.well-known/jwks.json")
            .will_respond_with(200)
            .with_body(JWKS, content_type=JSON)
        )
        with serve_http(pact) as url, AuthClient(url) as client:
            keys = client.jwks()
    assert keys[0]["alg"] == "RS256"


def introspect_active(
    writer: PactWriter, consumer: str, introspecting: dict[str, object], audience: str
) -> None:
    """Shared with websocket-service: an active user token, asked with the service's own token."""
    with writer.pact(consumer, AUTH) as pact:
        interaction = (
            pact.upon_receiving(f"an introspection of an active user token for audience {audience}")
            # Order matters: the user's state answers `token` too, the service's `service_token` stays.
            .given("a service token exists", introspecting)
            .given("a user is logged in", user=ALICE, audience=audience)
            .with_request("POST", "/v2/auth/introspect")
            .with_header("Authorization", from_state(f"Bearer {EXAMPLE_JWT}", "${service_token}"))
        )
        with_form(interaction, {"token": StateValue(EXAMPLE_JWT, "${access_token}")})
        interaction.will_respond_with(200).with_body(active_introspection(audience), content_type=JSON)
        with serve_http(pact) as url, AuthClient(url) as client:
            seen = client.introspect(EXAMPLE_JWT, EXAMPLE_JWT)
    assert seen.active and seen.tenant_id == "acme"


def introspect_revoked(writer: PactWriter, consumer: str, introspecting: dict[str, object]) -> None:
    with writer.pact(consumer, AUTH) as pact:
        interaction = (
            pact.upon_receiving("an introspection of a revoked user token")
            .given("a service token exists", introspecting)
            .given("a revoked access token exists", user=ALICE, audience="backend")
            .with_request("POST", "/v2/auth/introspect")
            .with_header("Authorization", from_state(f"Bearer {EXAMPLE_JWT}", "${service_token}"))
        )
        with_form(interaction, {"token": StateValue(EXAMPLE_JWT, "${access_token}")})
        interaction.will_respond_with(200).with_body({"active": False}, content_type=JSON)
        with serve_http(pact) as url, AuthClient(url) as client:
            seen = client.introspect(EXAMPLE_JWT, EXAMPLE_JWT)
    assert not seen.active


INTERACTIONS: tuple[Callable[[PactWriter], None], ...] = (
    partial(
        client_credentials,
        consumer=CONSUMER,
        client_id="backend-service",
        audience="auth",
        scope="auth:introspect",
    ),
    partial(jwks, consumer=CONSUMER),
    partial(introspect_active, consumer=CONSUMER, introspecting=INTROSPECTING, audience="backend"),
    partial(introspect_revoked, consumer=CONSUMER, introspecting=INTROSPECTING),
)
