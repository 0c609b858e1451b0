"""The fake broker's pact resources: contract publication, pacts for verification, pacts, results.

Shapes follow pact_broker's PublishContracts, ProviderPactsForVerification (VerifiablePactsDecorator,
VerifiablePactDecorator), PactDecorator and VerificationDecorator; the validation follows
publish_contracts_schema.rb and the pacts-for-verification and consumer version selector contracts.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tests.providers.broker.broker_hal import (
    NOT_FOUND,
    Urls,
    hal,
    invalid,
    json_body,
    pact_name,
    q,
    version_summary,
)
from tests.providers.broker.broker_state import (
    BrokerState,
    Invalid,
    Publication,
    Selected,
    Verification,
    interaction_id,
)


class PactResources:
    def __init__(self, state: BrokerState) -> None:
        self.state = state

    # -- contract publication --------------------------------------------------------------------

    async def publish(self, request: Request) -> Response:
        body = await json_body(request)
        try:
            consumer, number, contracts = _publication(body)
            with self.state.lock:
                version, published, notices = self.state.publish(
                    consumer,
                    number,
                    contracts,
                    branch=body.get("branch"),
                    tags=list(body.get("tags") or []),
                    build_url=body.get("buildUrl"),
                )
        except Invalid as exc:
            return invalid(exc)
        urls = Urls(request)
        logs = [
            {"level": n["type"], "message": n["text"], "deprecationWarning": "Replaced by notices"}
            for n in notices
        ]
        return hal(
            {
                "notices": notices,
                "logs": logs,
                "_embedded": {
                    "pacticipant": {
                        "name": consumer,
                        "_links": {"self": {"href": urls.pacticipant(consumer)}},
                    },
                    "version": version_summary(urls, version),
                },
                "_links": {
                    "pb:pacticipant": {
                        "title": "Pacticipant",
                        "name": consumer,
                        "href": urls.pacticipant(consumer),
                    },
                    "pb:pacticipant-version": {
                        "title": "Pacticipant version",
                        "name": number,
                        "href": urls.version(consumer, number),
                    },
                    "pb:pacticipant-version-tags": [
                        {"title": "Tag", "name": t, "href": f"{urls.version(consumer, number)}/tags/{q(t)}"}
                        for t in version.tags
                    ],
                    "pb:contracts": [
                        {"title": "Pact", "name": pact_name(p), "href": urls.pact(p)} for p in published
                    ],
                },
            }
        )

    async def for_verification(self, request: Request) -> Response:
        provider = request.path_params["provider"]
        if request.method == "POST":
            query = await json_body(request)
        else:  # the same query, as query parameters (the broker's GET form)
            query = _query_form(request)
        if provider not in self.state.pacticipants:
            return hal({"error": f"No provider with name '{provider}' found"}, 404)
        try:
            selectors, branch, pending, wip = _verification_query(query)
        except Invalid as exc:
            return invalid(exc)
        urls = Urls(request)
        with self.state.lock:
            selected = self.state.for_verification(
                provider, selectors, provider_branch=branch, include_pending=pending, wip_since=wip
            )
        return hal(
            {
                "_embedded": {
                    "pacts": [self._verifiable(urls, s, provider, branch, pending) for s in selected]
                },
                "_links": {
                    "self": {
                        "href": f"{urls.base}/pacts/provider/{q(provider)}/for-verification",
                        "title": "Pacts to be verified",
                    }
                },
            }
        )

    def _verifiable(
        self, urls: Urls, s: Selected, provider: str, branch: str | None, include_pending: bool
    ) -> dict[str, Any]:
        # The broker's metadata segment says why a pact was selected; here: its consumer version and WIP.
        why = json.dumps({"cv": s.publication.consumer_version, "w": s.wip}, separators=(",", ":"))
        url = urls.pact_version(s.publication, base64.urlsafe_b64encode(why.encode()).decode().rstrip("="))
        notices = [
            {
                "when": "before_verification",
                "text": f"The pact at {url} is being verified because it matches the following "
                f"configured selection criterion: {'; '.join(s.reasons)}",
            }
        ]
        properties: dict[str, Any] = {"notices": notices}
        if include_pending:
            properties["pending"] = s.pending
            where = f"branch {branch}" if branch else "any version"
            notices.append(
                {
                    "when": "before_verification",
                    "text": (
                        f"This pact is in pending state for this version of {provider} because a successful "
                        f"verification result for {where} has not yet been published. If this verification "
                        "fails, it will not cause the overall build to fail."
                    )
                    if s.pending
                    else (
                        f"This pact has previously been successfully verified by {provider} ({where}). If this "
                        "verification fails, it will fail the build."
                    ),
                }
            )
        if s.wip:
            properties["wip"] = True
        return {
            "shortDescription": "; ".join(s.reasons),
            "verificationProperties": properties,
            "_links": {"self": {"href": url, "name": pact_name(s.publication)}},
        }

    def _served_pact(self, urls: Urls, pub: Publication, metadata: str | None) -> dict[str, Any]:
        content = json.loads(json.dumps(self.state.contents[pub.sha]))
        for interaction in content.get("interactions") or []:
            if isinstance(interaction, dict):
                interaction["_id"] = interaction_id(interaction)
        here = urls.pact_version(pub)
        content["createdAt"] = pub.created_at.isoformat()
        content["_links"] = {
            "self": {"title": "Pact", "name": pact_name(pub), "href": urls.pact(pub)},
            "pb:consumer": {
                "title": "Consumer",
                "name": pub.consumer,
                "href": urls.pacticipant(pub.consumer),
            },
            "pb:consumer-version": {
                "title": "Consumer version",
                "name": pub.consumer_version,
                "href": urls.version(pub.consumer, pub.consumer_version),
            },
            "pb:provider": {
                "title": "Provider",
                "name": pub.provider,
                "href": urls.pacticipant(pub.provider),
            },
            "pb:pact-version": {"title": "Pact content version permalink", "name": pub.sha, "href": here},
            "pb:publish-verification-results": {
                "title": "Publish verification results",
                "href": urls.pact_version(pub, metadata) + "/verification-results",
            },
            "curies": [{"name": "pb", "href": urls.base + "/doc/{rel}?context=pact", "templated": True}],
        }
        return content

    async def pact_version(self, request: Request) -> Response:
        p = request.path_params
        with self.state.lock:
            pub = self.state.publication_of(p["consumer"], p["provider"], p["sha"])
            if pub is None:
                return hal(NOT_FOUND, 404)
            return hal(self._served_pact(Urls(request), pub, p.get("metadata")))

    async def pact_of_version(self, request: Request) -> Response:
        p = request.path_params
        with self.state.lock:
            pub = self.state.latest_publication(p["consumer"], p["version"], p["provider"])
            if pub is None:
                return hal(NOT_FOUND, 404)
            return hal(self._served_pact(Urls(request), pub, None))

    # -- verification results -------------------------------------------------------------------

    async def publish_verification(self, request: Request) -> Response:
        p = request.path_params
        body = await json_body(request)
        errors: dict[str, list[str]] = {}
        if not isinstance(body.get("success"), bool):
            errors["success"] = ["success must be true or false"]
        version = body.get("providerApplicationVersion")
        if not isinstance(version, str) or not version.strip():
            errors["providerApplicationVersion"] = ["providerApplicationVersion can't be blank"]
        if errors:
            return invalid(Invalid(errors))
        with self.state.lock:
            pub = self.state.publication_of(p["consumer"], p["provider"], p["sha"])
            if pub is None:
                return hal(NOT_FOUND, 404)
            verification = self.state.verify(pub, version, body["success"], body)
        urls = Urls(request)
        return hal(self._verification(urls, verification), 201, {"Location": urls.verification(verification)})

    def _verification(self, urls: Urls, v: Verification) -> dict[str, Any]:
        body = {
            "providerName": v.provider,
            "providerApplicationVersion": v.provider_version,
            "success": v.success,
            "verificationDate": v.created_at.isoformat(),
            "testResults": v.body.get("testResults") or [],
            "_links": {
                "self": {
                    "title": "Verification result",
                    "name": f"Verification #{v.number}",
                    "href": urls.verification(v),
                },
                "pb:pact-version": {
                    "title": "Pact",
                    "href": f"{urls.integration(v.provider, v.consumer)}/pact-version/{v.sha}",
                },
            },
        }
        for key in ("buildUrl", "verifiedBy"):
            if v.body.get(key):
                body[key] = v.body[key]
        return body

    async def verification(self, request: Request) -> Response:
        p = request.path_params
        found = [
            v
            for v in self.state.verifications
            if (v.consumer, v.provider, v.sha, v.number)
            == (p["consumer"], p["provider"], p["sha"], p["number"])
        ]
        if not found:
            return hal(NOT_FOUND, 404)
        return hal(self._verification(Urls(request), found[0]))


def _publication(body: Mapping[str, Any]) -> tuple[str, str, list[tuple[str, dict[str, Any], bool]]]:
    """Validate a contract publication as publish_contracts_schema.rb does."""
    errors: dict[str, list[str]] = {}
    consumer = body.get("pacticipantName")
    number = body.get("pacticipantVersionNumber")
    if not isinstance(consumer, str) or not consumer.strip():
        errors["pacticipantName"] = ["pacticipantName is missing"]
    if not isinstance(number, str) or not number.strip() or "\n" in number:
        errors["pacticipantVersionNumber"] = ["pacticipantVersionNumber is missing"]
    contracts = body.get("contracts")
    if not isinstance(contracts, list) or not contracts:
        errors["contracts"] = ["contracts is missing"]
        contracts = []
    parsed = []
    for index, contract in enumerate(contracts):
        problems = []
        if not isinstance(contract, dict):
            errors[f"contracts[{index}]"] = ["must be an object"]
            continue
        if contract.get("consumerName") != consumer:
            problems.append(
                f"consumerName ({contract.get('consumerName')}) must match pacticipantName ({consumer})"
            )
        if contract.get("specification") != "pact":
            problems.append("specification must be one of: pact")
        if contract.get("contentType") != "application/json":
            problems.append("contentType must be one of: application/json")
        try:
            content = json.loads(base64.b64decode(str(contract.get("content")), validate=True))
        except (binascii.Error, ValueError):
            problems.append("content is not valid base64-encoded JSON")
            content = None
        if isinstance(content, dict):
            if (content.get("consumer") or {}).get("name") != consumer:
                problems.append("the consumer name in the pact content does not match pacticipantName")
            if (content.get("provider") or {}).get("name") != contract.get("providerName"):
                problems.append("the provider name in the pact content does not match providerName")
        if problems:
            errors[f"contracts[{index}]"] = problems
        else:
            parsed.append((str(contract["providerName"]), content, contract.get("onConflict") == "merge"))
    if errors:
        raise Invalid(errors)
    assert isinstance(consumer, str) and isinstance(number, str)
    return consumer, number, parsed


def _query_form(request: Request) -> dict[str, Any]:
    """The GET form of pacts-for-verification (`consumer_version_selectors[][mainBranch]=true` …)."""
    selectors: list[dict[str, Any]] = []
    query: dict[str, Any] = {}
    for key, value in request.query_params.multi_items():
        if key.startswith("consumer_version_selectors[][") or key.startswith("consumerVersionSelectors[]["):
            name = key.split("[][", 1)[1].rstrip("]")
            if not selectors or name in selectors[-1]:
                selectors.append({})
            selectors[-1][name] = True if value == "true" else value
        elif key in ("provider_version_branch", "providerVersionBranch"):
            query["providerVersionBranch"] = value
        elif key in ("include_pending_status", "includePendingStatus"):
            query["includePendingStatus"] = value == "true"
        elif key in ("include_wip_pacts_since", "includeWipPactsSince"):
            query["includeWipPactsSince"] = value
    if selectors:
        query["consumerVersionSelectors"] = selectors
    return query


_SELECTOR_KEYS = {
    "mainBranch", "tag", "branch", "matchingBranch", "latest", "fallbackTag", "fallbackBranch",
    "consumer", "deployed", "released", "deployedOrReleased", "environment",
}  # fmt: skip


def _verification_query(
    query: Mapping[str, Any],
) -> tuple[list[dict[str, Any]], str | None, bool, date | None]:
    """Validate a pacts-for-verification query as the broker's schemas do (a useful subset)."""
    if query.get("__invalid__"):
        raise Invalid({"body": ["is not valid JSON"]})
    errors: list[str] = []
    branch = query.get("providerVersionBranch")
    if branch is not None and (not isinstance(branch, str) or not branch.strip()):
        errors.append("providerVersionBranch can't be blank")
    pending = query.get("includePendingStatus", False)
    if not isinstance(pending, bool):
        errors.append("includePendingStatus must be one of: true, false")
    wip = None
    if query.get("includeWipPactsSince"):
        try:
            wip = date.fromisoformat(str(query["includeWipPactsSince"])[:10])
        except ValueError:
            errors.append("includeWipPactsSince must be a date")
    selectors = query.get("consumerVersionSelectors") or []
    if not isinstance(selectors, list) or not all(isinstance(s, dict) for s in selectors):
        raise Invalid({"consumerVersionSelectors": ["must be an array of objects"]})
    for index, selector in enumerate(selectors):
        unknown = set(selector) - _SELECTOR_KEYS
        if unknown:
            errors.append(f"consumerVersionSelectors[{index}]: unknown key {', '.join(sorted(unknown))}")
        if not any(
            selector.get(k)
            for k in (
                "mainBranch",
                "tag",
                "branch",
                "environment",
                "matchingBranch",
                "deployed",
                "released",
                "deployedOrReleased",
                "latest",
            )
        ):
            errors.append(
                f"consumerVersionSelectors[{index}]: must specify a value for environment or tag or branch, "
                "or specify mainBranch=true, matchingBranch=true, latest=true, deployed=true, released=true "
                "or deployedOrReleased=true"
            )
        if selector.get("matchingBranch") and not branch:
            errors.append(
                f"consumerVersionSelectors[{index}]: the providerVersionBranch must be specified when the "
                "selector matchingBranch=true is used"
            )
        if selector.get("mainBranch") and set(selector) - {"mainBranch", "consumer", "latest"}:
            errors.append(
                f"consumerVersionSelectors[{index}]: cannot specify mainBranch=true with any other criteria apart from consumer"
            )
    if errors:
        raise Invalid({"consumerVersionSelectors": errors})
    return selectors, branch, bool(pending), wip
