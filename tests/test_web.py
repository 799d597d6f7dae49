"""The web desk and chat over a real `assistant serve`: sign-in, sessions, the roles table, CSRF,
the Content-Security-Policy, notes kept from customers, and the catalogue of the pages' words.

The round trip in a real browser is in tests/test_web_browser.py; these talk HTTP with a cookie jar.
"""

from __future__ import annotations

import datetime as dt
import html
import http.cookiejar
import io
import json
import pathlib
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import yaml

from assistant.cli import main
from assistant.knowledge import shipped_dir
from assistant.web import i18n


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A cookie jar and no automatic redirects: each answer as (status, headers, body)."""

    def __init__(self, url: str, lang: str = "en"):
        self.url, self.jar = url, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.lang = lang

    def go(self, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.url + path, data=data, headers={"Accept-Language": self.lang})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read().decode()

    def sign_in(self, token: str) -> tuple[int, dict, str]:
        return self.go("/login", {"token": token})

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.go(path)[2]).group(1)


def cli(db: str, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert main(["--db", db, *args], stdout=out, stderr=err) == 0, (args, err.getvalue())
    return out.getvalue()


@pytest.fixture
def desk(serve):
    server = serve()
    customer = server.token("--account", "demo")
    status, ticket = server.call("POST", "/v1/tickets", customer, {"reason": "my template is stuck, it's urgent"})
    assert status == 200, ticket
    return {"server": server, "ticket": ticket["id"], "customer": customer,
            "manager": server.token("--user", "lin", "--grant", "manager"),
            "agent": server.token("--user", "ann", "--grant", "agent")}


def test_the_sign_in_form_takes_a_token_and_sends_each_role_home(desk):
    browser = Browser(desk["server"].url)
    status, _, page = browser.go("/login")
    assert status == 200 and re.search(r'<input[^>]+name="token"', page) and 'type="submit"' in page
    status, headers, _ = browser.sign_in(desk["manager"])
    assert status == 303 and headers["location"] == "/desk"
    cookie = headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie  # plain http here
    status, headers, _ = Browser(desk["server"].url).sign_in(desk["customer"])
    assert status == 303 and headers["location"] == "/chat"


def test_a_bad_token_is_refused_on_the_page(desk):
    status, _, page = Browser(desk["server"].url).sign_in("dm_not-a-token")
    assert status == 401 and "That token is not valid" in page


def test_pages_without_a_session_go_to_sign_in(desk):
    browser = Browser(desk["server"].url)
    for path in ("/desk", f"/desk/tickets/{desk['ticket']}", "/chat", "/desk/rows"):
        status, headers, _ = browser.go(path)
        assert status == 303 and headers["location"] == "/login", path


def test_a_customer_never_sees_the_queue(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["customer"])
    for path in ("/desk", f"/desk/tickets/{desk['ticket']}", "/desk/rows"):
        status, headers, page = browser.go(path)
        assert status == 303 and headers["location"] == "/chat", path
        assert "data-ticket-id" not in page


def test_the_queue_lists_tickets_with_their_status_and_first_reply_timer(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["manager"])
    status, headers, page = browser.go("/desk")
    assert status == 200
    assert f'data-ticket-id="{desk["ticket"]}" data-status="open"' in page
    assert re.search(r"due in (7h 59m|8h 0m)", page)  # rules.yaml: a normal ticket's first reply within 480 minutes
    assert "my template is stuck, it&#39;s urgent" in page  # escaped by the template engine
    assert "script-src 'self'" in headers["content-security-policy"]
    assert browser.go("/desk?q=nothing-like-this")[2].count("data-ticket-id") == 0
    assert browser.go("/desk?q=STUCK")[2].count("data-ticket-id") == 1


def test_the_queue_past_its_last_page_shows_the_last_and_an_unknown_status_is_said_with_the_valid_ones(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["manager"])
    page = browser.go("/desk?page=99")[2]
    assert "Page 1 of 1" in page and "Page 99" not in page and page.count("data-ticket-id") == 1
    status, _, page = browser.go("/desk?status=bogus")
    assert status == 200 and page.count("data-ticket-id") == 1          # the active queue, with the problem said
    problem = re.search(r'data-role="filter-problem">([^<]*)<', page).group(1)
    assert "Unknown status &#39;bogus&#39;" in problem and all(s in problem for s in ("open", "claimed", "waiting", "resolved"))
    assert "use one of: active (not resolved), open, claimed, waiting for the customer, resolved, all." in problem, problem
    chinese = Browser(desk["server"].url, lang="zh-CN")
    chinese.sign_in(desk["manager"])
    problem = re.search(r'data-role="filter-problem">([^<]*)<', chinese.go("/desk?status=bogus")[2]).group(1)
    assert "可选：active（未解决）、open（待处理）、claimed（已认领）" in problem and "(" not in problem, problem
    assert "data-role=\"filter-problem\"" not in browser.go("/desk?status=open")[2]


def test_a_form_without_the_csrf_token_changes_nothing(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["manager"])
    status, _, page = browser.go(f"/desk/tickets/{desk['ticket']}/claim", {})
    assert status == 403 and "This form has expired" in page
    status, _, page = browser.go(f"/desk/tickets/{desk['ticket']}/claim", {"csrf": "forged"})
    assert status == 403
    assert desk["server"].call("GET", f"/v1/tickets/{desk['ticket']}", desk["manager"])[1]["status"] == "open"


def test_the_ticket_page_shows_where_a_later_conversation_added_to_the_ticket_starts(desk, kb):
    from assistant.actions import handoff
    from assistant.clock import FixedClock, parse_time
    from assistant.context import Context
    from assistant.storage import open_store

    store = open_store(desk["server"].db)
    try:
        ctx = Context(store, kb, FixedClock(parse_time("2026-03-20T15:00")), "demo", "customer")
        at = "2026-03-20 15:00:00"
        turns = [{"role": "user", "text": "why did it fail", "at": at},
                 {"role": "assistant", "text": "isv.MOBILE_NUMBER_ILLEGAL", "at": at}]
        handoff.create(ctx, conversation=turns, trigger="asked_for_person", reuse=True)
    finally:
        store.close()
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["manager"])
    page = browser.go(f"/desk/tickets/{desk['ticket']}")[2]
    assert re.search(r'<li data-from="part"><i>Later conversation, added [0-9: -]+</i></li><li data-from="user">', page)


def test_a_later_chinese_chat_added_to_the_ticket_is_marked_in_chinese_on_the_desk(desk):
    customer = Browser(desk["server"].url, lang="zh-CN")
    customer.sign_in(desk["customer"])
    csrf = customer.csrf("/chat")
    chat_say(customer, csrf, "转人工")
    said = " ".join(line["text"] for line in chat_say(customer, csrf, "是")["lines"])
    assert f"工单 #{desk['ticket']} 已在支持经理处" in said and "已附上我们的对话" in said
    manager = Browser(desk["server"].url)
    manager.sign_in(desk["manager"])
    page = manager.go(f"/desk/tickets/{desk['ticket']}")[2]
    assert re.search(r'<li data-from="part"><i>后续对话，添加于 [0-9: -]+</i></li><li data-from="(user|assistant)">', page)
    assert "Later conversation" not in page


def test_the_desk_says_every_summary_in_the_desks_language_whatever_the_customer_wrote_in(desk):
    server = desk["server"]
    cli(server.db, "--role", "admin", "admin", "account", "create", "globex", "--industry", "e-commerce")
    other = server.token("--account", "globex")      # (demo's new request would go on its open ticket)
    status, ticket = server.call("POST", "/v1/tickets", other, {"reason": "模板卡住了，请尽快处理"})
    assert status == 200 and ticket["summary"] == "客户要求转人工：模板卡住了，请尽快处理"     # the customer's own view
    english, chinese = Browser(server.url), Browser(server.url, lang="zh-CN")
    for browser in (english, chinese):
        browser.sign_in(desk["manager"])
    queue = english.go("/desk")[2]
    assert "Customer asked for a person: 模板卡住了，请尽快处理" in queue
    assert "Customer asked for a person: my template is stuck" in queue
    queue = chinese.go("/desk")[2]
    assert "客户要求转人工：模板卡住了，请尽快处理" in queue and "客户要求转人工：my template is stuck" in queue
    assert "Customer asked for a person" not in queue
    page = chinese.go(f"/desk/tickets/{ticket['id']}")[2]
    assert f"#{ticket['id']}: 客户要求转人工：模板卡住了，请尽快处理</h1>" in page
    assert chinese.go("/desk?q=STUCK")[2].count("data-ticket-id") == 1        # searched as stored, in English too


def test_a_manager_claims_notes_replies_and_resolves_from_the_ticket_page(desk):
    browser, t = Browser(desk["server"].url), desk["ticket"]
    browser.sign_in(desk["manager"])
    csrf = browser.csrf(f"/desk/tickets/{t}")
    for action, form in (("claim", {}), ("note", {"text": "customer is on the enterprise plan"}),
                         ("reply", {"text": "We are on it."}), ("resolve", {"note": "Approved now."})):
        status, headers, _ = browser.go(f"/desk/tickets/{t}/{action}", {"csrf": csrf, **form})
        assert status == 303 and headers["location"] == f"/desk/tickets/{t}?done=1", action
    page = browser.go(f"/desk/tickets/{t}")[2]
    assert 'data-status="resolved"' in page and "customer is on the enterprise plan" in page
    assert 'data-action="reopen"' in page and 'data-action="claim"' not in page
    status, _, _ = browser.go(f"/desk/tickets/{t}/reopen", {"csrf": csrf})
    assert status == 303
    assert desk["server"].call("GET", f"/v1/tickets/{t}", desk["manager"])[1]["status"] == "claimed"


def test_a_refused_reply_comes_back_in_its_box_and_its_address_leads_back_to_the_ticket(desk):
    browser, t = Browser(desk["server"].url), desk["ticket"]
    browser.sign_in(desk["manager"])
    csrf = browser.csrf(f"/desk/tickets/{t}")
    long_reply = "Dear customer, <here> is what happened & why. " * 100          # 4,700 characters: over 4,000
    status, _, page = browser.go(f"/desk/tickets/{t}/reply", {"csrf": csrf, "text": long_reply})
    assert status == 400 and "over the limit of 4,000; shorten it" in page
    box = re.search(r'data-action="reply".*?<textarea name="text"[^>]*>(.*?)</textarea>', page, re.S)
    assert box and html.unescape(box.group(1)) == long_reply                  # every character kept, escaped
    assert re.search(r'data-action="note".*?<textarea name="text"[^>]*></textarea>', page, re.S)  # the others empty
    status, headers, _ = browser.go(f"/desk/tickets/{t}/reply")                # the address bar, Enter
    assert status == 303 and headers["location"] == f"/desk/tickets/{t}"


def test_an_agent_reads_the_desk_but_gets_no_manager_forms(desk):
    browser, t = Browser(desk["server"].url), desk["ticket"]
    browser.sign_in(desk["agent"])
    page = browser.go(f"/desk/tickets/{t}")[2]
    assert f'data-ticket-id="{t}"' in page
    assert not re.search(r'data-action="(claim|reply|resolve|note|assign)"', page)
    status, _, page = browser.go(f"/desk/tickets/{t}/claim", {"csrf": browser.csrf(f"/desk/tickets/{t}")})
    assert status == 403 and "the agent role may not run" in page


def test_an_internal_note_never_reaches_the_customer(desk):
    server, t = desk["server"], desk["ticket"]
    secret_words = "internal: refund would need finance approval"
    assert server.call("POST", f"/v1/tickets/{t}/note", desk["manager"], {"text": secret_words})[0] == 200
    assert server.call("POST", f"/v1/tickets/{t}/reply", desk["manager"], {"text": "Looking now."})[0] == 200
    status, case = server.call("GET", f"/v1/tickets/{t}", desk["customer"])
    assert status == 200 and "notes" not in case and secret_words not in json.dumps(case)
    status, exported = server.call("GET", f"/v1/tickets/{t}/export?format=json", desk["customer"])
    assert status == 200 and secret_words not in exported["text"]
    assert secret_words not in json.dumps(server.call("GET", "/v1/inbox", desk["customer"])[1])
    shown = cli(server.db, "--json", "handoff", "show", str(t))  # the CLI's default role is the customer
    assert secret_words not in shown
    assert secret_words in json.dumps(server.call("GET", f"/v1/tickets/{t}", desk["manager"])[1]["notes"])
    browser = Browser(server.url)
    browser.sign_in(desk["customer"])
    assert secret_words not in browser.go("/chat")[2]


def test_revoking_the_token_ends_its_sessions(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["manager"])
    assert browser.go("/desk")[0] == 200
    cli(desk["server"].db, "--role", "admin", "admin", "token", "revoke", desk["manager"])
    status, headers, _ = browser.go("/desk")
    assert status == 303 and headers["location"] == "/login"


def test_signing_out_ends_the_session(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["manager"])
    assert browser.go("/logout", {"csrf": browser.csrf("/desk")})[0] == 303
    assert browser.go("/desk")[1]["location"] == "/login"


def test_the_chat_answers_a_question_as_json_and_records_feedback(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    said = urllib.parse.urlencode({"csrf": csrf, "text": "how long does signature review take"}).encode()
    request = urllib.request.Request(desk["server"].url + "/chat/say", method="POST", data=said,
                                     headers={"Accept": "application/json"})
    with browser.opener.open(request, timeout=30) as response:
        view = json.loads(response.read())
    assert any(line["kind"] == "answer" and "7–10 business days" in line["text"] for line in view["lines"])
    status, _, body = browser.go("/chat/feedback", {"csrf": csrf, "question": "q", "answer": "a", "verdict": "not_related"})
    assert status == 200 and json.loads(body) == {"recorded": "not_related"}
    assert browser.go("/chat/feedback", {"csrf": csrf, "question": "q", "answer": "a", "verdict": "meh"})[0] == 422
    page = browser.go("/chat")[2]
    assert 'data-role="transcript"' in page and "how long does signature review take" in page


def test_the_chat_starts_a_new_conversation_after_exit(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")

    def say(text: str) -> dict:
        said = urllib.parse.urlencode({"csrf": csrf, "text": text}).encode()
        request = urllib.request.Request(desk["server"].url + "/chat/say", method="POST", data=said,
                                         headers={"Accept": "application/json"})
        with browser.opener.open(request, timeout=30) as response:
            return json.loads(response.read())
    assert say("exit")["lines"][-1]["text"] == "Bye."
    assert any("7–10 business days" in line["text"] for line in say("how long does signature review take")["lines"])


def test_the_line_typed_after_exit_on_the_same_page_is_answered_in_a_new_conversation(desk):
    # the page's script sends the step it showed; after "exit" that step is the ended conversation's,
    # which the new one never had: it was refused as "moved on in another window" and the line lost
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    step = re.search(r'data-step="(\d+)"', browser.go("/chat")[2]).group(1)

    def say(text: str) -> tuple[int, dict]:
        said = urllib.parse.urlencode({"csrf": csrf, "text": text, "step": step}).encode()
        request = urllib.request.Request(desk["server"].url + "/chat/say", method="POST", data=said,
                                         headers={"Accept": "application/json"})
        try:
            with browser.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())
    status, view = say("how long does signature review take")
    step = str(view["step"])
    status, view = say("exit")
    assert (status, view["lines"][-1]["text"]) == (200, "Bye.")
    step = str(view["step"])
    status, view = say("how long does signature review take")
    assert status == 200 and not view["refused"], view
    assert any("7–10 business days" in line["text"] for line in view["lines"])


def test_the_pages_follow_the_browsers_language_and_the_switch(desk):
    browser = Browser(desk["server"].url, lang="zh-CN,zh;q=0.9,en;q=0.5")
    assert "访问令牌" in browser.go("/login")[2]
    english = Browser(desk["server"].url, lang="zh-CN")
    assert "Access token" in english.go("/login?lang=en")[2]
    assert "Access token" in english.go("/login")[2]  # the choice is kept in a cookie


def test_every_word_of_the_pages_has_every_language():
    for name in ("web.yaml",):
        table = yaml.safe_load((shipped_dir() / name).read_text(encoding="utf-8"))
        missing = [key for key, texts in table.items() if set(texts) != set(i18n.LANGUAGES) or not all(texts.values())]
        assert missing == [], missing
    canned = yaml.safe_load((shipped_dir() / "canned_replies.yaml").read_text(encoding="utf-8"))
    for key, reply in canned.items():
        assert set(reply["title"]) == set(reply["text"]) == set(i18n.LANGUAGES), key


def test_no_word_of_the_pages_shows_markdown_backticks_or_a_cli_command():
    table = yaml.safe_load((shipped_dir() / "web.yaml").read_text(encoding="utf-8"))
    command = re.compile(r"\bassistant (admin|kb|handoff|token|inbox|send|template|signature|serve)\b")
    raw = [key for key, texts in table.items() for text in texts.values() if "`" in text or command.search(text)]
    assert raw == []


@pytest.mark.parametrize(("accept", "chosen", "expected"), [
    ("zh-CN,zh;q=0.9", None, "zh"), ("en-US,en;q=0.8,zh;q=0.9", None, "en"), ("en;q=0.8,zh;q=0.9", None, "zh"),
    ("fr-FR", None, "en"),
    (None, None, "en"), ("zh-CN", "en", "en"), ("en", "xx", "en"), ("zh;q=abc", None, "en"),
])
def test_the_language_is_the_choice_else_the_best_accepted(accept, chosen, expected):
    assert i18n.language(chosen, accept) == expected


def test_the_reports_page_draws_the_figures_for_managers_only(desk):
    manager = Browser(desk["server"].url)
    manager.sign_in(desk["manager"])
    status, _, page = manager.go("/desk/reports?days=7")
    assert status == 200
    assert 'data-chart="tickets-per-day"' in page and "<svg" in page and 'data-figure="resolution-rate"' in page
    assert re.search(r'data-figure="tickets"><b>1</b>', page)
    agent = Browser(desk["server"].url)
    agent.sign_in(desk["agent"])
    status, _, page = agent.go("/desk/reports")
    assert status == 403 and 'data-chart' not in page


def test_a_manager_sees_the_gaps_and_teaches_a_phrasing_that_answers_at_once(desk):
    server, question = desk["server"], "zorbly quux widget"
    assert server.call("POST", "/v1/ask", desk["customer"], {"question": question})[1]["type"] == "fallback"
    manager = Browser(server.url)
    manager.sign_in(desk["manager"])
    status, _, page = manager.go("/desk/gaps")
    assert status == 200 and question in page and 'data-action="learn"' in page
    csrf = manager.csrf("/desk/gaps")
    assert manager.go("/desk/gaps/learn", {"question": question, "entry": "opt-out"})[0] == 403  # no CSRF token
    status, _, page = manager.go("/desk/gaps/learn", {"csrf": csrf, "question": question, "entry": "no-such-entry"})
    assert status == 400 and "no entry &#39;no-such-entry&#39;" in page
    status, headers, _ = manager.go("/desk/gaps/learn", {"csrf": csrf, "question": question, "entry": "opt-out"})
    assert status == 303 and headers["location"] == "/desk/gaps?done=1"
    answer = server.call("POST", "/v1/ask", desk["customer"], {"question": question})[1]
    assert answer["type"] == "answer" and answer["entry"] == "opt-out"
    agent = Browser(server.url)
    agent.sign_in(desk["agent"])
    assert agent.go("/desk/gaps")[0] == 403


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----assistant-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()]
    parts += [f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
              f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n" for field, name, data in files]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def test_the_chat_takes_a_templates_media_as_an_upload(desk):
    from conftest import png_bytes

    server = desk["server"]
    cli(server.db, "--now", "2026-10-01T10:00", "enable")
    cli(server.db, "--now", "2026-10-01T10:00", "signature", "submit", "AcmeShop", "--source", "trademark")
    browser = Browser(server.url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    for line in ("create a template", "Sale", "AcmeShop", "e-commerce", "Hi there"):
        assert browser.go("/chat/say", {"csrf": csrf, "text": line})[0] == 303
    page = browser.go("/chat")[2]
    assert re.search(r'<form[^>]+data-action="attach"(?![^>]*hidden)', page)  # the file input is shown now
    body, kind = multipart({"csrf": csrf}, [("file", "banner.png", png_bytes())])
    request = urllib.request.Request(server.url + "/chat/files", data=body, method="POST",
                                     headers={"Content-Type": kind, "Accept": "application/json"})
    with browser.opener.open(request, timeout=30) as response:
        view = json.loads(response.read())
    assert view["waiting"] and view["waiting"]["kind"] == "confirm", view
    browser.go("/chat/say", {"csrf": csrf, "text": "yes"})
    templates = server.call("GET", "/v1/templates", desk["customer"])[1]
    assert [t["name"] for t in templates] == ["Sale"]


@pytest.mark.parametrize("lang,welcome", [("en", "Ask a question in your own words"), ("zh-CN", "用自己的话提问")])
def test_the_chat_welcomes_in_the_pages_language_without_the_terminals_keys(desk, lang, welcome):
    browser = Browser(desk["server"].url, lang=lang)
    browser.sign_in(desk["customer"])
    status, _, page = browser.go("/chat")
    assert status == 200 and welcome in page
    assert "Ctrl-" not in page


def test_a_prompts_values_and_yes_no_are_labelled_in_the_pages_language():
    words = i18n.Words(i18n.catalogue(None), "zh")
    assert (words("yes"), words("no")) == ("是", "否")   # keys YAML would read as booleans are quoted
    labels = (words.choice("yes"), words.choice("trademark"), words.choice("DIGITAL_SMS_0001"))
    assert labels == ("是", "商标", "DIGITAL_SMS_0001")


def chat_say(browser: Browser, csrf: str, text: str) -> dict:
    """TEXT said in the chat as the page's script says it: the view as JSON."""
    said = urllib.parse.urlencode({"csrf": csrf, "text": text}).encode()
    request = urllib.request.Request(browser.url + "/chat/say", method="POST", data=said,
                                     headers={"Accept": "application/json", "Accept-Language": browser.lang})
    with browser.opener.open(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_chat_gives_its_own_way_where_the_knowledge_base_names_a_command(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    answer = " ".join(line["text"] for line in chat_say(browser, csrf, "What happens to messages that fail?")["lines"])
    assert "(/error CODE)" in answer and "/sends ID lists a send's failures" in answer
    carried = " ".join(line["text"] for line in chat_say(browser, csrf, "How many numbers can one send carry?")["lines"])
    assert "not in this chat: a recipients file goes to the service's API, POST /v1/sends" in carried
    assert "`assistant" not in answer + carried and "command line" not in carried
    # a conversation of a terminal (the remote REPL) over the same service keeps the command line's way
    server = desk["server"]
    conv = server.call("POST", "/v1/conversations", desk["customer"])[1]["id"]
    said = server.call("POST", f"/v1/conversations/{conv}/messages", desk["customer"],
                       {"text": "How many numbers can one send carry?"})[1]
    assert "from the command line: `assistant send CODE --file FILE`" in " ".join(line["text"] for line in said["lines"])


def _with_an_approved_template(serve, tmp_path):
    """A service whose demo account is enabled, with signature AcmeShop and template
    DIGITAL_SMS_0001 approved by 2026-11-20."""
    from conftest import png_bytes

    server = serve()
    image = tmp_path / "banner.png"
    image.write_bytes(png_bytes())
    cli(server.db, "--now", "2026-10-01T10:00", "enable")
    cli(server.db, "--now", "2026-10-01T10:00", "signature", "submit", "AcmeShop", "--source", "trademark")
    cli(server.db, "--now", "2026-10-20T10:00", "template", "create", "--name", "Sale", "--signature", "AcmeShop",
        "--industry", "e-commerce", "--text", "The sale is on", "--media", str(image))
    return server


@pytest.fixture
def failed_send(serve, tmp_path):
    """A service whose demo account sent DIGITAL_SMS_0001 to three numbers (19212345678 failed, China
    Broadnet), then asked for a person: ticket #1 carries the send; and a manager's token."""
    server = _with_an_approved_template(serve, tmp_path)
    sent = json.loads(cli(server.db, "--json", "--now", "2026-11-20T10:00", "send", "DIGITAL_SMS_0001",
                          "13800138000", "19212345678", "13312345678"))
    cli(server.db, "--now", "2026-11-20T11:00", "handoff", "create", "--reason", "it failed")
    return {"server": server, "request_id": sent["request_id"],
            "manager": server.token("--user", "lin", "--grant", "manager"), "customer": server.token("--account", "demo")}


@pytest.mark.parametrize("lang,words", [("en", ("latest failed send", "2 sent, 1 failed", "failed", "sent",
                                                ("China Mobile", "China Telecom"))),
                                        ("zh-CN", ("该账号最近一次失败的发送", "成功 2 条，失败 1 条", "失败", "已发送",
                                                   ("中国移动", "中国电信")))])
def test_the_ticket_page_shows_the_tickets_send_as_handoff_show_does(failed_send, lang, words):
    server, request_id = failed_send["server"], failed_send["request_id"]
    shown = cli(server.db, "--role", "manager", "handoff", "show", "1")
    assert f"## Send {request_id}" in shown and "19212345678 (no carrier): isv.MOBILE_NUMBER_ILLEGAL" in shown
    browser = Browser(server.url, lang=lang)
    browser.sign_in(failed_send["manager"])
    status, _, page = browser.go("/desk/tickets/1")
    assert status == 200
    section = re.search(r'<section class="send" data-role="send" data-request-id="([^"]+)">(.*?)</section>', page, re.S)
    assert section and section.group(1) == request_id, page
    html = section.group(2)
    recent, counts, failed, sent, (mobile, telecom) = words
    assert request_id in html and recent in html and counts in html
    row = re.search(r'<tr data-phone="19212345678" data-status="failed" data-error-code="isv.MOBILE_NUMBER_ILLEGAL">(.*?)</tr>',
                    html, re.S)
    assert row and f"<td>{failed}</td>" in row.group(1) and "China Broadnet" in row.group(1)
    for phone, carrier in (("13800138000", mobile), ("13312345678", telecom)):
        row = re.search(rf'<tr data-phone="{phone}" data-status="sent">(.*?)</tr>', html, re.S)
        assert row and f"<td>{sent}</td>" in row.group(1) and f"<td>{carrier}</td>" in row.group(1), phone


@pytest.mark.parametrize("lang, added", [("en", "added by a later request for a person"), ("zh-CN", "由之后的转人工请求添加")])
def test_a_send_added_to_an_open_ticket_is_shown_beside_the_tickets_own_never_in_its_place(failed_send, lang, added):
    server, own = failed_send["server"], failed_send["request_id"]
    later = json.loads(cli(server.db, "--json", "--now", "2026-11-20T12:00", "send", "DIGITAL_SMS_0001",
                           "13800138001", "19212345679", "010-87654321", "13312345679"))["request_id"]
    cli(server.db, "--now", "2026-11-20T12:05", "handoff", "create", "--request-id", later, "--reason", "again")
    shown = cli(server.db, "--role", "manager", "handoff", "show", "1")
    assert shown.index(f"## Send {own}") < shown.index(f"## Send {later} (added by a later request for a person)"), shown
    browser = Browser(server.url, lang=lang)
    browser.sign_in(failed_send["manager"])
    page = browser.go("/desk/tickets/1")[2]
    sections = re.findall(r'<section class="send" data-role="([a-z-]+)" data-request-id="([^"]+)">(.*?)</section>', page, re.S)
    assert [(role, rid) for role, rid, _ in sections] == [("send", own), ("added-send", later)], page
    assert added in sections[1][2] and added not in sections[0][2]
    assert 'data-phone="19212345678" data-status="failed"' in sections[0][2]       # each keeps its own numbers
    assert 'data-phone="19212345679" data-status="failed"' in sections[1][2]
    assert "Ticket #1" in page or "工单 #1" in page


def test_the_ticket_page_in_chinese_names_carriers_the_industry_and_the_history_in_chinese(failed_send):
    browser = Browser(failed_send["server"].url, lang="zh-CN")
    browser.sign_in(failed_send["manager"])
    status, _, page = browser.go("/desk/tickets/1")
    assert status == 200
    headers = re.findall(r'<table class="carriers"><tr><th></th>(.*?)</tr>', page, re.S)
    assert headers and all(h == "<th>中国移动</th><th>中国联通</th><th>中国电信</th>" for h in headers), headers
    assert "<dd>电商</dd>" in page and "e-commerce" not in page
    history = re.search(r'<ol class="history" data-role="history">(.*?)</ol>', page, re.S).group(1)
    assert "创建了工单：客户要求转人工" in history and "created" not in history and "asked for" not in history, history
    english = Browser(failed_send["server"].url)
    english.sign_in(failed_send["manager"])
    page = english.go("/desk/tickets/1")[2]
    assert "<dd>e-commerce</dd>" in page and "created: asked for a person" in page and "<th>China Mobile</th>" in page


def test_the_desk_in_chinese_shows_states_in_chinese_and_no_cli_hints(failed_send):
    browser = Browser(failed_send["server"].url, lang="zh-CN")
    for path in ("/login", "/desk/gaps"):
        if path == "/desk/gaps":
            browser.sign_in(failed_send["manager"])
        status, _, page = browser.go(path)
        assert status == 200 and "`" not in page and "assistant " not in page, path
    page = browser.go("/desk/tickets/1")[2]
    cells = re.findall(r'<table class="carriers">(.*?)</table>', page, re.S)
    assert len(cells) == 2 and all("已登记" in cells[0] or "已通过" in c for c in cells)
    assert not re.search(r"<td>(registering|registered|approved|pending|rejected|failed|sent)</td>", page)
    status, _, page = browser.go("/desk/tickets/999")
    assert status == 404 and "没有工单 #999" in page and "`" not in page and "handoff list" not in page
    status, _, page = browser.go("/desk/tickets/abc")
    assert status == 404 and "“abc”不是工单编号" in page and "handoff list" not in page


def test_a_core_message_loses_its_cli_hints_and_backticks_on_a_page():
    assert i18n.plain("no ticket #9; see `assistant handoff list`") == "no ticket #9"
    assert i18n.plain("ticket #1 is resolved; open a new one with `assistant handoff create`") == "ticket #1 is resolved"
    assert i18n.plain("the `name` is empty") == "the name is empty"
    assert i18n.plain("see `assistant x`") == "see assistant x"   # nothing left but the hint: kept, without backticks
    assert i18n.plain("没有工单 #9；请查看 `assistant handoff list`") == "没有工单 #9"   # a Chinese sentence's "；" too


def test_the_chats_transcript_keeps_each_value_prompt_as_the_assistants_turn(failed_send):
    browser = Browser(failed_send["server"].url, lang="zh-CN")
    browser.sign_in(failed_send["customer"])
    csrf = browser.csrf("/chat")
    view = chat_say(browser, csrf, "我想创建一个模板")
    prompts = [line["text"] for line in view["lines"] if line["kind"] == "prompt"]
    assert view["waiting"]["kind"] == "slot" and prompts == [view["waiting"]["prompt"]], view
    asked = [prompts[0]]
    view = chat_say(browser, csrf, "双十二大促")
    asked += [line["text"] for line in view["lines"] if line["kind"] == "prompt"]
    assert len(asked) == 2 and asked[1] == view["waiting"]["prompt"] and asked[0] != asked[1]
    page = browser.go("/chat")[2]
    turns = re.findall(r'<li data-from="(customer|assistant)"(?: class="[^"]*")?>([^<]*)</li>', page)
    said = [(who, text) for who, text in turns if text in asked or text in ("我想创建一个模板", "双十二大促")]
    assert said == [("customer", "我想创建一个模板"), ("assistant", asked[0]), ("customer", "双十二大促"),
                    ("assistant", asked[1])], turns


def test_the_chat_shows_a_partly_failed_send_as_a_warning_its_tables_in_a_fixed_font_and_who_sent_by_name(failed_send):
    browser = Browser(failed_send["server"].url)
    browser.sign_in(failed_send["customer"])
    csrf = browser.csrf("/chat")
    chat_say(browser, csrf, "/send DIGITAL_SMS_0001 13800138000 19212345678")
    report = [line for line in chat_say(browser, csrf, "yes")["lines"] if "1 sent, 1 failed" in line["text"]]
    assert [line["kind"] for line in report] == ["warn"]               # partly done: never the error's colour
    listed = "\n".join(line["text"] for line in chat_say(browser, csrf, "/sends")["lines"])
    assert "customer:token#" not in listed and re.search(r"\bcustomer\s*$", listed, re.MULTILINE), listed
    page = browser.go("/chat")[2]
    assert re.search(r'<li data-from="assistant" class="warn table">[^<]*1 sent, 1 failed', page)   # its kind kept
    assert re.search(r'<li data-from="assistant" class="(?:[a-z]+ )?table">request\s+template', page)
    css = browser.go("/static/style.css")[2]
    warn = re.search(r"\.transcript li\.warn \{([^}]*)\}", css).group(1)
    assert "var(--bad)" not in warn and "li.table" in css and "monospace" in css.split("li.table", 1)[1].split("}")[0]


def test_only_the_knowledge_bases_answers_are_marked_for_the_feedback_box(desk):
    browser = Browser(desk["server"].url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    answers = [line for line in chat_say(browser, csrf, "how long does signature review take")["lines"]
               if line["kind"] == "answer"]
    assert answers and answers[0]["entry"]
    for command in ("/status", "/queue"):
        lines = chat_say(browser, csrf, command)["lines"]
        assert lines and not any(line.get("entry") for line in lines), (command, lines)


def test_the_chats_status_bar_is_read_again_after_a_resolution(desk):
    server, t = desk["server"], desk["ticket"]
    browser = Browser(server.url, lang="zh-CN")
    browser.sign_in(desk["customer"])
    page = browser.go("/chat")[2]
    before = re.search(r'data-role="status-bar">([^<]*)<', page).group(1)
    status, _, body = browser.go("/chat/status")
    assert status == 200 and json.loads(body)["toolbar"] == before and "1" in before
    assert server.call("POST", f"/v1/tickets/{t}/resolve", desk["manager"], {"note": "Approved now."})[0] == 200
    after = json.loads(browser.go("/chat/status")[2])["toolbar"]
    assert after != before and after == re.search(r'data-role="status-bar">([^<]*)<', browser.go("/chat")[2]).group(1)
    assert Browser(server.url).go("/chat/status")[0] == 401


def test_a_choice_without_script_posts_its_label_in_the_pages_language(desk):
    browser = Browser(desk["server"].url, lang="zh-CN")
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    view = chat_say(browser, csrf, "签名审核要多久")
    assert view["waiting"] and view["waiting"]["choices"] == ["yes", "no"], view
    page = browser.go("/chat")[2]
    assert re.search(r'name="text" value="是">\s*<button type="submit">是</button>', page)
    assert 'value="yes"' not in page
    assert "[是/否]" not in page and "[y/N]" not in page     # the buttons ask it: no terminal's marker


def test_a_handoff_after_a_chat_send_refused_whole_shows_that_refusal_on_the_ticket_page(serve, tmp_path):
    server = _with_an_approved_template(serve, tmp_path)
    cli(server.db, "--now", "2026-11-20T10:00", "send", "DIGITAL_SMS_0001", "13800138000", "19212345678")
    browser = Browser(server.url)
    browser.sign_in(server.token("--account", "demo"))
    csrf = browser.csrf("/chat")
    chat_say(browser, csrf, "/send DIGITAL_SMS_0001 18612345678")
    cli(server.db, "send", "DIGITAL_SMS_0001", "18612345678")      # meanwhile, elsewhere: flow control now refuses it
    refused = " ".join(line["text"] for line in chat_say(browser, csrf, "y")["lines"])
    assert refused.startswith("isv.BUSINESS_LIMIT_CONTROL: the number cannot be sent to"), refused
    chat_say(browser, csrf, "I want to talk to a person")
    created = " ".join(line["text"] for line in chat_say(browser, csrf, "y")["lines"])
    assert "Send of DIGITAL_SMS_0001 to 18612345678 refused whole in this session" in created, created
    page, section = _refused_send_on_ticket_1(server)
    assert "Send of DIGITAL_SMS_0001, refused" in section.group(2)
    assert '<dd data-role="refused-numbers">18612345678</dd>' in section.group(2)
    assert "already got template DIGITAL_SMS_0001 in the last 24 hours" in section.group(2)
    assert 'data-role="send"' not in page and "attached by its time" not in page     # not the older failed send


def _refused_send_on_ticket_1(server):
    """Ticket 1's page as a manager sees it, and its section on a send refused with flow control."""
    desk = Browser(server.url)
    desk.sign_in(server.token("--user", "lin", "--grant", "manager"))
    status, _, page = desk.go("/desk/tickets/1")
    section = re.search(r'<section class="send" data-role="refused-send" data-error-code="([^"]+)">(.*?)</section>',
                        page, re.S)
    assert status == 200 and section and section.group(1) == "isv.BUSINESS_LIMIT_CONTROL", page
    return page, section


def test_a_handoff_after_a_chat_send_refused_at_its_preview_shows_that_refusal_on_the_ticket_page(serve, tmp_path):
    server = _with_an_approved_template(serve, tmp_path)
    cli(server.db, "send", "DIGITAL_SMS_0001", "18612345678")      # flow control now refuses this number
    browser = Browser(server.url)
    browser.sign_in(server.token("--account", "demo"))
    csrf = browser.csrf("/chat")
    preview = " ".join(line["text"] for line in chat_say(browser, csrf, "/send DIGITAL_SMS_0001 18612345678")["lines"])
    assert "will fail, isv.BUSINESS_LIMIT_CONTROL" in preview and "Go ahead?" not in preview, preview
    chat_say(browser, csrf, "cancel")
    chat_say(browser, csrf, "I want to talk to a person")
    created = " ".join(line["text"] for line in chat_say(browser, csrf, "y")["lines"])
    assert "Send of DIGITAL_SMS_0001 to 18612345678 refused whole in this session" in created, created
    _, section = _refused_send_on_ticket_1(server)
    assert '<dd data-role="refused-numbers">18612345678</dd>' in section.group(2)
    assert "already got template DIGITAL_SMS_0001 in the last 24 hours" in section.group(2)


@pytest.mark.parametrize("lang,resolved", [("en", "Resolved: Approved now."), ("zh-CN", "已结案：Approved now.")])
def test_a_resolution_reaches_the_chat_in_the_pages_language(desk, lang, resolved):
    server, t = desk["server"], desk["ticket"]
    browser = Browser(server.url, lang=lang)
    browser.sign_in(desk["customer"])
    browser.go("/chat")                                                 # the chat is open when the ticket is resolved
    status, _ = server.call("POST", f"/v1/tickets/{t}/resolve", desk["manager"], {"note": "Approved now.", "by": "lin"})
    assert status == 200
    page = browser.go("/chat")[2]
    line = f"Support (lin, #{t}): {resolved}</li>" if lang == "en" else f"客服（lin，#{t}）：{resolved}</li>"
    assert line in page, page[page.find("<ol"):page.find("</ol>")]   # a Chinese chat's brackets and colon too
    if lang != "en":
        assert "Resolved:" not in page and "(lin, #" not in page
    server.call("POST", f"/v1/tickets/{t}/reopen", desk["manager"], {})
    server.call("POST", f"/v1/tickets/{t}/resolve", desk["manager"], {"note": "Approved now.", "by": "lin"})
    status, _, body = browser.go("/chat/inbox")                        # the live chat's poll says it the same way
    assert status == 200 and [m["text"] for m in json.loads(body)] == [resolved]


def _next_second() -> None:
    time.sleep(1.02 - time.time() % 1)


def test_a_managers_reply_stays_in_the_chat_transcript_after_a_reload_in_its_place(desk):
    server, t = desk["server"], desk["ticket"]
    browser = Browser(server.url)
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    chat_say(browser, csrf, "how long does signature review take")
    _next_second()                                                      # the service keeps times to the second
    assert server.call("POST", f"/v1/tickets/{t}/reply", desk["manager"], {"text": "Looking into it now."})[0] == 200
    shown = browser.go("/chat")[2]                                      # shown once, as new
    assert shown.count(f"(lin, #{t}): Looking into it now.</li>") == 1
    _next_second()
    chat_say(browser, csrf, "thanks, and how long does template review take")
    for _ in range(2):                                                  # a reload, then another: still there, once
        page = browser.go("/chat")[2]
        transcript = page[page.find("<ol"):page.find("</ol>")]
        assert transcript.count(f"(lin, #{t}): Looking into it now.</li>") == 1, transcript
        assert transcript.index("Looking into it now.") < transcript.index("how long does template review take")
        assert transcript.index("how long does signature review take") < transcript.index("Looking into it now.")
    assert server.call("POST", f"/v1/tickets/{t}/reply", desk["manager"], {"text": "Written while you were away."})[0] == 200
    later = Browser(server.url)                                         # signs in afresh: a new conversation
    later.sign_in(desk["customer"])
    for _ in range(2):                                                  # shown at sign-in, then kept on a reload
        page = later.go("/chat")[2]
        assert page.count(f"(lin, #{t}): Written while you were away.</li>") == 1, page[page.find("<ol"):]


def test_the_customers_line_right_after_a_managers_reply_in_the_web_chat_reaches_the_ticket(desk):
    server, t = desk["server"], desk["ticket"]
    browser = Browser(server.url, lang="zh-CN")
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    chat_say(browser, csrf, "签名审核要多久")
    chat_say(browser, csrf, "不用")
    assert server.call("POST", f"/v1/tickets/{t}/reply", desk["manager"], {"text": "已经帮您加急了。", "by": "lin"})[0] == 200
    shown = json.loads(browser.go("/chat/inbox?after=0")[2])           # the page's poll shows the reply
    assert [m["text"] for m in shown] == ["已经帮您加急了。"]
    assert "回复" in shown[0]["hint"] and "lin" in shown[0]["hint"]    # how to answer it, in the page's language
    said = " ".join(line["text"] for line in chat_say(browser, csrf, "好的，谢谢，那模板0001可以删掉吗？")["lines"])
    assert f"已作为您给 lin 的回复加到工单 #{t}" in said and "不知道" not in said, said
    assert server.call("POST", f"/v1/tickets/{t}/reply", desk["manager"], {"text": "请问是哪个账号？", "by": "lin"})[0] == 200
    browser.go("/chat/inbox?after=0")
    said = " ".join(line["text"] for line in chat_say(browser, csrf, "那模板0001可以删掉吗？")["lines"])
    assert f"这个问题我无法回答，已把它加到工单 #{t} 转给刚才回复您的 lin" in said, said   # one it cannot answer: passed on
    status, ticket = server.call("GET", f"/v1/tickets/{t}", desk["manager"])
    assert [m["text"] for m in ticket["messages"] if m["author"] == "customer"][-2:] == \
        ["好的，谢谢，那模板0001可以删掉吗？", "那模板0001可以删掉吗？"]
    assert [e["event"] for e in ticket["events"]].count("answered") == 2
    said = " ".join(line["text"] for line in chat_say(browser, csrf, "那模板0001可以删掉吗？")["lines"])
    assert "工单" not in said, said                                      # not right after a reply: answered as ever
    page = browser.go("/chat")[2]
    assert page.count('data-from="hint"') == 2                          # under each reply, after a reload too


def test_the_web_chats_help_and_greeting_give_the_chats_own_way_not_the_terminals(desk):
    browser = Browser(desk["server"].url, lang="zh-CN")
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    helped = [line["text"] for line in chat_say(browser, csrf, "/help")["lines"]]
    quit_line = next(text for text in helped if text.lstrip().startswith("/quit"))
    assert "Ctrl-D" not in " ".join(helped) and "结束本次对话（下一句开始新的对话）" in quit_line
    greeted = " ".join(line["text"] for line in chat_say(browser, csrf, "您好")["lines"])
    assert "在下方输入框发送 /help" in greeted and "输入 help" not in greeted, greeted
    browser = Browser(desk["server"].url, lang="en")
    browser.sign_in(desk["customer"])
    english = " ".join(line["text"] for line in chat_say(browser, browser.csrf("/chat"), "hello")["lines"])
    assert "send /help in the box below" in english and "type help" not in english, english


def test_an_agents_words_on_a_ticket_show_on_the_desk_as_the_agents(desk):
    server = desk["server"]
    status, _ = server.call("POST", f"/v1/tickets/{desk['ticket']}/answer", desk["agent"], {"text": "the letter is uploaded"})
    assert status == 200
    cli(server.db, "--role", "admin", "admin", "account", "create", "globex", "--industry", "e-commerce")
    status, opened = server.call("POST", "/v1/tickets", desk["agent"], {"reason": "the customer cannot see the template"},
                                 headers={"X-Assistant-Account": "globex"})   # (demo's would go on its open ticket)
    assert status == 200 and opened["opened_by"] == {"author": "ann", "role": "agent"}
    browser = Browser(server.url)
    browser.sign_in(desk["manager"])
    page = browser.go(f"/desk/tickets/{desk['ticket']}")[2]
    assert re.search(r'<li data-author="ann" data-author-role="agent">.*<b>ann</b> \(agent, for the customer\): '
                     r'the letter is uploaded</li>', page)
    assert "The customer&#39;s words</dt>" in page        # the customer opened this one
    page = browser.go(f"/desk/tickets/{opened['id']}")[2]
    assert "The words of agent ann, for the customer</dt>" in page and "The customer&#39;s words" not in page


@pytest.mark.parametrize("lang,customer,manager", [("en", "<b>Customer</b>: ", "(manager)"),
                                                   ("zh-CN", "<b>客户</b>：", "（经理）")])
def test_the_ticket_page_names_the_customer_and_who_is_signed_in_in_the_desks_language(failed_send, lang, customer, manager):
    server = failed_send["server"]
    cli(server.db, "--role", "manager", "handoff", "reply", "1", "Which number failed?", "--by", "lin")
    cli(server.db, "handoff", "answer", "1", "19212345678")
    browser = Browser(server.url, lang=lang)
    browser.sign_in(failed_send["manager"])
    status, _, page = browser.go("/desk/tickets/1")
    assert status == 200 and manager in page
    assert re.search(r'data-author="customer" data-author-role="customer">.*?' + re.escape(customer) + r"19212345678", page)


@pytest.mark.parametrize("lang,agent,customer", [("en", "<b>ann (agent, for the customer):</b>", "<b>Customer:</b>"),
                                                 ("zh-CN", "<b>ann（坐席，代客户）:</b>", "<b>客户:</b>")])
def test_an_agents_conversation_on_a_ticket_is_named_as_the_agents_in_the_desks_language(serve, lang, agent, customer):
    server = serve()
    token = server.token("--user", "ann", "--grant", "agent")
    conv = server.call("POST", "/v1/conversations", token, {"account": "demo"})[1]["id"]
    for text in ("我的模板一直在审核，客户很着急", "转人工", "是"):
        assert server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": text})[0] == 200
    browser = Browser(server.url, lang=lang)
    browser.sign_in(server.token("--user", "lin", "--grant", "manager"))
    page = browser.go("/desk/tickets/1")[2]
    turns = re.search(r'<ol class="turns">(.*?)</ol>', page, re.S).group(1)
    assert f'<li data-from="user" data-author-role="agent">{agent} 我的模板一直在审核，客户很着急</li>' in turns, turns
    assert customer not in turns and turns.count(agent) == 3       # the agent's three lines, none the customer's
    shown = cli(server.db, "--role", "manager", "handoff", "show", "1")
    assert "**ann (agent, for the customer)**: 我的模板一直在审核" in shown and "**user**" not in shown


def test_a_sends_detail_in_the_chat_names_the_customer_never_a_tokens_number(serve, tmp_path):
    server = _with_an_approved_template(serve, tmp_path)
    token = server.token("--account", "demo")
    conv = server.call("POST", "/v1/conversations", token, {})[1]["id"]
    for text in ("send DIGITAL_SMS_0001 to 13800138000 and 19212345678", "yes"):
        assert server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": text})[0] == 200
    request_id = server.call("GET", "/v1/sends", token)[1][0]["request_id"]
    said = server.call("POST", f"/v1/conversations/{conv}/messages", token, {"text": f"/sends {request_id}"})[1]
    shown = "\n".join(line["text"] for line in said["lines"])
    assert "(by customer)" in shown and "token#" not in shown, shown


@pytest.mark.parametrize("lang, claimed", [("en", "lin (manager) claimed</li>"), ("zh-CN", "lin（经理） 认领了工单</li>")])
def test_the_desks_history_names_a_person_by_name_and_role_once(desk, lang, claimed):
    browser = Browser(desk["server"].url, lang=lang)
    browser.sign_in(desk["manager"])
    csrf = browser.csrf(f"/desk/tickets/{desk['ticket']}")
    assert browser.go(f"/desk/tickets/{desk['ticket']}/claim", {"csrf": csrf})[0] == 303
    history = re.search(r'<ol class="history" data-role="history">(.*?)</ol>', browser.go(f"/desk/tickets/{desk['ticket']}")[2],
                        re.S).group(1)
    assert claimed in history and "manager:lin" not in history and ": lin</li>" not in history, history
    shown = cli(desk["server"].db, "--role", "manager", "handoff", "show", str(desk["ticket"]))
    assert "claimed: lin" not in shown and "claimed\n" in shown + "\n", shown


@pytest.mark.parametrize("lang,said", [
    ("en", ("system overdue: no first reply within 480 min", "ann (agent) created: asked for a person",
            "lin (manager) assigned: nobody -&gt; lin by lin", "<b>lin</b>: Resolved: Approved now.")),
    ("zh-CN", ("系统 首次回复超时：480 分钟内没有首次回复", "ann（坐席） 创建了工单：代客户要求转人工",
               "lin（经理） 分派了工单：无人 → lin（由 lin 分派）", "<b>lin</b>：已结案：Approved now."))])
def test_every_history_line_and_a_resolution_on_the_ticket_page_are_in_the_desks_language(serve, lang, said):
    from assistant import knowledge, notify
    from assistant.clock import FixedClock
    from assistant.storage import open_store

    server = serve()
    manager = server.token("--user", "lin", "--grant", "manager")
    status, ticket = server.call("POST", "/v1/tickets", server.token("--user", "ann", "--grant", "agent"),
                                 {"reason": "the customer cannot see the template"})
    assert status == 200
    store = open_store(server.db)
    try:
        later = FixedClock(dt.datetime.fromisoformat(ticket["created_at"]) + dt.timedelta(hours=9))
        assert notify.overdue(store, later, {"normal": 480}, knowledge.load()) == 1
    finally:
        store.close()
    assert server.call("POST", f"/v1/tickets/{ticket['id']}/assign", manager, {"to": "lin"})[0] == 200
    assert server.call("POST", f"/v1/tickets/{ticket['id']}/resolve", manager, {"note": "Approved now."})[0] == 200
    browser = Browser(server.url, lang=lang)
    browser.sign_in(manager)
    page = browser.go(f"/desk/tickets/{ticket['id']}")[2]
    history = re.search(r'<ol class="history" data-role="history">(.*?)</ol>', page, re.S).group(1)
    messages = re.search(r'<ol class="messages" data-role="messages">(.*?)</ol>', page, re.S).group(1)
    assert all(line in history + messages for line in said), history + messages
    shown = cli(server.db, "--role", "manager", "handoff", "show", str(ticket["id"]))   # the staff's command line: English
    assert "system overdue: no first reply within 480 min" in shown and "nobody -> lin by lin" in shown


def test_an_answer_in_the_chat_takes_one_verdict_and_the_page_is_never_kept_by_the_browser(desk):
    server = desk["server"]
    browser = Browser(server.url)
    browser.sign_in(desk["customer"])
    status, headers, _ = browser.go("/chat")
    assert status == 200 and headers["cache-control"] == "no-store"   # Back shows the service's conversation
    csrf = browser.csrf("/chat")
    question = "what is a digital message"
    answer = next(line["text"] for line in chat_say(browser, csrf, question)["lines"] if line.get("entry"))
    page = browser.go("/chat")[2]
    box = re.search(r'<li data-role="feedback" class="feedback" data-question="([^"]*)" data-answer="([^"]*)">(.*?)</li>',
                    page, re.DOTALL)
    assert box and html.unescape(box.group(1)) == question and html.unescape(box.group(2)) == answer
    assert re.findall(r'data-feedback="(\w+)"', box.group(3)) == ["yes", "not_related", "not_answered"]
    judged = {"csrf": csrf, "question": question, "answer": answer}
    status, _, body = browser.go("/chat/feedback", {**judged, "verdict": "yes"})
    assert status == 200 and json.loads(body) == {"recorded": "yes"}
    status, _, body = browser.go("/chat/feedback", {**judged, "verdict": "not_answered"})   # a second: refused
    assert status == 409 and json.loads(body)["given"] == "yes"
    page = browser.go("/chat")[2]
    assert re.search(r'<li data-role="feedback" class="feedback">Thanks, noted.</li>', page) and "data-feedback=" not in page
    manager = desk["manager"]
    status, figures = server.call("GET", "/v1/reports", manager)
    assert [(f["answer"], f["yes"], f["not_answered"]) for f in figures["feedback"]] == [(answer[:200], 1, 0)]
    chat_say(browser, csrf, question)                     # the same answer again: a new one, its own verdict
    assert 'data-feedback="yes"' in browser.go("/chat")[2]
    assert browser.go("/chat/feedback", {**judged, "verdict": "not_answered"})[0] == 200


@pytest.mark.parametrize("lang, said", [("en", "asked 3× by 2 sessions"), ("zh-CN", "被问 3 次 来自 2 个会话")])
def test_the_gaps_page_says_how_many_sessions_asked_a_question(desk, lang, said):
    server, question = desk["server"], "zorbly quux widget"
    for token in (desk["customer"], desk["customer"], server.token("--account", "demo")):
        assert server.call("POST", "/v1/ask", token, {"question": question})[1]["type"] == "fallback"
    manager = Browser(server.url, lang=lang)
    manager.sign_in(desk["manager"])
    status, _, page = manager.go("/desk/gaps")
    assert status == 200 and said in re.sub(r"<[^>]+>", "", page)


def test_a_chinese_desk_says_ages_names_entries_and_lists_in_chinese(desk):
    server = desk["server"]
    for token in (desk["customer"], desk["customer"]):
        assert server.call("POST", "/v1/ask", token, {"question": "zorbly quux widget"})[1]["type"] == "fallback"
    manager = Browser(server.url, lang="zh-CN")
    manager.sign_in(desk["manager"])
    page = manager.go("/desk")[2]
    row = re.search(r'<tr data-ticket-id="1".*?</tr>', page, re.S).group(0)
    assert re.search(r"<td>\d+分钟</td>", row) and not re.search(r"<td>\d+m</td>", row), row     # its age
    assert re.search(r"剩余 \d+小时\d+分钟", row), row                                             # its first-reply timer
    assert '<span class="who">lin（经理）</span>' in page
    page = manager.go("/desk/tickets/1")[2]
    assert "数字短信 1000 条、短信 5000 条" in page and "条, " not in page
    assert re.search(r"<dt>时长</dt><dd>\d+分钟</dd>", page) and not re.search(r"<dd>\d+m</dd>", page)   # its age, as the list's
    page = manager.go("/desk/gaps")[2]
    assert '<option value="opt-out">数字短信支持退订吗？（opt-out）</option>' in page, page   # the question, its id beside it
    english = Browser(server.url)
    english.sign_in(desk["manager"])
    assert '<option value="opt-out">Do digital messages support opt-out? (opt-out)</option>' in english.go("/desk/gaps")[2]
    assert re.search(r"<td>\d+m</td>", english.go("/desk")[2])                                     # English as before
    assert re.search(r"<dt>Age</dt><dd>\d+m</dd>", english.go("/desk/tickets/1")[2])


@pytest.mark.parametrize("lang,said,not_said", [
    ("en", "asked again: Customer asked for a person: the template is still stuck", "再次请求"),
    ("zh-CN", "再次请求：客户要求转人工：the template is still stuck", "Customer asked for a person")])
def test_a_request_added_to_an_open_ticket_is_said_in_the_desks_language_and_an_older_ones_as_stored(desk, lang, said,
                                                                                                     not_said):
    from assistant.storage import open_store

    server = desk["server"]
    status, again = server.call("POST", "/v1/tickets", desk["customer"], {"reason": "the template is still stuck"})
    assert status == 200 and again["id"] == desk["ticket"] and again["reused"], again
    store = open_store(server.db)
    try:   # an event recorded before events kept their sentences: its English line, never a crash
        store.insert("ticket_events", {"ticket": desk["ticket"], "at": again["updated_at"], "actor": "customer",
                                       "event": "asked again", "detail": "Send 1A2B3C4D failed for 1 of 2 numbers"})
    finally:
        store.close()
    browser = Browser(server.url, lang=lang)
    browser.sign_in(desk["manager"])
    status, _, page = browser.go(f"/desk/tickets/{desk['ticket']}")
    history = re.search(r'<ol class="history" data-role="history">(.*?)</ol>', page, re.S).group(1)
    assert status == 200 and said in history and not_said not in history, history
    assert "Send 1A2B3C4D failed for 1 of 2 numbers" in history
    shown = cli(server.db, "--role", "manager", "handoff", "show", str(desk["ticket"]))   # the command line: English
    assert "asked again: Customer asked for a person: the template is still stuck" in shown


def test_the_account_an_agent_switched_to_in_the_chat_holds_after_a_reload_and_in_the_api(serve):
    server = serve()
    cli(server.db, "--role", "admin", "admin", "account", "create", "bingcheng", "--industry", "retail")
    agent = server.token("--user", "ann", "--grant", "agent")
    browser = Browser(server.url)
    browser.sign_in(agent)
    csrf = browser.csrf("/chat")
    said = chat_say(browser, csrf, "/account bingcheng")
    assert said["account"] == "bingcheng" and "Now on account bingcheng." in said["lines"][0]["text"]
    page = browser.go("/chat")[2]                                     # a reload: still on bingcheng
    bar = re.search(r'data-role="status-bar">([^<]*)<', page).group(1)
    assert "bingcheng" in bar and "demo" not in bar, bar
    assert "bingcheng" in json.loads(browser.go("/chat/status")[2])["toolbar"]
    status = chat_say(browser, csrf, "/status")
    assert status["account"] == "bingcheng" and "bingcheng" in status["lines"][0]["text"], status
    chat_say(browser, csrf, "I want to talk to a person")
    chat_say(browser, csrf, "yes")
    status, ticket = server.call("GET", "/v1/tickets/1", server.token("--user", "lin", "--grant", "manager"))
    assert status == 200 and ticket["account"] == "bingcheng", ticket
    cli(server.db, "--role", "manager", "handoff", "reply", "1", "Looking at bingcheng now.", "--by", "lin")
    assert [m["text"] for m in json.loads(browser.go("/chat/inbox?after=0")[2])] == ["Looking at bingcheng now."]
    assert "(lin, #1): Looking at bingcheng now." in browser.go("/chat")[2]
    # the same conversation through the API (the remote REPL): the account it chose holds for its next turns
    conv = server.call("POST", "/v1/conversations", agent)[1]["id"]
    code, view = server.call("POST", f"/v1/conversations/{conv}/messages", agent, {"text": "/account bingcheng"})
    assert code == 200 and view["account"] == "bingcheng"
    code, view = server.call("POST", f"/v1/conversations/{conv}/messages", agent, {"text": "/status"})
    assert code == 200 and view["account"] == "bingcheng" and "bingcheng" in view["lines"][0]["text"], view


def test_an_agent_opens_every_ticket_the_desk_lists_in_its_account_without_the_managers_forms(serve):
    server = serve()
    cli(server.db, "--role", "admin", "admin", "account", "create", "xingchen", "--industry", "retail")
    status, ticket = server.call("POST", "/v1/tickets", server.token("--account", "xingchen"),
                                 {"reason": "my template is stuck"})
    assert status == 200 and ticket["id"] == 1
    browser = Browser(server.url)
    browser.sign_in(server.token("--user", "ann", "--grant", "agent"))
    for path in ("/desk", "/desk?status=all&account=xingchen"):
        assert 'data-ticket-id="1"' in browser.go(path)[2], path
    status, _, page = browser.go("/desk/tickets/1")
    assert status == 200 and "There is no ticket" not in page
    assert 'data-ticket-id="1"' in page and "<dd>xingchen</dd>" in page and "my template is stuck" in page
    assert not re.search(r'data-action="(claim|assign|reply|resolve|note|reopen)"', page)
    assert browser.go("/desk/tickets/2")[0] == 404                    # a ticket that does not exist: as before


def test_a_chinese_desks_refusals_of_a_reply_are_chinese(desk):
    t = desk["ticket"]
    browser = Browser(desk["server"].url, lang="zh-CN")
    browser.sign_in(desk["manager"])
    csrf = browser.csrf(f"/desk/tickets/{t}")

    def refused(action: str, **fields: str) -> str:
        status, _, page = browser.go(f"/desk/tickets/{t}/{action}", {"csrf": csrf, **fields})
        assert status == 400, (action, status)
        return html.unescape(re.search(r'data-role="error">([^<]*)<', page).group(1))
    for said in (refused("reply", text="  "), refused("note", text=""), refused("resolve", note=" ")):
        assert "为空" in said and not re.search(r"[a-z]{3}", said), said
    said = refused("reply", text="长" * 4001)
    assert "4,001" in said and "4,000" in said and not re.search(r"[a-z]{3}", said), said
    assert desk["server"].call("POST", f"/v1/tickets/{t}/resolve", desk["manager"], {"note": "Approved now."})[0] == 200
    said = refused("reply", text="还有一个问题")
    assert f"工单 #{t} 已解决" in said and not re.search(r"[a-z]{3}", said), said
    english = Browser(desk["server"].url)
    english.sign_in(desk["manager"])
    status, _, page = english.go(f"/desk/tickets/{t}/reply", {"csrf": english.csrf(f"/desk/tickets/{t}"), "text": "more"})
    assert status == 400 and f"Ticket #{t} is resolved" in page


@pytest.fixture(scope="module")
def refusing_desk(module_serve):
    """A desk over tickets 1 (open), 2 (claimed by wang) and 3 (resolved), and lin's token, a manager's
    (wang holds one too): each refused form changes nothing another test looks at."""
    server = module_serve()
    # three customers, each with one ticket (a customer's second request goes on its open ticket)
    for account in ("deskb", "deskc"):
        cli(server.db, "--role", "admin", "admin", "account", "create", account, "--industry", "retail")
    for account, reason in (("demo", "please call"), ("deskb", "my template is stuck"), ("deskc", "why was it rejected")):
        customer = server.token("--account", account)
        made = server.call("POST", "/v1/tickets", customer, {"reason": reason})
        assert made[0] == 200 and made[1]["reused"] is False
    lin, wang = server.token("--user", "lin", "--grant", "manager"), server.token("--user", "wang", "--grant", "manager")
    assert server.call("POST", "/v1/tickets/2/claim", wang, {})[0] == 200
    assert server.call("POST", "/v1/tickets/3/resolve", lin, {"note": "Called and fixed"})[0] == 200
    return server, lin


# each form the desk refuses: (ticket, action, fields, the catalogue's sentence and its fields)
DESK_REFUSALS = {
    "reply empty": (1, "reply", {"text": "  "}, "handoff.empty.reply", {}),
    "note empty": (1, "note", {"text": ""}, "handoff.empty.note", {}),
    "resolution empty": (1, "resolve", {"note": " "}, "handoff.empty.resolve", {}),
    "reply too long": (1, "reply", {"text": "长" * 4001}, "handoff.too_long.reply", {"count": "4,001", "most": "4,000"}),
    "note too long": (1, "note", {"text": "x" * 4100}, "handoff.too_long.note", {"count": "4,100", "most": "4,000"}),
    "resolution too long": (1, "resolve", {"note": "x" * 4002}, "handoff.too_long.resolve",
                            {"count": "4,002", "most": "4,000"}),
    "assign to nobody": (1, "assign", {"to": " "}, "handoff.assign_to", {}),
    "assign to a stranger": (1, "assign", {"to": "zhang"}, "handoff.no_colleague", {"name": "zhang", "names": "lin, wang"}),
    "claim a claimed one": (2, "claim", {}, "handoff.claimed", {"id": "2", "owner": "wang"}),
    "claim a resolved one": (3, "claim", {}, "handoff.resolved", {"id": "3"}),
    "reply on a resolved one": (3, "reply", {"text": "还有一个问题"}, "handoff.resolved", {"id": "3"}),
    "assign a resolved one": (3, "assign", {"to": "wang"}, "handoff.resolved", {"id": "3"}),
    "resolve a resolved one": (3, "resolve", {"note": "again"}, "handoff.resolved", {"id": "3"}),
    "reopen an open one": (1, "reopen", {}, "handoff.not_resolved", {"id": "1"}),
}


@pytest.mark.parametrize("refusal", list(DESK_REFUSALS))
def test_each_refused_form_on_a_chinese_desk_says_the_cores_refusal_as_the_catalogues_chinese(refusing_desk, kb, refusal):
    from assistant.messages import say

    server, lin = refusing_desk
    t, action, form, msg_id, fields = DESK_REFUSALS[refusal]
    for lang, accept in (("zh", "zh-CN"), ("en", "en")):
        browser = Browser(server.url, lang=accept)
        browser.sign_in(lin)
        status, _, page = browser.go(f"/desk/tickets/{t}/{action}", {"csrf": browser.csrf(f"/desk/tickets/{t}"), **form})
        said = html.unescape(re.search(r'data-role="error">([^<]*)<', page).group(1))
        sentence = say(kb, msg_id, lang, **fields)
        assert status == 400 and said == sentence[:1].upper() + sentence[1:], (lang, said)
        if lang == "zh":                                    # Chinese but for the people's names
            assert not re.search(r"[a-z]{3}", re.sub(r"zhang|wang|lin", "", said)), said


def test_the_template_industry_buttons_of_a_chinese_chat_are_chinese_words_the_conversation_reads(desk, kb):
    server = desk["server"]
    cli(server.db, "--now", "2026-10-01T10:00", "enable")
    cli(server.db, "--now", "2026-10-01T10:00", "signature", "submit", "AcmeShop", "--source", "trademark")
    browser = Browser(server.url, lang="zh-CN")
    browser.sign_in(desk["customer"])
    csrf = browser.csrf("/chat")
    for line in ("创建一个模板", "Sale", "AcmeShop"):
        view = chat_say(browser, csrf, line)
    assert view["waiting"]["slot"] == "industry" and "e-commerce" in view["waiting"]["choices"], view["waiting"]
    buttons = re.findall(r'name="text" value="([^"]*)">\s*<button type="submit">', browser.go("/chat")[2])
    assert "电商" in buttons and not any(re.search(r"[a-z]", b) for b in buttons), buttons
    assert chat_say(browser, csrf, "电商")["waiting"]["slot"] != "industry"    # the label is read as the value
    from assistant.choices import pick

    words, named = i18n.Words(i18n.catalogue(None), "zh"), kb.slot_types["industry"].choices
    for industry in kb.rules.template_industries:                        # every button of every industry
        assert words.choice(industry) != industry and pick(words.choice(industry), named) == industry, industry


@pytest.mark.parametrize("lang,welcome", [("en", "send /help in the box below"), ("zh-CN", "在下方输入框发送 /help")])
def test_the_chats_welcome_says_where_to_send_help_as_the_guide_does(desk, lang, welcome):
    browser = Browser(desk["server"].url, lang=lang)
    browser.sign_in(desk["customer"])
    page = browser.go("/chat")[2]
    transcript = page[page.find("<ol"):page.find("</ol>")]
    assert welcome in transcript, transcript
    guide = pathlib.Path(__file__).resolve().parent.parent / "docs" / "desk.md"
    assert welcome in guide.read_text(encoding="utf-8")                   # the guide says what the page says


@pytest.mark.parametrize("lang,ack,customer", [("en", "OK.", "the customer (account demo)"),
                                               ("zh-CN", "好的。", "客户（账号 demo）")])
def test_a_ticket_shows_the_assistants_short_ack_after_the_customers_line_and_names_the_customer_in_words(serve, lang, ack,
                                                                                                        customer):
    server = serve()
    browser = Browser(server.url, lang=lang)
    browser.sign_in(server.token("--account", "demo"))
    csrf = browser.csrf("/chat")
    zh = lang != "en"
    for line in (("签名审核要多久", "不用", "转人工", "好的") if zh else
                 ("how long does signature review take", "no", "I want to talk to a person", "yes")):
        chat_say(browser, csrf, line)
    desk = Browser(server.url, lang=lang)
    desk.sign_in(server.token("--user", "lin", "--grant", "manager"))
    page = desk.go("/desk/tickets/1")[2]
    turns = [re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<li data-from=\"(?:user|assistant)\"[^>]*>(.*?)</li>",
                                                         re.search(r'<ol class="turns">(.*?)</ol>', page, re.S).group(1), re.S)]
    declined = next(n for n, t in enumerate(turns) if t.endswith(": 不用" if zh else ": no"))
    assert turns[declined + 1].endswith(ack), turns                       # the assistant's turn after it, short as it was
    history = re.search(r'<ol class="history" data-role="history">(.*?)</ol>', page, re.S).group(1)
    assert customer in html.unescape(history) and "token#" not in history, history
