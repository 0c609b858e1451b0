"""The compat loader: both YAML paths read the same text the same way, and bad input is refused early."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from providers.compat import load_spec, loader
from providers.compat.bundle import FILES
from providers.errors import ContractError

SCALARS = [
    "a: 1", "a: -0", "a: 1.5", "a: 1e3", "a: .5", "a: 5.", "a: 012", "a: 0o17", "a: 0x1F", "a: +1", "a: 1_000",
    "a: true", "a: True", "a: TRUE", "a: yes", "a: on", "a: y", "a: null", "a: ~", "a: Null", "a:", "a: ''",
    "a: .inf", "a: -.Inf", "a: .nan", "a: 2024-01-01", "a: 12:30", "a: '1'", 'a: "true"', "a: 0b101",
    "200: ok", "true: x", "a: [1, two, 'three', ~, True]", "a: {b: 1, c: yes}", "a: |\n  text\n", "a: >\n  folded\n  text\n",
    "a: &x 1\nb: *x", "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2", "a: !!str 12",
]  # fmt: skip


@pytest.fixture
def pyyaml_only() -> Iterator[None]:
    saved = loader._ryml
    loader._ryml = None
    try:
        yield
    finally:
        loader._ryml = saved


def _both(text: str) -> tuple[Any, Any]:
    fast = loader.parse(text.encode(), "t.yaml")
    saved = loader._ryml
    loader._ryml = None
    try:
        slow = loader.parse(text.encode(), "t.yaml")
    finally:
        loader._ryml = saved
    return fast, slow


@pytest.mark.parametrize("text", SCALARS)
def test_both_yaml_paths_read_a_scalar_the_same_way(text: str) -> None:
    fast, slow = _both(text)
    assert repr(fast) == repr(slow)  # repr: nan != nan, and 1 != True must show


def test_the_yaml_1_2_core_schema_is_what_both_read() -> None:
    read = loader.parse(b"a: yes\nb: ~\nc: 012\nd: 0o17\ne: 2024-01-01\n200: x\ntrue: y\nf: True\n", "t.yaml")
    assert read == {
        "a": "yes",
        "b": None,
        "c": 12,
        "d": 15,
        "e": "2024-01-01",
        "200": "x",
        "true": "y",
        "f": True,
    }


def test_json_and_yaml_of_one_document_are_equal(tmp_path: Path) -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "x"}}}}},
    }
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(doc))
    (tmp_path / "a.json").write_text(__import__("json").dumps(doc))
    assert load_spec(str(tmp_path / "a.yaml")).document == load_spec(str(tmp_path / "a.json")).document == doc


@pytest.mark.parametrize(
    "data,message",
    [
        (b"a: &a [*a]\n", "recursive YAML alias"),
        (b"a: [1\n", "not valid YAML at line 2"),
        (b"x: 1\n---\ny: 2\n", "not valid YAML"),
        (b"- 1\n", "expected a mapping at the top level, found a list"),
        (b"", "expected a mapping at the top level, found nothing"),
        (b"\xfe\xff\x00a\x00", "not UTF-16-BE text"),
        (b'{"a": [' * 100_000, "nested too deeply"),
    ],
    ids=["recursive-alias", "broken", "two-documents", "list", "empty", "bad-utf16", "deep-json"],
)
def test_unreadable_text_is_one_contract_error(data: bytes, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        loader.parse(data, "t.yaml")


def test_a_document_over_the_size_limit_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 10)
    with pytest.raises(ContractError, match="more than the 10 a document may have"):
        loader.parse(b"openapi: 3.1.0\n", "t.yaml")


def test_utf16_with_a_byte_order_mark_is_read() -> None:
    assert loader.parse("a: é\n".encode("utf-16"), "t.yaml") == {"a": "é"}


def test_a_parse_error_on_the_fast_path_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ContractError):
        loader.parse(b"a: b: c\n", "t.yaml")
    out, err = capfd.readouterr()
    assert out == err == ""


def test_external_files_are_bundled_once_and_named_in_pointers(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "thing.yaml").write_text(
        yaml.safe_dump(
            {"Thing": {"type": "object", "properties": {"id": {"$ref": "#/Id"}}}, "Id": {"type": "string"}}
        )
    )
    ref = {"$ref": "schemas/thing.yaml#/Thing"}
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "paths": {"/a": {"get": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": ref}}}}},
                            "put": {"responses": {"200": {"description": "x", "content": {"application/json": {"schema": dict(ref)}}}}}}}}  # fmt: skip
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(doc))
    bundled = load_spec(str(tmp_path / "openapi.yaml")).document
    assert list(bundled[FILES]) == ["schemas/thing.yaml"]
    assert bundled[FILES]["schemas/thing.yaml"]["Thing"]["properties"]["id"] == {
        "$ref": f"#/{FILES}/schemas~1thing.yaml/Id"
    }
