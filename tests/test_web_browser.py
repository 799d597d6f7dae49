"""The round trip in a real browser (Debian's chromium, driven by playwright with the system browser):
a customer chats and asks for a person, the ticket appears on a manager's open desk without a
reload, the manager claims, notes, replies and resolves, and the customer sees the reply and never
the note. In English and in Chinese, with no console errors.

Skipped when playwright or chromium is missing (`.ci/run` installs both).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
CHROMIUM = os.environ.get("ASSISTANT_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="no chromium on this machine (apt-get install chromium)")

# Flags for a headless browser on a machine with no network but loopback, as root in a container.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
WORDS = {
    "en": {"sign_in": "Sign in", "claim": "Claim", "a_person": "I want to talk to a person", "yes": "yes",
           "thanks": "Thank", "yes_button": "yes", "plain_question": "what is a digital message"},
    "zh": {"sign_in": "登录", "claim": "认领", "a_person": "转人工", "yes": "好的", "thanks": "感谢", "yes_button": "是",
           "plain_question": "什么是数字短信"},
}


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright):
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield launched
    launched.close()


def open_page(browser, url: str, lang: str):
    context = browser.new_context(locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url + "/login")
    return page, errors


def sign_in(page, token: str, lang: str) -> None:
    page.fill("input[name=token]", token)
    page.get_by_role("button", name=WORDS[lang]["sign_in"]).click()


def open_chat(browser, server, lang: str):
    """The demo account's chat, signed in, in LANG: (the page, its console errors)."""
    chat, errors = open_page(browser, server.url, lang)
    sign_in(chat, server.token("--account", "demo"), lang)
    chat.wait_for_url("**/chat")
    return chat, errors


def say(page, text: str) -> None:
    page.fill("form[data-action=say] input[name=text]", text)
    page.press("form[data-action=say] input[name=text]", "Enter")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_handoff_round_trip_in_a_real_browser(serve, browser, lang):
    server = serve()
    customer_token = server.token("--account", "demo")
    manager_token = server.token("--user", "lin", "--grant", "manager")
    words = WORDS[lang]

    desk, desk_errors = open_page(browser, server.url, lang)
    sign_in(desk, manager_token, lang)
    desk.wait_for_url("**/desk")
    assert desk.locator("[data-ticket-id]").count() == 0

    chat, chat_errors = open_page(browser, server.url, lang)
    sign_in(chat, customer_token, lang)
    chat.wait_for_url("**/chat")
    transcript = chat.locator("[data-role=transcript]")
    say(chat, words["plain_question"])
    # an answer that asks nothing back is followed by the feedback box
    transcript.locator("li[data-role=feedback] button[data-feedback=yes]").last.click()
    transcript.locator("li[data-role=feedback]", has_text=WORDS[lang]["thanks"]).wait_for()
    say(chat, "how long does signature review take")
    transcript.locator("li[data-from=assistant]", has_text="7").last.wait_for()
    # an answer with an offer ("check the status now?") has the offer's buttons, not feedback beside them
    assert chat.locator("[data-role=choices] button").count() >= 2
    assert chat.locator("[data-role=choices] button", has_text=words["yes_button"]).count() == 1   # in the page's language
    assert transcript.locator("li[data-role=feedback] button").count() == 0
    say(chat, words["a_person"])
    say(chat, words["yes"])
    transcript.locator("li[data-from=assistant]", has_text="#1").wait_for()

    # the ticket appears on the open desk by itself (live update, no reload)
    row = desk.locator('[data-ticket-id="1"][data-status="open"]')
    row.wait_for(timeout=5_000)
    desk.click('[data-ticket-id="1"] a >> nth=0')
    desk.wait_for_url("**/desk/tickets/1")
    desk.get_by_role("button", name=words["claim"]).click()
    desk.wait_for_url("**/desk/tickets/1?done=1")
    note = "internal: checked with China Telecom" if lang == "en" else "内部：已与电信核实"
    desk.fill("form[data-action=note] textarea[name=text]", note)
    desk.click("form[data-action=note] button[type=submit]")
    desk.wait_for_selector("[data-role=notes] li")
    desk.select_option("form[data-action=reply] select[data-role=canned]", index=1)
    reply = desk.input_value("form[data-action=reply] textarea[name=text]")
    assert reply  # the canned reply filled the text in
    desk.click("form[data-action=reply] button[type=submit]")
    desk.wait_for_url("**/desk/tickets/1?done=1")
    bar = chat.locator("[data-role=status-bar]")
    before = bar.inner_text()
    desk.fill("form[data-action=resolve] textarea[name=note]", "Approved now.")
    desk.click("form[data-action=resolve] button[type=submit]")
    desk.locator('h1[data-status="resolved"]').wait_for()

    # the customer's open chat shows the reply and the resolution as they arrive, never the note
    transcript.locator("li[data-from=support]", has_text=reply[:20]).wait_for(timeout=10_000)
    transcript.locator("li[data-from=support]", has_text="Approved now.").wait_for(timeout=10_000)
    said = transcript.locator("li[data-from=support]", has_text="Approved now.").inner_text()
    assert said.startswith("Support (lin, #1): " if lang == "en" else "客服（lin，#1）："), said   # the language's brackets
    assert note not in chat.content()
    chat.wait_for_function("([el, before]) => el.textContent !== before", arg=[bar.element_handle(), before])
    live_bar = bar.inner_text()   # the ticket's resolution closed it: the status bar says so without a reload
    chat.reload()
    assert note not in chat.content()
    assert bar.inner_text() == live_bar
    assert desk_errors == [] and chat_errors == []
    assert transcript.locator("li.error").count() == 0


def test_the_chats_buttons_speak_the_pages_language_and_only_the_newest_turn_has_any(serve, browser):
    server = serve()
    chat, errors = open_chat(browser, server, "zh")
    transcript = chat.locator("[data-role=transcript]")
    assert not chat.locator("form[data-action=attach]").is_visible()   # no file is asked for
    say(chat, "什么是数字短信")
    transcript.locator("li[data-role=feedback] button").first.wait_for()
    say(chat, "签名审核要多久")
    chat.locator("[data-role=choices] button", has_text="是").wait_for()
    assert chat.locator("[data-role=choices] button", has_text="是").count() == 1
    chat.locator("[data-role=choices] button", has_text="是").click()
    # the customer's line is the label they pressed; the older answer's feedback buttons are gone
    transcript.locator("li[data-from=customer]", has_text=re.compile("^是$")).wait_for()   # (the question before has a 是 in it)
    assert transcript.locator("li[data-from=customer]", has_text="yes").count() == 0
    assert transcript.locator("li[data-role=feedback] button").count() == 0
    answers = "[data-role=transcript] li[data-from=assistant]"
    for command in ("/status", "/queue"):
        count, boxes = chat.locator(answers).count(), transcript.locator("li[data-role=feedback]").count()
        say(chat, command)
        chat.wait_for_function("([css, n]) => document.querySelectorAll(css).length > n", arg=[answers, count])
        chat.wait_for_timeout(300)
        assert transcript.locator("li[data-role=feedback]").count() == boxes, command   # a command's output is no FAQ answer
    assert errors == [] and transcript.locator("li.error").count() == 0


def test_a_chinese_chat_gives_the_chats_hints_and_its_part_of_a_ticket_is_marked_in_chinese(serve, browser):
    server = serve()
    customer_token = server.token("--account", "demo")
    status, ticket = server.call("POST", "/v1/tickets", customer_token, {"reason": "my template is stuck"})
    assert status == 200, ticket
    chat, chat_errors = open_page(browser, server.url, "zh")
    sign_in(chat, customer_token, "zh")
    chat.wait_for_url("**/chat")
    transcript = chat.locator("[data-role=transcript]")
    say(chat, "发送失败的消息会怎样？")
    answer = transcript.locator("li[data-from=assistant]", has_text="/sends ID").last
    answer.wait_for()
    assert "/error CODE" in answer.inner_text() and "assistant " not in chat.content()   # no command line here
    say(chat, "转人工")
    say(chat, "好的")
    transcript.locator("li[data-from=assistant]", has_text=f"#{ticket['id']}").last.wait_for()   # (the go-ahead names it too)

    desk, desk_errors = open_page(browser, server.url, "en")     # the manager reads English pages
    sign_in(desk, server.token("--user", "lin", "--grant", "manager"), "en")
    desk.wait_for_url("**/desk")
    desk.goto(f"{server.url}/desk/tickets/{ticket['id']}")
    part = desk.locator("li[data-from=part]")
    part.wait_for()
    assert part.inner_text().startswith("后续对话，添加于 ")
    assert "Later conversation" not in desk.content()
    assert chat_errors == [] and desk_errors == []


@pytest.mark.parametrize("lang, offered, plain", [("en", "how long does signature review take", "what is a digital message"),
                                                  ("zh", "签名审核要多久", "什么是数字短信")])
def test_feedback_is_asked_of_an_answer_never_beside_an_offers_yes_and_no(serve, browser, lang, offered, plain):
    server = serve()
    chat, errors = open_chat(browser, server, lang)
    transcript = chat.locator("[data-role=transcript]")
    say(chat, offered)
    chat.locator("[data-role=choices] button", has_text=WORDS[lang]["yes_button"]).wait_for()   # the offer's yes/no
    chat.wait_for_timeout(300)
    assert transcript.locator("li[data-role=feedback]").count() == 0
    say(chat, plain)                                   # an answer that asks nothing back: helpful or not?
    transcript.locator("li[data-role=feedback] button[data-feedback=yes]").wait_for()
    assert chat.locator("[data-role=choices] button").count() == 0
    assert errors == []


@pytest.mark.parametrize("lang,asked,question", [("zh", "转人工", "确定执行吗？"),
                                                 ("en", "I want to talk to a person", "Go ahead?")])
def test_the_chat_asks_a_go_ahead_once_beside_its_buttons(serve, browser, lang, asked, question):
    server = serve()
    chat, errors = open_chat(browser, server, lang)
    say(chat, asked)
    chat.locator("[data-role=choices] button", has_text=WORDS[lang]["yes_button"]).wait_for()
    assert chat.locator("main").inner_text().count(question) == 1
    chat.reload()                                   # the page as the server draws it: still once
    chat.locator("[data-role=choices] button", has_text=WORDS[lang]["yes_button"]).wait_for()
    assert chat.locator("main").inner_text().count(question) == 1
    assert errors == []


def a_ticket_and_its_manager(serve):
    """A service whose demo customer has a ticket open: (the server, the ticket, a token of lin, a manager)."""
    server = serve()
    status, ticket = server.call("POST", "/v1/tickets", server.token("--account", "demo"), {"reason": "my template is stuck"})
    assert status == 200, ticket
    return server, ticket, server.token("--user", "lin", "--grant", "manager")


def test_a_managers_reply_and_resolution_reach_every_open_chat_tab_of_the_customer(serve, browser):
    server, ticket, manager_token = a_ticket_and_its_manager(serve)
    first, errors = open_chat(browser, server, "zh")
    second = first.context.new_page()                 # a second tab of the same signed-in browser
    second.set_default_timeout(20_000)
    second.on("pageerror", lambda exc: errors.append(str(exc)))
    second.goto(server.url + "/chat")
    second.locator("[data-role=transcript]").wait_for()
    status, _ = server.call("POST", f"/v1/tickets/{ticket['id']}/reply", manager_token, {"text": "正在处理，请稍候。"})
    assert status == 200
    for tab in (first, second):
        tab.locator("[data-role=transcript] li[data-from=support]",
                    has_text=f"客服（lin，#{ticket['id']}）：正在处理，请稍候。").wait_for(timeout=10_000)   # Chinese brackets
    status, _ = server.call("POST", f"/v1/tickets/{ticket['id']}/resolve", manager_token, {"note": "已处理。", "by": "lin"})
    assert status == 200
    for tab in (first, second):
        tab.locator("[data-role=transcript] li[data-from=support]", has_text="已处理。").wait_for(timeout=10_000)
    first.wait_for_timeout(3_500)                     # a poll more: each reply is shown once in each tab
    for tab in (first, second):
        assert tab.locator("[data-role=transcript] li[data-from=support]", has_text="正在处理").count() == 1
        assert tab.locator("[data-role=transcript] li[data-from=support]", has_text="已处理。").count() == 1
        assert tab.locator("[data-role=transcript] li[data-from=hint]", has_text="要回复 lin").count() == 1   # under the reply
    assert errors == []


SHOWN = """() => [...document.querySelectorAll('[data-role=transcript] li:not([data-role=feedback])')]
                 .map(li => [li.dataset.from, li.className, li.textContent])"""


@pytest.mark.parametrize("lang, question, related", [("zh", "签名审核要好久", "相关问题："),
                                                     ("en", "how long does signature review take", "Related: ")])
def test_a_reload_shows_the_chat_as_it_was_welcome_answer_and_related_lines_included(serve, browser, lang, question,
                                                                                    related):
    server = serve()
    chat, errors = open_chat(browser, server, lang)
    transcript = chat.locator("[data-role=transcript]")
    say(chat, question)
    transcript.locator("li[data-from=assistant]", has_text=related).wait_for()
    chat.locator("[data-role=choices] button", has_text=WORDS[lang]["yes_button"]).wait_for()
    before = chat.evaluate(SHOWN)
    assert [who for who, _, _ in before[:3]] == ["assistant"] * 3 and any(related in text for _, _, text in before)
    chat.reload()
    chat.locator("[data-role=choices] button", has_text=WORDS[lang]["yes_button"]).wait_for()
    assert chat.evaluate(SHOWN) == before                 # the same lines, in the same kinds (their colours)
    say(chat, "/account acme")                            # and a line refused whole stays too, with its refusal
    chat.wait_for_function("n => document.querySelectorAll('[data-role=transcript] li').length > n", arg=len(before) + 1)
    chat.wait_for_timeout(300)
    again = chat.evaluate(SHOWN)
    assert again[-1][:2] == ["assistant", "error"] and "/account" in again[-1][2], again[-2:]
    chat.reload()
    transcript.locator("li[data-from=customer]", has_text="/account acme").wait_for()
    assert chat.evaluate(SHOWN) == again
    assert errors == []


ON_A_PHONE = """() => ({page: document.documentElement.scrollWidth, header: document.querySelector('header.top').scrollWidth,
  fonts: [...document.querySelectorAll('.turns li:not(.table)')].map(li => getComputedStyle(li).fontFamily)})"""


def test_the_desk_on_a_phone_never_scrolls_sideways_and_says_the_conversation_in_one_font(serve, browser, tmp_path):
    from test_web import _with_an_approved_template, cli

    server = _with_an_approved_template(serve, tmp_path)   # the signatures' and templates' tables
    cli(server.db, "--now", "2026-11-20T10:00", "send", "DIGITAL_SMS_0001", "13800138000", "19212345678")
    chat, errors = open_chat(browser, server, "zh")
    say(chat, "签名审核要多久")
    chat.locator("[data-role=choices] button", has_text="是").wait_for()
    say(chat, "是")                                       # a status table in the conversation
    chat.locator("[data-role=transcript] li.table").first.wait_for()
    say(chat, "转人工")
    chat.locator("[data-role=choices] button", has_text="是").wait_for()
    say(chat, "好的")
    chat.locator("[data-role=transcript] li[data-from=assistant]", has_text="#1").wait_for()
    desk, desk_errors = open_page(browser, server.url, "en")
    desk.set_viewport_size({"width": 375, "height": 800})
    sign_in(desk, server.token("--user", "lin", "--grant", "manager"), "en")
    desk.wait_for_url("**/desk")
    for path in ("/desk", "/desk/tickets/1", "/desk/reports", "/desk/gaps"):
        desk.goto(server.url + path)
        shown = desk.evaluate(ON_A_PHONE)
        assert shown["page"] <= 375 and shown["header"] <= 375, (path, shown)   # the header band spans the page
    desk.goto(server.url + "/desk/tickets/1")
    fonts = desk.evaluate(ON_A_PHONE)["fonts"]
    assert len(fonts) >= 6 and len(set(fonts)) == 1, fonts
    assert desk.locator(".turns li.table").count() >= 1   # a table keeps its fixed font, its columns lined up
    assert errors == [] and desk_errors == []


FEEDBACK = "[data-role=transcript] li[data-role=feedback]"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_reload_draws_the_newest_answers_feedback_again_and_a_verdict_given_shows_as_given(serve, browser, lang):
    server = serve()
    chat, errors = open_chat(browser, server, lang)
    chat.set_viewport_size({"width": 375, "height": 800})
    say(chat, WORDS[lang]["plain_question"])
    chat.locator(FEEDBACK + " button[data-feedback=yes]").wait_for()
    live = chat.locator(FEEDBACK).inner_text()
    chat.reload()                                        # the server draws the box the script drew
    assert chat.locator(FEEDBACK).count() == 1 and chat.locator(FEEDBACK).inner_text() == live
    assert chat.locator(FEEDBACK + " button").count() == 3
    assert chat.evaluate("document.documentElement.scrollWidth") <= 375   # a phone's width: no sideways scroll
    chat.locator(FEEDBACK + " button[data-feedback=not_related]").focus()   # by the keyboard
    chat.keyboard.press("Enter")
    chat.locator(FEEDBACK, has_text=WORDS[lang]["thanks"]).wait_for()
    chat.reload()                                        # given: said so, no buttons to give a second one
    chat.locator(FEEDBACK, has_text=WORDS[lang]["thanks"]).wait_for()
    assert chat.locator(FEEDBACK + " button").count() == 0
    manager = server.token("--user", "lin", "--grant", "manager")
    status, figures = server.call("GET", "/v1/reports", manager)
    assert status == 200 and [(f["yes"], f["not_related"], f["not_answered"]) for f in figures["feedback"]] == [(0, 1, 0)]
    assert errors == []


def test_a_reload_draws_no_feedback_beside_an_offer_nor_under_an_older_answer(serve, browser):
    server = serve()
    chat, errors = open_chat(browser, server, "en")
    say(chat, "what is a digital message")
    chat.locator(FEEDBACK + " button").first.wait_for()
    say(chat, "how long does signature review take")      # an answer with an offer: its yes/no instead
    chat.locator("[data-role=choices] button", has_text="yes").wait_for()
    chat.reload()
    chat.locator("[data-role=choices] button", has_text="yes").wait_for()
    assert chat.locator(FEEDBACK).count() == 0
    say(chat, "no")
    say(chat, "/status")                                  # a command's output is no FAQ answer
    chat.locator("[data-role=transcript] li[data-from=customer]", has_text="/status").wait_for()
    chat.wait_for_timeout(500)
    chat.reload()
    assert chat.locator(FEEDBACK).count() == 0
    assert errors == []


@pytest.fixture(scope="module")
def caching_browser(playwright):
    """Chromium with its back/forward cache, as people run it (playwright turns the cache off)."""
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                          ignore_default_args=["--disable-back-forward-cache"])
    yield launched
    launched.close()


@pytest.mark.parametrize("cache", ["http cache", "back/forward cache"])
def test_the_back_button_shows_the_conversation_as_the_service_has_it(serve, request, cache):
    server = serve()
    chat, errors = open_chat(request.getfixturevalue("caching_browser" if cache == "back/forward cache" else "browser"),
                             server, "en")
    transcript = chat.locator("[data-role=transcript]")
    say(chat, "what is a digital message")                # said in place: the page as first drawn lacks it
    transcript.locator("li[data-role=feedback] button").first.wait_for()
    csrf = chat.locator("form[data-action=say] input[name=csrf]").input_value()
    chat.goto("about:blank")
    said = chat.context.request.post(server.url + "/chat/say", form={"csrf": csrf, "text": "zebra crossing"},
                                     headers={"Accept": "application/json"})   # elsewhere, meanwhile
    assert said.ok, said.text()
    chat.go_back(wait_until="commit")
    transcript.locator("li[data-from=customer]", has_text="zebra crossing").wait_for(timeout=5_000)
    assert transcript.locator("li[data-from=customer]", has_text="what is a digital message").count() == 1
    say(chat, "what is a digital message")                # and the page goes on working
    chat.locator(FEEDBACK + " button").first.wait_for()
    assert errors == []


@pytest.mark.parametrize("name, data", [("notes.txt", b"just some words, no picture"),
                                        ("terms.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")])
def test_a_chinese_chats_upload_that_is_no_media_is_refused_in_chinese_with_what_a_template_takes(serve, browser,
                                                                                                  tmp_path, name, data):
    import io

    from assistant.cli import main

    server = serve()
    for argv in (["enable"], ["signature", "submit", "AcmeShop", "--source", "trademark"]):   # registered by now
        assert main(["--db", server.db, "--now", "2026-03-02T10:00", *argv], stdout=io.StringIO(),
                    stderr=io.StringIO()) == 0
    chat, errors = open_chat(browser, server, "zh")
    transcript = chat.locator("[data-role=transcript]")
    for text, asked in (("帮我建一个模板", "模板名称"), ("春季促销", "签名"), ("AcmeShop", "行业"), ("电商", "文字内容"),
                        ("${name}您好，新品优惠，欢迎选购", "媒体文件")):
        say(chat, text)
        chat.locator("main", has_text=asked).last.wait_for()
        transcript.locator("li[data-from=customer]", has_text=text).wait_for()
    attach = chat.locator("form[data-action=attach]")
    attach.wait_for()
    (tmp_path / name).write_bytes(data)
    attach.locator("input[type=file]").set_input_files(str(tmp_path / name))
    attach.locator("button[type=submit]").click()
    refusal = transcript.locator("li[data-from=assistant]", has_text=f"{name} 不是")
    refusal.wait_for()
    said = refusal.inner_text()
    # what a template takes, as the specification gives it: the formats, one video at most, under 1,900 KB in all
    assert all(part in said for part in ("PNG", "GIF", "JPG", "MP4", "MP3", "1900 KB")), said
    assert "is not a" not in said and "isv.UNSUPPORTED_CONTENT" not in said, said
    assert attach.is_visible()                       # the media prompt still waits for a file
    chat.reload()                                    # kept in the transcript as said
    transcript.locator("li[data-from=assistant]", has_text=f"{name} 不是").wait_for()
    assert errors == []


def _at_the_media_prompt(server, chat):
    """CHAT (zh) walked through template creation up to its media prompt (signature AcmeShop submitted)."""
    from test_web import cli

    cli(server.db, "--now", "2026-10-01T10:00", "enable")
    cli(server.db, "--now", "2026-10-01T10:00", "signature", "submit", "AcmeShop", "--source", "trademark")
    for text in ("创建一个模板", "Sale", "AcmeShop", "e-commerce", "Hi there"):
        say(chat, text)
    chat.locator("form[data-action=attach]").wait_for(state="visible")


def test_a_stale_tab_never_answers_a_question_it_did_not_show_and_catches_up(serve, browser):
    from conftest import png_bytes

    server = serve()
    first, errors = open_chat(browser, server, "zh")
    _at_the_media_prompt(server, first)
    second = first.context.new_page()                     # a second tab, still at the media prompt
    second.set_default_timeout(20_000)
    second.on("pageerror", lambda exc: errors.append(str(exc)))
    second.goto(server.url + "/chat")
    second.locator("form[data-action=attach]").wait_for(state="visible")
    first.set_input_files("form[data-action=attach] input[type=file]",
                          files=[{"name": "banner.png", "mimeType": "image/png", "buffer": png_bytes()}])
    first.click("form[data-action=attach] button[type=submit]")
    first.locator("[data-role=choices] button", has_text="是").wait_for()     # the preview's go-ahead
    say(second, "否")                                     # answers what the second tab shows: the media prompt
    refusal = second.locator("[data-role=transcript] li.error", has_text="另一个窗口")
    refusal.wait_for()
    second.locator("[data-role=choices] button", has_text="是").wait_for()    # caught up: the go-ahead it now asks
    assert second.locator("form[data-action=attach]").is_hidden()
    assert "moved on" not in refusal.inner_text()
    for tab in (first, second):
        assert "未执行" not in tab.locator("[data-role=transcript]").inner_text()
    first.locator("[data-role=choices] button", has_text="是").click()        # the template was kept: it goes ahead
    first.locator("[data-role=transcript] li[data-from=assistant]", has_text="DIGITAL_SMS_").last.wait_for()
    status, made = server.call("GET", "/v1/templates", server.token("--account", "demo"))
    assert status == 200 and [t["name"] for t in made] == ["Sale"], made
    assert errors == []


def test_a_long_code_in_a_tickets_title_wraps_on_a_phone(serve, browser):
    server = serve()
    status, _ = server.call("POST", "/v1/tickets", server.token("--account", "demo"),
                            {"reason": "短信全部发送失败，报错（isv.MOBILE_NUMBER_ILLEGAL）（isv.BUSINESS_LIMIT_CONTROL）"})
    assert status == 200
    desk, errors = open_page(browser, server.url, "zh")
    desk.set_viewport_size({"width": 375, "height": 800})
    sign_in(desk, server.token("--user", "lin", "--grant", "manager"), "zh")
    desk.wait_for_url("**/desk")
    for path in ("/desk", "/desk/tickets/1"):
        desk.goto(server.url + path)
        assert "isv.MOBILE_NUMBER_ILLEGAL" in desk.content()
        assert desk.evaluate("document.documentElement.scrollWidth") <= 375, path
    assert errors == []


def test_a_reload_mid_flow_shows_the_latest_turn_and_the_open_prompt(serve, browser):
    from test_web import cli

    server = serve()
    cli(server.db, "--now", "2026-10-01T10:00", "enable")
    chat, errors = open_chat(browser, server, "en")
    chat.set_viewport_size({"width": 800, "height": 600})
    for question in ("what is a digital message", "what is td", "how long does template review take",
                     "what is a signature", "what does a digital message cost"):
        say(chat, question)
    say(chat, "submit a signature")
    transcript = chat.locator("[data-role=transcript]")
    transcript.locator("li.prompt").last.wait_for()
    chat.reload()
    transcript.locator("li.prompt").last.wait_for()
    assert chat.evaluate("(el) => el.scrollHeight > el.clientHeight", transcript.element_handle())   # it scrolls
    assert chat.evaluate("(el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2", transcript.element_handle())
    prompt = transcript.locator("li.prompt").last.bounding_box()
    assert prompt and prompt["y"] >= 0 and prompt["y"] + prompt["height"] <= 600        # in view, with no scrolling
    assert errors == []


@pytest.mark.parametrize("lang, asked, labels, yes", [
    ("en", "send a message to 13800138000", ["Sale (DIGITAL_SMS_0001)", "Restock (DIGITAL_SMS_0002)",
                                             "Launch (DIGITAL_SMS_0003)"], "yes"),
    ("zh", "帮我发一条消息给13800138000", ["Sale（DIGITAL_SMS_0001）", "Restock（DIGITAL_SMS_0002）",
                                      "Launch（DIGITAL_SMS_0003）"], "是")])
def test_the_chats_template_buttons_name_each_template_once_and_a_click_sends_with_it(serve, browser, tmp_path,
                                                                                       lang, asked, labels, yes):
    import datetime as dt

    from conftest import png_bytes
    from test_web import cli

    server = serve()
    image = tmp_path / "banner.png"
    image.write_bytes(png_bytes())
    days_ago = lambda n: (dt.datetime.now() - dt.timedelta(days=n)).strftime("%Y-%m-%dT10:00")   # noqa: E731
    cli(server.db, "--now", days_ago(90), "enable")
    cli(server.db, "--now", days_ago(90), "signature", "submit", "AcmeShop", "--source", "trademark")
    for name, text, made in (("Sale", "The sale is on", 60), ("Restock", "Back in stock", 60),
                             ("Launch", "New phone launch", 0)):        # two approved by now, one still in review
        cli(server.db, "--now", days_ago(made), "template", "create", "--name", name, "--signature", "AcmeShop",
            "--industry", "e-commerce", "--text", text, "--media", str(image))
    chat, errors = open_chat(browser, server, lang)
    say(chat, asked)
    buttons = chat.locator("[data-role=choices] button")
    buttons.first.wait_for()
    assert buttons.all_inner_texts() == labels
    buttons.filter(has_text=labels[1]).click()
    chat.locator("[data-role=choices] button", has_text=yes).wait_for()        # the preview's go-ahead
    said = chat.locator("[data-role=transcript]").inner_text()
    assert "DIGITAL_SMS_0002" in said and "Back in stock" in said and "Can reach now" not in said, said
    assert errors == []


def test_a_reply_written_before_the_chat_opens_is_shown_once_on_first_load_and_after_a_reload(serve, browser):
    server, ticket, manager_token = a_ticket_and_its_manager(serve)
    status, _ = server.call("POST", f"/v1/tickets/{ticket['id']}/reply", manager_token,
                            {"text": "UNIQUE-REPLY-42 please resubmit"})
    assert status == 200
    chat, errors = open_chat(browser, server, "en")
    transcript = chat.locator("[data-role=transcript]")
    transcript.locator("li", has_text="UNIQUE-REPLY-42").first.wait_for()
    for _ in range(2):                                   # on first load, then after a reload
        chat.wait_for_timeout(2_500)                     # a poll of the inbox more
        assert transcript.locator("li", has_text="UNIQUE-REPLY-42").count() == 1, chat.evaluate(SHOWN)
        assert transcript.locator("li[data-from=hint]", has_text="lin").count() == 1, chat.evaluate(SHOWN)
        chat.reload()
        transcript.locator("li", has_text="UNIQUE-REPLY-42").first.wait_for()
    assert errors == []


# --- what a walk through the pages found (stop 32) ---------------------------------------------

ENDED = {"en": "Your session has ended", "zh": "您的登录已失效"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_chat_whose_token_is_revoked_says_the_session_ended_and_keeps_the_line_typed(serve, browser, lang):
    from test_web import cli

    server = serve()
    chat, errors = open_chat(browser, server, lang)    # the token made first: #1
    say(chat, WORDS[lang]["plain_question"])
    chat.locator(FEEDBACK + " button").first.wait_for()
    cli(server.db, "--role", "admin", "admin", "token", "revoke", "1")
    say(chat, "how long does signature review take")
    ended = chat.locator("[data-role=transcript] li[data-role=signed-out]", has_text=ENDED[lang]).first
    ended.wait_for()
    assert ended.locator("a[href='/login']").count() == 1                      # a way to sign in again
    box = chat.locator("form[data-action=say] input[name=text]")
    assert box.input_value() == "how long does signature review take"         # the line typed is not lost
    assert "…" not in chat.locator("[data-role=transcript]").inner_text()
    said = chat.context.request.post(server.url + "/chat/say", form={"text": "hello"},
                                      headers={"Accept": "application/json"}, max_redirects=0)
    assert said.status == 401 and said.json()["signed_out"] is True         # the script can read why
    ended.locator("a").click()
    chat.wait_for_url("**/login")
    assert [e for e in errors if "401" not in e] == []                      # (the refused request's own console line)


def test_a_chat_past_its_sessions_hours_says_the_session_ended(serve, browser):
    """The twelve hours of a web session (rules.yaml), counted on the service's clock: X-Assistant-Now,
    which a service started with --allow-simulated-clock reads for its pages as for its API."""
    server = serve("--allow-simulated-clock")
    context = browser.new_context(locale="en-US", extra_http_headers={"X-Assistant-Now": "2026-11-20T09:00"})
    chat = context.new_page()
    chat.set_default_timeout(20_000)
    chat.goto(server.url + "/login")
    sign_in(chat, server.token("--account", "demo"), "en")
    chat.wait_for_url("**/chat")
    say(chat, "what is a digital message")
    chat.locator(FEEDBACK + " button").first.wait_for()
    context.set_extra_http_headers({"X-Assistant-Now": "2026-11-20T20:59"})    # 11 h 59 min on: still signed in
    say(chat, "what is td")
    chat.locator(FEEDBACK + " button").first.wait_for()
    assert chat.locator("[data-role=signed-out]").count() == 0
    context.set_extra_http_headers({"X-Assistant-Now": "2026-11-20T21:01"})    # past the 12 hours
    say(chat, "what is a signature")
    chat.locator("[data-role=signed-out]", has_text=ENDED["en"]).first.wait_for()
    assert chat.locator("form[data-action=say] input[name=text]").input_value() == "what is a signature"
    chat.goto(server.url + "/chat")                                          # a page without a session: sign in
    assert chat.url == server.url + "/login"
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_browser_never_meets_a_json_error_page_a_long_token_or_an_address_no_page_has(serve, browser, lang):
    import json

    server = serve()
    page, errors = open_page(browser, server.url, lang)
    page.fill("input[name=token]", "dm_" + "x" * 300)                   # over the 200 characters a token may have
    page.get_by_role("button", name=WORDS[lang]["sign_in"]).click()
    page.locator("[data-role=error]", has_text="令牌无效" if lang == "zh" else "not valid").wait_for()
    assert page.locator("form[data-action=login]").count() == 1
    sign_in(page, server.token("--account", "demo"), lang)
    page.wait_for_url("**/chat")
    for path in ("/chat/anything", "/desk/anything", "/nothing/at/all"):
        answered = page.goto(server.url + path)
        assert answered.status == 404 and "text/html" in answered.headers["content-type"], path
        assert page.locator("h1", has_text="页面不存在" if lang == "zh" else "Page not found").count() == 1, path
        assert "no such endpoint" not in page.content()
    status, body = server.call("GET", "/v1/anything")                  # the API keeps JSON
    assert status == 404 and "no such endpoint" in json.dumps(body)
    assert [e for e in errors if "404" not in e and "401" not in e] == []


@pytest.mark.parametrize("drawn", ["live", "after a reload"])
def test_a_double_click_on_a_choice_answers_once(serve, browser, drawn):
    server = serve()
    chat, errors = open_chat(browser, server, "zh")
    say(chat, "签名审核要多久")
    yes = chat.locator("[data-role=choices] button", has_text="是")
    yes.wait_for()
    if drawn == "after a reload":                       # the server's buttons (forms), not the script's
        chat.reload()
        yes.wait_for()
    chat.evaluate("b => { b.click(); b.click(); }", yes.element_handle())   # two presses, the second before any reply
    transcript = chat.locator("[data-role=transcript]")
    transcript.locator("li[data-from=customer]", has_text=re.compile("^是$")).first.wait_for()
    chat.wait_for_timeout(1_500)                        # the second click's answer, had it gone
    assert transcript.locator("li[data-from=customer]", has_text=re.compile("^是$")).count() == 1
    assert transcript.locator("li.error").count() == 0, transcript.inner_text()
    assert errors == []


ACTIVE = "() => { const el = document.activeElement; return [el.tagName, el.name || '', el.dataset.choice || el.textContent]; }"


@pytest.mark.parametrize("key", ["Enter", " "])
def test_the_keyboard_reaches_a_choice_after_the_input_and_comes_back_to_it_once_pressed(serve, browser, key):
    server = serve()
    chat, errors = open_chat(browser, server, "en")
    say(chat, "how long does signature review take")
    chat.locator("[data-role=choices] button", has_text="yes").wait_for()
    assert chat.evaluate(ACTIVE)[:2] == ["INPUT", "text"]          # typing stays where it was
    chat.keyboard.press("Tab")                                     # the input's Send button
    chat.keyboard.press("Tab")                                     # then the question's choices
    assert chat.evaluate(ACTIVE)[0] == "BUTTON" and chat.evaluate(ACTIVE)[2] == "yes", chat.evaluate(ACTIVE)
    chat.keyboard.press(key)
    chat.locator("[data-role=transcript] li[data-from=customer]", has_text=re.compile("^yes$")).wait_for()
    chat.wait_for_function("() => !document.querySelector('[data-role=choices] button[data-choice=yes]')")
    assert chat.evaluate(ACTIVE)[:2] == ["INPUT", "text"]          # back on the input, not lost to <body>
    say(chat, "what is a digital message")                         # a verdict given by the keyboard: the same
    chat.locator(FEEDBACK + " button[data-feedback=yes]").focus()
    chat.keyboard.press(key)
    chat.locator(FEEDBACK, has_text="Thank").wait_for()
    assert chat.evaluate(ACTIVE)[:2] == ["INPUT", "text"]
    assert errors == []


def test_a_bidi_override_or_invisible_line_never_reverses_text_nor_draws_an_empty_bubble(serve, browser):
    server = serve()
    customer = server.token("--account", "demo")
    status, ticket = server.call("POST", "/v1/tickets", customer, {"reason": "stuck"})
    assert status == 200
    chat, errors = open_chat(browser, server, "en")
    transcript = chat.locator("[data-role=transcript]")
    say(chat, "what is \u202etd")
    transcript.locator("li[data-from=customer]", has_text="what is").wait_for()
    say(chat, "\u200b\u200b")                                     # nothing readable: refused, never an empty bubble
    refusal = transcript.locator("li.error", has_text="empty question")
    refusal.wait_for()
    mine = lambda: [t for t in transcript.locator("li[data-from=customer]").all_inner_texts()]   # noqa: E731
    assert mine() == ["what is \\u202etd", "\\u200b\\u200b"], mine()
    chat.reload()                                                  # the server draws them the same way
    transcript.locator("li.error", has_text="empty question").wait_for()
    assert mine() == ["what is \\u202etd", "\\u200b\\u200b"], mine()
    manager = server.token("--user", "lin", "--grant", "manager")
    status, _ = server.call("POST", f"/v1/tickets/{ticket['id']}/note", manager, {"text": "checked \u202ewith telecom"})
    assert status == 200, _
    desk, desk_errors = open_page(browser, server.url, "en")
    sign_in(desk, manager, "en")
    desk.wait_for_url("**/desk")
    desk.goto(f"{server.url}/desk/tickets/{ticket['id']}")
    assert desk.locator("[data-role=notes] li").inner_text().endswith("checked \\u202ewith telecom")
    assert "\u202e" not in desk.content()
    assert errors == [] and desk_errors == []


def test_the_chats_box_takes_as_long_a_line_as_the_conversation_reads_and_keeps_a_refused_one(serve, browser):
    from test_web import cli

    from assistant.router import MAX_QUESTION

    server = serve()
    cli(server.db, "--now", "2026-10-01T10:00", "enable")
    chat, errors = open_chat(browser, server, "en")
    box = chat.locator("form[data-action=say] input[name=text]")
    assert box.get_attribute("maxlength") == str(MAX_QUESTION)          # a question: what the conversation reads
    box.focus()
    chat.keyboard.insert_text("x" * (MAX_QUESTION + 500))
    assert len(box.input_value()) == MAX_QUESTION                       # never a line it would refuse as too long
    box.fill("")
    say(chat, "submit a signature")                                      # a value prompt: a value may be longer
    chat.locator("[data-role=transcript] li.prompt").last.wait_for()
    chat.wait_for_function("n => document.querySelector('form[data-action=say] input[name=text]').maxLength > n",
                           arg=MAX_QUESTION)
    chat.reload()
    assert int(box.get_attribute("maxlength")) > MAX_QUESTION
    say(chat, "cancel")
    say(chat, "/account acme")                                           # refused whole: the line stays in the box
    chat.locator("[data-role=transcript] li.error", has_text="/account").wait_for()
    chat.wait_for_function("() => document.querySelector('form[data-action=say] input[name=text]').value !== ''")
    assert box.input_value() == "/account acme"
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_refused_desk_form_says_why_beside_it_focused_and_a_reload_never_posts_it_again(serve, browser, lang):
    server, ticket, manager = a_ticket_and_its_manager(serve)
    desk, errors = open_page(browser, server.url, lang)
    sign_in(desk, manager, lang)
    desk.wait_for_url("**/desk")
    desk.goto(f"{server.url}/desk/tickets/{ticket['id']}")
    desk.fill("form[data-action=note] textarea[name=text]", "   ")         # nothing but blanks: refused
    desk.click("form[data-action=note] button[type=submit]")
    refusal = desk.locator("form[data-action=note] [data-role=error]")
    refusal.wait_for()
    assert ("为空" if lang == "zh" else "empty") in refusal.inner_text()
    assert desk.evaluate("() => document.activeElement.dataset.role") == "error"   # focused: read out at once
    assert desk.url == f"{server.url}/desk/tickets/{ticket['id']}"               # the ticket's own address
    again = desk.reload()
    assert again.request.method == "GET" and again.status == 200                # never the form posted again
    assert desk.locator("[data-role=error]").count() == 0
    assert [e for e in errors if "400" not in e] == []


# each line of a table bubble as the browser lays it out: how many boxes (more than one: wrapped)
LINE_BOXES = """(li) => { const text = li.lastChild; const out = []; let at = 0;
  for (const part of text.textContent.split('\\n')) {
    if (part.length) { const r = document.createRange(); r.setStart(text, at); r.setEnd(text, at + part.length);
                       const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top))); out.push([part, tops.size]); }
    at += part.length + 1; }
  return out; }"""


@pytest.mark.parametrize("width", [390, 1280])
def test_a_ruled_table_in_a_bubble_scrolls_in_its_own_box_and_never_wraps_a_row(serve, browser, tmp_path, width):
    from test_web import _with_an_approved_template, cli

    server = _with_an_approved_template(serve, tmp_path)
    cli(server.db, "--now", "2026-11-20T10:00", "send", "DIGITAL_SMS_0001", "13800138000", "19212345678",
        "010-87654321", "13312345678", "17012345678", "14512345678")
    chat, errors = open_chat(browser, server, "en")
    chat.set_viewport_size({"width": width, "height": 900})
    say(chat, "/sends")
    table = chat.locator("[data-role=transcript] li.table").last
    table.wait_for()
    say(chat, "I want to talk to a person")
    chat.locator("[data-role=choices] button", has_text="yes").wait_for()
    say(chat, "yes")
    chat.locator("[data-role=transcript] li[data-from=assistant]", has_text="#1").wait_for()
    desk, desk_errors = open_page(browser, server.url, "en")
    desk.set_viewport_size({"width": width, "height": 900})
    sign_in(desk, server.token("--user", "lin", "--grant", "manager"), "en")
    desk.wait_for_url("**/desk")
    desk.goto(server.url + "/desk/tickets/1")
    for page, css in ((chat, "[data-role=transcript] li.table"), (desk, ".turns li.table")):
        boxes = page.locator(css)
        assert boxes.count() >= 1, css
        for n in range(boxes.count()):
            lines = page.evaluate(LINE_BOXES, boxes.nth(n).element_handle())
            assert all(count == 1 for _, count in lines), [line for line in lines if line[1] > 1]
        assert page.evaluate("document.documentElement.scrollWidth") <= width   # the box scrolls, never the page
    assert errors == [] and desk_errors == []


def test_a_refused_upload_asks_for_the_media_again_beside_an_aligned_attach_button_on_a_page_with_a_heading(
        serve, browser, tmp_path):
    server = serve()
    chat, errors = open_chat(browser, server, "zh")
    assert chat.locator("h1").count() == 1 and chat.locator("h1").inner_text() == "在线咨询"   # for a screen reader
    _at_the_media_prompt(server, chat)
    attach = chat.locator("form[data-action=attach]")
    field, button = attach.locator("input[type=file]").bounding_box(), attach.locator("button").bounding_box()
    assert abs((field["y"] + field["height"] / 2) - (button["y"] + button["height"] / 2)) <= 2, (field, button)
    asked = chat.locator("[data-role=transcript] li.prompt").last.inner_text()
    (tmp_path / "notes.txt").write_bytes(b"just words")
    attach.locator("input[type=file]").set_input_files(str(tmp_path / "notes.txt"))
    attach.locator("button[type=submit]").click()
    transcript = chat.locator("[data-role=transcript]")
    transcript.locator("li.error", has_text="notes.txt").wait_for()
    again = transcript.locator("li.error ~ li.prompt", has_text=asked)       # the media prompt, asked again
    again.wait_for()
    chat.reload()                                                           # kept so
    transcript.locator("li.error ~ li.prompt", has_text=asked).wait_for()
    assert errors == []


def test_a_chinese_queues_column_names_stay_on_one_line(serve, browser):
    server, _, manager = a_ticket_and_its_manager(serve)
    desk, errors = open_page(browser, server.url, "zh")
    desk.set_viewport_size({"width": 390, "height": 800})        # a phone: the queue scrolls in its box instead
    sign_in(desk, manager, "zh")
    desk.wait_for_url("**/desk")
    lines = desk.evaluate("""() => [...document.querySelectorAll('table.queue th')].map(th => {
        const r = document.createRange(); r.selectNodeContents(th);
        return [th.textContent, new Set([...r.getClientRects()].map(b => Math.round(b.top))).size]; })""")
    assert lines and all(n == 1 for _, n in lines), lines
    assert errors == []
