"""Breaking-change detection between two OpenAPI 3 documents (`contractgate compat`).

A change is *breaking* when a client written against the old document can fail against the new one,
a *deprecation* when it keeps working but is told to move, *non-breaking* otherwise. Modules, bottom
up: `model` (`Change`, `Severity`, the rule table), `resolve` (`$ref`s and the flattened schema view),
`schemas` (schema against schema, per direction), `security` (requirements and schemes),
`operations` (paths, operations, parameters, bodies, responses), `sources` (files, URLs, git
revisions), `diff` (the entry points).

Rules about documents and operations (one severity, whatever the direction):

| kind                             | severity     | why
|----------------------------------|--------------|-----
| spec-removed                     | breaking     | every client of the document loses every operation
| spec-added                       | non-breaking | nothing existing changes
| path-moved                       | breaking     | the operations answer under another version prefix only
| operation-removed                | breaking     | clients calling it get 404/405
| deprecated-operation-removed     | breaking     | still breaks clients that have not migrated yet
| operation-added                  | non-breaking | nothing existing changes
| operation-deprecated             | deprecation  | works today, announced to go
| operation-undeprecated           | non-breaking | the announcement is withdrawn
| operation-id-changed             | non-breaking | the wire is unchanged; generated clients rename a method
| security-added                   | breaking     | an anonymous client is now refused
| security-tightened               | breaking     | a token that was enough is refused (scheme, scope or role)
| security-relaxed                 | non-breaking | every token that was accepted still is
| security-scheme-narrowed         | breaking     | a scheme in use accepts fewer tokens (kind, audience, flow)
| security-scheme-widened          | non-breaking | a scheme in use accepts more tokens
| required-parameter-added         | breaking     | clients do not send it and are refused
| parameter-added                  | non-breaking | optional; clients that omit it keep working
| parameter-removed                | breaking     | what clients send is refused or silently ignored
| parameter-made-required          | breaking     | clients that omit it are refused
| parameter-made-optional          | non-breaking | clients that send it keep working
| parameter-serialization-changed  | breaking     | the same value must be written differently
| parameter-deprecated             | deprecation  | works today, announced to go
| request-body-added-required      | breaking     | clients send no body and are refused
| request-body-added               | non-breaking | optional; clients that send none keep working
| request-body-removed             | breaking     | what clients send is refused or ignored
| request-body-made-required       | breaking     | clients that send none are refused
| request-body-made-optional       | non-breaking | clients that send one keep working
| request-media-type-removed       | breaking     | clients sending that content type get 415
| request-media-type-added         | non-breaking | another way to send the same
| response-status-removed          | breaking     | the provider answers clients with a status they were not written for
| success-status-added             | breaking     | a new success answer clients do not expect (a widened response)
| error-status-added               | non-breaking | clients must handle undeclared errors anyway
| response-media-type-removed      | breaking     | clients accepting only that content type get 406 or other bytes
| response-media-type-added        | non-breaking | content negotiation keeps giving clients what they asked for
| response-header-removed          | breaking     | a required header clients read is gone
| optional-response-header-removed | non-breaking | clients had to cope with its absence
| response-header-made-optional    | breaking     | clients reading it may find none
| response-header-added            | non-breaking | clients ignore headers they do not know
| sunset-announced                 | deprecation  | a new Sunset/Deprecation header announces the end of the operation
| sunset-withdrawn                 | non-breaking | the end of the operation is no longer announced

Rules about schemas — of request bodies and parameters (*request*: the client writes them, so they
may only become more permissive) and of response bodies and headers (*response*: the client reads
them, so they may only become more precise):

| kind                             | request      | response     | why
|----------------------------------|--------------|--------------|-----
| type-changed                     | breaking     | breaking     | values of the old type are refused or arrive as another type
| type-widened                     | non-breaking | breaking     | a request accepts more; a response may carry a type clients do not parse
| type-narrowed                    | breaking     | non-breaking | a request refuses values it took; a response is a subset of before
| format-added                     | breaking     | non-breaking | a request refuses values that lack the format; a response only promises more
| format-removed                   | non-breaking | breaking     | a request accepts more; clients parsing the format may fail
| format-changed                   | breaking     | breaking     | values are written in another format
| nullable-added                   | non-breaking | breaking     | a request accepts null; clients may receive null
| nullable-removed                 | breaking     | non-breaking | a request refuses null; a response never sends it
| property-removed                 | breaking     | breaking     | clients reading it find nothing; clients sending it are refused or ignored
| property-renamed                 | breaking     | breaking     | a property of the same schema under a new name: removed for clients
| required-property-added          | breaking     | non-breaking | clients do not send it and are refused; a response only promises more
| property-added                   | non-breaking | non-breaking | optional in a request; clients ignore unknown response properties
| property-made-required           | breaking     | non-breaking | clients that omit it are refused; a response promises more
| property-made-optional           | non-breaking | breaking     | clients reading it may find nothing
| property-deprecated              | deprecation  | deprecation  | works today, announced to go
| enum-value-added                 | non-breaking | breaking     | clients receive a value they do not handle
| enum-value-removed               | breaking     | non-breaking | clients sending that value are refused
| enum-added                       | breaking     | non-breaking | a request refuses values outside the new list
| enum-removed                     | non-breaking | breaking     | a response may carry values clients do not handle
| constraint-tightened             | breaking     | non-breaking | maxLength/minimum/pattern/... refuse values clients send
| constraint-relaxed               | non-breaking | breaking     | values larger or longer than clients were promised
| constraint-changed               | breaking     | breaking     | a pattern or multipleOf replaced by an unrelated one
| default-changed                  | breaking     | non-breaking | clients omitting the value get other behaviour; a response default is documentation
| default-added                    | non-breaking | non-breaking | documents what omitting the value did
| additional-properties-narrowed   | breaking     | non-breaking | properties clients send are refused
| additional-properties-allowed    | non-breaking | non-breaking | like a new optional property
| additional-properties-widened    | non-breaking | breaking     | map values of any shape reach clients
| variant-added                    | non-breaking | breaking     | a oneOf/anyOf alternative clients do not handle
| variant-removed                  | breaking     | non-breaking | clients sending that alternative are refused

Decisions worth knowing:
- A removed operation that was already deprecated is still breaking; its message says it was
  deprecated. A new `Sunset` or `Deprecation` response header is a deprecation; removing one only
  withdraws the announcement (non-breaking).
- A changed default is breaking in a request (a client that omits the value gets other behaviour)
  and non-breaking in a response, where a default is documentation only.
- A removed status is breaking even for an error status (the provider now answers that situation
  with something the client was not written for); a new success status is breaking (a widened
  response, like a widened enum); a new error status is not.
- Renames are detected when a property disappears and one with the very same schema appears in the
  same object (one candidate, or names contained in one another like `run_id` → `id`).
- Paths that differ only in a version segment (`/v1/threads` → `/v2/threads`) are compared as one
  path after a `path-moved` change, so comparing a v1 document with its v2 successor shows every
  difference a migrating client meets.
"""

from providers.compat.diff import (
    Comparison,
    compare,
    compare_file_at_revision,
    compare_files,
    compare_revision,
    compare_sources,
)
from providers.compat.model import RULES, RULES_BY_KIND, Change, Direction, Rule, Severity, tally, worst
from providers.compat.sources import SpecSource, load_spec

__all__ = [
    "RULES",
    "RULES_BY_KIND",
    "Change",
    "Comparison",
    "Direction",
    "Rule",
    "Severity",
    "SpecSource",
    "compare",
    "compare_file_at_revision",
    "compare_files",
    "compare_revision",
    "compare_sources",
    "load_spec",
    "tally",
    "worst",
]
