"""The schema both storage engines share: the migrations, step by step, in portable SQL.

The embedded SQLite engine (`sqlite.py`) runs them as written; the PostgreSQL engine
(`postgres.py`) through the dialect layer (`dialect.py`). Both read `MIGRATIONS` when a database
is opened, so a later step is seen.
"""

from __future__ import annotations

import re

# Each step takes the schema from version N to N+1; never edit a released step, add one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        industry TEXT NOT NULL,
        enabled_at TEXT,
        digital_balance INTEGER NOT NULL DEFAULT 0,
        sms_balance INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    );
    CREATE TABLE profile_names (
        account TEXT NOT NULL REFERENCES accounts(name),
        source TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (account, source, name)
    );
    CREATE TABLE signatures (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        name TEXT NOT NULL,
        source TEXT NOT NULL,
        submitted_at TEXT NOT NULL,
        round INTEGER NOT NULL DEFAULT 1,
        UNIQUE (account, name)
    );
    CREATE TABLE signature_reviews (
        signature_id INTEGER NOT NULL REFERENCES signatures(id),
        carrier TEXT NOT NULL,
        decided_on TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        PRIMARY KEY (signature_id, carrier)
    );
    CREATE TABLE templates (
        code TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        name TEXT NOT NULL,
        signature TEXT NOT NULL,
        industry TEXT NOT NULL,
        text TEXT NOT NULL,
        variables TEXT NOT NULL,
        frames TEXT NOT NULL,
        letter TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE template_reviews (
        code TEXT NOT NULL REFERENCES templates(code),
        carrier TEXT NOT NULL,
        decided_on TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT,
        decided_by TEXT NOT NULL DEFAULT 'carrier',
        PRIMARY KEY (code, carrier)
    );
    CREATE TABLE requests (
        request_id TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        template TEXT NOT NULL,
        created_at TEXT NOT NULL,
        total INTEGER NOT NULL,
        sent INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        actor TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        request_id TEXT NOT NULL REFERENCES requests(request_id),
        account TEXT NOT NULL,
        phone TEXT NOT NULL,
        carrier TEXT,
        template TEXT NOT NULL,
        status TEXT NOT NULL,
        error_code TEXT,
        detail TEXT,
        sent_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_number ON messages (account, phone, sent_at);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        account TEXT,
        action TEXT NOT NULL,
        target TEXT,
        result TEXT NOT NULL,
        detail TEXT
    );
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    """,
    """
    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts(name),
        summary TEXT NOT NULL,
        reason TEXT NOT NULL,
        detail TEXT,
        priority TEXT NOT NULL,
        status TEXT NOT NULL,
        owner TEXT,
        context TEXT NOT NULL,
        conversation TEXT NOT NULL,
        send_date TEXT,
        resolution TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX tickets_by_status ON tickets (status, priority, created_at);
    CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY,
        ticket INTEGER NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        event TEXT NOT NULL,
        detail TEXT
    );
    CREATE TABLE ticket_messages (
        id INTEGER PRIMARY KEY,
        ticket INTEGER NOT NULL REFERENCES tickets(id),
        account TEXT NOT NULL,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        seen_at TEXT
    );
    CREATE TABLE gaps (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        account TEXT,
        question TEXT NOT NULL,
        best TEXT,
        score REAL NOT NULL,
        kind TEXT NOT NULL
    );
    CREATE INDEX gaps_by_time ON gaps (at);
    """,
    # What each message carried: the signature as recipients saw it and the template's text with
    # its parameters filled (NULL for messages sent before this step).
    """
    ALTER TABLE messages ADD COLUMN signature TEXT;
    ALTER TABLE messages ADD COLUMN content TEXT;
    """,
    # The service: access tokens (only their hash is kept) and conversations held for web chats.
    """
    CREATE TABLE tokens (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        account TEXT,
        user_name TEXT,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        token INTEGER NOT NULL REFERENCES tokens(id),
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # Large sends are recorded in chunks: a send is 'recording' until its last message is written
    # ('done' then), WRITTEN messages so far, LEASE the wall-clock second of its writer's last progress.
    """
    ALTER TABLE requests ADD COLUMN state TEXT NOT NULL DEFAULT 'done';
    ALTER TABLE requests ADD COLUMN written INTEGER;
    ALTER TABLE requests ADD COLUMN lease REAL;
    """,
    # The web desk: browser sessions (bound to a token, so revoking the token ends them), staff's
    # internal notes on tickets (never shown to a customer), and the outbox of notifications.
    """
    CREATE TABLE web_sessions (
        id TEXT PRIMARY KEY,
        token INTEGER NOT NULL REFERENCES tokens(id),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE ticket_notes (
        id INTEGER PRIMARY KEY,
        ticket INTEGER NOT NULL REFERENCES tickets(id),
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE INDEX ticket_notes_by_ticket ON ticket_notes (ticket);
    CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket, author);
    CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        event TEXT NOT NULL,
        ticket INTEGER NOT NULL,
        at TEXT NOT NULL,
        payload TEXT NOT NULL
    );
    CREATE TABLE notify_cursors (
        target TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        next_at TEXT,
        last_error TEXT
    );
    CREATE TABLE answer_feedback (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        account TEXT NOT NULL,
        question TEXT NOT NULL,
        answer TEXT NOT NULL,
        verdict TEXT NOT NULL
    );
    """,
    # Phrasings taught with `kb learn` (and the service's /v1/gaps/learn, the desk's gaps page), kept
    # in the database they were taught on: TARGET is an FAQ entry id or an action name, PHRASING the
    # question as typed, LEARNED_BY the staff member's name when known. A database migrated past this
    # step also takes in the legacy `learned.json` beside it (see `assistant.learned.import_legacy`).
    """
    CREATE TABLE learned_phrasings (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        phrasing TEXT NOT NULL,
        learned_at TEXT NOT NULL,
        learned_by TEXT,
        UNIQUE (target, phrasing)
    );
    """,
    # A send's messages by request: `send show` pages its failures, `send list` orders sends of one
    # second, a rolled-back send deletes its messages, "why did the telecom numbers fail?" looks up
    # one carrier's; each scanned every message of every send before.
    """
    CREATE INDEX messages_by_request ON messages (request_id, status, id);
    """,
    # Who wrote a ticket's message, by role: the customer, an agent acting in the customer's name
    # (its AUTHOR the agent's name, no longer "customer"), or support (a manager or an admin). The
    # customer's side of a thread is ROLE customer or agent; earlier rows are the customer's when
    # their author was "customer", support's otherwise.
    """
    ALTER TABLE ticket_messages ADD COLUMN role TEXT NOT NULL DEFAULT 'manager';
    UPDATE ticket_messages SET role = 'customer' WHERE author = 'customer';
    """,
    # Who asked a logged question: one `ask` run, one conversation (the REPL's, a web chat's), one
    # token of the service's POST /v1/ask. `kb gaps` counts a question's sources beside its times, so
    # a script asking it fifty times is one asker. Earlier rows (NULL) count one asker each.
    """
    ALTER TABLE gaps ADD COLUMN source TEXT;
    """,
    # What a ticket's history event says, as the catalogue's sentences and their values (JSON, as a
    # ticket's summary is kept): "asked again" names the new request, which each desk says in its own
    # language. Earlier rows (NULL) show their stored English detail.
    """
    ALTER TABLE ticket_events ADD COLUMN said TEXT;
    """,
]

# The step (its number, counted from 1) that made `learned_phrasings`: a database that existed before
# it (not a fresh one) imports the legacy learned.json beside it when migrated past it.
LEARNED_STEP = 7


def tables_of(steps: list[str]) -> list[str]:
    """The tables the migration STEPS create, in order."""
    return [name for step in steps for name in re.findall(r"CREATE TABLE (\w+)", step)]
