"""The `versioning` suite: deprecation signals, old consumers' pacts, breaking changes between revisions.

lifecycle      which operations are deprecated or current, successors, declared deprecation headers
rfc            the wire formats: RFC 9745 `Deprecation`, RFC 8594 `Sunset`, RFC 8288 `Link`
checks         one function per header rule, judging one answer
probes         the requests (shared `providers.requests` builder, genuine tokens) and their results
old_consumers  pacts exercising deprecated operations, verified through `providers.pacts`
breaking       each document against its base (git, folder, URL) through `providers.compat`
suite          `run(ctx)`, its options and the order of its parts
"""

from providers.versioning.lifecycle import Lifecycle, Versioned
from providers.versioning.suite import PARTS, Settings, run

__all__ = ["PARTS", "Lifecycle", "Settings", "Versioned", "run"]
