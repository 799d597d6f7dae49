"""schemathesis against the running service's /openapi.json: generated requests on every endpoint,
bounded in examples and time, and none may end in a server error."""

from __future__ import annotations

import io

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="the schema tests need the test extra's schemathesis")
import time  # noqa: E402

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
