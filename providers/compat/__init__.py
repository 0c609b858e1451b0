"""Breaking-change detection between two OpenAPI documents (`contractgate compat`).

A change is *breaking* when a client written against the old document can fail against the new one,
a *deprecation* when it keeps working but is told to move, *non-breaking* otherwise (`model` says how
severities follow from a rule's effect and the direction of the data). The rule table — every rule's
id, family, severities, basis and its relation to oasdiff's catalogue — is generated from `RULES`:
`contractgate compat --rules`, and `providers/compat/RULES.md` (kept equal by a test).

Modules, bottom up:

| module        | owns
|---------------|-----
| `levels`      | `Severity`, `Direction`, `Effect`, `Rule`: the vocabulary of the catalogue
| `model`       | `Change`; assembles `RULES`
| `rules_document`, `rules_schema` | the rule catalogue, family by family
| `loader`      | bytes → mapping: bounded (size, alias bombs), fast (rapidyaml, libyaml), UTF-8 checked
| `bundle`      | external `$ref`s (files, URLs, git revisions) resolved once into the document
| `swagger`     | Swagger 2.0 → OpenAPI 3.0
| `sources`     | files, URLs and git revisions → `SpecSource`
| `check`       | the shape of a whole document, checked first (wrong types are one-line errors)
| `resolve`     | `Node`, `Resolver`: references and typed access
| `flatten`     | `FlatSchema`: what a schema means, spelling differences taken out
| `schemas`     | the schema walk; `constraints`, `objects`, `arrays`, `composition` its rule families
| `lifecycle`   | deprecation (RFC 9745), sunset (RFC 8594, `x-sunset`), stability
| `security`    | security requirements and schemes
| `messages`    | parameters, request bodies, responses, headers, media types
| `operations`  | paths paired by normalised template, operations, webhooks, callbacks, components
| `sameness`    | what is provably unchanged, so it is not compared at all
| `diff`        | the entry points
| `table`       | the rule table as text and Markdown
"""

from providers.compat.diff import (
    Comparison,
    compare,
    compare_file_at_revision,
    compare_files,
    compare_revision,
    compare_sources,
)
from providers.compat.model import (
    FAMILIES,
    RULES,
    RULES_BY_KIND,
    Change,
    Direction,
    Effect,
    Rule,
    Severity,
    tally,
    worst,
)
from providers.compat.sources import SpecSource, load_spec

__all__ = [
    "FAMILIES",
    "RULES",
    "RULES_BY_KIND",
    "Change",
    "Comparison",
    "Direction",
    "Effect",
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
