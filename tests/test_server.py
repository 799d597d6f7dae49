"""The service over a real uvicorn on loopback: tokens, isolation between accounts, roles, errors,
the clock, and the limits."""

from __future__ import annotations

import io

import pytest
from conftest import write_media

from assistant.cli import main

NOW = "2026-03-20T10:00"


def cli(db: str, *args: str, now: str = "2026-03-02T10:00") -> str:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--db", db, "--now", now, *args], stdout=out, stderr=err)
    assert code == 0, (args, out.getvalue(), err.getvalue())
    return out.getvalue()


@pytest.fixture
def world(serve, media):
    """Two accounts (demo with a signature, a template, a send and a ticket; globex with nothing),
    a token for each customer, a manager, an admin, and a revoked token; a service of its own."""
    return _world(serve("--allow-simulated-clock"), media)


@pytest.fixture(scope="module")
def shared_world(module_serve, tmp_path_factory):
    """The `world`, one for the tests of this module that change nothing another test looks at
    (no claim, no ticket, no state of demo's objects): one service and one setup instead of one each."""
    return _world(module_serve("--allow-simulated-clock"), write_media(tmp_path_factory.mktemp("media")))


def _world(server, media: dict[str, str]) -> dict:
    db = server.db
    cli(db, "--role", "admin", "admin", "account", "create", "globex", "--industry", "e-commerce", "--digital", "10")
    cli(db, "enable")
    cli(db, "signature", "submit", "AcmeShop", "--source", "trademark")
    cli(db, "template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry", "e-commerce",
        "--text", "Hi ${name}", "--media", media["image"], now="2026-03-17T10:00")
    sent = cli(db, "--json", "send", "DIGITAL_SMS_0001", "13800138000", "--param", "name=Tom", now=NOW)
    ticket = cli(db, "--json", "handoff", "create", "--reason", "help", now=NOW)
    import json

    tokens = {"a": server.token("--account", "demo"), "b": server.token("--account", "globex"),
              "manager": server.token("--user", "lin", "--role", "manager"),
              "agent": server.token("--user", "ann", "--role", "agent"),
              "admin": server.token("--user", "root", "--role", "admin"), "revoked": server.token("--account", "demo")}
    cli(db, "--role", "admin", "admin", "token", "revoke", tokens["revoked"])
    conversation = server.call("POST", "/v1/conversations", tokens["a"], headers={"X-Assistant-Now": NOW})[1]["id"]
    return {"server": server, "tokens": tokens, "ticket": json.loads(ticket)["id"],
            "request": json.loads(sent)["request_id"], "conversation": conversation}


# Every endpoint that reaches one of demo's objects, as (method, path, body).
def _objects(w: dict) -> list[tuple[str, str, dict | None]]:
    t, r, c = w["ticket"], w["request"], w["conversation"]
    return [("GET", f"/v1/tickets/{t}", None), ("GET", f"/v1/tickets/{t}/export", None),
            ("POST", f"/v1/tickets/{t}/answer", {"text": "hello"}), ("GET", f"/v1/sends/{r}", None),
            ("GET", "/v1/templates?code=DIGITAL_SMS_0001", None), ("GET", "/v1/signatures?name=AcmeShop", None),
            ("POST", "/v1/signatures/AcmeShop/resubmit", {}),
            ("POST", f"/v1/conversations/{c}/messages", {"text": "hi"}), ("POST", f"/v1/conversations/{c}/cancel", None),
            ("POST", "/v1/tickets", {"template": "DIGITAL_SMS_0001"})]



def test_a_template_in_traditional_chinese_is_a_refusal_with_its_code(shared_world):
    from conftest import png_bytes
    from test_server_strict import multipart

    server, token = shared_world["server"], shared_world["tokens"]["a"]
    before = server.call("GET", "/v1/templates", token, headers={"X-Assistant-Now": NOW})[1]
    body, kind = multipart([("name", b"Sale"), ("signature", b"AcmeShop"), ("industry", b"e-commerce"),
                            ("text", "體驗新品 ${name}".encode())])
    boundary = kind.split("=")[1]
    body = body[:-len(f"--{boundary}--\r\n")] + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="media"; filename="a.png"\r\n'
        f"Content-Type: image/png\r\n\r\n").encode() + png_bytes() + f"\r\n--{boundary}--\r\n".encode()
    status, answer = server.call("POST", "/v1/templates", token, data=body, content_type=kind,
                                 headers={"X-Assistant-Now": NOW})
    assert status == 400 and answer["error_code"] == "isv.UNSUPPORTED_CONTENT", answer
    assert answer["error"].startswith("isv.UNSUPPORTED_CONTENT: the text uses traditional Chinese 體 驗"), answer
    assert server.call("GET", "/v1/templates", token, headers={"X-Assistant-Now": NOW})[1] == before


def test_a_send_none_of_whose_numbers_is_reached_is_a_422_with_its_code_and_records_nothing(shared_world):
    from test_server_strict import multipart

    server, token = shared_world["server"], shared_world["tokens"]["a"]
    before = server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1]
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), ("phone", b"12345"), ("phone", b"19212345678"),
                            ("param", b"name=Tom")])
    status, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind,
                                 headers={"X-Assistant-Now": NOW})
    assert status == 422 and answer["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL", answer
    assert answer["error"].startswith("isv.MOBILE_NUMBER_ILLEGAL: no number can be sent to ('12345'"), answer
    assert server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1] == before


@pytest.mark.parametrize("fields,code", [
    ([("phone", b"13800138000"), ("param", b"name=Tom")], "isv.BUSINESS_LIMIT_CONTROL"),   # sent it in the setup
    ([("phone", b"13900139000"), ("phone", b"18612345678")], "isv.TEMPLATE_MISSING_PARAMETERS"),
])
def test_a_send_none_of_whose_numbers_can_go_for_any_reason_is_a_422_with_its_code(shared_world, fields, code):
    from test_server_strict import multipart

    server, token = shared_world["server"], shared_world["tokens"]["a"]
    before = server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1]
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), *fields])
    status, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind,
                                 headers={"X-Assistant-Now": NOW})
    assert status == 422 and answer["error_code"] == code, answer
    assert answer["error"].startswith(f"{code}: ") and "nothing was sent or recorded" in answer["error"], answer
    assert server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1] == before


def test_a_recipients_file_giving_one_number_different_values_is_refused_with_the_command_lines_words(shared_world):
    from test_server_strict import multipart

    server, token = shared_world["server"], shared_world["tokens"]["a"]
    before = server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1]
    body, kind = multipart([("code", b"DIGITAL_SMS_0001")])
    boundary = kind.split("=")[1]
    body = body[:-len(f"--{boundary}--\r\n")] + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="list.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n").encode() + b"phone,name\n13900139000,Tom\n13900139000,Ann\n" + \
        f"\r\n--{boundary}--\r\n".encode()
    status, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind, headers={"X-Assistant-Now": NOW})
    assert status == 400 and answer["error"] == (
        "list.csv: lines 2 and 3 give 13900139000 different values (name: 'Tom' / 'Ann'); each number gets one message "
        "per send: keep one of the two rows (and send the other's values in a send of their own)"), answer
    assert server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1] == before


def test_an_error_code_is_found_by_its_chinese_meaning(shared_world):
    from urllib.parse import quote

    server, token = shared_world["server"], shared_world["tokens"]["a"]
    status, answer = server.call("GET", "/v1/error-codes/" + quote("余额不足"), token, headers={"X-Assistant-Now": NOW})
    assert status == 200 and (answer["matched"], answer["code"]) == ("description", "isv.AMOUNT_NOT_ENOUGH"), answer

def test_another_accounts_objects_are_not_found_and_not_confirmed(shared_world):
    server, tokens = shared_world["server"], shared_world["tokens"]
    for method, path, body in _objects(shared_world):
        status, answer = server.call(method, path, tokens["b"], body, headers={"X-Assistant-Now": NOW})
        assert status == 404, (method, path, answer)
        # worded as for an object that does not exist, within the caller's own account
        assert answer["error"].startswith("no "), answer
        assert "'demo'" not in answer["error"] or path.endswith("/demo"), answer
    # the owner reaches the same objects (answers to a ticket and resubmissions aside, which have rules of their own)
    for method, path, body in _objects(shared_world)[:6]:
        if method == "GET":
            assert server.call(method, path, tokens["a"], body, headers={"X-Assistant-Now": NOW})[0] == 200, path


def test_a_customer_cannot_name_another_account(shared_world):
    status, answer = shared_world["server"].call("GET", "/v1/templates", shared_world["tokens"]["b"],
                                                 headers={"X-Assistant-Account": "demo"})
    assert status == 403 and answer["error"].startswith("this token is for account 'globex'")


MANAGER_ONLY = [("POST", "/v1/tickets/{t}/claim", {}),
                ("POST", "/v1/tickets/{t}/reply", {"text": "x"}), ("POST", "/v1/tickets/{t}/resolve", {"note": "x"}),
                ("GET", "/v1/gaps", None)]
# the roles table: carrier decisions and any account by name are an admin's
ADMIN_ONLY = [("GET", "/v1/admin/accounts", None), ("GET", "/v1/admin/accounts/demo", None),
              ("POST", "/v1/admin/templates/DIGITAL_SMS_0001/reviews", {"carrier": "china_mobile", "approve": True}),
              ("POST", "/v1/admin/accounts", {"name": "x1", "industry": "e-commerce"}),
              ("PATCH", "/v1/admin/accounts/demo", {"industry": "retail"}),
              ("POST", "/v1/admin/accounts/demo/topup", {"digital": 5}),
              ("POST", "/v1/admin/tokens", {"account": "demo"}), ("GET", "/v1/admin/tokens", None),
              ("POST", "/v1/admin/tokens/revoke", {"token": "1"})]


def test_roles_without_the_right_are_forbidden(shared_world):
    server, tokens, t = shared_world["server"], shared_world["tokens"], shared_world["ticket"]
    role = {"a": "customer", "agent": "agent", "manager": "manager"}
    for who, endpoints in (("a", MANAGER_ONLY + ADMIN_ONLY), ("agent", MANAGER_ONLY + ADMIN_ONLY), ("manager", ADMIN_ONLY)):
        for method, path, body in endpoints:
            status, answer = server.call(method, path.format(t=t), tokens[who], body)
            assert status == 403, (who, method, path, answer)
            assert answer["error"].startswith(f"the {role[who]} role may not run"), answer


def test_the_ticket_list_of_a_customer_or_an_agent_is_their_accounts_only(shared_world):
    server, tokens, now = shared_world["server"], shared_world["tokens"], {"X-Assistant-Now": NOW}
    status, mine = server.call("GET", "/v1/tickets", tokens["a"], headers=now)
    assert status == 200 and [t["id"] for t in mine] == [shared_world["ticket"]]
    status, theirs = server.call("GET", "/v1/tickets", tokens["b"], headers=now)
    assert status == 200 and theirs == []
    status, agents = server.call("GET", "/v1/tickets", tokens["agent"], headers={**now, "X-Assistant-Account": "globex"})
    assert status == 200 and agents == []


def test_no_token_or_a_revoked_one_is_unauthenticated_everywhere(shared_world):
    server, tokens = shared_world["server"], shared_world["tokens"]
    paths = _objects(shared_world) + MANAGER_ONLY + ADMIN_ONLY + [("POST", "/v1/ask", {"question": "hi"})]
    for token in (None, tokens["revoked"], "dm_not-a-token"):
        for method, path, body in paths:
            status, answer = server.call(method, path.format(t=shared_world["ticket"]), token, body)
            assert status == 401, (token, method, path, answer)
            assert answer["error"].startswith("no valid token;") and answer["hint"]


def test_a_manager_works_any_account_and_acts_under_the_tokens_name(world):
    server, tokens, t = world["server"], world["tokens"], world["ticket"]
    status, queue = server.call("GET", "/v1/tickets", tokens["manager"])
    assert status == 200 and [q["id"] for q in queue] == [t]
    status, answer = server.call("POST", f"/v1/tickets/{t}/claim", tokens["manager"], {"by": "someone-else"})
    assert status == 403 and "this token is lin's" in answer["error"]
    status, ticket = server.call("POST", f"/v1/tickets/{t}/claim", tokens["manager"], {})
    assert status == 200 and ticket["owner"] == "lin"


def test_claim_and_reopen_take_no_body_at_all_as_the_tokens_own_person(world):
    server, tokens, t = world["server"], world["tokens"], world["ticket"]
    status, ticket = server.call("POST", f"/v1/tickets/{t}/claim", tokens["manager"])     # no body, no content type
    assert status == 200 and ticket["owner"] == "lin", ticket
    assert server.call("POST", f"/v1/tickets/{t}/resolve", tokens["manager"], {"note": "done"})[0] == 200
    status, ticket = server.call("POST", f"/v1/tickets/{t}/reopen", tokens["manager"])
    assert status == 200 and ticket["status"] != "resolved", ticket
    status, answer = server.call("POST", f"/v1/tickets/{t}/claim", tokens["manager"], data=b"not json",
                                 content_type="application/json")
    assert status == 422, answer                                        # a body that is there must still be JSON


def test_ask_returns_exactly_the_ask_json_object(shared_world, run):
    server = shared_world["server"]
    status, answer = server.call("POST", "/v1/ask", shared_world["tokens"]["a"],
                                 {"question": "how long does signature review take"})
    local = run("ask", "--json", "how long does signature review take")
    import json

    assert status == 200 and answer == json.loads(local.out)


def test_ask_and_conversations_take_the_language_as_a_field(world):
    server, token = world["server"], world["tokens"]["a"]
    status, answer = server.call("POST", "/v1/ask", token, {"question": "签名审核要多久"})
    assert status == 200 and answer["lang"] == "zh" and "7–10 个工作日" in answer["answer"]
    status, answer = server.call("POST", "/v1/ask", token, {"question": "签名审核要多久", "lang": "en"})
    assert answer["lang"] == "en" and "7–10 business days" in answer["answer"]
    assert server.call("POST", "/v1/ask", token, {"question": "x", "lang": "fr"})[0] == 422
    conv = server.call("POST", "/v1/conversations", token, headers={"X-Assistant-Now": NOW})[1]["id"]
    view = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "今天天气怎么样"},
                       headers={"X-Assistant-Now": NOW})[1]
    assert view["lines"][0]["text"].startswith("抱歉")
    view = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "今天天气怎么样", "lang": "en"},
                       headers={"X-Assistant-Now": NOW})[1]
    assert view["lines"][0]["text"].startswith("Sorry")


def test_ask_about_a_code_in_chinese_gives_its_fix_in_chinese(shared_world):
    server, token = shared_world["server"], shared_world["tokens"]["a"]
    status, answer = server.call("POST", "/v1/ask", token, {"question": "isv.AMOUNT_NOT_ENOUGH 是什么意思", "text": True})
    assert status == 200 and answer["result"]["fix_zh"] == "为账户充值。短信套餐不能用于数字短信。"
    assert "为账户充值。" in answer["text"] and "Top up" not in answer["text"]
    status, answer = server.call("POST", "/v1/ask", token, {"question": "what does isv.AMOUNT_NOT_ENOUGH mean", "text": True})
    assert status == 200 and "Fix: Top up the account." in answer["text"]


def test_ask_refuses_a_chinese_line_it_cannot_read_in_the_replys_language(shared_world):
    server, token = shared_world["server"], shared_world["tokens"]["a"]
    status, answer = server.call("POST", "/v1/ask", token, {"question": "怎么发送" * 350, "text": True})
    assert status == 200 and answer["lang"] == "zh", answer
    assert answer["error"] == "问题太长（1400 个字符）；请在 1000 个字符以内提问", answer
    assert answer["text"] == "抱歉，无法读取这行输入：问题太长（1400 个字符）；请在 1000 个字符以内提问。"
    status, answer = server.call("POST", "/v1/ask", token, {"question": "send it now. " * 100 + "ok"})
    assert answer["error"] == "question too long (1302 characters); ask in at most 1000", answer   # English stays


def test_ask_what_to_do_about_a_codes_chinese_meaning_answers_with_the_code(shared_world):
    server, token = shared_world["server"], shared_world["tokens"]["a"]
    status, answer = server.call("POST", "/v1/ask", token, {"question": "余额不足怎么办", "text": True})
    assert status == 200 and (answer["action"], answer["args"]) == ("error.lookup", {"code": "isv.AMOUNT_NOT_ENOUGH"})
    assert "余额不足：账户余额（含套餐剩余量）不够本次发送。" in answer["text"] and "为账户充值。" in answer["text"]


def test_errors_are_the_cli_line_with_its_hint(shared_world):
    status, answer = shared_world["server"].call("GET", "/v1/templates?code=DIGITAL_SMS_0099", shared_world["tokens"]["a"])
    assert status == 404
    assert answer["error"] == "no template DIGITAL_SMS_0099 in account 'demo'; this account has: DIGITAL_SMS_0001"
    assert answer["hint"] == "this account has: DIGITAL_SMS_0001"
    status, answer = shared_world["server"].call("POST", "/v1/signatures", shared_world["tokens"]["a"],
                                                 {"name": "A", "source": "app"})
    assert status == 400 and answer["error"].count("\n") == 0


def test_a_signature_source_is_taken_in_any_spelling_the_command_line_takes(shared_world):
    server, token = shared_world["server"], shared_world["tokens"]["a"]
    for source in ("APP", "应用", "Trademark", "商标"):   # read, then the name "A" is refused: nothing is made
        status, answer = server.call("POST", "/v1/signatures", token, {"name": "A", "source": source})
        assert (status, answer["error_code"]) == (400, "isv.SIGN_NAME_ILLEGAL"), answer
    status, answer = server.call("POST", "/v1/signatures", token, {"name": "AcmePay", "source": "nope"})
    assert status == 400 and "unknown source 'nope'; use one of: enterprise" in answer["error"]


def test_the_services_hints_name_its_routes_and_the_command_lines_keep_its_commands(shared_world):
    server, tokens = shared_world["server"], shared_world["tokens"]
    answers = [server.call("GET", "/v1/sends/zzz", tokens["a"])[1]["error"],
               server.call("POST", "/v1/tickets/999/answer", tokens["a"], {"text": "hi"})[1]["error"],
               server.call("GET", "/v1/templates", tokens["agent"], headers={"X-Assistant-Account": "nosuch"})[1]["error"]]
    assert answers[0].endswith("see GET /v1/sends") and answers[1].endswith("see GET /v1/tickets")
    assert "create it with POST /v1/admin/accounts (an administrator's)" in answers[2]
    assert not any("`assistant" in answer for answer in answers)
    cli = server.call("GET", "/v1/sends/zzz", tokens["a"], headers={"User-Agent": "assistant-cli"})[1]["error"]
    assert cli.endswith("see `assistant send list`")


def test_every_error_body_splits_its_hint_outside_parentheses():
    from assistant.server.app import error_body

    full = "cannot write the database: the disk is full (free some space; nothing was changed)"
    assert error_body(full) == {"error": full, "hint": "free some space; nothing was changed"}
    assert error_body("no such endpoint; see /openapi.json")["hint"] == "see /openapi.json"
    assert error_body("say who you are")["hint"] is None


def test_tokens_created_through_the_service_by_an_admin_work_and_are_shown_once(shared_world):
    server, admin = shared_world["server"], shared_world["tokens"]["admin"]
    status, made = server.call("POST", "/v1/admin/tokens", admin, {"account": "globex"})
    assert status == 200 and made["token"].startswith("dm_")
    assert server.call("GET", "/v1/whoami", made["token"])[1] == {"role": "customer", "account": "globex", "user": None}
    listed = server.call("GET", "/v1/admin/tokens", admin)[1]
    assert made["token"] not in str(listed) and any(t["id"] == made["id"] for t in listed)
    assert server.call("POST", "/v1/admin/tokens/revoke", admin, {"token": made["token"]})[0] == 200
    assert server.call("GET", "/v1/whoami", made["token"])[0] == 401


def test_a_simulated_clock_is_refused_unless_the_service_allows_it(serve):
    server = serve()
    token = server.token("--account", "demo")
    status, answer = server.call("GET", "/v1/templates", token, headers={"X-Assistant-Now": "2026-03-20"})
    assert status == 403 and "--allow-simulated-clock" in answer["error"]
    assert server.call("GET", "/v1/templates", token)[0] == 200


def test_bodies_over_the_limit_are_refused(shared_world):
    server, token = shared_world["server"], shared_world["tokens"]["a"]
    # The service answers 413 as soon as the headers announce too much, without reading the body:
    # a raw request that announces 2 MB and sends none still gets its answer.
    import json
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(f"POST /v1/ask HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n".encode())
        reply = b""
        while b"}" not in reply:
            reply += raw.recv(4096)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and "larger than 1024 KB" in json.loads(body)["error"]
    # below the body limit, a long line is the core's to refuse, in the words `ask` uses
    status, answer = server.call("POST", "/v1/ask", token, {"question": "x" * 5000})
    assert status == 200 and answer["error"] == "question too long (5000 characters); ask in at most 1000"


def test_ticket_texts_have_the_cores_limit_and_its_refusal(world):
    server, tokens, t = world["server"], world["tokens"], world["ticket"]
    now = {"X-Assistant-Now": NOW}
    status, made = server.call("POST", "/v1/tickets", tokens["agent"], {"reason": "r" * 3000},
                               headers={**now, "X-Assistant-Account": "globex"})   # (demo's goes on its open ticket)
    assert status == 200 and made["detail"] == "r" * 3000       # the CLI takes up to 4,000 characters
    status, answer = server.call("POST", "/v1/tickets", tokens["agent"], {"reason": "r" * 4001},
                                 headers={**now, "X-Assistant-Account": "demo"})
    assert status == 400 and answer["error"] == ("the reason has 4,001 characters, over the limit of 4,000; "
                                                 "shorten it (put long logs in a file and say where it is)")
    for path, body, who in ((f"/v1/tickets/{t}/reply", {"text": "x" * 4001}, "manager"),
                            (f"/v1/tickets/{t}/answer", {"text": "x" * 4001}, "a"),
                            (f"/v1/tickets/{t}/resolve", {"note": "x" * 4001}, "manager")):
        status, answer = server.call("POST", path, tokens[who], body, headers=now)
        assert status == 400 and "4,001 characters, over the limit of 4,000" in answer["error"], (path, answer)
        status, answer = server.call("POST", path, tokens[who], {k: "x" * 4000 for k in body}, headers=now)
        assert status == 200, (path, answer)


def test_asks_and_new_tickets_are_rate_limited_per_token(serve):
    server = serve(env={"ASSISTANT_SERVE_ASKS_PER_MINUTE": "3", "ASSISTANT_SERVE_TICKETS_PER_MINUTE": "1"})
    token, other = server.token("--account", "demo"), server.token("--account", "demo")
    statuses = [server.call("POST", "/v1/ask", token, {"question": "what is td"})[0] for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    import urllib.error
    import urllib.request

    refused = urllib.request.Request(server.url + "/v1/ask", data=b'{"question": "what is td"}', method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(refused, timeout=30)
    wait = answer.value.headers["Retry-After"]
    assert answer.value.code == 429 and wait.isdigit() and 1 <= int(wait) <= 20
    assert f"wait {wait} s" in answer.value.read().decode()
    assert server.call("POST", "/v1/ask", other, {"question": "what is td"})[0] == 200  # per token
    assert [server.call("POST", "/v1/tickets", token, {"reason": "x"})[0] for _ in range(2)] == [200, 429]
    # a question asking for a person opens a ticket too, and counts against the same limit
    status, answer = server.call("POST", "/v1/ask", other, {"question": "I want to talk to a person"})
    # the account's open request for a person is reused (not a second ticket), and still counted
    assert status == 200 and answer["result"]["ticket"] == 1 and answer["result"]["reused"] is True
    status, answer = server.call("POST", "/v1/ask", other, {"question": "I want to talk to a person"})
    assert status == 200 and answer["error"].startswith("too many additions to open ticket #1 from this token; wait")


def test_the_limit_on_requests_for_a_person_names_an_addition_to_the_open_ticket_as_one(serve):
    """12 `POST /v1/tickets` of a customer with a ticket open: each goes on that ticket, and the 429
    says that (they were said to be too many *new* tickets); a new ticket is still said as one."""
    server = serve(env={"ASSISTANT_SERVE_TICKETS_PER_MINUTE": "3"})
    customer, manager = server.token("--account", "demo"), server.token("--user", "lin", "--grant", "manager")
    answers = [server.call("POST", "/v1/tickets", customer, {"reason": f"please call me {n}"}) for n in range(4)]
    assert [status for status, _ in answers] == [200, 200, 200, 429]
    assert [a["reused"] for _, a in answers[:3]] == [False, True, True]
    assert answers[3][1]["error"].startswith("too many additions to open ticket #1 from this token; wait"), answers[3]
    assert server.call("POST", "/v1/tickets/1/resolve", manager, {"note": "Called.", "by": "lin"})[0] == 200
    status, answer = server.call("POST", "/v1/tickets", customer, {"reason": "call me again"})
    assert status == 429 and answer["error"].startswith("too many new tickets from this token; wait"), answer


def test_a_conversation_holds_its_state_between_requests_and_stays_in_the_tokens_account(shared_world):
    server, token, now = shared_world["server"], shared_world["tokens"]["a"], {"X-Assistant-Now": NOW}
    conv = server.call("POST", "/v1/conversations", token, headers=now)[1]["id"]
    status, view = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "submit a signature"}, headers=now)
    assert status == 200 and view["waiting"]["kind"] == "slot"
    view = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "AcmeTech"}, headers=now)[1]
    assert view["waiting"]["kind"] == "slot" and "AcmeTech" not in view["waiting"]["prompt"]
    status, answer = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "/account globex"}, headers=now)
    assert status == 403 and "/account cannot switch it" in answer["error"]
    view = server.call("POST", f"/v1/conversations/{conv}/cancel", token, headers=now)[1]
    assert view["lines"] == [{"kind": "muted", "text": "Cancelled."}] and view["waiting"] is None


def test_a_conversation_that_ended_refuses_more_lines_with_409(shared_world):
    server, token, now = shared_world["server"], shared_world["tokens"]["a"], {"X-Assistant-Now": NOW}
    conv = server.call("POST", "/v1/conversations", token, headers=now)[1]["id"]
    view = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "exit"}, headers=now)[1]
    assert view["done"] is True and view["lines"][-1]["text"] == "Bye."
    status, answer = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "hello"}, headers=now)
    assert status == 409 and "start a new one with POST /v1/conversations" in answer["error"]


def test_a_body_that_grows_past_the_limit_while_streaming_is_refused(shared_world):
    import http.client
    import json

    server, token = shared_world["server"], shared_world["tokens"]["a"]

    def chunks():  # no Content-Length: the service counts as it reads
        yield b'{"question": "'
        for _ in range(18):
            yield b"x" * 60_000
        yield b'"}'
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", "/v1/ask", body=chunks(), encode_chunked=True,
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"].startswith("the request is larger than")


def test_unknown_endpoints_answer_in_the_same_error_shape(shared_world):
    status, answer = shared_world["server"].call("GET", "/v1/nothing-here", shared_world["tokens"]["a"])
    assert status == 404 and answer == {"error": "no such endpoint; see /openapi.json", "hint": "see /openapi.json"}


def test_a_stalled_client_holds_no_database_lock(world):
    import socket
    import time

    server, token = world["server"], world["tokens"]["a"]
    stalled = []
    for path in ("/v1/tickets", "/v1/signatures"):  # writers, each stopped halfway through its body
        raw = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        raw.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"reason\": \"hal".encode())
        stalled.append(raw)
    try:
        started = time.monotonic()
        status, ticket = server.call("POST", "/v1/tickets", world["tokens"]["b"], {"reason": "meanwhile"})
        assert status == 200 and ticket["account"] == "globex"
        assert time.monotonic() - started < 5  # well under the store's 10 s busy timeout
    finally:
        for raw in stalled:
            raw.close()


def test_a_port_in_use_is_one_clear_line(serve, run, monkeypatch):
    server = serve()
    monkeypatch.delenv("ASSISTANT_NOW")          # (the runner pins one; the service refuses it, below)
    result = run("--db", server.db, "--role", "admin", "serve", "--port", str(server.port))
    assert result.code == 1
    assert result.err == (f"error: cannot listen on 127.0.0.1:{server.port}: Address already in use; "
                               "pick another with --port (or stop what is using it)\n")


@pytest.mark.parametrize("host", ["256.1.1.1", "no-such-host.invalid", "192.0.2.1"])
def test_a_host_that_is_no_address_of_this_machine_is_one_line_naming_host_not_port(run, monkeypatch, tmp_path, host):
    # it said "pick another with --port" of a host no port would fix
    monkeypatch.delenv("ASSISTANT_NOW")
    result = run("--db", str(tmp_path / "a.db"), "--role", "admin", "serve", "--host", host, "--port", "18099")
    assert result.code == 1 and result.err.count("\n") == 1, result.err
    assert result.err.startswith(f"error: cannot listen on {host}:18099: ")
    assert "--port" not in result.err and "give --host an address of this machine" in result.err


@pytest.mark.parametrize("how", ["--now", "ASSISTANT_NOW"])
def test_the_service_refuses_a_pretended_time_in_one_line_however_it_is_given(run, monkeypatch, how):
    monkeypatch.setenv("ASSISTANT_NOW", "2026-03-02T10:00:00")
    result = run("--role", "admin", *(["--now", "2026-03-02"] if how == "--now" else []), "serve", "--port", "1")
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    assert "the service keeps the real time" in result.err and ("--now" if how == "--now" else "ASSISTANT_NOW") in result.err


def test_audit_rows_name_the_token_that_acted_never_its_secret(world):
    server, tokens = world["server"], world["tokens"]
    now = {"X-Assistant-Now": NOW}
    assert server.call("POST", "/v1/tickets", tokens["a"], {"reason": "please call me"}, headers=now)[0] == 200
    assert server.call("POST", f"/v1/conversations/{world['conversation']}/messages", tokens["a"],
                       {"text": "/answer 1 still waiting"}, headers=now)[0] == 200
    assert server.call("POST", "/v1/tickets/1/claim", tokens["manager"], {}, headers=now)[0] == 200
    import json

    listed = {t["prefix"]: t["id"] for t in json.loads(cli(server.db, "--role", "admin", "--json", "admin", "token", "list"))}
    customer = f"customer:token#{listed[tokens['a'][:10]]}"
    from assistant.storage import open_store

    store = open_store(server.db)
    rows = store.rows("SELECT actor, action FROM audit WHERE action IN ('handoff.create', 'handoff.answer', 'handoff.claim') "
                      "ORDER BY id")
    events = store.rows("SELECT actor, event FROM ticket_events WHERE ticket = 1 ORDER BY id")
    store.close()
    # the CLI's own rows (embedded mode) keep its actor; each service call names its token
    assert rows == [{"actor": "customer", "action": "handoff.create"}, {"actor": customer, "action": "handoff.create"},
                    {"actor": customer, "action": "handoff.answer"}, {"actor": "manager:lin", "action": "handoff.claim"}]
    assert [e["actor"] for e in events] == ["customer", customer, customer, "manager:lin"]   # asked again, answered
    assert not any(secret[3:] in row["actor"] for secret in tokens.values() for row in rows + events)


# --- files reach a conversation only as uploads ----------------------------------------------

def _say(server, conv: str, token: str, text: str) -> dict:
    status, view = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": text},
                               headers={"X-Assistant-Now": NOW})
    assert status == 200, view
    return view


def _raw_say(server, conv: str, token: str, text: str) -> bytes:
    """The reply's bytes exactly as the service sent them."""
    import json
    import urllib.request

    request = urllib.request.Request(f"{server.url}/v1/conversations/{conv}/messages", method="POST",
                                     data=json.dumps({"text": text}).encode(),
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                              "X-Assistant-Now": NOW})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def _upload(server, conv: str, token: str, files: list[tuple[str, bytes]], field: str = "file") -> tuple[int, dict]:
    from assistant.client import _multipart

    data, content_type = _multipart([], [(field, name, body) for name, body in files])
    return server.call("POST", f"/v1/conversations/{conv}/files", token, data=data, content_type=content_type,
                       headers={"X-Assistant-Now": NOW})


def _announced(server, path: str, token: str, size: int) -> tuple[int, str]:
    """The status and error of a multipart request that announces SIZE bytes and sends none of them."""
    import json
    import socket

    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {size}\r\n\r\n".encode())
        reply = b""
        while b"}" not in reply:
            reply += raw.recv(4096)
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)["error"]


def _at_file_prompt(server, token: str, industry: str = "e-commerce") -> tuple[str, dict]:
    """A new conversation of TOKEN's, creating a template, at its media prompt."""
    conv = server.call("POST", "/v1/conversations", token, headers={"X-Assistant-Now": NOW})[1]["id"]
    for text in ("create a template", "Spring", "AcmeShop", industry):
        _say(server, conv, token, text)
    return conv, _say(server, conv, token, "Hi there")


def _templates(db: str) -> list[dict]:
    from assistant.storage import open_store

    store = open_store(db)
    try:
        return store.rows("SELECT code, frames, letter FROM templates ORDER BY code")
    finally:
        store.close()


def test_a_service_conversation_asks_for_the_file_itself(world):
    server, token = world["server"], world["tokens"]["a"]
    conv, view = _at_file_prompt(server, token)
    assert view["waiting"] == {
        "prompt": "Media file (image or video)", "choices": [], "kind": "file", "slot": "media",
        "accept": [".png", ".jpg", ".jpeg", ".gif", ".mp4", ".mp3"], "multiple": True, "required": True,
        "max_bytes": 2 * 1900 * 1024 + 64 * 1024, "upload": f"/v1/conversations/{conv}/files"}
    # the other prompts keep their shape, now naming their slot
    first = server.call("POST", "/v1/conversations", token, headers={"X-Assistant-Now": NOW})[1]["id"]
    assert _say(server, first, token, "create a template")["waiting"] == {
        "prompt": "Template name (at most 20 characters)", "choices": [], "kind": "slot", "slot": "name"}


def test_a_path_typed_at_a_file_prompt_is_never_opened_whatever_it_names(world, media, tmp_path):
    import json
    import os

    from conftest import png_bytes

    server, token = world["server"], world["tokens"]["a"]
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)   # opened, even to look, it would answer differently (a FIFO is refused by the reader)
    conv, _ = _at_file_prompt(server, token)
    typed = ["/etc/passwd", "/no/such/dir/banner.png", media["image"], str(fifo), str(tmp_path), "banner.png",
             f"{media['image']} {media['letter']}", "../../../etc/shadow", "banner_final", "./banner",
             "/home/me/pics/banner"]
    replies = [_raw_say(server, conv, token, text) for text in typed]
    assert len(set(replies)) == 1, [r.decode() for r in replies]
    reply = json.loads(replies[0])
    assert reply["lines"] == [{"kind": "warn", "text": "Attach the file: this conversation runs on the service, so "
                                                       "send the file itself (the REPL uploads it for you). Try again, "
                                                       "or say 'cancel' to drop the request."}]
    assert reply["waiting"]["kind"] == "file" and reply["waiting"]["slot"] == "media"
    # and a real image of the server's typed as text never becomes the template's media: the upload does
    status, view = _upload(server, conv, token, [("mine.png", png_bytes(32, 48))])
    assert status == 200 and view["waiting"]["kind"] == "confirm", view
    assert "Created DIGITAL_SMS_0002." in [line["text"] for line in _say(server, conv, token, "yes")["lines"]]
    made = _templates(server.db)[-1]
    assert made["code"] == "DIGITAL_SMS_0002"
    assert json.loads(made["frames"]) == [{"file": "mine.png", "format": "png", "size": len(png_bytes(32, 48))}]


def test_a_chinese_conversations_own_refusals_and_409s_are_said_in_chinese(world):
    from conftest import png_bytes

    server, token = world["server"], world["tokens"]["a"]
    conv = server.call("POST", "/v1/conversations", token, headers={"X-Assistant-Now": NOW})[1]["id"]
    for text in ("我要建一个模板", "夏季", "AcmeShop", "电商"):
        _say(server, conv, token, text)
    assert _say(server, conv, token, "您好${name}，夏季促销")["waiting"]["kind"] == "file"
    said = [line["text"] for line in _say(server, conv, token, "/etc/passwd")["lines"]]
    assert said == ["请附上文件本身：这段对话在服务上进行，所以要发送文件，而不是路径（REPL 会替您上传）。"
                    "请重试，或输入“取消”放弃此请求。"]
    assert [line["text"] for line in _say(server, conv, token, "/nosuch")["lines"]][0] == (
        "没有 /nosuch 这个命令；/help 可列出全部命令")
    assert _upload(server, conv, token, [("a.png", png_bytes())])[0] == 200
    status, answer = _upload(server, conv, token, [("a.png", png_bytes())])
    assert status == 409 and answer["error"].startswith("这段对话现在不等文件（它在等："), answer
    assert answer["hint"] == '请只在 waiting.kind 为 "file" 时发送文件', answer
    status, answer = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "/account globex"},
                                 headers={"X-Assistant-Now": NOW})
    assert (status, answer["error"]) == (403, "这个令牌只能用于账号“demo”；/account 不能切换它"), answer
    _say(server, conv, token, "/quit")
    status, answer = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "你好"},
                                 headers={"X-Assistant-Now": NOW})
    assert status == 409, answer
    assert answer == {"error": "这段对话已经结束（/quit）；请用 POST /v1/conversations 开始新的对话",
                      "hint": "请用 POST /v1/conversations 开始新的对话"}


def test_four_simultaneous_yeses_to_one_go_ahead_send_once_and_the_others_are_told_it_moved_on(world):
    import threading

    server, token = world["server"], world["tokens"]["a"]
    conv = server.call("POST", "/v1/conversations", token, headers={"X-Assistant-Now": NOW})[1]["id"]
    view = _say(server, conv, token, "/send DIGITAL_SMS_0001 13800138001 name=Ann")
    assert view["waiting"]["kind"] == "confirm", view
    barrier, answers = threading.Barrier(4), []

    def yes() -> None:
        barrier.wait()
        answers.append(server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "yes"},
                                   headers={"X-Assistant-Now": NOW}))
    threads = [threading.Thread(target=yes) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = [view for status, view in answers if status == 200]
    assert len(took) == 1 and any(": 1 sent, 0 failed" in line["text"] for line in took[0]["lines"]), answers
    assert sorted(status for status, _ in answers) == [200, 409, 409, 409], answers
    assert all("moved on in another window" in view["error"] for status, view in answers if status == 409), answers
    status, sends = server.call("GET", "/v1/sends?phone=13800138001", token, headers={"X-Assistant-Now": NOW})
    assert status == 200 and len(sends) == 1, sends


def test_the_file_endpoint_refuses_what_is_not_wanted_or_cannot_be_used_in_json(world):
    from conftest import MP4_BYTES, png_bytes

    server, token = world["server"], world["tokens"]["a"]
    idle = server.call("POST", "/v1/conversations", token, headers={"X-Assistant-Now": NOW})[1]["id"]
    status, answer = _upload(server, idle, token, [("a.png", png_bytes())])
    assert status == 409 and answer["error"] == ('this conversation is not waiting for a file (nothing is being filled '
                                                 'in); send a file only while its waiting.kind is "file"'), answer
    conv, _ = _at_file_prompt(server, token, industry="live streaming")
    refused = [([("notes.png", b"just text")], 415, "notes.png is not a PNG, JPG, GIF"),
               ([("big.png", png_bytes() + b"\0" * 2_000_000)], 413, "the files come to 1,953 KB, and a template's "
                                                                     "frames stay under 1,900 KB in all")]
    for files, code, error in refused:
        status, answer = _upload(server, conv, token, files)
        assert status == code and answer["error"].startswith(error), answer
    assert _announced(server, f"/v1/conversations/{conv}/files", token, 4_500_000) == (
        413, "the request is larger than 3864 KB; send less at once")
    assert "error_code" not in _upload(server, conv, token, [("notes.png", b"x")])[1]   # the documentation names none
    status, answer = _upload(server, conv, token, [("a.png", png_bytes())], field="media")
    assert status == 422 and answer["error"].startswith("unknown form field 'media'; this request takes file"), answer
    assert _upload(server, conv, world["tokens"]["b"], [("a.png", png_bytes())])[0] == 404  # another account's
    assert _upload(server, "nope", token, [("a.png", png_bytes())])[0] == 404
    status, view = _upload(server, conv, token, [("clip.mp4", MP4_BYTES), ("a.png", png_bytes())])
    assert status == 200 and view["waiting"]["slot"] == "letter" and view["waiting"]["multiple"] is False
    for files, code, error in [([("a.png", png_bytes(800, 800))] * 2, 400, "a commitment letter is one image"),
                               ([("tiny.png", png_bytes(120, 90))], 400, "the commitment letter is 120x90 pixels"),
                               ([("clip.mp4", MP4_BYTES)], 415, "the commitment letter clip.mp4 is not an image")]:
        status, answer = _upload(server, conv, token, files)
        assert status == code and answer["error"].startswith(error), answer
    status, view = _upload(server, conv, token, [("letter.png", png_bytes(800, 1000))])
    assert status == 200 and view["waiting"]["kind"] == "confirm"
    assert "Created DIGITAL_SMS_0002." in [line["text"] for line in _say(server, conv, token, "yes")["lines"]]
    import json

    made = _templates(server.db)[-1]
    assert [f["file"] for f in json.loads(made["frames"])] == ["clip.mp4", "a.png"]
    assert json.loads(made["letter"]) == {"file": "letter.png", "width": 800, "height": 1000}
def test_new_conversations_are_rate_limited_per_token_and_idle_ones_expire(serve, kb):
    server = serve("--allow-simulated-clock")
    token, other = server.token("--account", "demo"), server.token("--account", "demo")
    limit = kb.rules.conversations["per_token_per_minute"]
    now = {"X-Assistant-Now": NOW}
    started = [server.call("POST", "/v1/conversations", token, headers=now) for _ in range(limit + 1)]
    assert [s for s, _ in started[:limit]] == [200] * limit
    status, answer = started[-1]
    assert status == 429 and answer["error"].startswith("too many new conversations from this token; wait")
    assert server.call("POST", "/v1/conversations", other, headers=now)[0] == 200     # per token
    conv = started[0][1]["id"]
    assert server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "hi"}, headers=now)[0] == 200
    minutes = kb.rules.conversations["idle_expiry_minutes"]
    import datetime as dt

    later = (dt.datetime.fromisoformat(NOW) + dt.timedelta(minutes=minutes + 1)).isoformat()
    status, answer = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": "hi"},
                                 headers={"X-Assistant-Now": later})
    assert status == 404 and answer["error"].startswith(f"no conversation {conv}")
    # starting one at that time deletes the token's idle ones
    assert server.call("POST", "/v1/conversations", other, headers={"X-Assistant-Now": later})[0] == 200
    from assistant.storage import open_store

    store = open_store(server.db)
    try:  # other's first one went; token's stay (unanswerable) until token starts one again
        assert store.row("SELECT COUNT(*) AS n FROM conversations")["n"] == limit + 1
    finally:
        store.close()


def test_a_phrasing_taught_with_the_cli_on_the_services_database_is_used_without_a_restart(serve):
    import time

    server = serve()
    customer = server.token("--account", "demo")
    question = "zorbly quux widget"  # words the knowledge base has never seen
    status, before = server.call("POST", "/v1/ask", customer, {"question": question})
    assert status == 200 and before["type"] == "fallback"
    cli(server.db, "--role", "manager", "kb", "learn", question, "--entry", "opt-out")  # another process, same database
    deadline = time.monotonic() + 30  # the service looks at most once a second; a shared machine may be slow
    while True:
        status, after = server.call("POST", "/v1/ask", customer, {"question": question})
        if after.get("type") == "answer" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200 and (after["type"], after["entry"]) == ("answer", "opt-out")


def test_the_service_looks_for_new_phrasings_at_most_once_a_second_and_off_the_event_loop(db_target, kb):
    import asyncio

    from assistant import overlay
    from assistant.server.deps import Service
    from assistant.server.settings import Settings
    from assistant.storage import open_store

    now = [100.0]
    svc = Service(Settings(db=db_target), monotonic=lambda: now[0])
    try:
        first = svc.router  # the first request looks, and finds nothing new
        teacher = open_store(db_target)
        try:
            overlay.learn(teacher, kb, "zorbly quux widget", "opt-out", "2026-03-02 10:00:00", "lin")
        finally:
            teacher.close()
        now[0] += 0.5
        assert svc.router is first  # within the second: not looked up
        now[0] += 0.6

        async def on_the_loop():
            return svc.router
        assert asyncio.run(on_the_loop()) is first  # never queried on the event loop
        fresh = svc.router
        assert fresh is not first and fresh.route("zorbly quux widget").entry == "opt-out"
        now[0] += 5
        assert svc.router is fresh  # looked again: nothing changed, nothing rebuilt
    finally:
        svc.store().close()


def test_the_services_gap_log_keeps_the_rows_its_knowledge_base_says(db_target, tmp_path):
    """`thresholds.gap_log_rows` bounds the service's log as it bounds the CLI's (it kept 100,000)."""
    import shutil

    from assistant import knowledge
    from assistant.router import Reply
    from assistant.server.deps import Service
    from assistant.server.settings import Settings

    kb_dir = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), kb_dir)
    matcher = kb_dir / "matcher.yaml"
    matcher.write_text(matcher.read_text(encoding="utf-8").replace("gap_log_rows: 100000", "gap_log_rows: 100"),
                       encoding="utf-8")
    svc = Service(Settings(db=db_target, kb=str(kb_dir)))
    try:
        assert svc.kb.thresholds.gap_log_rows == 100
        for n in range(105):
            svc.gaps.record("demo", "2026-03-02 10:00:00", Reply(f"unanswered question {n}", "fallback", 0.1), 0.6)
        rows = svc.store().rows("SELECT question FROM gaps ORDER BY id")
        assert [r["question"] for r in rows] == [f"unanswered question {n}" for n in range(5, 105)]
    finally:
        svc.store().close()


@pytest.mark.parametrize("fields,status,fix", [
    ([], 400, "give one or more `phone` fields, or a `file` of recipients"),
    ([("phone", b"13900139000"), ("phone", b"18612345678")], 422,
     "give a `param` field NAME=VALUE for each of the template's variables"),
    ([("file", b"phone,city\n13900139000,Beijing\n")], 400,
     "name a column 'name' in the file, or give a `param` field name=VALUE"),
])
def test_a_refused_send_names_the_services_fields_never_the_command_lines_flags(shared_world, fields, status, fix):
    from test_server_strict import multipart

    server, token = shared_world["server"], shared_world["tokens"]["a"]
    parts = [(n, v) for n, v in fields if n != "file"]
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), *parts])
    for name, data in ((n, v) for n, v in fields if n == "file"):   # a recipients file, as a client uploads it
        boundary = kind.split("=")[1]
        body = body[:-len(f"--{boundary}--\r\n")] + (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="r.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    code, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind, headers={"X-Assistant-Now": NOW})
    assert code == status and answer["error"].endswith("; " + fix) and answer["hint"] == fix, answer
    assert "--param" not in answer["error"] and "--file" not in answer["error"], answer


def test_the_command_line_still_names_its_own_flags_for_the_same_refusals(shared_world, tmp_path):
    import io

    from assistant.cli import main

    err = io.StringIO()
    assert main(["--db", shared_world["server"].db, "send", "DIGITAL_SMS_0001"], stdout=io.StringIO(), stderr=err) != 0
    assert "give mobile numbers or --file FILE" in err.getvalue()
    recipients = tmp_path / "r.csv"
    recipients.write_text("phone,city\n13900139000,Beijing\n")
    err = io.StringIO()
    assert main(["--db", shared_world["server"].db, "send", "DIGITAL_SMS_0001", "--file", str(recipients)],
                stdout=io.StringIO(), stderr=err) != 0
    assert "name a column 'name' or pass --param name=VALUE" in err.getvalue()


def test_the_sends_of_a_day_said_in_words_are_counted_from_the_services_clock(shared_world):
    from urllib.parse import quote

    server, token, request = shared_world["server"], shared_world["tokens"]["a"], shared_world["request"]
    tuesday = {"X-Assistant-Now": "2026-03-24T10:00"}                       # the send was on Friday the 20th

    def listed(day: str) -> tuple[int, object]:
        return server.call("GET", f"/v1/sends?day={quote(day)}", token, headers=tuesday)[:2]

    for day in ("last friday", "4 days ago", "上周五", "四天前", "friday"):
        status, answer = listed(day)
        assert status == 200 and [s["request_id"] for s in answer] == [request], (day, answer)
    assert listed("last monday") == (200, []) and listed("本周一") == (200, [])
    status, answer = listed("next monday")
    assert status == 400 and answer["error"].startswith("'next monday' is not a day; write it as 2026-03-02"), answer


def test_the_sends_to_a_number_give_its_own_result_and_a_number_no_send_reaches_is_a_422(shared_world):
    from urllib.parse import quote

    server, tokens, request = shared_world["server"], shared_world["tokens"], shared_world["request"]
    friday = {"X-Assistant-Now": NOW}

    def listed(query: str, token: str = tokens["a"]) -> tuple[int, object]:
        return server.call("GET", f"/v1/sends?{query}", token, headers=friday)[:2]

    status, answer = listed(f"phone={quote('+86 138-0013-8000')}")
    assert status == 200 and [s["request_id"] for s in answer] == [request], answer
    assert answer[0]["recipient"] == {"phone": "13800138000", "status": "sent", "carrier": "china_mobile",
                                      "error_code": None, "detail": None}
    assert set(answer[0]) == set(listed("")[1][0]) | {"recipient"}       # the list's own keys, and the number's result
    assert listed("phone=13800138000&day=today&template=DIGITAL_SMS_0001")[1][0]["request_id"] == request
    assert listed("phone=13800138000&day=yesterday") == (200, [])
    assert listed("phone=13598765432") == (200, [])
    assert listed("phone=13800138000", tokens["b"]) == (200, [])        # another account's send is not globex's
    status, answer = listed(f"phone={quote('010-62345678')}")
    assert status == 422 and answer["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL", answer
    assert answer["error"].startswith("isv.MOBILE_NUMBER_ILLEGAL: '010-62345678' is a landline"), answer


def test_a_number_no_send_can_reach_finds_the_sends_that_recorded_it_and_else_is_refused(world):
    from urllib.parse import quote

    server, token = world["server"], world["tokens"]["a"]
    friday = {"X-Assistant-Now": NOW}
    from test_server_strict import multipart

    data, content_type = multipart([("code", b"DIGITAL_SMS_0001"), ("phone", b"13800138002"), ("phone", b"12345"),
                                    ("phone", b"+1 415 555 0100"), ("param", b"name=Tom")])
    status, sent = server.call("POST", "/v1/sends", token, data=data, content_type=content_type, headers=friday)
    assert status == 200 and (sent["sent"], sent["failed"]) == (1, 2), sent
    for written in ("12345", "+1 415 555 0100", "+1-415-555-0100"):
        status, found = server.call("GET", f"/v1/sends?phone={quote(written)}", token, headers=friday)
        assert status == 200 and [s["request_id"] for s in found] == [sent["request_id"]], (written, found)
        assert found[0]["recipient"]["status"] == "failed"
        assert found[0]["recipient"]["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL", found
    for never in ("99999", "abc", "+1 415 555 0199"):
        status, answer = server.call("GET", f"/v1/sends?phone={quote(never)}", token, headers=friday)
        assert status == 422 and answer["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL", (never, answer)


def test_a_chinese_customers_tickets_and_inbox_say_the_summary_in_chinese_and_the_staffs_in_english(world):
    server, tokens = world["server"], world["tokens"]
    status, ticket = server.call("POST", "/v1/tickets", tokens["b"], {"reason": "我的模板一直没通过"},
                                 headers={"X-Assistant-Now": NOW})
    assert status == 200 and ticket["summary"] == "客户要求转人工：我的模板一直没通过", ticket
    assert server.call("GET", f"/v1/tickets/{ticket['id']}", tokens["b"])[1]["summary"] == "客户要求转人工：我的模板一直没通过"
    staff = server.call("GET", f"/v1/tickets/{ticket['id']}", tokens["manager"])[1]
    assert staff["summary"] == "Customer asked for a person: 我的模板一直没通过"
    assert server.call("POST", f"/v1/tickets/{ticket['id']}/resolve", tokens["manager"], {"note": "好了", "by": "lin"})[0] == 200
    status, inbox = server.call("GET", "/v1/inbox", tokens["b"])
    assert status == 200 and [(m["summary"], m["lang"], m["text"]) for m in inbox] == \
        [("客户要求转人工：我的模板一直没通过", "zh", "Resolved: 好了")]     # the text as stored: each shell says it


@pytest.fixture(scope="module")
def sending_world(module_serve, tmp_path_factory):
    """A service whose demo account has an approved DIGITAL_SMS_0001 and its whole package (1,000) left."""
    media = write_media(tmp_path_factory.mktemp("media"))
    server = module_serve("--allow-simulated-clock")
    cli(server.db, "enable")
    cli(server.db, "signature", "submit", "AcmeShop", "--source", "trademark")
    cli(server.db, "template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry", "e-commerce",
        "--text", "Hi ${name}", "--media", media["image"], now="2026-03-17T10:00")
    return server, server.token("--account", "demo")


def _send_form(count: int) -> tuple[bytes, str]:
    from test_server_strict import multipart

    phones = [("phone", str(13800000000 + n).encode()) for n in range(count)]
    return multipart([("code", b"DIGITAL_SMS_0001"), *phones, ("param", b"name=Tom")])


@pytest.mark.parametrize("fields,said", [
    ([("phone", b"13800000001"), ("phone", b""), ("phone", b"  "), ("param", b"name=Tom")],
     "2 `phone` fields are blank (#2, #3 of 3); give a number in each, or leave the field out"),
    ([("phone", b"13800000001"), ("param", b"name=A"), ("param", b"name=B")],
     "param 'name' is given twice ('A', then 'B'); give each variable one `param` field"),
    ([("phone", b"13800000001"), ("param", b"name")], "param 'name' is not NAME=VALUE; write it as name=VALUE"),
])
def test_a_send_refuses_a_value_it_would_drop_saying_which_and_how_to_fix_it(sending_world, fields, said):
    from test_server_strict import multipart

    server, token = sending_world
    data, content_type = multipart([("code", b"DIGITAL_SMS_0001"), *fields])
    status, answer = server.call("POST", "/v1/sends", token, data=data, content_type=content_type,
                                 headers={"X-Assistant-Now": NOW})
    assert (status, answer["error"]) == (400, said), answer
    assert answer["hint"] == said.rsplit("; ", 1)[1]


@pytest.mark.parametrize("count,said", [
    (1001, "isv.MOBILE_COUNT_OVER_LIMIT: 1001 numbers in one request, at most 1000; split them over several "
           "requests, or send them as a `file` of recipients"),   # within the form's room: the send's own check
    (1500, "isv.MOBILE_COUNT_OVER_LIMIT: more than 1000 numbers in one request (the form has more than 1100 "
           "fields), at most 1000; split them over several requests, or send them as a `file` of recipients"),
])
def test_a_send_over_the_documented_1000_numbers_is_refused_with_the_products_line_naming_the_limit(
        sending_world, count, said):
    server, token = sending_world
    before = server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1]
    body, kind = _send_form(count)
    status, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind,
                                 headers={"X-Assistant-Now": NOW})
    assert status == 400 and answer["error_code"] == "isv.MOBILE_COUNT_OVER_LIMIT", answer
    assert answer["error"] == said, answer
    assert server.call("GET", "/v1/sends", token, headers={"X-Assistant-Now": NOW})[1] == before


def test_a_send_of_the_documented_1000_numbers_through_the_service_is_sent(sending_world):
    server, token = sending_world
    body, kind = _send_form(1000)
    status, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind,
                                 headers={"X-Assistant-Now": NOW})
    assert status == 200, answer
    assert (answer["sent"], answer["failed"]) == (1000, 0), {k: answer[k] for k in ("sent", "failed")}


def test_the_services_refusals_name_its_headers_and_fields_never_the_command_lines_flags(shared_world):
    server, tokens = shared_world["server"], shared_world["tokens"]
    status, answer = server.call("GET", "/v1/templates", tokens["b"], headers={"X-Assistant-Account": "demo"})
    assert status == 403 and answer["error"] == "this token is for account 'globex'; drop the X-Assistant-Account header"
    status, answer = server.call("POST", "/v1/admin/accounts/demo/topup", tokens["a"], {"digital": 5})
    assert status == 403 and answer["error"] == ("the customer role may not run 'admin topup'; it is for: admin; "
                                                 "it needs a token of the admin role"), answer
    status, answer = server.call("POST", f"/v1/tickets/{shared_world['ticket']}/claim", tokens["manager"], {"by": "kim"},
                                 headers={"X-Assistant-Now": NOW})
    assert status == 403 and answer["error"] == "this token is lin's; drop the `by` field (or give by=lin)", answer
    assert "--" not in answer["error"]


def test_the_remote_command_line_says_the_same_refusals_with_its_own_flags(shared_world):
    out, err = io.StringIO(), io.StringIO()
    env = {"ASSISTANT_SERVER": shared_world["server"].url, "ASSISTANT_TOKEN": shared_world["tokens"]["manager"]}
    import os
    from unittest import mock

    with mock.patch.dict(os.environ, env):
        code = main(["--now", NOW, "handoff", "claim", str(shared_world["ticket"]), "--by", "kim"], stdout=out, stderr=err)
    assert code == 1 and err.getvalue() == "error: this token is lin's; drop --by (or use --by lin)\n"


def _a_send_being_recorded(db: str) -> str:
    """A send of demo whose writer is still recording it (its lease fresh), as a large send leaves
    it while its chunks are written: its request id."""
    import time

    from assistant.storage import open_store

    store = open_store(db)
    try:
        with store.transaction():
            store.insert("requests", {"request_id": "BIG-SEND-0001", "account": "demo", "template": "DIGITAL_SMS_0001",
                                      "created_at": "2026-03-20 09:59:00", "total": 3000, "sent": 3000, "failed": 0,
                                      "actor": "customer", "state": "recording", "written": 800, "lease": time.time()})
    finally:
        store.close()
    return "BIG-SEND-0001"


def test_a_send_while_another_of_the_account_is_being_recorded_is_a_409_conflict(world):
    from test_server_strict import multipart

    server, token = world["server"], world["tokens"]["a"]
    running = _a_send_being_recorded(server.db)
    body, kind = multipart([("code", b"DIGITAL_SMS_0001"), ("phone", b"13900139000"), ("param", b"name=Li")])
    status, answer = server.call("POST", "/v1/sends", token, data=body, content_type=kind, headers={"X-Assistant-Now": NOW})
    assert status == 409, answer
    assert answer["error"].startswith(f"another send of account 'demo' is still being recorded (request {running}: "
                                      "800 of 3,000 messages)")
    assert answer["hint"] == f"send again when it is done (GET /v1/sends/{running} shows its progress)"
    assert "assistant send show" not in answer["error"]
    err = io.StringIO()                         # the command line: the same refusal, its own words, exit code 1
    assert main(["--db", server.db, "--now", NOW, "send", "DIGITAL_SMS_0001", "13900139000", "--param", "name=Li"],
                stdout=io.StringIO(), stderr=err) == 1
    assert "still being recorded" in err.getvalue() and "(see `assistant send show BIG-SEND`)" in err.getvalue()


@pytest.mark.parametrize("body, said", [
    ({}, "a token is for a customer or for a person; give either `account` (a customer's token) or `user` and `role` "
         "(a person's)"),
    ({"account": "demo", "role": "manager"}, "a customer token has no other role; drop `role`, or give `user` and `role` "
                                             "instead of `account`"),
    ({"user": "kim"}, "a person's token needs a role; give `role`, one of: agent, manager, admin"),
    ({"user": " ", "role": "agent"}, "the user name is empty; give the person's name in `user`"),
])
def test_a_refused_token_names_the_requests_fields(shared_world, body, said):
    status, answer = shared_world["server"].call("POST", "/v1/admin/tokens", shared_world["tokens"]["admin"], body)
    assert status == 400 and answer["error"] == said, answer


def test_a_word_in_a_list_of_numbers_is_named_by_ask_and_by_a_conversation_in_its_language(shared_world):
    server, token, now = shared_world["server"], shared_world["tokens"]["a"], {"X-Assistant-Now": NOW}
    status, answer = server.call("POST", "/v1/ask", token,
                                 {"question": "send DIGITAL_SMS_0001 to 13900139000, abc, 010-62345678, 10086, 13900139000"})
    assert status == 200 and answer["args"]["phones"] == ["13900139000", "abc", "01062345678", "10086"]
    assert [note.split(":")[0] for note in answer["notes"]] == ["abc", "010-62345678", "10086", "13900139000"]
    assert answer["notes"][0].startswith("abc: not a number (no digits;")
    zh = server.call("POST", "/v1/ask", token, {"question": "用 DIGITAL_SMS_0001 发给 13900139000、abc、10086"})[1]
    assert zh["notes"][0].startswith("abc：不是号码（没有数字；")
    conv = server.call("POST", "/v1/conversations", token, headers=now)[1]["id"]
    view = _say(server, conv, token, "用 DIGITAL_SMS_0001 发给 13900139000、abc、10086，名字填张三")
    said = "\n".join(line["text"] for line in view["lines"])
    assert "abc (无运营商): 将失败，isv.MOBILE_NUMBER_ILLEGAL" in said and "1 条将发送，2 条将失败" in said, said
    server.call("POST", f"/v1/conversations/{conv}/cancel", token, headers=now)


def test_a_request_body_is_judged_before_the_objects_state_and_an_empty_topup_is_refused(shared_world):
    server, tokens = shared_world["server"], shared_world["tokens"]
    status, answer = server.call("POST", "/v1/admin/accounts/demo/topup", tokens["admin"], {})
    assert status == 400 and answer == {
        "error": "nothing to add to account 'demo': no package named; give `digital`, `sms` or both: the messages to "
                 "add (0 to 1,000,000,000)", "hint": "give `digital`, `sms` or both: the messages to add (0 to "
                                                     "1,000,000,000)"}, answer
    status, answer = server.call("POST", "/v1/signatures/AcmeShop/resubmit", tokens["a"], {"source": "bogus"},
                                 headers={"X-Assistant-Now": NOW})
    assert status == 400 and answer["error_code"] == "isv.SIGN_SOURCE_ILLEGAL", answer
    assert "'bogus'" in answer["error"] and "under review" not in answer["error"], answer


def test_ask_for_an_account_that_does_not_exist_is_a_404_naming_it_and_how_to_find_one(shared_world):
    server, agent = shared_world["server"], shared_world["tokens"]["agent"]
    for question in ("show my template status", "what is td"):
        status, answer = server.call("POST", "/v1/ask", agent, {"question": question},
                                     headers={"X-Assistant-Account": "nosuch"})
        assert status == 404 and answer == {
            "error": "no account 'nosuch'; see GET /v1/admin/accounts (an administrator's), or create it with "
                     "POST /v1/admin/accounts (an administrator's)",
            "hint": "see GET /v1/admin/accounts (an administrator's), or create it with POST /v1/admin/accounts "
                    "(an administrator's)"}, (question, answer)
    status, answer = server.call("POST", "/v1/ask", agent, {"question": "show my template status"},
                                 headers={"X-Assistant-Account": "globex"})
    assert status == 200 and answer["result"] == []
