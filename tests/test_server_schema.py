"""schemathesis against the running service's /openapi.json: generated requests on every endpoint,
bounded in examples and time, and none may end in a server error."""

from __future__ import annotations

import io

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the schema tests need the test extra's schemathesis")
import json  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402

from conftest import SERVICE_START_S, Server, fresh_database  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from assistant.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    pytest.importorskip("fastapi")
    with fresh_database(tmp_path_factory.mktemp("schema")) as db:
        server = Server(db, "--allow-simulated-clock", wait_s=SERVICE_START_S)
        for n in range(20):  # decoys, so a generated "revoke token 3" does not revoke the fuzzer's own token
            main(["--db", server.db, "admin", "token", "create", "--user", f"decoy{n}", "--role", "agent"],
                 stdout=io.StringIO(), stderr=io.StringIO())
        server.admin = server.token("--user", "fuzz", "--role", "admin")
        yield server
        server.stop()


MAX_EXAMPLES = 8      # per endpoint
BUDGET_S = 240        # for the whole document: CI must stay bounded in time


def test_no_generated_request_ends_in_a_server_error(service):
    schema = schemathesis.openapi.from_url(service.url + "/openapi.json")
    started, checked = time.monotonic(), []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call(headers={"Authorization": f"Bearer {service.admin}"}, timeout=20)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
        assert time.monotonic() - started < BUDGET_S, f"over the time budget after {len(checked)} endpoints"
    assert len(checked) >= 30 and "POST /v1/templates" in checked and "POST /v1/conversations/{conv_id}/messages" in checked


# Values no field takes as it is: a lone surrogate (text no UTF-8 can hold), and the wrong JSON types
# for counts, flags and texts. Each generated JSON body gets one of them in one of its fields.
POISON = ["\ud800", "a\udfffb", True, "10", 1.5, None, [], {}, -1, 10**20]


def test_surrogates_and_wrong_json_types_in_generated_bodies_never_end_in_a_server_error(service):
    from hypothesis import strategies as st

    schema = schemathesis.openapi.from_url(service.url + "/openapi.json")
    started, poisoned, sent = time.monotonic(), [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in ("POST", "PATCH") or not operation.body or \
                all(b.media_type != "application/json" for b in operation.body):
            continue

        @given(case=operation.as_strategy(media_type="application/json"), poison=st.sampled_from(POISON),
               pick=st.integers(0, 50))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case, poison, pick):
            if not isinstance(case.body, dict) or not case.body:
                return
            field = sorted(case.body)[pick % len(case.body)]
            body = json.dumps({**case.body, field: poison}).encode()  # ASCII escapes: "\\ud800" as a client sends it
            path = case.formatted_path + ("?" + urllib.parse.urlencode(case.query, doseq=True) if case.query else "")
            status, answer = service.call(case.method, path, service.admin, data=body, content_type="application/json")
            assert status < 500, (case.method, path, field, poison, answer)
            sent.append((status, poison))
            if isinstance(poison, str) and not poison.isascii():
                assert status == 422 and "surrogate" in answer["error"], (path, field, answer)
        check()
        poisoned.append(f"{operation.method.upper()} {operation.path}")
        assert time.monotonic() - started < BUDGET_S, f"over the time budget after {len(poisoned)} endpoints"
    assert "POST /v1/ask" in poisoned and "POST /v1/admin/accounts/{name}/topup" in poisoned and len(poisoned) >= 12
    surrogates = [status for status, poison in sent if isinstance(poison, str) and not poison.isascii()]
    assert len(sent) >= 5 * len(poisoned) and surrogates and set(surrogates) == {422}
