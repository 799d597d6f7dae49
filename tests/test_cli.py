"""`assistant ask`, `eval` and `kb check` driven through the CLI entry point, like a user would."""

import json
import shutil
from pathlib import Path

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
    assert result.code == 0
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


def test_usage_errors_exit_2_with_one_line(run):
    result = run("frobnicate")
    assert result.code == 2
    assert result.err.startswith("error: ") and len(result.err.splitlines()) == 1


def test_eval_reports_figures_and_misses(run):
    cases = Path(__file__).parent / "data" / "eval.yaml"
    report = json.loads(run("eval", "--json", str(cases)).out)
    assert report["total"] >= 190
    assert {"faq", "out_of_scope", "actions", "confusions", "misses"} <= set(report)


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
        "    alternatives: [opening hours, what time do you open, are you open on weekdays]\n")
    assert "Nine to five" in run("--kb", str(tmp_path), "ask", "what are the opening hours").out
    monkeypatch.setenv("ASSISTANT_KB", str(tmp_path))
    assert "Nine to five" in run("ask", "when do you open").out


def test_a_kb_dir_without_faq_is_a_clear_error(run, tmp_path):
    result = run("--kb", str(tmp_path), "ask", "hello")
    assert result.code == 1 and "no faq.yaml" in result.err


def test_the_suggested_command_carries_the_values_the_request_gave(run):
    reply = run("ask", "submit a signature called AcmeTech from our app").out
    assert "Run: assistant signature submit AcmeTech --source app" in reply
    assert "Run: assistant send DIGITAL_SMS_0001 13800138000" in run("ask", "send DIGITAL_SMS_0001 to 138 0013 8000").out
    assert "assistant signature submit NAME --source SOURCE" in run("ask", "how do i create a signature").out


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


def test_a_refused_signature_carries_its_code_in_the_text_and_as_error_code_in_json(run):
    run("enable")
    result = run("signature", "submit", "Acme-Tech", "--source", "trademark")
    assert result.code == 1 and result.err.startswith("error: isv.SIGN_NAME_ILLEGAL: signature 'Acme-Tech'")
    result = run("signature", "submit", "Acme-Tech", "--source", "trademark", "--json")
    data = json.loads(result.out)
    assert result.code == 1 and data["error_code"] == "isv.SIGN_NAME_ILLEGAL" and "Acme-Tech" in data["error"]


def test_kb_check_fails_when_a_code_the_actions_raise_is_missing(run, tmp_path):
    broken = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), broken, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    codes = broken / "error_codes.yaml"
    codes.write_text(codes.read_text().replace("  isv.SIGN_NAME_ILLEGAL:", "  isv.SIGN_NAME_ILLEGAL_RENAMED:"))
    result = run("kb", "check", str(broken))
    assert result.code == 1
    assert any("can raise isv.SIGN_NAME_ILLEGAL but it is not here" in line for line in result.lines)


def test_without_a_terminal_a_resolution_waiting_for_the_customer_is_shown_first(run):
    assert run(input="/handoff please call me\n").code == 0
    assert run("handoff", "resolve", "1", "--note", "Called you", "--by", "lin").code == 0
    out = run(input="/inbox\n").out.splitlines()
    assert out == ["Ticket #1 was resolved by lin: Called you", "No new replies."]
