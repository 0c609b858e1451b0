"""Bytes of a JSON or YAML document → a mapping, fast and bounded; one-line `ContractError`s otherwise.

compat reads large public API descriptions, so it has its own loader rather than the project's shared
`contracts.load_document`:

- **Bounded.** A document larger than `MAX_BYTES` is refused before parsing. YAML aliases are counted
  as they would expand: a document whose expanded size passes `MAX_EXPANDED_NODES` (and ten times its
  own size) — an alias bomb — or whose aliases are recursive is refused, in milliseconds.
- **Fast.** JSON goes to `json.loads`. YAML goes to rapidyaml (`ryml`, C++) and its JSON emitter when
  the text has no anchor, alias or tag and no plain scalar the two parsers could read differently;
  everything else (and everything when `ryml` is missing) goes to PyYAML's C loader, the pure-Python
  one as the last resort. rapidyaml writes its parse errors to file descriptor 2 before raising: the
  parse runs with that descriptor pointed at /dev/null, and the error is then reported by PyYAML.
- **One meaning.** Both YAML paths read plain scalars by the YAML 1.2 core schema (what OpenAPI 3
  recommends): `yes`/`on` and dates stay strings, `~`/`Null` are null, `0o17` is 15, `012` is 12.
  Mapping keys are always the text written (`200:` is "200", `true:` is "true").
- **Text.** UTF-8 (a byte-order mark is dropped), or UTF-16/UTF-32 announced by their byte-order mark;
  anything else is "not UTF-8 text" with the offset of the first bad byte.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from providers.errors import ContractError

try:  # rapidyaml is optional at run time: without it YAML takes the PyYAML path
    import ryml as _ryml
except ImportError:  # pragma: no cover - depends on the installation
    _ryml = None

MAX_BYTES = 64 * 1024 * 1024
MAX_EXPANDED_NODES = 2_000_000

_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# An anchor, alias or tag token, and plain scalars rapidyaml's JSON emitter writes differently from
# the YAML 1.2 core schema. Found with cheap patterns, then confirmed where a node starts.
_PROPERTY = re.compile(rb"[&*!][^\s\[\]{},]")
_SCALAR_HINT = re.compile(
    rb"~|N(?:ull|ULL)|T(?:rue|RUE)|F(?:alse|ALSE)|\.(?:inf|Inf|INF|nan|NaN|NAN)|0[ox0-9]|\+[0-9.]"
)
_RISKY_SCALAR = re.compile(
    rb"(?:~|Null|NULL|True|TRUE|False|FALSE|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0o[0-7]+|0x[0-9a-fA-F]+"
    rb"|[-+]?0[0-9]+(?:\.[0-9]*)?|\+[0-9.][0-9.eE+-]*)[ \t]*(?:\r|\n|$|[,\]}#])"
)
_BEFORE_NODE = frozenset(b" \t\r\n[{,")


def _node_start(data: bytes, at: int) -> bool:
    """Whether a node may start at `at`: after indentation and `- `, after `: `/`? `, or in a flow."""
    prefix = data[data.rfind(b"\n", 0, at) + 1 : at]
    if not prefix or prefix[-1:] in (b"[", b"{", b","):
        return True
    head = prefix.rstrip(b" \t")
    return not head.strip(b" \t-") or head[-1:] in (b":", b"?", b"-", b"[", b"{", b",")


def _needs_pyyaml(data: bytes) -> bool:
    for match in _PROPERTY.finditer(data):
        at = match.start()
        if (at == 0 or data[at - 1] in _BEFORE_NODE) and _node_start(data, at):
            return True
    for match in _SCALAR_HINT.finditer(data):
        at = match.start()
        if at and data[at - 1] in b"-+":
            at -= 1
        if (
            (at == 0 or data[at - 1] in _BEFORE_NODE)
            and _RISKY_SCALAR.match(data, at)
            and _node_start(data, at)
        ):
            return True
    return False


def decode(data: bytes, label: str) -> str:
    if len(data) > MAX_BYTES:
        raise ContractError(f"{label}: {len(data)} bytes, more than the {MAX_BYTES} a document may have")
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise ContractError(
                    f"{label}: not {codec.upper()} text despite its byte-order mark ({exc.reason})"
                ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        raise ContractError(
            f"{label}: not UTF-8 text (byte 0x{bad:02x} at offset {exc.start}); save it as UTF-8"
        ) from None


def parse(data: bytes, label: str, *, json_first: bool = False) -> dict[str, Any]:
    """A JSON or YAML document (bytes) → mapping with string keys; `label` names it in errors."""
    text = decode(data, label)
    stripped = text.lstrip()
    if json_first or stripped.startswith("{"):
        try:
            return _mapping(json.loads(text), label)
        except json.JSONDecodeError as exc:
            if json_first:
                raise ContractError(
                    f"{label}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
                ) from None
        except RecursionError:
            raise ContractError(f"{label}: nested too deeply") from None
    return _mapping(parse_yaml(text, label), label)


def _mapping(data: Any, label: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        found = {type(None): "nothing", list: "a list", str: "a string"}.get(type(data), type(data).__name__)
        raise ContractError(f"{label}: expected a mapping at the top level, found {found}")
    return data


def parse_yaml(text: str, label: str) -> Any:
    encoded = text.encode("utf-8")
    if _ryml is not None and not _needs_pyyaml(encoded):
        fast = _parse_ryml(encoded)
        if fast is not _FAILED:
            return fast
    return _parse_pyyaml(text, label)


_FAILED = object()


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable descriptor 2: nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _parse_ryml(encoded: bytes) -> Any:
    assert _ryml is not None
    if not encoded.strip():
        return None
    try:
        with _stderr_silenced():
            tree = _ryml.parse_in_arena(encoded)
            if tree.is_stream(tree.root_id()) and tree.num_children(tree.root_id()) != 1:
                return _FAILED  # several documents: PyYAML says so
            emitted = _ryml.emit_json_malloc(tree, tree.root_id())
        return json.loads(emitted)
    except Exception:  # a parse error, or JSON rapidyaml wrote that is not JSON: PyYAML decides
        return _FAILED


class _CoreLoader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    """PyYAML with the YAML 1.2 core schema, mapping keys kept as written, aliases bounded."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_CoreLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])


def _core_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    value = str(node.value)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _core_float(loader: yaml.SafeLoader, node: yaml.Node) -> float:
    value = str(node.value).lower()
    if value.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    if value.endswith(".nan"):
        return float("nan")
    return float(value)


def _raw_key_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Iterator[dict[str, Any]]:
    loader.flatten_mapping(node)  # `<<: *defaults` merges
    result: dict[str, Any] = {}
    yield result
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a scalar", key_node.start_mark
            )
        result[str(key_node.value)] = loader.construct_object(value_node, deep=False)


_CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:float", _core_float)
_CoreLoader.add_constructor("tag:yaml.org,2002:map", _raw_key_mapping)
for _tag in (
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
):
    _CoreLoader.add_constructor(
        _tag,
        lambda loader, node: (
            loader.construct_scalar(node)
            if isinstance(node, yaml.ScalarNode)
            else loader.construct_sequence(node)
        ),
    )


def _parse_pyyaml(text: str, label: str) -> Any:
    loader = _CoreLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, label)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContractError(f"{label}: not valid YAML{where}: {reason}") from None
    except RecursionError:
        raise ContractError(f"{label}: nested too deeply") from None
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node, label: str) -> None:
    """Refuse recursive aliases and documents whose aliases expand past the limit (an alias bomb)."""
    sizes: dict[int, int] = {}
    unique = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED_NODES and sizes[key] > 10 * max(unique, 1):
                raise ContractError(
                    f"{label}: YAML aliases expand to more than {MAX_EXPANDED_NODES} nodes (an alias bomb?)"
                )
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            mark = node.start_mark
            raise ContractError(
                f"{label}: recursive YAML alias at line {mark.line + 1}, column {mark.column + 1}"
            )
        open_nodes.add(key)
        unique += 1
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
