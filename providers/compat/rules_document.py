"""The rules about documents, operations, lifecycle, security, parameters, bodies and responses.

Each has one severity whatever the direction, except the media-type and body-schema rules, which are
about data and follow its direction (`effect`). `basis` says why a client breaks or does not; `oasdiff`
names the oasdiff rule ids the rule covers; `differs` explains a deliberate difference of level.
"""

from __future__ import annotations

from providers.compat.levels import B, D, Effect, N, Rule, effect, fixed

DOC, LIFE, SEC, PARAM, BODY, RESP = "documents", "lifecycle", "security", "parameters", "bodies", "responses"

DOCUMENT_RULES: tuple[Rule, ...] = (
    # --- documents, paths, operations, webhooks, callbacks -----------------------------------------
    fixed("spec-removed", DOC, B, "every client of the document loses every operation"),
    fixed("spec-added", DOC, N, "nothing existing changes"),
    fixed(
        "path-moved",
        DOC,
        B,
        "the operations answer under another version prefix only: a client calling the old URL gets 404",
    ),
    fixed(
        "operation-removed",
        DOC,
        B,
        "clients calling it get 404/405",
        "api-removed-without-deprecation, api-path-removed-without-deprecation",
    ),
    fixed(
        "deprecated-operation-removed",
        DOC,
        N,
        "removed after it was deprecated and its sunset date (if any) passed: the end clients were told of "
        "(RFC 9745 §2, RFC 8594 §3)",
        "api-removed-with-deprecation, api-path-removed-with-deprecation",
    ),
    fixed(
        "operation-removed-before-sunset",
        DOC,
        B,
        "deprecated with a sunset date still in the future: clients were promised it works until then "
        "(RFC 8594 §3)",
        "api-removed-before-sunset, api-path-removed-before-sunset",
    ),
    fixed("operation-added", DOC, N, "nothing existing changes", "endpoint-added"),
    fixed(
        "path-parameter-renamed",
        DOC,
        N,
        "`/things/{id}` → `/things/{thing_id}`: the URL on the wire is the same (OAS 3.1 Paths Object: "
        "templates differing only in names are identical); generated clients rename an argument",
    ),
    fixed(
        "operation-id-changed",
        DOC,
        N,
        "the wire is unchanged; generated clients rename a method",
        "api-operation-id-removed, api-operation-id-added",
    ),
    fixed("tag-added", DOC, N, "tags group operations in documentation only", "api-tag-added"),
    fixed("tag-removed", DOC, N, "tags group operations in documentation only", "api-tag-removed"),
    fixed(
        "component-schema-removed",
        DOC,
        N,
        "a schema no operation uses any more; the operations that used it are compared where they use it",
        "api-schema-removed",
    ),
    fixed(
        "webhook-removed",
        DOC,
        B,
        "subscribers stop receiving calls they handle (OAS 3.1 `webhooks`)",
        "webhook-removed",
    ),
    fixed("webhook-added", DOC, N, "a new call subscribers may ignore", "webhook-added"),
    fixed(
        "callback-removed",
        DOC,
        B,
        "clients that registered the callback stop receiving it (OAS 3.1 Callback Object)",
    ),
    fixed("callback-added", DOC, N, "a new call clients may ignore"),
    # --- lifecycle: deprecation (RFC 9745), sunset (RFC 8594, `x-sunset`), stability -----------------
    fixed(
        "operation-deprecated",
        LIFE,
        D,
        "works today, announced to go (`deprecated: true`, RFC 9745)",
        "endpoint-deprecated, endpoint-deprecated-with-sunset",
    ),
    fixed("operation-undeprecated", LIFE, N, "the announcement is withdrawn", "endpoint-reactivated"),
    fixed(
        "parameter-deprecated",
        LIFE,
        D,
        "works today, announced to go",
        "request-parameter-deprecated",
    ),
    fixed(
        "parameter-undeprecated", LIFE, N, "the announcement is withdrawn", "request-parameter-reactivated"
    ),
    fixed(
        "property-deprecated",
        LIFE,
        D,
        "works today, announced to go (JSON Schema 2020-12 validation §9.3)",
        "request-property-deprecated, response-property-deprecated, *-deprecated-with-sunset",
    ),
    fixed(
        "property-undeprecated",
        LIFE,
        N,
        "the announcement is withdrawn",
        "request-property-reactivated, response-property-reactivated",
    ),
    fixed(
        "sunset-announced",
        LIFE,
        D,
        "a new `Sunset` (RFC 8594) or `Deprecation` (RFC 9745) response header announces the end",
    ),
    fixed(
        "sunset-withdrawn",
        LIFE,
        N,
        "the end of an operation that is no longer deprecated is no longer announced",
    ),
    fixed(
        "sunset-removed",
        LIFE,
        B,
        "still deprecated, but the date until which it keeps working (`x-sunset`, the `Sunset` header) is "
        "gone: clients lose the promise RFC 8594 §3 gives them",
        "api-sunset-deleted, request-parameter-sunset-deleted, *-property-sunset-deleted",
    ),
    fixed(
        "sunset-moved-earlier",
        LIFE,
        B,
        "the promised end comes sooner than clients planned for (RFC 8594 §3)",
        "api-sunset-date-changed-too-small, request-parameter-sunset-date-changed-too-small, "
        "*-sunset-date-too-small",
    ),
    fixed("sunset-postponed", LIFE, N, "clients get more time than they were promised"),
    fixed(
        "sunset-invalid",
        LIFE,
        B,
        "a sunset that is not a date (RFC 8594 §3 wants an HTTP-date; `x-sunset` an RFC 3339 date): nobody "
        "can tell until when the deprecated item works",
        "api-deprecated-sunset-parse, api-path-sunset-parse, request-parameter-sunset-parse, "
        "*-deprecated-sunset-invalid",
    ),
    fixed(
        "stability-decreased",
        LIFE,
        B,
        "`x-stability-level` lowered (stable → beta → alpha → draft): clients built on the promise lose it",
        "api-stability-decreased, request-property-stability-decreased, response-property-stability-decreased",
    ),
    fixed(
        "stability-increased",
        LIFE,
        N,
        "a stronger promise",
        "api-stability-increased, request-property-stability-increased, response-property-stability-increased",
    ),
    fixed(
        "stability-invalid",
        LIFE,
        B,
        "`x-stability-level` is not one of draft, alpha, beta, stable: the promise cannot be read",
        "api-invalid-stability-level",
    ),
    # --- security -----------------------------------------------------------------------------------
    fixed(
        "security-added",
        SEC,
        B,
        "an operation that took no credentials now requires some: an anonymous client gets 401 "
        "(RFC 9110 §15.5.2)",
        "api-security-added, api-global-security-added",
        "oasdiff reads any added requirement as one more way in (INFO); going from none to some shuts out "
        "every client that sends no credentials",
    ),
    fixed(
        "security-tightened",
        SEC,
        B,
        "a token that was enough is refused: a scheme, scope (RFC 6749 §3.3) or role more is required",
        "api-security-removed, api-security-scope-added, api-global-security-removed, "
        "api-global-security-scope-added",
    ),
    fixed(
        "security-relaxed",
        SEC,
        N,
        "every token that was accepted still is",
        "api-security-scope-removed, api-global-security-scope-removed",
    ),
    fixed(
        "security-scheme-narrowed",
        SEC,
        B,
        "a scheme in use accepts fewer tokens (kind, audience, location, OAuth2 flow or URL)",
        "api-security-component-type-changed, api-security-component-oauth-token-url-changed, "
        "api-security-component-oauth-url-changed",
        "oasdiff reports these at INFO; a client following the old scheme is refused",
    ),
    fixed("security-scheme-widened", SEC, N, "a scheme in use accepts more tokens"),
    fixed(
        "security-scheme-removed",
        SEC,
        N,
        "a scheme no operation uses any more; operations that used it are judged by security-*",
        "api-security-component-removed",
    ),
    fixed("security-scheme-added", SEC, N, "nothing existing changes", "api-security-component-added"),
    # --- parameters ----------------------------------------------------------------------------------
    fixed(
        "required-parameter-added",
        PARAM,
        B,
        "clients do not send it and are refused (OAS 3.1 Parameter Object `required`; a path parameter "
        "always is)",
        "new-required-request-parameter, new-request-path-parameter, "
        "new-required-request-default-parameter-to-existing-path",
    ),
    fixed(
        "parameter-added",
        PARAM,
        N,
        "optional; clients that omit it keep working",
        "new-optional-request-parameter, new-optional-request-default-parameter-to-existing-path",
    ),
    fixed(
        "parameter-removed",
        PARAM,
        B,
        "what clients send is refused or silently ignored — a dropped filter or option changes the answer",
        "request-parameter-removed",
        "oasdiff warns; a parameter has no `additionalProperties` saying unknown ones are tolerated, and an "
        "ignored one changes what the operation does",
    ),
    fixed(
        "deprecated-parameter-removed",
        PARAM,
        N,
        "removed after it was deprecated and its sunset date (if any) passed",
        "request-parameter-removed-with-deprecation",
    ),
    fixed(
        "parameter-removed-before-sunset",
        PARAM,
        B,
        "deprecated with a sunset date still in the future (RFC 8594 §3)",
        "request-parameter-removed-before-sunset",
    ),
    fixed(
        "parameter-made-required",
        PARAM,
        B,
        "clients that omit it are refused",
        "request-parameter-became-required",
    ),
    fixed(
        "parameter-made-optional",
        PARAM,
        N,
        "clients that send it keep working",
        "request-parameter-became-optional",
    ),
    fixed(
        "parameter-serialization-changed",
        PARAM,
        B,
        "the same value must be written differently (OAS 3.1 Parameter Object `style`, `explode`)",
        "request-parameter-serialization-changed",
    ),
    fixed(
        "parameter-media-type-changed",
        PARAM,
        B,
        "a parameter given by `content` must be encoded in another media type",
    ),
    # --- request bodies and media types -------------------------------------------------------------
    fixed(
        "request-body-added-required",
        BODY,
        B,
        "clients send no body and are refused",
        "request-body-added-required",
    ),
    fixed(
        "request-body-added",
        BODY,
        N,
        "optional; clients that send none keep working",
        "request-body-added-optional",
    ),
    fixed("request-body-removed", BODY, B, "what clients send is refused or ignored", "request-body-removed"),
    fixed(
        "request-body-made-required",
        BODY,
        B,
        "clients that send none are refused",
        "request-body-became-required",
    ),
    fixed(
        "request-body-made-optional",
        BODY,
        N,
        "clients that send one keep working",
        "request-body-became-optional",
    ),
    effect(
        "media-type-removed",
        BODY,
        Effect.INCOMPARABLE,
        "a client sending that content type gets 415 (RFC 9110 §15.5.16); one accepting only it gets 406 "
        "or bytes it cannot parse (§15.5.7)",
        "request-body-media-type-removed, response-media-type-removed",
    ),
    effect(
        "media-type-added",
        BODY,
        Effect.NONE,
        "another way to send the same; content negotiation (RFC 9110 §12.5.1) keeps giving clients what "
        "they ask for",
        "request-body-media-type-added, response-media-type-added",
    ),
    effect(
        "media-type-generalized",
        BODY,
        Effect.WIDENS,
        "a media range (`application/*`) replaces a media type: a request may use any of them; a response "
        "may come in a type the client does not parse",
        "response-media-type-name-generalized",
    ),
    effect(
        "media-type-schema-added",
        BODY,
        Effect.NARROWS,
        "a body that could be anything must now match a schema",
        "request-body-media-type-schema-added, response-body-media-type-schema-added",
    ),
    effect(
        "media-type-schema-removed",
        BODY,
        Effect.WIDENS,
        "a body that had to match a schema may now be anything",
        "request-body-media-type-schema-removed, response-body-media-type-schema-removed",
    ),
    # --- responses ----------------------------------------------------------------------------------
    fixed(
        "response-success-status-removed",
        RESP,
        B,
        "the answer clients are written for (a 1xx/2xx/3xx status) is no longer given",
        "response-success-status-removed",
    ),
    fixed(
        "response-error-status-removed",
        RESP,
        N,
        "an error clients handled no longer happens (or is now one they handle as any undeclared error)",
        "response-non-success-status-removed",
    ),
    fixed(
        "success-status-added",
        RESP,
        B,
        "a new success answer clients do not expect: a widened response, like a new enum value",
        "response-success-status-added",
        "oasdiff reports it at INFO; a client written for 200 may take a 202 for a finished request",
    ),
    fixed(
        "error-status-added",
        RESP,
        N,
        "clients must handle undeclared errors anyway (RFC 9110 §15: a client treats an unknown status as "
        "the x00 of its class)",
        "response-non-success-status-added",
    ),
    fixed(
        "response-header-removed",
        RESP,
        B,
        "a required header clients read is gone",
        "required-response-header-removed",
    ),
    fixed(
        "optional-response-header-removed",
        RESP,
        N,
        "clients had to cope with its absence",
        "optional-response-header-removed",
    ),
    fixed(
        "response-header-made-optional",
        RESP,
        B,
        "clients reading it may find none",
        "response-header-became-optional",
    ),
    fixed("response-header-made-required", RESP, N, "clients that read it now always find it"),
    fixed(
        "response-header-added",
        RESP,
        N,
        "clients ignore headers they do not know (RFC 9110 §5.1)",
        "response-header-added",
    ),
)
