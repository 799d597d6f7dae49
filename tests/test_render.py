"""Plain-text tables fit the terminal: long cells wrap on words inside their column."""

import re

import pytest

from assistant import render

ROWS = [("China Mobile", "approved", "-"),
        ("China Telecom", "rejected", "Live-streaming content needs the commitment letter: attach a clear image of "
                                      "the signed letter and submit the template again; the review then restarts "
                                      "and takes up to five business days")]


@pytest.mark.parametrize("width", [50, 120])
def test_a_table_with_a_long_cell_fits_the_width_and_keeps_every_word(width):
    text = render.table(ROWS, ("carrier", "review", "note"), width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert " ".join(text.split()).count("five business days") == 1
    assert text.splitlines()[1].startswith("-------------  --------  ---")


def test_without_a_width_a_table_keeps_one_line_per_row():
    assert len(render.table(ROWS, ("carrier", "review", "note")).splitlines()) == 4


def test_a_line_holding_a_table_laid_out_at_no_width_is_laid_out_again_at_another_from_its_parts():
    # as the service hands a line to the remote REPL, which lays its tables out at its own terminal's width
    with render.tables_kept():
        shown = "Template DIGITAL_SMS_0001\n" + render.table(ROWS, ("carrier", "review", "note")) + "\nCan reach now: some"
        found = render.table_parts(shown)
    assert found is not None and [list(part) for part in found] == [["text"], ["table"], ["text"]]
    assert found[1]["table"]["headers"] == ["carrier", "review", "note"] and found[1]["table"]["rows"][0][0] == "China Mobile"
    assert render.laid_out(found) == shown                  # at no width: the text as it was
    narrow = render.table(ROWS, ("carrier", "review", "note"), 50)
    assert render.laid_out(found, 50) == f"Template DIGITAL_SMS_0001\n{narrow}\nCan reach now: some"
    assert render.table_parts(shown) is None                # outside `tables_kept` no table is kept
    with render.tables_kept():
        laid = render.table([("a", "b")], ("x", "y"))
        assert render.table_parts(f"say {laid}") is None and render.table_parts(f"say\n{laid}") is not None   # whole lines


def _cols(line: str) -> int:
    from prompt_toolkit.utils import get_cwidth

    return get_cwidth(line)


FAILURES = [("19212345678", "-", "isv.MOBILE_NUMBER_ILLEGAL",
             "数字短信无法送达中国广电号码（只支持中国移动、中国联通和中国电信）"),
            ("028-85551234", "-", "isv.MOBILE_NUMBER_ILLEGAL",
             "'028-85551234' 是固定电话，不是手机号码：数字短信只能发往中国内地手机号码（例如 13800138000）")]


def test_chinese_cells_are_counted_as_a_terminal_counts_them_and_wrapped_inside_their_column():
    text = render.table(FAILURES, ("phone", "carrier", "error", "why"), 80)
    lines = text.splitlines()
    assert max(_cols(line) for line in lines) <= 80
    why = lines[0].index("why")
    for line in lines[2:]:      # every line of a row's "why" starts in the why column, none at column 0
        assert line[:why].strip() in ("", "19212345678   -        isv.MOBILE_NUMBER_ILLEGAL",
                                      "028-85551234  -        isv.MOBILE_NUMBER_ILLEGAL")
    assert "'028-85551234'" in text and "13800138000）" in text     # neither broken inside
    assert "".join(line[why:] for line in lines[2:]).replace(" ", "") == "".join(r[3] for r in FAILURES).replace(" ", "")


def test_chinese_cells_line_up_in_a_pipe_too():
    lines = render.table([("客户", "1"), ("customer", "2")], ("by", "sent")).splitlines()
    assert _cols(lines[2].split("1")[0]) == _cols(lines[3].split("2")[0]) == len("customer  ")


def test_a_word_longer_than_the_room_a_column_would_get_widens_the_column_instead_of_overflowing_it():
    rows = [("13312345678", "China Telecom", "isv.TEMPLATE_MISSING_PARAMETERS", "no value for ${name}")]
    lines = render.table(rows, ("phone", "carrier", "error", "why"), 70).splitlines()
    assert max(len(line) for line in lines) <= 70
    assert "isv.TEMPLATE_MISSING_PARAMETERS" in lines[2]
    assert lines[1].split("  ")[2] == "-" * len("isv.TEMPLATE_MISSING_PARAMETERS")


SENDS = [("3E72BD8E-95D3-4383-9874-B3726754354F", "DIGITAL_SMS_0001", "2026-03-20 10:00:00", 4, 1, 3, "客户")] * 2


@pytest.mark.parametrize("width", [40, 80])
def test_a_table_whose_words_cannot_stand_side_by_side_is_shown_as_label_value_lines(width):
    text = render.table(SENDS, ("request", "template", "at", "numbers", "sent", "failed", "by"), width)
    lines = text.splitlines()
    assert max(_cols(line) for line in lines) <= width
    assert text.count("3E72BD8E-95D3-4383-9874-B3726754354F") == 2      # whole, to be copied
    assert "template: DIGITAL_SMS_0001" in lines and "by:       客户" in lines and "at:       2026-03-20 10:00:00" in lines
    assert "" in lines                                                  # a blank line between two sends


@pytest.mark.parametrize("width", [40, 80])
def test_wrapped_text_is_broken_between_words_never_inside_one(width):
    said = 'Ask a question in your own words, or say what to do ("send a message"). /help lists commands.'
    lines = render.wrap(said, width)
    assert all(len(line) <= width for line in lines) and " ".join(lines) == said
    chinese = "用自己的话提问，或说明要做什么（“发送数字短信”）。/help 列出命令。isv.BUSINESS_LIMIT_CONTROL 是什么意思？"
    lines = render.wrap(chinese, 30, "  ")
    assert all(_cols(line) <= 30 for line in lines) and all(line.startswith("  ") for line in lines[1:])
    assert "".join(line.strip() for line in lines).replace(" ", "") == chinese.replace(" ", "")
    assert not any(line.strip()[0] in "，。）”？" for line in lines)            # no closing mark starts a line
    assert any("isv.BUSINESS_LIMIT_CONTROL" in line for line in lines)


def test_an_error_code_said_in_chinese_has_chinese_labels_around_it(kb):
    from assistant.actions import error_codes

    found = error_codes.lookup(kb, "余额不足")
    chinese = render.error_text(found, "zh", kb)
    assert chinese.startswith("按描述找到（“余额不足”）：\nisv.AMOUNT_NOT_ENOUGH: 余额不足")
    assert "\n解决方法：为账户充值" in chinese and "Fix:" not in chinese
    assert "Fix: Top up" in render.error_text(found, "en", kb)
    assert "Fix: 为账户充值" in render.error_text(found, "zh")   # no catalogue (the CLI): English labels


def test_codes_to_choose_from_are_explained_in_chinese_where_the_catalogue_has_it(kb):
    from assistant.actions import error_codes

    found = error_codes.lookup(kb, "isv.BUSNESS_LIMIT")
    assert found["matched"] == "closest"
    lines = render.error_text(found, "zh", kb).splitlines()
    assert lines[0] == "“isv.BUSNESS_LIMIT”不是服务的错误码。您是想找："
    first = kb.error_codes[found["candidates"][0]["code"]]
    assert lines[1] == f"  1. {first.code}: {first.meaning_zh}"


SENT_TO = [{"request_id": "B2C3D4E5-0000-0000-0000-000000000000", "template": "DIGITAL_SMS_0001",
            "created_at": "2026-03-20 12:00:00", "recipient": {
                "phone": "13598765432", "status": "failed", "carrier": "china_mobile",
                "error_code": "isv.BUSINESS_LIMIT_CONTROL", "detail": "13598765432 already got template DIGITAL_SMS_0001"}},
           {"request_id": "A1B2C3D4-0000-0000-0000-000000000000", "template": "DIGITAL_SMS_0001",
            "created_at": "2026-03-20 10:00:00", "recipient": {
                "phone": "13598765432", "status": "sent", "carrier": "china_mobile", "error_code": None, "detail": None}}]


@pytest.mark.parametrize(("lang", "said"), [
    ("en", ["Sends to 13598765432 (2), newest first:",
            "- 2026-03-20 12:00:00, template DIGITAL_SMS_0001 (request B2C3D4E5): failed with isv.BUSINESS_LIMIT_CONTROL "
            "(China Mobile): 13598765432 already got template DIGITAL_SMS_0001",
            "- 2026-03-20 10:00:00, template DIGITAL_SMS_0001 (request A1B2C3D4): sent, via China Mobile",
            "Look up a code with `assistant error CODE`."]),
    ("zh", ["发给 13598765432 的发送（2 次），最新的在前：",
            "- 2026-03-20 12:00:00，模板 DIGITAL_SMS_0001（请求 B2C3D4E5）：发送失败，错误码 isv.BUSINESS_LIMIT_CONTROL"
            "（运营商中国移动）：触发了单个号码的流控：向该号码发送的数字短信太多。",
            "- 2026-03-20 10:00:00，模板 DIGITAL_SMS_0001（请求 A1B2C3D4）：已发送，运营商中国移动",
            "可用 `assistant error 错误码` 查询错误码。"]),
])
def test_a_numbers_sends_say_its_result_in_each_in_the_language_asked(kb, lang, said):
    assert render.number_sends_text(SENT_TO, "+86 135 9876 5432", kb, lang, "demo").splitlines() == said


def test_a_landlines_refusal_is_said_in_chinese_in_a_chinese_answer_and_as_stored_in_english(kb):
    detail = "'02885551234' is a landline, not a mobile number: digital messages reach only mainland mobiles (e.g. 13800138000)"
    sends = [{"request_id": "C3D4E5F6-0000-0000-0000-000000000000", "template": "DIGITAL_SMS_0001",
              "created_at": "2026-03-20 12:00:00", "recipient": {
                  "phone": "02885551234", "status": "failed", "carrier": None,
                  "error_code": "isv.MOBILE_NUMBER_ILLEGAL", "detail": detail}}]
    chinese = render.number_sends_text(sends, "02885551234", kb, "zh", "demo")
    assert "错误码 isv.MOBILE_NUMBER_ILLEGAL：'02885551234' 是固定电话，不是手机号码" in chinese
    assert "landline" not in chinese
    assert detail in render.number_sends_text(sends, "02885551234", kb, "en", "demo")


def test_a_detail_already_in_chinese_or_of_an_unknown_code_is_kept_as_it_is(kb):
    assert render.failure_said(kb, "zh", "13800138000", "isv.SOMETHING_NEW", "carrier said no") == "carrier said no"
    assert render.failure_said(kb, "zh", "13800138000", "isv.AMOUNT_NOT_ENOUGH", "余额用完了") == "余额用完了"


@pytest.mark.parametrize(("template", "day", "lang", "said"), [
    (None, None, "en", "No send to 13598765432 in account 'demo'."),
    ("digital_sms_0001", None, "en", "No send of DIGITAL_SMS_0001 to 13598765432 in account 'demo'."),
    (None, "2026-03-20", "zh", "账号 'demo' 中没有发给 13598765432 的发送（2026-03-20）。"),
    ("Spring sale", "2026-03-20", "zh", "账号 'demo' 中没有用模板 Spring sale 发给 13598765432 的发送（2026-03-20）。"),
])
def test_a_number_never_sent_to_is_one_line_naming_the_account_and_what_the_list_was_kept_to(kb, template, day, lang, said):
    assert render.number_sends_text([], "135-9876-5432", kb, lang, "demo", template, day) == said


def test_the_cli_list_of_a_numbers_sends_is_a_table_of_its_results_and_an_empty_one_names_the_account():
    carriers = {"china_mobile": "China Mobile"}
    text = render.send_list_text(SENT_TO, phone="13598765432", carriers=carriers)
    assert text.splitlines()[0] == "Sends to 13598765432, newest first:"
    assert text.splitlines()[1].split() == ["request", "template", "at", "result", "carrier", "error", "why"]
    assert "failed" in text and "sent" in text and text.index("B2C3D4E5") < text.index("A1B2C3D4")
    assert render.send_list_text([], "digital_sms_0001", "yesterday", phone="+8613598765432", account="demo") == \
        "No send to 13598765432 in account 'demo' of DIGITAL_SMS_0001 made yesterday."


def _signature(registration: str, carriers: dict, ready_for: list, reason=None) -> dict:
    return {"name": "AcmeShop", "source": "trademark", "registration": registration, "ready": len(ready_for) == 3,
            "ready_for": ready_for, "submitted": "2026-03-02", "expected_from": "2026-03-11",
            "expected_by": "2026-03-12", "reason": reason, "carriers": carriers}


CARRIERS = {"china_mobile": "China Mobile", "china_unicom": "China Unicom", "china_telecom": "China Telecom"}
SIGNATURES = [
    _signature("under_review", {c: {"registration": "registering", "availability": "inactive", "reason": None,
                                    "expected_by": "2026-03-12"} for c in CARRIERS}, []),
    _signature("under_review", {"china_mobile": {"registration": "registered", "availability": "active", "reason": None},
                                "china_unicom": {"registration": "registering", "availability": "inactive", "reason": None,
                                                 "expected_by": "2026-03-12"},
                                "china_telecom": {"registration": "not_registered", "availability": "inactive",
                                                  "reason": None}}, ["china_mobile"]),
    _signature("rejected", {c: {"registration": "failed", "availability": "inactive", "reason": "not a registered name"}
                            for c in CARRIERS}, [], "not a registered name"),
    _signature("registered", {c: {"registration": "registered", "availability": "active", "reason": None}
                              for c in CARRIERS}, list(CARRIERS))]
TEMPLATE = {"code": "DIGITAL_SMS_0001", "name": "Spring sale", "signature": "AcmeShop", "industry": "e-commerce",
            "carriers": {"china_mobile": {"status": "approved", "reason": None},
                         "china_unicom": {"status": "pending", "reason": None, "expected_by": "2026-03-30"},
                         "china_telecom": {"status": "rejected", "reason": "too vague"}},
            "ready_for": ["china_mobile"], "reach": "China Mobile users only"}
ACCOUNT = {"name": "demo", "industry": "e-commerce", "enabled": True, "enabled_at": "2026-03-02 10:00:00",
           "packages": {"digital": 1000, "sms": 5000},
           "profile": {"enterprise": ["Acme Technology Co., Ltd."], "trademark": ["AcmeShop"], "app": []}}


def test_the_status_views_said_in_english_from_the_catalogue_are_the_command_lines_word_for_word(kb):
    for status in SIGNATURES:
        assert render.signature_text(status, CARRIERS, kb, "en") == render.signature_text(status, CARRIERS)
    assert render.template_text(TEMPLATE, CARRIERS, kb, "en") == render.template_text(TEMPLATE, CARRIERS)
    assert render.account_text(ACCOUNT, kb, "en") == render.account_text(ACCOUNT)
    assert render.account_text(ACCOUNT).splitlines()[4] == \
        "  real-name profile enterprise: Acme Technology Co., Ltd.; trademark: AcmeShop"


def test_a_signatures_status_in_chinese_has_chinese_headers_and_the_apis_statuses_glossed(kb):
    said = render.signature_text(SIGNATURES[1], CARRIERS, kb, "zh")
    assert said.splitlines()[0] == "AcmeShop（商标）：Under review（审核中）；预计 2026-03-11 至 2026-03-12 出结果"
    assert said.splitlines()[2].split() == ["运营商", "报备状态", "可用状态", "说明"]
    assert re.search(r"\n中国移动 +Registered（报备成功） +Active（可用）\n", said)
    assert "Registering（报备中）" in said and "Not registered（未报备）" in said and "预计 2026-03-12 前出结果" in said
    assert said.splitlines()[-1] == "可用于正式发送：仅中国移动"
    rejected = render.signature_text(SIGNATURES[2], CARRIERS, kb, "zh")
    assert "Failed（报备失败）" in rejected and "原因：not a registered name" in rejected
    assert not re.search(r"carrier|registration|availability|Submitted|Ready for|expected by", said + rejected)


def test_a_templates_status_and_the_account_in_chinese_have_chinese_words_around_the_apis_statuses(kb):
    said = render.template_text(TEMPLATE, CARRIERS, kb, "zh")
    assert said.splitlines()[0] == "DIGITAL_SMS_0001  “Spring sale”  签名 AcmeShop  行业 电商"
    assert "Approved（审核通过）" in said and "Pending（审核中）" in said and "Rejected（审核未通过）  too vague" in said
    assert said.splitlines()[-1] == "现在可发送给：仅中国移动的用户"
    account = render.account_text(ACCOUNT, kb, "zh")
    assert account.splitlines() == ["账号 demo", "  行业     电商", "  已开通   是（自 2026-03-02 10:00:00 起）",
                                    "  套餐     数字短信 1000 条，短信 5000 条（短信套餐不能用于数字短信）",
                                    "  实名资料 企业：Acme Technology Co., Ltd.；商标：AcmeShop"]


def test_the_error_codes_chinese_fixes_name_a_signatures_statuses_as_the_status_table_does(kb):
    from assistant.messages import say

    names = [say(kb, "status.registration.registered", "zh"), say(kb, "status.availability.active", "zh")]
    for code in ("PORT_NOT_REGISTERED", "isv.SMS_SIGNATURE_ILLEGAL"):
        assert all(name in kb.error_codes[code].fix_zh for name in names), code
    assert not [c for c, e in kb.error_codes.items() if re.search(r"Registered(?!（)|Active(?!（)", e.fix_zh or "")]


SEND = {"request_id": "A1B2C3D4-0000-4000-8000-000000000001", "template": "DIGITAL_SMS_0001", "sent": 1, "failed": 2,
        "charged": 1, "balance": {"digital": 998, "sms": 5000},
        "by_carrier": {"china_mobile": {"sent": 1, "failed": 1}, "china_unicom": {"sent": 0, "failed": 0},
                       "china_telecom": {"sent": 0, "failed": 0}},
        "results": [{"phone": "13912345678", "carrier": "china_mobile", "status": "sent", "error_code": None, "detail": None},
                    {"phone": "13800138000", "carrier": "china_mobile", "status": "failed",
                     "error_code": "isv.BUSINESS_LIMIT_CONTROL",
                     "detail": "13800138000 already got template DIGITAL_SMS_0001 in the last 24 hours (limit 1)"},
                    {"phone": "02885551234", "carrier": None, "status": "failed", "error_code": "isv.MOBILE_NUMBER_ILLEGAL",
                     "detail": "'02885551234' is a landline, not a mobile number: digital messages reach mainland "
                               "mobile numbers only (e.g. 13800138000)"}],
        "repeats": [{"written": "138 0013 8000", "phone": "13800138000", "first": "13800138000", "times": 2,
                     "note": "138 0013 8000: the same number as 13800138000 (13800138000); it is one recipient, sent once"}]}
RECORD = {**SEND, "total": 3, "created_at": "2026-03-20 10:00:00", "actor": "customer:token#1", "state": "done",
          "failures": SEND["results"][1:], "failures_from": 100, "failures_next": 102}
RECORD["failed"] = 300


def test_a_send_said_in_english_from_the_catalogue_is_the_command_lines_report_word_for_word(kb):
    assert render.send_text(SEND, CARRIERS, look_up=False, kb=kb, lang="en") == render.send_text(SEND, CARRIERS, look_up=False)
    assert render.send_record_text(RECORD, CARRIERS, kb=kb, lang="en") == render.send_record_text(RECORD, CARRIERS)
    assert render.send_list_text([RECORD], kb=kb, lang="en") == render.send_list_text([RECORD])
    report = render.send_text(SEND, CARRIERS, look_up=False)
    assert report.startswith(f"Request {SEND['request_id']}: 1 sent, 2 failed (charged 1; digital package 998 left)")
    assert "already got template" in report and "Failures:" in report and "China Mobile" in report


def test_a_sends_report_in_chinese_has_chinese_headings_carriers_and_reasons_and_the_sends_own_counts_and_codes(kb):
    from assistant.numbers import lookup

    landline = {**SEND["results"][2], "detail": lookup("02885551234", kb.rules).problem}   # as the send records it
    send = {**SEND, "results": [*SEND["results"][:2], landline]}
    said = render.send_text(send, CARRIERS, look_up=False, kb=kb, lang="zh").splitlines()
    assert said[0] == f"请求 {SEND['request_id']}：成功 1 条，失败 2 条（扣费 1 条；数字短信套餐剩余 998 条）"
    assert said[1].split() == ["运营商", "成功", "失败"] and said[3].split() == ["中国移动", "1", "1"]
    assert said[6] == "138 0013 8000：与 13800138000 是同一个号码（13800138000），只算一个接收方，只发送一次"
    assert said[7] == "失败的号码：" and said[8].split() == ["手机号码", "运营商", "错误码", "原因"]
    assert re.fullmatch(r"13800138000 +中国移动 +isv\.BUSINESS_LIMIT_CONTROL +13800138000 在过去 24 小时内已收到过模板 "
                        r"DIGITAL_SMS_0001（上限 1 次）", said[10])
    assert re.fullmatch(r"02885551234 +- +isv\.MOBILE_NUMBER_ILLEGAL +'02885551234' 是固定电话，不是手机号码.*", said[11])
    assert not re.search(r"[a-z]+ (sent|failed)|Failures|carrier|phone|why|already got|landline", "\n".join(said))


def test_a_past_send_and_the_send_list_in_chinese_say_who_sent_and_the_pages_of_failures_in_chinese(kb):
    record = render.send_record_text(RECORD, CARRIERS, by=lambda actor: "客户", kb=kb, lang="zh").splitlines()
    assert record[0] == f"请求 {SEND['request_id']}：模板 DIGITAL_SMS_0001，2026-03-20 10:00:00，共 3 个号码：" \
                        "成功 1 条，失败 300 条（发送人：客户）"
    assert record[1] == "失败的号码（共 300 个，第 101-102 个）："
    assert record[-1] == "更多失败的号码：assistant send show A1B2C3D4 --offset 102"
    listed = render.send_list_text([RECORD], by=lambda actor: "客户", kb=kb, lang="zh").splitlines()
    assert listed[0].split() == ["请求", "模板", "时间", "号码数", "成功", "失败", "发送人"]
    assert listed[2].split()[-4:] == ["3", "1", "300", "客户"]


QUEUE = [{"id": 1, "priority": "urgent", "status": "claimed", "customer_answered": True, "owner": "lin", "account": "demo",
          "age": "1d 3h", "summary": "the preview is wrong"},
         {"id": 2, "priority": "normal", "status": "open", "owner": None, "account": "demo", "age": "5m",
          "summary": "signature rejected"}]


def test_the_queue_said_in_english_from_the_catalogue_is_the_command_lines_word_for_word(kb):
    assert render.queue_text(QUEUE, kb, "en") == render.queue_text(QUEUE)
    assert render.queue_text(QUEUE).splitlines()[0].split() == ["ticket", "priority", "status", "owner", "account", "age",
                                                                "summary"]
    assert "claimed, customer answered" in render.queue_text(QUEUE)
    assert render.queue_text([], kb, "en") == render.queue_text([]) == "The queue is empty."


def test_the_queue_in_chinese_has_the_desks_words_for_its_headings_priorities_statuses_and_ages(kb):
    lines = render.queue_text(QUEUE, kb, "zh").splitlines()
    assert lines[0].split() == ["工单", "优先级", "状态", "处理人", "账号", "时长", "摘要"]
    assert lines[2].split()[:6] == ["#1", "紧急", "已认领，客户已回复", "lin", "demo", "1天3小时"]
    assert lines[3].split()[:6] == ["#2", "普通", "待处理", "-", "demo", "5分钟"]
    assert "the preview is wrong" in lines[2]          # a summary as the staff wrote it
    assert render.queue_text([], kb, "zh") == "没有待处理的工单。"


def test_every_english_words_carries_beside_a_catalogue_id_is_that_ids_english_word_for_word(kb):
    """`render.Words` says a catalogue id in a conversation's language, and its English twin where no knowledge
    base is at hand (the command line): each twin written out beside its id must be the catalogue's English,
    else the command line and an English conversation would say two things."""
    import ast
    from pathlib import Path

    def words_call(node: ast.Call) -> bool:
        func = node.func
        if isinstance(func, ast.Name):
            return func.id == "w"
        return isinstance(func, ast.BoolOp) and any(isinstance(v, ast.Call) and getattr(v.func, "id", "") == "Words"
                                                    for v in func.values)

    from assistant.chat import cases

    twins, wrong = 0, []
    for module in (render, cases):      # cases: a manager's /show, said in the conversation's language
        path = Path(module.__file__)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and words_call(node) and len(node.args) >= 2):
                continue
            msg_id, english = node.args[:2]
            if isinstance(msg_id, ast.Constant) and isinstance(english, ast.Constant) and english.value:  # "": never said
                twins += 1
                said = kb.messages.get(msg_id.value, {}).get("en")
                if said != english.value:
                    wrong.append(f"{path.name}:{node.lineno}: {msg_id.value} is {said!r} in the catalogue, "
                                 f"{english.value!r} in code")
    assert twins > 60
    assert wrong == []
