"""The message catalogue (assistant/messages.py, knowledge/messages.yaml)."""

import pytest

from assistant.knowledge import load, resolve_dir
from assistant.messages import follow_up, say, small_talk


@pytest.fixture(scope="module")
def kb():
    return load(resolve_dir(None))


def test_a_message_is_said_in_the_language_asked_with_its_fields(kb):
    assert say(kb, "clarify", "zh").startswith("我不太确定")
    assert "x / y" in say(kb, "related", "en", questions="x / y")


def test_a_missing_message_is_a_key_error_naming_it(kb):
    with pytest.raises(KeyError, match="no-such-message"):
        say(kb, "no-such-message")


@pytest.mark.parametrize("line, kind", [("hello!", "greeting"), ("Good morning :)", "greeting"), ("你好", "greeting"),
                                        ("thank u", "thanks"), ("ok thanks!", "thanks"), ("谢谢！", "thanks"),
                                        ("byeee", "goodbye"), ("ok", "acknowledgement"), ("好的", "acknowledgement")])
def test_a_line_that_is_only_small_talk_has_its_kind(kb, line, kind):
    assert small_talk(kb, line) == kind


@pytest.mark.parametrize("line", ["hi, how do I enable digital messages?", "thanks, and what is a signature?",
                                  "help me", "status", "they"])
def test_a_question_or_a_word_of_the_domain_is_not_small_talk(kb, line):
    assert small_talk(kb, line) is None


@pytest.mark.parametrize("line", ["How do I fix it?", "how to fix", "what should I do", "那怎么办？", "怎么解决", "怎么处理"])
def test_a_line_asking_for_the_fix_is_an_error_fix_follow_up(kb, line):
    assert follow_up(kb, line) == "error_fix"


@pytest.mark.parametrize("line, kind", [("咋个解决", "error_fix"), ("那咋个解决嘛", "error_fix"), ("咋办嘛", "error_fix"),
                                        ("怎么解决呢？", "error_fix"), ("经理回复了没得？", "ticket_asked"),
                                        ("经理咋个说的？", "ticket_asked"), ("经理回复了没嘛", "ticket_asked"),
                                        ("经理说啥子了", "ticket_asked"), ("any reply yet lah", "ticket_asked")])
def test_a_follow_up_said_in_everyday_words_is_the_phrase_it_says(kb, line, kind):
    # southwestern words (咋个, 没得, 啥子) read as the synonyms read them, a closing particle (嘛, 呢, lah) left off
    assert follow_up(kb, line) == kind


@pytest.mark.parametrize("line", ["how do I fix a rejected template", "被限流了怎么办", "what is a signature", "fixed"])
def test_a_question_about_something_named_is_no_follow_up(kb, line):
    assert follow_up(kb, line) is None


def test_every_message_the_code_names_is_in_the_catalogue(kb):
    """The ids the conversation says by name (say("..."), conv.say("..."), self.say("...")) all exist:
    a missing one would be a KeyError in the middle of a conversation."""
    import re
    from pathlib import Path

    import assistant

    named = set()
    for path in Path(assistant.__file__).parent.rglob("*.py"):
        named |= set(re.findall(r"\bsay\(\s*(?:[\w.]+,\s*)?\"([a-z_.]+)\"", path.read_text(encoding="utf-8")))
    assert {"go_ahead", "cancelled", "request.dropped", "preview.send.total"} <= named
    assert sorted(named - set(kb.messages)) == []


def test_a_near_spelling_is_the_closest_phrase_and_of_equally_close_ones_the_last_kind(kb):
    table = {"greeting": ("hello there",), "thanks": ("hello therr", "many thanks")}
    tied = kb._replace(small_talk=table)
    assert small_talk(tied, "hello thera") == "thanks"        # 90.9 to both phrases: the later kind, as before
    assert small_talk(tied, "many thankz") == "thanks"
    assert small_talk(tied, "hello world") is None            # under 80 to every phrase
    other = kb._replace(small_talk={"goodbye": ("hello thera",)})
    assert small_talk(other, "hello therx") == "goodbye"      # the phrases compared are the knowledge base's own
    assert small_talk(tied, "hello therx") == "thanks"


def test_a_stored_sentence_of_the_catalogue_gives_back_its_fields_to_be_said_again(kb):
    from assistant.messages import heard

    stored = say(kb, "ticket.history.assigned_by", before="nobody", after="lin", by="ann")
    assert heard(kb, "ticket.history.assigned_by", stored) == {"before": "nobody", "after": "lin", "by": "ann"}
    assert heard(kb, "ticket.history.overdue", "no first reply within 480 min") == {"minutes": "480"}
    assert heard(kb, "ticket.history.overdue", "no first reply within 480 minutes, sorry") is None
    assert heard(kb, "ticket.history.assigned_by", "nobody -> lin") is None


def _fields(text: str) -> set[str]:
    from string import Formatter

    return {name for _, name, _, _ in Formatter().parse(text) if name}


def _marked_refusals() -> list[tuple[str, int, str, str | None, dict]]:
    """Every refusal the code marks with a catalogue sentence: (file, line, id or an f-string id's
    prefix + "*", its English as a template of the catalogue's kind or None when it is not written out
    in the call, the fields given by keyword ({} when given with ** too: "**")). Found in the source:
    `said(ERROR, "id", ...)` / `errors.said(...)` with ERROR an error class's call (through `hinted`),
    and `refused(CODE, MESSAGE, "id", ...)`."""
    import ast


    def template(node: ast.expr, keywords: dict[str, ast.expr]) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.replace("{", "{{").replace("}", "}}") if keywords else node.value
        if not isinstance(node, ast.JoinedStr):
            return None
        said = {ast.unparse(value): name for name, value in keywords.items()}
        out = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value).replace("{", "{{").replace("}", "}}"))
                continue
            seen = [ast.unparse(part.value), ast.unparse(ast.JoinedStr([part]))]
            seen += [f"str({seen[0]})"] + ([f"repr({seen[0]})"] if part.conversion == ord("r") else [])
            names = [said[s] for s in seen if s in said and (part.conversion != ord("r") or s.startswith(("repr", "f")))]
            out.append("{" + names[0] + "}" if names else "<" + seen[0] + " given as no field>")
        return "".join(out)

    def error_of(node: ast.expr) -> ast.expr | None:
        while isinstance(node, ast.Call) and getattr(node.func, "id", None) == "hinted":
            node = node.args[0]
        if isinstance(node, ast.Call) and node.args:
            return node.args[0]
        return None

    found = []
    for path, node, name, key in _marked_calls():
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        english = node.args[1] if name == "refused" else error_of(node.args[0])
        spread = any(k.arg is None for k in node.keywords)
        shown = None if english is None or key.endswith("*") or spread else template(english, keywords)
        found.append((path.name, node.lineno, key, shown, {"**": None} if spread else keywords))
    return found


def _marked_calls():
    """(file, call, "said" or "refused", id or an f-string id's prefix + "*") of each refusal the code marks with
    a catalogue sentence (`_marked_refusals`)."""
    import ast
    from pathlib import Path

    import assistant

    for path in sorted(Path(assistant.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            at = {"said": 1, "refused": 2}.get(name or "")
            if at is None or len(node.args) <= at or isinstance(node.args[at], ast.Name):
                continue
            msg_id = node.args[at]
            if isinstance(msg_id, ast.JoinedStr):
                yield path, node, name, str(msg_id.values[0].value) + "*"
            elif isinstance(msg_id, ast.Constant) and isinstance(msg_id.value, str):
                yield path, node, name, msg_id.value


def test_no_marked_refusal_builds_its_english_beside_the_catalogue(kb):
    """A marked refusal's English is written out in the call (a literal or an f-string, which the test above
    reads against the catalogue) or said from the catalogue itself (`say`, `said`: one source). Built another
    way (a constant or a table kept in code, `.format`, `+`) it would be the catalogue's sentence a second time,
    which nothing keeps the same."""
    import ast

    def english_of(node: ast.Call, name: str) -> ast.expr | None:
        error = node.args[0]
        if name == "refused":
            return node.args[1]
        while isinstance(error, ast.Call) and getattr(error.func, "id", None) == "hinted":
            error = error.args[0]
        return error.args[0] if isinstance(error, ast.Call) and error.args else None

    def from_catalogue(node: ast.expr) -> bool:
        return isinstance(node, ast.Call) and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in (
            "say", "said", "said_in", "english")

    built = []
    for path, node, name, key in _marked_calls():
        english = english_of(node, name)
        if english is None or key == "refusal.coded":   # errors.refused/coded: the message handed in, marked there
            continue
        if not isinstance(english, (ast.Constant, ast.JoinedStr)) and not from_catalogue(english):
            built.append(f"{path.name}:{node.lineno}: {key} from {ast.unparse(english)[:60]}")
    assert built == []


# a sentence worded its own way on purpose: the desk's form names what to fill in, where the command line names its flag
_WORDED_OWN_WAY = {"handoff.claim_by"}


def test_every_refusal_marked_with_a_catalogue_sentence_is_that_sentence_in_english_and_has_every_language(kb):
    """A refusal marked with its catalogue sentence (errors.said, errors.refused) is said in a Chinese
    conversation by that sentence: it must exist in every language, with the fields the code gives
    and none other in each, and its English must be word for word the refusal's own (else the
    conversation keeps the English: Conversation.told)."""
    marked = _marked_refusals()
    assert len(marked) > 60                 # the account model's refusals, the conversation's own
    wrong = []
    for file, line, key, english, keywords in marked:
        ids = [m for m in kb.messages if m.startswith(key[:-1])] if key.endswith("*") else [key]
        if not ids or any(m not in kb.messages for m in ids):
            wrong.append(f"{file}:{line}: no message {key}")
            continue
        for msg_id in ids:
            texts = kb.messages[msg_id]
            if set(texts) != {"en", "zh"}:
                wrong.append(f"{file}:{line}: {msg_id} has {sorted(texts)}")
            elif keywords and "**" not in keywords and not _fields(texts["en"]) == _fields(texts["zh"]) == set(keywords):
                wrong.append(f"{file}:{line}: {msg_id}'s fields {sorted(_fields(texts['en']))} / "
                             f"{sorted(_fields(texts['zh']))}, the code gives {sorted(keywords)}")
        if english is not None and key not in _WORDED_OWN_WAY and english != kb.messages[key]["en"]:
            wrong.append(f"{file}:{line}: {key}'s English is {kb.messages[key]['en']!r}, the code says {english!r}")
    assert wrong == []


def test_a_sentence_put_in_a_frame_that_closes_it_again_ends_once(kb):
    """A catalogue sentence that ends in 。 (a refusal) in a frame that adds 。 after it ("{error}。请重试") is
    said with one; an English sentence's "." likewise in a Chinese frame; two English marks as they always were."""
    from assistant.messages import filled

    refusal = say(kb, "signature.already_submitted", "zh", code="isv.ERROR_SIGN_NOT_MODIFY", name="AcmeShop")
    assert refusal.endswith("。")
    again = say(kb, "value.try_again", "zh", error=refusal)
    assert again == refusal + "请重试，或输入“取消”放弃此请求。" and "。。" not in again
    assert say(kb, "value.try_again", "zh", error="号码无效") == "号码无效。请重试，或输入“取消”放弃此请求。"
    assert filled("{error}。请重试", {"error": "3 numbers."}) == "3 numbers.请重试"
    assert filled("{error}. Try again", {"error": "真的吗？"}) == "真的吗？ Try again"
    assert filled("{error}. Try again", {"error": "e.g."}) == "e.g.. Try again"     # English: as it always was
    assert say(kb, "value.try_again", "en", error="no such file") == \
        "no such file. Try again, or say 'cancel' to drop the request."


def test_sentences_joined_in_chinese_take_its_separator_in_place_of_their_own_closing_marks(kb):
    from assistant.messages import joined

    assert joined(kb, ["号码无效。", "不是手机号码。"], "zh", "result.separator") == "号码无效；不是手机号码。"
    assert joined(kb, ["a is wrong", "b is wrong"], "en", "result.separator") == "a is wrong; b is wrong"
    assert joined(kb, ["中国移动", "中国联通"], "zh") == "中国移动、中国联通"
