"""One place where a request's values are put in one shape, whoever found them.

The router finds values in a sentence ("send DIGITAL_SMS_0001 to 13800138000 with name=Tom"
gives `params` as a list of "name=value" words), a slash command splits its arguments, a
service client sends JSON, and a dumped conversation comes back from JSON: each of them may
hand over a list where the conversation keeps a mapping, or one string where it keeps a list.
`normalise` turns all of them into the shapes the slot filler and the actions use: template
parameters as a {name: value} mapping, recipients as a list of strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..actions import handoff, signatures, templates
from ..context import Context
from ..knowledge import KnowledgeBase
from ..messages import unclosed
from ..text import fold, mentioned


def params(value: Any) -> dict[str, str]:
    """Template parameters as {name: value}, from a mapping, "name=value" words, or one string
    of them ("name=Tom, shop=Acme"). Words without "=" are not parameters and are left out."""
    if value is None or value == "":
        return {}
    if isinstance(value, Mapping):
        return {str(k).strip(): "" if v is None else str(v) for k, v in value.items() if str(k).strip()}
    words: Iterable[Any] = value.replace(",", " ").replace("，", " ").split() if isinstance(value, str) else value
    out: dict[str, str] = {}
    for word in words:
        name, sep, given = str(word).partition("=")
        if sep and name.strip():
            out[name.strip()] = given.strip()
    return out


# A value in words: quoted, or up to a space or a clause's end ("name是张三，order是A123")
_VALUE = r"(\"[^\"]*\"|'[^']*'|“[^”]*”|[^\s,，;；。、]+)"
# what says "is" between a variable and its value, in either language ("name: Tom", "name是张三", "name为张三",
# "名字填张三", "name写成Tom")
_FILL = r"(?:填写|填成|填|写成|写|用)"
_IS_WORDS = r"=|:|：|\bis\b|\bas\b|是|为|" + _FILL
_IS = "(?:" + _IS_WORDS + ")"


def named_params(said: str, variables: Iterable[str], labels: Mapping[str, Iterable[str]] | None = None,
                 changes: Iterable[str] = ()) -> dict[str, str]:
    """The values SAID gives the template's VARIABLES in words ("with name Tom", "and shop: Acme",
    "with ${name} = Tom", "where name is 'Tom Li'", "，name是张三", "name为张三", "order：A123",
    "name填张三"): only variables the template has. Without a word that says "is" (=, :, is, 是, 为,
    填, 写, 用, or one of CHANGES), only after "with", "and", "where" or a comma, so a variable called
    like a word of the request is not misread. LABELS: a variable's other names (actions.yaml slot
    type `variable`: "名字" for name), each read only before a word that fills a value in ("名字填张三";
    "名字是张三" may be a sentence about a name, not a value). CHANGES: the words that say a value is
    now another (messages.yaml `leaving.changed_to`: "不对，resort改成峨眉山" gives 峨眉山, never "改成峨眉山");
    `said_params` passes the knowledge base's."""
    said_is = _IS
    if changes:
        words = sorted({_typed_phrase(w) for w in changes if w.strip()}, key=len, reverse=True)
        said_is = "(?:" + "|".join(words) + "|" + _IS_WORDS + ")"
    out: dict[str, str] = {}
    for variable in variables:
        name = r"\$?\{?" + re.escape(variable) + r"\}?"
        opened = r"(?:(?:\bwith|\band|\bwhere)\s+|[,，]\s*)" + name + r"\s*" + said_is + r"?\s*" + _VALUE
        plain = r"(?<![A-Za-z0-9_$])" + name + r"(?![A-Za-z0-9_])\s*" + said_is + r"\s*" + _VALUE
        found = re.search(opened, said, re.IGNORECASE) or re.search(plain, said, re.IGNORECASE)
        for label in () if found else (labels or {}).get(variable, ()):
            found = re.search(re.escape(label) + r"\s*" + _FILL + r"\s*" + _VALUE, said)
            if found:
                break
        if found:
            out[variable] = found.group(1).strip("\"'“”")
    return out


def _typed_phrase(phrase: str) -> str:
    """A pattern for PHRASE (maybe folded, a Chinese character a word: "改 成") as typed: Chinese
    characters together or apart, Latin words apart and whole ("should be")."""
    words = phrase.split()
    out = ""
    for i, word in enumerate(words):
        if i:
            out += r"\s+" if word.isascii() and words[i - 1].isascii() else r"\s*"
        out += re.escape(word)
    return (r"\b" + out + r"\b") if phrase.isascii() else out


def said_params(kb: KnowledgeBase, said: str, variables: Iterable[str]) -> dict[str, str]:
    """`named_params` with the knowledge base's words: the variables' other names and the words that
    say a variable's value is now another."""
    return named_params(said, variables, variable_labels(kb), kb.leaving.get("changed_to", ()))


def variable_labels(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Other names of template variables (actions.yaml slot type `variable`: "名字" for ${name})."""
    slot_type = kb.slot_types.get("variable")
    return dict(slot_type.choices) if slot_type else {}


def _digits(phone: str) -> str:
    """A number as its last 11 digits, however it was written ("+86 138-0013-8000")."""
    return re.sub(r"\D", "", phone)[-11:]


def _place(kb: KnowledgeBase, word: str) -> int | None:
    """The place an ordinal word names ("二", "second", "2nd", "2"), from slot type `ordinal`."""
    if word.isdecimal():
        return int(word)
    slot_type = kb.slot_types.get("ordinal")
    for value, words in (slot_type.choices if slot_type else {}).items():
        if word.casefold() in (w.casefold() for w in words):
            return int(value)
    return None


def taken_back(kb: KnowledgeBase, said: str) -> set[str]:
    """The numbers SAID takes back by their digits ("replace 13312345678 with ...", "13800138052不要了",
    see `withdrawn`)."""
    slot_type = kb.slot_types.get("phone_replaced")
    return {_digits(m.group("old")) for p in (slot_type.patterns if slot_type else ()) for m in p.finditer(said)
            if m.groupdict().get("old")} | removed(kb, said)


def removed(kb: KnowledgeBase, said: str) -> set[str]:
    """The numbers SAID takes out in so many words (actions.yaml slot type `phone_removed`), by their digits."""
    slot_type = kb.slot_types.get("phone_removed")
    return {_digits(m.group("value")) for p in (slot_type.patterns if slot_type else ()) for m in p.finditer(said)}


def added(kb: KnowledgeBase, said: str) -> list[str]:
    """The numbers SAID adds in so many words ("also add 13800138024": slot type `phone_added`)."""
    slot_type = kb.slot_types.get("phone_added")
    return [m.group("value") for p in (slot_type.patterns if slot_type else ()) for m in p.finditer(said)]


def withdrawn(kb: KnowledgeBase, said: str, phones: list[str]) -> list[str]:
    """PHONES without the numbers SAID takes back in its own words ("13312345678换成18612345678",
    "replace X with Y", "instead of X, Y", "第二个号码换成Y": actions.yaml slot type `phone_replaced`),
    each replacement in; the place of "第二个" counts the numbers written, replacements left out.
    PHONES unchanged when SAID takes none back. A number taken out ("13800138052不要了", "remove X":
    `removed`) is dropped."""
    if out := removed(kb, said):
        phones = [p for p in phones if _digits(p) not in out]
    slot_type = kb.slot_types.get("phone_replaced")
    swaps = [m for p in (slot_type.patterns if slot_type else ()) for m in p.finditer(said)]
    if not swaps:
        return phones
    new = [_digits(m.group("new")) for m in swaps]
    written = [p for p in phones if _digits(p) not in new]
    dropped = set()
    for match in swaps:
        if match.groupdict().get("old"):
            dropped.add(_digits(match.group("old")))
        elif (place := _place(kb, match.group("nth"))) is not None and 0 < place <= len(written):
            dropped.add(_digits(written[place - 1]))
    said_swaps = [m.group(0) for m in swaps]
    # the words of a replacement ("第二个换成") are none of the numbers, and no unreadable number either
    kept = [p for p in phones if _digits(p) not in dropped - set(new)
            and not (len(_digits(p)) < 11 and any(p in swap for swap in said_swaps))]
    return kept + [m.group("new") for m in swaps if _digits(m.group("new")) not in {_digits(p) for p in kept}]


def many(value: Any) -> list[str]:
    """A value that may be several (recipients), as a list of strings."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [str(v) for v in value.values()]
    return [str(v) for v in value]


def normalise(action: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """ARGS of ACTION in the conversation's shapes (see the module's docstring)."""
    out = dict(args)
    if "params" in out:
        out["params"] = params(out["params"])
    if action == "send" and "phones" in out:
        out["phones"] = many(out["phones"])
    return out


def named_for(ctx: Context, action: str, said: str) -> dict[str, Any] | None:
    """The values of status look-up ACTION when SAID names one of the account's objects ("is Spring
    sale approved by unicom?" names template DIGITAL_SMS_0001); None when it names none."""
    if action == "template.status":
        code = templates.named_in(ctx, said)
        return {"code": code} if code else None
    if action == "signature.status":
        name = signatures.named_in(ctx, said)
        return {"name": name} if name else None
    return None


def template_pointed(ctx: Context, said: str) -> str | None:
    """The code of the account's template SAID points at in so many words ("用会员生日那个模板",
    "模板用会员生日的", "with template Spring sale": actions.yaml slot type `template_pointed`), or None."""
    slot_type = ctx.kb.slot_types.get("template_pointed")
    if slot_type is None:
        return None
    codes: dict[str, str] = {}
    for row in ctx.store.rows("SELECT code, name FROM templates WHERE account = ? ORDER BY code", (ctx.account,)):
        codes.setdefault(row["name"], row["code"])
    for pattern in slot_type.patterns:
        for match in pattern.finditer(said):
            name = mentioned(match.group("value"), codes)
            if name is not None:
                return codes[name]
    return None


def template_in(ctx: Context, said: str) -> tuple[str | None, list[str]]:
    """The template SAID sends with, and the codes of every template it names. One named: that one;
    several ("给…发生日祝福，用会员生日那个模板" names 生日祝福 inside "发生日祝福"): the one it points at,
    or None, for the person to say which, never a guess."""
    named = templates.all_named_in(ctx, said)
    if len(named) <= 1:
        return (named[0] if named else None), named
    return template_pointed(ctx, said), named


LOOKUPS = {"signature.status": ("name", "signatures", "name"), "template.status": ("code", "templates", "code")}


def known_objects(ctx: Context, action: str, args: dict[str, Any], said: str) -> dict[str, Any]:
    """ARGS with the objects of the account they name, as the account knows them.

    A template is named by its code or its name ("send the winter sale 2026 one to ..."). A
    status look-up's value that names nothing in the account and is a plain lower-case word
    ("is my signature ready?" read "ready" as a name) is a word of the question, not a value:
    left out, so the look-up shows every object.
    """
    out = dict(args)
    if action == "handoff.answer" and not out.get("ticket"):     # "tell the manager ...": the open ticket
        open_tickets = handoff.queue(ctx, account=ctx.account)
        if open_tickets:
            out["ticket"] = str(max(t["id"] for t in open_tickets))
    if action in ("send", "template.status") and not out.get("code") and said:
        code, _ = template_in(ctx, said)
        if code:
            out["code"] = code
    if action in LOOKUPS and isinstance(out.get(LOOKUPS[action][0]), str):
        slot, table, column = LOOKUPS[action]
        value = out[slot].strip()
        names = [str(r[column]) for r in ctx.store.rows(f"SELECT {column} FROM {table} WHERE account = ?", (ctx.account,))]
        known = {n.casefold(): n for n in names}
        if action == "template.status":
            known |= {str(r["name"]).casefold(): str(r["code"]) for r in ctx.store.rows(
                "SELECT name, code FROM templates WHERE account = ?", (ctx.account,)) if str(r["name"]).casefold() not in known}
        if value.casefold() not in known and all(w.isalpha() and w.islower() for w in value.split()):
            del out[slot]           # "has my signature passed review yet?": words of the question
        elif value.casefold() not in known and (named := _named_then_asked(value, known)):
            out[slot] = named       # "is my signature Globex approved yet?": Globex, then words of the question
    return out


def _named_then_asked(value: str, known: Mapping[str, str]) -> str | None:
    """The account's object (KNOWN: casefolded name -> the value it is looked up by) the start of VALUE
    names, when every word after it is a plain lower-case word of the question ("Globex approved yet"
    is Globex); None otherwise ("Globex Pro" is another name, never Globex)."""
    words = value.split()
    for cut in range(len(words) - 1, 0, -1):
        head, rest = " ".join(words[:cut]).casefold(), words[cut:]
        if head in known and all(w.isalpha() and w.islower() for w in rest):
            return known[head]
    return None


def said_source(kb: KnowledgeBase, said: str) -> str | None:
    """The signature source SAID names in so many words ("来源是商标", "the source is trademark":
    actions.yaml slot type `source_said`, read with `source`'s choices), or None. It wins over a
    source word the router found elsewhere in the line ("我们公司叫…" is no source)."""
    from ..choices import pick

    slot_type, choices = kb.slot_types.get("source_said"), kb.slot_types.get("source")
    if slot_type is None or choices is None:
        return None
    for pattern in slot_type.patterns:
        for match in pattern.finditer(said):
            value = match.group("value")
            # the words after "source is" may run on ("商标，帮我", "trademark please"): the longest start that names one
            for end in range(len(value), 0, -1):
                if (chosen := pick(value[:end], choices.choices)) is not None:
                    return chosen
    return None


# "not a trademark", "不是商标": a source said not to be the one
_NOT_SOURCE = re.compile(r"\bnot\s+(?:an?\s+|the\s+|our\s+)?[a-z]+(?:\s+[a-z]+)?|不是\s*[\u4e00-\u9fff]{2,4}", re.I)


def source_named(kb: KnowledgeBase, said: str) -> str | None:
    """The one signature source a sentence typed at the source's prompt names ("it's our app", "we use our
    brand", "是我们的应用"): the one said in so many words (`said_source`), else the only one of `source`'s
    choices whose word it holds, once those it says it is not ("app, not trademark") are left out. None when
    it names none, or two."""
    if (chosen := said_source(kb, said)) is not None:
        return chosen
    slot_type = kb.slot_types.get("source")
    if slot_type is None:
        return None
    text = _NOT_SOURCE.sub(" ", said.casefold())
    found = set()
    for choice, words in slot_type.choices.items():
        for word in (choice, *words):
            word = word.casefold()
            if re.search(r"[\u4e00-\u9fff]", word) and word in text or \
                    re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", text):
                found.add(choice)
                break
    return found.pop() if len(found) == 1 else None


# the slot types (actions.yaml) of a new object's name written before the word for it, by the request it starts
NAMED_BEFORE = {"template.create": "template_named_before", "signature.submit": "signature_named_before"}


def name_before(kb: KnowledgeBase, action: str, said: str) -> str | None:
    """The name the request SAID gives the new template or signature of ACTION before the word for it ("帮我建一个
    会员日模板" -> 会员日, "create a Spring promo template" -> Spring promo: actions.yaml `template_named_before`,
    `signature_named_before`), or None. Words that say what kind it is rather than which one are no name: the type's
    `exclude`, a word ending in 类 or "type", an industry ("建一个营销模板", "create a new template", "建一个电商模板"),
    one of those followed by 用 or 专用 (what it is for: "帮我建个直播用的模板")."""
    slot_type = kb.slot_types.get(NAMED_BEFORE.get(action, ""))
    if slot_type is None:
        return None
    words = kb.slot_types.get("industry")
    kinds = {fold(w) for w in slot_type.exclude} | {fold(w) for w in (kb.rules.template_industries if kb.rules else ())}
    kinds |= {fold(w) for name, others in (words.choices if words else {}).items() for w in (name, *others)}
    for pattern in slot_type.patterns:
        for match in pattern.finditer(said):
            value = match.group("value").strip()
            kind = re.sub(r"(?:专用|使用|用)$", "", value)     # "直播用的模板", "电商专用模板": what it is for
            if value and fold(value) not in kinds and fold(kind) not in kinds and not value.endswith("类") and \
                    not value.lower().endswith((" type", " kind")):
                return value
    return None


_QUOTE_PAIRS = (('"', '"'), ("'", "'"), ("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"))


def spoken(kb: KnowledgeBase, value: str, said: str = "") -> str:
    """VALUE, a name or a word said in speech, without the modal particles that close it ("周末狂欢咯" -> 周末狂欢,
    "Weekend party lah" -> Weekend party: actions.yaml slot type `spoken_end`), one at a time, stopping at a word of
    the type's `exclude` ("星光酒吧吧" -> 星光酒吧). VALUE as it is when SAID (the line it came from) quotes it whole
    ('名字改成"周末狂欢咯"'), or when nothing would be left."""
    if not value or any(f"{o}{value}{c}" in said for o, c in _QUOTE_PAIRS):
        return value
    return unclosed(kb, value)


# the values of a request that are a name said in speech: a closing particle is no part of them (`spoken`)
SPOKEN = ("name", "signature")


def spoken_args(kb: KnowledgeBase, args: Mapping[str, Any], said: str) -> dict[str, Any]:
    """ARGS with each name SAID gave (SPOKEN, and a send's parameters) without the particle that closed it
    (`spoken`): "名字叫周末狂欢咯" names 周末狂欢, "name是张老板咯" gives 张老板."""
    out = dict(args)
    for key in SPOKEN:
        if isinstance(out.get(key), str):
            out[key] = spoken(kb, out[key], said)
    if isinstance(out.get("params"), Mapping):
        out["params"] = {k: spoken(kb, v, said) if isinstance(v, str) else v for k, v in out["params"].items()}
    return out


# the slot type of the values a request's line says with their field's word, by the request it starts
SAID_WITH_FIELDS = {"template.create": "template_said"}


def said_fields(kb: KnowledgeBase, action: str, said: str) -> dict[str, str]:
    """The values of ACTION's request that SAID gives with their field's word ("签名用长沙星辰娱乐", "内容是 ${name}您好，
    周末欢唱", "text: Hi ${name}, ...", "图片用 banner.png": actions.yaml slot type `template_said`), by slot name,
    the first of each; a signature without the particle that closed it (`spoken`). {} for another request."""
    slot_type = kb.slot_types.get(SAID_WITH_FIELDS.get(action, ""))
    out: dict[str, str] = {}
    for pattern in slot_type.patterns if slot_type else ():
        for match in pattern.finditer(said):
            for key, value in match.groupdict().items():
                if value and value.strip() and key not in out:
                    out[key] = value.strip()
    if "signature" in out:
        out["signature"] = spoken(kb, out["signature"], said)
    return out


def makes(kb: KnowledgeBase, action: str, said: str) -> bool:
    """Whether SAID says it makes what ACTION makes ("建模板", "重新建个模板", "create a template": actions.yaml
    slot type `template_made`) and gives one of its values with its field's word (`said_fields`)."""
    if action != "template.create" or (slot_type := kb.slot_types.get("template_made")) is None:
        return False
    return any(p.search(said) for p in slot_type.patterns) and bool(said_fields(kb, action, said))


def only_ready_template(ctx: Context) -> dict | None:
    """The account's one template some carrier has approved (its status), or None when it has none or several."""
    ready = [t for t in templates.status(ctx) if t["ready_for"]]
    return ready[0] if len(ready) == 1 else None
