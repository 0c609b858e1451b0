"""`contractgate compat` on small, medium and large API descriptions: seconds and peak memory.

The descriptions are synthetic and deterministic (a seeded generator shaped like large public ones:
hundreds of component schemas with `$ref`s, `allOf`, enums, nested objects, arrays and constraints,
thousands of operations with parameters, bodies and responses), written as YAML and as JSON. Each
figure is one `contractgate compat OLD NEW` process, measured from outside (wall clock, and peak
resident memory from `wait4`), so interpreter start-up and imports are counted as a user meets them:

- self:     a description against itself (what CI does on a PR that touches no contract)
- modified: against a copy with a few breaking and non-breaking changes
- JSON:     the same, from the JSON files (ratio YAML/JSON: what YAML parsing costs)
- parse:    loading the YAML once in-process, with the fast path (rapidyaml) and with PyYAML's libyaml
            loader forced, side by side (ratio libyaml/rapidyaml)
- bomb:     an 800-byte YAML alias bomb, refused

No assertions: figures and ratios. Usage:

    python benchmarks/compat.py [--sizes small medium large] [--repeat 3]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from providers.compat import loader  # noqa: E402

SIZES = {"small": (8, 12), "medium": (60, 120), "large": (420, 1150)}  # (component schemas, paths)
WORDS = "thread message run user tenant usage event status token invoice item order price account".split()


def _schema(rng: random.Random, index: int, components: int, depth: int = 0) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for field in range(rng.randint(4, 9)):
        name = f"{rng.choice(WORDS)}_{field}"
        kind = rng.choice(["string", "integer", "number", "boolean", "array", "object", "ref", "enum"])
        if kind == "string":
            properties[name] = {
                "type": "string",
                "maxLength": rng.choice([64, 255, 1024]),
                "description": f"The {name} of the {WORDS[index % len(WORDS)]}.",
            }
        elif kind in ("integer", "number"):
            properties[name] = {
                "type": kind,
                "minimum": 0,
                "maximum": rng.choice([100, 10_000]),
                "format": "int64" if kind == "integer" else "double",
            }
        elif kind == "boolean":
            properties[name] = {"type": "boolean", "default": False}
        elif kind == "enum":
            properties[name] = {"type": "string", "enum": rng.sample(WORDS, 4)}
        elif kind == "array":
            properties[name] = {
                "type": "array",
                "maxItems": 100,
                "items": {"$ref": f"#/components/schemas/Schema{rng.randrange(components)}"},
            }
        elif kind == "object" and depth < 2:
            properties[name] = _schema(rng, index, components, depth + 1)
        else:
            properties[name] = {"$ref": f"#/components/schemas/Schema{rng.randrange(components)}"}
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": sorted(properties)[:2]}
    if depth == 0 and index % 5 == 0 and index:
        return {
            "allOf": [{"$ref": f"#/components/schemas/Schema{index - 1}"}, schema],
            "description": "An extension.",
        }
    return schema


def description(size: str, seed: int = 14) -> dict[str, Any]:
    components, paths = SIZES[size]
    rng = random.Random(seed)
    schemas = {f"Schema{i}": _schema(rng, i, components) for i in range(components)}
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": f"synthetic {size}", "version": "1.0.0"},
        "paths": {},
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"token": []}],
    }
    for p in range(paths):
        resource = f"/v1/{rng.choice(WORDS)}s{p}"
        ref = {"$ref": f"#/components/schemas/Schema{rng.randrange(components)}"}
        listing = {
            "type": "object",
            "properties": {
                "data": {"type": "array", "items": ref},
                "next_cursor": {"type": ["string", "null"]},
            },
        }
        doc["paths"][resource] = {
            "get": {
                "operationId": f"list{p}",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                    },
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"description": "a page", "content": {"application/json": {"schema": listing}}},
                    "401": {"description": "no token"},
                },
            },
            "post": {
                "operationId": f"create{p}",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": copy.deepcopy(ref)}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": copy.deepcopy(ref)}},
                    }
                },
            },
        }
        doc["paths"][f"{resource}/{{id}}"] = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
            ],
            "get": {
                "operationId": f"get{p}",
                "responses": {
                    "200": {
                        "description": "one",
                        "content": {"application/json": {"schema": copy.deepcopy(ref)}},
                    },
                    "404": {"description": "not found"},
                },
            },
            "delete": {"operationId": f"delete{p}", "responses": {"204": {"description": "gone"}}},
        }
    return doc


def modified(doc: dict[str, Any]) -> dict[str, Any]:
    """A few changes of each kind: a removed operation, a new required property, a widened enum…"""
    new = copy.deepcopy(doc)
    first = next(iter(new["paths"]))
    del new["paths"][first]["post"]
    schema = new["components"]["schemas"]["Schema1"]
    schema = schema["allOf"][1] if "allOf" in schema else schema
    schema["properties"]["added_field"] = {"type": "string"}
    schema["required"] = [*schema.get("required", []), "added_field"]
    for props in (s.get("properties", {}) for s in new["components"]["schemas"].values()):
        for value in props.values():
            if isinstance(value, dict) and "enum" in value:
                value["enum"] = [*value["enum"], "brand_new"]
                return new
    return new


def write(folder: Path, size: str) -> dict[str, Path]:
    doc = description(size)
    files = {}
    for name, value in (("old", doc), ("new", modified(doc))):
        files[f"{name}.yaml"] = folder / f"{size}-{name}.yaml"
        files[f"{name}.yaml"].write_text(yaml.safe_dump(value, sort_keys=False, width=100), encoding="utf-8")
        files[f"{name}.json"] = folder / f"{size}-{name}.json"
        files[f"{name}.json"].write_text(json.dumps(value, indent=1), encoding="utf-8")
    return files


def measure(*argv: str, repeat: int) -> tuple[float, float, float, int]:
    """(best wall seconds, best CPU seconds, peak MiB, exit code) of `contractgate compat ARGV`."""
    best, cpu, peak, code = float("inf"), float("inf"), 0.0, -1
    command = [sys.executable, "-m", "contractgate.cli", "compat", *argv]
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, usage.ru_utime + usage.ru_stime)
        peak = max(peak, usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
    return best, cpu, peak, code


def engine(old: Path, new: Path, repeat: int) -> tuple[float, float]:
    """(best wall, best CPU seconds) of loading and comparing in-process: the engine without start-up."""
    from providers.compat import compare_files

    best, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        compare_files(str(old), str(new))
        best, cpu = min(best, time.perf_counter() - start), min(cpu, time.process_time() - start_cpu)
    return best, cpu


def parse_seconds(path: Path, *, fast: bool, repeat: int) -> float:
    data = path.read_bytes()
    saved = loader._ryml
    best = float("inf")
    try:
        if not fast:
            loader._ryml = None  # force PyYAML's libyaml loader
        for _ in range(repeat):
            start = time.perf_counter()
            loader.parse(data, path.name)
            best = min(best, time.perf_counter() - start)
    finally:
        loader._ryml = saved
    return best


BOMB = b"a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + b"".join(
    f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n".encode() for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", nargs="+", choices=tuple(SIZES), default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", metavar="DIR", help=argparse.SUPPRESS)  # internal: generate the files only
    args = parser.parse_args()
    if args.write:
        for size in args.sizes:
            write(Path(args.write), size)
        return
    with tempfile.TemporaryDirectory(prefix="compat-bench-") as tmp:
        folder = Path(tmp)
        # The files are generated in a child process, and every compat run is a child of this small
        # process: a forked child starts with its parent's resident pages, which would count as its own.
        subprocess.run([sys.executable, __file__, "--write", tmp, "--sizes", *args.sizes], check=True)
        bomb = folder / "bomb.yaml"
        bomb.write_bytes(BOMB)
        print(
            f"contractgate compat, best of {args.repeat}; wall and CPU seconds of the whole process (start-up"
        )
        print("included); peak = largest resident set of one process; 'engine' = load + compare in-process")
        print(f"{'size':8} {'bytes':>10} {'case':16} {'wall s':>7} {'CPU s':>6} {'peak MiB':>9} {'exit':>4}")
        processes = {}
        for size in args.sizes:
            old, new, json_old = (folder / f"{size}-{name}" for name in ("old.yaml", "new.yaml", "old.json"))
            processes[size] = [
                ("self", measure(str(old), str(old), repeat=args.repeat)),
                ("modified", measure(str(old), str(new), repeat=args.repeat)),
                ("JSON self", measure(str(json_old), str(json_old), repeat=args.repeat)),
            ]
        seconds, _, peak, code = measure(str(bomb), str(bomb), repeat=args.repeat)
        bomb_line = f"alias bomb ({len(BOMB)} bytes, ~10^9 nodes expanded): refused in {seconds:.2f}s (start-up included), peak {peak:.0f} MiB, exit {code}"
        for size in args.sizes:  # in-process figures last: they grow this process
            old, new = folder / f"{size}-old.yaml", folder / f"{size}-new.yaml"
            for case, (seconds, cpu, peak, code) in processes[size]:
                print(
                    f"{size:8} {old.stat().st_size:>10} {case:16} {seconds:>7.2f} {cpu:>6.2f} {peak:>9.0f} {code:>4}"
                )
            for case, (a, b) in (("self", (old, old)), ("modified", (old, new))):
                wall, cpu = engine(a, b, args.repeat)
                print(f"{size:8} {old.stat().st_size:>10} {'engine ' + case:16} {wall:>7.2f} {cpu:>6.2f}")
            yaml_s, json_s = processes[size][0][1][1], processes[size][2][1][1]
            fast = parse_seconds(old, fast=True, repeat=args.repeat)
            slow = parse_seconds(old, fast=False, repeat=1 if size == "large" else args.repeat)
            print(
                f"{'':8} CPU ratio YAML/JSON self {yaml_s / json_s:.2f}; parse rapidyaml {fast:.2f}s, "
                f"libyaml {slow:.2f}s (libyaml/rapidyaml {slow / fast:.1f}x)"
            )
        start, refused = time.perf_counter(), "NOT refused"
        try:
            loader.parse(BOMB, "bomb.yaml")
        except Exception as exc:  # the refusal is what is measured
            refused = f"{type(exc).__name__}: {exc}"
        print(f"{bomb_line}\n  in-process: {time.perf_counter() - start:.4f}s ({refused})")


if __name__ == "__main__":
    main()
