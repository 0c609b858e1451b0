"""Comparing what two versions of an operation ask of callers: requirements, schemes, scopes, roles.

Security requirements are read generically. An operation's requirement is a list of alternatives,
each a set of schemes with the scopes (OAuth2) or role names (any other scheme, OpenAPI 3.1) it
needs; `[]` or an empty alternative means anonymous access. A change is breaking when some
alternative a client could satisfy before no longer satisfies any new alternative: a new scheme, a
new scope or role, a removed alternative. A scheme renamed with an identical definition still
matches. A scheme used by the operation in both documents is compared too: another type, HTTP
scheme, API-key name or place, `x-token-kind`, an audience dropped from `x-audiences`, an OAuth2
flow removed or its token URL changed all narrow it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from providers.compat.resolve import Node, Resolver, canonical

Requirement = dict[str, tuple[str, ...]]
#: `DocumentComparator._change(kind, location, message, *, old, new, old_node, new_node)`.
Report = Callable[..., None]


def describe(requirements: list[Requirement]) -> str:
    if not requirements or any(not alt for alt in requirements):
        return "no credentials"
    return " or ".join(
        " and ".join(
            f"{scheme} [{', '.join(scopes)}]" if scopes else scheme for scheme, scopes in alt.items()
        )
        for alt in requirements
    )


class SecurityComparator:
    def __init__(self, old: Resolver, new: Resolver, change: Report) -> None:
        self.old = old
        self.new = new
        self._change = change

    @staticmethod
    def _requirements(resolver: Resolver, op: Node) -> tuple[list[Requirement], Node]:
        if "security" in op.value:
            node = op.child("security")
        else:
            node = resolver.root.get("security") or Node([], "#/security")
        alternatives = node.value if isinstance(node.value, list) else []
        return (
            [
                {
                    str(scheme): tuple(str(s) for s in scopes) if isinstance(scopes, list) else ()
                    for scheme, scopes in alt.items()
                }
                for alt in alternatives
                if isinstance(alt, dict)
            ],
            node,
        )

    @staticmethod
    def _scheme(resolver: Resolver, name: str) -> dict[str, Any] | None:
        schemes = resolver.root.get("components")
        schemes = schemes.get("securitySchemes") if schemes else None
        if schemes is None or not isinstance(schemes.value, dict) or name not in schemes.value:
            return None
        value = resolver.resolve(schemes.child(name)).value
        return value if isinstance(value, dict) else None

    @staticmethod
    def _scheme_key(scheme: dict[str, Any] | None) -> str:
        """What a scheme accepts, as text: its definition without prose, HTTP scheme names in lower case."""
        key = {k: v for k, v in (scheme or {}).items() if k != "description"}
        if isinstance(key.get("scheme"), str):
            key["scheme"] = key["scheme"].lower()
        return canonical(key)

    def _meets(
        self, presented: Requirement, holder: Resolver, required: Requirement, judge: Resolver
    ) -> bool:
        """Whether a client meeting `presented` (a requirement of `holder`'s document) meets `required`
        (one of `judge`'s). A scheme matches by name, else by an identical definition (a rename); a
        changed definition under the same name is `security-scheme-*`'s business."""
        for scheme, scopes in required.items():
            have = presented.get(scheme)
            if have is None:
                wanted = self._scheme_key(self._scheme(judge, scheme))
                have = next(
                    (
                        s
                        for name, s in presented.items()
                        if self._scheme_key(self._scheme(holder, name)) == wanted
                    ),
                    None,
                )
            if have is None or not set(scopes) <= set(have):
                return False
        return True

    def compare(self, label: str, old: Node, new: Node) -> None:
        """Changes in what `old` and `new` (the same operation in both documents) ask of callers."""
        before, old_node = self._requirements(self.old, old)
        after, new_node = self._requirements(self.new, new)
        was_public = not before or any(not alt for alt in before)
        is_public = not after or any(not alt for alt in after)
        where = f"{label} → security"
        nodes = {"old_node": old_node, "new_node": new_node}
        if was_public:
            if not is_public:
                self._change("security-added", where, f"now requires {describe(after)}", new=after, **nodes)
            return
        self._schemes(label, before, after)
        if is_public:
            self._change(
                "security-relaxed",
                where,
                f"{describe(before)} → {describe(after)}",
                old=before,
                new=after,
                **nodes,
            )
            return
        unmet = [a for a in before if not any(self._meets(a, self.old, b, self.new) for b in after)]
        if unmet:
            text = f"{describe(unmet)} no longer enough; requires {describe(after)}"
            self._change("security-tightened", where, text, old=before, new=after, **nodes)
            return
        if any(not any(self._meets(b, self.new, a, self.old) for a in before) for b in after):
            self._change(
                "security-relaxed",
                where,
                f"{describe(before)} → {describe(after)}",
                old=before,
                new=after,
                **nodes,
            )

    def _schemes(self, label: str, before: list[Requirement], after: list[Requirement]) -> None:
        used_before = {name for alt in before for name in alt}
        used_after = {name for alt in after for name in alt}
        for name in sorted(used_before & used_after):
            old_scheme, new_scheme = self._scheme(self.old, name), self._scheme(self.new, name)
            if old_scheme is None or new_scheme is None:
                continue
            narrowed, widened = scheme_differences(old_scheme, new_scheme)
            where = f"{label} → security scheme {name}"
            if narrowed:
                self._change(
                    "security-scheme-narrowed", where, "; ".join(narrowed), old=old_scheme, new=new_scheme
                )
            elif widened:
                self._change(
                    "security-scheme-widened", where, "; ".join(widened), old=old_scheme, new=new_scheme
                )


def scheme_differences(old: dict[str, Any], new: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(what narrows, what widens) the tokens a security scheme accepts."""
    narrowed: list[str] = []
    widened: list[str] = []
    for key in ("type", "scheme", "in", "name", "openIdConnectUrl", "x-token-kind"):
        before, after = old.get(key), new.get(key)
        if key == "scheme":
            before, after = (str(v).lower() if v is not None else None for v in (before, after))
        if before != after:
            narrowed.append(f"{key} {before} → {after}")
    old_aud, new_aud = old.get("x-audiences"), new.get("x-audiences")
    if isinstance(old_aud, list) or isinstance(new_aud, list):
        lost = sorted(set(old_aud) - set(new_aud or [])) if isinstance(old_aud, list) else None
        gained = sorted(set(new_aud) - set(old_aud or [])) if isinstance(new_aud, list) else None
        if not isinstance(old_aud, list):
            narrowed.append(f"audiences now limited to {', '.join(map(str, new_aud or []))}")
        elif not isinstance(new_aud, list):
            widened.append("audiences no longer limited")
        else:
            if lost:
                narrowed.append(f"audience(s) {', '.join(map(str, lost))} no longer accepted")
            if gained:
                widened.append(f"audience(s) {', '.join(map(str, gained))} now accepted")
    old_value, new_value = old.get("flows"), new.get("flows")
    old_flows = old_value if isinstance(old_value, dict) else {}
    new_flows = new_value if isinstance(new_value, dict) else {}
    for flow, settings in old_flows.items():
        if flow not in new_flows:
            narrowed.append(f"OAuth2 flow {flow} removed")
            continue
        for url in ("tokenUrl", "authorizationUrl", "refreshUrl"):
            before = settings.get(url) if isinstance(settings, dict) else None
            after = new_flows[flow].get(url) if isinstance(new_flows[flow], dict) else None
            if before != after and not (url == "refreshUrl" and before is None):
                narrowed.append(f"{flow} {url} {before} → {after}")
    for flow in new_flows:
        if flow not in old_flows:
            widened.append(f"OAuth2 flow {flow} added")
    return narrowed, widened
