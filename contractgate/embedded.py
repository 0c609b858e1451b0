"""The embedded target: the three stubs started by the gate itself on free loopback ports."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from providers.errors import TargetUnreachable
from providers.platform import DEFAULT_HOOK_PATH
from providers.target import ServiceTarget, Target
from stubs.platform import Platform, PlatformOptions
from stubs.server import ServerError


def gate_options() -> PlatformOptions:
    """The stubs as the gate runs them: short heartbeats and fast runs, so the suites are quick."""
    return PlatformOptions(websocket={"heartbeat_interval": 1.0}, backend={"run_event_interval": 0.05})


def target_of(platform: Platform, hook: str = DEFAULT_HOOK_PATH) -> Target:
    """A target whose services are reachable both over loopback and in-process (ASGI)."""
    apps = platform.apps
    services = {
        name: ServiceTarget(name, url, app=apps[name], states_url=url + hook)
        for name, url in platform.urls.items()
    }
    return Target(name="stubs", services=services, live=False)


@contextmanager
def embedded_stubs(options: PlatformOptions | None = None) -> Iterator[tuple[Platform, Target]]:
    try:
        platform = Platform(options or gate_options()).start()
    except ServerError as exc:
        raise TargetUnreachable("embedded stubs", str(exc)) from None
    try:
        yield platform, target_of(platform)
    finally:
        platform.stop()
