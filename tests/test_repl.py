"""The real PromptSession, driven through a pipe: questions, picks, slot filling, Ctrl-C, context, handoff."""

import io
import re

from conftest import on_a_terminal
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from assistant.actions import accounts
from assistant.conversation import COMMANDS, Conversation
from assistant.repl import Shell


def session(ctx, router, keys: str, role: str = "customer", output=None) -> Shell:
    """Type KEYS into a real PromptSession, run it to the end of input, and return the shell."""
    with create_pipe_input() as pipe:
        shell = Shell(Conversation(ctx, router, role), input=pipe, output=output or DummyOutput())
        pipe.send_text(keys)
        pipe.close()
        shell.run()
    return shell


def said(shell: Shell) -> str:
    return "\n".join(line.text for line in shell.transcript)


def test_welcome_names_the_account_and_how_to_get_help(ctx, router):
    text = said(session(ctx, router, ""))
    assert "account demo" in text and "/help" in text


def test_a_question_gets_its_answer_and_a_related_offer(ctx, router):
    text = said(session(ctx, router, "how long does signature review take\r"))
    assert "7–10 business days" in text
    assert "status of the account's signatures now? [y/N]" in text


def test_accepting_the_offer_runs_the_action(ctx, router):
    text = said(session(ctx, router, "how long does signature review take\ry\r"))
    assert "No signatures yet" in text


def _number_of(router, question: str, key: str) -> int:
    """The number a "did you mean" for QUESTION shows beside KEY (the order of two close intents is the model's)."""
    reply = router.route(question)
    assert reply.type == "clarify"
    return [s.key for s in reply.suggestions].index(key) + 1


def test_clarify_then_pick_by_number(ctx, router, media, live):
    pick = _number_of(router, "status", "action:template.status")
    text = said(session(live, router, f"status\r{pick}\r"))
    assert "Did you mean:" in text and "  2. " in text
    assert "DIGITAL_SMS_0001" in text and "Can reach now: users of all three carriers" in text


def test_a_pick_is_logged_as_the_question_meant_as_the_chosen_intent(router, media, live):
    session(live, router, f"status\r{_number_of(router, 'status', 'action:template.status')}\r")
    assert live.store.rows("SELECT question, best FROM gaps WHERE kind = 'pick'") == \
        [{"question": "status", "best": "action:template.status"}]


def test_a_multi_turn_send_fills_each_slot_shows_the_plan_and_sends_on_yes(live, router):
    keys = "I want to send a message\rDIGITAL_SMS_0001\r13800138000, 133 1234 5678\rTom\ry\r"
    shell = session(live, router, keys)
    text = said(shell)
    assert "13800138000 (China Mobile): will be sent" in text and "13312345678 (China Telecom): will be sent" in text
    assert ("2 will be sent, 0 will fail. Charge: 2 message(s) from the digital-message package (balance 1,000, "
            "this send uses 2, 998 after); SMS packages are never used.") in text
    assert "2 sent, 0 failed" in text
    assert accounts.account_info(live)["packages"]["digital"] == 998


def test_a_bad_value_is_asked_again(live, router):
    text = said(session(live, router, "send a message\rDIGITAL_SMS_0001\r12345\r13800138000\rTom\rn\r"))
    assert "'12345' is not an 11-digit mainland mobile number" in text and "Try again" in text
    assert "Not done. Nothing was changed." in text
    assert live.store.rows("SELECT * FROM messages") == []


def test_ctrl_c_in_the_middle_of_slot_filling_cancels_and_the_session_goes_on(live, router):
    shell = session(live, router, "send a message\rDIGITAL_SMS_0001\r\x03how long does signature review take\r")
    text = said(shell)
    assert "Cancelled." in text and "7–10 business days" in text
    assert live.store.rows("SELECT * FROM messages") == []
    assert shell.conversation.flow is None


def test_ctrl_d_ends_the_session(ctx, router):
    shell = session(ctx, router, "\x04how long does signature review take\r")
    assert "7–10 business days" not in said(shell)


def test_it_refers_to_the_template_just_used(live, router):
    text = said(session(live, router, "/template DIGITAL_SMS_0001\ris it approved yet?\r"))
    assert text.count("Can reach now: users of all three carriers") == 2


def test_what_does_that_mean_after_a_failed_send_looks_up_its_code(live, router):
    send = "/send DIGITAL_SMS_0001 13800138000 name=Tom\ry\r"
    again = "/send DIGITAL_SMS_0001 13800138000 13912345678 name=Tom\ry\r"   # one number sent, one failed
    text = said(session(live, router, send + again + "what does that mean?\r"))
    assert "1 sent, 0 failed" in text and "1 sent, 1 failed" in text
    assert "isv.BUSINESS_LIMIT_CONTROL: Per-number flow control was triggered" in text


def test_two_fallbacks_in_a_row_offer_a_handoff_with_the_conversation(ctx, router):
    shell = session(ctx, router, "how do i bake bread\rwhere is the best pizza\ry\r")
    text = said(shell)
    assert "Shall I hand this to a support manager, with our conversation attached? [y/N]" in text
    ticket = ctx.store.row("SELECT reason, summary, conversation FROM tickets")
    assert ticket["reason"] == "unanswered_question"
    assert "how do i bake bread" in ticket["summary"] and "where is the best pizza" in ticket["conversation"]


def test_a_managers_reply_is_shown_when_the_customer_returns(ctx, router):
    assert "Ticket #1" in said(session(ctx, router, "/handoff please call me\r"))
    ctx.actor = "manager:lin"
    manager = said(session(ctx, router, "/queue\r/claim 1\r/reply 1 Called you, all fixed\r", role="manager"))
    assert "Customer asked for a person: please call me" in manager and "Ticket #1 is yours." in manager
    ctx.actor = "customer"
    assert "Reply from lin on ticket #1: Called you, all fixed" in said(session(ctx, router, ""))
    assert "Called you" not in said(session(ctx, router, ""))       # shown once


def test_help_lists_every_command_of_the_role(ctx, router):
    text = said(session(ctx, router, "/help\r"))
    assert all(f"/{c.name}" in text for c in COMMANDS.values() if "customer" in c.roles)
    assert "/claim" not in text and "/account" not in text
    assert "/claim" in said(session(ctx, router, "/help\r", role="manager"))


def test_escape_sequences_from_the_database_cannot_reach_the_terminal(live, router):
    live.store.conn.execute("UPDATE templates SET name = 'Sale\x1b[2J\x1b]0;pwned\x07' WHERE code = 'DIGITAL_SMS_0001'")
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm")
    session(live, router, "/template DIGITAL_SMS_0001\r", output=output)
    assert "\x1b[2J" not in screen.getvalue() and "\x1b]0;" not in screen.getvalue()
    assert "\\x1b[2J" in screen.getvalue()


def test_no_color_prints_no_colour_codes(live, router, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm")
    session(live, router, "/template DIGITAL_SMS_0001\r", output=output)
    assert not re.search(r"\x1b\[[0-9;]*(3[0-7]|9[0-7]|38;)[0-9;]*m", screen.getvalue())   # no colour codes
    assert "DIGITAL_SMS_0001" in screen.getvalue()


def test_completion_offers_the_accounts_templates_once_each_by_name_and_code_while_a_code_is_asked(live, router):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from assistant.repl import ConversationCompleter

    conv = Conversation(live, router)
    conv.handle("send a message")
    assert conv.waiting.choices == ["Spring sale (DIGITAL_SMS_0001)"]   # one template, one choice
    for typed in ("spr", "DIGITAL_SMS"):                               # found by its name or its code
        found = [c.text for c in ConversationCompleter(conv).get_completions(Document(typed), CompleteEvent())]
        assert found == ["Spring sale (DIGITAL_SMS_0001)"], typed
    assert "/help" in Conversation(live, router).completions()


def test_completion_at_a_new_templates_signature_prompt_offers_only_signatures_it_can_use(live, router):
    from assistant.actions import signatures

    signatures.submit(live, "Globex", "enterprise")        # not in the profile: rejected
    live.at("2026-04-10T10:00")
    assert signatures.status(live, "Globex")[0]["registration"] == "rejected"
    conv = Conversation(live, router)
    conv.handle("create a template")
    conv.handle("Autumn sale")
    assert conv.waiting.slot == "signature" and conv.waiting.choices == ["AcmeShop"]
    conv.handle("cancel")
    conv.handle("resubmit my signature")                  # a resubmission is of a rejected one: all are offered
    assert conv.waiting.slot == "name" and "Globex" in conv.waiting.choices


def test_the_toolbar_shows_account_signatures_templates_and_tickets(live, router):
    bar = Conversation(live, router).toolbar()
    assert bar == (" demo | signatures ready 1/1 | templates approved: CM 1 CU 1 CT 1 | open tickets 0"
                   " | clock 2026-03-20 10:00 (simulated)")


def test_the_toolbar_is_drawn_on_a_terminal_that_is_never_asked_for_the_cursor_position(live, router):
    from assistant.repl import quiet

    screen = io.StringIO()
    output = quiet(Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm"))
    session(live, router, "/template DIGITAL_SMS_0001\r", output=output)
    assert "signatures ready 1/1" in screen.getvalue()
    assert "\x1b[6n" not in screen.getvalue()   # no cursor-position request


def test_the_toolbar_says_nothing_of_the_clock_on_the_real_one(live, router):
    from assistant.clock import Clock

    live.clock = Clock()
    assert Conversation(live, router).toolbar().endswith("| open tickets 0")


def test_the_toolbar_is_shortened_to_fit_the_width(live, router):
    conv = Conversation(live, router)
    for width in (50, 40, 30):
        bar = conv.toolbar(width)
        assert len(bar) <= width and bar.startswith(" demo |")
    assert conv.toolbar(50) == " demo | sig 1/1 | CM1 CU1 CT1 | tickets 0 | sim"


def test_the_toolbar_speaks_the_conversations_language(live, router):
    conv = Conversation(live, router, lang="zh")
    assert conv.toolbar() == (" demo | 就绪签名 1/1 | 已通过模板：移动 1 联通 1 电信 1 | 未结工单 0"
                              " | 时钟 2026-03-20 10:00（模拟）")
    conv = Conversation(live, router)
    conv.handle("签名审核要多久")
    assert conv.toolbar().startswith(" demo | 就绪签名 1/1")
    conv.handle("how long does template review take")
    assert conv.toolbar().startswith(" demo | signatures ready 1/1")


def test_a_chinese_toolbar_is_shortened_to_fit_the_width_in_columns(live, router):
    from prompt_toolkit.utils import get_cwidth

    conv = Conversation(live, router, lang="zh")
    fitted = {width: conv.toolbar(width) for width in (100, 74, 73, 60, 52, 40, 32, 31, 10)}
    assert all(get_cwidth(bar) <= width for width, bar in fitted.items())
    assert fitted[100] == conv.toolbar()
    assert fitted[74] == " demo | 签名 1/1 | 模板 移动1 联通1 电信1 | 工单 0 | 模拟 2026-03-20 10:00"
    # 60 characters but 74 columns: counted in characters it would have been chosen at 60
    assert fitted[73] == fitted[60] == fitted[52] == " demo | 签名 1/1 | 移动1 联通1 电信1 | 工单 0 | 模拟"
    assert fitted[40] == fitted[32] == " demo | 签名 1/1 | 工单 0 | 模拟"
    assert fitted[31] == " demo | 签名 1/1 | 工单 0 | 模"   # cut, never through a character
    assert fitted[10] == " demo | 签"


def test_a_bug_in_one_answer_does_not_end_the_session(ctx, router, monkeypatch):
    real = Conversation.handle

    def broken_once(self, text):
        if text == "boom":
            raise ZeroDivisionError("division by zero")
        return real(self, text)
    monkeypatch.setattr(Conversation, "handle", broken_once)
    text = said(session(ctx, router, "boom\rhow long does signature review take\r"))
    assert "internal error (ZeroDivisionError: division by zero)" in text and "7–10 business days" in text


def test_creating_a_live_streaming_template_asks_for_the_letter(live, router, media):
    keys = (f"create a template\rLive tonight\rAcmeShop\rlive streaming\rJoin our live stream tonight\r"
            f"{media['fake']}\r{media['image']}\r{media['small_letter']}\r{media['letter']}\ry\r")
    text = said(session(live, router, keys))
    assert "is not a PNG, JPG, GIF, MP4 or MP3 file" in text           # the media slot is asked again
    assert "too small to be legible" in text                           # and so is the letter
    assert "Created DIGITAL_SMS_0002." in text
    assert live.store.row("SELECT industry, letter IS NOT NULL AS has_letter FROM templates WHERE code = 'DIGITAL_SMS_0002'") \
        == {"industry": "live streaming", "has_letter": 1}


def test_it_means_the_signature_when_only_a_signature_was_discussed(ctx, router):
    accounts.enable(ctx)
    text = said(session(ctx, router, "submit a signature\rAcmeShop\rtrademark\ry\ris it approved yet?\r"))
    assert text.count("AcmeShop (trademark): Under review") == 2


def test_asking_about_the_template_explicitly_is_not_redirected_to_the_signature(live, router):
    text = said(session(live, router, "/signature AcmeShop\ris my template approved yet?\r"))
    assert "DIGITAL_SMS_0001" in text


def test_a_misspelt_error_code_offers_numbered_codes_and_a_pick_shows_one(ctx, router):
    text = said(session(ctx, router, "/error isv.BUSNESS_LIMIT\r"))
    assert "'isv.BUSNESS_LIMIT' is not an error code of the service. Did you mean:" in text
    assert "  1. isv.BUSINESS_LIMIT_" in text and "Fix:" not in text
    shell = session(ctx, router, "/error isv.BUSNESS_LIMIT\r2\r")
    picked = re.search(r"  2\. (isv\.[A-Z_]+):", said(shell)).group(1)
    assert f"{picked}: " in shell.transcript[-1].text and "Fix:" in shell.transcript[-1].text


def test_what_does_that_mean_after_a_refused_signature_explains_its_code(ctx, router):
    accounts.enable(ctx)
    text = said(session(ctx, router, "submit a signature called Acme-Tech\r\x03what does that mean?\r"))
    assert "isv.SIGN_NAME_ILLEGAL: signature 'Acme-Tech' contains '-'" in text
    assert "isv.SIGN_NAME_ILLEGAL: The signature name breaks the naming rules" in text


def test_ctrl_d_quits_even_with_text_typed(ctx, router):
    shell = session(ctx, router, "abc\x04how long does signature review take\r")
    assert shell.conversation.turns == []


def test_ctrl_d_quits_while_an_offer_waits_and_the_offer_is_not_taken(ctx, router):
    shell = session(ctx, router, "how do I enable digital messages\r\x04y\r")
    assert "now? [y/N]" in said(shell)
    assert not accounts.account_info(ctx)["enabled"]


def test_history_keeps_only_top_level_lines(live, router):
    shell = session(live, router, "send a message\rDIGITAL_SMS_0001\r13800138000\rTom\ry\r/template\r")
    assert list(shell.session.history.get_strings()) == ["send a message", "/template"]


def test_a_pasted_block_is_answered_line_by_line(ctx, router):
    paste = "\x1b[200~how long does signature review take\n/inbox\x1b[201~\r"
    text = said(session(ctx, router, paste))
    assert "7–10 business days" in text and "No new replies." in text
    assert text.index("7–10 business days") < text.index("No new replies.")


def test_paths_are_completed_at_the_media_prompt(live, router, media):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from assistant.repl import ConversationCompleter

    conv = Conversation(live, router)
    conv.handle("create a template")
    for line in ("Spring two", "AcmeShop", "e-commerce", "Hi there"):
        conv.handle(line)
    assert conv.waiting.paths
    folder = media["image"].rsplit("/", 1)[0]
    typed = folder + "/ban"
    found = [c.text for c in ConversationCompleter(conv).get_completions(Document(typed), CompleteEvent())]
    assert found == ["ner.png"]


def test_the_shells_toolbar_fits_the_terminal(live, router):
    output = Vt100_Output(io.StringIO(), lambda: Size(rows=20, columns=40), term="xterm")
    with create_pipe_input() as pipe:
        shell = Shell(Conversation(live, router), input=pipe, output=output)
    assert 0 < len(shell.toolbar_text) <= 40


def test_the_shells_chinese_toolbar_fits_the_terminal(live, router):
    from prompt_toolkit.utils import get_cwidth

    output = Vt100_Output(io.StringIO(), lambda: Size(rows=20, columns=40), term="xterm")
    with create_pipe_input() as pipe:
        shell = Shell(Conversation(live, router, lang="zh"), input=pipe, output=output)
    assert "签名" in shell.toolbar_text and 0 < get_cwidth(shell.toolbar_text) <= 40


def test_recent_sends_can_be_found_again_in_the_repl(live, router):
    from assistant.actions import sending

    sent = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])
    text = said(session(live, router, f"/sends\r/sends {sent['request_id'][:8]}\r"))
    assert text.count(sent["request_id"]) == 2 and "1 sent, 0 failed" in text


def test_a_pending_yes_no_is_the_prompt_itself_and_enter_there_means_no(ctx, router):
    with create_pipe_input() as pipe:
        shell = Shell(Conversation(ctx, router), input=pipe, output=DummyOutput())
        assert "[y/N]" not in shell.message()[0][1]
        pipe.send_text("how do I enable digital messages\r")
        shell.step()
        assert shell.message()[0][1] == "Enable digital message sending for the account now? [y/N]: "
        pipe.send_text("\r")
        shell.step()
        assert shell.message()[0][1] == "demo> " and "Enter alone means no" in said(shell)
        pipe.send_text("/enable\r")
        shell.step()
        assert shell.message()[0][1] == "Go ahead? [y/N]: "
        pipe.send_text("\r")
        shell.step()
        assert "Not done. Nothing was changed." in said(shell) and shell.message()[0][1] == "demo> "
    assert not accounts.account_info(ctx)["enabled"]


def test_tables_in_the_shell_fit_a_narrow_terminal(live, router):
    from assistant import render
    from assistant.actions import templates

    templates.record_review(live, "DIGITAL_SMS_0001", "china_telecom", False,
                            "the wording promises a prize draw, which the carrier does not accept in marketing "
                            "messages; rewrite it without the draw and submit it again")
    output = Vt100_Output(io.StringIO(), lambda: Size(rows=40, columns=50), term="xterm")
    render.WIDTH = 50          # as the CLI sets it from a 50-column terminal
    try:
        with create_pipe_input() as pipe:
            shell = Shell(Conversation(live, router), input=pipe, output=output)
            pipe.send_text("/template DIGITAL_SMS_0001\r")
            shell.step()
        table = [line for line in said(shell).splitlines() if line.startswith(("carrier", "China", "---", " "))]
        assert len(table) > 4 and max(len(line) for line in table) <= 50
    finally:
        render.WIDTH = None


def test_a_send_that_lasts_draws_a_progress_bar_on_the_terminal(live, router, monkeypatch):
    monkeypatch.setattr(Shell, "bar_after_s", 0)  # as if the send took more than a second
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm")
    shell = session(live, router, "/send DIGITAL_SMS_0001 13800138000 13312345678 name=Tom\ry\r", output=output)
    assert "Sending to 2 numbers [##############################] 100%" in screen.getvalue()
    assert "Sending to" not in said(shell)  # drawn on the terminal, not part of the conversation's answer


def test_a_quick_send_draws_no_progress_bar(live, router):
    screen = io.StringIO()
    output = Vt100_Output(screen, lambda: Size(rows=40, columns=200), term="xterm")
    session(live, router, "/send DIGITAL_SMS_0001 13800138000 name=Tom\ry\r", output=output)
    assert "Sending to" not in screen.getvalue() and "1 sent" in screen.getvalue().replace("\r", "")


def _screen(ctx, router, keys: str, lang: str = "en") -> str:
    """What a wide terminal shows (escape codes taken out) while KEYS are typed into the real shell."""
    stream = io.StringIO()
    output = Vt100_Output(stream, lambda: Size(rows=40, columns=400), term="xterm")
    with create_pipe_input() as pipe:
        shell = Shell(Conversation(ctx, router, lang=lang), input=pipe, output=output)
        pipe.send_text(keys)
        pipe.close()
        shell.run()
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|[\r\x1b]", "", stream.getvalue())


def test_the_industry_prompt_lists_the_industries_it_takes(live, router):
    shown = _screen(live, router, "create a template\rSale2\rAcmeShop\r")
    assert ("Industry (general, e-commerce, retail, logistics, travel, catering, education, real estate, medicine, "
            "finance, games, live streaming):") in shown


def test_the_industry_prompt_lists_them_in_the_conversations_language(live, router):
    shown = _screen(live, router, "我要创建模板\r促销\rAcmeShop\r", lang="zh")
    assert "行业（通用、电商、零售、物流、旅游、餐饮、教育、房地产、医药、金融、游戏、直播）:" in shown


def _terminal(ctx, router, keys: str, columns: int, lang: str = "en") -> list[str]:
    """The lines a terminal COLUMNS wide shows of the answers while KEYS are typed into the real shell,
    its tables fitted to it as the CLI fits them (escape codes and the prompt's own lines taken out)."""
    return on_a_terminal(Conversation(ctx, router, lang=lang), keys, columns)


def _columns(line: str) -> int:
    from prompt_toolkit.utils import get_cwidth

    return get_cwidth(line)


def test_the_welcome_is_wrapped_between_words_to_the_terminals_width(ctx, router):
    for columns in (80, 40):
        lines = _terminal(ctx, router, "", columns)
        assert max(_columns(line) for line in lines) <= columns
        assert "/help lists commands." in " ".join(" ".join(lines).split())   # "li" / "sts" no more


def test_a_chinese_sessions_send_fits_80_columns_with_each_why_inside_its_column(live, router):
    lines = _terminal(live, router, "/send DIGITAL_SMS_0001 13800138000 19212345678 12345 028-85551234 name=Tom\ry\r",
                      80, lang="zh")
    assert max(_columns(line) for line in lines) <= 80          # the Chinese preview's lines too
    assert any("将失败" in line for line in lines)                # the preview is Chinese
    header = next(n for n, line in enumerate(lines) if line.split() == ["手机号码", "运营商", "错误码", "原因"])
    why = _columns(lines[header][:lines[header].index("原因")])    # the column the reasons start at
    rows = lines[header + 2:lines.index("用 /error CODE 查询错误码。")]
    assert len(rows) > 3 and all(line[:why].strip() == "" or line.startswith(("192", "123", "028")) for line in rows)
    assert "'12345' 不是 11 位" in "".join(rows) and "13800138000" in "".join(rows)   # its reason in Chinese


def test_the_sends_list_on_a_40_column_terminal_is_label_value_lines_keeping_the_request_id_whole(live, router):
    from assistant.actions import sending

    sent = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])
    lines = _terminal(live, router, "/sends\r", 40)
    assert max(_columns(line) for line in lines) <= 40
    assert f"  {sent['request_id']}" in lines and "template: DIGITAL_SMS_0001" in lines and "sent:     1" in lines


def test_chinese_help_on_a_40_column_terminal_puts_each_description_under_its_command(ctx, router):
    lines = _terminal(ctx, router, "/help\r", 40, lang="zh")
    assert max(_columns(line) for line in lines) <= 40
    send = lines.index("  /send CODE PHONE... [name=value]")
    assert lines[send + 1].startswith("    用模板发送") and lines[send + 2].startswith("    ")


def test_a_cases_long_error_code_keeps_its_column_on_a_narrow_terminal(live, router):
    from assistant.actions import handoff, sending

    sent = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("13312345678", {})])
    handoff.create(live, "it failed", request_id=sent["request_id"])
    lines = _terminal(live, router, "/show 1\r", 70)
    assert max(_columns(line) for line in lines) <= 70
    row = next(line for line in lines if line.startswith("13312345678"))
    assert "isv.TEMPLATE_MISSING_PARAMETERS" in row


def _tabbed(ctx, router, typed: str, then: str = "") -> str:
    """What the real shell answers to TYPED, Tab, then THEN and Enter; Tab's completion (which
    prompt-toolkit makes in a task of its own) is waited for before the rest is typed."""
    import threading
    import time

    with create_pipe_input() as pipe:
        shell = Shell(Conversation(ctx, router), input=pipe, output=DummyOutput())

        def type_in() -> None:
            pipe.send_text(typed + "\t")
            buffer, deadline = shell.session.default_buffer, time.monotonic() + 10
            while buffer.text in ("", typed) and time.monotonic() < deadline:
                time.sleep(0.01)
            pipe.send_text(then + "\r")
        typist = threading.Thread(target=type_in)
        typist.start()
        shell.step()
        typist.join()
    return said(shell)


def test_tab_completes_a_template_code_or_name_after_template_and_a_signature_name_after_signature(live, router, media):
    from assistant.actions import templates

    templates.create(live, "温馨提示", "AcmeShop", "e-commerce", "您好 ${name}", [media["image"]])
    assert "Account demo" in _tabbed(live, router, "/sta")                     # /status, as before
    assert "DIGITAL_SMS_0001  \"Spring sale\"" in _tabbed(live, router, "/template DIG", "1")   # the common part
    assert "DIGITAL_SMS_0002  \"温馨提示\"" in _tabbed(live, router, "/template 温")
    assert "DIGITAL_SMS_0001  \"Spring sale\"" in _tabbed(live, router, "/template spr")
    assert "AcmeShop (trademark): Registered" in _tabbed(live, router, "/signature Acm")
    assert "isv.AMOUNT_NOT_ENOUGH:" in _tabbed(live, router, "/error isv.AMOUNT_N")


def test_ctrl_d_with_a_request_half_filled_says_in_one_line_that_it_was_not_done(live, router):
    shell = session(live, router, "send a message\rDIGITAL_SMS_0001\r\x04")
    assert shell.transcript[-1].text == "The send request was not done; nothing was changed."
    shell = session(live, router, "我要发送数字短信\rDIGITAL_SMS_0001\r\x04")
    assert shell.transcript[-1].text == "发送请求未执行，没有任何改动。"
    assert live.store.rows("SELECT * FROM messages") == []


def test_ctrl_d_while_an_offer_waits_says_it_was_left_unanswered(ctx, router):
    shell = session(ctx, router, "how long does signature review take\r\x04")
    assert shell.transcript[-1].text == ('"Show the review and registration status of the account\'s signatures now?" '
                                         "was left unanswered: nothing was done.")


def test_ctrl_d_with_nothing_pending_and_quit_with_a_request_pending(live, router):
    shell = session(live, router, "how long does template review take\rno\r\x04")
    assert "not done" not in shell.transcript[-1].text and "unanswered" not in shell.transcript[-1].text
    text = said(session(live, router, "send a message\r/quit\r"))
    assert text.endswith("The send request was not done; nothing was changed.\nBye.")


def _welcome(ctx, router, lang: str = "en") -> str:
    return "\n".join(line.text for line in Conversation(ctx, router, lang=lang).welcome())


def test_the_welcome_names_the_next_step_of_onboarding_from_the_accounts_state(ctx, router, media):
    from assistant.actions import sending, signatures, templates

    assert 'say "enable digital messages" to start' in _welcome(ctx, router)
    accounts.enable(ctx)
    assert 'Next step: a signature. Say "submit a signature" to submit one for review.' in _welcome(ctx, router)
    signatures.submit(ctx, "AcmeShop", "trademark")
    expected = signatures.status(ctx)[0]["expected_by"]
    assert (f"Next step: signature AcmeShop is under review (decision expected by {expected}); "
            'ask "is my signature approved?" to check.') in _welcome(ctx, router)
    ctx.at("2026-03-17T10:00")
    assert 'Next step: a template. Say "create a template" to create one.' in _welcome(ctx, router)
    assert "下一步：创建模板。说“我要创建模板”即可创建。" in _welcome(ctx, router, "zh")
    templates.create(ctx, "Spring sale", "AcmeShop", "e-commerce", "Hi ${name}, the sale is on", [media["image"]])
    assert "Next step: template DIGITAL_SMS_0001 is under review" in _welcome(ctx, router)
    ctx.at("2026-03-20T10:00")
    assert ('Next step: your first send. Say "send a message" to send template DIGITAL_SMS_0001.'
            in _welcome(ctx, router))
    assert "下一步：首次发送。说“发送数字短信”即可用模板 DIGITAL_SMS_0001 发送。" in _welcome(ctx, router, "zh")
    sending.send(ctx, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])
    assert "Next step" not in _welcome(ctx, router)
