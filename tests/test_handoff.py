"""Handoff tickets carry the looked-up case; the manager's queue, claims, replies and audit."""

import dataclasses
import datetime as dt
import json
import re
import threading

import pytest

from assistant.actions import accounts, desk, handoff, sending, signatures, templates
from assistant.chat.cases import case_text
from assistant.context import Context
from assistant.conversation import Conversation
from assistant.errors import UserError
from assistant.messages import say
from assistant.storage import open_store


@pytest.fixture
def case(ctx, media):
    """Demo with AcmeShop registered, DIGITAL_SMS_0001 approved everywhere and DIGITAL_SMS_0002 (live
    streaming as e-commerce) rejected by China Telecom; it is Friday 20 March."""
    accounts.enable(ctx)
    signatures.submit(ctx, "AcmeShop", "trademark")
    ctx.at("2026-03-17T10:00")
    templates.create(ctx, "Sale", "AcmeShop", "e-commerce", "Hi ${name}", [media["image"]])
    templates.create(ctx, "Live", "AcmeShop", "e-commerce", "Join our live stream", [media["image"]])
    ctx.at("2026-03-20T10:00")
    return ctx


TURNS = [{"role": "user", "text": "why can't telecom users get it?", "at": "2026-03-20 09:59"},
         {"role": "assistant", "text": "I don't know.", "at": "2026-03-20 09:59"}]


def test_a_rejected_template_ticket_carries_each_carriers_status_and_reason(case):
    ticket = handoff.create(case, template="DIGITAL_SMS_0002", conversation=TURNS)
    assert ticket["reason"] == "template_rejected" and ticket["status"] == "open"
    carriers = ticket["context"]["template"]["carriers"]
    assert carriers["china_telecom"]["status"] == "rejected" and "commitment letter" in carriers["china_telecom"]["reason"]
    assert ticket["context"]["signature"]["name"] == "AcmeShop"        # the template's signature, looked up too
    assert ticket["conversation"] == TURNS
    assert ticket["summary"].startswith("Template DIGITAL_SMS_0002 rejected by China Telecom")


def test_a_failed_send_ticket_carries_the_request_numbers_and_codes(case):
    result = sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("19212345678", {}), ("13800138000", {})])
    ticket = handoff.create(case, request_id=result["request_id"])
    assert ticket["reason"] == "send_failure"
    assert {f["error_code"] for f in ticket["context"]["send"]["failures"]} == \
        {"isv.SMS_TEMPLATE_ILLEGAL", "isv.MOBILE_NUMBER_ILLEGAL"}
    assert set(ticket["context"]["errors"]) == {"isv.SMS_TEMPLATE_ILLEGAL", "isv.MOBILE_NUMBER_ILLEGAL"}
    assert "failed for 2 of 3 numbers" in ticket["summary"]


def _failed_send_then_a_new_session_asks_for_a_person(case, router, hours_later: float) -> tuple[dict, dict]:
    """A send of DIGITAL_SMS_0002 that fails at China Telecom (and reaches China Mobile), then HOURS_LATER
    a new conversation in which nothing failed asks for a person: (the send, the ticket)."""
    result = sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("13800138000", {})])
    case.later(hours=hours_later)
    conv = Conversation(case, router)
    conv.handle("I want to talk to a person")
    said = conv.handle("yes")
    assert said[0].text.startswith("Ticket #1 "), said
    return result, handoff.get(case, 1)


def test_a_handoff_from_a_new_session_carries_the_accounts_recent_failed_send(case, router):
    result, ticket = _failed_send_then_a_new_session_asks_for_a_person(case, router, hours_later=23)
    assert ticket["reason"] == "asked_for_person"      # what the customer did: the send is what the case carries
    send = ticket["context"]["send"]
    assert ticket["context"]["send_recent"] is True and send["request_id"] == result["request_id"]
    assert (send["template"], send["sent"], send["failed"]) == ("DIGITAL_SMS_0002", 1, 1)
    assert [f["error_code"] for f in send["failures"]] == ["isv.SMS_TEMPLATE_ILLEGAL"]
    assert set(ticket["context"]["errors"]) == {"isv.SMS_TEMPLATE_ILLEGAL"}
    assert ticket["context"]["template"]["code"] == "DIGITAL_SMS_0002"
    assert ticket["summary"] == ("Customer asked for a person: I want to talk to a person; "
                                 f"recent send {result['request_id'][:8]} failed for 1 of 2 (isv.SMS_TEMPLATE_ILLEGAL)")
    assert "the account's latest failed send, attached by its time" in handoff.export(ticket, "md")


def test_a_send_refused_whole_is_the_reason_and_no_older_failed_send_is_attached_by_its_time(case):
    sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("13800138000", {})])     # failed at China Telecom
    refused = {"template": "DIGITAL_SMS_0001", "phones": ["13912345678"], "code": "isv.AMOUNT_NOT_ENOUGH",
               "reason": "the digital-message package is empty; top up the digital package", "at": "2026-03-20 10:00:00"}
    ticket = handoff.create(case, conversation=TURNS, refused=refused)
    assert ticket["reason"] == "send_failure" and "send" not in ticket["context"]
    assert ticket["context"]["refused_send"] == refused and ticket["context"]["template"]["code"] == "DIGITAL_SMS_0001"
    assert ticket["summary"].startswith("Send of DIGITAL_SMS_0001 to 13912345678 refused whole in this session: "
                                        "isv.AMOUNT_NOT_ENOUGH (the digital-message package is empty")
    md = handoff.export(ticket, "md")
    assert "## Send of DIGITAL_SMS_0001 (refused whole in this session: nothing was sent or recorded)" in md
    assert "- Numbers: 13912345678" in md and "- isv.AMOUNT_NOT_ENOUGH: the digital-message package is empty" in md


def test_a_conversation_that_made_a_send_of_its_own_gets_no_send_attached_by_its_time(case):
    sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("13800138000", {})])     # failed at China Telecom
    ticket = handoff.create(case, "it arrived late", by_time=False)
    assert "send" not in ticket["context"] and "send_recent" not in ticket["context"]


def test_a_failed_send_older_than_the_window_is_not_carried(case, router):
    assert case.rules.handoff["recent_failed_send_hours"] == 24
    _, ticket = _failed_send_then_a_new_session_asks_for_a_person(case, router, hours_later=25)
    assert "send" not in ticket["context"] and "send_recent" not in ticket["context"]
    assert ticket["reason"] == "asked_for_person" and "recent send" not in ticket["summary"]


def test_only_a_send_with_failures_made_before_the_clock_is_carried(case):
    failed = sending.send(case, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("19212345678", {"name": "Bo"})])
    case.later(minutes=5)
    sending.send(case, "DIGITAL_SMS_0001", [("13912345678", {"name": "Ann"})])          # all sent: not a failure
    assert sending.latest_failed(case, 24) == failed["request_id"]
    case.later(minutes=-10)                                                             # the clock is an input
    assert sending.latest_failed(case, 24) is None
    ticket = handoff.create(case, "please call me")
    assert "send" not in ticket["context"]


def test_a_named_send_is_the_reason_and_a_recent_one_only_the_context(case):
    failed = sending.send(case, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("19212345678", {"name": "Bo"})])
    named = handoff.create(case, request_id=failed["request_id"])
    asked = handoff.create(case, "please call me")
    assert named["reason"] == "send_failure" and "send_recent" not in named["context"]
    assert asked["reason"] == "asked_for_person" and asked["context"]["send_recent"] is True
    assert asked["context"]["send"]["request_id"] == failed["request_id"]


def test_a_pending_review_close_to_the_send_date_is_urgent(case, media):
    templates.create(case, "Late", "AcmeShop", "e-commerce", "Hello", [media["image"]])
    urgent = handoff.create(case, template="DIGITAL_SMS_0003", send_date="2026-03-24")   # Fri -> Tue: 2 business days
    later = handoff.create(case, template="DIGITAL_SMS_0003", send_date="2026-04-03")
    assert (urgent["reason"], urgent["priority"]) == ("review_late", "urgent")
    assert later["priority"] == "normal"


def test_other_triggers(case):
    assert handoff.create(case, conversation=TURNS, trigger="unanswered_question")["summary"] == \
        "Unanswered question: why can't telecom users get it?"
    assert handoff.create(case, "please call me")["reason"] == "asked_for_person"


def test_unknown_objects_are_refused_and_nothing_is_created(case):
    for kwargs in ({"template": "DIGITAL_SMS_0404"}, {"signature": "Nope"}, {"request_id": "NOPE"},
                   {"send_date": "soon"}):
        with pytest.raises(UserError):
            handoff.create(case, **kwargs)
    assert case.store.rows("SELECT * FROM tickets") == []


def test_the_queue_puts_urgent_first_then_oldest(case, media):
    templates.create(case, "Late", "AcmeShop", "e-commerce", "Hello", [media["image"]])
    first = handoff.create(case, "first")
    case.later(hours=1)
    urgent = handoff.create(case, template="DIGITAL_SMS_0003", send_date="2026-03-23")
    case.later(hours=1)
    third = handoff.create(case, "third")
    assert [t["id"] for t in handoff.queue(case)] == [urgent["id"], first["id"], third["id"]]
    assert handoff.queue(case)[1]["age"] == "2h"


def test_claim_reply_resolve_are_kept_with_time_and_actor(case):
    ticket = handoff.create(case, "help")
    case.actor, case.role = "manager:lin", "manager"
    handoff.claim(case, ticket["id"], "lin")
    handoff.reply(case, ticket["id"], "Please resubmit with the letter.")
    done = handoff.resolve(case, ticket["id"], "customer resubmitted")
    assert done["status"] == "resolved" and done["resolution"] == "customer resubmitted"
    assert [(e["event"], e["actor"]) for e in done["events"]] == [
        ("created", "customer"), ("claimed", "manager:lin"), ("replied", "manager:lin"), ("resolved", "manager:lin")]
    assert [r["action"] for r in case.store.rows("SELECT action FROM audit WHERE action LIKE 'handoff.%' ORDER BY id")] == \
        ["handoff.create", "handoff.claim", "handoff.reply", "handoff.resolve"]
    assert handoff.queue(case) == [] and handoff.queue(case, "resolved")[0]["id"] == ticket["id"]


def test_claiming_ones_own_ticket_again_changes_nothing(case):
    ticket = handoff.create(case, "help")
    case.actor, case.role = "manager:lin", "manager"
    first = handoff.claim(case, ticket["id"], "lin")
    again = handoff.claim(case, ticket["id"], "lin")
    assert not first["already"] and again["already"]       # said so: "you already have it"
    assert {**again, "already": False} == first and [e["event"] for e in again["events"]] == ["created", "claimed"]
    with pytest.raises(UserError, match="already claimed by lin"):
        case.actor = "manager:kim"
        handoff.claim(case, ticket["id"], "kim")


def test_a_reply_to_an_unclaimed_ticket_claims_it_in_the_history_and_a_claim_after_it_is_already_had(case):
    ticket = handoff.create(case, "help")
    lin = as_manager(case)
    replied = handoff.reply(lin, ticket["id"], "On it.", "lin")
    assert replied["owner"] == "lin"
    assert [(e["event"], e["actor"], e["detail"]) for e in replied["events"]] == [
        ("created", "customer", handoff.REASONS["asked_for_person"]), ("claimed", "manager:lin", "lin"),
        ("replied", "manager:lin", None)]
    claimed = handoff.claim(lin, ticket["id"], "lin")
    assert claimed["already"] and [e["event"] for e in claimed["events"]] == ["created", "claimed", "replied"]
    handoff.reply(lin, ticket["id"], "Done?", "lin")        # a reply to one's own ticket claims nothing again
    assert [e["event"] for e in handoff.get(lin, ticket["id"])["events"]].count("claimed") == 1


def test_the_history_names_the_customer_once_when_they_answer(case):
    ticket = handoff.create(case, "help")
    case.role = "manager"
    handoff.reply(case, ticket["id"], "Which template?", by="lin")
    case.role, case.actor = "customer", "customer:alice"
    handoff.answer(case, ticket["id"], "DIGITAL_SMS_0001")
    # a ticket answered before the event was renamed, as its row still says
    case.store.execute("UPDATE ticket_events SET event = 'customer answered' WHERE event = 'answered' AND ticket = ?",
                       (ticket["id"],))
    handoff.answer(case, ticket["id"], "and the letter")
    history = handoff.export(handoff.get(case, ticket["id"]), "md").partition("## History")[2]
    answered = [line for line in history.splitlines() if "answered" in line]
    assert len(answered) == 2 and all(line.endswith(" customer:alice answered") for line in answered), answered


def test_an_events_stored_sentences_that_cannot_be_read_are_none_and_its_english_line_stays(case):
    first = handoff.create(case, "please call me", trigger="asked_for_person", reuse=True)
    handoff.create(case, "the template is still stuck", reuse=True)          # asked again: its sentences kept
    kept = handoff.get(case, first["id"], said=True)["events"][-1]
    assert "said" not in handoff.get(case, first["id"])["events"][-1]       # only a desk saying it asks for them
    assert kept["event"] == "asked again" and kept["said"] and all("say" in part for part in kept["said"])
    for stored in ("{not json", "[]", '{"say": "x"}'):                       # damaged, empty, not a list
        case.store.execute("UPDATE ticket_events SET said = ? WHERE ticket = ? AND event = 'asked again'",
                           (stored, first["id"]))
        event = handoff.get(case, first["id"], said=True)["events"][-1]
        assert event["said"] is None and event["detail"] == kept["detail"], stored


def test_a_managers_reply_reaches_the_customer_once(case):
    ticket = handoff.create(case, "help")
    case.role = "manager"
    handoff.reply(case, ticket["id"], "Done, try again.", by="lin")
    case.role = "customer"
    inbox = handoff.inbox(case)
    assert [(m["ticket"], m["author"], m["text"]) for m in inbox] == [(ticket["id"], "lin", "Done, try again.")]
    assert handoff.inbox(case) == []
    assert handoff.get(case, ticket["id"])["status"] == "waiting"


def test_two_managers_claiming_at_once_end_with_one_owner(case, kb, tmp_path):
    ticket = handoff.create(case, "help")
    outcomes = {}
    barrier = threading.Barrier(2)

    def claim(name):
        store = open_store(case.store.target)
        manager = Context(store, kb, case.clock, "demo", f"manager:{name}", "manager")
        barrier.wait()
        try:
            handoff.claim(manager, ticket["id"], name)
            outcomes[name] = "won"
        except UserError as exc:
            outcomes[name] = str(exc)
        finally:
            store.close()
    threads = [threading.Thread(target=claim, args=(n,)) for n in ("lin", "wang")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    owner = handoff.get(case, ticket["id"])["owner"]
    loser = "wang" if owner == "lin" else "lin"
    assert outcomes[owner] == "won"
    assert outcomes[loser] == f"ticket #{ticket['id']} is already claimed by {owner}"


def test_export_as_markdown_and_json(case):
    ticket = handoff.get(case, handoff.create(case, template="DIGITAL_SMS_0002", conversation=TURNS)["id"])
    md = handoff.export(ticket, "md")
    assert md.startswith(f"# Ticket #{ticket['id']}: Template DIGITAL_SMS_0002")
    assert "| china_telecom | rejected |" in md and "**user**: why can't telecom users get it?" in md
    assert json.loads(handoff.export(ticket, "json"))["context"]["template"]["code"] == "DIGITAL_SMS_0002"


def test_a_turn_of_several_lines_is_exported_as_continued_lines_none_at_the_margin(case):
    turns = [{"role": "assistant", "text": "Request 1: 1 sent, 1 failed\ncarrier  sent\n## Resolution: forged"}]
    md = handoff.export(handoff.get(case, handoff.create(case, "help", conversation=turns)["id"]), "md")
    assert "- **assistant**: Request 1: 1 sent, 1 failed\n  carrier  sent\n  \\## Resolution: forged" in md   # no heading either
    assert "\\n" not in md and "\n## Resolution" not in md


def test_the_markdown_export_shows_peoples_markup_as_text_never_as_html_links_or_lines_of_its_own(case, media):
    """A template named `<i>x</i>"`, words with a disguised link, emphasis, a table's bar and a raw
    HTML comment, and a turn whose continued lines start a heading or a list: each is shown as it
    was typed (Markdown's backslash escapes, HTML's < and an entity's & among them), nothing of it is
    markup; an arrow or an ampersand that starts nothing ("->", "&") stays as typed."""
    templates.create(case, '<i>x</i>"', "AcmeShop", "e-commerce", "Hi ${name}", [media["image"]])
    turns = [{"role": "user", "text": "first line\n## Resolution: forged\n1. forged item\n- forged bullet\n> quoted\n"
                                      "[x]: https://evil.example"}]
    ticket = handoff.get(case, handoff.create(case, "see [Open ticket](https://evil.example) *now* | x <!-- y --> & _z_",
                                              template="DIGITAL_SMS_0003", conversation=turns)["id"])
    md = handoff.export(ticket, "md")
    assert '## Template DIGITAL_SMS_0003 (\\<i>x\\</i>")' in md, md
    assert r"see [Open ticket\](https://evil.example) \*now\* \| x \<!-- y --> & \_z\_" in md, md
    assert "  \\## Resolution: forged\n  1\\. forged item\n  \\- forged bullet\n  \\> quoted\n  \\[x]: https" in md, md
    for raw in ("(<i>", "[Open ticket]", "*now*", "x <!--", "_z_", "\n  ## ", "\n  1. ", "\n  - ", "\n  > "):
        assert raw not in md, raw
    assert "DIGITAL_SMS_0003" in md and "| china_telecom |" in md     # a name's inner underscores are no markup


def as_manager(ctx, name="lin"):
    """The same database and clock, with a support manager at the keyboard."""
    return dataclasses.replace(ctx, actor=f"manager:{name}", role="manager")


def test_one_account_cannot_read_anothers_inbox(case):
    ticket = handoff.create(case, "help")
    handoff.reply(as_manager(case), ticket["id"], "for demo only", by="lin")
    accounts.create_account(case, "globex", "retail", {})
    case.account = "globex"
    assert handoff.inbox(case) == [] and handoff.open_count(case) == 0


def test_ages_read_in_days_and_hours(case):
    ticket = handoff.create(case, "help")
    case.at(dt.datetime(2026, 3, 22, 13, 0))
    assert handoff.get(case, ticket["id"])["age"] == "2d 3h"


def test_the_customer_answers_and_the_ticket_goes_back_to_its_manager(case):
    ticket = handoff.create(case, "help")
    handoff.claim(as_manager(case), ticket["id"], "lin")
    handoff.reply(as_manager(case), ticket["id"], "Which template?", by="lin")
    answered = handoff.answer(case, ticket["id"], "DIGITAL_SMS_0002")
    assert answered["status"] == "claimed" and answered["owner"] == "lin"
    assert [(m["author"], m["text"]) for m in answered["messages"]] == [("lin", "Which template?"),
                                                                       ("customer", "DIGITAL_SMS_0002")]
    assert [m["text"] for m in handoff.inbox(case)] == ["Which template?"]     # not the customer's own words


def test_a_customer_cannot_answer_another_accounts_ticket(case):
    ticket = handoff.create(case, "help")
    accounts.create_account(case, "globex", "retail", {})
    case.account = "globex"
    with pytest.raises(UserError, match=f"no ticket #{ticket['id']}"):
        handoff.answer(case, ticket["id"], "hello")


def test_a_send_ticket_shows_the_manager_each_message_itself(case):
    result = sending.send(case, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("19212345678", {"name": "Bo"})])
    ticket = handoff.get(case, handoff.create(case, request_id=result["request_id"])["id"])
    assert ticket["context"]["send"]["failures"][0]["content"] == "[AcmeShop]Hi Bo"
    md = handoff.export(ticket, "md")
    assert "  - message: [AcmeShop]Hi Bo" in md and "- 13800138000: [AcmeShop]Hi Tom" in md


def test_a_resolution_note_reaches_the_customers_inbox_once(ctx):
    ticket = handoff.create(ctx, "please call me", trigger="asked_for_person")
    ctx.actor, ctx.role = "manager:lin", "manager"
    handoff.resolve(ctx, ticket["id"], "Called and fixed", "lin")
    ctx.actor, ctx.role = "customer", "customer"
    assert [(m["author"], m["text"]) for m in handoff.inbox(ctx)] == [("lin", handoff.RESOLVED + "Called and fixed")]
    assert handoff.inbox(ctx) == []


def test_each_chat_reading_news_after_its_own_mark_gets_every_reply_and_marks_them_seen(ctx):
    ticket = handoff.create(ctx, "please call me", trigger="asked_for_person")
    start = handoff.latest(ctx)
    ctx.actor, ctx.role = "manager:lin", "manager"
    handoff.reply(ctx, ticket["id"], "Calling you now.", by="lin")
    ctx.actor, ctx.role = "customer", "customer"
    first, second = handoff.news(ctx, start), handoff.news(ctx, start)   # two tabs, each from its own mark
    assert [m["text"] for m in first] == [m["text"] for m in second] == ["Calling you now."]
    assert handoff.news(ctx, first[-1]["id"]) == [] and handoff.latest(ctx) == first[-1]["id"]
    assert handoff.inbox(ctx) == []                           # shown: the next welcome does not say it again


def test_a_conversations_request_goes_on_the_open_ticket_with_what_it_names(case):
    first = handoff.create(case, "please call me", trigger="asked_for_person", reuse=True)
    handoff.claim(as_manager(case), first["id"], "lin")
    handoff.reply(as_manager(case), first["id"], "Which template?", by="lin")
    result = sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("13800138000", {})])
    again = handoff.create(case, request_id=result["request_id"], conversation=TURNS, reuse=True)
    assert again["id"] == first["id"] and again["reused"] and again["added"]
    assert again["status"] == "claimed"                       # waiting for the customer no more
    # the customer's own words are their message; what the request is about goes in the history
    assert (again["messages"][-1]["author"], again["messages"][-1]["text"]) == ("customer", "why can't telecom users get it?")
    assert "failed for 1 of 2 numbers" in again["events"][-1]["detail"] and again["events"][-1]["event"] == "asked again"
    assert again["context"]["send"]["request_id"] == result["request_id"]   # the failed send joins the case
    assert again["reason"] == "asked_for_person" and again["summary"] == first["summary"]
    assert [t["id"] for t in handoff.queue(as_manager(case))] == [first["id"]]


def test_a_later_english_conversations_part_is_marked_in_english(case):
    handoff.create(case, "please call me", conversation=TURNS, trigger="asked_for_person", reuse=True)
    case.at("2026-03-20T15:00")
    later = [{"role": "user", "text": "why did it fail", "at": "2026-03-20 15:00:00"},
             {"role": "assistant", "text": "isv.MOBILE_NUMBER_ILLEGAL: ...", "at": "2026-03-20 15:00:00"}]
    again = handoff.create(case, conversation=later, trigger="asked_for_person", reuse=True)
    assert again["conversation"][len(TURNS)] == {"role": handoff.PART, "at": "2026-03-20 15:00:00",
                                                 "text": "Later conversation, added 2026-03-20 15:00:00"}


def test_a_later_conversations_handoff_appends_its_turns_to_the_open_ticket_as_a_new_part(case):
    first = handoff.create(case, "please call me", conversation=TURNS, trigger="asked_for_person", reuse=True)
    case.at("2026-03-20T15:00")
    later = [{"role": "user", "text": "为什么失败了", "at": "2026-03-20 15:00:00"},
             {"role": "assistant", "text": "isv.MOBILE_NUMBER_ILLEGAL: ...", "at": "2026-03-20 15:00:00"},
             {"role": "user", "text": "转人工", "at": "2026-03-20 15:00:00"}]
    again = handoff.create(case, conversation=later, trigger="asked_for_person", reuse=True)
    assert again["id"] == first["id"] and again["added"]
    # the part's marker is said in the language the customer wrote the later conversation in
    part = {"role": handoff.PART, "text": "后续对话，添加于 2026-03-20 15:00:00", "at": "2026-03-20 15:00:00"}
    assert again["conversation"] == TURNS + [part] + later
    # the same session asking again adds only what was said since, as one more part; nothing new adds nothing
    case.at("2026-03-20T15:05")
    since = [{"role": "assistant", "text": "工单 #1 已在支持经理处", "at": "2026-03-20 15:05:00"}]
    third = handoff.create(case, conversation=later + since, trigger="asked_for_person", reuse=True)
    assert third["conversation"][len(again["conversation"]):] == [{**part, "text": "后续对话，添加于 "
                                                                  "2026-03-20 15:05:00", "at": "2026-03-20 15:05:00"}] + since
    assert not handoff.create(case, conversation=later + since, trigger="asked_for_person", reuse=True)["added"]
    # `ask`'s one line is the customer's message, not a conversation part
    asked = handoff.create(case, "call me please", conversation=[{"role": "user", "text": "call me please",
                                                                   "at": "2026-03-20 15:05:00"}], reuse=True)
    assert asked["added"] and asked["conversation"] == third["conversation"]


def test_asking_for_a_person_in_a_later_session_attaches_that_sessions_conversation_to_the_open_ticket(case, router):
    first = Conversation(case, router)
    first.handle("I want to talk to a person")
    first.handle("yes")
    case.at("2026-03-20T15:00")
    later = Conversation(case, router)
    later.handle("send DIGITAL_SMS_0002 to 13312345678")
    later.handle("是")
    later.handle("为什么失败了")
    later.handle("余额不足怎么办")
    later.handle("转人工")
    said = later.handle("是")
    assert "工单 #1 已在支持经理处" in said[0].text and "已附上我们的对话" in said[0].text
    turns = handoff.get(case, 1)["conversation"]
    texts = [t["text"] for t in turns]
    assert texts[:2] == ["I want to talk to a person", "Hand this case to a support manager, with our conversation "
                                                        "and your account's details attached."]
    part = texts.index("后续对话，添加于 2026-03-20 15:00:00")     # the later conversation was in Chinese
    assert turns[part]["role"] == handoff.PART and part > 2
    assert {"send DIGITAL_SMS_0002 to 13312345678", "为什么失败了", "余额不足怎么办", "转人工"} <= set(texts[part:])
    assert "     part: 后续对话，添加于 2026-03-20 15:00:00" in case_text(handoff.get(as_manager(case), 1),
                                                                case.rules.carriers)


def test_the_same_words_again_add_nothing_and_a_resolved_ticket_is_not_reused(case):
    first = handoff.create(case, "please call me", reuse=True)
    assert handoff.create(case, "call me back", reuse=True)["added"]
    same = handoff.create(case, "call me back", reuse=True)
    assert not same["added"] and [m["text"] for m in same["messages"]] == ["call me back"]
    handoff.resolve(as_manager(case), first["id"], "Called", "lin")
    assert handoff.create(case, "call me back", reuse=True)["id"] != first["id"]


def test_a_template_named_by_a_request_on_an_open_ticket_joins_its_context(case):
    first = handoff.create(case, "please call me", reuse=True)
    assert "template" not in first["context"]
    again = handoff.create(case, template="DIGITAL_SMS_0002", reuse=True)
    assert again["id"] == first["id"] and again["added"] and again["context"]["template"]["code"] == "DIGITAL_SMS_0002"
    assert not handoff.create(case, template="DIGITAL_SMS_0002", reuse=True)["added"]     # the ticket has it


def test_handoff_create_without_reuse_always_opens_a_ticket(case):
    first = handoff.create(case, "please call me")
    assert handoff.create(case, "please call me")["id"] != first["id"]


def test_a_tickets_history_never_runs_backwards_when_clocks_differ_and_its_age_counts_to_its_last_step(live):
    live.at("2026-12-05T10:00")                       # the customer's simulated clock
    ticket = handoff.create(live, "the preview is wrong")
    live.actor, live.role = "manager:lin", "manager"
    live.at("2026-03-20T09:00")                       # the manager's real one is months behind
    handoff.claim(live, ticket["id"], "lin")
    handoff.reply(live, ticket["id"], "Please resubmit", "lin")
    live.actor, live.role = "customer", "customer"
    live.at("2026-12-06T10:00")
    case = handoff.answer(live, ticket["id"], "done")
    times = [e["at"] for e in case["events"]] + [m["at"] for m in case["messages"]]
    assert [e["at"] for e in case["events"]] == sorted(e["at"] for e in case["events"])
    assert min(times) >= case["created_at"]
    live.at("2026-03-20T09:30")
    assert handoff.get(live, ticket["id"])["age"] == "1d 0h"
    live.actor, live.role = "manager:lin", "manager"
    listed = desk.queue(live, desk.Filters())["tickets"]
    assert [t["age"] for t in listed if t["id"] == ticket["id"]] == ["1d 0h"]   # the queue counts as the ticket page


@pytest.mark.parametrize("field", ["reason", "reply", "answer", "note", "resolution"])
def test_ticket_texts_are_stored_as_typed_like_every_other_text(ctx, field):
    """A typed tab, line break or escape sequence is kept in the database (only the blank ends go); the
    one sanitiser shows it as an escape wherever the ticket is shown."""
    typed = "line one\tcol\nline two \x1b[31mred\\n"
    ticket = handoff.create(ctx, f"  {typed} " if field == "reason" else "please call")
    if field in ("reply", "note", "resolution"):
        ctx.actor, ctx.role = "manager:maria", "manager"
    if field == "reply":
        handoff.claim(ctx, ticket["id"], "maria")
        handoff.reply(ctx, ticket["id"], typed, by="maria")
    elif field == "answer":
        handoff.answer(ctx, ticket["id"], typed)
    elif field == "note":
        handoff.note(ctx, ticket["id"], typed, by="maria")
    elif field == "resolution":
        handoff.claim(ctx, ticket["id"], "maria")
        handoff.resolve(ctx, ticket["id"], typed, by="maria")
    stored = [r for table in ("tickets", "ticket_messages", "ticket_notes") for r in
              ctx.store.rows(f"SELECT * FROM {table}")]
    assert any(typed in (str(v) for v in row.values()) for row in stored)
    assert "\x1b" not in handoff.export(handoff.get(ctx, ticket["id"]), "md")


def test_a_ticket_text_of_only_control_characters_says_nothing_and_is_refused(ctx):
    ticket = handoff.create(ctx, "please call")
    with pytest.raises(UserError, match="the answer is empty"):
        handoff.answer(ctx, ticket["id"], " \x1b\x07\t")


def test_a_ticket_goes_only_to_a_colleague_who_may_take_tickets_once_the_service_knows_any(ctx):
    from assistant import tokens

    ticket = handoff.create(ctx, "my template is stuck")["id"]
    manager = as_manager(ctx)
    assert handoff.assign(manager, ticket, "anyone")["owner"] == "anyone"      # no service tokens: any name
    admin = dataclasses.replace(ctx, actor="admin", role="admin")
    tokens.create(admin, user="lin", role="manager")
    tokens.create(admin, user="ann", role="agent")
    for name in ("zhang-nonexistent", "ann"):                                 # a typo; an agent, who may not
        with pytest.raises(UserError, match=f"no colleague named '{name}' may take tickets here; give one of: lin$"):
            handoff.assign(manager, ticket, name)
    assert handoff.get(manager, ticket)["owner"] == "anyone"                  # nothing changed
    assert handoff.assign(manager, ticket, "LIN")["owner"] == "lin"                  # as the service knows the name


# Each refusal of a ticket action, as (what is done on which ticket, the English the command line says, the
# catalogue's sentence it is marked with and its fields): a ticket 1 open, 2 claimed by wang, 3 resolved.
LONG = "x" * 4001
REFUSALS = {
    "reply empty": (lambda m: handoff.reply(m, 1, " \t"), "the reply is empty; write what the customer should read",
                    ("handoff.empty.reply", {})),
    "note empty": (lambda m: handoff.note(m, 1, ""), "the note is empty; write what your colleagues should know",
                   ("handoff.empty.note", {})),
    "resolution empty": (lambda m: handoff.resolve(m, 1, " "), "the resolution note is empty; add --note TEXT",
                         ("handoff.empty.resolve", {})),
    "answer empty": (lambda m: handoff.answer(dataclasses.replace(m, actor="customer", role="customer"), 1, " "),
                     "the answer is empty; write what the support manager should read", ("handoff.empty.answer", {})),
    "reason too long": (lambda m: handoff.create(m, LONG), "the reason has 4,001 characters, over the limit of 4,000; "
                        "shorten it (put long logs in a file and say where it is)",
                        ("handoff.too_long.reason", {"count": "4,001", "most": "4,000"})),
    "reply too long": (lambda m: handoff.reply(m, 1, LONG), "the reply has 4,001 characters, over the limit of 4,000; "
                       "shorten it (put long logs in a file and say where it is)",
                       ("handoff.too_long.reply", {"count": "4,001", "most": "4,000"})),
    "note too long": (lambda m: handoff.note(m, 1, LONG), "the note has 4,001 characters, over the limit of 4,000; "
                      "shorten it (put long logs in a file and say where it is)",
                      ("handoff.too_long.note", {"count": "4,001", "most": "4,000"})),
    "resolution too long": (lambda m: handoff.resolve(m, 1, LONG), "the resolution note has 4,001 characters, over the "
                            "limit of 4,000; shorten it (put long logs in a file and say where it is)",
                            ("handoff.too_long.resolve", {"count": "4,001", "most": "4,000"})),
    "assign to nobody": (lambda m: handoff.assign(m, 1, " "), "say who takes the ticket; give a colleague's name",
                         ("handoff.assign_to", {})),
    "assign to a stranger": (lambda m: handoff.assign(m, 1, "zhang"), "no colleague named 'zhang' may take tickets "
                             "here; give one of: lin, wang", ("handoff.no_colleague", {"name": "zhang", "names": "lin, wang"})),
    "claim without a name": (lambda m: handoff.claim(m, 1, " "), "say who claims the ticket; add --by NAME (or --user NAME)",
                             ("handoff.claim_by", {})),
    "claim a claimed one": (lambda m: handoff.claim(m, 2, "lin"), "ticket #2 is already claimed by wang",
                            ("handoff.claimed", {"id": "2", "owner": "wang"})),
    "claim a resolved one": (lambda m: handoff.claim(m, 3, "lin"), "ticket #3 is resolved; reopen it first",
                             ("handoff.resolved", {"id": "3"})),
    "reply on a resolved one": (lambda m: handoff.reply(m, 3, "more"), "ticket #3 is resolved; reopen it first",
                                ("handoff.resolved", {"id": "3"})),
    "assign a resolved one": (lambda m: handoff.assign(m, 3, "lin"), "ticket #3 is resolved; reopen it first",
                              ("handoff.resolved", {"id": "3"})),
    "resolve a resolved one": (lambda m: handoff.resolve(m, 3, "again"), "ticket #3 is resolved; reopen it first",
                               ("handoff.resolved", {"id": "3"})),
    "reopen an open one": (lambda m: handoff.reopen(m, 1), "ticket #1 is not resolved; nothing to reopen",
                           ("handoff.not_resolved", {"id": "1"})),
}


@pytest.fixture
def three_tickets(ctx):
    """A manager (lin) over demo's tickets 1 (open), 2 (claimed by wang) and 3 (resolved); lin and wang
    hold managers' tokens."""
    from assistant import tokens

    for reason in ("please call", "my template is stuck", "why was it rejected"):
        handoff.create(ctx, reason)
    admin = dataclasses.replace(ctx, actor="admin", role="admin")
    for name in ("lin", "wang"):
        tokens.create(admin, user=name, role="manager")
    handoff.claim(as_manager(ctx, "wang"), 2, "wang")
    handoff.resolve(as_manager(ctx), 3, "Called and fixed")
    return as_manager(ctx)


@pytest.mark.parametrize("refusal", list(REFUSALS))
def test_each_refusal_of_a_ticket_action_carries_the_catalogues_sentence_in_every_language(three_tickets, kb, refusal):
    act, english, (msg_id, fields) = REFUSALS[refusal]
    with pytest.raises(UserError) as refused:
        act(three_tickets)
    assert str(refused.value) == english                      # the command line's words, as they were
    assert refused.value.said == (msg_id, fields)
    zh = say(kb, msg_id, "zh", **fields)
    assert not re.search(r"[a-z]{3}", zh.replace(fields.get("names", ""), "").replace(fields.get("name", ""), "")
                         .replace(fields.get("owner", ""), "")), zh
    en = say(kb, msg_id, "en", **fields)                      # the command line's, but for a fix naming its flags
    assert en == english or "--" in english and en.split("; ")[0] == english.split("; ")[0] and "--" not in en


# --- summaries in the reader's language ---------------------------------------------------------

def test_a_chinese_customers_views_say_the_summary_in_chinese_and_the_staffs_stay_english(case):
    ticket = handoff.create(case, "我要找人工客服", trigger="asked_for_person")
    assert ticket["summary"] == "客户要求转人工：我要找人工客服"                       # the customer's own view
    assert handoff.queue(case)[0]["summary"] == "客户要求转人工：我要找人工客服"
    staff = as_manager(case)
    assert handoff.get(staff, ticket["id"])["summary"] == "Customer asked for a person: 我要找人工客服"
    assert handoff.queue(staff)[0]["summary"] == "Customer asked for a person: 我要找人工客服"
    assert handoff.summary_in(case.kb, handoff.get(staff, ticket["id"]), "zh") == "客户要求转人工：我要找人工客服"


def test_an_english_customers_ticket_reads_in_english_and_in_chinese_when_asked(case):
    ticket = handoff.create(case, template="DIGITAL_SMS_0002", conversation=TURNS)
    assert ticket["summary"].startswith("Template DIGITAL_SMS_0002 rejected by China Telecom: ")
    assert handoff.summary_in(case.kb, ticket, "zh").startswith("模板 DIGITAL_SMS_0002 被中国电信驳回：")


@pytest.mark.parametrize("make,english,chinese", [
    (lambda c: handoff.create(c, trigger="asked_for_person"), "Customer asked for a person: (no reason given)",
     "客户要求转人工：（未说明原因）"),
    (lambda c: handoff.create(c, "模板为什么还没通过", trigger="unanswered_question"), "Unanswered question: 模板为什么还没通过",
     "未解答的问题：模板为什么还没通过"),
    (lambda c: handoff.create(c, refused={"template": "DIGITAL_SMS_0001", "code": "isv.AMOUNT_NOT_ENOUGH",
                                         "reason": "the package is empty", "at": "2026-03-20 10:00:00",
                                         "phones": [f"1380013800{n}" for n in range(5)]}),
     "Send of DIGITAL_SMS_0001 to 13800138000, 13800138001, 13800138002 and 2 more refused whole in this session: "
     "isv.AMOUNT_NOT_ENOUGH (the package is empty)",
     "本次会话中 DIGITAL_SMS_0001 发往 13800138000、13800138001、13800138002 等，另有 2 个号码 的发送被整体拒绝："
     "isv.AMOUNT_NOT_ENOUGH（the package is empty）"),
])
def test_every_kind_of_summary_is_kept_as_sentences_each_language_says(case, make, english, chinese):
    ticket = handoff.get(as_manager(case), make(case)["id"])
    assert ticket["summary"] == english == handoff.summary_in(case.kb, ticket, "en")
    assert handoff.summary_in(case.kb, ticket, "zh") == chinese


def test_a_failed_sends_summary_names_its_count_and_codes_in_either_language(case):
    result = sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("19212345678", {}), ("13800138000", {})])
    ticket = handoff.create(case, request_id=result["request_id"])
    zh = handoff.summary_in(case.kb, ticket, "zh")
    assert zh.startswith(f"发送 {result['request_id'][:8]} 有 2 个号码失败，共 3 个（isv.")
    assert "failed for 2 of 3 numbers" in handoff.summary_in(case.kb, ticket, "en")


def test_a_ticket_stored_before_summaries_were_kept_as_sentences_still_reads_as_stored(case):
    ticket = handoff.create(case, "我要找人工客服", trigger="asked_for_person")
    context = {k: v for k, v in handoff.get(case, ticket["id"])["context"].items() if k != handoff.SUMMARY_SAID}
    case.store.execute("UPDATE tickets SET summary = ?, context = ? WHERE id = ?",
                       ("Customer asked for a person: 我要找人工客服", json.dumps(context), ticket["id"]))
    old = handoff.get(case, ticket["id"])
    assert old["summary"] == "Customer asked for a person: 我要找人工客服"          # English, as it was stored
    assert handoff.summary_in(case.kb, old, "zh") == old["summary"] and handoff.language_of(old) == "en"
    assert handoff.queue(case)[0]["summary"] == old["summary"]


def test_the_inbox_says_the_summary_and_the_resolution_in_the_customers_language(case):
    ticket = handoff.create(case, "请帮我看看模板", trigger="asked_for_person")
    handoff.resolve(as_manager(case), ticket["id"], "已经处理好了", "lin")
    [message] = handoff.inbox(case)
    assert message["summary"] == "客户要求转人工：请帮我看看模板" and message["lang"] == "zh"
    assert message["text"] == handoff.RESOLVED + "已经处理好了"                      # stored as it always was
    assert handoff.message_in(case.kb, message["text"], "zh") == "已结案：已经处理好了"
    assert handoff.message_in(case.kb, message["text"], "en") == "Resolved: 已经处理好了"
    assert handoff.message_in(case.kb, "Which template?", "zh") == "Which template?"   # a reply as written


def test_a_conversations_language_decides_the_summary_of_its_ticket(case, router):
    conv = Conversation(case, router, lang="zh")
    said = "\n".join(line.text for line in conv.handoff("please call me", "asked_for_person"))
    assert "工单 #1（普通）已转给支持经理：客户要求转人工：please call me" in said
    ticket = handoff.get(as_manager(case), 1)
    assert ticket["summary"] == "Customer asked for a person: please call me"
    assert ticket["context"][handoff.SUMMARY_SAID]["lang"] == "zh"


def test_a_summary_whose_sentence_the_catalogue_no_longer_has_reads_as_stored(case):
    ticket = handoff.get(as_manager(case), handoff.create(case, "我要找人工客服", trigger="asked_for_person")["id"])
    ticket["context"][handoff.SUMMARY_SAID]["parts"][0]["say"] = "ticket.summary.gone"
    assert handoff.summary_in(case.kb, ticket, "zh") == "Customer asked for a person: 我要找人工客服"


def as_agent(ctx, name="ann"):
    """The same database and clock, with a support agent acting in the customer's name."""
    return dataclasses.replace(ctx, actor=f"agent:{name}", role="agent")


def test_an_agents_words_on_a_ticket_are_filed_as_the_agents_not_the_customers(case):
    ticket = handoff.create(case, "help")
    handoff.claim(as_manager(case), ticket["id"], "lin")
    handoff.reply(as_manager(case), ticket["id"], "Which template?", by="lin")
    answered = handoff.answer(as_agent(case), ticket["id"], "DIGITAL_SMS_0002, for the customer")
    assert [(m["author"], m["role"], m["text"]) for m in answered["messages"]] == [
        ("lin", "manager", "Which template?"), ("ann", "agent", "DIGITAL_SMS_0002, for the customer")]
    # still the customer's side of the case: back to its manager, flagged as answered, never in the inbox
    assert answered["status"] == "claimed"
    assert handoff.queue(as_manager(case))[0]["customer_answered"] is True
    assert [m["text"] for m in handoff.inbox(case)] == ["Which template?"]
    assert handoff.replies(case, "2000-01-01") and all(m["author"] == "lin" for m in handoff.replies(case, "2000-01-01"))
    md = handoff.export(handoff.get(case, ticket["id"]), "md")
    assert "ann (agent, for the customer): DIGITAL_SMS_0002, for the customer" in md
    assert "customer: DIGITAL_SMS_0002" not in md


def test_a_ticket_an_agent_with_no_name_opens_says_an_agent_never_agent_agent(case):
    unnamed = dataclasses.replace(case, actor="agent", role="agent")     # $USER unset: the actor is the role alone
    seen = handoff.get(case, handoff.create(unnamed, "the customer cannot see the template")["id"])
    assert seen["summary"].startswith("An agent asked for a person for the customer: the customer cannot see")
    assert handoff.summary_in(case.kb, seen, "zh").startswith("客服代表代客户要求转人工：")
    assert "- An agent's words, for the customer: the customer cannot see" in handoff.export(seen, "md")
    assert "agent agent" not in (seen["summary"] + handoff.export(seen, "md")).lower()


def test_a_ticket_an_agent_opens_in_the_customers_name_says_whose_words_it_holds(case):
    by_agent = handoff.create(as_agent(case), "the customer cannot see the template")
    seen = handoff.get(case, by_agent["id"])          # the customer's own view says so too
    assert seen["opened_by"] == {"author": "ann", "role": "agent"}
    assert seen["summary"].startswith("Agent ann asked for a person for the customer: the customer cannot see")
    assert handoff.summary_in(case.kb, seen, "zh").startswith("客服代表 ann 代客户要求转人工：")
    assert "- Agent ann's words, for the customer: the customer cannot see the template" in handoff.export(seen, "md")
    assert "customer said" not in case_text(seen, {}) and "agent ann said" in case_text(seen, {})
    handoff.resolve(as_manager(case), by_agent["id"], "done", by="lin")
    by_customer = handoff.create(case, "my own words")
    assert handoff.get(case, by_customer["id"])["opened_by"] == {"author": "customer", "role": "customer"}
    assert "- Customer's words: my own words" in handoff.export(handoff.get(case, by_customer["id"]), "md")


def test_an_agents_request_added_to_an_open_ticket_is_the_agents_message(case, router):
    handoff.create(case, "help")
    agent = as_agent(case)
    conv = Conversation(agent, router, role="agent")
    conv.handle("/handoff the letter is uploaded now")
    messages = handoff.get(case, 1)["messages"]
    assert [(m["author"], m["role"]) for m in messages] == [("ann", "agent")]


def test_messages_written_before_roles_were_kept_read_as_the_customers_or_supports(db_target, monkeypatch, kb):
    """A database made before ticket messages kept a role, upgraded: a row by "customer" is the
    customer's side, any other (a manager's reply) support's, on either engine."""
    from assistant.clock import FixedClock, parse_time
    from assistant.storage import schema

    steps = list(schema.MIGRATIONS)
    roles = next(n for n, step in enumerate(steps) if "ticket_messages ADD COLUMN role" in step)
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", steps[:roles])   # the steps before roles were kept
    old = open_store(db_target)
    old.insert("accounts", {"name": "demo", "industry": "retail", "created_at": "2026-03-02 10:00"})
    old.insert("tickets", {"account": "demo", "reason": "asked_for_person", "summary": "s", "priority": "normal",
                           "status": "waiting", "context": "{}", "conversation": "[]", "created_at": "2026-03-02 10:00",
                           "updated_at": "2026-03-02 10:00"})
    for author in ("customer", "lin"):
        old.insert("ticket_messages", {"ticket": 1, "account": "demo", "at": "2026-03-02 10:00", "author": author,
                                       "text": f"by {author}"})
    old.close()
    monkeypatch.setattr("assistant.storage.schema.MIGRATIONS", steps)
    upgraded = open_store(db_target)
    try:
        ctx = Context(upgraded, kb, FixedClock(parse_time("2026-03-02T11:00")), "demo", "customer")
        assert [(m["author"], m["role"]) for m in handoff.get(ctx, 1)["messages"]] == [("customer", "customer"),
                                                                                        ("lin", "manager")]
        assert [m["text"] for m in handoff.inbox(ctx)] == ["by lin"]
    finally:
        upgraded.close()


def _rich_case(case) -> dict:
    """A ticket on a failed send of the rejected DIGITAL_SMS_0002, claimed, replied to and resolved, as a manager reads it."""
    result = sending.send(case, "DIGITAL_SMS_0002", [("13312345678", {}), ("19212345678", {}), ("13800138000", {})])
    handoff.create(case, request_id=result["request_id"], conversation=TURNS, detail="telecom users get nothing")
    manager = as_manager(case)
    handoff.claim(manager, 1, "lin")
    handoff.reply(manager, 1, "Please send the commitment letter", "lin")
    handoff.resolve(manager, 1, "Letter received", "lin")
    return handoff.get(manager, 1, said=True)


def test_a_case_said_in_english_from_the_catalogue_is_the_command_lines_word_for_word(case, kb):
    ticket = _rich_case(case)
    english = case_text(ticket, case.rules.carriers)
    assert case_text(ticket, case.rules.carriers, kb, "en") == english
    assert "reason         send failure" in english and "History:" in english and "(owner lin)" in english


def test_a_managers_case_in_a_chinese_conversation_is_said_in_chinese(case, router):
    """/show in a Chinese conversation: the labels, statuses, carriers, reasons, tables and history in Chinese;
    what people wrote (the customer's words, the manager's reply, a turn) as written."""
    _rich_case(case)
    shown = "\n".join(line.text for line in Conversation(as_manager(case), router, "manager", lang="zh").handle("/show 1"))
    facts = {line.split()[0]: line.split(maxsplit=1)[1] for line in shown.split("\n\n")[0].splitlines()}
    assert facts["工单"] == "#1" and facts["原因"] == "发送失败" and facts["状态"] == "已解决（处理人 lin）"
    assert facts["客户原话"] == "telecom users get nothing" and facts["解决说明"] == "Letter received"
    assert facts["摘要"].startswith("发送 ") and "失败" in facts["摘要"]      # the summary in the reader's language
    for chinese in ("模板 DIGITAL_SMS_0002（Live）", "Rejected（审核未通过）",
                    "签名 AcmeShop：Registered（报备成功）", "中国电信", "手机号码", "对话：", "客户: why can't telecom",
                    "消息：", "处理记录：", "创建了工单：发送失败", "lin（经理） 认领了工单", "结案", "失败 2 条",
                    "  客户 创建了工单"):
        assert chinese in shown, chinese
    for english in ("summary", "reason ", "owner", "Template ", "Signature ", "carrier", "sent,", "Conversation:",
                    "History:", "created", "claimed", "send failure", "Registered ", "China Telecom", "user:", "manager:lin",
                    "customer "):
        assert english not in shown, english


def test_the_case_views_english_twins_are_the_cores_words(kb):
    """The catalogue's English of a case's reasons and send notes is the core's (handoff.REASONS, RECENT_SEND ...),
    which the command line and an English /show say."""
    assert {key: kb.messages[f"case.reason.{key}"]["en"] for key in handoff.REASONS} == handoff.REASONS
    assert kb.messages["case.send.recent"]["en"] == handoff.RECENT_SEND
    assert kb.messages["case.send.added"]["en"] == handoff.ADDED_SEND
    assert kb.messages["case.send.refused"]["en"] == handoff.REFUSED_SEND


def test_a_managers_queue_in_a_chinese_conversation_says_each_summary_in_chinese(case, router):
    """/queue and "工单队列" in a Chinese conversation: the summaries as the reader reads them, like the desk's queue;
    an English conversation keeps the staff's English line."""
    handoff.create(case, "please call me", trigger="asked_for_person")
    manager = as_manager(case)
    for line in ("/queue", "/queue all", "工单队列"):
        said = "\n".join(x.text for x in Conversation(manager, router, "manager", lang="zh").handle(line))
        assert "客户要求转人工：please call me" in said and "Customer asked" not in said, line
    said = "\n".join(x.text for x in Conversation(manager, router, "manager").handle("/queue"))
    assert "Customer asked for a person: please call me" in said
