"""Run every consumer's pact definitions and write `<consumer>-<provider>.json`, byte-stable.

The definitions write into a scratch folder (pact-python merges each interaction into its pair's
file); `build` then normalises each file — interactions sorted by description and provider states,
keys sorted, two-space indent, one trailing newline — and writes it to `out_dir` only if its bytes
changed. Running it twice gives identical files, so the committed pacts never churn in diffs.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from consumers.pacts import backend_service, mobile_app_legacy, web_frontend, websocket_service
from consumers.pacts.support import PactWriter

Definition = Callable[[PactWriter], None]

#: Every consumer's interactions, in the order they are exercised.
DEFINITIONS: tuple[Definition, ...] = (
    *web_frontend.INTERACTIONS,
    *mobile_app_legacy.INTERACTIONS,
    *backend_service.INTERACTIONS,
    *websocket_service.INTERACTIONS,
)


def _interaction_key(interaction: dict[str, Any]) -> tuple[str, str]:
    return str(interaction.get("description", "")), json.dumps(
        interaction.get("providerStates", []), sort_keys=True
    )


def normalise(document: dict[str, Any]) -> str:
    """The canonical text of a pact: what varies between runs removed, everything sorted."""
    document = dict(document)
    document["interactions"] = sorted(document.get("interactions", []), key=_interaction_key)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build(out_dir: Path | str, definitions: Iterable[Definition] = DEFINITIONS) -> list[Path]:
    """Exercise the definitions, write the normalised pact files to `out_dir`, return their paths."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="contractgate-pacts-") as scratch:
        writer = PactWriter(Path(scratch))
        for define in definitions:
            define(writer)
        for raw in sorted(Path(scratch).glob("*.json")):
            text = normalise(json.loads(raw.read_text(encoding="utf-8")))
            target = out / raw.name
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
            written.append(target)
    return written
