"""Secrets never reach output: registered secrets, anything JWT-shaped, sensitive headers and fields."""

from __future__ import annotations

import jwt

from providers.redact import MASK, Redactor

TOKEN = jwt.encode({"sub": "alice"}, "k" * 32, algorithm="HS256")


def test_registered_secrets_and_jwt_shapes_are_masked() -> None:
    redactor = Redactor()
    redactor.add("hunter2-password")
    text = redactor.text(f"login with hunter2-password got {TOKEN}")
    assert "hunter2" not in text and TOKEN not in text
    assert text.count(MASK) == 2


def test_curl_masks_authorization_and_form_secrets() -> None:
    redactor = Redactor()
    command = redactor.curl(
        "post",
        "http://127.0.0.1:8001/v2/auth/token",
        {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/x-www-form-urlencoded"},
        "grant_type=password&username=alice%40example.com&password=alice-password",
    )
    assert command.startswith("curl -X POST")
    assert TOKEN not in command and "alice-password" not in command
    assert "Bearer [REDACTED]" in command
    assert "username=alice%40example.com" in command


def test_json_bodies_mask_token_fields_even_when_invalid_json() -> None:
    redactor = Redactor()
    command = redactor.curl(
        "POST", "http://h/x", {"Content-Type": "application/json"}, '{"refresh_token": "abc.def", "x": 1'
    )
    assert "abc.def" not in command and '"x": 1' in command


def test_websocket_subprotocol_tokens_are_masked() -> None:
    header = Redactor().header("Sec-WebSocket-Protocol", f"events.v1, bearer.{TOKEN}")
    assert TOKEN not in header and header.startswith("events.v1")


def test_short_strings_are_not_registered_as_secrets() -> None:
    redactor = Redactor()
    redactor.add("ab", "", None)
    assert redactor.text("about abc") == "about abc"


def test_a_secret_added_after_a_redaction_is_masked_in_the_next_one() -> None:
    redactor = Redactor()
    redactor.add("first-secret")
    assert redactor.text("first-secret second-secret") == f"{MASK} second-secret"
    redactor.add("second-secret", "first-secret-and-more")
    assert redactor.text("first-secret-and-more second-secret") == f"{MASK} {MASK}"
