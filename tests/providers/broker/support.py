"""Helpers for the broker tests: a fake broker with the reference pacts published, results seeded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts import pact_files
from providers.broker.client import BrokerClient, BrokerConfig
from providers.broker.publish import ConsumerVersion, publish_pacts
from tests.providers.broker.broker_state import Publication
from tests.providers.broker.fake_broker import FakeBroker

TOKEN = "s3cr3t-broker-token"


def client_of(fake: FakeBroker, **kwargs: Any) -> BrokerClient:
    return BrokerClient(BrokerConfig(fake.url, token=fake.token, retries=0, **kwargs))


def publish(
    fake: FakeBroker, version: str = "c1", branch: str | None = "main", files: list[Path] | None = None
) -> None:
    with client_of(fake) as c:
        publish_pacts(c, files or pact_files(), ConsumerVersion(version, branch))


def publication(fake: FakeBroker, consumer: str, provider: str, version: str = "c1") -> Publication:
    found = fake.state.latest_publication(consumer, version, provider)
    assert found is not None, (consumer, provider, version)
    return found


def verify(
    fake: FakeBroker,
    consumer: str,
    provider: str,
    provider_version: str,
    success: bool,
    *,
    consumer_version: str = "c1",
    branch: str | None = "main",
    failed: tuple[str, ...] = (),
) -> None:
    """Seed a verification result, as a provider build would publish it."""
    with fake.state.lock:
        version = fake.state.version(provider, provider_version)
        assert version is not None
        if branch:
            fake.state.add_branch(version, branch)
        results = [{"interactionDescription": d, "success": False} for d in failed]
        fake.state.verify(
            publication(fake, consumer, provider, consumer_version),
            provider_version,
            success,
            {"testResults": results},
        )


def deploy(fake: FakeBroker, pacticipant: str, version: str, environment: str) -> None:
    with fake.state.lock:
        found = fake.state.version(pacticipant, version, create=False)
        env = fake.state.environment_named(environment)
        assert found is not None and env is not None
        fake.state.deploy(found, env, None)


def edited_pact(tmp: Path, name: str, edit: Any) -> Path:
    """A copy of a reference pact file, changed by `edit(document)` (a new interaction, a new status)."""
    source = next(p for p in pact_files() if p.name == name)
    document = json.loads(source.read_text())
    edit(document)
    path = tmp / name
    path.write_text(json.dumps(document, indent=2))
    return path
