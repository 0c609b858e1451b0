"""The deprecation signals' wire formats, parsed strictly: RFC 9745, RFC 8594 (with RFC 9110) and RFC 8288.

- `Deprecation` (RFC 9745 §2.1) is a Structured Field Item whose value is a Date (RFC 9651 §3.3.7):
  `@` and an integer of seconds since the epoch, e.g. `@1767225600`; parameters may follow.
- `Sunset` (RFC 8594 §3) is an HTTP-date; senders must generate the IMF-fixdate form
  (RFC 9110 §5.6.7), e.g. `Thu, 01 Jan 2026 00:00:00 GMT` — the obsolete RFC 850 and asctime forms
  are refused here, as a strict contract test should.
- `Link` (RFC 8288 §3) is a comma-separated list of `<target>; param=value` links, possibly over several
  header lines; `rel` holds space-separated relation types, compared case-insensitively.

Each parser raises `ValueError` with a message that says what is wrong, for the check's "observed".
"""

from __future__ import annotations

import re
from calendar import timegm
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

_SF_DATE = re.compile(r"@(-?[0-9]{1,15})((?:\s*;\s*[a-z*][a-z0-9_.*-]*(?:=[^;]*)?)*)")
_IMF_FIXDATE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_sf_date(value: str) -> int:
    """`@1767225600` → 1767225600 (RFC 9651 Date, as RFC 9745 requires of `Deprecation`)."""
    text = value.strip()
    match = _SF_DATE.fullmatch(text)
    if match is None:
        if text.lower() == "true":
            raise ValueError(
                "'true' is the withdrawn draft syntax; RFC 9745 requires a date '@<epoch seconds>'"
            )
        raise ValueError(f"{value!r} is not a structured-field date '@<epoch seconds>'")
    return int(match.group(1))


def parse_http_date(value: str) -> int:
    """An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) → epoch seconds; other forms are refused."""
    text = value.strip()
    match = _IMF_FIXDATE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"{value!r} is not an HTTP-date in IMF-fixdate form ('Sun, 06 Nov 1994 08:49:37 GMT')"
        )
    weekday, day, month, year, hour, minute, second = match.groups()
    try:
        moment = datetime(
            int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a calendar date ({exc})") from None
    if _DAYS[moment.weekday()] != weekday:
        raise ValueError(f"{value!r}: {moment.date()} is a {_DAYS[moment.weekday()]}, not a {weekday}")
    return timegm(moment.utctimetuple())


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Link:
    target: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def rels(self) -> tuple[str, ...]:
        return tuple(r.lower() for r in self.params.get("rel", "").split())


def _split(text: str, separator: str) -> list[str]:
    """Split on `separator` outside `<…>` and quoted strings."""
    parts, current, quoted, bracketed, escaped = [], [], False, False, False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
            continue
        if char == "\\" and quoted:
            escaped = True
        elif char == '"' and not bracketed:
            quoted = not quoted
        elif char == "<" and not quoted:
            bracketed = True
        elif char == ">" and not quoted:
            bracketed = False
        elif char == separator and not quoted and not bracketed:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def parse_links(values: Iterable[str]) -> list[Link]:
    """Every link of every `Link` header line (RFC 8288 §3)."""
    links = []
    for value in values:
        for item in _split(value, ","):
            target, _, rest = item.partition(";")
            target = target.strip()
            if not (target.startswith("<") and target.endswith(">")):
                raise ValueError(f"{item!r} is not a link: the target must be written '<URI-reference>'")
            params: dict[str, str] = {}
            for param in _split(rest, ";"):
                name, _, raw = param.partition("=")
                raw = raw.strip()
                if len(raw) >= 2 and raw[0] == raw[-1] == '"':
                    raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
                # RFC 8288 §3.3: only the first occurrence of `rel` counts.
                params.setdefault(name.strip().lower(), raw)
            links.append(Link(target[1:-1].strip(), params))
    return links
