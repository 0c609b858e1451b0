"""Comparing the operations of two OpenAPI documents: paths, webhooks, callbacks, their lifecycle.

Operations are paired by method and *normalised* path template: `/threads/{id}` and
`/threads/{thread_id}` are one path (OAS 3.1 Paths Object: templates that differ only in parameter
names are identical; a client fills the URL by position), and the rename is a change of its own
(`path-parameter-renamed`). An operation whose very path exists on the other side is paired with it
first, so a document holding both `/v13/deployments/{idOrUrl}` and `/v13/deployments/{id}` compares
equal to itself whatever the key order. An operation left over whose path differs only in a version
segment (`/v1/…` → `/v2/…`) is reported once as moved and then compared, which is how comparing a v1
document with its v2 successor lists what a client has to change.

Path items and operations may be references (`get: {$ref: ops.yaml#/getUser}`, resolved by `bundle`
and `Resolver`). Webhooks (OAS 3.1 `webhooks`) and the callbacks of an operation are operations the
*provider* calls: they are paired the same way and compared with the directions reversed — the
provider writes their requests, the client their responses. Parameters, bodies and responses are
`messages`'; security requirements `security`'s; deprecation and sunset dates `lifecycle`'s.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from providers.compat import lifecycle, messages
from providers.compat.bundle import display_pointer
from providers.compat.lifecycle import DEPRECATION_HEADER, SUNSET_HEADER
from providers.compat.model import Change, Direction, make_change
from providers.compat.resolve import Node, Resolver
from providers.compat.sameness import Sameness, refs_in
from providers.compat.schemas import SchemaComparator
from providers.compat.security import SecurityComparator
from providers.errors import ContractError

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace", "query")
_PARAMETER = re.compile(r"\{[^}/]*\}")
_VERSION = re.compile(r"(?<=/)v[0-9]+(?=/|$)")


def template_key(path: str) -> str:
    """`/threads/{thread_id}` → `/threads/{}`: templates differing only in names are one path."""
    return _PARAMETER.sub("{}", path)


def version_key(path: str) -> str:
    return _VERSION.sub("v*", template_key(path))


class DocumentComparator:
    """Compares two parsed OpenAPI documents; `run()` returns every change found, in document order."""

    def __init__(
        self,
        old: dict[str, Any],
        new: dict[str, Any],
        old_label: str,
        new_label: str,
        today: date | None = None,
    ) -> None:
        self.old = Resolver(old, old_label)
        self.new = Resolver(new, new_label)
        self.today = today or date.today()
        self.changes: list[Change] = []
        self.same = Sameness(self.old, self.new)
        self.schemas = SchemaComparator(self.old, self.new, self.changes.append, self.same)
        # operations name security schemes without a $ref: any change to them, and all are compared
        self._security_same = old.get("security") == new.get("security") and (
            old.get("components") or {}
        ).get("securitySchemes") == (new.get("components") or {}).get("securitySchemes")
        self.security = SecurityComparator(self.old, self.new, self.change)

    def run(self) -> list[Change]:
        self._references(self.old)
        if self.new.document is not self.old.document:
            self._references(self.new)
        self._paths()
        self._webhooks()
        self._components()
        return self.changes

    def change(
        self,
        kind: str,
        location: str,
        message: str,
        *,
        old: Any = None,
        new: Any = None,
        old_node: Node | None = None,
        new_node: Node | None = None,
        direction: Direction = Direction.REQUEST,
    ) -> None:
        self.changes.append(
            make_change(
                kind,
                direction,  # kinds with one severity ignore it
                location,
                message,
                old=old,
                new=new,
                old_pointer=display_pointer(old_node.pointer) if old_node else None,
                new_pointer=display_pointer(new_node.pointer) if new_node else None,
            )
        )

    @staticmethod
    def _references(resolver: Resolver) -> None:
        """Every reference of the document leads somewhere, and every component schema means something
        — also in parts no comparison reaches (a document compared with itself is skipped whole)."""
        refs = refs_in(resolver.document)
        broken = None
        for ref in sorted(refs):
            try:
                resolver.resolve(Node({"$ref": ref}, "#"))
            except ContractError:
                broken = ref
                break
        if broken is not None:
            stack = [resolver.root]  # find where the broken reference is written, for the message
            while stack:
                node = stack.pop()
                if isinstance(node.value, dict):
                    if node.value.get("$ref") == broken:
                        resolver.resolve(node)
                    stack.extend(node.child(k) for k, v in node.value.items() if isinstance(v, (dict, list)))
                elif isinstance(node.value, list):
                    stack.extend(
                        node.child(i) for i, v in enumerate(node.value) if isinstance(v, (dict, list))
                    )
        components = resolver.root.get("components")
        schemas = components.get("schemas") if components is not None else None
        if schemas is not None and isinstance(schemas.value, dict):
            for name in schemas.value:
                resolver.schema(schemas.child(name))

    # --- paths and operations -----------------------------------------------------------------

    def _operations(self, resolver: Resolver, items: dict[str, Node]) -> dict[tuple[str, str], Node]:
        """(path or name, method) → operation, for every path item of `items`."""
        found: dict[tuple[str, str], Node] = {}
        for path, item in items.items():
            for method in HTTP_METHODS:
                if isinstance(item.value, dict) and method in item.value:
                    found[(path, method)] = resolver.obj(item.child(method), f"the {method} operation")
        return found

    def _paths(self) -> None:
        old_items = self.old.mapping(self.old.root, "paths", "paths")
        new_items = self.new.mapping(self.new.root, "paths", "paths")
        pairs, gone, came = pair_paths(list(old_items), list(new_items))
        for old_path, new_path in pairs:
            if old_path != new_path and template_key(old_path) != template_key(new_path):
                self.change("path-moved", old_path, f"now served at {new_path} only", old=old_path, new=new_path,
                            old_node=old_items[old_path], new_node=new_items[new_path])  # fmt: skip
            elif old_path != new_path:
                self.change("path-parameter-renamed", new_path, f"path parameters renamed: {old_path} → {new_path}",
                            old=old_path, new=new_path, old_node=old_items[old_path], new_node=new_items[new_path])  # fmt: skip
        old_ops = self._operations(self.old, old_items)
        new_ops = self._operations(self.new, new_items)
        for old_path, new_path in pairs:
            for method in HTTP_METHODS:
                before, after = old_ops.get((old_path, method)), new_ops.get((new_path, method))
                label = f"{method.upper()} {new_path}"
                if before is not None and after is not None:
                    self.operation(
                        label, old_items[old_path], new_items[new_path], before, after, old_path, new_path
                    )
                elif before is not None:
                    self._removed(f"{method.upper()} {old_path}", before, whole_path=False)
                elif after is not None:
                    self.change("operation-added", label, "new operation", new_node=after)
        for path in gone:
            for (p, method), op in old_ops.items():
                if p == path:
                    self._removed(f"{method.upper()} {path}", op, whole_path=True)
        for path in came:
            for (p, method), op in new_ops.items():
                if p == path:
                    self.change("operation-added", f"{method.upper()} {path}", "new operation", new_node=op)

    def deprecated(self, resolver: Resolver, op: Node) -> bool:
        """`deprecated: true`, or a `Deprecation` (RFC 9745) or `Sunset` (RFC 8594) response header."""
        return bool(op.value.get("deprecated")) or any(
            DEPRECATION_HEADER in headers or SUNSET_HEADER in headers
            for headers in self._response_headers(resolver, op)
        )

    def sunset(self, resolver: Resolver, op: Node) -> lifecycle.Sunset:
        if "x-sunset" in op.value:
            return lifecycle.parse_date(op.value["x-sunset"])
        for headers in self._response_headers(resolver, op):
            if SUNSET_HEADER in headers:
                value = lifecycle.header_value(headers[SUNSET_HEADER])
                if value is not None:
                    return lifecycle.parse_date(value)
        return None

    @staticmethod
    def _response_headers(resolver: Resolver, op: Node) -> list[dict[str, Any]]:
        responses = op.value.get("responses")
        if not isinstance(responses, dict):
            return []
        found = []
        for code in responses:
            response = resolver.resolve(op.child("responses", code))
            headers = response.value.get("headers") if isinstance(response.value, dict) else None
            if isinstance(headers, dict):
                found.append(
                    {str(k).lower(): resolver.resolve(response.child("headers", k)).value for k in headers}
                )
        return found

    def _removed(self, label: str, op: Node, *, whole_path: bool) -> None:
        kind, text = lifecycle.removal_kind(
            self.deprecated(self.old, op),
            self.sunset(self.old, op),
            self.today,
            plain="operation-removed",
            deprecated_kind="deprecated-operation-removed",
            early="operation-removed-before-sunset",
        )
        where = " (the whole path is gone)" if whole_path else ""
        message = "operation removed" + where if kind == "operation-removed" else f"operation {text}{where}"
        self.change(kind, label, message, old_node=op)

    def operation(
        self,
        label: str,
        old_item: Node,
        new_item: Node,
        old: Node,
        new: Node,
        old_path: str,
        new_path: str,
        *,
        provider_calls: bool = False,
    ) -> None:
        """One operation in both documents; `provider_calls` for webhooks and callbacks."""
        if (
            self._security_same
            and self.same.same(old, new)
            and old_item.value.get("parameters") == new_item.value.get("parameters")
            and self.same.same(
                Node(old_item.value.get("parameters"), old_item.pointer),
                Node(new_item.value.get("parameters"), new_item.pointer),
            )
        ):
            return  # the same operation, leading only to unchanged components
        self._lifecycle(label, old, new)
        old_id, new_id = old.value.get("operationId"), new.value.get("operationId")
        if old_id != new_id and (old_id or new_id):
            self.change("operation-id-changed", label, f"operationId {old_id} → {new_id}", old=old_id, new=new_id,
                        old_node=old, new_node=new)  # fmt: skip
        old_tags = old.value.get("tags") if isinstance(old.value.get("tags"), list) else []
        new_tags = new.value.get("tags") if isinstance(new.value.get("tags"), list) else []
        for tag in new_tags:
            if tag not in old_tags:
                self.change("tag-added", label, f"tag {tag} added", new=tag, new_node=new)
        for tag in old_tags:
            if tag not in new_tags:
                self.change("tag-removed", label, f"tag {tag} removed", old=tag, old_node=old)
        if not provider_calls:
            self.security.compare(label, old, new)
        messages.compare_operation(
            self, label, old_item, new_item, old, new, old_path, new_path, provider_calls
        )
        self._callbacks(label, old, new)

    def _lifecycle(self, label: str, old: Node, new: Node) -> None:
        was, now = self.deprecated(self.old, old), self.deprecated(self.new, new)
        if now and not was:
            self.change(
                "operation-deprecated", label, "operation marked deprecated", old_node=old, new_node=new
            )
        elif was and not now:
            self.change("operation-undeprecated", label, "no longer deprecated", old_node=old, new_node=new)
        if now:
            for kind, text in lifecycle.sunset_kinds(
                self.sunset(self.old, old), self.sunset(self.new, new), True
            ):
                self.change(kind, label, text, old_node=old, new_node=new)
        level = lifecycle.stability_kind(
            old.value.get("x-stability-level"), new.value.get("x-stability-level")
        )
        if level is not None:
            self.change(level[0], label, level[1], old=old.value.get("x-stability-level"),
                        new=new.value.get("x-stability-level"), old_node=old, new_node=new)  # fmt: skip

    # --- webhooks and callbacks ---------------------------------------------------------------

    def _provider_calls(
        self, prefix: str, old_items: dict[str, Node], new_items: dict[str, Node], removed: str, added: str
    ) -> None:
        old_ops = self._operations(self.old, old_items)
        new_ops = self._operations(self.new, new_items)
        for (name, method), op in old_ops.items():
            label = f"{prefix}{name} {method.upper()}"
            if (name, method) not in new_ops:
                self.change(removed, label, f"{removed.split('-')[0]} removed", old_node=op)
                continue
            self.operation(
                label,
                old_items[name],
                new_items[name],
                op,
                new_ops[(name, method)],
                name,
                name,
                provider_calls=True,
            )
        for (name, method), op in new_ops.items():
            if (name, method) not in old_ops:
                self.change(
                    added, f"{prefix}{name} {method.upper()}", f"new {added.split('-')[0]}", new_node=op
                )

    def _webhooks(self) -> None:
        old_items = self.old.mapping(self.old.root, "webhooks", "webhooks")
        new_items = self.new.mapping(self.new.root, "webhooks", "webhooks")
        self._provider_calls("webhook ", old_items, new_items, "webhook-removed", "webhook-added")

    def _callbacks(self, label: str, old: Node, new: Node) -> None:
        old_callbacks = self.old.mapping(old, "callbacks", "callbacks")
        new_callbacks = self.new.mapping(new, "callbacks", "callbacks")
        for name in sorted(set(old_callbacks) | set(new_callbacks)):
            before = {
                f"{name} {k}": v for k, v in self._callback_items(self.old, old_callbacks.get(name)).items()
            }
            after = {
                f"{name} {k}": v for k, v in self._callback_items(self.new, new_callbacks.get(name)).items()
            }
            self._provider_calls(f"{label} → callback ", before, after, "callback-removed", "callback-added")

    @staticmethod
    def _callback_items(resolver: Resolver, callback: Node | None) -> dict[str, Node]:
        if callback is None:
            return {}
        return {
            str(expression): resolver.obj(callback.child(expression), "a callback path item")
            for expression in callback.value
        }

    # --- components ---------------------------------------------------------------------------

    def _components(self) -> None:
        for section, kind, what in (("schemas", "component-schema-removed", "schema"),
                                    ("securitySchemes", "security-scheme-removed", "security scheme")):  # fmt: skip
            old = self._component_names(self.old, section)
            new = self._component_names(self.new, section)
            for name in old:
                if name not in new:
                    self.change(kind, f"components.{section}.{name}", f"{what} {name} removed", old=name)
            if section == "securitySchemes":
                for name in new:
                    if name not in old:
                        self.change(
                            "security-scheme-added",
                            f"components.{section}.{name}",
                            f"{what} {name} added",
                            new=name,
                        )

    @staticmethod
    def _component_names(resolver: Resolver, section: str) -> list[str]:
        components = resolver.root.value.get("components")
        if not isinstance(components, dict) or not isinstance(components.get(section), dict):
            return []
        return [str(name) for name in components[section]]


def pair_paths(old: list[str], new: list[str]) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(pairs, paths only in old, paths only in new): exact paths first, then normalised templates when
    one is left on each side, then paths differing only in a version segment."""
    new_set = set(new)
    pairs = [(p, p) for p in old if p in new_set]
    paired_old = {p for p, _ in pairs}
    paired_new = set(paired_old)
    left_old = [p for p in old if p not in paired_old]
    left_new = [q for q in new if q not in paired_new]
    for key_of in (template_key, version_key):
        by_key_old: dict[str, list[str]] = {}
        by_key_new: dict[str, list[str]] = {}
        for p in left_old:
            by_key_old.setdefault(key_of(p), []).append(p)
        for q in left_new:
            by_key_new.setdefault(key_of(q), []).append(q)
        for key, olds in by_key_old.items():
            news = by_key_new.get(key, [])
            if key_of is version_key and key == template_key(olds[0]):
                continue  # no version segment: not a move
            if len(olds) == 1 and len(news) == 1:
                pairs.append((olds[0], news[0]))
                left_old.remove(olds[0])
                left_new.remove(news[0])
    return pairs, left_old, left_new
