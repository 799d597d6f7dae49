"""The knowledge base loads, covers the FAQ, and every editing mistake is reported with file and line."""

import shutil
from pathlib import Path

import pytest

from assistant import knowledge

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


def test_the_one_entry_beyond_the_seed_states_no_review_time_the_service_does_not_publish(kb):
    """Customers ask how long template review takes; the service's documentation gives no figure
    (only the signature's 7-10 business days), so the answer says so and invents none."""
    extra = [e for e in kb.entries.values() if e.question not in SEED_QUESTIONS]
    assert [e.id for e in extra] == ["template-review-time"]
    answer = extra[0].answer
    assert "No fixed review time is published" in answer and not any(ch.isdigit() for ch in answer)


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
    _edit(kb_copy / "actions.yaml", r"      - '\b(?P<value>digital_sms_\d{3,})\b'", "      - '(unclosed'")
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


def test_load_raises_one_error_listing_every_problem(kb_copy):
    _edit(kb_copy / "faq.yaml", "  - id: enable-sending", "  - id: Enable Sending")
    with pytest.raises(knowledge.KnowledgeError) as caught:
        knowledge.load(kb_copy)
    assert "lowercase letters, digits and dashes" in str(caught.value)


def test_a_minimal_knowledge_base_needs_only_faq_yaml(tmp_path):
    (tmp_path / "faq.yaml").write_text(
        "entries:\n  - id: opening-hours\n    question: When are you open?\n    answer: Nine to five.\n"
        "    alternatives: [opening hours, what time do you open]\n")
    kb = knowledge.load(tmp_path)
    assert list(kb.entries) == ["opening-hours"]
    assert kb.actions == {}


def test_every_error_code_says_whether_it_needs_a_person(kb_copy):
    _edit(kb_copy / "error_codes.yaml", "    fix: Nothing to do.\n    handoff: false\n", "    fix: Nothing to do.\n")
    assert any("code 'OK' has no 'handoff'" in p for p in _problems(kb_copy))


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
        "    alternatives: [opening hours, what time do you open, are you open on saturday]\n")
    kb = knowledge.load(tmp_path)
    assert kb.out_of_scope == knowledge.load().out_of_scope
    router = Router(kb)
    assert router.route("when do you open on sunday").entry == "opening-hours"
    assert router.route("tell me a joke about the weather").type == "fallback"
