"""Where a live target lets a run write: the bounds of a staging sandbox, `[targets.NAME.sandbox]`.

Against a live target the gate is staging-safe: it sends read-only operations only. A target whose
configuration names a sandbox lets the run write there — and only there:

    [targets.staging.sandbox]
    writes = ["*"]                                   # which operations may write (default: every one)
    paths = ["/v2/invoices", "/internal/"]            # under which path templates (default: any)
    accounts = ["clerk", "auditor", "outsider"]       # as which accounts (default: every configured one)
    tenants = ["sandbox-a", "sandbox-b"]              # whose tokens carry these tenants (default: unchecked)

A write is sent when its operation ("METHOD /path/template", the contracts' own template) matches
`writes` (an operation, "METHOD *" or "*") and falls under one of `paths` (a template prefix), and the
account it acts as is a sandbox account: named in `accounts`, and — when `tenants` is given — holding
a genuine token whose tenant claim (platform.yaml `tokens.claims.tenant`) is one of them, checked once
per account against the target's own issuer. Requests the suites send without naming an account act as
the primary one, so it must be a sandbox account for them to write. `RunContext.may_send` and
`RunContext.may_write_as` apply these bounds; every refusal is a reason naming the key that would lift it.

What the run creates there is undone, or swept, when the run ends (`providers.cleanup`).
"""

from __future__ import annotations

from dataclasses import dataclass

WHERE = "[targets.NAME.sandbox]"


@dataclass(frozen=True)
class Sandbox:
    """A staging sandbox of a live target, `[targets.NAME.sandbox]`: where the run may write."""

    #: The operations that may write: "METHOD /path/template" as the contracts write it, "METHOD *",
    #: or "*" for every operation of the contracts.
    writes: tuple[str, ...] = ("*",)
    #: Path templates writes must start with ("/v2/invoices"); empty: any path.
    paths: tuple[str, ...] = ()
    #: The accounts (platform.yaml / [targets.NAME.users]) the run may write as; default: every
    #: configured one.
    accounts: tuple[str, ...] | None = None
    #: The tenants of the sandbox: an account writes only when its genuine token's tenant claim is one
    #: of these (checked once per run against the target's issuer); empty: not checked.
    tenants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for index, write in enumerate(self.writes):
            method, _, path = write.partition(" ")
            if write == "*" or (method.isalpha() and (path == "*" or path.startswith("/"))):
                continue
            raise ValueError(f"writes[{index}]: {write!r} is not 'METHOD /path/template', 'METHOD *' or '*'")
        for index, prefix in enumerate(self.paths):
            if not prefix.startswith("/"):
                raise ValueError(f"paths[{index}]: {prefix!r} is not a path (it starts with '/')")

    def refuses(self, method: str, path: str) -> str | None:
        """Why the sandbox does not let `method path` (a template) write; None when it does."""
        method = method.upper()
        label = f"{method} {path}"
        if not ({"*", f"{method} *", label} & {_normal(w) for w in self.writes}):
            return f"{label} writes, and the target's sandbox does not name it: add it to {WHERE} writes"
        if self.paths and not any(path.startswith(prefix) for prefix in self.paths):
            return (
                f"{label} writes outside the sandbox's paths ({', '.join(self.paths)}): "
                f"widen {WHERE} paths"
            )
        return None

    def refuses_account(self, account: str, tenant: str | None) -> str | None:
        """Why `account` (whose token carries `tenant`) may not write here; None when it may."""
        if self.accounts is not None and account not in self.accounts:
            return f"the account {account!r} is not a sandbox account: name it in {WHERE} accounts"
        if self.tenants and tenant not in self.tenants:
            shown = repr(tenant) if tenant else "no tenant"
            return (
                f"the account {account!r} belongs to {shown}, not to the sandbox's tenants "
                f"({', '.join(self.tenants)}): {WHERE} tenants"
            )
        return None


def _normal(write: str) -> str:
    method, _, path = write.partition(" ")
    return write if write == "*" else f"{method.upper()} {path}"


def staging_safe_reason(method: str, path: str) -> str:
    """Why a write is not sent to a staging-safe target without a sandbox, naming what would allow it."""
    return (
        f"{method.upper()} {path} writes, and this target is staging-safe (read-only): let it write in a "
        f"sandbox ({WHERE} writes) or name it in allow_writes"
    )
