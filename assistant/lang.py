"""Which language to answer in: `--lang auto|en|zh` (env ASSISTANT_LANG), or the question's own.

The rule for `auto` is deliberately simple and documented: a question is Chinese when at least
`ZH_SHARE` of its letters are CJK ideographs (each ideograph counts as one letter, as each Latin
letter does; digits, punctuation and spaces do not count). "模板审核要多久" and "DIGITAL_SMS_0001
审核通过了吗" are Chinese; "how long does 签名 review take" is English (2 of 24 letters). A line
with no letters at all (a number, a code) is English.

A question that asks in Chinese grammar around English terms is Chinese too: one with a Chinese
question or function word (`ZH_MARKERS`: 吗, 怎么, 几, 可以 ...), however many Latin letters its
terms have ("怎么 create template", "template 最多几个 frame"), and one whose Latin words are one or
two terms, no more than its ideographs ("SignSource 取值", "CreateDigitalSmsTemplate 参数": an API's
name is a long word, no English sentence). A Chinese term in an English sentence ("how long does
签名 review take") is neither.

A line's language is its words', not its values': an English sentence (it opens with a Latin word,
has two or more, one of them a function word of `EN_FUNCTION_WORDS`) naming a Chinese value
("send 温泉会员日 to 13800138000 with name=Tom", 会 of 会员 being no modal verb there) is English,
however long the value, unless a run of its ideographs asks (`ZH_QUESTION_WORDS`: "... 是什么意思").
A quoted value ("create template “会员日特惠” please") is no word of the line either.
"""

from __future__ import annotations

import os
import re

SETTINGS = ("auto", "en", "zh")
ZH_SHARE = 0.25
# Words only a sentence written in Chinese has: particles, question words, modal verbs, pronouns.
ZH_MARKERS = ("吗", "呢", "吧", "么", "什么", "怎", "如何", "为何", "多少", "多久", "多长", "几", "哪", "是否",
              "能否", "可以", "可不可以", "能不能", "有没有", "是不是", "了", "的", "请", "帮", "我", "你", "要",
              "能", "会", "是", "给", "把", "被", "在", "和", "都", "还", "啥", "咋", "这", "那")


# Words that make a Chinese line a question ("签名审核要多久", "这是什么意思", "可以发视频吗").
ZH_QUESTION_WORDS = ("吗", "呢", "什么", "怎么", "怎样", "如何", "为什么", "为何", "多少", "多久", "多长", "几",
                     "哪", "是否", "能否", "啥", "要好久", "好久能", "好久才能", "好久可以", "？", "?")
# Particles that make a Chinese line a question only at its end ("发到了没", "经理回复了没有", "收到了么"):
# inside a line they are other words ("没问题", "没有签名", "什么").
ZH_QUESTION_ENDS = ("没", "没有", "么")
_CLOSERS = " \t。.!！~～…"
# English function words: one in a line of two or more Latin words that opens with a Latin word makes it an
# English sentence, whose ideographs are values it names (`detect`)
EN_FUNCTION_WORDS = frozenset({"to", "with", "and", "the", "a", "an", "of", "for", "from", "in", "on", "at", "by", "is",
                               "are", "was", "my", "our", "it", "its", "called", "named", "as", "please", "using", "via"})
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|「[^」]*」|『[^』]*』|\'[^\']*\'')
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.'-]*")
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def asks_in_chinese(text: str) -> bool:
    """Whether TEXT is a question written in Chinese: a value typed at a prompt ("签名审核要多久"
    where a signature's name is asked) is then answered, not taken for the value."""
    if detect(text) != "zh":
        return False
    return any(word in text for word in ZH_QUESTION_WORDS) or \
        (len(text.rstrip(_CLOSERS)) > 2 and text.rstrip(_CLOSERS).endswith(ZH_QUESTION_ENDS))


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def detect(text: str) -> str:
    """'zh' when at least ZH_SHARE of TEXT's letters are CJK ideographs, or when it has ideographs
    and a Chinese question or function word (ZH_MARKERS); else 'en'."""
    if text.isascii():  # most lines: no ideograph to count
        return "en"
    if _QUOTED.search(text) and (unquoted := _QUOTED.sub(" ", text)).strip() and unquoted != text:
        return detect(unquoted)   # a quoted value is no word of the line
    if _english_sentence(text):
        return "en"
    cjk = sum(1 for ch in text if _is_cjk(ch))
    if not cjk:
        return "en"
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if cjk / (cjk + latin) >= ZH_SHARE:
        return "zh"
    if any(marker in text for marker in ZH_MARKERS):
        return "zh"
    words = _latin_words(text)
    return "zh" if words <= 2 and cjk >= words else "en"


def _english_sentence(text: str) -> bool:
    """Whether TEXT is an English sentence around the ideographs it has: it opens with a Latin word,
    has two or more, one of them a function word ("send 温泉会员日 to 13800138000 with name=Tom"),
    and no run of its ideographs asks ("what is 数字短信 是什么意思" mixes)."""
    words = _LATIN_WORD.findall(text)
    if len(words) < 2 or not text.lstrip()[:1].isascii() or not text.lstrip()[:1].isalpha():
        return False
    if EN_FUNCTION_WORDS.isdisjoint(w.lower() for w in words):
        return False
    return not any(word in run for run in _CJK_RUN.findall(text) for word in ZH_QUESTION_WORDS)


def _latin_words(text: str) -> int:
    """How many words of Latin letters TEXT has (a code or an API name, "isv.BUSINESS_LIMIT_CONTROL",
    is one: letters, digits, _ and . inside a word keep it one)."""
    count, inside = 0, False
    for ch in text:
        if ch.isascii() and (ch.isalpha() or (inside and (ch.isdigit() or ch in "_."))):
            count += not inside
            inside = True
        else:
            inside = False
    return count


def choose(setting: str | None, text: str = "") -> str:
    """The language to answer TEXT in: SETTING when it names one, else the text's own."""
    setting = (setting or "auto").strip().lower()
    return detect(text) if setting == "auto" else setting


def setting(value: str | None = None) -> str:
    """VALUE, else $ASSISTANT_LANG, else 'auto'; a ValueError names the choices when it is none of them."""
    chosen = (value or os.environ.get("ASSISTANT_LANG") or "auto").strip().lower()
    if chosen not in SETTINGS:
        raise ValueError(f"language '{chosen}' is not one of: {', '.join(SETTINGS)}")
    return chosen


def follow(setting: str | None, text: str, previous: str) -> str:
    """The language of a conversation after line TEXT. A named SETTING wins; with auto, a line in
    Chinese (see `detect`) switches to Chinese and one of at least two English words (of four Latin
    letters in all) to English, while a short answer ("y", "ok", "2"), one word (a name such as
    "AcmeShop", a file, a code) or a slash command keeps the PREVIOUS language."""
    setting = (setting or "auto").strip().lower()
    if setting != "auto":
        return setting
    if text.lstrip().startswith("/"):
        return previous
    if detect(text) == "zh":
        return "zh"
    words = [w for w in text.split() if any(ch.isascii() and ch.isalpha() for ch in w)]
    english = len(words) >= 2 and sum(1 for ch in text if ch.isascii() and ch.isalpha()) >= 4
    return "en" if english else previous
