"""Bad input never crashes the gate and is never blamed on the target: one line naming where, exit 2.

Hypothesis feeds the command line malformed configurations (every table and key of the schema, with
unknown keys, wrong types and numbers out of range), malformed OpenAPI, AsyncAPI and pact documents, and
malformed arguments. Every case must end before anything starts — the embedded stubs and a live target
are replaced by tripwires that a case reaching them sets off — with exit 2 and exactly one line on
stderr that names the file and key, the document, or the argument, and no traceback. Every case the
issue listed is among the explicit examples; a few run in a subprocess, as a pipeline would run them.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin
from unittest import mock

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contractgate.cli import main
from contractgate.schema import tables
from contractgate.suites import SUITES
from contracts import PACKAGE_ROOT
from providers.settings import Key, keys_of

BOUNDED = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
ROOT = Path(__file__).resolve().parents[2]


class Started(BaseException):
    """A case got as far as starting something: it was not refused up front. (Not an `Exception`, so
    the command line's last-resort handler cannot turn it into a tidy line.)"""


def _tripwire(*args: object, **kwargs: object) -> None:
    raise Started("the gate started the stubs or contacted a target: the bad input was not refused up front")


@dataclass(frozen=True)
class Run:
    code: int
    err: str
    out: str


def run(argv: list[str]) -> Run:
    """`contractgate ARGV` in this process, with the stubs and live targets replaced by tripwires."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch("contractgate.gate.embedded_stubs", _tripwire),
        mock.patch("contractgate.gate.check_reachable", _tripwire),
        mock.patch("stubs.platform.Platform.start", _tripwire),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(argv)
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
    return Run(code, err.getvalue(), out.getvalue())


def assert_refused(result: Run, *where: str) -> None:
    """Exit 2, one line on stderr naming each of `where`, no traceback."""
    assert result.code == 2, (result.code, result.err, result.out[-2000:])
    assert result.err.count("\n") == 1 and result.err.endswith("\n"), result.err
    assert "Traceback" not in result.err + result.out, result.err
    for part in where:
        assert part in result.err, (part, result.err)


# --- configuration -----------------------------------------------------------------------------------

#: A TOML value's kind, as TOML has them.
Kind = Literal["string", "integer", "float", "boolean", "array", "table", "date"]
KINDS: tuple[Kind, ...] = ("string", "integer", "float", "boolean", "array", "table", "date")
_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_ ", min_size=1, max_size=12)
_VALUES: dict[Kind, st.SearchStrategy[Any]] = {
    "string": _WORDS,
    "integer": st.integers(-(2**40), 2**40),
    "float": st.floats(-1e9, 1e9, allow_nan=False).filter(lambda f: not f.is_integer()),
    "boolean": st.booleans(),
    "array": st.lists(st.integers(0, 9), min_size=1, max_size=3),
    "table": st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 9), min_size=1),
    "date": st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
}


def accepted(hint: Any) -> set[Kind]:
    """The TOML kinds a key of this type takes — the test's own reading of the annotation."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        return set().union(*(accepted(a) for a in get_args(hint) if a is not type(None)))
    if hint is bool:
        return {"boolean"}
    if hint is int:
        return {"integer"}
    if hint is float:
        return {"integer", "float"}
    if hint in (str, Path) or origin is Literal:
        return {"string"}
    if hint is dt.date:
        return {"date", "string"}
    if origin in (tuple, list, frozenset, set):
        return {"array"}
    if origin in (dict, Mapping) or hint is dict or hasattr(hint, "__dataclass_fields__"):
        return {"table"}
    return set(KINDS)  # Any: nothing is wrong


#: Where each table of the schema is written, and what it must hold to be looked at at all.
def placed(name: str) -> tuple[tuple[str, ...], dict[str, Any]]:
    path = tuple(
        name.strip("[]").replace("NAME", "t").replace("ACCOUNT", "member").replace("CLIENT_ID", "c").split(".")
    )
    if path == ("",):
        return (), {}
    base: dict[str, Any] = {}
    if path[0] == "targets":
        base = {"targets": {"t": {"services": {"backend-service": "http://127.0.0.1:9"}}}}
    extra = {
        ("targets", "t", "users", "member"): {"username_env": "U", "password_env": "P"},
        ("targets", "t", "clients", "c"): {"secret_env": "S"},
    }
    node = base
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node.setdefault(path[-1], {}).update(extra.get(path, {}))
    return path, base


def table_at(document: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node = document
    for part in path:
        node = node[part]
    return node


@dataclass(frozen=True)
class BadConfig:
    text: str
    #: The key as it must appear in the message ("" for a file that is not TOML at all).
    key: str


@st.composite
def bad_configs(draw: st.DrawFn) -> BadConfig:
    name, cls, _ = draw(st.sampled_from(list(tables())))
    path, document = placed(name)
    table = table_at(document, path)
    keys = [k for k in keys_of(cls) if accepted(k.hint) != set(KINDS)]
    numbers = [
        k for k in keys if accepted(k.hint) & {"integer", "float"} and not accepted(k.hint) & {"string"}
    ]
    mutation = draw(
        st.sampled_from(["unknown", "wrong type", "out of range"] if numbers else ["unknown", "wrong type"])
    )
    if mutation == "unknown":
        known = {k.name for k in keys_of(cls)}
        key = draw(st.from_regex(r"[a-z][a-z0-9_]{0,14}", fullmatch=True).filter(lambda k: k not in known))
        table[key] = draw(_VALUES["integer"])
    elif mutation == "wrong type":
        chosen: Key = draw(st.sampled_from(keys))
        key = chosen.name
        kind = draw(st.sampled_from([k for k in KINDS if k not in accepted(chosen.hint)]))
        table[key] = draw(_VALUES[kind])
    else:
        chosen = draw(st.sampled_from(numbers))
        key = chosen.name
        table[key] = draw(
            st.one_of(st.integers(-(2**31), -1), st.sampled_from([float("-inf"), float("nan")]))
        )
    return BadConfig(toml(document), ".".join([*path, key]))


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else ("inf" if value > 0 else "-inf")
            if abs(value) == float("inf")
            else repr(value)
        )
    if isinstance(value, int | dt.date):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(value)


def toml(document: Mapping[str, Any], header: tuple[str, ...] = ()) -> str:
    """A TOML document: scalars and inline values first, then each sub-table under its own header."""
    lines = [f"[{'.'.join(_toml_key(h) for h in header)}]"] if header else []
    subtables = {k: v for k, v in document.items() if isinstance(v, dict) and k not in _INLINE}
    lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in document.items() if k not in subtables]
    text = "\n".join(lines) + "\n"
    for key, value in subtables.items():
        text += toml(value, (*header, key))
    return text


#: Keys whose tables are written inline (a target's services and limits, a client's grants …).
_INLINE = {"services", "grants", "versions"}


def write_config(folder: Path, text: str) -> Path:
    path = folder / "contractgate.toml"
    path.write_text(text, encoding="utf-8")
    return path


@BOUNDED
@given(bad_configs())
@example(BadConfig('[suite.tokenz]\nattacks = ["alg-none"]\n', "suite.tokenz"))
@example(BadConfig('[suite.websocket]\nopen_timeout = "soon"\n', "suite.websocket.open_timeout"))
@example(BadConfig("[suite.tokens]\nattacks = 5\n", "suite.tokens.attacks"))
@example(BadConfig('[suite.tokens]\nattacks = ["alg-nothing"]\n', "suite.tokens.attacks"))
@example(BadConfig('[suite.websocket]\nchecks = ["resumes"]\n', "suite.websocket.checks"))
@example(BadConfig('suites = ["pacts", "fuz"]\n', "suites[1]"))
@example(BadConfig("[limits]\nrate = -1\n", "limits.rate"))
@example(BadConfig("seed = [\n", ""))
def test_a_bad_configuration_is_one_line_naming_the_file_and_the_key(case: BadConfig) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder), case.text)
        result = run(["gate", "--config", str(config), "--no-reports"])
    # As written in the file: `[suite.NAME]`, never `suites.NAME`.
    assert_refused(result, str(config), f": {case.key}" if case.key else "not valid TOML")
    assert "suites." not in result.err


_A_VALUE_OF: dict[Kind, Any] = {
    "string": "text",
    "integer": 7,
    "float": 2.5,
    "boolean": True,
    "array": [1],
    "table": {"a": 1},
    "date": dt.date(2020, 1, 2),
}


def _wrong_value_cases() -> Iterator[BadConfig]:
    for name, cls, _ in tables():
        for key in keys_of(cls):
            wrong = [k for k in KINDS if k not in accepted(key.hint)]
            if not wrong:
                continue
            path, document = placed(name)
            table_at(document, path)[key.name] = _A_VALUE_OF[wrong[0]]
            yield BadConfig(toml(document), ".".join([*path, key.name]))


@pytest.mark.parametrize("case", list(_wrong_value_cases()), ids=lambda case: case.key)
def test_every_key_of_the_schema_refuses_a_value_of_the_wrong_type(case: BadConfig) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = write_config(Path(folder), case.text)
        result = run(["gate", "--config", str(config), "--no-reports"])
    assert_refused(result, str(config), f": {case.key}: must be ")


# --- contracts -----------------------------------------------------------------------------------------

Step = str | int
_NOT_A_TABLE = st.one_of(
    st.integers(0, 9), _WORDS, st.lists(st.integers(0, 9), min_size=1, max_size=2), st.booleans()
)
_NOT_A_LIST = st.one_of(
    st.integers(0, 9), _WORDS, st.dictionaries(st.just("k"), st.integers(0, 9), min_size=1), st.booleans()
)
_NOT_A_STRING = st.one_of(
    st.integers(0, 9),
    st.lists(st.integers(0, 9), min_size=1, max_size=2),
    st.booleans(),
    st.dictionaries(st.just("k"), st.integers(0, 9), min_size=1),
)
_WRONG = {"table": _NOT_A_TABLE, "list": _NOT_A_LIST, "string": _NOT_A_STRING}
DELETE = "<delete>"

_OPENAPI_POINTS: list[tuple[tuple[str, ...], str]] = [
    (("openapi",), "string"),
    (("info",), "table"),
    (("info", "x-service"), "string"),
    (("paths",), "table"),
    (("paths", "*"), "table"),
    (("paths", "*", "op"), "table"),
    (("paths", "*", "op", "responses"), "table"),
    (("paths", "*", "op", "security"), "list"),
    (("components", "securitySchemes"), "table"),
    (("components", "securitySchemes", "*"), "table"),
]
_ASYNCAPI_POINTS: list[tuple[tuple[str, ...], str]] = [
    (("info",), "table"),
    (("info", "x-service"), "string"),
    (("channels",), "table"),
    (("channels", "*"), "table"),
    (("channels", "*", "address"), "string"),
    (("channels", "*", "x-handshake"), "table"),
    (("channels", "*", "x-sequence"), "table"),
    (("channels", "*", "x-message-roles"), "table"),
    (("channels", "*", "x-close-codes"), "table"),
    (("channels", "*", "messages"), "table"),
    (("operations",), "table"),
    (("operations", "*"), "table"),
    (("operations", "*", "action"), "string"),
    (("operations", "*", "messages"), "list"),
]
_PACT_POINTS: list[tuple[tuple[str, ...], str]] = [
    (("consumer",), "table"),
    (("consumer", "name"), "string"),
    (("provider",), "table"),
    (("provider", "name"), "string"),
    (("interactions",), "list"),
    (("interactions", "#"), "table"),
    (("interactions", "#", "description"), "string"),
    (("interactions", "#", "request"), "table"),
    (("interactions", "#", "providerStates"), "list"),
    (("interactions", "#", "type"), "string"),
]
#: Keys whose absence is as wrong as a wrong value (`x-service` and `x-sequence` may be left out: the
#: service is then named by the manifest or the file, and the channel numbers nothing).
_REQUIRED = {
    "openapi",
    "info",
    "address",
    "action",
    "name",
    "description",
    "request",
    "x-handshake",
    "channels",
    "operations",
    "interactions",
    "consumer",
    "provider",
}
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True)
class BadContract:
    #: The document, relative to the contracts folder.
    file: str
    #: Where in it, each step a key or an index; "*" any key, "op" any operation, "#" any index.
    path: tuple[Step, ...] = ()
    value: Any = DELETE
    #: Replace the whole file with this text instead.
    text: str | None = None


@st.composite
def bad_contracts(draw: st.DrawFn) -> BadContract:
    kind = draw(st.sampled_from(["openapi", "asyncapi", "pact", "text"]))
    if kind == "text":
        file = draw(st.sampled_from(contract_files()))
        text = draw(
            st.sampled_from(["{", "- a\n- b\n", "a: [\n", "42\n", "", "\x00", "key: value\n  bad: indent\n"])
        )
        return BadContract(file, text=text)
    if kind == "openapi":
        file = draw(st.sampled_from([f for f in contract_files() if f.startswith("openapi/")]))
        points = _OPENAPI_POINTS
    elif kind == "asyncapi":
        file, points = "asyncapi/websocket.yaml", _ASYNCAPI_POINTS
    else:
        file = draw(st.sampled_from([f for f in contract_files() if f.startswith("pacts/")]))
        points = _PACT_POINTS
    pattern, expected = draw(st.sampled_from(points))
    document = read_document(PACKAGE_ROOT / file)
    path: list[Step] = []
    node: Any = document
    for step in pattern:
        if step in ("*", "op", "#"):
            choices: list[Step] = (
                list(range(len(node))) if step == "#" else [k for k in node if step == "*" or k in _METHODS]
            )
            step = draw(st.sampled_from(choices))
        path.append(step)
        node = node.get(step) if isinstance(node, dict) else node[step] if isinstance(node, list) else None
    wrong = _WRONG[expected]
    value = draw(st.one_of(wrong, st.just(DELETE)) if pattern[-1] in _REQUIRED else wrong)
    return BadContract(file, tuple(path), value)


def contract_files() -> list[str]:
    return sorted(
        str(p.relative_to(PACKAGE_ROOT))
        for folder in ("openapi", "asyncapi", "pacts")
        for p in (PACKAGE_ROOT / folder).iterdir()
        if p.suffix in (".yaml", ".json")
    )


@functools.cache
def read_document(path: Path) -> Any:
    """The document (shared: copy it before changing it)."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)


def broken_contracts(folder: Path, case: BadContract) -> Path:
    """A copy of the shipped contracts with one document broken as `case` says."""
    root = folder / "contracts"
    for sub in ("openapi", "asyncapi", "pacts"):
        shutil.copytree(PACKAGE_ROOT / sub, root / sub)
    target = root / case.file
    if case.text is not None:
        target.write_text(case.text, encoding="utf-8")
        return target
    document = copy.deepcopy(read_document(PACKAGE_ROOT / case.file))
    node = document
    for step in case.path[:-1]:
        node = node[step]
    last = case.path[-1]
    if case.value == DELETE:
        del node[last]
    else:
        node[last] = case.value
    text = json.dumps(document) if target.suffix == ".json" else yaml.dump(document, Dumper=yaml.CSafeDumper)
    target.write_text(text, encoding="utf-8")
    return target


TARGETS = {
    "stubs": [],
    "urls": [
        "--service",
        "auth-service=http://127.0.0.1:9",
        "--service",
        "backend-service=http://127.0.0.1:9",
        "--demo-credentials",
    ],
}


@BOUNDED
@given(bad_contracts(), st.sampled_from(sorted(TARGETS)))
@example(BadContract("asyncapi/websocket.yaml", text="asyncapi: 3.0.0\ninfo: [\n"), "stubs")
@example(BadContract("asyncapi/websocket.yaml", text="asyncapi: 3.0.0\ninfo: [\n"), "urls")
@example(BadContract("asyncapi/websocket.yaml", ("channels",), []), "urls")
@example(BadContract("openapi/backend-v2.yaml", ("paths",), ["/v2/threads"]), "stubs")
@example(BadContract("pacts/web-frontend-backend-service.json", ("interactions",), {"k": 1}), "stubs")
def test_a_bad_contract_is_one_line_naming_the_document_on_every_target(
    case: BadContract, target: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        broken = broken_contracts(Path(folder), case)
        config = write_config(Path(folder), f'contracts = "{broken.parents[1]}"\n')
        result = run(["gate", "--config", str(config), "--no-reports", *TARGETS[target]])
    assert_refused(result, str(broken))


_SWEEP_FILES = {
    "openapi": "openapi/backend-v2.yaml",
    "asyncapi": "asyncapi/websocket.yaml",
    "pact": "pacts/web-frontend-websocket-service.json",
}
_FIRST_WRONG = {"table": 5, "list": "x", "string": 5}


def _first(file: str, pattern: tuple[str, ...]) -> tuple[Step, ...]:
    """The pattern made concrete: each wildcard becomes the document's first match."""
    node: Any = read_document(PACKAGE_ROOT / file)
    path: list[Step] = []
    for step in pattern:
        concrete: Step = step
        if step == "#":
            concrete = 0
        elif step in ("*", "op"):
            concrete = next(k for k in node if step == "*" or k in _METHODS)
        path.append(concrete)
        node = node.get(concrete) if isinstance(node, dict) else node[concrete]
    return tuple(path)


@pytest.mark.parametrize(
    "case",
    [
        BadContract(_SWEEP_FILES[kind], _first(_SWEEP_FILES[kind], pattern), value)
        for kind, points in (
            ("openapi", _OPENAPI_POINTS),
            ("asyncapi", _ASYNCAPI_POINTS),
            ("pact", _PACT_POINTS),
        )
        for pattern, expected in points
        for value in (
            [_FIRST_WRONG[expected], DELETE] if pattern[-1] in _REQUIRED else [_FIRST_WRONG[expected]]
        )
    ],
    ids=lambda case: f"{case.file}:{'/'.join(map(str, case.path))}={case.value}",
)
def test_every_structural_point_of_every_kind_of_document_is_checked(case: BadContract) -> None:
    """The sweep behind the random search: each point where a document's shape matters, made wrong."""
    with tempfile.TemporaryDirectory() as folder:
        broken = broken_contracts(Path(folder), case)
        config = write_config(Path(folder), f'contracts = "{broken.parents[1]}"\n')
        result = run(["gate", "--config", str(config), "--no-reports"])
    assert_refused(result, str(broken))


# --- arguments -----------------------------------------------------------------------------------------

_NOT_POSITIVE = st.one_of(
    st.integers(-(10**6), 0).map(str),
    st.floats(max_value=0, allow_nan=False).map(repr),
    st.sampled_from(["nan", "inf", "-inf", "soon", "", "1e999", "0x10"]),
)
_NEGATIVE = st.one_of(st.integers(-(10**6), -1).map(str), st.sampled_from(["x", "", "1.5", "-0.5"]))
_NOT_A_URL = st.one_of(
    _WORDS, st.sampled_from(["ftp://x", "http://", "127.0.0.1:8001", "http://[::1", "http://x:99999"])
)
_NOT_A_SUITE = st.one_of(
    _WORDS.filter(lambda s: s.strip() and s.strip() not in SUITES), st.sampled_from([",", " , "])
)


@st.composite
def bad_arguments(draw: st.DrawFn) -> tuple[list[str], str]:
    """A command line with one bad value, and the flag the message must name."""
    command, flag, values = draw(
        st.sampled_from(
            [
                (["gate"], "--timeout", _NOT_POSITIVE),
                (["gate"], "--max-examples", _NOT_POSITIVE.filter(lambda v: v != "1e999")),
                (["gate"], "--jobs", _NOT_POSITIVE),
                (["gate"], "--seed", _NEGATIVE),
                (["gate"], "--suite", _NOT_A_SUITE),
                (["gate"], "--service", _NOT_A_URL.map(lambda u: f"backend-service={u}")),
                (["pacts", "verify"], "--timeout", _NOT_POSITIVE),
                (["pacts", "verify"], "--service", _NOT_A_URL.map(lambda u: f"backend-service={u}")),
                (["compat"], "--timeout", _NOT_POSITIVE),
                (["stubs", "serve"], "--auth-port", st.one_of(_NEGATIVE, st.integers(65536, 10**6).map(str))),
                (
                    [
                        "broker",
                        "can-i-deploy",
                        "--pacticipant",
                        "a",
                        "--version",
                        "1",
                        "--to-environment",
                        "e",
                    ],
                    "--retry-interval",
                    _NEGATIVE.filter(lambda v: v != "1.5"),
                ),
            ]
        )
    )
    return [*command, f"{flag}={draw(values)}"], flag


@BOUNDED
@given(bad_arguments())
@example((["gate", "--timeout=-1"], "--timeout"))
@example((["gate", "--max-examples=0"], "--max-examples"))
@example((["gate", "--max-examples=-5"], "--max-examples"))
@example((["gate", "--jobs=-3"], "--jobs"))
@example((["gate", "--suite=tokenz"], "--suite"))
def test_a_bad_argument_is_a_usage_error_before_anything_starts(case: tuple[list[str], str]) -> None:
    argv, flag = case
    assert_refused(run(argv), f"argument {flag}")


# --- as a pipeline runs it -------------------------------------------------------------------------------


def _cli(args: list[str], env: Mapping[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "contractgate", *args],
        env={**os.environ, "PYTHONPATH": str(ROOT), "PACT_DO_NOT_TRACK": "true", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_broken_asyncapi_document_is_exit_2_in_a_real_process(tmp_path: Path, target: str) -> None:
    """The stubs read the same contracts: before, this was a traceback and exit 1 (stubs), or a websocket
    suite that silently disappeared (URLs)."""
    broken = broken_contracts(
        tmp_path, BadContract("asyncapi/websocket.yaml", text="asyncapi: 3.0.0\ninfo: [\n")
    )
    done = _cli(
        ["gate", "--no-reports", *TARGETS[target]],
        {"CONTRACTGATE_CONTRACTS": str(broken.parents[1])},
        tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(broken) in done.stderr and "not valid YAML" in done.stderr


def test_a_bad_setting_and_a_bad_argument_are_exit_2_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "contractgate.toml").write_text("[suite.tokens]\nattacks = 5\n")
    done = _cli(["gate", "--no-reports"], {}, tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        f"contractgate: error: {tmp_path / 'contractgate.toml'}: suite.tokens.attacks: "
        "must be a list of strings, got 5\n",
    )
    done = _cli(["gate", "--timeout", "-1"], {}, tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "contractgate gate: error: argument --timeout: must be a number of seconds greater than 0, got -1\n",
    )


# --- the last resort -------------------------------------------------------------------------------------


@pytest.fixture
def crashing_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def crash(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug of ours")

    monkeypatch.setattr("contractgate.commands.gate.run_gate", crash)
    yield


def test_an_unexpected_error_is_one_line_exit_2_never_1(
    crashing_gate: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gate", "--no-reports"]) == 2
    err = capsys.readouterr().err
    assert (
        err == "contractgate: error: unexpected KeyError: 'a bug of ours' (run with -v for the traceback)\n"
    )


def test_with_v_the_unexpected_error_shows_its_traceback(
    crashing_gate: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gate", "--no-reports", "-v"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.endswith("contractgate: error: unexpected KeyError: 'a bug of ours'\n")
