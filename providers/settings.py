"""Typed settings from configuration: one parser for every suite's `Settings` dataclass.

A suite declares what it can be told as a frozen dataclass: the field name is the key, the annotation
its type, the default its default and the `#:` comment above it its documentation. `parse` checks a
mapping (a `[suite.NAME]` table, or options handed over in code) against it before anything runs:
unknown keys (with "did you mean"), wrong types and numbers out of range are a `ConfigError` of one line
naming where and the key. `keys_of` gives the same facts to the configuration schema and its docs, so a
field added to or removed from a dataclass is at once accepted, refused and documented.

Types TOML can carry are configurable: strings, integers, numbers, booleans, paths, dates, lists
(`tuple[X, ...]`, `frozenset[X]`), fixed pairs (`tuple[X, Y]`), tables (`Mapping[str, X]`, nested
dataclasses) and `X | None`. Anything else (a callable, a pact source object) can only be handed over in
code (`runtime=True`); in a configuration file it is an unknown key. Numbers are finite and not negative;
zero is refused too unless the name says it is a leeway, a delay or a retry count (`_MAY_BE_ZERO`), or
the field's metadata gives its own `minimum`.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import MISSING, Field, dataclass, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from providers.errors import ConfigError

__all__ = ["Key", "describe", "keys_of", "parse", "suggestion"]

T = TypeVar("T")
_NONE = type(None)
#: Words in a number's name that make zero a meaningful value (no leeway, no delay, no retry).
_MAY_BE_ZERO = ("delay", "grace", "tolerance", "slack", "skew", "retry", "retries", "seed", "wait", "leeway")
_FIELD = re.compile(r"^\s+(\w+)\s*:")
_DOC = re.compile(r"^\s+#:\s?(.*)$")
_OWN_KEY = re.compile(r"^(\w+)((?:\.[\w-]+|\[\d+\])*): (.*)$")


@dataclass(frozen=True)
class Key:
    """One configurable key of a settings dataclass."""

    name: str
    hint: Any
    #: `MISSING` when the key is required.
    default: Any
    doc: str
    #: For numbers: the smallest value allowed, and whether it is allowed itself.
    minimum: float = 0.0
    inclusive: bool = True

    @property
    def required(self) -> bool:
        return self.default is MISSING


class _Wrong(Exception):
    """A value that does not fit; `path` is where inside the value (a table key, a list index)."""

    def __init__(self, message: str, path: str = "", *, shape: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        #: False when the value has the right type but not an allowed value (out of range, unknown).
        self.shape = shape


def suggestion(name: str, known: Iterable[str]) -> str:
    """' (did you mean X?)' for a near miss, else the known names, for a one-line error."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]}?)"
    return f" (known: {', '.join(known)})" if known else ""


def _default(f: Field[Any]) -> Any:
    if f.default is not MISSING:
        return f.default
    if f.default_factory is not MISSING:
        return f.default_factory()
    return MISSING


def _bound(f: Field[Any], hint: Any) -> tuple[float, bool]:
    if "minimum" in f.metadata:
        return float(f.metadata["minimum"]), True
    if any(word in f.name for word in _MAY_BE_ZERO):
        return 0.0, True
    return 0.0, False


@cache
def docs_of(cls: type) -> dict[str, str]:
    """The `#:` comment above each field of `cls` (and of its dataclass bases), joined into one line."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not is_dataclass(klass):
            continue
        try:
            lines = inspect.getsource(klass).splitlines()
        except (OSError, TypeError):
            continue
        pending: list[str] = []
        for line in lines:
            if (doc := _DOC.match(line)) is not None:
                pending.append(doc.group(1).strip())
                continue
            if (declared := _FIELD.match(line)) is not None and pending:
                docs[declared.group(1)] = " ".join(pending)
            pending = []
    return docs


def configurable(hint: Any) -> bool:
    """Whether a value of this type can come from a configuration file."""
    if hint in (str, int, float, bool, Path, date, Any):
        return True
    if is_dataclass(hint):
        return True
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        return True
    if origin in (Union, types.UnionType):
        return all(configurable(a) for a in args if a is not _NONE)
    if origin in (tuple, list, frozenset, set, dict, Mapping):
        return all(configurable(a) for a in args if a is not Ellipsis)
    return hint is dict


@cache
def _keys(cls: type, runtime: bool) -> tuple[Key, ...]:
    hints = get_type_hints(cls)
    docs = docs_of(cls)
    keys = []
    for f in fields(cls):
        if not f.init or (not runtime and not configurable(hints[f.name])):
            continue
        minimum, inclusive = _bound(f, hints[f.name])
        keys.append(Key(f.name, hints[f.name], _default(f), docs.get(f.name, ""), minimum, inclusive))
    return tuple(keys)


def keys_of(cls: type) -> tuple[Key, ...]:
    """The keys of `cls` a configuration file may set, in declaration order."""
    return _keys(cls, False)


_NAMES = {
    str: ("a string", "strings"),
    int: ("an integer", "integers"),
    float: ("a number", "numbers"),
    bool: ("true or false", "booleans"),
    Path: ("a path", "paths"),
    date: ("a date (YYYY-MM-DD)", "dates"),
}


def describe(hint: Any, *, plural: bool = False) -> str:
    """What a value of this type looks like in TOML, for messages and the schema's docs."""
    if hint in _NAMES:
        return _NAMES[hint][1 if plural else 0]
    if hint is Any:
        return "values" if plural else "any value"
    if is_dataclass(hint) or hint is dict:
        return "tables" if plural else "a table"
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        return ("" if plural else "one of ") + ", ".join(repr(a) for a in args)
    if origin in (Union, types.UnionType):
        return " or ".join(describe(a, plural=plural) for a in args if a is not _NONE)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis or origin in (list, frozenset, set):
        return ("lists" if plural else "a list") + f" of {describe(args[0], plural=True)}"
    if origin is tuple:
        inner = ", ".join(describe(a) for a in args)
        return f"lists [{inner}]" if plural else f"a list [{inner}]"
    if origin in (dict, Mapping):
        return ("tables" if plural else "a table") + f" of {describe(args[1], plural=True)}"
    return "objects" if plural else "an object (given in code)"


def _given(value: Any) -> str:
    """What was given, without echoing text (a misplaced value may be a secret)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__}"


def _convert(value: Any, hint: Any, key: Key | None = None, runtime: bool = True) -> Any:
    if hint is Any:
        return value
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and _NONE in args:
            return None
        for option in (a for a in args if a is not _NONE):
            try:
                return _convert(value, option, key, runtime)
            except _Wrong as exc:
                if not exc.shape or exc.path:  # the value was of this type, just not right
                    raise
        options = [a for a in args if a is not _NONE]
        wanted = _wanted(options[0], key) if len(options) == 1 else describe(hint)
        raise _Wrong(f"must be {wanted}, got {_given(value)}")
    if origin is Literal:
        if any(value == a and type(value) is type(a) for a in args):
            return value
        if isinstance(value, str):
            raise _Wrong(f"unknown value {value!r}{suggestion(value, map(str, args))}", shape=False)
    elif hint is bool:
        if isinstance(value, bool):
            return value
    elif hint in (int, float):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and (hint is float or isinstance(value, int)):
            return _number(value, hint, key)
    elif hint is str:
        if isinstance(value, str):
            return value
    elif hint is Path:
        if isinstance(value, str | Path):
            return Path(value)
    elif hint is date:
        return _date(value)
    elif is_dataclass(hint) and isinstance(hint, type):
        if isinstance(value, hint):
            return value
        if isinstance(value, Mapping):
            return _parse(hint, value, runtime=runtime)
    elif origin in (tuple, list, frozenset, set) and isinstance(value, list | tuple | set | frozenset):
        return _sequence(value, origin, args, key, runtime)
    elif (origin in (dict, Mapping) or hint is dict) and isinstance(value, Mapping):
        inner = args[1] if args else Any
        out = {}
        for name, item in value.items():
            if not isinstance(name, str):
                raise _Wrong(f"keys must be strings, got {_given(name)}")
            try:
                out[name] = _convert(item, inner, None, runtime)
            except _Wrong as exc:
                raise _Wrong(exc.message, f".{name}{exc.path}") from None
        return out
    elif not configurable(hint):
        return value  # an object handed over in code (a callable, a pact source): taken as it is
    raise _Wrong(f"must be {_wanted(hint, key)}, got {_given(value)}")


def _wanted(hint: Any, key: Key | None) -> str:
    """What a key takes, with the bound of a number ("a number greater than 0")."""
    if hint not in (int, float) or key is None:
        return describe(hint)
    if key.inclusive:
        return f"{describe(hint)} of at least {key.minimum:g}"
    if hint is int:
        return f"an integer of at least {key.minimum + 1:g}"
    return f"a number greater than {key.minimum:g}"


def _number(value: float, hint: Any, key: Key | None) -> float:
    if not math.isfinite(value):
        raise _Wrong(f"must be a finite number, got {value!r}", shape=False)
    minimum, inclusive = (key.minimum, key.inclusive) if key else (0.0, True)
    if value < minimum or (value == minimum and not inclusive):
        if inclusive:
            wanted = f"at least {minimum:g}"
        else:
            wanted = f"at least {minimum + 1:g}" if hint is int else f"greater than {minimum:g}"
        raise _Wrong(f"must be {wanted}, got {value!r}", shape=False)
    return float(value) if hint is float else value


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise _Wrong(f"must be {describe(date)}, got {_given(value)}")


def _sequence(value: Any, origin: Any, args: tuple[Any, ...], key: Key | None, runtime: bool) -> Any:
    items = list(value)
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if len(items) != len(args):
            inner = ", ".join(describe(a) for a in args)
            raise _Wrong(f"must be a list [{inner}], got a list of {len(items)}")
        hints = list(args)
    else:
        hints = [args[0] if args else Any] * len(items)
    out = []
    for index, (item, hint) in enumerate(zip(items, hints, strict=True)):
        try:
            out.append(_convert(item, hint, key, runtime))
        except _Wrong as exc:
            raise _Wrong(exc.message, f"[{index}]{exc.path}") from None
    return frozenset(out) if origin in (frozenset, set) else tuple(out) if origin is tuple else out


def _parse(cls: type[T], options: Mapping[str, Any], *, runtime: bool) -> T:
    """`cls` from `options`, or `_Wrong` with the path of the key at fault."""
    if not isinstance(options, Mapping):
        raise _Wrong(f"must be a table, got {_given(options)}")
    keys = {key.name: key for key in _keys(cls, runtime)}  # type: ignore[arg-type]
    for name in options:
        if name not in keys:
            raise _Wrong(f"unknown key{suggestion(str(name), keys)}", f".{name}")
    values: dict[str, Any] = {}
    for name, key in keys.items():
        if name in options:
            try:
                values[name] = _convert(options[name], key.hint, key, runtime)
            except _Wrong as exc:
                raise _Wrong(exc.message, f".{name}{exc.path}") from None
        elif key.required:
            raise _Wrong(f"required ({describe(key.hint)})", f".{name}")
    try:
        return cls(**values)
    except (TypeError, ValueError, ConfigError) as exc:  # a dataclass's own check (`__post_init__`)
        message = " ".join(str(exc).split())
        # "key: what is wrong" (or "key.sub: …") from a check of one key: the key goes into the path.
        own = _OWN_KEY.match(message)
        if own and own.group(1) in keys:
            raise _Wrong(own.group(3), f".{own.group(1)}{own.group(2)}") from None
        raise _Wrong(message) from None


def parse(cls: type[T], options: Mapping[str, Any] | None, where: str, *, runtime: bool = True) -> T:
    """`cls` built from `options`; any mistake is a one-line `ConfigError` "`where`.key: what is wrong".

    `where` names the table as the user wrote it ("contractgate.toml: suite.tokens", or "suite.tokens"
    for options handed over in code; "contractgate.toml: " for the file's top level). `runtime=False` (a configuration file) refuses what only code
    can give (callables, objects).
    """
    try:
        return _parse(cls, options or {}, runtime=runtime)
    except _Wrong as exc:
        raise ConfigError(f"{located(where, exc.path)}: {exc.message}") from None


def located(where: str, path: str) -> str:
    """`where` and a key path inside it, as the user writes it: "FILE: suite.tokens" + ".attacks";
    a `where` ending in a space is a file's top level ("FILE: " + ".seed" → "FILE: seed")."""
    if where and not where.endswith(" "):
        return where + path
    return (where + path.lstrip(".")).rstrip(": ")
