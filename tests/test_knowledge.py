"""The knowledge base loads, covers the FAQ, and every editing mistake is reported with file and line."""

import re
import shutil
from pathlib import Path

import pytest

from assistant import knowledge
from assistant.paths import stamps

SEED_QUESTIONS = [
    "What is the digital message onboarding process?",
    "Do digital messages support opt-out?",
    "How do I enable digital message sending?",
    "Can I use my purchased SMS package to offset digital message usage?",
    "What are the real-name registration requirements for digital message signatures?",
    "How do I create a digital message signature?",
    "What should I do if my signature fails review?",
    "How long does signature real-name review take?",
    "How do I know when a digital message signature is ready for production use?",
    "After my signature is approved, how do I create an SMS template?",
    "How do I know when a template is ready to use?",
    "What should I do if I encounter issues while sending?",
    "My live-streaming template failed China Telecom review. How do I fix it?",
    "My template failed review, or review is still pending close to my planned send date. What should I do?",
]


def test_every_faq_question_of_the_seed_is_an_entry_in_the_seed_order(kb):
    assert [e.question for e in kb.entries.values() if e.question in SEED_QUESTIONS] == SEED_QUESTIONS


def test_the_seed_entries_come_first_then_the_template_review_time_which_states_no_figure(kb):
    """The seed's 15 entries (its 14 questions and the template review time) stay first, in order,
    as `kb export` writes them. Customers ask how long template review takes; the documentation
    gives no figure (only the signature's 7-10 business days), so the answer says so and invents none."""
    ids = list(kb.entries)
    assert [kb.entries[i].question for i in ids[:15] if kb.entries[i].question in SEED_QUESTIONS] == SEED_QUESTIONS
    assert ids[11] == "template-review-time" and len([i for i in ids[:15] if i != "template-review-time"]) == 14
    answer = kb.entries["template-review-time"].answer
    assert "No fixed review time is published" in answer and not any(ch.isdigit() for ch in answer)


def test_every_entry_names_its_source_and_the_seed_entries_name_the_faq(kb):
    for n, entry in enumerate(kb.entries.values()):
        assert entry.source.strip(), entry.id
        if n < 15:
            assert "Digital Message FAQ" in entry.source, entry.id


def test_every_entry_answers_in_english_and_simplified_chinese(kb):
    assert kb.languages == ("en", "zh")
    for entry in kb.entries.values():
        assert entry.question_zh and entry.answer_zh, entry.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.answer_zh), entry.id
        assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in alt) for alt in entry.alternatives) >= 4, entry.id


def test_what_the_documentation_does_not_state_is_never_given_a_figure(kb):
    undocumented = {e.id: e for e in kb.entries.values() if e.kind == "undocumented"}
    assert {"price-not-published", "refund-not-published", "invoice-not-published",
            "delivery-time-not-published"} <= set(undocumented)
    for entry in undocumented.values():
        assert "published" in entry.answer or "not covered" in entry.answer, entry.id
        assert "support manager" in entry.answer and "支持经理" in entry.answer_zh, entry.id
        assert not any(ch.isdigit() for ch in entry.answer + entry.answer_zh), entry.id
        assert entry.source.startswith("not documented"), entry.id


def test_an_answer_states_the_limit_rules_yaml_enforces(kb):
    limit = kb.rules.sending["max_numbers_per_request"]
    flow = kb.rules.sending["flow_control"]
    entry = kb.entries["recipients-per-send"]
    assert f"at most {limit:,} numbers" in entry.answer and f"最多 {limit:,} 个号码" in entry.answer_zh
    assert f"{flow['any_template_per_hour']} an hour" in kb.entries["flow-control"].answer
    assert f"{kb.rules.template['max_frames']} frames" in kb.entries["media-formats"].answer
    assert "{rules." not in "".join(e.answer + e.answer_zh for e in kb.entries.values())


def test_every_entry_has_at_least_eight_alternatives_and_a_non_empty_answer(kb):
    for entry in kb.entries.values():
        assert len(entry.alternatives) >= 8, entry.id
        assert entry.answer.strip(), entry.id


def test_answers_stay_faithful_to_the_seed(kb):
    assert kb.entries["sms-package-offset"].answer == "No. SMS packages do not apply to digital messages."
    assert "7–10 business days" in kb.entries["signature-review-time"].answer
    assert "Registered" in kb.entries["signature-ready"].answer and "Active" in kb.entries["signature-ready"].answer


def test_all_action_names_of_the_contract_are_defined(kb):
    assert set(kb.actions) == set(knowledge.ACTION_NAMES)


def test_at_least_25_error_codes_with_meaning_and_fix(kb):
    assert len(kb.error_codes) >= 25
    assert all(c.meaning and c.fix for c in kb.error_codes.values())


def test_shipped_directory_holds_the_yaml_files():
    assert (knowledge.shipped_dir() / "faq.yaml").is_file()


@pytest.fixture
def kb_copy(tmp_path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(knowledge.shipped_dir(), target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    return [str(p) for p in knowledge.check(directory)[1]]


def test_a_copy_of_the_shipped_kb_has_no_problems(kb_copy):
    assert _problems(kb_copy) == []


def test_unknown_key_is_reported_with_its_line(kb_copy):
    _edit(kb_copy / "faq.yaml", "    tags: [opt-out, unsubscribe]", "    tagz: [opt-out, unsubscribe]")
    line = next(n for n, text in enumerate((kb_copy / "faq.yaml").read_text().splitlines(), 1) if "tagz" in text)
    assert any(p.startswith(f"faq.yaml:{line}: unknown key 'tagz'") for p in _problems(kb_copy))


def test_missing_answer_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "    answer: Digital messages do not support opt-out.\n", "")
    assert any("has no 'answer'" in p for p in _problems(kb_copy))


def test_empty_answer_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "    answer: Digital messages do not support opt-out.", "    answer: ''")
    assert any("'answer' is empty" in p for p in _problems(kb_copy))


def test_duplicate_id_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "  - id: enable-sending", "  - id: opt-out")
    assert any("entry id 'opt-out' is used twice" in p for p in _problems(kb_copy))


def test_same_phrasing_under_two_entries_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "      - how to add a signature", "      - can users unsubscribe from digital messages")
    assert any("is also under entry 'opt-out'" in p for p in _problems(kb_copy))


def test_bad_regex_is_reported(kb_copy):
    _edit(kb_copy / "actions.yaml", r"      - '(?<![a-z0-9_])(?P<value>digital_sms_\d{3,})(?![a-z0-9_])'", "      - '(unclosed'")
    assert any("bad regular expression in slot type 'template_code'" in p for p in _problems(kb_copy))


def test_yaml_duplicate_key_and_syntax_errors_are_reported(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "  OK:\n", "  OK:\n    meaning: x\n")
    assert any("appears twice" in p for p in _problems(kb_copy))
    (kb_copy / "synonyms.yaml").write_text("synonyms: [unclosed\n")
    assert any(p.startswith("synonyms.yaml:") and "not valid YAML" in p for p in _problems(kb_copy))


def test_unknown_action_and_related_entry_are_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "    actions: [enable]\n    related: [onboarding-process]",
          "    actions: [launch]\n    related: [nowhere]")
    problems = _problems(kb_copy)
    assert any("unknown action 'launch'" in p for p in problems)
    assert any("unknown related entry 'nowhere'" in p for p in problems)


def test_a_bare_line_naming_an_unknown_intent_is_reported(kb_copy):
    _edit(kb_copy / "matcher.yaml", "    状态: [action:signature.status, action:template.status]",
          "    状态: [action:signature.status, faq:nowhere]")
    assert any("bare_lines '状态' names unknown intent 'faq:nowhere'" in p for p in _problems(kb_copy))

def test_a_viewed_as_naming_an_unknown_request_is_reported(kb_copy):
    _edit(kb_copy / "matcher.yaml", "    send: send.list\n", "    send: sends.list\n")
    assert any("routing 'viewed_as' names unknown actions: sends.list" in p for p in _problems(kb_copy))


def test_an_industry_word_for_no_template_industry_is_reported(kb_copy):
    _edit(kb_copy / "actions.yaml", "      retail: [", "      groceries: [")
    assert any("slot type 'industry' names 'groceries'" in p for p in _problems(kb_copy))


def test_small_talk_without_its_reply_is_reported(kb_copy):
    _edit(kb_copy / "messages.yaml", "  goodbye: [", "  farewell: [")
    assert any("small talk 'farewell' has no reply" in p for p in _problems(kb_copy))


def test_a_follow_up_the_conversation_does_not_know_is_reported(kb_copy):
    _edit(kb_copy / "messages.yaml", "  error_fix: [", "  error_why: [")
    assert any("unknown follow-up 'error_why'; use one of: error_fix" in p for p in _problems(kb_copy))


def test_an_answer_of_an_unknown_kind_or_of_two_kinds_is_reported(kb_copy):
    _edit(kb_copy / "messages.yaml", '  unsure: ["maybe",', '  doubt: ["maybe",')
    _edit(kb_copy / "messages.yaml", '  polite: ["please",', '  polite: ["please", "不行",')
    problems = _problems(kb_copy)
    assert any("unknown kind of answer 'doubt'; use one of: yes, no, unsure, polite" in p for p in problems)
    assert any("answer '不 行' is both no and polite; keep one" in p for p in problems)


def test_leaving_words_are_read_from_the_catalogue_and_an_unknown_kind_is_reported(kb, kb_copy):
    assert "never mind" in kb.leaving["leave"] and "do not send" in kb.leaving["leave"]   # folded as lines are
    assert "actually" in kb.leaving["around"]
    _edit(kb_copy / "messages.yaml", "  around: [actually,", "  beside: [actually,")
    assert any("unknown kind of leaving words 'beside'; use one of: leave, around" in p for p in _problems(kb_copy))


def test_a_check_that_does_not_exist_or_names_an_unknown_entry_is_reported(kb_copy):
    _edit(kb_copy / "matcher.yaml", "    repeat: {entry: flow-control,", "    repeats: {entry: flow-control,")
    _edit(kb_copy / "matcher.yaml", "    media: {entry: media-formats,", "    media: {entry: media-format,")
    problems = _problems(kb_copy)
    assert any("routing checks: unknown check 'repeats'; use one of:" in p for p in problems)
    assert any("routing checks 'media' names unknown entry 'media-format'" in p for p in problems)


def test_load_raises_one_error_listing_every_problem(kb_copy):
    _edit(kb_copy / "faq.yaml", "  - id: enable-sending", "  - id: Enable Sending")
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.load(kb_copy)
    assert "lowercase letters, digits and dashes" in str(caught.value)


def test_a_minimal_knowledge_base_needs_only_faq_yaml(tmp_path):
    (tmp_path / "faq.yaml").write_text(
        "entries:\n  - id: opening-hours\n    question: When are you open?\n    answer: Nine to five.\n"
        "    source: the shop door\n"
        "    alternatives: [opening hours, what time do you open]\n")
    kb = knowledge.load(tmp_path)
    assert list(kb.entries) == ["opening-hours"]
    assert kb.actions == {}


@pytest.mark.parametrize("which", ["shipped", "only faq.yaml"])
def test_the_files_a_load_reads_are_the_ones_sources_names_as_they_were_read(tmp_path, which):
    # what a prebuilt index is looked up by (`sources`) and keyed by when written (what was read) must agree
    folder = knowledge.shipped_dir()
    if which == "only faq.yaml":
        folder = tmp_path
        (folder / "faq.yaml").write_text("entries:\n  - id: opening-hours\n    question: When are you open?\n"
                                         "    answer: Nine to five.\n    source: the shop door\n")
    read: list[str] = []
    knowledge.load(folder, as_read=read)
    assert sorted(read) == sorted(stamps(knowledge.sources(folder)))
    shipped = {f"{knowledge.shipped_dir() / name}" for name in ("messages.yaml", "out_of_scope.yaml", "rules.yaml")}
    assert {stamp.split("|")[0] for stamp in read} >= shipped   # the shipped catalogue, examples and rules fill in
    assert (folder / "customers.yaml").exists() or f"{folder / 'customers.yaml'}|missing" in read


def test_every_error_code_says_whether_it_needs_a_person(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "    fix_zh: 无需处理。\n    handoff: false\n", "    fix_zh: 无需处理。\n")
    assert any("code 'OK' has no 'handoff'" in p for p in _problems(kb_copy))


def test_a_code_with_a_chinese_meaning_but_no_chinese_fix_is_reported(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "    fix_zh: 无需处理。\n", "")
    problems = _problems(kb_copy)
    assert [p for p in problems if "fix_zh" in p] == [
        next(p for p in problems if "code 'OK' has meaning_zh but no fix_zh" in p)]


def test_an_empty_chinese_fix_is_reported_once(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "    fix_zh: 无需处理。\n", "    fix_zh: ''\n")
    assert [p for p in _problems(kb_copy) if "code 'OK'" in p] == [
        next(p for p in _problems(kb_copy) if "code 'OK' 'fix_zh' is empty" in p)]


def test_an_unknown_error_code_kind_is_reported(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "    kind: receipt\n", "    kind: postcard\n")
    assert any("kind 'postcard'" in p for p in _problems(kb_copy))


def test_two_codes_a_lookup_could_not_tell_apart_are_reported(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "  isp.UNKNOWN:\n", "  isv.UNKNOWN:\n    kind: api\n    meaning: x\n    fix: y\n"
          "    handoff: false\n  isp.UNKNOWN:\n")
    assert any("also isv.UNKNOWN" in p or "also isp.UNKNOWN" in p for p in _problems(kb_copy))


def test_out_of_scope_examples_ship_by_group(kb):
    assert {"other-cloud-products", "account-and-billing", "ordinary-sms", "chit-chat"} <= set(kb.out_of_scope)
    assert sum(len(examples) for examples in kb.out_of_scope.values()) >= 100


def test_an_out_of_scope_example_that_is_an_faq_phrasing_is_reported(kb_copy):
    _edit(kb_copy / "out_of_scope.yaml", "    - hello\n", "    - how to add a signature\n")
    assert any("out_of_scope.yaml" in p and "'how to add a signature'" in p for p in _problems(kb_copy))


def test_an_empty_out_of_scope_group_is_reported(kb_copy):
    _edit(kb_copy / "out_of_scope.yaml", "  chinese:\n", "  empty: []\n  chinese:\n")
    assert any("out-of-scope group 'empty' must be a non-empty list" in p for p in _problems(kb_copy))


def test_a_plain_faq_without_out_of_scope_examples_borrows_the_shipped_ones(tmp_path):
    from assistant.router import Router

    (tmp_path / "faq.yaml").write_text(
        "entries:\n  - id: opening-hours\n    question: When are you open?\n    answer: Nine to five.\n"
        "    source: the shop door\n"
        "    alternatives: [opening hours, what time do you open, are you open on saturday]\n")
    kb = knowledge.load(tmp_path)
    assert kb.out_of_scope == knowledge.load().out_of_scope
    router = Router(kb)
    assert router.route("when do you open on sunday").entry == "opening-hours"
    assert router.route("tell me a joke about the weather").type == "fallback"


def test_changing_a_limit_in_rules_yaml_changes_the_answer_that_states_it(kb_copy):
    _edit(kb_copy / "rules.yaml", "  max_numbers_per_request: 1000 ", "  max_numbers_per_request: 500 ")
    _edit(kb_copy / "rules.yaml", "    any_template_per_hour: 8", "    any_template_per_hour: 6")
    kb = knowledge.load(kb_copy)
    assert kb.rules.sending["max_numbers_per_request"] == 500
    assert "at most 500 numbers" in kb.entries["recipients-per-send"].answer
    assert "最多 500 个号码" in kb.entries["recipients-per-send"].answer_zh
    assert "1,000" not in kb.entries["recipients-per-send"].answer
    assert "6 an hour" in kb.entries["flow-control"].answer and "每小时 6 条" in kb.entries["flow-control"].answer_zh


def test_the_number_segments_answer_lists_the_prefixes_the_send_checks(kb_copy):
    _edit(kb_copy / "rules.yaml", '"191", "193", "199"]', '"191", "193", "199", "1919"]')
    kb = knowledge.load(kb_copy)
    entry = kb.entries["number-segments"]
    assert "China Telecom: 133, 1349," in entry.answer and "191, 193, 199, 1919." in entry.answer
    assert "中国电信：133, 1349," in entry.answer_zh and "rules.yaml number_segments" in entry.source


def test_an_answer_naming_a_rule_rules_yaml_lacks_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "{rules.template.max_frames} frames", "{rules.template.max_framez} frames")
    assert any("{rules.template.max_framez}" in p and "rules.yaml does not hold" in p for p in _problems(kb_copy))


def test_an_entry_without_a_source_or_a_chinese_answer_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", '    source: "not documented: refunds are not covered by the FAQ or the reference"\n', "")
    _edit(kb_copy / "faq.yaml", '    answer_zh: "数字短信不支持退订。"\n', "")
    problems = _problems(kb_copy)
    assert any("an entry has no 'source'" in p for p in problems)
    assert any("an entry has no 'answer_zh'" in p for p in problems)


def test_an_unknown_entry_kind_is_reported(kb_copy):
    _edit(kb_copy / "faq.yaml", "    kind: undocumented\n    question: How much", "    kind: rumour\n    question: How much")
    assert any("kind 'rumour'" in p for p in _problems(kb_copy))


def test_every_message_of_the_catalogue_has_every_language(kb):
    assert {"clarify", "fallback", "related", "yes_no", "handoff.unanswered"} <= set(kb.messages)
    for msg_id, texts in kb.messages.items():
        assert set(texts) == set(knowledge.LANGUAGES), msg_id
        assert all(t.strip() for t in texts.values()), msg_id


def test_a_message_without_its_chinese_text_is_reported(kb_copy):
    _edit(kb_copy / "messages.yaml", '    zh: "我不太确定您的意思。您是想问："\n', "")
    assert any(p.startswith("messages.yaml:") and "message 'clarify' has no 'zh'" in p for p in _problems(kb_copy))


def test_a_prompt_whose_english_differs_from_its_slots_is_reported(kb_copy):
    _edit(kb_copy / "actions.yaml", 'prompt: "Signature to use"', 'prompt: "Which signature?"')
    assert any(p.startswith("messages.yaml:") and "message 'prompt.template.create.signature' says 'Signature to use'"
               in p and "'Which signature?'" in p for p in _problems(kb_copy))


def test_every_slot_prompt_every_request_and_every_action_is_in_the_catalogue(kb):
    for name, action in kb.actions.items():
        assert f"request.{name}" in kb.messages, name
        assert kb.messages[f"action.{name}"]["en"] == action.description
        for slot in action.slots:
            assert kb.messages[f"prompt.{name}.{slot.name}"]["en"] == slot.prompt

def test_an_export_keeps_the_sources_translations_and_the_rules_it_names(kb, tmp_path):
    from assistant.overlay import export

    export(kb, tmp_path / "out")
    text = (tmp_path / "out" / "faq.yaml").read_text(encoding="utf-8")
    assert "{rules.sending.max_numbers_per_request}" in text
    again = knowledge.load(tmp_path / "out")
    assert list(again.entries) == list(kb.entries)
    assert all(again.entries[k] == kb.entries[k] for k in kb.entries)


def test_the_sending_api_entry_states_the_send_limit_from_rules_yaml_and_names_its_source(kb):
    """Digital messages are sent with SendSms (no API of their own, reference section 0): the
    entry quotes the SendSms limit the account model enforces, and its documentation page."""
    limit = kb.rules.sending["max_numbers_per_request"]
    entry = kb.entries["sending-api"]
    assert "SendSms" in entry.answer and f"at most {limit:,} numbers" in entry.answer
    assert f"最多 {limit:,} 个号码" in entry.answer_zh
    assert "send-digital-messages" in entry.source and "rules.yaml" in entry.source


def test_the_qualification_entry_states_the_documented_review_window_and_names_its_source(kb):
    """资质 (reference 2.1 and 3.3): shared with text SMS, approved before a signature is applied
    for, reviewed within 2 working days; the entry says so in both languages and names its page."""
    entry = kb.entries["qualification"]
    assert "get-started-with-digital-sms" in entry.source and entry.kind == "faq"
    assert "within 2 working days" in entry.answer and "18-character unified social credit code" in entry.answer
    assert "2 个工作日" in entry.answer_zh and "统一社会信用代码" in entry.answer_zh


def test_the_third_party_signature_entry_states_the_power_of_attorney_and_names_its_source(kb):
    """A signature for another company's name needs that company's power of attorney (reference
    2.1, from the page on creating digital message signatures), in both languages."""
    entry = kb.entries["third-party-signature"]
    assert "create-digital-sms-signatures" in entry.source
    assert "power of attorney" in entry.answer and "授权委托书" in entry.answer_zh


def test_the_template_rules_answer_names_each_industry_a_carrier_refuses_as_rules_yaml_does(kb):
    """The account model refuses a template's industry by rules.yaml `carrier_rules`; the answer
    that tells customers which carrier takes which industry must say the same (a carrier that
    starts refusing an industry there fails this until the answer says so too)."""
    answer = kb.entries["template-content-rules"].answer
    for carrier, rules in kb.rules.carrier_rules.items():
        refused = {name for name, industry in rules.industries.items() if industry.rejects}
        said = re.search(rf"{kb.rules.carriers[carrier]} takes no ([^;.]+)", answer)
        assert (set(re.split(r", | or ", said.group(1))) if said else set()) == refused, carrier
    for product in ("alcohol", "infant formula", "health supplement"):
        assert any(product in word for word in kb.rules.carrier_rules["china_mobile"].industries["e-commerce"].banned_words)
        assert product in answer


def test_customers_questions_are_learned_apart_from_the_curated_phrasings(kb):
    """customers.yaml's questions train the model beside the curated phrasings (`weights.customers`)
    but are no entry's alternatives: `kb export` and the salient-word check read the curated ones."""
    assert kb.customers and kb.customers_out_of_scope
    for name, questions in kb.customers.items():
        entry = kb.entries.get(name)
        own = (entry.question, *entry.alternatives) if entry else kb.actions[name].examples
        assert not set(questions) & set(own), name
    assert 0 < kb.weights.customers < 1


def test_customers_yaml_naming_no_entry_or_action_is_a_one_line_problem(kb_copy):
    (kb_copy / "customers.yaml").write_text("version: 1\nphrasings:\n  no-such-entry: [how do i bake bread]\n",
                                            encoding="utf-8")
    assert _problems(kb_copy) == ["customers.yaml:3: customers.yaml names 'no-such-entry', which is "
                                  "no FAQ entry or action; use an id of faq.yaml or actions.yaml"]


def test_a_knowledge_base_without_customers_yaml_learns_its_phrasings_alone(kb_copy):
    (kb_copy / "customers.yaml").unlink()
    plain = knowledge.load(kb_copy)
    assert plain.customers == {} and plain.customers_out_of_scope == ()


def test_an_unsupported_segment_without_its_chinese_reason_is_reported(kb_copy):
    _edit(kb_copy / "rules.yaml", ', zh: "海事卫星号码无法接收数字短信"}', "}")
    assert any(p.startswith("rules.yaml:") and "unsupported segment '1749' has no reason in zh" in p
               for p in _problems(kb_copy))


def test_the_documented_facts_a_tester_checked_are_said_as_the_reference_says_them(kb):
    """Each as service-research.md / domain.md state it: no more, no less."""
    entries, codes = kb.entries, kb.error_codes
    rules = entries["template-content-rules"].answer
    assert "states nothing on games for China Telecom" in rules and "under China Mobile" in rules   # section 4.2's table
    assert "China Telecom takes no" in rules and "games" not in re.search(r"China Telecom takes no ([^;.]+)", rules).group(1)
    per_send = entries["recipients-per-send"]
    assert "SendBatchSms" in per_send.answer and "at most 100 numbers" in per_send.answer
    assert "100" in per_send.answer_zh and "SendBatchSms" in codes["isv.MOBILE_COUNT_OVER_LIMIT"].meaning
    flow = entries["flow-control"]
    assert "text SMS verification codes" in flow.answer and "验证码" in flow.answer_zh             # 1/5/10 are text SMS's
    assert "cancelled" in entries["qualification"].answer and "已取消" in entries["qualification"].answer_zh
    assert "not letters only" in entries["signature-name-rules"].answer and "the service refuses them" in \
        entries["signature-name-rules"].answer and "全是字母" in entries["signature-name-rules"].answer_zh
    assert "under 1,900 KB" in entries["what-is-a-template"].answer and "小于 1,900 KB" in entries["what-is-a-template"].answer_zh
    assert "package" not in entries["what-is-digital-message"].answer.replace("SMS packages do not apply", "")
    assert "660 KB" in entries["media-formats"].answer and "the documentation names no code" in entries["media-formats"].answer
    assert "package" in codes["isv.AMOUNT_NOT_ENOUGH"].meaning and "balance" in codes["isv.AMOUNT_NOT_ENOUGH"].meaning
    unsupported = codes["isv.UNSUPPORTED_CONTENT"]
    assert "format" not in unsupported.meaning and "格式" not in unsupported.meaning_zh   # characters only, as documented
    illegal = codes["isv.MOBILE_NUMBER_ILLEGAL"]
    assert "1749" in illegal.fix and "1349 and 17400-17405 are." in illegal.fix and "1349" in illegal.fix_zh


def test_the_api_entries_state_the_signature_codes_and_the_template_api_with_their_sources(kb):
    codes = kb.entries["signature-source-codes"]
    assert "querydigitalsignbyname" in codes.source and "7 an e-commerce store (API only)" in codes.answer
    assert "0 general or 1 e-commerce" in codes.answer and "7 电商店铺" in codes.answer_zh
    api = kb.entries["template-api"]
    assert "createdigitalsmstemplate" in api.source and "DIGITAL_SMS_0001" in api.answer
    assert f"at most {kb.rules.template['max_name_length']} characters" in api.answer
    assert "txt, gif, jpg, png, mp3 or mp4" in api.answer and "TemplateType 7" in api.answer
    assert "no QueryDigitalSmsTemplate" in api.answer and "QuerySmsTemplateList" in api.answer_zh


def test_the_documented_facts_a_checker_found_unsaid_are_stated_in_both_languages_with_their_sources(kb):
    """Facts of service-research.md that no answer stated (stop 29's check): the API's endpoint and
    version, the qualification's field limits and status codes, the charge of a submitted message
    that is not delivered, the API-only e-commerce store source, the prerequisites of enabling."""
    entries = kb.entries
    api = entries["api-endpoint"]
    assert api.kind == "faq" and "dysmsapi-20170525" in api.source
    for text in (api.answer, api.answer_zh):
        assert "dysmsapi.aliyuncs.com" in text and "2017-05-25" in text and "RequestId" in text
    qualification = entries["qualification"]
    assert "at most 150 characters" in qualification.answer and "最多 150 个字符" in qualification.answer_zh
    assert all("NOT_FINISH" in text and "OrderContext" in text for text in (qualification.answer, qualification.answer_zh))
    failed = entries["failed-messages"]
    assert "charged all the same" in failed.answer and "Refunds are not covered" in failed.answer
    assert "照样计费" in failed.answer_zh and "没有涉及退款" in failed.answer_zh
    requirements = entries["signature-requirements"]
    assert requirements.answer.startswith("Signatures must comply with regulatory requirements.")
    assert all("SignSource 7" in text for text in (requirements.answer, requirements.answer_zh))
    assert "querydigitalsignbyname" in requirements.source
    enable = entries["enable-sending"]
    assert enable.answer.startswith("Eligible industries and customers can sign up in the Digital Message console.")
    assert "identity verification" in enable.answer and "实名认证" in enable.answer_zh
    assert "get-started-with-digital-sms" in enable.source
