"""The oracle for compat's schema rules: documented values generated from a schema, judged by jsonschema.

`values(schema)` produces the values a client written against a schema would produce: every declared
property (none it was not told about, unless the schema declares a map), values at and around every
bound, every enum value, each alternative of a composition. `verdict(old, new)` then says, with
`jsonschema`'s 2020-12 validator, whether some request valid before is refused now (a value of `old`
that `new` rejects) and whether some response valid now was not allowed before (a value of `new` that
`old` rejects) — the two questions compat's severities answer.

`schemas()` and `mutations()` are the Hypothesis strategies: a small JSON Schema grammar and one edit
of it, each edit one that a compat rule is about.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import strategies as st
from jsonschema import Draft202012Validator

MAX_VALUES = 300
_GAP = object()
NAMES = ("a", "b", "c")
STRINGS = ("", "a", "ab", "abc", "ABC", "a1", "12", "z" * 12)
PATTERNS = {"^[a-z]+$": "abc", "^[0-9]+$": "12"}


def _clip(values: list[Any], limit: int = MAX_VALUES) -> list[Any]:
    seen: list[Any] = []
    keys: set[str] = set()
    for value in values:
        key = repr(value)
        if key not in keys:
            keys.add(key)
            seen.append(value)
        if len(seen) >= limit:
            break
    return seen


def values(schema: Any, depth: int = 0) -> list[Any]:
    """Candidate values a client would produce for `schema` (not all valid: the caller filters)."""
    if schema is True or schema is None or schema == {}:
        return ["x", 1, True, None, {}, []] if depth < 3 else ["x"]
    if schema is False:
        return []
    sources: list[list[Any]] = []  # interleaved, so a prefix of the result has some of each
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key, []):
            merged = {**{k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}, **branch}
            sources.append(values(merged, depth + 1))
    if "const" in schema:
        sources.append([schema["const"]])
    if "enum" in schema:
        sources.append(list(schema["enum"]))
    types = schema.get("type")
    kinds = [types] if isinstance(types, str) else list(types or [])
    if not kinds and not sources:
        kinds = ["object"] if "properties" in schema else ["string", "integer"]
    sources += [_of_type(kind, schema, depth) for kind in kinds]
    found = [v for group in itertools.zip_longest(*sources, fillvalue=_GAP) for v in group if v is not _GAP]
    return _clip(found)


def _numbers(schema: dict[str, Any], integer: bool) -> list[Any]:
    points = [0, 1, -1, 7, 100, 1000]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        if key in schema:
            points += [schema[key] + d for d in (-1, 0, 1)]
    if "multipleOf" in schema:
        points += [schema["multipleOf"] * k for k in (1, 2, 3, 5)]
    if not integer:
        points += [p + 0.5 for p in points[:8]]
    return [int(p) if integer else p for p in points]


def _strings(schema: dict[str, Any]) -> list[str]:
    found = list(STRINGS)
    if schema.get("pattern") in PATTERNS:
        found.append(PATTERNS[schema["pattern"]])
    for key in ("minLength", "maxLength"):
        if key in schema:
            for n in (schema[key] - 1, schema[key], schema[key] + 1):
                if 0 <= n <= 40:
                    found += ["a" * n, "1" * n]
    return found


def _of_type(kind: str, schema: dict[str, Any], depth: int) -> list[Any]:
    if kind == "null":
        return [None]
    if kind == "boolean":
        return [True, False]
    if kind == "string":
        return _strings(schema)
    if kind in ("integer", "number"):
        return _numbers(schema, kind == "integer")
    if kind == "array":
        return _arrays(schema, depth)
    if kind == "object":
        return _objects(schema, depth)
    return []


def _arrays(schema: dict[str, Any], depth: int) -> list[Any]:
    prefix = [values(s, depth + 1) or [None] for s in schema.get("prefixItems", [])]
    items = schema.get("items", True)
    element = values(items, depth + 1) if items is not False else []
    contained = values(schema["contains"], depth + 1)[:4] if "contains" in schema else []
    lengths = {0, 1, 2, 3, 5}
    for key in ("minItems", "maxItems", "minContains", "maxContains"):
        if key in schema:
            lengths |= {schema[key] - 1, schema[key], schema[key] + 1}
    lengths = {n for n in lengths if 0 <= n <= 6}
    head = [p[0] for p in prefix]
    found: list[Any] = []
    for index, options in enumerate(prefix):  # one tuple position at a time
        found += [[*head[:index], value, *head[index + 1 :]] for value in options]
    for value in [*element, *contained]:  # one element value at a time, at every length
        found += [(head + [value] * n)[: max(n, len(head))] for n in sorted(lengths)]
    distinct = element[:6]
    found += [head + distinct[:n] for n in sorted(lengths)]
    return _clip(found, 2 * MAX_VALUES)


def _objects(schema: dict[str, Any], depth: int) -> list[Any]:
    props: dict[str, Any] = schema.get("properties", {})
    required = [n for n in schema.get("required", []) if isinstance(n, str)]
    declared = list(props)
    for name in required:
        if name not in declared:
            declared.append(name)
    choices = {name: values(props.get(name, True), depth + 1) or [None] for name in declared}
    extra = schema.get("additionalProperties")
    if extra is None and not props and "patternProperties" not in schema:
        extra = True  # `type: object` and nothing else: a map of anything
    if isinstance(extra, dict) or extra is True:  # a declared map: its entries are documented too
        choices["zz"] = values(extra, depth + 1)[:3] or ["x"]
        declared.append("zz")
    first = {n: _first_valid(props.get(n, True), choices[n]) for n in declared}
    found: list[Any] = []
    subsets = [set(required), set(declared)] + [set(required) | {n} for n in declared]
    subsets += [set(c) for r in range(len(declared) + 1) for c in itertools.combinations(declared, r)][:24]
    for subset in subsets:
        found.append({n: first[n] for n in declared if n in subset})
    for name in declared:  # one property at a time through its values, the others as they first are
        for value in choices[name][1:]:
            found.append({**{n: first[n] for n in declared if n in required}, name: value})
            found.append({**first, name: value})
    return _clip(found)


def _first_valid(schema: Any, options: list[Any]) -> Any:
    """The first option the schema accepts (so varying another property is what decides validity)."""
    validator = Draft202012Validator(schema if isinstance(schema, (dict, bool)) else True)
    return next((v for v in options if _valid(validator, v)), options[0])


def _valid(validator: Draft202012Validator, value: Any) -> bool:
    try:
        return bool(validator.is_valid(value))
    except Exception:  # a value the validator cannot judge (a regex it cannot compile) proves nothing
        return False


def witnesses(source: Any, target: Any) -> list[Any]:
    """Values of `source` (valid there) that `target` refuses."""
    valid_source, valid_target = Draft202012Validator(source), Draft202012Validator(target)
    return [v for v in values(source) if _valid(valid_source, v) and not _valid(valid_target, v)]


def verdict(old: Any, new: Any) -> tuple[bool, bool]:
    """(a request valid before is refused now, a response valid now was not allowed before)."""
    return bool(witnesses(old, new)), bool(witnesses(new, old))


# --- the strategies -----------------------------------------------------------------------------

scalars = st.one_of(
    st.builds(
        lambda n, x: {"type": "string", **({"maxLength": x} if n else {"minLength": x})},
        st.booleans(),
        st.integers(1, 6),
    ),
    st.just({"type": "string"}),
    st.builds(
        lambda a, b: {"type": "integer", "minimum": min(a, b), "maximum": max(a, b) + 1},
        st.integers(0, 9),
        st.integers(0, 9),
    ),
    st.just({"type": "number"}),
    st.just({"type": "boolean"}),
    st.builds(
        lambda vs: {"type": "string", "enum": sorted(vs)},
        st.sets(st.sampled_from(["x", "y", "z", "w"]), min_size=1, max_size=3),
    ),
)


def _object(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, **({"required": required} if required else {})}


objects = st.builds(
    lambda props, req: _object(props, sorted(set(req) & set(props))),
    st.dictionaries(st.sampled_from(NAMES), scalars, min_size=1, max_size=3),
    st.lists(st.sampled_from(NAMES), max_size=2),
)
arrays = st.builds(
    lambda items, n: {"type": "array", "items": items, **({"maxItems": n} if n else {})},
    scalars,
    st.integers(0, 4),
)


def schemas() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        scalars, objects, arrays, st.builds(lambda o: {"type": "object", "properties": {"inner": o}}, objects)
    )


def _paths(schema: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            found += _paths(sub, (*here, "properties", name))
        if isinstance(schema.get("items"), dict):
            found += _paths(schema["items"], (*here, "items"))
    return found


def _at(schema: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        schema = schema[key]
    return schema


EDITS = (
    "bound+", "bound-", "bound-set", "bound-unset", "enum+", "enum-", "type", "nullable", "prop+", "prop-",
    "required+", "required-", "closed", "dependent", "not", "contains", "propertyNames", "oneOf", "anyOf",
    "prefixItems", "uniqueItems", "multipleOf", "if-then", "const",
)  # fmt: skip


def edit(schema: dict[str, Any], path: tuple[Any, ...], kind: str) -> dict[str, Any] | None:
    """`schema` with one edit of `kind` at `path`, or None when the edit does not apply there."""
    new = copy.deepcopy(schema)
    node = _at(new, path)
    types = node.get("type")
    bound = next((k for k in ("maxLength", "minLength", "maximum", "minimum", "maxItems") if k in node), None)
    if kind in ("bound+", "bound-") and bound:
        node[bound] = max(0, node[bound] + (1 if kind == "bound+" else -1))
    elif kind == "bound-set" and types in ("string", "integer", "array") and not bound:
        node[{"string": "maxLength", "integer": "maximum", "array": "maxItems"}[types]] = 3
    elif kind == "bound-unset" and bound:
        del node[bound]
    elif kind == "enum+" and "enum" in node:
        node["enum"] = [*node["enum"], "v"]
    elif kind == "enum-" and len(node.get("enum", [])) > 1:
        node["enum"] = node["enum"][:-1]
    elif kind == "type" and types in ("string", "integer", "number", "boolean"):
        node.clear()
        node["type"] = {"string": "integer", "integer": "number", "number": "integer", "boolean": "string"}[
            types
        ]
    elif kind == "nullable" and isinstance(types, str):
        node["type"] = [types, "null"]
    elif kind == "prop+" and types == "object":
        free = [n for n in NAMES if n not in node["properties"]]
        if not free:
            return None
        node["properties"][free[0]] = {"type": "string"}
    elif kind == "prop-" and types == "object" and node["properties"]:
        name = sorted(node["properties"])[-1]
        del node["properties"][name]
        node["required"] = [r for r in node.get("required", []) if r != name]
        if not node["required"]:
            node.pop("required")
    elif kind == "required+" and types == "object":
        free = [n for n in node["properties"] if n not in node.get("required", [])]
        if not free:
            return None
        node["required"] = [*node.get("required", []), free[0]]
    elif kind == "required-" and node.get("required"):
        node["required"] = node["required"][:-1]
        if not node["required"]:
            node.pop("required")
    elif kind == "closed" and types == "object":
        node["additionalProperties"] = False
    elif kind == "dependent" and types == "object" and len(node["properties"]) >= 2:
        first, second = sorted(node["properties"])[:2]
        node["dependentRequired"] = {first: [second]}
    elif kind == "not" and types in ("string", "integer"):
        node["not"] = {"const": "abc" if types == "string" else 1}
    elif kind == "contains" and types == "array":
        node["contains"] = node["items"]
        node["minContains"] = 2
    elif kind == "propertyNames" and types == "object":
        node["propertyNames"] = {"maxLength": 1}
    elif kind in ("oneOf", "anyOf") and path == () and types is not None:
        # an alternative of another type: overlapping alternatives are the hand-written pairs' business
        other = (
            {"type": "object", "properties": {"b": {"type": "string"}}}
            if types != "object"
            else {"type": "string"}
        )
        return {kind: [new, other]}
    elif kind == "prefixItems" and types == "array":
        node["prefixItems"] = [{"type": "string", "maxLength": 2}]
    elif kind == "uniqueItems" and types == "array":
        node["uniqueItems"] = True
    elif kind == "multipleOf" and types == "integer":
        node["multipleOf"] = 2
    elif kind == "if-then" and types == "object" and node["properties"]:
        name = sorted(node["properties"])[0]
        node["if"] = {"required": [name]}
        node["then"] = {"required": [n for n in NAMES if n != name][:1]}
    elif kind == "const" and types == "string" and "enum" not in node:
        node["const"] = "abc"
    else:
        return None
    return new


@st.composite
def mutations(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], str]:
    """(old schema, new schema, the edit): the new one is the old one with one edit; either may be
    the "old" side, so every edit is also tried undone."""
    schema = draw(schemas())
    path = draw(st.sampled_from(_paths(schema)))
    kind = draw(st.sampled_from(EDITS))
    changed = edit(schema, path, kind)
    if changed is None:
        from hypothesis import assume

        assume(False)
    assert changed is not None
    if draw(st.booleans()):
        return changed, schema, f"undo {kind} at {'/'.join(map(str, path)) or 'root'}"
    return schema, changed, f"{kind} at {'/'.join(map(str, path)) or 'root'}"
