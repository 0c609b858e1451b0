"""`python -m tests.platforms.taskboard`: serve taskboard in the foreground (Ctrl-C stops it), or write
its generated OpenAPI document with `--write-openapi PATH`."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from tests.platforms.taskboard import DEMO_ACCOUNTS, FAULTS, Settings, create_app, serve


def openapi_text(settings: Settings) -> str:
    return json.dumps(create_app(settings).openapi(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.platforms.taskboard", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--fault", action="append", default=[], choices=sorted(FAULTS), help="plant a fault")
    parser.add_argument("--token-lifetime", type=int, default=900, help="seconds a token stays valid")
    parser.add_argument("--write-openapi", type=Path, metavar="PATH", help="write the OpenAPI document and exit")
    args = parser.parse_args(argv)
    settings = Settings(DEMO_ACCOUNTS, token_lifetime=args.token_lifetime, faults=frozenset(args.fault))
    if args.write_openapi:
        args.write_openapi.write_text(openapi_text(settings), encoding="utf-8")
        return 0
    with serve(settings, args.port) as url:
        print(f"taskboard on {url} (faults: {', '.join(sorted(settings.faults)) or 'none'})", flush=True)
        for account in DEMO_ACCOUNTS:
            print(f"  {account.role:5} {account.email}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
