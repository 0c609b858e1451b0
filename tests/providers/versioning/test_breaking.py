"""Breaking changes between the contracts at a base and in the work tree, in scratch git repositories.

Each test copies the shipped OpenAPI documents into a temporary repository, commits them, edits the
work tree as a developer would (through YAML, so each edit reads as what it means) and runs the
`breaking` part. The diffing itself is `providers.compat`'s (tested in tests/providers/compat).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from starlette.applications import Starlette
from starlette.staticfiles import StaticFiles

from contracts import openapi_specs
from providers.errors import ConfigError
from providers.results import Result, Verdict
from providers.versioning.breaking import breaking_changes
from stubs.server import BackgroundServer, bind, url_of
from tests.providers.versioning.support import (
    committed_contracts,
    copy_contracts,
    git,
    of,
    stubs,
    versioning,
)

Edit = Callable[[dict[str, Any]], None]


def edit_spec(contracts: Path, name: str, edit: Edit) -> None:
    path = contracts / "openapi" / f"{name}.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def remove_users_me(document: dict[str, Any]) -> None:
    del document["paths"]["/v2/users/me"]


def add_summary(document: dict[str, Any]) -> None:
    thread = document["paths"]["/v2/threads/{thread_id}"]
    document["paths"]["/v2/threads/{thread_id}/summary"] = {
        "parameters": thread["parameters"],
        "get": {"operationId": "getThreadSummary", "responses": {"200": {"description": "The summary."}}},
    }


def deprecate_usage(document: dict[str, Any]) -> None:
    document["paths"]["/v2/admin/usage"]["get"]["deprecated"] = True


def run(contracts: Path, base: str | None = None) -> list[Result]:
    return list(breaking_changes(openapi_specs(contracts), base))


def test_a_breaking_change_in_the_work_tree_fails_with_its_location(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path)
    edit_spec(contracts, "backend-v2", remove_users_me)
    results = run(contracts)
    failed = of(results, "breaking-change", Verdict.FAIL)
    assert [(r.operation, r.observed) for r in failed] == [
        ("GET /v2/users/me", "operation-removed: operation removed (the whole path is gone)")
    ]
    change = failed[0]
    assert change.service == "backend-service"
    assert change.details["kind"] == "operation-removed"
    assert change.details["severity"] == "breaking"
    assert change.details["rule"] == "clients calling it get 404/405"
    assert change.details["old_pointer"] == "#/paths/~1v2~1users~1me/get"
    assert change.details["base"].startswith("the merge base of HEAD with main (")
    assert change.reproduction and change.reproduction.endswith("contracts/openapi/backend-v2.yaml")
    assert change.reproduction.startswith("contractgate compat --base ")
    unchanged = [r for r in results if r.verdict is Verdict.PASS]
    assert {r.operation for r in unchanged} == {
        f"contracts/openapi/{n}.yaml" for n in ("auth-v1", "auth-v2", "backend-v1")
    }


def test_non_breaking_changes_pass_and_a_deprecation_passes_with_a_note(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path)
    edit_spec(contracts, "backend-v2", add_summary)
    edit_spec(contracts, "backend-v2", deprecate_usage)
    results = [r for r in run(contracts) if "backend-v2" in r.details.get("document", "")]
    assert [r.verdict for r in results] == [Verdict.PASS, Verdict.PASS]
    noted, summary = results
    assert noted.operation == "GET /v2/admin/usage"
    assert noted.observed == "allowed, noted: operation-deprecated: operation marked deprecated"
    assert summary.observed == "no breaking change (1 deprecation, 1 non-breaking)"
    assert [c["kind"] for c in summary.details["changes"]] == ["operation-deprecated", "operation-added"]


def test_the_default_base_is_the_merge_base_with_main_so_every_change_of_the_branch_counts(
    tmp_path: Path,
) -> None:
    contracts = committed_contracts(tmp_path)
    git(tmp_path, "checkout", "-q", "-b", "feature")
    edit_spec(contracts, "backend-v2", remove_users_me)
    git(tmp_path, "commit", "-q", "-am", "drop users/me")  # committed on the branch …
    edit_spec(contracts, "auth-v2", lambda d: d["paths"].pop("/v2/auth/userinfo"))  # … and not yet
    failed = of(run(contracts), "breaking-change", Verdict.FAIL)
    assert [r.operation for r in failed] == ["GET /v2/auth/userinfo", "GET /v2/users/me"]
    assert [r.operation for r in of(run(contracts, "HEAD"), "breaking-change", Verdict.FAIL)] == [
        "GET /v2/auth/userinfo"
    ]


def test_without_a_main_branch_head_is_the_base(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path, branch="trunk")
    edit_spec(contracts, "backend-v2", remove_users_me)
    failed = of(run(contracts), "breaking-change", Verdict.FAIL)
    assert [r.operation for r in failed] == ["GET /v2/users/me"]
    assert failed[0].details["base"] == "HEAD (no main branch) (HEAD)"


def test_a_deleted_document_is_breaking_and_a_new_one_is_not(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path)
    (contracts / "openapi" / "auth-v1.yaml").unlink()
    shutil.copy(contracts / "openapi" / "backend-v2.yaml", contracts / "openapi" / "backend-v3.yaml")
    results = run(contracts)
    failed = of(results, "breaking-change", Verdict.FAIL)
    assert [(r.service, r.observed) for r in failed] == [("auth-service", "spec-removed: document deleted")]
    added = next(r for r in results if r.operation == "contracts/openapi/backend-v3.yaml")
    assert added.verdict is Verdict.PASS and added.observed == "no breaking change (1 non-breaking)"


def test_a_new_major_version_is_not_judged_and_not_passed(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path)

    def new_major(document: dict[str, Any]) -> None:
        remove_users_me(document)
        document["info"]["x-api-version"] = "v3"

    edit_spec(contracts, "backend-v2", new_major)
    results = [r for r in run(contracts) if "backend-v2" in r.details.get("document", "")]
    assert [r.verdict for r in results] == [Verdict.SKIPPED]
    assert "the major version changed (v2 → v3)" in results[0].observed
    assert [c["kind"] for c in results[0].details["changes"]] == ["operation-removed"]


def test_outside_a_git_work_tree_the_comparison_is_skipped(tmp_path: Path) -> None:
    contracts = copy_contracts(tmp_path)
    results = run(contracts)
    assert [r.verdict for r in results] == [Verdict.SKIPPED]
    assert "is not in a git work tree" in results[0].observed


def test_an_explicit_base_that_cannot_be_had_is_a_configuration_error(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path / "repo")
    with pytest.raises(ConfigError, match="unknown revision 'v9.9.9'"):
        run(contracts, "v9.9.9")
    outside = copy_contracts(tmp_path / "plain")
    with pytest.raises(ConfigError, match="not in a git work tree"):
        run(outside, "HEAD")


def test_a_folder_base_is_compared_file_by_file(tmp_path: Path) -> None:
    old = copy_contracts(tmp_path / "old")
    new = copy_contracts(tmp_path / "new")
    edit_spec(new, "backend-v2", remove_users_me)
    failed = of(run(new, str(old)), "breaking-change", Verdict.FAIL)
    assert [r.operation for r in failed] == ["GET /v2/users/me"]
    assert failed[0].reproduction == (
        f"contractgate compat {old / 'openapi' / 'backend-v2.yaml'} {new / 'openapi' / 'backend-v2.yaml'}"
    )


def test_a_url_template_base_fetches_each_document_by_name(tmp_path: Path) -> None:
    old = copy_contracts(tmp_path / "old")
    new = copy_contracts(tmp_path / "new")
    edit_spec(new, "backend-v2", remove_users_me)
    shutil.copy(
        new / "openapi" / "auth-v2.yaml", new / "openapi" / "auth-v3.yaml"
    )  # unknown to the base: 404
    app = Starlette()
    app.mount("/specs", StaticFiles(directory=old / "openapi"))
    sock = bind()
    base = url_of(sock) + "/specs"
    with BackgroundServer(app, sock, name="specs"):
        results = run(new, base + "/{name}.yaml")
    assert [r.operation for r in of(results, "breaking-change", Verdict.FAIL)] == ["GET /v2/users/me"]
    added = next(r for r in results if r.operation.endswith("auth-v3.yaml"))
    assert added.verdict is Verdict.PASS and "1 non-breaking" in added.observed
    with pytest.raises(ConfigError, match="placeholder"):
        run(new, base + "/backend-v2.yaml")


def test_the_suite_compares_the_contracts_it_was_given(tmp_path: Path) -> None:
    contracts = committed_contracts(tmp_path)
    edit_spec(contracts, "backend-v2", remove_users_me)
    with stubs() as target:
        results = versioning(target, contracts_root=str(contracts), parts=["breaking"])
    assert [r.operation for r in results if r.verdict is Verdict.FAIL] == ["GET /v2/users/me"]
    assert {r.suite for r in results} == {"versioning"}
