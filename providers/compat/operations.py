"""Comparing the operations of two OpenAPI documents: paths, parameters, bodies, responses, security.

Paths are matched by template, so `/threads/{id}` and `/threads/{thread_id}` are the same path (a
client fills the URL by position; path parameters are matched by position too). A path that exists
only in the old document and whose twin under another version segment (`/v1/…` → `/v2/…`) exists
only in the new one is reported once as moved and then compared operation by operation, which is how
comparing a v1 document with its v2 successor lists what a client has to change. Header parameters
are matched case-insensitively; `Accept`, `Content-Type` and `Authorization` parameters are ignored,
as OpenAPI says. A response status is matched exactly, else by its range (`404` ↔ `4XX`).
Security requirements and schemes are compared by `security`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from providers.compat.model import Change, Direction, make_change
from providers.compat.resolve import Node, Resolver
from providers.compat.schemas import SchemaComparator, Where
from providers.compat.security import SecurityComparator

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
IGNORED_HEADER_PARAMETERS = frozenset({"accept", "content-type", "authorization"})
DEPRECATION_HEADERS = frozenset({"sunset", "deprecation"})
_PARAMETER = re.compile(r"\{[^}/]*\}")
_VERSION = re.compile(r"(?<=/)v[0-9]+(?=/|$)")


def template_key(path: str) -> str:
    """`/threads/{thread_id}` → `/threads/{}`: templates differing only in names are one path."""
    return _PARAMETER.sub("{}", path)


def version_key(path: str) -> str:
    return _VERSION.sub("v*", template_key(path))


def _style(param: dict[str, Any]) -> tuple[str, bool]:
    where = param.get("in")
    style = param.get("style") or ("form" if where in ("query", "cookie") else "simple")
    return str(style), bool(param.get("explode", style == "form"))


class DocumentComparator:
    """Compares two parsed OpenAPI documents; `run()` returns every change found, in document order."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any], old_label: str, new_label: str) -> None:
        self.old = Resolver(old, old_label)
        self.new = Resolver(new, new_label)
        self.changes: list[Change] = []
        self.schemas = SchemaComparator(self.old, self.new, self.changes.append)
        self.security = SecurityComparator(self.old, self.new, self._change)

    def run(self) -> list[Change]:
        self._paths()
        return self.changes

    def _change(
        self,
        kind: str,
        location: str,
        message: str,
        *,
        old: Any = None,
        new: Any = None,
        old_node: Node | None = None,
        new_node: Node | None = None,
    ) -> None:
        self.changes.append(
            make_change(
                kind,
                Direction.REQUEST,  # the kinds reported here have one severity for both directions
                location,
                message,
                old=old,
                new=new,
                old_pointer=old_node.pointer if old_node else None,
                new_pointer=new_node.pointer if new_node else None,
            )
        )

    # --- paths and operations -----------------------------------------------------------------

    def _path_items(self, resolver: Resolver) -> dict[str, Node]:
        paths = resolver.root.get("paths")
        if paths is None or not isinstance(paths.value, dict):
            return {}
        return {str(path): resolver.resolve(paths.child(path)) for path in paths.value}

    def _paths(self) -> None:
        old_items, new_items = self._path_items(self.old), self._path_items(self.new)
        new_by_key = {template_key(p): p for p in new_items}
        pairs: list[tuple[str, str]] = []
        gone: list[str] = []
        for path in old_items:
            twin = new_by_key.get(template_key(path))
            (pairs.append((path, twin)) if twin is not None else gone.append(path))
        paired = {q for _, q in pairs}
        came = [q for q in new_items if q not in paired]
        for path in list(gone):
            key = version_key(path)
            if key == template_key(path):
                continue
            olds = [p for p in gone if version_key(p) == key]
            news = [q for q in came if version_key(q) == key]
            if len(olds) == 1 and len(news) == 1:
                twin = news[0]
                gone.remove(path)
                came.remove(twin)
                pairs.append((path, twin))
                self._change(
                    "path-moved",
                    path,
                    f"now served at {twin} only",
                    old=path,
                    new=twin,
                    old_node=old_items[path],
                    new_node=new_items[twin],
                )
        for path, twin in pairs:
            self._path(path, twin, old_items[path], new_items[twin])
        for path in gone:
            for method, op in self._operations(old_items[path]):
                self._removed(method, path, op, whole_path=True)
        for path in came:
            for method, op in self._operations(new_items[path]):
                self._change("operation-added", f"{method.upper()} {path}", "new operation", new_node=op)

    @staticmethod
    def _operations(item: Node) -> list[tuple[str, Node]]:
        if not isinstance(item.value, dict):
            return []
        return [(m, item.child(m)) for m in HTTP_METHODS if isinstance(item.value.get(m), dict)]

    def _removed(self, method: str, path: str, op: Node, *, whole_path: bool) -> None:
        where = " (the whole path is gone)" if whole_path else ""
        if op.value.get("deprecated"):
            kind = "deprecated-operation-removed"
            text = f"operation removed{where}; it was deprecated, but clients that have not migrated break"
        else:
            kind, text = "operation-removed", f"operation removed{where}"
        self._change(kind, f"{method.upper()} {path}", text, old_node=op)

    def _path(self, old_path: str, new_path: str, old_item: Node, new_item: Node) -> None:
        old_ops, new_ops = dict(self._operations(old_item)), dict(self._operations(new_item))
        for method in HTTP_METHODS:
            if method in old_ops and method in new_ops:
                self._operation(
                    method, old_path, new_path, old_item, new_item, old_ops[method], new_ops[method]
                )
            elif method in old_ops:
                self._removed(method, old_path, old_ops[method], whole_path=False)
            elif method in new_ops:
                self._change(
                    "operation-added",
                    f"{method.upper()} {new_path}",
                    "new operation",
                    new_node=new_ops[method],
                )

    def _operation(
        self, method: str, old_path: str, new_path: str, old_item: Node, new_item: Node, old: Node, new: Node
    ) -> None:
        label = f"{method.upper()} {new_path}"
        was, now = bool(old.value.get("deprecated")), bool(new.value.get("deprecated"))
        if now and not was:
            self._change(
                "operation-deprecated", label, "operation marked deprecated", old_node=old, new_node=new
            )
        elif was and not now:
            self._change("operation-undeprecated", label, "no longer deprecated", old_node=old, new_node=new)
        old_id, new_id = old.value.get("operationId"), new.value.get("operationId")
        if old_id and new_id and old_id != new_id:
            text = f"operationId {old_id} → {new_id}"
            self._change(
                "operation-id-changed", label, text, old=old_id, new=new_id, old_node=old, new_node=new
            )
        self.security.compare(label, old, new)
        self._parameters(label, old_path, new_path, old_item, new_item, old, new)
        self._request_body(label, old, new)
        self._responses(label, old, new)

    # --- parameters and request bodies --------------------------------------------------------

    def _parameter_map(
        self, resolver: Resolver, path: str, item: Node, op: Node
    ) -> dict[tuple[str, str], Node]:
        names = [name[1:-1] for name in _PARAMETER.findall(path)]
        found: dict[tuple[str, str], Node] = {}
        for source in (item, op):
            listed = source.get("parameters")
            if listed is None or not isinstance(listed.value, list):
                continue
            for index in range(len(listed.value)):
                param = resolver.resolve(listed.child(index))
                if not isinstance(param.value, dict):
                    continue
                name, where = str(param.value.get("name")), str(param.value.get("in"))
                if where == "header" and name.lower() in IGNORED_HEADER_PARAMETERS:
                    continue
                if where == "path" and name in names:
                    key = ("path", f"#{names.index(name)}")
                else:
                    key = (where, name.lower() if where == "header" else name)
                found[key] = param
        return found

    @staticmethod
    def _parameter_schema(param: Node) -> Node | None:
        if isinstance(param.value.get("schema"), (dict, bool)):
            return param.child("schema")
        content = param.value.get("content")
        if isinstance(content, dict) and content:
            media = next(iter(content))
            if isinstance(content[media], dict) and "schema" in content[media]:
                return param.child("content", media, "schema")
        return None

    def _parameters(
        self, label: str, old_path: str, new_path: str, old_item: Node, new_item: Node, old: Node, new: Node
    ) -> None:
        before = self._parameter_map(self.old, old_path, old_item, old)
        after = self._parameter_map(self.new, new_path, new_item, new)
        for key, param in before.items():
            if key not in after:
                where = f"{label} → {param.value.get('in')} parameter {param.value.get('name')}"
                self._change(
                    "parameter-removed", where, f"parameter {param.value.get('name')} removed", old_node=param
                )
        for key, param in after.items():
            where_kind = str(param.value.get("in"))
            name = str(param.value.get("name"))
            where = f"{label} → {where_kind} parameter {name}"
            required = bool(param.value.get("required")) or where_kind == "path"
            if key not in before:
                kind = "required-parameter-added" if required else "parameter-added"
                text = f"new {'required' if required else 'optional'} parameter {name}"
                self._change(kind, where, text, new_node=param)
                continue
            previous = before[key]
            was_required = bool(previous.value.get("required")) or where_kind == "path"
            if required != was_required:
                kind = "parameter-made-required" if required else "parameter-made-optional"
                text = f"parameter {name} {'now required' if required else 'no longer required'}"
                self._change(
                    kind, where, text, old=was_required, new=required, old_node=previous, new_node=param
                )
            if param.value.get("deprecated") and not previous.value.get("deprecated"):
                self._change(
                    "parameter-deprecated", where, f"parameter {name} marked deprecated", new_node=param
                )
            if _style(previous.value) != _style(param.value):
                text = f"parameter {name} style/explode {_style(previous.value)} → {_style(param.value)}"
                self._change(
                    "parameter-serialization-changed",
                    where,
                    text,
                    old=list(_style(previous.value)),
                    new=list(_style(param.value)),
                    old_node=previous,
                    new_node=param,
                )
            old_schema, new_schema = self._parameter_schema(previous), self._parameter_schema(param)
            if old_schema is not None and new_schema is not None:
                self.schemas.compare(
                    old_schema,
                    new_schema,
                    Direction.REQUEST,
                    Where(f"{label} → {where_kind} parameter", name, " "),
                )

    def _media_types(
        self, before: Node, after: Node, direction: Direction, place: Callable[[str], str]
    ) -> None:
        """Media types of a request body or a response: removed, added, and the schemas of those kept."""
        side, verb = ("request", "accepted") if direction is Direction.REQUEST else ("response", "answered")
        old_media, new_media = self._content(before), self._content(after)
        for media, node in old_media.items():
            if media not in new_media:
                self._change(
                    f"{side}-media-type-removed",
                    place(media),
                    f"media type {media} no longer {verb}",
                    old=media,
                    old_node=node,
                )
            elif node.get("schema") and new_media[media].get("schema"):
                self.schemas.compare(
                    node.child("schema"),
                    new_media[media].child("schema"),
                    direction,
                    Where(place(media), "body"),
                )
        for media, node in new_media.items():
            if media not in old_media:
                self._change(
                    f"{side}-media-type-added",
                    place(media),
                    f"media type {media} now {verb}",
                    new=media,
                    new_node=node,
                )

    @staticmethod
    def _content(body: Node | None) -> dict[str, Node]:
        if (
            body is None
            or not isinstance(body.value, dict)
            or not isinstance(body.value.get("content"), dict)
        ):
            return {}
        return {str(media).lower(): body.child("content", media) for media in body.value["content"]}

    def _request_body(self, label: str, old: Node, new: Node) -> None:
        before = self.old.resolve(old.child("requestBody")) if old.get("requestBody") else None
        after = self.new.resolve(new.child("requestBody")) if new.get("requestBody") else None
        where = f"{label} → request body"
        if before is None and after is None:
            return
        if before is None:
            assert after is not None
            required = bool(after.value.get("required"))
            kind = "request-body-added-required" if required else "request-body-added"
            self._change(
                kind, where, f"new {'required' if required else 'optional'} request body", new_node=after
            )
            return
        if after is None:
            self._change(
                "request-body-removed", where, "the operation takes no body any more", old_node=before
            )
            return
        was, now = bool(before.value.get("required")), bool(after.value.get("required"))
        if was != now:
            kind = "request-body-made-required" if now else "request-body-made-optional"
            text = "body now required" if now else "body no longer required"
            self._change(kind, where, text, old=was, new=now, old_node=before, new_node=after)
        self._media_types(before, after, Direction.REQUEST, lambda media: f"{label} → request {media}")

    # --- responses ----------------------------------------------------------------------------

    def _statuses(self, resolver: Resolver, op: Node) -> dict[str, Node]:
        responses = op.get("responses")
        if responses is None or not isinstance(responses.value, dict):
            return {}
        return {
            str(code).upper() if str(code) != "default" else "default": resolver.resolve(
                responses.child(code)
            )
            for code in responses.value
        }

    @staticmethod
    def _counterparts(status: str, statuses: dict[str, Node]) -> list[str]:
        if status in statuses:
            return [status]
        if status.isdigit() and f"{status[0]}XX" in statuses:
            return [f"{status[0]}XX"]
        if status.endswith("XX"):
            return [s for s in statuses if s.isdigit() and s[0] == status[0]]
        return []

    def _responses(self, label: str, old: Node, new: Node) -> None:
        before, after = self._statuses(self.old, old), self._statuses(self.new, new)
        for status, response in before.items():
            matches = self._counterparts(status, after)
            if not matches:
                self._change(
                    "response-status-removed",
                    f"{label} → response {status}",
                    f"status {status} no longer declared",
                    old=status,
                    old_node=response,
                )
            for match in matches:
                self._response(f"{label} → response {match}", response, after[match])
        for status, response in after.items():
            if self._counterparts(status, before):
                continue
            success = status[0] in "123"
            kind = "success-status-added" if success else "error-status-added"
            text = f"new {'success' if success else 'error'} status {status}"
            self._change(kind, f"{label} → response {status}", text, new=status, new_node=response)

    def _headers(self, resolver: Resolver, response: Node) -> dict[str, tuple[str, Node]]:
        headers = response.get("headers")
        if headers is None or not isinstance(headers.value, dict):
            return {}
        return {
            str(name).lower(): (str(name), resolver.resolve(headers.child(name)))
            for name in headers.value
            if str(name).lower() != "content-type"
        }

    def _response(self, base: str, old: Node, new: Node) -> None:
        before, after = self._headers(self.old, old), self._headers(self.new, new)
        for key, (name, header) in before.items():
            where = f"{base} → header {name}"
            required = bool(header.value.get("required"))
            if key not in after and key in DEPRECATION_HEADERS:
                self._change(
                    "sunset-withdrawn", where, f"the response no longer carries {name}", old_node=header
                )
                continue
            if key not in after:
                kind = "response-header-removed" if required else "optional-response-header-removed"
                self._change(
                    kind,
                    where,
                    f"{'required' if required else 'optional'} header {name} removed",
                    old_node=header,
                )
                continue
            _, now = after[key]
            if required and not now.value.get("required"):
                self._change(
                    "response-header-made-optional",
                    where,
                    f"header {name} no longer required",
                    old_node=header,
                    new_node=now,
                )
            old_schema, new_schema = self._parameter_schema(header), self._parameter_schema(now)
            if old_schema is not None and new_schema is not None:
                self.schemas.compare(
                    old_schema, new_schema, Direction.RESPONSE, Where(f"{base} → header", name, " ")
                )
        for key, (name, header) in after.items():
            if key in before:
                continue
            where = f"{base} → header {name}"
            if key in DEPRECATION_HEADERS:
                self._change("sunset-announced", where, f"the response now carries {name}", new_node=header)
            else:
                self._change("response-header-added", where, f"new header {name}", new_node=header)
        self._media_types(old, new, Direction.RESPONSE, lambda media: f"{base} {media}")
