"""The entry points on real documents: the shipped contracts, files, and the rule table's docs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import SpecFile, openapi_specs
from providers.compat import (
    RULES,
    Severity,
    SpecSource,
    compare,
    compare_files,
    compare_sources,
    load_spec,
    table,
)
from providers.errors import ContractError
from tests.providers.compat.support import document, ok

OPENAPI = Path(__file__).resolve().parents[3] / "contracts" / "openapi"


@pytest.mark.parametrize("spec", openapi_specs(), ids=lambda s: s.name)
def test_a_shipped_document_against_itself_has_no_change(spec: SpecFile) -> None:
    assert compare(spec.document, spec.document) == []


def _backend_v1_to_v2() -> list[Any]:
    if not (OPENAPI / "backend-v1.yaml").exists() or not (OPENAPI / "backend-v2.yaml").exists():
        pytest.skip("the backend documents are not there yet")
    return list(compare_files(str(OPENAPI / "backend-v1.yaml"), str(OPENAPI / "backend-v2.yaml")).changes)


def test_backend_v1_to_v2_reports_the_pagination_change() -> None:
    changes = _backend_v1_to_v2()
    moved = {(c.location, c.new) for c in changes if c.kind == "path-moved"}
    assert ("/v1/threads", "/v2/threads") in moved
    removed_params = {c.location for c in changes if c.kind == "parameter-removed"}
    assert "GET /v2/threads → query parameter page" in removed_params
    assert "GET /v2/threads → query parameter per_page" in removed_params
    page_fields = {
        c.location.rsplit(" → ", 1)[1]
        for c in changes
        if c.kind == "required-property-removed" and c.location.startswith("GET /v2/threads → response 200")
    }
    assert {"body.total", "body.page"} <= page_fields
    assert all(
        c.severity is Severity.BREAKING
        for c in changes
        if c.kind == "parameter-removed" or c.kind == "required-property-removed" and "response" in c.location
    )


def test_backend_v1_to_v2_reports_the_renamed_fields() -> None:
    # a rename is what a client meets: the old name removed (breaking where it was read or is refused),
    # the new one added; the removal names the likely new name
    renamed = {
        (c.location.split(" → ")[0], c.old, c.new): c.severity
        for c in _backend_v1_to_v2()
        if c.kind in ("required-property-removed", "property-refused") and c.new is not None
    }
    assert renamed[("GET /v2/threads", "items", "data")] is Severity.BREAKING
    assert renamed[("GET /v2/threads/{thread_id}", "title", "name")] is Severity.BREAKING
    assert renamed[("POST /v2/threads", "title", "name")] is Severity.BREAKING  # the request body too
    assert ("GET /v2/runs/{run_id}", "run_id", "id") in renamed


def test_the_engine_takes_yaml_integer_status_codes() -> None:
    as_text = document({"/a": {"get": {"responses": {"200": ok({"type": "string"})}}}})
    as_int = document({"/a": {"get": {"responses": {200: ok({"type": "string"})}}}})
    assert compare(as_text, as_int) == []
    assert compare(as_int, document({"/a": {"get": {"responses": {201: ok({"type": "string"})}}}}))


@pytest.mark.parametrize(
    "doc,message",
    [
        ({"swagger": "1.2", "paths": {}}, "not an OpenAPI 3 or Swagger 2.0 document \\(swagger 1.2\\)"),
        ({"asyncapi": "3.0.0"}, "not an OpenAPI 3 or Swagger 2.0 document"),
        ({"openapi": "3.1.0", "paths": []}, "#/paths: must be a mapping"),
    ],
)
def test_documents_that_are_not_openapi_3_are_contract_errors(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(ContractError, match=message):
        compare(doc, document({}), old_label="x.yaml")


def test_load_spec_reads_yaml_and_json_and_names_broken_files(tmp_path: Path) -> None:
    doc = document({"/a": {"get": {"responses": {"200": ok()}}}})
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(doc))
    (tmp_path / "a.json").write_text(json.dumps(doc))
    assert load_spec(str(tmp_path / "a.yaml")).document == load_spec(str(tmp_path / "a.json")).document == doc
    (tmp_path / "broken.yaml").write_text("openapi: 3.1.0\npaths: [\n")
    with pytest.raises(ContractError, match=r"broken.yaml: not valid YAML at line \d+"):
        load_spec(str(tmp_path / "broken.yaml"))
    with pytest.raises(ContractError, match="missing.yaml: cannot read"):
        load_spec(str(tmp_path / "missing.yaml"))


def test_a_spec_added_is_harmless_and_a_spec_deleted_is_breaking() -> None:
    doc = SpecSource("svc.yaml", document({}))
    assert [(c.kind, c.severity) for c in compare_sources(None, doc).changes] == [
        ("spec-added", Severity.NON_BREAKING)
    ]
    assert [(c.kind, c.severity) for c in compare_sources(doc, None).changes] == [
        ("spec-removed", Severity.BREAKING)
    ]


def test_comparison_serializes_to_json() -> None:
    old = document({"/a": {"get": {"responses": {"200": ok({"type": "string", "default": "x"})}}}})
    new = document({"/a": {"get": {"responses": {"200": ok({"type": "integer"})}}}})
    result = compare_sources(SpecSource("old", old), SpecSource("new", new))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["counts"] == {"breaking": 1, "deprecation": 0, "non-breaking": 0}
    assert data["changes"][0]["kind"] == "type-changed"
    assert (
        data["changes"][0]["new_pointer"] == "#/paths/~1a/get/responses/200/content/application~1json/schema"
    )


def test_the_rules_file_is_the_generated_table() -> None:
    written = (Path(__file__).resolve().parents[3] / table.RULES_FILE).read_text(encoding="utf-8")
    assert written == table.markdown(), (
        "regenerate: contractgate compat --rules --format markdown > " + table.RULES_FILE
    )


def test_every_rule_has_a_unique_id_a_basis_and_a_reason_where_it_differs() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    assert all(r.basis and r.family for r in RULES)
    assert all(not r.differs or r.oasdiff for r in RULES)  # a difference names what it differs from


def test_every_rule_kind_is_exercised_by_a_test() -> None:
    here = Path(__file__).parent
    text = "\n".join(p.read_text() for p in here.glob("test_*.py"))
    text += (here.parents[1] / "contractgate" / "test_compat_command.py").read_text()
    text += (
        "\n".join(p.name for p in (here.parents[1] / "data" / "compat").iterdir())
        if (here.parents[1] / "data" / "compat").is_dir()
        else ""
    )
    missing = [
        r.kind for r in RULES if not re.search(rf'"{re.escape(r.kind)}"|^{re.escape(r.kind)}$', text, re.M)
    ]
    assert missing == []
