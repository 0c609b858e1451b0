"""References within one (bundled) document, and the typed access every comparison goes through.

`Node` is a value of the document and its JSON pointer. `Resolver.resolve` follows a chain of `$ref`s
— JSON pointers (`#/components/schemas/Thread`, `~0`/`~1` and percent escapes decoded) and plain-name
fragments (`#thread`, JSON Schema 2020-12 `$anchor`); references to other files were turned into
pointers by `bundle` when the document was loaded, so one that is still external here came from a
document built in memory and is a `ContractError`. A chain that never reaches a value (`A → B → A`)
is one too. `Resolver.obj` / `Resolver.items` resolve and check the type the OpenAPI object model
wants there: a wrongly typed document (`requestBody: "x"`, `parameters: {}`) is one line naming the
file and the JSON pointer, exit 2 — never a traceback. Flattening schemas is `flatten`'s job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from providers.compat.bundle import display_pointer
from providers.errors import ContractError

if TYPE_CHECKING:
    from providers.compat.flatten import FlatSchema

#: Keywords that say nothing about which values are valid; ignored when fingerprinting schemas.
ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "summary",
        "example",
        "examples",
        "externalDocs",
        "$comment",
        "xml",
        "deprecated",
    }
)


@dataclass(frozen=True)
class Node:
    """A value of the document and where it is (a JSON pointer such as `#/paths/~1v2~1threads/get`)."""

    value: Any
    pointer: str

    def child(self, *keys: str | int) -> Node:
        value = self.value
        pointer = self.pointer
        for key in keys:
            if isinstance(value, dict):
                value = value[key]
            elif isinstance(value, list):
                if not isinstance(key, int):  # what `value[key]` raises: a list is indexed by position
                    raise TypeError(f"list indices must be integers or slices, not {type(key).__name__}")
                value = value[key]
            else:
                value = None
            pointer = f"{pointer}/{escape(str(key))}"
        return Node(value, pointer)

    def get(self, key: str) -> Node | None:
        if isinstance(self.value, dict) and key in self.value:
            return self.child(key)
        return None


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def pointer_of(*tokens: str) -> str:
    return "#" + "".join(f"/{escape(t)}" for t in tokens)


def ref_name(node: Node) -> str | None:
    """The last segment of a `$ref` the node is, e.g. "Thread" for `#/components/schemas/Thread`."""
    if isinstance(node.value, dict) and isinstance(node.value.get("$ref"), str):
        return unquote(node.value["$ref"]).rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return None


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def fingerprint(value: Any) -> str:
    """A schema's text without annotations, `$ref`s kept as written: equal fingerprints, same schema."""

    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in ANNOTATIONS and not str(k).startswith("x-")}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    return canonical(strip(value))


_NAMES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}


def type_name(value: Any) -> str:
    return "nothing" if value is None else _NAMES.get(type(value), type(value).__name__)


class Resolver:
    """Resolves references and flattens schemas of one document; `label` names it in errors."""

    def __init__(self, document: dict[str, Any], label: str) -> None:
        self.document = document
        self.label = label
        self.root = Node(document, "#")
        self._anchors: dict[str, Node] | None = None
        # (pointer, id(value)) → (value, flat): the value is kept so its id cannot be reused
        self._flat: dict[tuple[str, int], tuple[Any, FlatSchema]] = {}
        self._flattening: set[tuple[str, int]] = set()

    def error(self, pointer: str, problem: str) -> ContractError:
        return ContractError(f"{self.label}: {display_pointer(pointer)}: {problem}")

    # --- references ---------------------------------------------------------------------------

    def lookup(self, ref: Any, at: str) -> Node:
        if not isinstance(ref, str):
            raise self.error(at, f"$ref must be a string, found {type_name(ref)}")
        if not ref.startswith("#"):
            raise self.error(
                at,
                f"$ref {ref!r} points into another file, which was not read (load the document from its "
                "file or URL so references can be followed)",
            )
        fragment = unquote(ref[1:])
        if fragment and not fragment.startswith("/"):
            return self._anchor(fragment, ref, at)
        value: Any = self.document
        tokens = fragment.split("/")[1:] if fragment else []
        for raw in tokens:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif isinstance(value, dict) and token.isdigit() and int(token) in value:
                value = value[int(token)]  # a document built in memory with `200:` as an int key
            elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
                value = value[int(token)]
            else:
                raise self.error(at, f"$ref {ref!r} points at nothing")
        return Node(value, "#" + "".join(f"/{t}" for t in tokens))

    def _anchor(self, name: str, ref: str, at: str) -> Node:
        if self._anchors is None:
            self._anchors = {}
            stack = [self.root]
            while stack:
                node = stack.pop()
                if isinstance(node.value, dict):
                    anchor = node.value.get("$anchor")
                    if isinstance(anchor, str):
                        self._anchors.setdefault(anchor, node)
                    stack.extend(node.child(k) for k, v in node.value.items() if isinstance(v, (dict, list)))
                elif isinstance(node.value, list):
                    stack.extend(
                        node.child(i) for i, v in enumerate(node.value) if isinstance(v, (dict, list))
                    )
        if name not in self._anchors:
            raise self.error(at, f"$ref {ref!r} names no $anchor of the document")
        return self._anchors[name]

    def resolve(self, node: Node) -> Node:
        """Follow a chain of `$ref`s (Reference Objects) to the value it ends at."""
        seen = {node.pointer}
        while isinstance(node.value, dict) and "$ref" in node.value:
            node = self.lookup(node.value["$ref"], node.pointer)
            if node.pointer in seen:
                raise self.error(node.pointer, "$ref cycle")
            seen.add(node.pointer)
        return node

    def target(self, node: Node) -> Node:
        """A schema that is only a `$ref` (and annotations) → the schema it names; others unchanged."""
        seen = {node.pointer}
        while (
            isinstance(node.value, dict)
            and isinstance(node.value.get("$ref"), str)
            and all(k == "$ref" or k in ANNOTATIONS or str(k).startswith("x-") for k in node.value)
        ):
            found = self.lookup(node.value["$ref"], node.pointer)
            if found.pointer in seen:
                return node
            seen.add(found.pointer)
            node = found
        return node

    # --- typed access -------------------------------------------------------------------------

    def obj(self, node: Node, what: str) -> Node:
        """`node` resolved, which must be a mapping (an OpenAPI object)."""
        found = self.resolve(node)
        if not isinstance(found.value, dict):
            raise self.error(found.pointer, f"{what} must be a mapping, found {type_name(found.value)}")
        return found

    def field(self, node: Node, key: str, want: type | tuple[type, ...], what: str) -> Node | None:
        """`node[key]` when present, checked to be of type `want` (not resolved)."""
        if not isinstance(node.value, dict) or key not in node.value:
            return None
        kinds = want if isinstance(want, tuple) else (want,)
        child = node.child(key)
        if dict not in kinds and isinstance(child.value, dict) and "$ref" in child.value:
            child = self.resolve(child)
        value = child.value
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.error(child.pointer, f"{what} must be {_want(kinds)}, found {type_name(value)}")
        return child

    def mapping(self, node: Node, key: str, what: str) -> dict[str, Node]:
        """The entries of the mapping `node[key]` (absent: none), each resolved to a mapping."""
        found = self.field(node, key, dict, what)
        if found is None:
            return {}
        return {str(k): self.obj(found.child(k), f"{what} entry") for k in found.value}

    def listing(self, node: Node, key: str, what: str) -> list[Node]:
        """The items of the list `node[key]` (absent: none), each resolved to a mapping."""
        found = self.field(node, key, list, what)
        if found is None:
            return []
        return [self.obj(found.child(i), f"{what} item") for i in range(len(found.value))]

    def schema(self, node: Node) -> FlatSchema:
        from providers.compat.flatten import flatten

        key = (node.pointer, id(node.value))
        found = self._flat.get(key)
        if found is None:
            if key in self._flattening:
                raise self.error(node.pointer, "$ref cycle (a schema that is only itself)")
            self._flattening.add(key)
            try:
                found = (node.value, flatten(self, node))
            finally:
                self._flattening.discard(key)
            self._flat[key] = found
        return found[1]


def _want(want: type | tuple[type, ...]) -> str:
    kinds = want if isinstance(want, tuple) else (want,)
    return " or ".join(_NAMES.get(k, k.__name__) for k in kinds)
