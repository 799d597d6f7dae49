"""Sending: each recipient succeeds, or fails with the service's own error code."""

import re
from pathlib import Path

import pytest

from assistant.actions import accounts, sending, signatures, templates
from assistant.context import Context
from assistant.errors import NotFound, Unprocessable, UserError


def _send(c, *phones, code="DIGITAL_SMS_0001", **params):
    return sending.send(c, code, [(p, params or {"name": "Tom"}) for p in phones])


def _codes(result):
    return [r["error_code"] for r in result["results"]]


def _refused(c, *phones, code="DIGITAL_SMS_0001", **params):
    """What a send none of whose numbers can go would do (its preview), once the send itself is seen
    refused whole with one of its numbers' codes, recording and charging nothing."""
    return _refused_send(c, code, [(p, params or {"name": "Tom"}) for p in phones])


def _refused_send(c, code, recipients):
    shown = sending.preview(c, code, recipients)
    before = (c.store.row("SELECT COUNT(*) AS n FROM requests")["n"], accounts.account_info(c)["packages"])
    with pytest.raises(Unprocessable) as refused:
        sending.send(c, code, recipients)
    assert refused.value.code in _codes(shown) and str(refused.value).startswith(f"{refused.value.code}: ")
    assert "nothing was sent or recorded" in str(refused.value) and "\n" not in str(refused.value)
    assert (c.store.row("SELECT COUNT(*) AS n FROM requests")["n"], accounts.account_info(c)["packages"]) == before
    return shown


def test_a_send_reaches_each_carrier_and_charges_the_digital_package_only(live):
    result = _send(live, "13800138000", "+86 186-1234-5678", "133 1234 5678")
    assert (result["sent"], result["failed"]) == (3, 0)
    assert [r["carrier"] for r in result["results"]] == ["china_mobile", "china_unicom", "china_telecom"]
    assert result["balance"] == {"digital": 997, "sms": 5000}
    assert re.fullmatch(r"[0-9A-F-]{36}", result["request_id"])
    assert live.store.row("SELECT total, sent FROM requests WHERE request_id = ?", (result["request_id"],)) == \
        {"total": 3, "sent": 3}


@pytest.mark.parametrize("phone", ["12345", "19212345678", "14612345678"])
def test_a_number_it_cannot_reach_fails_with_mobile_number_illegal_beside_one_it_can(live, phone):
    assert _codes(_send(live, "13800138000", phone)) == [None, "isv.MOBILE_NUMBER_ILLEGAL"]


def test_a_send_none_of_whose_numbers_it_can_reach_is_refused_whole_and_records_nothing(live):
    with pytest.raises(Unprocessable) as refused:
        _send(live, "12345", "19212345678", "+1 415 555 0100", "14612345678")
    message = str(refused.value)
    assert refused.value.code == "isv.MOBILE_NUMBER_ILLEGAL" and "\n" not in message
    assert message.startswith("isv.MOBILE_NUMBER_ILLEGAL: no number can be sent to ('12345' is not an 11-digit")
    assert "19212345678: China Broadnet numbers are not reached" in message and "; and 1 more)" in message
    assert "nothing was sent or recorded" in message
    assert live.store.row("SELECT COUNT(*) AS n FROM requests")["n"] == 0
    assert live.store.row("SELECT COUNT(*) AS n FROM messages")["n"] == 0
    assert accounts.account_info(live)["packages"]["digital"] == 1000
    assert live.store.row("SELECT action, result FROM audit ORDER BY id DESC LIMIT 1") == {"action": "send",
                                                                                         "result": "refused"}


def test_a_send_none_of_whose_numbers_can_go_is_refused_with_the_code_most_of_them_fail_with(live):
    _send(live, "13800138000", "13800138001")
    recipients = [("13800138002", {}), ("13800138000", {"name": "Tom"}), ("13800138001", {"name": "Tom"})]
    assert _codes(_refused_send(live, "DIGITAL_SMS_0001", recipients)) == [
        "isv.TEMPLATE_MISSING_PARAMETERS", "isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_CONTROL"]
    with pytest.raises(Unprocessable) as refused:
        sending.send(live, "DIGITAL_SMS_0001", recipients)
    message = str(refused.value)
    assert refused.value.code == "isv.BUSINESS_LIMIT_CONTROL"
    assert message.startswith("isv.BUSINESS_LIMIT_CONTROL: none of the 3 numbers can be sent to (13800138002: "
                              "isv.TEMPLATE_MISSING_PARAMETERS, no value for ${name}")
    assert "13800138000: isv.BUSINESS_LIMIT_CONTROL, 13800138000 already got template" in message
    assert message.endswith("nothing was sent or recorded; " + _fix(live, "isv.BUSINESS_LIMIT_CONTROL"))
    assert live.store.row("SELECT action, result, detail FROM audit ORDER BY id DESC LIMIT 1") == {
        "action": "send", "result": "refused", "detail": message}


def test_a_send_to_an_empty_digital_package_is_refused_whole_with_amount_not_enough(live):
    live.store.update("accounts", {"name": "demo"}, {"digital_balance": 0})
    assert _codes(_refused(live, "13800138000", "13800138001")) == ["isv.AMOUNT_NOT_ENOUGH"] * 2


def _fix(c, code):
    fix = c.kb.error_codes[code].fix
    return fix[:1].lower() + fix[1:].rstrip(".")


def test_unreachable_numbers_of_an_account_not_enabled_fail_for_the_account_first(live):
    live.store.update("accounts", {"name": live.account}, {"enabled_at": None})
    assert _codes(_refused(live, "12345")) == ["isv.PRODUCT_UN_SUBSCRIPT"]


def test_a_carrier_that_has_not_approved_the_template_is_refused(live, media):
    templates.create(live, "Live", "AcmeShop", "e-commerce", "Watch our live stream", [media["image"]])
    result = _refused_send(live, "DIGITAL_SMS_0002", [("13312345678", {}), ("13800138000", {})])
    assert _codes(result) == ["isv.SMS_TEMPLATE_ILLEGAL", "isv.SMS_TEMPLATE_ILLEGAL"]
    assert "pending, expected by" in result["results"][0]["detail"]
    live.later(days=7)
    result = sending.send(live, "DIGITAL_SMS_0002", [("13312345678", {}), ("13800138001", {})])
    assert _codes(result) == ["isv.SMS_TEMPLATE_ILLEGAL", None]
    assert "rejected: live-streaming content" in result["results"][0]["detail"]


def test_a_signature_not_active_with_the_carrier_is_refused(ctx, media):
    accounts.enable(ctx)
    status = signatures.submit(ctx, "AcmeShop", "trademark")
    first = min(status["carriers"].items(), key=lambda kv: kv[1]["expected_by"])
    ctx.at(first[1]["expected_by"] + "T10:00")     # registered with one carrier only
    code = templates.create(ctx, "Sale", "AcmeShop", "e-commerce", "Sale on", [media["image"]])["code"]
    others = [c for c in ctx.rules.carriers if c != first[0] and
              signatures.status(ctx, "AcmeShop")[0]["carriers"][c]["registration"] == "registering"]
    ctx.actor = "manager"
    templates.record_review(ctx, code, others[0], True, None)   # a carrier approves the template anyway
    phone = {"china_mobile": "13800138000", "china_unicom": "18612345678", "china_telecom": "13312345678"}[others[0]]
    assert _codes(_refused_send(ctx, code, [(phone, {})])) == ["isv.SMS_SIGNATURE_ILLEGAL"]


@pytest.mark.parametrize("params,code", [
    ({}, "isv.TEMPLATE_MISSING_PARAMETERS"),
    ({"name": "T" * 21}, "isv.PARAM_LENGTH_LIMIT"),
    ({"name": "http://x.cn/a"}, "isv.PARAM_NOT_SUPPORT_URL"),
    ({"name": "lottery"}, "isv.BLACK_KEY_CONTROL_LIMIT"),
])
def test_template_parameters_are_checked(live, params, code):
    result = _refused_send(live, "DIGITAL_SMS_0001", [("13800138000", params)])
    assert _codes(result) == [code]


def test_one_message_per_number_per_template_in_24_hours(live):
    assert _codes(_send(live, "13800138000")) == [None]   # (one number written twice in one request is sent once)
    assert _codes(_refused(live, "13800138000")) == ["isv.BUSINESS_LIMIT_CONTROL"]
    live.later(hours=23, minutes=59)
    assert _codes(_refused(live, "13800138000")) == ["isv.BUSINESS_LIMIT_CONTROL"]
    live.later(minutes=2)
    assert _codes(_send(live, "13800138000")) == [None]


def test_at_most_two_messages_a_minute_to_one_number_across_templates(live, media):
    for n in (2, 3):
        templates.create(live, f"T{n}", "AcmeShop", "e-commerce", "Hello", [media["image"]])
    live.later(days=5)
    assert _codes(_send(live, "13800138000")) == [None]
    assert _codes(sending.send(live, "DIGITAL_SMS_0002", [("13800138000", {})])) == [None]
    result = _refused_send(live, "DIGITAL_SMS_0003", [("13800138000", {})])
    assert _codes(result) == ["isv.BUSINESS_LIMIT_CONTROL"] and "in a minute" in result["results"][0]["detail"]


def test_an_empty_digital_package_fails_even_with_sms_left(live):
    live.store.conn.execute("UPDATE accounts SET digital_balance = 1 WHERE name = 'demo'")
    result = _send(live, "13800138000", "13800138001")
    assert _codes(result) == [None, "isv.AMOUNT_NOT_ENOUGH"]
    assert "SMS packages (5000 left) do not apply to digital messages" in result["results"][1]["detail"]
    assert result["balance"] == {"digital": 0, "sms": 5000}


def test_an_account_without_the_service_gets_product_un_subscript(live):
    live.store.conn.execute("UPDATE accounts SET enabled_at = NULL WHERE name = 'demo'")
    assert _codes(_refused(live, "13800138000")) == ["isv.PRODUCT_UN_SUBSCRIPT"]


def test_more_than_a_thousand_numbers_in_one_request_is_refused_whole(live):
    with pytest.raises(UserError, match="isv.MOBILE_COUNT_OVER_LIMIT"):
        _send(live, *[f"138{n:08d}" for n in range(1001)])
    assert live.store.rows("SELECT * FROM requests") == []


def test_an_unknown_template_changes_nothing(live):
    with pytest.raises(UserError, match="no template DIGITAL_SMS_0099"):
        _send(live, "13800138000", code="DIGITAL_SMS_0099")
    assert live.store.rows("SELECT * FROM messages") == []


def test_a_send_killed_half_way_leaves_nothing(live):
    def crash(done, total):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        sending.send(live, "DIGITAL_SMS_0001", [(f"138{n:08d}", {"name": "Tom"}) for n in range(1500)],
                     progress=crash, from_file=True)
    assert live.store.rows("SELECT * FROM messages") == []
    assert accounts.account_info(live)["packages"]["digital"] == 1000


def test_a_file_of_many_recipients_is_one_batch(live):
    accounts.topup(live, "demo", 5000, None)
    result = sending.send(live, "DIGITAL_SMS_0001", [(f"138{n:08d}", {"name": "Tom"}) for n in range(3000)],
                          from_file=True)
    assert result["sent"] == 3000
    assert live.store.row("SELECT COUNT(*) AS n FROM requests")["n"] == 1


def test_the_preview_shows_each_number_and_the_charge(live, media):
    templates.create(live, "Live", "AcmeShop", "e-commerce", "Watch our live stream", [media["image"]])
    live.later(days=7)
    preview = sending.preview(live, "DIGITAL_SMS_0002", [(p, {}) for p in ("13800138000", "13312345678", "bad")])
    assert [(r["phone"], r["carrier"], r["status"], r["error_code"]) for r in preview["results"]] == [
        ("13800138000", "china_mobile", "sent", None),
        ("13312345678", "china_telecom", "failed", "isv.SMS_TEMPLATE_ILLEGAL"),
        ("bad", None, "failed", "isv.MOBILE_NUMBER_ILLEGAL")]
    assert preview["charged"] == 1 and preview["balance_before"] == 1000 and preview["balance"]["digital"] == 999


def test_every_code_the_send_path_produces_is_explained(kb):
    source = (Path(sending.__file__)).read_text()
    produced = set(re.findall(r'"(isv\.[A-Z_]+)"', source))
    assert produced and produced <= set(kb.error_codes)


def test_each_message_keeps_what_its_recipient_saw(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("13900139000", {"name": "Ann"}),
                                                     ("19212345678", {"name": "Bo"}), ("13700137000", {})])
    rows = live.store.rows("SELECT phone, status, signature, content FROM messages WHERE request_id = ? ORDER BY id",
                           (result["request_id"],))
    assert [(r["status"], r["signature"], r["content"]) for r in rows] == [
        ("sent", "AcmeShop", "[AcmeShop]Hi Tom, the sale is on"),
        ("sent", "AcmeShop", "[AcmeShop]Hi Ann, the sale is on"),
        ("failed", "AcmeShop", "[AcmeShop]Hi Bo, the sale is on"),
        ("failed", "AcmeShop", "[AcmeShop]Hi ${name}, the sale is on"),   # the value that was missing stays visible
    ]


def test_a_past_send_shows_the_messages_themselves(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("19212345678", {"name": "Bo"})])
    past = sending.request(live, result["request_id"])
    assert past["failures"][0]["content"] == "[AcmeShop]Hi Bo, the sale is on"
    assert past["sent_messages"] == [{"phone": "13800138000", "carrier": "china_mobile", "signature": "AcmeShop",
                                      "content": "[AcmeShop]Hi Tom, the sale is on"}]


def test_the_preview_runs_the_sends_checks_and_agrees_with_the_send_number_by_number(live):
    sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])       # flow control for this one
    templates.record_review(live, "DIGITAL_SMS_0001", "china_telecom", False, "wording")
    live.store.conn.execute("UPDATE accounts SET digital_balance = 1 WHERE name = 'demo'")
    recipients = [("13800138000", {"name": "Tom"}), ("13312345678", {"name": "Ann"}), ("18612345678", {"name": "Bo"}),
                  ("13912345678", {"name": "Cy"}), ("13512345678", {"name": "www.x.com"})]
    before = live.store.row("SELECT COUNT(*) AS n FROM messages")["n"]
    preview = sending.preview(live, "DIGITAL_SMS_0001", recipients)
    assert live.store.row("SELECT COUNT(*) AS n FROM messages")["n"] == before        # nothing written
    assert [r["error_code"] for r in preview["results"]] == [
        "isv.BUSINESS_LIMIT_CONTROL", "isv.SMS_TEMPLATE_ILLEGAL", None, "isv.AMOUNT_NOT_ENOUGH", "isv.PARAM_NOT_SUPPORT_URL"]
    result = sending.send(live, "DIGITAL_SMS_0001", recipients)
    assert result["results"] == preview["results"]
    assert (result["sent"], result["failed"], result["balance"]) == (preview["sent"], preview["failed"], preview["balance"])


def test_the_preview_refuses_what_the_send_refuses(live):
    with pytest.raises(UserError, match="isv.MOBILE_COUNT_OVER_LIMIT"):
        sending.preview(live, "DIGITAL_SMS_0001", [(f"138{n:08d}", {"name": "T"}) for n in range(1001)])


def test_a_capitalised_column_fills_the_templates_variable(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"Name": "Tom"}), ("13312345678", {"NAME": "Ann"})])
    assert result["sent"] == 2


def test_recent_sends_are_listed_newest_first_and_one_can_be_shown(live):
    first = _send(live, "13800138000")
    live.later(minutes=5)
    second = _send(live, "13312345678", "12345")
    assert [s["request_id"] for s in sending.recent(live)] == [second["request_id"], first["request_id"]]
    shown = sending.request(live, second["request_id"].lower())
    assert shown["failed"] == 1 and shown["failures"][0]["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL"


def test_recent_sends_are_kept_to_one_template_or_one_day_when_asked(live):
    first = _send(live, "13800138000")
    live.later(days=1)
    second = _send(live, "13312345678")
    ids = lambda sends: [s["request_id"] for s in sends]  # noqa: E731
    assert ids(sending.recent(live, template="digital_sms_0001")) == [second["request_id"], first["request_id"]]
    assert ids(sending.recent(live, template="spring SALE")) == ids(sending.recent(live))   # by its name
    with pytest.raises(NotFound, match="no template DIGITAL_SMS_0404 in account 'demo'; this account has: DIGITAL_SMS_0001"):
        sending.recent(live, template="DIGITAL_SMS_0404")
    assert ids(sending.recent(live, day="today")) == [second["request_id"]]
    assert ids(sending.recent(live, day="yesterday")) == [first["request_id"]]
    assert ids(sending.recent(live, day="2026-03-20")) == [first["request_id"]]     # `live` starts on Friday 20 March
    with pytest.raises(UserError, match="'last week' is not a day; write it as 2026-03-02, April 2, today, yesterday, "
                                        "3 days ago, Monday or last Monday"):
        sending.recent(live, day="last week")
    assert ids(sending.recent(live, day="1 day ago")) == ids(sending.recent(live, day="一天前")) == [first["request_id"]]
    assert ids(sending.recent(live, day="saturday")) == ids(sending.recent(live, day="周六")) == [second["request_id"]]


def test_recent_sends_to_a_number_give_that_numbers_own_result_newest_first(live):
    first = _send(live, "13800138000", "13312345678")
    live.later(hours=2)
    second = _send(live, "+86 138-0013-8000", "13912345621")   # the same number again: flow control refuses it
    ids = lambda sends: [s["request_id"] for s in sends]  # noqa: E731
    found = sending.recent(live, phone="0086 138 0013 8000")
    assert ids(found) == [second["request_id"], first["request_id"]]
    assert found[0]["recipient"] == {
        "phone": "13800138000", "status": "failed", "carrier": "china_mobile", "error_code": "isv.BUSINESS_LIMIT_CONTROL",
        "detail": "13800138000 already got template DIGITAL_SMS_0001 in the last 24 hours (limit 1)"}
    assert found[1]["recipient"] == {"phone": "13800138000", "status": "sent", "carrier": "china_mobile",
                                     "error_code": None, "detail": None}
    assert (found[1]["total"], found[1]["sent"], found[1]["failed"]) == (2, 2, 0)   # the send's own counts as before
    assert ids(sending.recent(live, phone="13312345678")) == [first["request_id"]]
    assert ids(sending.recent(live, phone="139-1234-5621")) == [second["request_id"]]


def test_recent_sends_to_a_number_combine_with_the_template_and_the_day(live):
    first = _send(live, "13800138000")
    live.later(days=1)
    second = _send(live, "13800138000")
    ids = lambda sends: [s["request_id"] for s in sends]  # noqa: E731
    assert ids(sending.recent(live, phone="13800138000", day="yesterday")) == [first["request_id"]]
    assert ids(sending.recent(live, phone="13800138000", day="today", template="spring sale")) == [second["request_id"]]
    assert sending.recent(live, phone="13800138000", day="2026-03-19") == []
    assert ids(sending.recent(live, 1, phone="13800138000")) == [second["request_id"]]


def test_recent_sends_to_a_number_never_sent_to_or_of_another_account_are_none(live):
    _send(live, "13800138000")
    assert sending.recent(live, phone="13598765432") == []
    accounts.create_account(live, "other", "e-commerce", {})
    other = Context(live.store, live.kb, live.clock, "other", "customer", "customer")
    assert sending.recent(other, phone="13800138000") == []        # another account's send is not this one's


def test_the_sends_of_an_account_that_does_not_exist_are_refused_as_no_such_account(live):
    ghost = Context(live.store, live.kb, live.clock, "ghost", "customer", "customer")
    for look in (lambda: sending.recent(ghost), lambda: sending.request(ghost, "7947EDCA"),
                 lambda: sending.send(ghost, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])):
        with pytest.raises(UserError, match="^no account 'ghost'; see `assistant admin account list`"):
            look()


@pytest.mark.parametrize(("number", "why"), [
    ("010-62345678", "'010-62345678' is a landline, not a mobile number"),
    ("12345", "'12345' is not an 11-digit mainland mobile number"),
    ("19212345678", "China Broadnet numbers are not reached by digital messages"),
    ("", "is not an 11-digit mainland mobile number"),
])
def test_recent_sends_to_a_number_no_send_reaches_are_refused_as_the_send_refuses_it(live, number, why):
    with pytest.raises(Unprocessable, match=re.escape(why)) as refused:
        sending.recent(live, phone=number)
    assert str(refused.value).startswith("isv.MOBILE_NUMBER_ILLEGAL: ") and "\n" not in str(refused.value)
    assert refused.value.code == "isv.MOBILE_NUMBER_ILLEGAL"


def test_a_capitalised_parameter_fills_the_message_the_recipient_sees(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"Name": "Tom"})])
    content = live.store.row("SELECT content FROM messages WHERE request_id = ?", (result["request_id"],))["content"]
    assert result["sent"] == 1 and content == "[AcmeShop]Hi Tom, the sale is on"


# --- large sends: decided and charged in one short transaction, recorded in chunks ------------------


def _numbers(count: int, start: int = 0) -> list[tuple[str, dict]]:
    return [(f"138{n:08d}", {"name": "Tom"}) for n in range(start, start + count)]


def test_a_large_send_is_recorded_in_chunks_and_answered_small(live, monkeypatch):
    monkeypatch.setitem(live.rules.sending, "chunk_messages", 700)
    monkeypatch.setitem(live.rules.sending, "shown_results", 100)
    accounts.topup(live, "demo", 5000, None)
    seen = []
    bad = [(f"1{n:05d}", {"name": "Tom"}) for n in range(10)]   # ten different numbers that are not mobiles
    result = sending.send(live, "DIGITAL_SMS_0001", _numbers(2990) + bad,
                          progress=lambda done, total: seen.append(done), from_file=True)
    assert (result["sent"], result["failed"], result["charged"]) == (2990, 10, 2990)
    assert len(result["results"]) == 100 and result["results_total"] == 3000
    assert result["failures_total"] == 10 and [f["phone"] for f in result["failures"]] == [phone for phone, _ in bad]
    assert seen == sorted(seen) and seen[-1] == 3000 and len([d for d in seen if d > 1500]) == 5  # 5 chunks recorded
    row = live.store.row("SELECT state, written, total FROM requests WHERE request_id = ?", (result["request_id"],))
    assert row == {"state": "done", "written": 3000, "total": 3000}
    assert live.store.row("SELECT COUNT(*) AS n FROM messages")["n"] == 3000
    assert accounts.account_info(live)["packages"]["digital"] == 6000 - 2990


def test_a_file_the_empty_package_cannot_pay_for_is_refused_before_any_per_number_work(live, monkeypatch):
    # how fast is bench_big_send.py's business; here: not one number is looked up, nothing is written
    looked_up = []
    real_lookup = sending.lookup
    monkeypatch.setattr(sending, "lookup", lambda raw, rules: looked_up.append(raw) or real_lookup(raw, rules))
    live.store.execute("UPDATE accounts SET digital_balance = 0")
    recipients = _numbers(400_000)
    with pytest.raises(UserError, match=r"^isv.AMOUNT_NOT_ENOUGH: the digital-message package is empty, so none of "
                                        r"the file's 400,000 recipients can be sent to .*; top up the digital package"):
        sending.send(live, "DIGITAL_SMS_0001", recipients, from_file=True)
    assert looked_up == []
    assert live.store.rows("SELECT * FROM messages") == [] and live.store.rows("SELECT * FROM requests") == []
    assert live.store.row("SELECT result FROM audit WHERE action = 'send' ORDER BY id DESC LIMIT 1") == {"result": "refused"}


def test_a_file_over_the_documented_maximum_is_refused_whole(live, monkeypatch):
    monkeypatch.setitem(live.rules.sending, "max_recipients_per_file", 2000)
    with pytest.raises(UserError, match=r"^isv.MOBILE_COUNT_OVER_LIMIT: the file has 2,001 recipients, more than the "
                                        r"2,000 one send takes; split it"):
        sending.send(live, "DIGITAL_SMS_0001", _numbers(2001), from_file=True)
    assert live.store.rows("SELECT * FROM requests") == []


def test_a_send_interrupted_while_recording_is_undone_at_once(live, monkeypatch):
    monkeypatch.setitem(live.rules.sending, "chunk_messages", 500)

    def interrupt(done, total):
        if done >= (total + 3 * 500) // 2:  # three chunks recorded (recording counts the second half)
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        sending.send(live, "DIGITAL_SMS_0001", _numbers(2000), progress=interrupt, from_file=True)
    assert live.store.rows("SELECT * FROM messages") == [] and live.store.rows("SELECT * FROM requests") == []
    assert accounts.account_info(live)["packages"]["digital"] == 1000
    assert live.store.row("SELECT action, detail FROM audit ORDER BY id DESC LIMIT 1") == {
        "action": "send.rollback", "detail": "its recording failed after 1500 messages; 1000 message(s) refunded"}


def _killed_mid_recording(target, kb, clock, chunk):
    import os
    import signal

    from assistant.context import Context
    from assistant.storage import open_store

    ctx = Context(open_store(target), kb, clock, "demo", "customer", "customer")
    ctx.rules.sending["chunk_messages"] = chunk  # this process's own copy of the rules

    def die(done, total):
        if done >= (total + 2 * chunk) // 2:  # two chunks recorded
            os.kill(os.getpid(), signal.SIGKILL)
    sending.send(ctx, "DIGITAL_SMS_0001", _numbers(3000), progress=die, from_file=True)


def test_a_writer_killed_mid_send_leaves_a_recording_send_that_is_rolled_back_whole(live, monkeypatch):
    import multiprocessing

    child = multiprocessing.get_context("fork").Process(target=_killed_mid_recording,
                                                        args=(live.store.target, live.kb, live.clock, 400))
    child.start()
    child.join(120)
    assert child.exitcode == -9
    running = live.store.row("SELECT request_id, state, written, sent FROM requests")
    assert running["state"] == "recording" and running["written"] == 800 and running["sent"] == 1000
    assert accounts.account_info(live)["packages"]["digital"] == 0    # charged whole, never half
    shown = sending.request(live, running["request_id"])                # `send show`: the progress, while fresh
    assert (shown["state"], shown["written"], shown["total"]) == ("recording", 800, 3000)
    with pytest.raises(UserError, match="another send of account 'demo' is still being recorded"):
        _send(live, "13312345678")
    monkeypatch.setitem(live.rules.sending, "stale_after_s", 0)          # its writer made no progress since
    assert sending.recent(live) == []
    assert live.store.rows("SELECT * FROM messages") == [] and accounts.account_info(live)["packages"]["digital"] == 1000
    assert _send(live, "13312345678")["sent"] == 1


def test_a_send_while_another_is_recorded_is_refused_at_once_before_its_numbers_are_read_or_any_lock_waited(live):
    import threading
    import time

    from assistant.errors import Conflict
    from assistant.storage import open_store

    live.store.atomically(lambda: live.store.insert("requests", {
        "request_id": "RUNNING-0001", "account": "demo", "template": "DIGITAL_SMS_0001", "created_at": live.now(),
        "total": 200000, "sent": 200000, "failed": 0, "actor": "customer", "state": "recording", "written": 2000,
        "lease": time.time() + 600}))

    def unread():
        raise AssertionError("the numbers were read before the refusal")
        yield

    holding, done = threading.Event(), threading.Event()

    def recording() -> None:   # the recording's next chunk, its transaction held open meanwhile
        other = open_store(live.store.target)

        def chunk() -> None:
            other.execute("UPDATE requests SET written = 4000 WHERE request_id = 'RUNNING-0001'")
            holding.set()
            done.wait(30)
        try:
            other.atomically(chunk, key="demo")
        finally:
            other.close()
    writer = threading.Thread(target=recording)
    writer.start()
    try:
        assert holding.wait(30)
        started = time.monotonic()
        with pytest.raises(Conflict, match=r"still being recorded \(request RUNNING-0001: 2,000 of 200,000 messages\)"):
            sending.send(live, "DIGITAL_SMS_0001", unread(), from_file=True)
        assert time.monotonic() - started < 1.0
    finally:
        done.set()
        writer.join()


REACHED = [("13800138000", {"name": "T"})]  # one number sent: a send none of whose numbers is reached is refused


def test_send_show_pages_the_failures(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [(f"1{n:05d}", {"name": "T"}) for n in range(120)]
                          + REACHED, from_file=True)
    first = sending.request(live, result["request_id"])
    assert len(first["failures"]) == 50 and first["failures_from"] == 0 and first["failures_next"] == 50
    last = sending.request(live, result["request_id"], failures_from=100)
    assert len(last["failures"]) == 20 and last["failures_next"] is None


def test_send_show_pages_take_a_limit_bounded_so_an_answer_stays_small(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [(f"1{n:05d}", {"name": "T"}) for n in range(1200)]
                          + REACHED, from_file=True)
    page = sending.request(live, result["request_id"], failures_from=10, limit=5)
    assert [f["phone"] for f in page["failures"]] == [f"1{n:05d}" for n in range(10, 15)]
    assert (page["failures_next"], page["failures_total"]) == (15, 1200)
    widest = sending.request(live, result["request_id"], limit=10**6)
    assert len(widest["failures"]) == sending.MAX_FAILURES_PAGE == 1000 and widest["failures_next"] == 1000


def test_one_number_written_twice_is_sent_once_and_the_repeat_is_said(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [("139-1234-5621", {"name": "Tom"}),
                                                     ("0086 13912345621", {"name": "Tom"})])
    assert (result["sent"], result["failed"]) == (1, 0)
    assert [r["written"] for r in result["repeats"]] == ["0086 13912345621"]
    preview = sending.preview(live, "DIGITAL_SMS_0001", [("13912345621", {"name": "Tom"}), ("+8613912345621", {})])
    assert len(preview["results"]) == 1 and preview["repeats"][0]["first"] == "13912345621"


def test_recent_sends_of_the_same_second_list_the_later_first(live):
    first = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"})])
    second = sending.send(live, "DIGITAL_SMS_0001", [("13912345678", {"name": "Ann"})])
    assert [s["request_id"] for s in sending.recent(live, 2)] == [second["request_id"], first["request_id"]]


def test_a_send_decided_outside_its_transaction_decides_again_if_the_account_changed_meanwhile(live, monkeypatch):
    """The verdicts are drafted before the transaction (which stays short); the transaction checks that
    what they depend on is unchanged and, here (the package drained by someone else meanwhile), decides
    again: one number is paid for, the others fail for the balance, and the balance is never negative."""
    from assistant.storage import open_store

    reads = []
    real = sending._situation
    monkeypatch.setattr(sending, "_situation", lambda *a: reads.append(1) or real(*a))
    other = open_store(live.store.target)

    def meanwhile(now: bool = False) -> None:
        if len(reads) == 1 and not getattr(meanwhile, "done", False):  # the draft has read the account
            meanwhile.done = True
            other.atomically(lambda: other.execute("UPDATE accounts SET digital_balance = 1 WHERE name = 'demo'"))
    try:
        result = sending.send(live, "DIGITAL_SMS_0001", [(p, {"name": "Tom"}) for p in
                                                        ("13800138000", "13312345678", "18612345678")], pace=meanwhile)
    finally:
        other.close()
    assert len(reads) == 2 and meanwhile.done
    assert result["sent"] == 1 and _codes(result)[1:] == ["isv.AMOUNT_NOT_ENOUGH"] * 2
    assert accounts.account_info(live)["packages"]["digital"] == 0


@pytest.mark.sqlite_only
def test_a_large_send_keeps_the_sqlite_log_small_so_no_other_commit_has_to_copy_it(live):
    """Between its chunks the send copies SQLite's write-ahead log into the file (`Store.settle`);
    left to itself the log grows to 1,000 pages (4 MB) and the next commit, anyone's, copies it."""
    import os

    result = sending.send(live, "DIGITAL_SMS_0001", [(f"138{n:08d}", {"name": "Tom"}) for n in range(30_000)],
                          from_file=True)
    assert result["results_total"] == 30_000
    wal = str(live.store.path) + "-wal"
    assert os.path.getsize(wal) < 2 * 1024 * 1024


def test_a_parameter_the_template_has_not_is_refused_before_anything_is_recorded(live):
    with pytest.raises(UserError, match=r"isv.SMS_TEMPLATE_ILLEGAL: template DIGITAL_SMS_0001 has no parameter 'foo' "
                                        r"\(its parameters: \$\{name\}\)"):
        sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom", "foo": "1"})])
    with pytest.raises(UserError, match="has no parameter 'foo'"):
        sending.preview(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom", "foo": "1"})])
    with pytest.raises(UserError, match="has no parameter 'foo'"):   # a file's --param too
        sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom", "foo": "1"})], from_file=True,
                     common={"foo": "1"})
    assert live.store.row("SELECT COUNT(*) AS n FROM requests")["n"] == 0


def test_a_files_extra_columns_are_allowed_but_a_variable_no_column_gives_is_refused_whole(live):
    result = sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom", "city": "Hangzhou"})],
                          from_file=True)
    assert result["sent"] == 1
    with pytest.raises(UserError, match=r"isv.TEMPLATE_MISSING_PARAMETERS: the file gives no recipient a value for "
                                        r"\$\{name\} \(its columns: 姓名\); name a column 'name'"):
        sending.send(live, "DIGITAL_SMS_0001", [(f"1390000000{n}", {"姓名": "张三"}) for n in range(5)], from_file=True)
    assert live.store.row("SELECT COUNT(*) AS n FROM requests")["n"] == 1


def test_a_preview_gives_why_flow_control_holds_a_number_for_each_readers_language(live, media):
    from assistant.messages import said

    for n in (2, 3):
        templates.create(live, f"T{n}", "AcmeShop", "e-commerce", "Hello", [media["image"]])
    live.later(days=5)
    assert _codes(_send(live, "13800138000")) == [None]
    preview = sending.preview(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("13312345678", {"name": "Tom"})])
    held = preview["held"]
    assert list(held) == ["13800138000"]                                 # the one held back; the other goes
    assert said(live.kb, held["13800138000"], "en") == preview["results"][0]["detail"] == \
        "13800138000 already got template DIGITAL_SMS_0001 in the last 24 hours (limit 1)"
    assert said(live.kb, held["13800138000"], "zh") == "13800138000 在过去 24 小时内已收到过模板 DIGITAL_SMS_0001（上限 1 次）"
    assert _codes(sending.send(live, "DIGITAL_SMS_0002", [("13800138000", {})])) == [None]
    minute = sending.preview(live, "DIGITAL_SMS_0003", [("13800138000", {})])
    assert minute["results"][0]["detail"] == "13800138000 reached 2 digital messages in a minute"     # as it was
    assert said(live.kb, minute["held"]["13800138000"], "zh") == "13800138000 1 分钟内已收到 2 条数字短信，达到上限"


def test_every_reason_a_number_fails_for_is_recorded_in_english_and_said_in_chinese_from_the_catalogue(live, media):
    """Each reason the account model records for a failed number is a sentence of messages.yaml
    (`send.failed.*`): the send keeps its English word for word, a Chinese conversation's report says it
    in Chinese (the carrier named in Chinese, a carrier's rejection of an industry in its Chinese words)."""
    from assistant import render

    def failed(code, *recipients):
        return [r for r in sending.preview(live, code, list(recipients))["results"] if r["status"] == "failed"]

    found = [f for params in ({}, {"name": "T" * 21}, {"name": "http://x.cn/a"}, {"name": "lottery"})
             for f in failed("DIGITAL_SMS_0001", ("13800138000", params))]
    templates.create(live, "Loan", "AcmeShop", "finance", "Rates from 3%", [media["image"]])
    found += failed("DIGITAL_SMS_0002", ("13312345678", {}))                      # pending with China Telecom
    live.later(days=7)
    found += failed("DIGITAL_SMS_0002", ("13312345678", {}))                      # China Telecom rejects finance
    live.store.update("accounts", {"name": "demo"}, {"digital_balance": 0})
    found += failed("DIGITAL_SMS_0001", ("13800138000", {"name": "Tom"}))
    live.store.update("accounts", {"name": "demo"}, {"enabled_at": None})
    found += failed("DIGITAL_SMS_0001", ("13800138000", {"name": "Tom"}))
    sentences = [render.detail_sentence(live.kb, f["phone"], f["detail"]) for f in found]
    assert [s["say"].removeprefix("send.failed.") for s in sentences] == [
        "no_value", "too_long", "link", "blocked_keyword", "template_pending", "template_rejected", "package_empty",
        "not_enabled"]
    for f in found:
        assert render.failure_said(live.kb, "en", f["phone"], f["error_code"], f["detail"]) == f["detail"]
        chinese = render.failure_said(live.kb, "zh", f["phone"], f["error_code"], f["detail"])
        assert not re.search(r"\b(is|no|not|has|holds|by|with|for|the|pending|rejected)\b", chinese), chinese
    chinese = [render.failure_said(live.kb, "zh", f["phone"], f["error_code"], f["detail"]) for f in found]
    assert chinese[0] == "变量 ${name} 没有取值"
    assert re.fullmatch(r"模板 DIGITAL_SMS_0002 尚未通过中国电信的审核（审核中，预计 [\d-]+ 前出结果）", chinese[4])
    assert chinese[5] == "模板 DIGITAL_SMS_0002 未通过中国电信的审核（已驳回：中国电信不接受金融类数字短信）"
    assert chinese[6] == "数字短信套餐已用完；短信套餐（剩余 5000 条）不能用于数字短信；请充值数字短信套餐"
