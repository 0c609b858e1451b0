"""The fake Pact Broker's domain: pacticipants, versions, pacts, verifications, environments, deployments.

It follows the Pact Broker's rules where contractgate and the Pact clients depend on them, read from
pact-foundation/pact_broker (contracts/service.rb, pacts-for-verification selectors and pending
logic, matrix/deployment_status_summary.rb):

- a pact's identity is its content (`sha`): publishing the same content for a consumer version again
  changes nothing; different content for a version that has one is a conflict unless merged;
- a pacticipant's main branch is set from the first branch published among develop/main/master;
- a pact is *pending* for a provider branch until a version of the provider on that branch (or, for a
  branch with no versions yet, on the provider's main branch) verified its content successfully;
- WIP pacts: the latest pact of each consumer branch, created since a date, not selected otherwise,
  pending for the provider;
- can-i-deploy: `deployable` is false if a version does not exist or a row failed, null while a row
  or a required integration has no result, true otherwise (also when nothing is required).

Releases (`record-release`) are not modelled: `deployedOrReleased` selects deployed versions.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

MAIN_BRANCH_CANDIDATES = ("develop", "main", "master")
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


class Invalid(Exception):
    """A request the broker rejects: `errors` is its `{field: [messages]}`; status 400 or 409."""

    def __init__(
        self, errors: Mapping[str, list[str]], status: int = 400, notices: list[dict] | None = None
    ) -> None:
        super().__init__(str(errors))
        self.errors = dict(errors)
        self.status = status
        self.notices = notices or []


@dataclass
class Version:
    pacticipant: str
    number: str
    order: int
    created_at: datetime
    branches: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    build_url: str | None = None


@dataclass
class Pacticipant:
    name: str
    created_at: datetime
    main_branch: str | None = None


@dataclass
class Publication:
    consumer: str
    provider: str
    consumer_version: str
    sha: str
    order: int
    created_at: datetime


@dataclass
class Verification:
    number: int
    consumer: str
    provider: str
    sha: str
    provider_version: str
    success: bool
    body: dict[str, Any]
    order: int
    created_at: datetime


@dataclass
class Environment:
    uuid: str
    name: str
    display_name: str
    production: bool
    created_at: datetime


@dataclass
class Deployment:
    uuid: str
    pacticipant: str
    version: str
    environment: str  # uuid
    application_instance: str | None
    created_at: datetime
    currently_deployed: bool = True


@dataclass(frozen=True)
class Selected:
    """One pact chosen for verification, with why (selector descriptions) and its flags."""

    publication: Publication
    reasons: tuple[str, ...]
    pending: bool
    wip: bool = False


@dataclass(frozen=True)
class Row:
    consumer: str
    consumer_version: str
    provider: str
    provider_version: str | None
    publication: Publication
    verification: Verification | None


def content_sha(content: Mapping[str, Any]) -> str:
    return hashlib.sha1(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def interaction_id(interaction: Mapping[str, Any]) -> str:
    """The broker adds `_id` to every interaction it serves: a digest of the interaction."""
    clean = {k: v for k, v in interaction.items() if k != "_id"}
    return hashlib.sha1(json.dumps(clean, sort_keys=True).encode()).hexdigest()


class BrokerState:
    def __init__(self, environments: tuple[str, ...] = ("test", "production")) -> None:
        self.lock = threading.RLock()
        self._clock = 0
        self.pacticipants: dict[str, Pacticipant] = {}
        self.versions: dict[tuple[str, str], Version] = {}
        self.contents: dict[str, dict[str, Any]] = {}
        self.publications: list[Publication] = []
        self.verifications: list[Verification] = []
        self.environments: dict[str, Environment] = {}
        self.deployments: list[Deployment] = []
        for name in environments:
            self.create_environment(name, production=name == "production")

    # -- time and identity ---------------------------------------------------------------

    def tick(self) -> tuple[int, datetime]:
        """A strictly increasing order, and a timestamp that follows it (one second a step)."""
        self._clock += 1
        return self._clock, EPOCH + timedelta(seconds=self._clock)

    def pacticipant(self, name: str) -> Pacticipant:
        if name not in self.pacticipants:
            self.pacticipants[name] = Pacticipant(name, self.tick()[1])
        return self.pacticipants[name]

    def version(self, pacticipant: str, number: str, *, create: bool = True) -> Version | None:
        key = (pacticipant, number)
        if key not in self.versions:
            if not create:
                return None
            self.pacticipant(pacticipant)
            order, at = self.tick()
            self.versions[key] = Version(pacticipant, number, order, at)
        return self.versions[key]

    def add_branch(self, version: Version, branch: str) -> None:
        if branch not in version.branches:
            version.branches.append(branch)
        owner = self.pacticipants[version.pacticipant]
        if owner.main_branch is None and branch in MAIN_BRANCH_CANDIDATES:
            owner.main_branch = branch

    # -- contract publication --------------------------------------------------------------

    def latest_publication(self, consumer: str, version: str, provider: str) -> Publication | None:
        found = [
            p
            for p in self.publications
            if (p.consumer, p.consumer_version, p.provider) == (consumer, version, provider)
        ]
        return found[-1] if found else None

    def publish(
        self,
        consumer: str,
        number: str,
        contracts: list[tuple[str, dict[str, Any], bool]],
        *,
        branch: str | None,
        tags: list[str],
        build_url: str | None,
    ) -> tuple[Version, list[Publication], list[dict[str, str]]]:
        """contracts: (provider, content, merge). Conflicts are checked before anything changes."""
        notices: list[dict[str, str]] = []
        conflicts = []
        for provider, content, merge in contracts:
            existing = self.latest_publication(consumer, number, provider)
            if existing and not merge and existing.sha != content_sha(content):
                conflicts.append(
                    f"Cannot change the content of the pact for {consumer} version {number} and provider "
                    f"{provider}, as race conditions will cause unreliable results for can-i-deploy. Each "
                    "pact must be published with a unique consumer version number."
                )
        if conflicts:
            raise Invalid({"contracts": conflicts}, 409, [{"type": "error", "text": c} for c in conflicts])
        existed = (consumer, number) in self.versions
        version = self.version(consumer, number)
        assert version is not None
        if branch:
            self.add_branch(version, branch)
        if build_url:
            version.build_url = build_url
        for tag in tags:
            if tag not in version.tags:
                version.tags.append(tag)
        action = "Updated" if existed else "Created"
        notices.append(
            {
                "type": "debug",
                "text": f"{action} {consumer} version {number}"
                + (f" with branch {branch}" if branch else ""),
            }
        )
        published = []
        for provider, content, merge in contracts:
            self.pacticipant(provider)
            existing = self.latest_publication(consumer, number, provider)
            if existing and merge:
                content = merged(self.contents[existing.sha], content)
            sha = content_sha(content)
            self.contents.setdefault(sha, content)
            if existing and existing.sha == sha:
                published.append(existing)
                text = f"Pact successfully republished for {consumer} version {number} and provider {provider} with no content changes."
            else:
                order, at = self.tick()
                publication = Publication(consumer, provider, number, sha, order, at)
                self.publications.append(publication)
                published.append(publication)
                verb = "merged" if existing and merge else "published"
                text = f"Pact successfully {verb} for {consumer} version {number} and provider {provider}."
            notices.append({"type": "success", "text": text})
        return version, published, notices

    # -- verification ----------------------------------------------------------------------

    def publication_of(self, consumer: str, provider: str, sha: str) -> Publication | None:
        found = [p for p in self.publications if (p.consumer, p.provider, p.sha) == (consumer, provider, sha)]
        return found[-1] if found else None

    def verify(
        self, publication: Publication, provider_version: str, success: bool, body: dict[str, Any]
    ) -> Verification:
        self.version(publication.provider, provider_version)
        number = 1 + sum(
            1 for v in self.verifications if v.sha == publication.sha and v.provider == publication.provider
        )
        order, at = self.tick()
        verification = Verification(
            number,
            publication.consumer,
            publication.provider,
            publication.sha,
            provider_version,
            success,
            body,
            order,
            at,
        )
        self.verifications.append(verification)
        return verification

    def verified_successfully(self, sha: str, provider: str, branch: str | None) -> bool:
        """The pending rule: verified by the provider on `branch` (a new branch: on its main branch)."""
        good = [v for v in self.verifications if v.sha == sha and v.provider == provider and v.success]
        if branch is None:
            return bool(good)
        on_branch = [v for v in self.versions.values() if v.pacticipant == provider and branch in v.branches]
        main = self.pacticipants[provider].main_branch if provider in self.pacticipants else None
        wanted = branch if on_branch or main is None else main
        return any(wanted in self.versions[(provider, v.provider_version)].branches for v in good)

    # -- pacts for verification ------------------------------------------------------------

    def _latest(self, pubs: list[Publication]) -> list[Publication]:
        """The latest publication per consumer (by consumer version order, then publication)."""
        best: dict[str, Publication] = {}
        for p in sorted(pubs, key=lambda p: (self.versions[(p.consumer, p.consumer_version)].order, p.order)):
            best[p.consumer] = p
        return list(best.values())

    def _current(self, pubs: list[Publication]) -> list[Publication]:
        """Only the latest revision of each consumer version's pact."""
        latest: dict[tuple[str, str, str], Publication] = {}
        for p in sorted(pubs, key=lambda p: p.order):
            latest[(p.consumer, p.consumer_version, p.provider)] = p
        return list(latest.values())

    def select(
        self, provider: str, selector: Mapping[str, Any], provider_branch: str | None
    ) -> tuple[list[Publication], str]:
        pubs = self._current([p for p in self.publications if p.provider == provider])
        if selector.get("consumer"):
            pubs = [p for p in pubs if p.consumer == selector["consumer"]]

        def version(p: Publication) -> Version:
            return self.versions[(p.consumer, p.consumer_version)]

        if selector.get("mainBranch"):
            chosen = [
                p
                for p in pubs
                if version(p).branches and self.pacticipants[p.consumer].main_branch in version(p).branches
            ]
            return self._latest(chosen), "latest version from the main branch"
        if selector.get("matchingBranch"):
            chosen = [p for p in pubs if provider_branch in version(p).branches]
            return self._latest(
                chosen
            ), f"latest version from branch {provider_branch!r} (matching the provider's)"
        if selector.get("branch"):
            chosen = [p for p in pubs if selector["branch"] in version(p).branches]
            if not chosen and selector.get("fallbackBranch"):
                chosen = [p for p in pubs if selector["fallbackBranch"] in version(p).branches]
            return self._latest(chosen), f"latest version from branch {selector['branch']!r}"
        if selector.get("deployed") or selector.get("deployedOrReleased"):
            env = selector.get("environment")
            deployed = {
                (d.pacticipant, d.version)
                for d in self.deployments
                if d.currently_deployed and (not env or self.environments[d.environment].name == env)
            }
            chosen = [p for p in pubs if (p.consumer, p.consumer_version) in deployed]
            return chosen, "version(s) currently deployed" + (f" to {env}" if env else "")
        if selector.get("released"):
            return [], "released versions (none: releases are not recorded here)"
        if selector.get("tag"):
            chosen = [p for p in pubs if selector["tag"] in version(p).tags]
            if selector.get("latest"):
                chosen = self._latest(chosen)
            return (
                chosen,
                f"{'latest ' if selector.get('latest') else ''}version(s) tagged {selector['tag']!r}",
            )
        return self._latest(pubs), "latest version"

    def for_verification(
        self,
        provider: str,
        selectors: list[Mapping[str, Any]],
        *,
        provider_branch: str | None,
        include_pending: bool,
        wip_since: date | None,
    ) -> list[Selected]:
        by_sha: dict[str, tuple[Publication, list[str]]] = {}
        for selector in selectors or [{"latest": True}]:
            chosen, why = self.select(provider, selector, provider_branch)
            for publication in chosen:
                entry = by_sha.setdefault(publication.sha, (publication, []))
                entry[1].append(f"{why} of {publication.consumer} ({publication.consumer_version})")
        selected = [
            Selected(
                pub,
                tuple(reasons),
                include_pending and not self.verified_successfully(pub.sha, provider, provider_branch),
            )
            for pub, reasons in by_sha.values()
        ]
        if wip_since is not None and include_pending:
            since = datetime(wip_since.year, wip_since.month, wip_since.day, tzinfo=UTC)
            current = self._current([p for p in self.publications if p.provider == provider])
            branch_heads: dict[tuple[str, str], Publication] = {}
            for p in sorted(current, key=lambda p: self.versions[(p.consumer, p.consumer_version)].order):
                for branch in self.versions[(p.consumer, p.consumer_version)].branches:
                    branch_heads[(p.consumer, branch)] = p
            seen = set(by_sha)
            for (consumer, branch), p in branch_heads.items():
                if p.created_at < since or p.sha in seen:
                    continue
                if self.verified_successfully(p.sha, provider, provider_branch):
                    continue
                seen.add(p.sha)
                why = f"work in progress: latest from branch {branch!r} of {consumer} ({p.consumer_version})"
                selected.append(Selected(p, (why,), True, True))
        return selected

    # -- environments and deployments --------------------------------------------------------

    def create_environment(
        self, name: str, display_name: str | None = None, production: bool = False
    ) -> Environment:
        if any(e.name == name for e in self.environments.values()):
            raise Invalid({"name": [f"Another environment with name '{name}' already exists."]})
        env = Environment(str(uuid.uuid4()), name, display_name or name.title(), production, self.tick()[1])
        self.environments[env.uuid] = env
        return env

    def environment_named(self, name: str) -> Environment | None:
        return next((e for e in self.environments.values() if e.name == name), None)

    def deploy(self, version: Version, environment: Environment, instance: str | None) -> Deployment:
        for d in self.deployments:
            if (d.pacticipant, d.environment, d.application_instance) == (
                version.pacticipant,
                environment.uuid,
                instance,
            ):
                d.currently_deployed = False
        deployment = Deployment(
            str(uuid.uuid4()), version.pacticipant, version.number, environment.uuid, instance, self.tick()[1]
        )
        self.deployments.append(deployment)
        return deployment

    def deployed_in(self, environment: Environment, pacticipant: str) -> list[str]:
        return [
            d.version
            for d in self.deployments
            if d.currently_deployed and d.environment == environment.uuid and d.pacticipant == pacticipant
        ]

    # -- the matrix --------------------------------------------------------------------------

    def latest_verification(self, sha: str, provider: str, provider_version: str) -> Verification | None:
        found = [
            v
            for v in self.verifications
            if (v.sha, v.provider, v.provider_version) == (sha, provider, provider_version)
        ]
        return found[-1] if found else None

    def can_i_deploy(
        self, pacticipant: str, number: str, environment: Environment
    ) -> tuple[bool | None, list[Row], list[str], int]:
        """(deployable, rows, reasons, missing) for `pacticipant` `number` into `environment`."""
        if (pacticipant, number) not in self.versions:
            return False, [], [f"No version with number {number} exists for {pacticipant}"], 0
        rows: list[Row] = []
        reasons: list[str] = []
        missing = 0
        env = environment.name
        # As a consumer: each provider of this version's pacts, as deployed in the environment.
        for pub in self._current(
            [p for p in self.publications if (p.consumer, p.consumer_version) == (pacticipant, number)]
        ):
            deployed = self.deployed_in(environment, pub.provider)
            if not deployed:
                missing += 1
                reasons.append(
                    f"There is no verified pact between the version of {pacticipant} specified ({number}) and a "
                    f"version of {pub.provider} currently deployed to {env} (no version is currently recorded as deployed/released in this environment)"
                )
            for provider_version in deployed:
                rows.append(
                    Row(
                        pacticipant,
                        number,
                        pub.provider,
                        provider_version,
                        pub,
                        self.latest_verification(pub.sha, pub.provider, provider_version),
                    )
                )
        # As a provider: each consumer version deployed in the environment that has a pact with it.
        consumers = {p.consumer for p in self.publications if p.provider == pacticipant}
        for consumer in sorted(consumers):
            for consumer_version in self.deployed_in(environment, consumer):
                pub = next(
                    (
                        p
                        for p in reversed(self.publications)
                        if (p.consumer, p.consumer_version, p.provider)
                        == (consumer, consumer_version, pacticipant)
                    ),
                    None,
                )
                if pub is not None:
                    rows.append(
                        Row(
                            consumer,
                            consumer_version,
                            pacticipant,
                            number,
                            pub,
                            self.latest_verification(pub.sha, pacticipant, number),
                        )
                    )
        for row in rows:
            between = (
                f"the pact between {row.consumer} ({row.consumer_version}) and {row.provider} "
                f"({row.provider_version})"
            )
            if row.verification is None:
                reasons.append(
                    f"There is no verified pact between {row.consumer} ({row.consumer_version}) and {row.provider} ({row.provider_version})"
                )
            elif not row.verification.success:
                reasons.append(f"The verification for {between} failed")
        if any(r.verification is not None and not r.verification.success for r in rows):
            deployable: bool | None = False
        elif missing or any(r.verification is None for r in rows):
            deployable = None
        else:
            deployable = True
            reasons = [
                "All required verification results are published and successful"
                if rows
                else "There are no missing dependencies"
            ]
        return deployable, rows, reasons, missing


def merged(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """`onConflict: merge`: the interactions of both, the new one winning for the same description/states."""

    def key(i: Mapping[str, Any]) -> str:
        return json.dumps(
            [i.get("description"), i.get("providerStates"), i.get("providerState")], sort_keys=True
        )

    interactions = {key(i): i for i in old.get("interactions") or []}
    interactions.update({key(i): i for i in new.get("interactions") or []})
    return {**dict(new), "interactions": list(interactions.values())}
