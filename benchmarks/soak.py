"""A bounded soak of the stubs: fuzz cases by the ten thousand, then a thousand WebSocket clients at once.

One `stubs.platform.Platform` on loopback (the gate's options) serves both phases, each app wrapped in
an observer that counts, at the server, every HTTP status, WebSocket accept and server-sent close code,
and remembers the event loop it runs on so that its asyncio tasks can be counted.

1. Fuzz: the gate's own fuzz suite (Schemathesis, every check and phase) over HTTP against the stubs,
   round after round with fresh seeds, until `--cases` test cases have run. Counted: cases, requests,
   5xx answers at the servers, and every check that did not pass.
2. WebSocket: `--clients` clients in a process of their own (`soak_clients.py`), each with its own
   tokens from the auth stub, all connected at the same time, each creating a run of `--events` outputs
   and following it to its final event, checking that the session's `seq` and the run's `event_seq`
   go 1, 2, 3, … with nothing lost, twice or out of order. The WebSocket stub polls each run every
   `--poll-interval` s (0.5; its default, 0.05, is a thousand clients × 20 polls a second, more than
   two shared cores serve) and sends heartbeats every `--heartbeat` s (the gate's 1).

Around them, in this process (the stubs'): open file descriptors (`/proc/self/fd`, TCP sockets by role
from `/proc/net/tcp`), threads, and the asyncio tasks on each stub's loop — when idle, after each phase
once every client has closed, and after the stubs stop. Anything left over is a leak, except what a first
start of the stubs or a first fuzz round opens for the life of the process (uvloop's pipe, Schemathesis'
portal thread), which is shown and must not grow. Everything is on 127.0.0.1 and bounded in time; exit 0
when nothing was found. Run on demand (not part of pytest):

    python benchmarks/soak.py [--cases 10000] [--clients 1000] [--events 20] [--skip fuzz|ws]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from contractgate.credentials import demo_credentials  # noqa: E402
from contractgate.embedded import gate_options, target_of  # noqa: E402
from contractgate.gate import GatePlan, run_gate  # noqa: E402
from providers.results import Verdict  # noqa: E402
from providers.suite import RunOptions  # noqa: E402
from stubs import auth, backend, websocket  # noqa: E402
from stubs.platform import Platform  # noqa: E402

Scope = dict[str, Any]


class Observed:
    """An ASGI app in front of a stub, counting what the server answers (touched by its loop only)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None
        self.statuses: Counter[int] = Counter()
        self.ws_accepted = 0
        self.ws_closes: Counter[int] = Counter()
        self.crashes = 0

    async def __call__(self, scope: Scope, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if self.loop is None:
            self.loop = asyncio.get_running_loop()
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return

        async def counting(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind in ("http.response.start", "websocket.http.response.start"):
                self.statuses[int(message["status"])] += 1
            elif kind == "websocket.accept":
                self.ws_accepted += 1
            elif kind == "websocket.close":
                self.ws_closes[int(message.get("code", 1000))] += 1
            await send(message)

        try:
            await self.app(scope, receive, counting)
        except Exception:
            self.crashes += 1  # uvicorn answers 500 (or closes 1011) for an app that raised
            raise

    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500) + self.crashes

    def snapshot(self) -> tuple[Counter[int], int, Counter[int], int]:
        return Counter(self.statuses), self.ws_accepted, Counter(self.ws_closes), self.crashes

    def tasks(self) -> list[str]:
        """The tasks alive on this stub's loop, other than the one asking (named by their coroutine)."""
        assert self.loop is not None

        async def alive() -> list[str]:
            me = asyncio.current_task()
            return sorted(
                getattr(t.get_coro(), "__qualname__", t.get_name())
                for t in asyncio.all_tasks()
                if t is not me
            )

        return asyncio.run_coroutine_threadsafe(alive(), self.loop).result(timeout=30)


def observed_platform(
    run_output_events: int, poll_interval: float, heartbeat: float
) -> tuple[Platform, dict[str, Observed]]:
    observers: dict[str, Observed] = {}

    def wrap(name: str, factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def build(settings: Any) -> Observed:
            observers[name] = Observed(factory(settings))
            return observers[name]

        return build

    options = gate_options()
    # Longer runs than the gate's, so that each client's stream has something to lose or reorder.
    options.backend["run_output_events"] = run_output_events
    options.websocket["run_poll_interval"] = poll_interval
    options.websocket["heartbeat_interval"] = heartbeat
    options.auth_factory = wrap("auth-service", auth.create_app)
    options.backend_factory = wrap("backend-service", backend.create_app)
    options.websocket_factory = wrap("websocket-service", websocket.create_app)
    return Platform(options), observers


def open_fds() -> dict[int, str]:
    fds: dict[int, str] = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # the directory's own fd, closed by the time it is read
            continue
    return fds


def threads() -> list[str]:
    return sorted(t.name for t in threading.enumerate())


def fd_kinds(fds: dict[int, str]) -> str:
    kinds = Counter(target.split(":")[0] if ":" in target else "file" for target in fds.values())
    return ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))


TCP_LISTEN = "0A"
#: Accepted connections of the WebSocket stub (see `sockets`): none may outlive its client.
WS_SERVER = "websocket-service server"


def sockets(fds: dict[int, str], ports: dict[int, str]) -> Counter[str]:
    """This process's TCP sockets by role: '<service> server' (accepted), 'to <service>' (client end),
    '<service> listening', or 'other' — read from /proc/net/tcp by inode."""
    inodes = {int(t[8:-1]) for t in fds.values() if t.startswith("socket:[")}
    roles: Counter[str] = Counter()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if int(fields[9]) not in inodes:
                continue
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            if local in ports:
                roles[f"{ports[local]} {'listening' if fields[3] == TCP_LISTEN else 'server'}"] += 1
            elif remote in ports:
                roles[f"to {ports[remote]}"] += 1
            else:
                roles["other"] += 1
    return roles


def raise_fd_limit(wanted: int) -> tuple[int, int]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def all_tasks(observers: dict[str, Observed]) -> dict[str, list[str]]:
    return {name: observer.tasks() for name, observer in observers.items()}


def settle(
    observers: dict[str, Observed], baseline: dict[str, list[str]], ports: dict[int, str], seconds: float
) -> float:
    """Wait (up to `seconds`) until no stub has more tasks than at `baseline` and no WebSocket
    connection is open at the server; the time it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        now = all_tasks(observers)
        quiet = all(len(now[name]) <= len(baseline[name]) for name in observers)
        if quiet and not sockets(open_fds(), ports)[WS_SERVER]:
            break
        time.sleep(0.2)
    return time.monotonic() - started


def fuzz(
    platform: Platform, observers: dict[str, Observed], wanted: int, examples: int, budget: float
) -> tuple[list[str], int, dict[int, str]]:
    """Fuzz rounds with fresh seeds until `wanted` cases ran: the figures, the problems, and the fds
    open after the first round (Schemathesis keeps some for the life of the process)."""
    target = target_of(platform)
    cases = requests = rounds = 0
    after_first: dict[int, str] = {}
    problems: list[str] = []
    before = {name: o.server_errors() for name, o in observers.items()}
    answered_before = sum(sum(o.statuses.values()) for o in observers.values())
    started = time.monotonic()
    while cases < wanted and time.monotonic() - started < budget:
        seed = random.SystemRandom().getrandbits(64)
        rounds += 1
        outcome = run_gate(
            GatePlan(
                target=target,
                suites=("fuzz",),
                options=RunOptions(seed=seed, max_examples=examples, suites={"fuzz": {"in_process": False}}),
                credentials=demo_credentials(),
            )
        )
        # Results are per operation × check; each spec's figures sit in the details they share.
        per_spec = {str(r.details["spec"]): r.details for r in outcome.results if "cases" in r.details}
        round_cases = sum(int(d["cases"]) for d in per_spec.values())
        cases += round_cases
        requests += sum(int(d["requests"]) for d in per_spec.values())
        if rounds == 1:
            after_first = open_fds()
        bad = [r for r in outcome.results if r.verdict in (Verdict.FAIL, Verdict.ERROR)]
        problems += [
            f"seed {seed}: [{r.verdict.value}] {r.operation} {r.check}: {r.observed[:200]}" for r in bad
        ]
        if outcome.stopped:
            problems.append(f"seed {seed}: stopped: {outcome.stopped}")
        print(
            f"  fuzz round {rounds}: seed {seed}, {round_cases} cases in {outcome.seconds:.0f} s "
            f"(total {cases}), {len(bad)} checks not passed; {len(open_fds())} fds, {len(threads())} threads",
            flush=True,
        )
    seconds = time.monotonic() - started
    errors = {name: o.server_errors() - before[name] for name, o in observers.items()}
    answered = sum(sum(o.statuses.values()) for o in observers.values()) - answered_before
    short = [f"only {cases} of {wanted} cases within {budget:g} s"] if cases < wanted else []
    lines = [
        f"fuzz cases:                 {cases} in {rounds} rounds, {seconds:.0f} s ({cases / seconds:.0f} cases/s), "
        f"max_examples {examples}",
        f"requests sent / answered:   {requests} by Schemathesis; {answered} answered by the stubs "
        "(with stub-to-stub calls)",
        f"5xx at the servers:         {sum(errors.values())}  ({', '.join(f'{k} {v}' for k, v in errors.items())})",
        f"checks not passed:          {len(problems)}",
        *[f"  {p}" for p in problems[:20]],
        *short,
    ]
    return lines, len(problems) + len(short), after_first


def ws(
    platform: Platform, observers: dict[str, Observed], clients: int, streams: int, timeout: float
) -> tuple[list[str], int]:
    """The clients in a process of their own (as real clients would be), the server side counted here."""
    observer = observers["websocket-service"]
    statuses_before, accepted_before, closes_before, _ = observer.snapshot()
    errors_before = {name: o.server_errors() for name, o in observers.items()}
    answered_before = {name: sum(o.statuses.values()) for name, o in observers.items()}
    expected = platform.backend_settings.run_output_events + 2
    command = [
        sys.executable,
        str(Path(__file__).with_name("soak_clients.py")),
        f"--auth-url={platform.auth_url}",
        f"--backend-url={platform.backend_url}",
        f"--ws-url={platform.websocket_url}",
        f"--clients={clients}",
        f"--streams={streams}",
        f"--expected-events={expected}",
        f"--timeout={timeout}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout + 60)
    if done.returncode != 0:
        return [f"the clients' process failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}"], 1
    f = json.loads(done.stdout.strip().splitlines()[-1])
    statuses, accepted, closes, _ = observer.snapshot()
    errors = {name: o.server_errors() - errors_before[name] for name, o in observers.items()}
    answered = {name: sum(o.statuses.values()) - answered_before[name] for name, o in observers.items()}
    seconds = float(f["seconds"])
    server_closes = closes - closes_before
    refused = dict(statuses - statuses_before)
    session, events = f["session"], f["events"]
    return [
        f"WebSocket clients:          {clients} ({f['connected']} connected, peak {f['peak']} open at once, "
        f"each open until all were done), {f['seconds']:.1f} s; runs followed {streams} at a time",
        f"accepted by the server:     {accepted - accepted_before}; handshakes refused: {refused or 'none'}; "
        f"server closes: {dict(server_closes) or 'none'}",
        f"runs followed to the end:   {f['completed']} of {clients} ({expected} events each)",
        f"messages checked:           {f['messages']} ({f['run_events']} run events)",
        f"lost / duplicated / reordered: session seq {session['lost']}/{session['duplicated']}/"
        f"{session['reordered']}, run event_seq {events['lost']}/{events['duplicated']}/{events['reordered']}",
        f"5xx at the servers:         {sum(errors.values())}  ({', '.join(f'{k} {v}' for k, v in errors.items())})",
        "HTTP answered meanwhile:    "
        + ", ".join(f"{k} {v} ({v / seconds:.0f}/s)" for k, v in answered.items())
        + " (tokens, runs, the WebSocket stub's polls and introspection)",
        f"client failures:            {sum(f['failures'].values())}  {f['failures'] or ''}",
    ], int(f["problems"])


def state(
    label: str, observers: dict[str, Observed], ports: dict[int, str], took: float | None = None
) -> str:
    fds, tasks = open_fds(), all_tasks(observers)
    settled = f" (settled in {took:.1f} s)" if took is not None else ""
    return (
        f"{label:<27s} {len(fds)} fds ({fd_kinds(fds)}), {len(threads())} threads, "
        f"stub tasks { ({k: len(v) for k, v in tasks.items()}) }{settled}\n"
        f"{'':27s} sockets: {dict(sockets(fds, ports)) or 'none'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="fuzz cases to run (default 10000)")
    parser.add_argument(
        "--max-examples", type=int, default=50, help="Schemathesis examples per operation and phase"
    )
    parser.add_argument("--fuzz-seconds", type=float, default=600, help="start no fuzz round after this")
    parser.add_argument(
        "--clients", type=int, default=1000, help="concurrent WebSocket clients (default 1000)"
    )
    parser.add_argument(
        "--streams", type=int, default=100, help="of the connected clients, runs created and followed at once"
    )
    parser.add_argument("--events", type=int, default=20, help="output events of each client's run")
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=0.5,
        help="seconds between the WebSocket stub's polls of a run (the stub's default is 0.05)",
    )
    parser.add_argument(
        "--heartbeat", type=float, default=1.0, help="seconds between heartbeats (the gate's: 1)"
    )
    parser.add_argument("--ws-seconds", type=float, default=300, help="time limit of the WebSocket phase")
    parser.add_argument("--skip", nargs="*", default=[], choices=["fuzz", "ws"])
    args = parser.parse_args()
    soft, hard = raise_fd_limit(4 * args.clients + 1024)
    print(
        f"contractgate soak — {os.cpu_count()} cores, Python {sys.version.split()[0]}, fd limit {soft}/{hard}"
    )
    started = time.monotonic()
    fresh = open_fds()
    # uvloop keeps a pipe for the life of the process once it made its first loop: start and stop
    # the stubs once, so that "before" already has what every later start shares.
    warm_up, _ = observed_platform(args.events, args.poll_interval, args.heartbeat)
    warm_up.start().stop()
    fds_start, threads_start = open_fds(), threads()
    once: dict[int, str] = {}  # fds a first fuzz round opened for the life of the process

    platform, observers = observed_platform(args.events, args.poll_interval, args.heartbeat)
    ports = {server.port: server.name for server in platform.servers}
    platform.start()
    lines: list[str] = [
        f"process before the stubs:   {len(fds_start)} fds, {len(threads_start)} threads "
        f"({len(fds_start) - len(fresh)} fds kept by a first start/stop of the stubs: "
        f"{fd_kinds({k: v for k, v in fds_start.items() if fresh.get(k) != v}) or 'none'})"
    ]
    problems = 0
    try:
        idle = all_tasks(observers)
        lines.append(state("idle stubs:", observers, ports))
        if "fuzz" not in args.skip:
            print(f"fuzz: {args.cases} cases over HTTP …", flush=True)
            fuzz_lines, fuzz_problems, once = fuzz(
                platform, observers, args.cases, args.max_examples, args.fuzz_seconds
            )
            lines += ["", "## Fuzz"] + fuzz_lines
            problems += fuzz_problems
            took = settle(observers, idle, ports, 30)
            lines.append(state("after fuzz:", observers, ports, took))
        if "ws" not in args.skip:
            print(f"websocket: {args.clients} clients …", flush=True)
            ws_lines, ws_problems = ws(platform, observers, args.clients, args.streams, args.ws_seconds)
            lines += ["", "## WebSocket"] + ws_lines
            problems += ws_problems
            took = settle(observers, idle, ports, 30)
            lines.append(state("after every client closed:", observers, ports, took))
            sessions = len(observers["websocket-service"].app.state.service.sessions)
            lines.append(f"{'':27s} sessions kept for resume: {sessions} (dropped after session_ttl)")
        tasks = all_tasks(observers)
        extra = {k: [t for t in v if t not in idle[k]] for k, v in tasks.items() if len(v) > len(idle[k])}
        held = sockets(open_fds(), ports)[WS_SERVER]
        if extra or held:
            lines.append(
                f"LEAKED: tasks not there when idle {extra}; WebSocket connections still open {held}"
            )
            problems += sum(len(v) for v in extra.values()) + held
        problems += sum(o.server_errors() for o in observers.values())
    finally:
        platform.stop()
    time.sleep(0.5)
    fds_end, threads_end = open_fds(), threads()
    new_fds = {fd: t for fd, t in fds_end.items() if fds_start.get(fd) != t}
    leaked_fds = {fd: t for fd, t in new_fds.items() if once.get(fd) != t}
    new_threads = sorted((Counter(threads_end) - Counter(threads_start)).elements())
    lines += [
        "",
        "## The process, before the stubs started and after they stopped",
        f"file descriptors:           {len(fds_start)} before, {len(fds_end)} after"
        + (f"; new: {fd_kinds(new_fds)}" if new_fds else ""),
        f"  of which opened by the first fuzz round and unchanged since (process-wide): "
        f"{len(new_fds) - len(leaked_fds)}; leaked: {len(leaked_fds)} {sorted(set(leaked_fds.values()))[:10]}",
        f"threads:                    {len(threads_start)} before, {len(threads_end)} after"
        + (f"; still alive: {new_threads}" if new_threads else ""),
        f"wall time:                  {time.monotonic() - started:.0f} s",
    ]
    problems += len(leaked_fds)
    print("\n".join(lines))
    print(f"verdict: {'clean' if problems == 0 else f'{problems} PROBLEMS FOUND'}")
    return 0 if problems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
