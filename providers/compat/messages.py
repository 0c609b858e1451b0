"""Comparing what one operation exchanges: parameters, the request body, responses, their headers and
media types.

Header parameters are matched case-insensitively; `Accept`, `Content-Type` and `Authorization`
parameters are ignored, as OpenAPI says. Path parameters are matched by position in the template.
A response status is matched exactly, else by its range (`404` ↔ `4XX`). Media types are matched
exactly (case-insensitively), else a removed type covered by a new media range (`application/*`) is
compared with it. A media type without a schema accepts any body: a schema added to it narrows.

For a webhook or callback (`provider_calls`) the provider writes the request and reads the response:
parameters and bodies are compared as data clients receive, responses as data clients send, and the
rules about requiredness and statuses, which assume the client calls, are not applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from providers.compat import lifecycle
from providers.compat.lifecycle import DEPRECATION_HEADER, SUNSET_HEADER
from providers.compat.model import Direction
from providers.compat.resolve import Node, Resolver
from providers.compat.schemas import Where

if TYPE_CHECKING:
    from providers.compat.operations import DocumentComparator

IGNORED_HEADER_PARAMETERS = frozenset({"accept", "content-type", "authorization"})
_PARAMETER = re.compile(r"\{([^}/]*)\}")


def compare_operation(
    d: DocumentComparator,
    label: str,
    old_item: Node,
    new_item: Node,
    old: Node,
    new: Node,
    old_path: str,
    new_path: str,
    provider_calls: bool,
) -> None:
    _parameters(d, label, old_path, new_path, old_item, new_item, old, new, provider_calls)
    _request_body(d, label, old, new, provider_calls)
    _responses(d, label, old, new, provider_calls)


def _style(param: dict[str, object]) -> tuple[str, bool]:
    where = param.get("in")
    style = param.get("style") or ("form" if where in ("query", "cookie") else "simple")
    return str(style), bool(param.get("explode", style == "form"))


def _parameter_map(resolver: Resolver, path: str, item: Node, op: Node) -> dict[tuple[str, str], Node]:
    names = _PARAMETER.findall(path)
    found: dict[tuple[str, str], Node] = {}
    for source in (item, op):
        for param in resolver.listing(source, "parameters", "parameters"):
            name, where = str(param.value.get("name")), str(param.value.get("in"))
            if where == "header" and name.lower() in IGNORED_HEADER_PARAMETERS:
                continue
            if where == "path" and name in names:
                key = ("path", f"#{names.index(name)}")
            else:
                key = (where, name.lower() if where == "header" else name)
            found[key] = param
    return found


def parameter_schema(resolver: Resolver, param: Node) -> Node | None:
    """The schema of a parameter or header: `schema`, or the one of its single `content` entry."""
    if "schema" in param.value:
        schema = param.child("schema")
        if not isinstance(schema.value, (dict, bool)):
            raise resolver.error(schema.pointer, "a schema must be a mapping or a boolean")
        return schema
    content = resolver.mapping(param, "content", "content")
    for media in content.values():
        if "schema" in media.value:
            return media.child("schema")
    return None


def _parameters(
    d: DocumentComparator,
    label: str,
    old_path: str,
    new_path: str,
    old_item: Node,
    new_item: Node,
    old: Node,
    new: Node,
    provider_calls: bool,
) -> None:
    direction = Direction.RESPONSE if provider_calls else Direction.REQUEST
    before = _parameter_map(d.old, old_path, old_item, old)
    after = _parameter_map(d.new, new_path, new_item, new)
    for key, param in before.items():
        if key in after:
            continue
        where = f"{label} → {param.value.get('in')} parameter {param.value.get('name')}"
        kind, text = lifecycle.removal_kind(
            bool(param.value.get("deprecated")),
            lifecycle.parse_date(param.value.get("x-sunset")),
            d.today,
            plain="parameter-removed",
            deprecated_kind="deprecated-parameter-removed",
            early="parameter-removed-before-sunset",
        )
        message = (
            f"parameter {param.value.get('name')} removed"
            if kind == "parameter-removed"
            else f"parameter {param.value.get('name')} {text}"
        )
        d.change(kind, where, message, old_node=param)
    for key, param in after.items():
        where_kind = str(param.value.get("in"))
        name = str(param.value.get("name"))
        where = f"{label} → {where_kind} parameter {name}"
        required = bool(param.value.get("required")) or where_kind == "path"
        if key not in before:
            kind = "required-parameter-added" if required and not provider_calls else "parameter-added"
            d.change(
                kind, where, f"new {'required' if required else 'optional'} parameter {name}", new_node=param
            )
            continue
        previous = before[key]
        was_required = bool(previous.value.get("required")) or where_kind == "path"
        if required != was_required and not provider_calls:
            kind = "parameter-made-required" if required else "parameter-made-optional"
            text = f"parameter {name} {'now required' if required else 'no longer required'}"
            d.change(kind, where, text, old=was_required, new=required, old_node=previous, new_node=param)
        _parameter_lifecycle(d, where, name, previous, param)
        if _style(previous.value) != _style(param.value):
            text = f"parameter {name} style/explode {_style(previous.value)} → {_style(param.value)}"
            d.change("parameter-serialization-changed", where, text, old=list(_style(previous.value)),
                     new=list(_style(param.value)), old_node=previous, new_node=param)  # fmt: skip
        old_media = (
            sorted(str(m).lower() for m in previous.value.get("content") or {})
            if isinstance(previous.value.get("content"), dict)
            else []
        )
        new_media = (
            sorted(str(m).lower() for m in param.value.get("content") or {})
            if isinstance(param.value.get("content"), dict)
            else []
        )
        if old_media and new_media and old_media != new_media:
            d.change("parameter-media-type-changed", where, f"parameter {name} media type {old_media} → {new_media}",
                     old=old_media, new=new_media, old_node=previous, new_node=param)  # fmt: skip
        old_schema, new_schema = parameter_schema(d.old, previous), parameter_schema(d.new, param)
        if old_schema is not None and new_schema is not None:
            d.schemas.compare(
                old_schema, new_schema, direction, Where(f"{label} → {where_kind} parameter", name, " ")
            )


def _parameter_lifecycle(d: DocumentComparator, where: str, name: str, previous: Node, param: Node) -> None:
    was, now = bool(previous.value.get("deprecated")), bool(param.value.get("deprecated"))
    if now and not was:
        d.change("parameter-deprecated", where, f"parameter {name} marked deprecated", new_node=param)
    elif was and not now:
        d.change("parameter-undeprecated", where, f"parameter {name} no longer deprecated", new_node=param)
    if now:
        before = lifecycle.parse_date(previous.value.get("x-sunset"))
        after = lifecycle.parse_date(param.value.get("x-sunset"))
        for kind, text in lifecycle.sunset_kinds(before, after, True):
            d.change(kind, where, f"parameter {name}: {text}", old_node=previous, new_node=param)


# --- bodies and media types ----------------------------------------------------------------------


#: Media types that are one another's alias (RFC 7303 §9.2: text/xml is application/xml).
_ALIASES = {
    "text/xml": "application/xml",
    "application/x-json": "application/json",
    "text/json": "application/json",
}


def media_key(media: str) -> str:
    """A media type as compared: lower case, aliases unified, the `charset` parameter dropped (JSON and
    XML carry their encoding themselves); other parameters (`version=2`, `profile=`) are kept."""
    kind, *params = (part.strip() for part in media.lower().split(";"))
    kept = [p for p in params if p and not p.startswith("charset=")]
    return ";".join([_ALIASES.get(kind, kind), *kept])


def _content(resolver: Resolver, holder: Node | None) -> dict[str, Node]:
    if holder is None:
        return {}
    return {media_key(media): node for media, node in resolver.mapping(holder, "content", "content").items()}


def _covering(media: str, others: dict[str, Node]) -> str | None:
    """A media range of `others` that covers `media` (`application/*`, `*/*`)."""
    kind = media.split(";")[0].split("/")[0]
    for candidate in (f"{kind}/*", "*/*"):
        if candidate in others:
            return candidate
    return None


def media_types(
    d: DocumentComparator,
    before: Node | None,
    after: Node | None,
    direction: Direction,
    place: Callable[[str], str],
) -> None:
    """Media types of a request body or a response: removed, added, and the schemas of those kept."""
    verb = "accepted" if direction is Direction.REQUEST else "answered"
    old_media, new_media = _content(d.old, before), _content(d.new, after)
    for media, node in old_media.items():
        counterpart = media if media in new_media else _covering(media, new_media)
        if counterpart is None:
            d.change("media-type-removed", place(media), f"media type {media} no longer {verb}", old=media,
                     old_node=node, direction=direction)  # fmt: skip
            continue
        if counterpart != media:
            d.change("media-type-generalized", place(media), f"media type {media} → {counterpart}", old=media,
                     new=counterpart, old_node=node, new_node=new_media[counterpart], direction=direction)  # fmt: skip
        _schema(d, node, new_media[counterpart], direction, place(media))
    for media, node in new_media.items():
        if media not in old_media and not any(_covering(m, {media: node}) for m in old_media):
            d.change("media-type-added", place(media), f"media type {media} now {verb}", new=media, new_node=node,
                     direction=direction)  # fmt: skip


def _schema(d: DocumentComparator, before: Node, after: Node, direction: Direction, where: str) -> None:
    had, has = "schema" in before.value, "schema" in after.value
    if had and has:
        d.schemas.compare(before.child("schema"), after.child("schema"), direction, Where(where, "body"))
    elif has:
        d.change("media-type-schema-added", where, "a body that could be anything must now match a schema",
                 new_node=after.child("schema"), direction=direction)  # fmt: skip
    elif had:
        d.change("media-type-schema-removed", where, "the body is no longer described by a schema",
                 old_node=before.child("schema"), direction=direction)  # fmt: skip


def _request_body(d: DocumentComparator, label: str, old: Node, new: Node, provider_calls: bool) -> None:
    before = d.old.obj(old.child("requestBody"), "requestBody") if "requestBody" in old.value else None
    after = d.new.obj(new.child("requestBody"), "requestBody") if "requestBody" in new.value else None
    where = f"{label} → request body"
    direction = Direction.RESPONSE if provider_calls else Direction.REQUEST
    if before is None and after is None:
        return
    if before is None:
        assert after is not None
        required = bool(after.value.get("required"))
        kind = "request-body-added-required" if required and not provider_calls else "request-body-added"
        d.change(kind, where, f"new {'required' if required else 'optional'} request body", new_node=after)
        return
    if after is None:
        d.change("request-body-removed", where, "the operation takes no body any more", old_node=before)
        return
    was, now = bool(before.value.get("required")), bool(after.value.get("required"))
    if was != now and not provider_calls:
        kind = "request-body-made-required" if now else "request-body-made-optional"
        d.change(kind, where, "body now required" if now else "body no longer required", old=was, new=now,
                 old_node=before, new_node=after)  # fmt: skip
    media_types(d, before, after, direction, lambda media: f"{label} → request {media}")


# --- responses ------------------------------------------------------------------------------------


def _statuses(resolver: Resolver, op: Node) -> dict[str, Node]:
    return {
        code.upper() if code != "default" else "default": node
        for code, node in resolver.mapping(op, "responses", "responses").items()
    }


def _counterparts(status: str, statuses: dict[str, Node]) -> list[str]:
    if status in statuses:
        return [status]
    if status.isdigit() and f"{status[0]}XX" in statuses:
        return [f"{status[0]}XX"]
    if status.endswith("XX"):
        return [s for s in statuses if s.isdigit() and s[0] == status[0]]
    return []


def _responses(d: DocumentComparator, label: str, old: Node, new: Node, provider_calls: bool) -> None:
    before, after = _statuses(d.old, old), _statuses(d.new, new)
    for status, response in before.items():
        matches = _counterparts(status, after)
        if not matches and not provider_calls:
            success = status[0] in "123"
            kind = "response-success-status-removed" if success else "response-error-status-removed"
            d.change(kind, f"{label} → response {status}", f"status {status} no longer declared", old=status,
                     old_node=response)  # fmt: skip
        for match in matches:
            _response(
                d,
                f"{label} → response {match}",
                response,
                after[match],
                provider_calls,
                d.deprecated(d.new, new),
            )
    if provider_calls:
        return
    for status, response in after.items():
        if _counterparts(status, before):
            continue
        success = status[0] in "123"
        kind = "success-status-added" if success else "error-status-added"
        d.change(kind, f"{label} → response {status}", f"new {'success' if success else 'error'} status {status}",
                 new=status, new_node=response)  # fmt: skip


def _headers(resolver: Resolver, response: Node) -> dict[str, tuple[str, Node]]:
    return {
        name.lower(): (name, header)
        for name, header in resolver.mapping(response, "headers", "headers").items()
        if name.lower() != "content-type"
    }


def _response(
    d: DocumentComparator, base: str, old: Node, new: Node, provider_calls: bool, deprecated: bool
) -> None:
    direction = Direction.REQUEST if provider_calls else Direction.RESPONSE
    if not provider_calls:
        _response_headers(d, base, old, new, deprecated)
    media_types(d, old, new, direction, lambda media: f"{base} {media}")


def _response_headers(d: DocumentComparator, base: str, old: Node, new: Node, deprecated: bool) -> None:
    before, after = _headers(d.old, old), _headers(d.new, new)
    for key, (name, header) in before.items():
        where = f"{base} → header {name}"
        required = bool(header.value.get("required"))
        if key not in after and key in (SUNSET_HEADER, DEPRECATION_HEADER):
            continue  # the operation's deprecation and sunset are judged with the operation
        if key not in after:
            kind = "response-header-removed" if required else "optional-response-header-removed"
            d.change(
                kind,
                where,
                f"{'required' if required else 'optional'} header {name} removed",
                old_node=header,
            )
            continue
        _, now = after[key]
        if required and not now.value.get("required"):
            d.change(
                "response-header-made-optional",
                where,
                f"header {name} no longer required",
                old_node=header,
                new_node=now,
            )
        elif now.value.get("required") and not required:
            d.change(
                "response-header-made-required",
                where,
                f"header {name} now required",
                old_node=header,
                new_node=now,
            )
        old_schema, new_schema = parameter_schema(d.old, header), parameter_schema(d.new, now)
        if (
            old_schema is not None
            and new_schema is not None
            and key not in (SUNSET_HEADER, DEPRECATION_HEADER)
        ):
            d.schemas.compare(
                old_schema, new_schema, Direction.RESPONSE, Where(f"{base} → header", name, " ")
            )
    for key, (name, header) in after.items():
        if key in before:
            continue
        where = f"{base} → header {name}"
        if key in (SUNSET_HEADER, DEPRECATION_HEADER):
            d.change("sunset-announced", where, f"the response now carries {name}", new_node=header)
        else:
            d.change("response-header-added", where, f"new header {name}", new_node=header)
    for key in (SUNSET_HEADER, DEPRECATION_HEADER):
        # still deprecated: a lost sunset is the operation's `sunset-removed`, not a withdrawal
        if key in before and key not in after and not deprecated:
            name, header = before[key]
            d.change(
                "sunset-withdrawn",
                f"{base} → header {name}",
                f"the response no longer carries {name}",
                old_node=header,
            )
