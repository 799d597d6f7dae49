"""Who may run what: the one table of command -> roles that the CLI, the REPL and the help read.

Roles:
- `customer`: acts in its own account only; sees only that account's tickets, sends and objects.
- `agent`: support staff acting in a customer's account on the customer's behalf; no administration.
- `manager`: the handoff queue and the tickets of every account, and the knowledge gaps.
- `admin`: accounts, package top-ups, carrier reviews (and tokens, where a service issues them).

In the embedded mode (the CLI and the REPL on a local database file) a role is *declared* with
`--role`: the database file, readable by its owner only, is the trust boundary. A service proves
the role with a token. Either way the same table decides.
"""

from __future__ import annotations

from .errors import Forbidden, hinted, said

ROLES = ("customer", "agent", "manager", "admin")

_EVERYONE = frozenset(ROLES)
_IN_ACCOUNT = _EVERYONE  # acting in an account; a customer is held to its own by the actions
_STAFF = frozenset({"agent", "manager", "admin"})
_MANAGERS = frozenset({"manager", "admin"})
_ADMIN = frozenset({"admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    # the conversation (the REPL, or a service's chat) and questions and the knowledge base
    "repl": _EVERYONE,
    "ask": _EVERYONE,
    "eval": _EVERYONE,
    "error": _EVERYONE,
    "kb.check": _EVERYONE,
    "kb.export": _EVERYONE,
    "kb.gaps": _MANAGERS,
    "kb.learn": _MANAGERS,
    # onboarding, in the account acted for
    "enable": _IN_ACCOUNT,
    "signature.submit": _IN_ACCOUNT,
    "signature.status": _IN_ACCOUNT,
    "signature.update": _IN_ACCOUNT,
    "template.create": _IN_ACCOUNT,
    "template.status": _IN_ACCOUNT,
    "send": _IN_ACCOUNT,
    "send.list": _IN_ACCOUNT,
    "send.show": _IN_ACCOUNT,
    "inbox": _IN_ACCOUNT,
    "account.show": _IN_ACCOUNT,  # the account acted for (a service's GET /v1/account); any other: admin
    "account.switch": _STAFF,  # the REPL's /account: a customer stays in its own account
    # handoff: a customer's and an agent's reach is the account acted for
    "handoff.create": _EVERYONE,
    "handoff.list": _EVERYONE,
    "handoff.show": _EVERYONE,
    "handoff.export": _EVERYONE,
    "handoff.answer": frozenset({"customer", "agent"}),
    "handoff.claim": _MANAGERS,
    "handoff.reply": _MANAGERS,
    "handoff.resolve": _MANAGERS,
    "handoff.note": _MANAGERS,
    "handoff.assign": _MANAGERS,
    "handoff.reopen": _MANAGERS,
    "desk": _STAFF,            # the web desk's queue and cases (agents read; managers act)
    "kb.report": _MANAGERS,
    # administration
    "admin.account.create": _ADMIN,
    "admin.account.update": _ADMIN,
    "admin.account.show": _ADMIN,
    "admin.account.list": _ADMIN,
    "admin.topup": _ADMIN,
    "admin.review": _ADMIN,
    "admin.migrate": _ADMIN,
    # the service (`assistant serve`, run by its operator) and its access tokens (`assistant admin token ...`)
    "serve": _ADMIN,
    "admin.token.create": _ADMIN,
    "admin.token.list": _ADMIN,
    "admin.token.revoke": _ADMIN,
}

# Commands whose reach is every account (the others act in the one account given).
ALL_ACCOUNTS = frozenset({"manager", "admin"})

# The REPL's slash commands and the command each one runs; None means "anyone" (help, quit...).
SLASH: dict[str, str | None] = {
    "help": None, "quit": None, "status": "signature.status", "enable": "enable",
    "signature": "signature.status", "template": "template.status", "send": "send", "sends": "send.list",
    "error": "error", "handoff": "handoff.create", "inbox": "inbox", "answer": "handoff.answer",
    "account": "account.switch", "queue": "handoff.list", "show": "handoff.show", "claim": "handoff.claim",
    "reply": "handoff.reply", "resolve": "handoff.resolve",
}


def allowed(role: str, command: str) -> bool:
    """Whether ROLE may run COMMAND (dotted, as the CLI spells it: "handoff.claim")."""
    return role in PERMISSIONS.get(command, frozenset())


def require(role: str, command: str) -> None:
    """Raise Forbidden unless ROLE may run COMMAND; the message names the roles that may."""
    if allowed(role, command):
        return
    who = PERMISSIONS.get(command)
    if not who:
        raise Forbidden(f"'{command}' is not a command any role may run; see `assistant --help`")
    names = ", ".join(r for r in ROLES if r in who)
    first = next(r for r in ROLES if r in who)
    what = f"the {role} role may not run '{command.replace('.', ' ')}'; it is for: {names}"
    # the roles and the command as sentences of the catalogue (a Chinese conversation names them in Chinese),
    # the English read from it too (`messages.english`: the refusal pays for reading the catalogue, once)
    from .messages import english

    fields = {"role": {"say": f"role.{role}"} if role in ROLES else role, "command": {"say": f"role.command.{command}"},
              "names": [{"say": f"role.{r}"} for r in ROLES if r in who], "first": first}
    error = said(Forbidden(english("role.forbidden", **fields)), "role.forbidden", **fields)
    raise hinted(error, what, "role", role=first)


def sees_all_accounts(role: str) -> bool:
    """Whether ROLE reaches the tickets and sends of every account, not only the one acted for."""
    return role in ALL_ACCOUNTS


def slash_allowed(role: str, name: str) -> bool:
    """Whether ROLE may use the REPL's slash command /NAME (unknown names are not allowed)."""
    if name not in SLASH:
        return False
    command = SLASH[name]
    return command is None or allowed(role, command)
