"""`contractgate compat`: exit codes, the three formats, URL sources, git revisions, unreadable input."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from contractgate.cli import main

ROOT = Path(__file__).resolve().parents[2]


def spec(
    *, name_type: str = "string", deprecated: bool = False, extra_path: bool = False, limit_default: int = 20
) -> dict[str, Any]:
    thread = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": name_type}},
    }
    paths: dict[str, Any] = {
        "/v2/threads/{thread_id}": {
            "get": {
                "operationId": "getThread",
                "deprecated": deprecated,
                "parameters": [
                    {"name": "thread_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "default": limit_default}},
                ],
                "responses": {
                    "200": {
                        "description": "the thread",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thread"}}},
                    }
                },
            }
        }
    }
    if extra_path:
        paths["/health"] = {"get": {"operationId": "health", "responses": {"204": {"description": "up"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "svc", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": {"Thread": thread}},
    }


def write(path: Path, document: dict[str, Any]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["compat", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_breaking_change_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path / "old.yaml", spec()), write(tmp_path / "new.yaml", spec(extra_path=True))
    code, out, _ = run(capsys, old, new)
    assert code == 0
    assert "Non-breaking (1)" in out and "operation-added: new operation" in out and "GET /health" in out
    assert out.rstrip().splitlines()[-1].startswith("PASS")


def test_breaking_change_exits_1_with_its_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = write(tmp_path / "old.yaml", spec()), write(tmp_path / "new.yaml", spec(name_type="integer"))
    code, out, _ = run(capsys, old, new)
    assert code == 1
    assert "Breaking (1)" in out
    assert "✗ type-changed: type string → integer" in out
    assert "GET /v2/threads/{thread_id} → response 200 application/json → body.name" in out
    assert out.rstrip().splitlines()[-1].startswith("FAIL  1 breaking")


def test_json_format_lists_every_change_with_pointers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = write(tmp_path / "old.yaml", spec())
    new = write(tmp_path / "new.yaml", spec(name_type="integer", limit_default=50, deprecated=True))
    code, out, _ = run(capsys, old, new, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["verdict"] == "fail" and report["fail_on"] == "breaking"
    # a changed default is an annotation: reported for review, not breaking
    assert report["counts"] == {"breaking": 1, "deprecation": 1, "non-breaking": 1}
    changes = {c["kind"]: c for c in report["comparisons"][0]["changes"]}
    assert set(changes) == {"type-changed", "default-changed", "operation-deprecated"}
    assert changes["type-changed"]["new_pointer"] == "#/components/schemas/Thread/properties/name"
    assert changes["default-changed"]["location"] == "GET /v2/threads/{thread_id} → query parameter limit"
    assert (changes["default-changed"]["old"], changes["default-changed"]["new"]) == (20, 50)


def test_markdown_format_for_a_pr_comment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path / "old.yaml", spec()), write(tmp_path / "new.yaml", spec(name_type="integer"))
    code, out, _ = run(capsys, old, new, "--format", "markdown")
    assert code == 1
    assert out.startswith("## ❌ contractgate compat — 1 breaking")
    assert "#### Breaking (1)" in out
    assert (
        "| `type-changed` type string → integer | `GET /v2/threads/{thread_id} → response 200 application/json → body.name` |"
        in out
    )


def test_fail_on_deprecation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = write(tmp_path / "old.yaml", spec()), write(tmp_path / "new.yaml", spec(deprecated=True))
    assert run(capsys, old, new)[0] == 0
    code, out, _ = run(capsys, old, new, "--fail-on", "deprecation")
    assert code == 1 and "! operation-deprecated" in out


def _one_line_error(code: int, out: str, err: str, *fragments: str) -> None:
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("contractgate: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", spec())
    _one_line_error(*run(capsys, str(tmp_path / "missing.yaml"), good), "missing.yaml", "cannot read")
    (tmp_path / "broken.yaml").write_text("openapi: 3.1.0\npaths: {a: [\n")
    _one_line_error(*run(capsys, good, str(tmp_path / "broken.yaml")), "broken.yaml", "not valid YAML")
    (tmp_path / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n")
    _one_line_error(
        *run(capsys, good, str(tmp_path / "asyncapi.yaml")), "not an OpenAPI 3 or Swagger 2.0 document"
    )
    dangling = spec()
    dangling["paths"]["/v2/threads/{thread_id}"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/Nope"}
    _one_line_error(*run(capsys, good, write(tmp_path / "dangling.yaml", dangling)), "points at nothing")


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", spec())
    _one_line_error(*run(capsys, good), "give OLD and NEW")
    _one_line_error(*run(capsys, "--base", "HEAD", good, good), "with --base give one spec path")


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contractgate", "compat", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("contractgate: error: ") and len(done.stderr.splitlines()) == 1


# --- URL sources -------------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    folder = tmp_path / "site"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_url_source(served: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, folder = served
    (folder / "published.json").write_text(json.dumps(spec()))
    write(folder / "published.yaml", spec())
    candidate = write(tmp_path / "candidate.yaml", spec(name_type="integer"))
    code, out, _ = run(capsys, f"{url}/published.json", candidate, "--format", "json")
    assert code == 1
    assert json.loads(out)["comparisons"][0]["old"] == f"{url}/published.json"
    assert run(capsys, f"{url}/published.yaml", write(tmp_path / "same.yaml", spec()))[0] == 0


def test_a_url_that_fails_exits_2(
    served: tuple[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = served
    good = write(tmp_path / "good.yaml", spec())
    _one_line_error(*run(capsys, f"{url}/nothing.yaml", good), "answered HTTP 404")
    closed = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    port = closed.server_address[1]
    closed.server_close()
    _one_line_error(
        *run(capsys, f"http://127.0.0.1:{port}/spec.yaml", good, "--timeout", "5"), "cannot fetch"
    )


# --- git revisions -----------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)},
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root / "contracts" / "openapi" / "svc-v2.yaml", spec())
    write(root / "contracts" / "openapi" / "old-v1.yaml", spec())
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "published contracts")
    monkeypatch.setenv("CONTRACTGATE_CONTRACTS", str(root / "contracts"))
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return root


def test_base_with_one_path_compares_the_revision_with_the_work_tree(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "contracts" / "openapi" / "svc-v2.yaml"
    assert run(capsys, "--base", "HEAD", str(path))[0] == 0
    write(path, spec(name_type="integer"))
    code, out, _ = run(capsys, "--base", "HEAD", str(path), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["comparisons"][0]["old"] == "HEAD:contracts/openapi/svc-v2.yaml"
    assert report["comparisons"][0]["new"] == str(path)
    write(path, spec(extra_path=True))
    assert run(capsys, "--base", "HEAD", str(path))[0] == 0


def test_base_alone_compares_every_contract(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo / "contracts" / "openapi"
    write(folder / "new-v3.yaml", spec())  # added since the revision: fine
    code, out, _ = run(capsys, "--base", "HEAD", "--format", "json")
    assert code == 0
    compared = {(c["old"], c["new"]) for c in json.loads(out)["comparisons"]}
    assert (None, "contracts/openapi/new-v3.yaml") in compared
    assert ("HEAD:contracts/openapi/svc-v2.yaml", "contracts/openapi/svc-v2.yaml") in compared
    (folder / "old-v1.yaml").unlink()  # deleted: every client of it breaks
    code, out, _ = run(capsys, "--base", "HEAD")
    assert code == 1
    assert "spec-removed: document deleted" in out and "HEAD:contracts/openapi/old-v1.yaml" in out


def test_base_against_an_older_commit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = repo / "contracts" / "openapi" / "svc-v2.yaml"
    write(path, spec(name_type="integer"))
    git(repo, "commit", "-q", "-am", "break it")
    assert run(capsys, "--base", "HEAD", str(path))[0] == 0
    assert run(capsys, "--base", "HEAD~1", str(path))[0] == 1


def test_unknown_revision_or_no_repository_exits_2(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(repo / "contracts" / "openapi" / "svc-v2.yaml")
    _one_line_error(*run(capsys, "--base", "no-such-branch", path), "unknown revision 'no-such-branch'")
    outside = write(tmp_path / "elsewhere" / "svc.yaml", spec())
    _one_line_error(*run(capsys, "--base", "HEAD", outside), "not inside a git work tree")


def test_rules_prints_every_rule_with_its_basis(capsys: pytest.CaptureFixture[str]) -> None:
    from providers.compat import RULES

    code, out, _ = run(capsys, "--rules")
    assert code == 0
    assert out.startswith(f"{len(RULES)} rules (")
    for rule in RULES:
        assert f"  {rule.id}  [" in out
    code, out, _ = run(capsys, "--rules", "--format", "markdown")
    assert (
        code == 0 and out == (ROOT / "providers" / "compat" / "RULES.md").read_text(encoding="utf-8") + "\n"
    )
    code, out, _ = run(capsys, "--rules", "--format", "json")
    listed = json.loads(out)
    assert [r["id"] for r in listed] == [r.id for r in RULES] and all(r["basis"] for r in listed)


def test_an_internal_error_is_exit_2_not_a_breaking_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import contractgate.commands.compat as command

    def broken(*_: Any, **__: Any) -> Any:
        raise TypeError("an unforeseen shape")

    monkeypatch.setattr(command, "compare_files", broken)
    old = write(tmp_path / "old.yaml", spec())
    code, out, err = run(capsys, old, old)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "TypeError: an unforeseen shape" in err and "Traceback" not in err


def test_a_multi_file_description_is_read_at_the_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)

    def commit(name_type: str) -> None:
        thread = {"type": "object", "required": ["name"], "properties": {"name": {"type": name_type}}}
        (repo / "specs" / "schemas.yaml").write_text(yaml.safe_dump({"Thread": thread}))
        document = spec()
        document["paths"]["/v2/threads/{thread_id}"]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"] = {"$ref": "schemas.yaml#/Thread"}
        del document["components"]
        write(repo / "specs" / "api.yaml", document)
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@t",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@t",
        }
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", name_type], check=True, env=env)

    commit("string")
    commit("integer")
    (repo / "specs" / "schemas.yaml").write_text(
        yaml.safe_dump({"Thread": {"type": "object", "properties": {"name": {"type": "integer"}}}})
    )
    code, out, _ = run(capsys, "--base", "HEAD~1", str(repo / "specs" / "api.yaml"), "--format", "json")
    kinds = {c["kind"]: c for c in json.loads(out)["comparisons"][0]["changes"]}
    assert code == 1
    assert (
        kinds["type-changed"]["old_pointer"] == "schemas.yaml#/Thread/properties/name"
    )  # the old file, at HEAD~1
    assert "property-made-optional" in kinds  # the work tree's file, uncommitted
