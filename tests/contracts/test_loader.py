"""The contracts loader finds documents and names the file and the reason when one is broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts import ContractFileError, load_document, openapi_specs, spec_by_name


def test_broken_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("openapi: 3.1.0\ninfo: [unclosed\n")
    with pytest.raises(ContractFileError) as caught:
        load_document(path)
    assert str(path) in str(caught.value) and "line" in str(caught.value)


def test_broken_json_and_non_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"consumer": ')
    with pytest.raises(ContractFileError, match="not valid JSON"):
        load_document(bad)
    listy = tmp_path / "l.yaml"
    listy.write_text("- a\n- b\n")
    with pytest.raises(ContractFileError, match="expected a mapping"):
        load_document(listy)


def test_missing_file_is_a_contract_error(tmp_path: Path) -> None:
    with pytest.raises(ContractFileError, match="cannot read"):
        load_document(tmp_path / "nope.yaml")


def test_a_root_of_ones_own_contracts(tmp_path: Path) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "shop-v1.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: shop, version: '1', x-service: shop}\npaths: {}\n"
    )
    (spec,) = openapi_specs(tmp_path)
    assert (spec.name, spec.service, spec.version) == ("shop-v1", "shop", "v1")
    with pytest.raises(ContractFileError, match="known: shop-v1"):
        spec_by_name("auth-v2", tmp_path)


def test_a_spec_without_x_service_is_named_by_the_manifest_or_its_file(tmp_path: Path) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "a-v1.yaml").write_text("openapi: 3.1.0\ninfo: {title: a, version: '1'}\npaths: {}\n")
    (tmp_path / "openapi" / "generated.json").write_text(
        '{"openapi": "3.1.0", "info": {"title": "b", "version": "2.3.0"}, "paths": {}}'
    )
    named = {spec.name: (spec.service, spec.version) for spec in openapi_specs(tmp_path)}
    assert named == {"a-v1": ("a", "v1"), "generated": ("generated", "v2")}
    # Every reader finds the answer where the format says it is.
    assert all(spec.document["info"]["x-service"] == spec.service for spec in openapi_specs(tmp_path))


def test_the_manifest_names_the_service_of_a_generated_spec(tmp_path: Path) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "openapi.json").write_text(
        '{"openapi": "3.1.0", "info": {"title": "b", "version": "0.1.0"}, "paths": {}}'
    )
    (tmp_path / "platform.yaml").write_text("documents:\n  openapi/openapi.json: {service: tasks, version: v1}\n")
    (spec,) = openapi_specs(tmp_path)
    assert (spec.service, spec.version) == ("tasks", "v1")


def test_a_spec_whose_service_is_not_a_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "a-v1.yaml").write_text(
        "openapi: 3.1.0\ninfo: {title: a, version: '1', x-service: [1]}\npaths: {}\n"
    )
    with pytest.raises(ContractFileError, match="x-service"):
        openapi_specs(tmp_path)
