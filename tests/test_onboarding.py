"""The whole onboarding of the FAQ, through the `assistant` command, on one database file.

Enable -> signature (a compliant and a non-compliant one, through review and resubmission) ->
templates approved by all, some or none of the carriers (the live-streaming case included) ->
sends that succeed and that fail -> the SMS-package case -> account isolation.
"""

import json

import pytest
from conftest import png_bytes


@pytest.fixture
def cli(run, tmp_path):
    db = str(tmp_path / "onboarding.db")

    def call(*args, now="2026-03-02T10:00", expect=0, input=""):
        result = run("--db", db, "--now", now, *args, input=input)
        assert result.code == expect, (args, result.out, result.err)
        return result
    (tmp_path / "banner.png").write_bytes(png_bytes())
    (tmp_path / "letter.png").write_bytes(png_bytes(900, 1200))
    call.dir = tmp_path
    return call


def _json(result):
    return json.loads(result.out)


def test_the_faq_onboarding_end_to_end(cli):
    d = cli.dir
    # 1. Nothing works before enabling.
    assert "run `assistant enable` first" in cli("signature", "submit", "AcmeShop", "--source", "trademark", expect=1).err
    assert "now enabled" in cli("enable").out

    # 2-4. A compliant and a non-compliant signature go through review.
    assert _json(cli("signature", "submit", "AcmeShop", "--source", "trademark", "--json"))["registration"] == "under_review"
    cli("signature", "submit", "Globex", "--source", "enterprise")
    assert "has spaces" in cli("signature", "submit", "Acme Shop", "--source", "trademark", expect=1).err
    status = _json(cli("signature", "status", "AcmeShop", "--json", now="2026-03-09"))
    assert status["registration"] == "under_review" and status["ready"] is False
    assert "Template" not in cli("template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry",
                                 "e-commerce", "--text", "Hi", "--media", str(d / "banner.png"), now="2026-03-09", expect=1).out

    # Signature review completes; Globex is rejected with a reason, fixed by updating the profile.
    assert _json(cli("signature", "status", "AcmeShop", "--json", now="2026-03-17"))["ready"] is True
    globex = _json(cli("signature", "status", "Globex", "--json", now="2026-03-17"))
    assert globex["registration"] == "rejected" and "registered enterprise" in globex["reason"]
    cli("--role", "admin", "admin", "account", "update", "demo", "--enterprise", "Globex Trading Co., Ltd.", now="2026-03-17")
    assert _json(cli("signature", "update", "Globex", "--json", now="2026-03-17"))["registration"] == "under_review"
    assert _json(cli("signature", "status", "Globex", "--json", now="2026-03-31"))["ready"] is True

    # 5-6. Templates: approved by all; by some (live streaming filed as e-commerce); by none (banned word);
    # the live-streaming case done right.
    def template(name, text, industry="e-commerce", *extra):
        return _json(cli("template", "create", "--json", "--name", name, "--signature", "AcmeShop", "--industry", industry,
                         "--text", text, "--media", str(d / "banner.png"), *extra, now="2026-03-17"))["code"]
    everyone = template("Spring sale", "Hi ${name}, the spring sale is on")
    some = template("Live tonight", "Join our live stream tonight")
    nobody = template("Lucky", "Win the lottery")
    fixed = template("Live fixed", "Join our live stream tonight", "live streaming", "--letter", str(d / "letter.png"))
    ready = {code: _json(cli("template", "status", code, "--json", now="2026-03-20"))["ready_for"]
             for code in (everyone, some, nobody, fixed)}
    assert ready == {everyone: ["china_mobile", "china_unicom", "china_telecom"], some: ["china_mobile", "china_unicom"],
                     nobody: [], fixed: ["china_mobile", "china_unicom", "china_telecom"]}
    assert "China Mobile and China Unicom users only" in cli("template", "status", some, now="2026-03-20").out

    # 7. Sends: success at every carrier, then each kind of failure with its code.
    sent = _json(cli("send", everyone, "13800138000", "18612345678", "13312345678", "--param", "name=Tom", "--json",
                     now="2026-03-20T10:00"))
    assert (sent["sent"], sent["failed"]) == (3, 0)
    failed = _json(cli("send", some, "13312345678", "19212345678", "18612345678", "--json", now="2026-03-20T10:00"))
    assert [r["error_code"] for r in failed["results"]] == ["isv.SMS_TEMPLATE_ILLEGAL", "isv.MOBILE_NUMBER_ILLEGAL", None]
    # a send none of whose numbers can go is refused whole with the code they fail with, and recorded nowhere
    listed = _json(cli("send", "list", "--json"))
    again = _json(cli("send", everyone, "13800138000", "--param", "name=Tom", "--json", now="2026-03-20T11:00", expect=1))
    assert again["error_code"] == "isv.BUSINESS_LIMIT_CONTROL" and "nothing was sent or recorded" in again["error"]
    missing = _json(cli("send", everyone, "13800138001", "--json", now="2026-03-20T11:00", expect=1))
    assert missing["error_code"] == "isv.TEMPLATE_MISSING_PARAMETERS" and "no value for ${name}" in missing["error"]
    assert _json(cli("send", "list", "--json")) == listed
    assert "Fix:" in cli("error", "isv.BUSINESS_LIMIT_CONTROL").out

    # The SMS-package case: digital runs out while SMS messages are left.
    cli("--role", "admin", "admin", "account", "create", "tiny", "--industry", "retail", "--trademark", "AcmeShop",
        "--digital", "1", "--sms", "500")
    assert _json(cli("--role", "admin", "admin", "account", "show", "tiny", "--json"))["packages"] == {"digital": 1, "sms": 500}

    # Account isolation: another account sees none of demo's objects.
    assert "no template" in cli("--account", "tiny", "template", "status", everyone, expect=1).err
    assert "No signatures yet" in cli("--account", "tiny", "signature", "status").out
    assert f"no template {everyone} in account 'tiny'" in cli("--account", "tiny", "send", everyone, "13800138000",
                                                               expect=1).err


def test_sms_package_never_pays_for_digital_messages(cli):
    d = cli.dir
    cli("--role", "admin", "admin", "account", "create", "shop", "--industry", "retail", "--trademark", "ShopCo",
        "--digital", "1", "--sms", "900")
    for args in (("enable",), ("signature", "submit", "ShopCo", "--source", "trademark")):
        cli("--account", "shop", *args)
    code = _json(cli("--account", "shop", "template", "create", "--json", "--name", "Hi", "--signature", "ShopCo",
                     "--industry", "retail", "--text", "Hello", "--media", str(d / "banner.png"), now="2026-03-17"))["code"]
    result = _json(cli("--account", "shop", "send", code, "13800138000", "13800138001", "--json", now="2026-03-20"))
    assert [r["error_code"] for r in result["results"]] == [None, "isv.AMOUNT_NOT_ENOUGH"]
    assert "do not apply to digital messages" in result["results"][1]["detail"]
    assert result["balance"] == {"digital": 0, "sms": 900}


@pytest.mark.parametrize("args,message", [
    (("--account", "ghost", "enable"), "no account 'ghost'"),
    (("template", "status", "DIGITAL_SMS_0404"), "no template DIGITAL_SMS_0404"),
    (("signature", "status", "Nope"), "no signature 'Nope'"),
    (("send", "DIGITAL_SMS_0404", "13800138000"), "no template"),
    (("send", "DIGITAL_SMS_0001", "--file", "/no/such.csv"), "cannot read /no/such.csv"),
    (("send", "DIGITAL_SMS_0001", "13800138000", "--param", "oops"), "not NAME=VALUE"),
    # a variable given two values is refused, as the API refuses it, never one of them kept silently
    (("send", "DIGITAL_SMS_0001", "13800138000", "--param", "name=Tom", "--param", "name=Bob"),
     "--param 'name' is given twice ('Tom', then 'Bob'); give each variable one --param"),
    # an empty directory is no directory (it was read as the current one); a count below 1 is none
    (("kb", "export", ""), "argument dir: empty; name the directory to write to, e.g. merged-kb"),
    (("--role", "manager", "kb", "learn", "--proposals", "--min-count", "-1"), "argument --min-count: -1: give 1 or more"),
    (("--role", "admin", "admin", "review", "DIGITAL_SMS_0404", "--carrier", "china_mobile", "--approve"), "no template"),
    (("--now", "someday", "enable"), "not a date or time"),
    # an account that does not exist is what is said, never "no template" or "no sends" in it
    (("--account", "ghost", "send", "DIGITAL_SMS_0001", "13800138000"),
     "no account 'ghost'; see `assistant admin account list`, or create it with"),
    (("--account", "ghost", "send", "list"), "no account 'ghost'"),
    (("--account", "ghost", "send", "show", "7947EDCA"), "no account 'ghost'"),
    (("--account", "ghost", "inbox"), "no account 'ghost'"),
    (("--account", "ghost", "handoff", "list"), "no account 'ghost'"),
    # a misspelt option is named, with the one meant, never what the rest of the line was taken for
    (("--acount", "hamburg", "enable"), "unknown option --acount; did you mean --account?"),
    (("enable", "--acount=hamburg"), "unknown option --acount; did you mean --account?"),
    (("send", "--parm", "name=Tom", "DIGITAL_SMS_0001", "13800138000"), "unknown option --parm; did you mean --param?"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(run, tmp_path, args, message):
    result = run("--db", str(tmp_path / "x.db"), *args)
    assert result.code != 0
    assert result.err.startswith("error: ") and message in result.err and len(result.err.splitlines()) == 1


def _ready_to_send(cli, text: str) -> str:
    """The onboarding up to the first send, as a customer runs it: enable, submit the signature AcmeShop,
    create a template saying TEXT on 17 March; by 20 March every carrier has approved it. Its code."""
    cli("enable")
    cli("signature", "submit", "AcmeShop", "--source", "trademark")
    return _json(cli("template", "create", "--json", "--name", "Sale", "--signature", "AcmeShop", "--industry",
                     "e-commerce", "--text", text, "--media", str(cli.dir / "banner.png"), now="2026-03-17"))["code"]


def test_send_from_a_csv_with_parameter_columns(cli):
    code = _ready_to_send(cli, "Hi ${name}")
    csv = cli.dir / "list.csv"
    csv.write_text("phone,name\n13800138000,Ann\n18612345678,\n13312345678,Cao\n", encoding="utf-8")
    result = _json(cli("send", code, "--file", str(csv), "--json", now="2026-03-20"))
    assert [r["error_code"] for r in result["results"]] == [None, "isv.TEMPLATE_MISSING_PARAMETERS", None]


def test_a_csv_with_a_repeat_a_blank_row_and_a_comment_says_each_once_and_sends_to_the_recipients_only(cli):
    code = _ready_to_send(cli, "Hi ${name}, parcel ${id}")
    csv = cli.dir / "list.csv"
    csv.write_text("phone,name,id\n13800138000,Jo,P1\n13800138000,Jo,P1\n,,\n# comment\n13800138001,Al,P2\n",
                   encoding="utf-8")
    said = cli("send", code, "--file", str(csv), now="2026-03-20").out
    assert "2 sent, 0 failed" in said and "Failures" not in said
    assert said.count("13800138000: written twice; it is one recipient, sent once") == 1
    assert "the same number as" not in said and "skipped 2 blank or comment rows" in said
    result = _json(cli("send", code, "--file", str(csv), "--json", now="2026-03-23"))
    assert len(result["results"]) == 2 and result["skipped"]["rows"] == 2


def test_a_csv_giving_one_number_two_rows_with_different_values_is_refused_whole_and_records_nothing(cli):
    code = _ready_to_send(cli, "Hi ${name}, parcel ${id}")
    csv = cli.dir / "list.csv"
    csv.write_text("phone,name,id\n13800138000,Jo,P1\n13800138001,Al,P2\n13800138000,Jo,P3\n", encoding="utf-8")
    line = (f"{csv}: lines 2 and 4 give 13800138000 different values (id: 'P1' / 'P3'); each number gets one message "
            "per send: keep one of the two rows (and send the other's values in a send of their own)")
    refused = cli("send", code, "--file", str(csv), now="2026-03-20", expect=1)
    assert refused.err.splitlines() == [f"error: {line}"] and refused.out == ""
    assert _json(cli("send", code, "--file", str(csv), "--json", now="2026-03-20", expect=1))["error"] == line
    # a number named on the command line and again in the file with another value than --param's
    again = cli("send", code, "13800138000", "--file", str(csv), "--param", "id=P9", now="2026-03-20", expect=1)
    assert "lines 2 and 4 give 13800138000" in again.err
    csv.write_text("phone,name\n13800138000,Jo\n", encoding="utf-8")
    mixed = cli("send", code, "138 0013 8000", "--file", str(csv), "--param", "id=P9", "--param", "name=Al",
                now="2026-03-20", expect=1)
    assert mixed.err.splitlines() == ["error: 138 0013 8000 is given twice with different values (name: 'Al' / 'Jo'); "
                                      "each number gets one message per send: give it once, with the values it should get"]
    assert _json(cli("send", "list", "--json")) == []


def test_ask_answers_read_only_requests_from_the_account(cli):
    cli("enable")
    cli("signature", "submit", "AcmeShop", "--source", "trademark")
    reply = _json(cli("ask", "--json", "what is the status of my signature"))
    assert reply["action"] == "signature.status" and reply["result"][0]["name"] == "AcmeShop"
    assert "Registering" in cli("ask", "check my signature status").out


def test_a_bad_now_is_a_usage_error(run, tmp_path):
    result = run("--db", str(tmp_path / "x.db"), "--now", "notadate", "enable")
    assert result.code == 2 and "--now" in result.err and not (tmp_path / "x.db").exists()


def test_an_explicit_db_in_a_missing_directory_is_an_error_and_creates_nothing(run, tmp_path):
    result = run("--db", str(tmp_path / "typo" / "x.db"), "enable")
    assert result.code == 2 and "no directory" in result.err
    assert not (tmp_path / "typo").exists()


@pytest.mark.sqlite_only
def test_the_default_database_location_is_still_created(run, tmp_path):
    assert run("enable").code == 0
    assert (tmp_path / "data" / "assistant" / "assistant.db").is_file()


@pytest.mark.parametrize("industry", ["e-commerce", "E-Commerce", "e commerce", "e_commerce"])
def test_template_industry_accepts_every_spelling(cli, industry):
    d = cli.dir
    cli("enable")
    cli("signature", "submit", "AcmeShop", "--source", "Trademark")
    made = _json(cli("template", "create", "--json", "--name", "Sale", "--signature", "AcmeShop", "--industry", industry,
                     "--text", "Hi", "--media", str(d / "banner.png"), now="2026-03-17"))
    assert made["industry"] == "e-commerce"


def test_live_streaming_in_any_spelling_with_its_letter(cli):
    d = cli.dir
    cli("enable")
    cli("signature", "submit", "AcmeShop", "--source", "trade mark")
    made = _json(cli("template", "create", "--json", "--name", "Live", "--signature", "AcmeShop", "--industry",
                     "live_streaming", "--text", "Join our live stream", "--media", str(d / "banner.png"),
                     "--letter", str(d / "letter.png"), now="2026-03-17"))
    assert made["industry"] == "live streaming"


def _a_template_with_two_variables(cli):
    """DIGITAL_SMS_0001, "Hi ${name}, code ${code}", approved by 2026-03-20."""
    cli("enable")
    cli("signature", "submit", "AcmeShop", "--source", "trademark")
    cli("template", "create", "--name", "Sale", "--signature", "AcmeShop", "--industry", "e-commerce",
        "--text", "Hi ${name}, code ${code}", "--media", str(cli.dir / "banner.png"), now="2026-03-17")


def test_ask_names_every_template_variable_in_a_send_hint(cli):
    _a_template_with_two_variables(cli)
    out = cli("ask", "send DIGITAL_SMS_0001 to 13800138000 name=Tom", now="2026-03-20").out
    assert "Run: assistant send DIGITAL_SMS_0001 13800138000 --param name=Tom --param code=VALUE" in out


def test_ask_reads_the_values_a_send_request_gives_in_words_as_the_conversation_does(cli):
    _a_template_with_two_variables(cli)
    out = cli("ask", "send DIGITAL_SMS_0001 to 13800138000 with name Tom", now="2026-03-20").out
    assert "Run: assistant send DIGITAL_SMS_0001 13800138000 --param name=Tom --param code=VALUE" in out
    reply = _json(cli("ask", "--json", "用DIGITAL_SMS_0001发给13800138000，名字填张三", now="2026-03-20"))
    assert reply["args"]["params"] == ["name=张三"]
