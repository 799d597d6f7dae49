"""Browser sessions: a sign-in with a bearer token becomes a session cookie, bound to that token.

The cookie holds a random session id; the database keeps only its SHA-256 hash, the token it was
made from, a CSRF secret for the session's forms and when it expires (rules.yaml,
handoff.web_session_hours). A session is worth exactly what its token is: revoking the token
ends every session made from it at the next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from .. import tokens
from ..clock import Clock
from ..storage.sqlite import Store

COOKIE = "assistant_session"


@dataclass(frozen=True)
class Session:
    """A signed-in browser: who (the token's principal) and the CSRF secret its forms must carry."""

    principal: tokens.Principal
    csrf: str


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def sign_in(store: Store, clock: Clock, token: str, hours: float) -> tuple[str, Session] | None:
    """A new session for TOKEN (None when the token is unknown or revoked): the cookie's value and the session."""
    principal = tokens.authenticate(store, token.strip())
    if principal is None:
        return None
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = clock.now()
    with store.transaction():
        store.execute("DELETE FROM web_sessions WHERE expires_at < ?", (now.isoformat(sep=" "),))
        store.insert("web_sessions", {"id": _key(session_id), "token": principal.token_id, "csrf": csrf,
                                      "created_at": now.isoformat(sep=" "),
                                      "expires_at": (now + dt.timedelta(hours=hours)).isoformat(sep=" ")})
    return session_id, Session(principal, csrf)


def lookup(store: Store, clock: Clock, session_id: str | None) -> Session | None:
    """The session of the cookie SESSION_ID, if it exists, has not expired and its token is not revoked."""
    if not session_id:
        return None
    row = store.row("SELECT s.csrf, s.expires_at, t.id, t.role, t.account, t.user_name, t.revoked_at "
                    "FROM web_sessions s JOIN tokens t ON t.id = s.token WHERE s.id = ?", (_key(session_id),))
    if row is None or row["revoked_at"] is not None or row["expires_at"] < clock.now().isoformat(sep=" "):
        return None
    return Session(tokens.Principal(row["id"], row["role"], row["account"], row["user_name"]), row["csrf"])


def sign_out(store: Store, session_id: str | None) -> None:
    """End the session (its cookie no longer signs anyone in)."""
    if session_id:
        with store.transaction():
            store.execute("DELETE FROM web_sessions WHERE id = ?", (_key(session_id),))


def csrf_ok(session: Session, sent: str | None) -> bool:
    """Whether a form carried the session's CSRF secret (compared in constant time)."""
    return bool(sent) and hmac.compare_digest(session.csrf, sent or "")
