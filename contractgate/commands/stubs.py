"""`contractgate stubs serve`: the three stubs on fixed loopback ports until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import threading

from contractgate.commands import Subcommands, integer
from providers.errors import ConfigError

#: A TCP port; 0 lets the system choose a free one.
PORT = integer(0, 65535)


def serve(args: argparse.Namespace) -> int:
    from stubs.platform import Platform, PlatformOptions
    from stubs.server import ServerError

    options = PlatformOptions(
        host=args.host,
        auth_port=args.auth_port,
        backend_port=args.backend_port,
        websocket_port=args.websocket_port,
        provider_states=not args.no_provider_states,
    )
    try:
        platform = Platform(options).start()
    except ServerError as exc:
        raise ConfigError(str(exc)) from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        for name, url in platform.endpoints.items():
            print(f"{name:<18} {url}", flush=True)
        print("serving; Ctrl-C to stop", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        platform.stop()
    print("stopped", flush=True)
    return 0


def register(commands: Subcommands) -> None:
    stubs = commands.add_parser("stubs", help="the provider stubs")
    stubs_commands = stubs.add_subparsers(dest="stubs_command", required=True, metavar="COMMAND")
    serve_parser = stubs_commands.add_parser("serve", help="serve the three stubs until Ctrl-C / SIGTERM")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--auth-port", type=PORT, default=8001)
    serve_parser.add_argument("--backend-port", type=PORT, default=8002)
    serve_parser.add_argument("--websocket-port", type=PORT, default=8003)
    serve_parser.add_argument(
        "--no-provider-states",
        action="store_true",
        help="serve without the provider-state hook, as a staging environment is",
    )
    serve_parser.set_defaults(run=serve)
