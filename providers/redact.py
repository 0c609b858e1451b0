"""Secrets never leave a run: tokens, passwords and client secrets are masked in every output.

Two layers: known secrets (the credentials a run was given, registered with `Redactor.add`) are
replaced wherever they appear, and anything shaped like a JWT or an `Authorization`/`Cookie` value is
masked even when nobody registered it. Reproductions are built here so that they are redacted by
construction.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_SENSITIVE_HEADERS = {"authorization", "cookie", "proxy-authorization", "x-api-key", "sec-websocket-protocol"}
_SENSITIVE_FIELDS = {
    "password",
    "client_secret",
    "refresh_token",
    "access_token",
    "token",
    "id_token",
    "secret",
}
MASK = "[REDACTED]"


class Redactor:
    def __init__(self) -> None:
        self._secrets: set[str] = set()
        #: The secrets, longest first, sorted again only when one was added: secrets are never removed,
        #: so a list as long as the set holds all of them, whichever thread sorted it.
        self._ordered: list[str] = []

    def add(self, *secrets: str | None) -> None:
        for secret in secrets:
            if secret and len(secret) >= 4:
                self._secrets.add(secret)

    def text(self, text: str) -> str:
        ordered = self._ordered
        if len(ordered) != len(self._secrets):
            ordered = self._ordered = sorted(self._secrets, key=len, reverse=True)
        for secret in ordered:
            text = text.replace(secret, MASK)
        return JWT.sub(MASK, text)

    def header(self, name: str, value: str) -> str:
        if name.lower() in _SENSITIVE_HEADERS:
            scheme, _, rest = value.partition(" ")
            if name.lower() == "sec-websocket-protocol":
                return ", ".join(
                    p if not p.strip().startswith("bearer.") else "bearer." + MASK for p in value.split(",")
                )
            return f"{scheme} {MASK}" if rest else MASK
        return self.text(value)

    def form(self, body: str) -> str:
        pairs = parse_qsl(body, keep_blank_values=True)
        return urlencode([(k, MASK if k in _SENSITIVE_FIELDS else self.text(v)) for k, v in pairs], safe="[]")

    def curl(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: str | bytes | None = None,
    ) -> str:
        """A curl command that replays a request with every secret masked."""
        parts = ["curl", "-X", method.upper(), shlex.quote(self.text(url))]
        content_type = ""
        for name, value in (headers or {}).items():
            if name.lower() == "content-type":
                content_type = value
            parts += ["-H", shlex.quote(f"{name}: {self.header(name, value)}")]
        if body:
            text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
            if "x-www-form-urlencoded" in content_type:
                text = self.form(text)
            else:
                text = self.json_text(text)
            if len(text) > 2000:
                text = text[:2000] + "…"
            parts += ["--data-raw", shlex.quote(text)]
        return " ".join(parts)

    def json_text(self, text: str) -> str:
        """Mask sensitive fields in a JSON-ish text without parsing it (it may be invalid on purpose)."""
        pattern = re.compile(r'("(?:' + "|".join(_SENSITIVE_FIELDS) + r')"\s*:\s*)"(?:[^"\\]|\\.)*"')
        return self.text(pattern.sub(lambda m: f'{m.group(1)}"{MASK}"', text))
