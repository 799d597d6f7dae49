"""Who may run what: one table of command -> roles, read by the CLI, the REPL, help and the service.

Command names are dotted as the CLI spells them ("handoff.claim", "admin.topup", "kb.gaps").
A customer acts for their own account; an agent answers in a customer's name; a manager works the
handoff queue and records carrier decisions; an admin manages accounts, packages and tokens.
"""

from __future__ import annotations

from .errors import Forbidden

ROLES = ("customer", "agent", "manager", "admin")

_EVERYONE = frozenset(ROLES)
_STAFF = frozenset({"manager", "admin"})
_ADMIN = frozenset({"admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "repl": _EVERYONE, "ask": _EVERYONE, "eval": _EVERYONE, "kb.check": _EVERYONE,
    "enable": _EVERYONE, "signature.submit": _EVERYONE, "signature.update": _EVERYONE, "signature.status": _EVERYONE,
    "template.create": _EVERYONE, "template.status": _EVERYONE, "send": _EVERYONE, "error": _EVERYONE,
    "handoff.create": _EVERYONE, "handoff.answer": _EVERYONE, "handoff.show": _EVERYONE, "handoff.export": _EVERYONE,
    "inbox": _EVERYONE,
    "handoff.list": _STAFF, "handoff.claim": _STAFF, "handoff.reply": _STAFF, "handoff.resolve": _STAFF,
    "kb.gaps": _STAFF, "kb.learn": _STAFF, "kb.export": _STAFF, "admin.review": _STAFF,
    "admin.account.create": _ADMIN, "admin.account.update": _ADMIN, "admin.account.show": _EVERYONE,
    "admin.account.list": _ADMIN, "admin.topup": _ADMIN,
    "admin.token.create": _ADMIN, "admin.token.list": _ADMIN, "admin.token.revoke": _ADMIN,
}


def allowed(role: str, command: str) -> bool:
    """Whether ROLE may run COMMAND (an unknown command is allowed to nobody)."""
    return role in PERMISSIONS.get(command, frozenset())


def require(role: str, command: str) -> None:
    """Raise Forbidden, one line, when ROLE may not run COMMAND."""
    if not allowed(role, command):
        who = sorted(PERMISSIONS.get(command, ()), key=ROLES.index)
        raise Forbidden(f"a {role} may not run `{command.replace('.', ' ')}`; "
                        + (f"it is for: {', '.join(who)}" if who else "no role may"))
