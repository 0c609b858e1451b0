"""Talking to a Pact Broker: where it is, who we are, and its HAL API navigated by link relations.

`BrokerConfig` is the connection — base URL and credentials — read from the standard Pact variables
(`PACT_BROKER_BASE_URL`, `PACT_BROKER_TOKEN`, or `PACT_BROKER_USERNAME` / `PACT_BROKER_PASSWORD`)
or from contractgate's configuration, which names the variables that hold the secrets and never the
secrets themselves. `BrokerClient` starts at the index resource and follows its `pb:` relations
(templated hrefs expanded and URL-encoded) rather than hard-coding paths where the broker publishes
them, as the Pact clients do.

Every way the broker can let us down is a `BrokerError` of one line naming the method, the URL and
the status — down, 5xx, credentials refused, a request it rejects — so the command exits 2 with a
sentence, never a traceback; the token and password are registered with the run's `Redactor` and
never appear in a message. Hrefs are always sent to the configured origin (a broker behind a proxy
often advertises its internal address; the Pact clients likewise keep only the path), which also
means the credentials never travel to a host the user did not name.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import httpx

from providers.errors import BrokerError, ConfigError
from providers.redact import Redactor

__all__ = ["BrokerClient", "BrokerConfig", "BrokerNotFound", "HAL_JSON"]

HAL_JSON = "application/hal+json"
ENV_BASE_URL = "PACT_BROKER_BASE_URL"
ENV_TOKEN = "PACT_BROKER_TOKEN"
ENV_USERNAME = "PACT_BROKER_USERNAME"
ENV_PASSWORD = "PACT_BROKER_PASSWORD"
#: The Pact CLI's variable for retries of failed broker requests; honoured the same way here.
ENV_RETRIES = "PACT_BROKER_HTTP_RETRIES"
_RETRY_STATUSES = {502, 503, 504}


class BrokerNotFound(BrokerError):
    """The broker has no such resource (HTTP 404): an unknown pacticipant, version or provider."""


@dataclass(frozen=True)
class BrokerConfig:
    """Where the broker is and how to authenticate; `repr` never shows a secret."""

    base_url: str
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0
    #: Retries of a GET that met a 502/503/504 or no connection (exponential back-off from 0.5 s).
    retries: int = 2

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"Pact Broker base URL {_safe_url(self.base_url)!r} is not an http(s) URL")
        if self.token and (self.username or self.password):
            raise ConfigError("Pact Broker: give a token or a username and password, not both")
        if self.username and not self.password:
            raise ConfigError("Pact Broker: a username needs a password (PACT_BROKER_PASSWORD)")

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.token, self.password) if s)

    @property
    def auth_kind(self) -> str:
        return "token" if self.token else "basic" if self.username else "none"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, base_url: str | None = None
    ) -> BrokerConfig:
        """The standard Pact variables; `base_url` (e.g. a command-line flag) wins over the variable."""
        return cls.from_mapping({"base_url": base_url} if base_url else {}, environ)

    @classmethod
    def from_mapping(
        cls, options: Mapping[str, Any], environ: Mapping[str, str] | None = None
    ) -> BrokerConfig:
        """contractgate configuration: `base_url` (or `base_url_env`), `token_env`, `username` or
        `username_env`, `password_env`, `timeout`, `retries`; unset names default to the Pact variables."""
        env = os.environ if environ is None else environ

        def var(key: str, default: str) -> str | None:
            name = options.get(key, default)
            if not isinstance(name, str) or not name:
                raise ConfigError(f"Pact Broker: {key} must name an environment variable")
            return env.get(name) or None

        base_url = options.get("base_url") or var("base_url_env", ENV_BASE_URL)
        if not base_url:
            raise ConfigError(
                f"no Pact Broker configured: set {ENV_BASE_URL} (and {ENV_TOKEN}, or "
                f"{ENV_USERNAME}/{ENV_PASSWORD}) or the broker's base_url in the configuration"
            )
        base, url_user, url_password = _split_credentials(str(base_url))
        username = options.get("username") or url_user or var("username_env", ENV_USERNAME)
        password = url_password or var("password_env", ENV_PASSWORD)
        token = var("token_env", ENV_TOKEN)
        if token and (username or password) and not (url_user or options.get("username")):
            # Both kinds in the environment: the token is the more specific choice (PactFlow style).
            username = password = None
        try:
            timeout = float(options.get("timeout", 10.0))
            retries = int(options.get("retries", env.get(ENV_RETRIES) or 2))
        except (TypeError, ValueError):
            raise ConfigError("Pact Broker: timeout and retries must be numbers") from None
        return cls(base, token, username, password, timeout, max(0, retries))


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """`https://user:pass@host/x` → (`https://host/x`, user, pass): URLs may carry basic credentials."""
    parts = urlsplit(url.rstrip("/"))
    if parts.username is None and parts.password is None:
        return url.rstrip("/"), None, None
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), parts.username, parts.password


def _safe_url(url: str) -> str:
    """A URL as it may be shown: no userinfo."""
    return _split_credentials(url)[0] if "@" in url else url


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _errors_of(response: httpx.Response) -> str:
    """The broker's own explanation of a 4xx: `errors` (list or field → messages), notices, or text."""
    try:
        body = response.json()
    except ValueError:
        return _one_line(response.text)
    if not isinstance(body, dict):
        return _one_line(str(body))
    errors = body.get("errors")
    parts: list[str] = []
    if isinstance(errors, dict):
        for key, value in errors.items():
            values = value if isinstance(value, list) else [value]
            parts += [f"{key}: {v if not isinstance(v, (dict, list)) else _flatten(v)}" for v in values]
    elif isinstance(errors, list):
        parts += [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors]
    for notice in body.get("notices") or []:
        if isinstance(notice, dict) and notice.get("type") in ("error", "danger"):
            parts.append(str(notice.get("text", "")))
    if not parts and body.get("title"):
        parts.append(str(body.get("detail") or body["title"]))
    return _one_line("; ".join(dict.fromkeys(p for p in parts if p)) or response.text)


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_flatten(v) for v in value)
    return str(value)


def expand(href: str, values: Mapping[str, str]) -> str:
    """A templated HAL href with `{name}` replaced by the URL-encoded value (RFC 6570 level 1)."""
    for name, value in values.items():
        href = href.replace("{" + name + "}", quote(str(value), safe=""))
    return href


class BrokerClient:
    """A synchronous client of one broker; `index()` is fetched once and relations resolved from it."""

    def __init__(
        self,
        config: BrokerConfig,
        redactor: Redactor | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.redactor = redactor or Redactor()
        self.redactor.add(*config.secrets)
        self._sleep = sleep
        auth: httpx.Auth | None = None
        headers = {"Accept": f"{HAL_JSON}, application/json", "User-Agent": "contractgate"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        elif config.username:
            auth = httpx.BasicAuth(config.username, config.password or "")
        self._http = httpx.Client(
            timeout=config.timeout,
            headers=headers,
            auth=auth,
            trust_env=False,
            follow_redirects=True,
            transport=transport,
        )
        self._index: dict[str, Any] | None = None

    @property
    def base_url(self) -> str:
        return self.config.base_url

    # -- HAL navigation ---------------------------------------------------------------------

    def index(self) -> dict[str, Any]:
        if self._index is None:
            self._index = self.get(self.base_url + "/")
        return self._index

    def relation(self, rel: str, resource: Mapping[str, Any] | None = None, **values: str) -> str:
        """The href of `rel` in `resource` (default: the index), its template expanded with `values`."""
        resource = self.index() if resource is None else resource
        link = (resource.get("_links") or {}).get(rel)
        if isinstance(link, list):
            link = link[0] if link else None
        if not isinstance(link, dict) or not isinstance(link.get("href"), str):
            where = "index" if resource is self._index else "resource"
            raise BrokerError(
                f"Pact Broker at {self.base_url} has no {rel!r} relation in its {where} "
                "(is it a Pact Broker, and recent enough?)"
            )
        return self.url(expand(link["href"], values))

    def url(self, href: str) -> str:
        """An href made absolute against the base URL, always on the configured origin."""
        absolute = urljoin(self.base_url + "/", href)
        mine, theirs = urlsplit(self.base_url), urlsplit(absolute)
        if (theirs.scheme, theirs.netloc) != (mine.scheme, mine.netloc):
            absolute = urlunsplit((mine.scheme, mine.netloc, theirs.path, theirs.query, ""))
        return absolute

    def query_url(self, url: str, params: list[tuple[str, str]]) -> str:
        """The URL a GET with `params` goes to (for reproductions)."""
        return str(httpx.URL(self.url(url), params=params))

    # -- requests -----------------------------------------------------------------------------

    def get(
        self, url: str, params: Mapping[str, Any] | list[tuple[str, str]] | None = None
    ) -> dict[str, Any]:
        return self._json(self.request("GET", url, params=params))

    def post(self, url: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._json(self.request("POST", url, json=dict(body)))

    def put(self, url: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._json(self.request("PUT", url, json=dict(body)))

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request; transport failures, 401/403, 404, other 4xx and 5xx become `BrokerError`s."""
        url = self.url(url)
        attempts = 1 + (self.config.retries if method == "GET" else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                response = self._http.request(method, url, **kwargs)
            except httpx.TimeoutException:
                if last:
                    raise self._error(
                        f"Pact Broker did not answer within {self.config.timeout:g}s: {method} {url}"
                    ) from None
            except httpx.TransportError as exc:
                if last:
                    raise self._error(
                        f"Pact Broker unreachable: {method} {url} ({type(exc).__name__})"
                    ) from None
            else:
                if response.status_code not in _RETRY_STATUSES or last:
                    return self._checked(method, url, response)
            self._sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _checked(self, method: str, url: str, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status in (401, 403):
            how = {
                "token": f"the token in {ENV_TOKEN}",
                "basic": f"{ENV_USERNAME}/{ENV_PASSWORD}",
                "none": f"no credentials (set {ENV_TOKEN} or {ENV_USERNAME}/{ENV_PASSWORD})",
            }[self.config.auth_kind]
            raise self._error(f"Pact Broker refused {how} (HTTP {status}): {method} {url}")
        if status == 404:
            raise BrokerNotFound(
                self.redactor.text(f"Pact Broker has no {method} {_safe_url(url)} (HTTP 404)")
            )
        if status >= 500:
            raise self._error(f"Pact Broker failed (HTTP {status}): {method} {url}")
        if status >= 400:
            raise self._error(f"Pact Broker rejected {method} {url} (HTTP {status}): {_errors_of(response)}")
        return response

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code == 204 or not response.content:
            return {}
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not kind.endswith("json"):
            raise self._error(
                f"Pact Broker answered {response.request.method} {response.request.url} with "
                f"{kind or 'no content type'}, not HAL JSON (is the base URL a Pact Broker?)"
            )
        return body

    def _error(self, message: str) -> BrokerError:
        return BrokerError(self.redactor.text(_one_line(_strip_userinfo(message), 500)))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BrokerClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _strip_userinfo(text: str) -> str:
    return " ".join(_safe_url(word) if "://" in word and "@" in word else word for word in text.split(" "))
