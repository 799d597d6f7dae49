"""The per-token rate limit: a token bucket driven by the clock it is given."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service needs the extra: pip install '.[server]'")

from assistant.server.limits import Buckets, RateLimited  # noqa: E402


class Ticking:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_burst_up_to_the_rate_passes_then_the_bucket_refills_with_time():
    clock = Ticking()
    buckets = Buckets(per_minute=3, clock=clock)
    for _ in range(3):
        buckets.take("t1", "questions")
    with pytest.raises(RateLimited, match=r"^too many questions from this token; wait 20 s and try again$"):
        buckets.take("t1", "questions")
    buckets.take("t2", "questions")            # another token has its own bucket
    clock.t += 20                              # one request's worth comes back every 20 s
    buckets.take("t1", "questions")
    with pytest.raises(RateLimited):
        buckets.take("t1", "questions")
    clock.t += 3600                            # never more than a full burst saved up
    for _ in range(3):
        buckets.take("t1", "questions")
    with pytest.raises(RateLimited):
        buckets.take("t1", "questions")


def test_the_wait_is_whole_seconds_rounded_up_and_never_zero():
    clock = Ticking()
    buckets = Buckets(per_minute=3, clock=clock)
    for _ in range(3):
        buckets.take("t1", "questions")
    clock.t += 19.9                            # 0.1 s short of the next request
    with pytest.raises(RateLimited, match=r"wait 1 s and try again$") as refused:
        buckets.take("t1", "questions")
    assert refused.value.retry_after == 1
    clock.t += 0.5                             # the bucket was not charged for the refusal
    buckets.take("t1", "questions")
    with pytest.raises(RateLimited) as refused:
        buckets.take("t1", "questions")
    assert refused.value.retry_after == 20 and "wait 20 s" in str(refused.value)


def test_the_serve_command_names_the_extra_when_fastapi_is_missing(run, monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "fastapi" or m.startswith(("fastapi.", "assistant.server.app"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)
    result = run("--role", "admin", "serve")
    assert result.code == 1 and result.err == ("error: the service needs FastAPI and uvicorn, which are not installed; "
                                               "install them with: pip install 'digital-message-assistant[server]'\n")


def test_every_command_an_endpoint_runs_is_in_the_roles_table():
    from assistant.roles import PERMISSIONS
    from assistant.server import deps
    from assistant.server.app import create_app  # noqa: F401  (imports every router)
    from assistant.server.routers import admin, ask, conversations, error_codes, sends, signatures, templates, tickets  # noqa: F401

    assert len(deps.COMMANDS_USED) >= 29
    assert deps.COMMANDS_USED - set(PERMISSIONS) == set()


def test_a_forms_fields_follow_the_documented_numbers_per_send_with_room_for_the_rest(kb):
    from assistant.server.limits import FORM_HEADROOM, form_fields, too_many_fields

    assert kb.rules.sending["max_numbers_per_request"] == 1000
    assert form_fields(kb.rules.sending) == 1000 + FORM_HEADROOM
    assert form_fields({"max_numbers_per_request": 50}) == 50 + FORM_HEADROOM
    refusal = too_many_fields({"max_numbers_per_request": 50})
    assert refusal.code == "isv.MOBILE_COUNT_OVER_LIMIT" and "at most 50;" in str(refusal)
