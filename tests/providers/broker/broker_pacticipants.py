"""The fake broker's pacticipant resources: pacticipants, versions, branches, tags, environments,
deployments, and the matrix (can-i-deploy).

Shapes follow pact_broker's PacticipantDecorator, VersionDecorator (one `pb:record-deployment` link per
environment), EnvironmentDecorator, DeployedVersionDecorator and the matrix's JSON (summary, notices,
rows of consumer, provider, pact and verificationResult).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tests.providers.broker.broker_hal import NOT_FOUND, Urls, hal, invalid, json_body, q, version_summary
from tests.providers.broker.broker_state import BrokerState, Environment, Invalid, Row, Version


class PacticipantResources:
    def __init__(self, state: BrokerState) -> None:
        self.state = state
        self.matrix_queries = 0
        self.on_matrix: Callable[[int], None] | None = None

    # -- pacticipants and versions ----------------------------------------------------------------

    async def pacticipant(self, request: Request) -> Response:
        name = request.path_params["name"]
        owner = self.state.pacticipants.get(name)
        if owner is None:
            return hal(NOT_FOUND, 404)
        url = Urls(request).pacticipant(name)
        return hal(
            {
                "name": name,
                "displayName": name,
                "mainBranch": owner.main_branch,
                "createdAt": owner.created_at.isoformat(),
                "_links": {
                    "self": {"href": url},
                    "pb:versions": {"href": url + "/versions"},
                    "pb:version": {
                        "title": "Get, create or delete a pacticipant version",
                        "href": url + "/versions/{version}",
                        "templated": True,
                    },
                    "pb:version-tag": {
                        "title": "Get, create or delete a tag for a version",
                        "href": url + "/versions/{version}/tags/{tag}",
                        "templated": True,
                    },
                    "pb:branch-version": {
                        "title": "Get or add/create a version for a branch",
                        "href": url + "/branches/{branch}/versions/{version}",
                        "templated": True,
                    },
                    "pb:latest-version": {"title": "Latest version", "href": url + "/latest-version"},
                },
            }
        )

    def _version_resource(self, urls: Urls, version: Version) -> dict[str, Any]:
        url = urls.version(version.pacticipant, version.number)
        return {
            "number": version.number,
            "buildUrl": version.build_url,
            "createdAt": version.created_at.isoformat(),
            "_embedded": {
                "branchVersions": [{"name": b, "latest": True} for b in version.branches],
                "tags": [{"name": t} for t in version.tags],
            },
            "_links": {
                "self": {"title": "Version", "name": version.number, "href": url},
                "pb:pacticipant": {
                    "title": "Pacticipant",
                    "name": version.pacticipant,
                    "href": urls.pacticipant(version.pacticipant),
                },
                "pb:tag": {
                    "href": url + "/tags/{tag}",
                    "title": "Get, create or delete a tag for this version",
                    "templated": True,
                },
                "pb:record-deployment": [
                    {
                        "title": f"Record deployment to {env.display_name}",
                        "name": env.name,
                        "href": f"{url}/deployed-versions/environment/{env.uuid}",
                    }
                    for env in self.state.environments.values()
                ],
            },
        }

    async def version(self, request: Request) -> Response:
        p = request.path_params
        with self.state.lock:
            version = self.state.version(p["name"], p["version"], create=False)
            if version is None:
                return hal(NOT_FOUND, 404)
            return hal(self._version_resource(Urls(request), version))

    async def latest_version(self, request: Request) -> Response:
        name = request.path_params["name"]
        versions = [v for v in self.state.versions.values() if v.pacticipant == name]
        if not versions:
            return hal(NOT_FOUND, 404)
        return hal(self._version_resource(Urls(request), max(versions, key=lambda v: v.order)))

    async def branch_version(self, request: Request) -> Response:
        p = request.path_params
        with self.state.lock:
            version = self.state.version(p["name"], p["version"])
            assert version is not None
            self.state.add_branch(version, p["branch"])
        url = Urls(request).pacticipant(p["name"])
        return hal(
            {
                "name": p["branch"],
                "_links": {
                    "self": {"href": f"{url}/branches/{q(p['branch'])}/versions/{q(p['version'])}"},
                    "pb:version": {"href": Urls(request).version(p["name"], p["version"])},
                },
            }
        )

    async def tag(self, request: Request) -> Response:
        p = request.path_params
        with self.state.lock:
            version = self.state.version(p["name"], p["version"])
            assert version is not None
            created = p["tag"] not in version.tags
            if created:
                version.tags.append(p["tag"])
        url = Urls(request).version(p["name"], p["version"]) + f"/tags/{q(p['tag'])}"
        return hal({"name": p["tag"], "_links": {"self": {"href": url}}}, 201 if created else 200)

    # -- environments and deployments ----------------------------------------------------------------

    def _environment(self, urls: Urls, env: Environment) -> dict[str, Any]:
        return {
            "uuid": env.uuid,
            "name": env.name,
            "displayName": env.display_name,
            "production": env.production,
            "createdAt": env.created_at.isoformat(),
            "_links": {"self": {"title": "Environment", "name": env.name, "href": urls.environment(env)}},
        }

    async def environments(self, request: Request) -> Response:
        urls = Urls(request)
        if request.method == "POST":
            body = await json_body(request)
            if not isinstance(body.get("name"), str) or not body["name"].strip():
                return invalid(Invalid({"name": ["name is missing"]}))
            try:
                with self.state.lock:
                    env = self.state.create_environment(
                        body["name"], body.get("displayName"), bool(body.get("production"))
                    )
            except Invalid as exc:
                return invalid(exc)
            return hal(self._environment(urls, env), 201, {"Location": urls.environment(env)})
        name = request.query_params.get("name")
        found = [e for e in self.state.environments.values() if not name or e.name == name]
        return hal(
            {
                "_embedded": {"environments": [self._environment(urls, e) for e in found]},
                "_links": {"self": {"title": "Environments", "href": urls.base + "/environments"}},
            }
        )

    async def environment(self, request: Request) -> Response:
        env = self.state.environments.get(request.path_params["uuid"])
        if env is None:
            return hal(NOT_FOUND, 404)
        return hal(self._environment(Urls(request), env))

    async def record_deployment(self, request: Request) -> Response:
        p = request.path_params
        body = await json_body(request)
        with self.state.lock:
            version = self.state.version(p["name"], p["version"], create=False)
            env = self.state.environments.get(p["uuid"])
            if version is None or env is None:
                return hal(NOT_FOUND, 404)
            instance = body.get("applicationInstance") or body.get("target")
            deployment = self.state.deploy(version, env, instance)
        urls = Urls(request)
        return hal(
            {
                "uuid": deployment.uuid,
                "currentlyDeployed": True,
                "applicationInstance": instance,
                "target": instance,
                "createdAt": deployment.created_at.isoformat(),
                "_embedded": {
                    "version": version_summary(urls, version),
                    "environment": self._environment(urls, env),
                },
                "_links": {
                    "self": {
                        "title": "Deployed version",
                        "href": f"{urls.base}/deployed-versions/{deployment.uuid}",
                    }
                },
            },
            201,
        )

    # -- can-i-deploy ---------------------------------------------------------------------------------

    async def matrix(self, request: Request) -> Response:
        selectors: list[dict[str, str]] = []
        for key, value in request.query_params.multi_items():
            if key == "q[][pacticipant]":
                selectors.append({"pacticipant": value})
            elif key.startswith("q[][") and selectors:
                selectors[-1][key[4:-1]] = value
        environment = request.query_params.get("environment")
        if len(selectors) != 1 or "version" not in selectors[0] or not environment:
            return invalid(
                Invalid(
                    {"q": ["this broker answers one pacticipant version and an environment (latestby=cvp)"]}
                )
            )
        return self._decide(request, selectors[0]["pacticipant"], selectors[0]["version"], environment)

    async def can_i_deploy(self, request: Request) -> Response:
        params = request.query_params
        if not params.get("pacticipant") or not params.get("version") or not params.get("environment"):
            return invalid(Invalid({"pacticipant": ["pacticipant, version and environment are required"]}))
        return self._decide(request, params["pacticipant"], params["version"], params["environment"])

    def _decide(self, request: Request, pacticipant: str, version: str, environment: str) -> Response:
        self.matrix_queries += 1
        if self.on_matrix is not None:
            self.on_matrix(self.matrix_queries)
        with self.state.lock:
            if pacticipant not in self.state.pacticipants:
                return invalid(Invalid({"q": [f"Pacticipant {pacticipant} not found"]}))
            env = self.state.environment_named(environment)
            if env is None:
                return invalid(
                    Invalid({"environment": [f"Environment with name '{environment}' does not exist"]})
                )
            deployable, rows, reasons, missing = self.state.can_i_deploy(pacticipant, version, env)
            urls = Urls(request)
            matrix = [self._row(urls, r) for r in rows]
        counts = {
            "success": sum(1 for r in rows if r.verification and r.verification.success),
            "failed": sum(1 for r in rows if r.verification and not r.verification.success),
            "unknown": missing + sum(1 for r in rows if r.verification is None),
        }
        kind = {True: "success", False: "error", None: "warning"}[deployable]
        return hal(
            {
                "summary": {"deployable": deployable, "reason": "; ".join(reasons), **counts},
                "notices": [{"type": kind, "text": reason} for reason in reasons],
                "matrix": matrix,
            }
        )

    def _row(self, urls: Urls, row: Row) -> dict[str, Any]:
        def party(name: str, number: str | None) -> dict[str, Any]:
            found: dict[str, Any] = {"name": name, "_links": {"self": {"href": urls.pacticipant(name)}}}
            version = self.state.versions.get((name, number)) if number else None
            if version is not None:
                found["version"] = {
                    "number": version.number,
                    "branch": version.branches[-1] if version.branches else None,
                    "branches": [{"name": b, "latest": True} for b in version.branches],
                    "tags": [{"name": t} for t in version.tags],
                    "_links": {"self": {"href": urls.version(name, version.number)}},
                }
            else:
                found["version"] = None
            return found

        v = row.verification
        return {
            "consumer": party(row.consumer, row.consumer_version),
            "provider": party(row.provider, row.provider_version),
            "pact": {
                "createdAt": row.publication.created_at.isoformat(),
                "_links": {"self": {"href": urls.pact(row.publication)}},
            },
            "verificationResult": None
            if v is None
            else {
                "success": v.success,
                "verifiedAt": v.created_at.isoformat(),
                "_links": {"self": {"href": urls.verification(v)}},
            },
        }
