"""Long scripted sessions through the real `assistant` (piped, in-process), one per role: 200
mixed lines (questions, requests with inline values, yes/no sentences, slash commands, paths,
nonsense), generated from a seeded mix of templates. Not one may end in a traceback or an
internal error, and the session must end normally."""

from __future__ import annotations

import random

import pytest

from assistant.actions import handoff, sending

QUESTIONS = ["how long does signature review take?", "what is td?", "what does isv.BUSINESS_LIMIT_CONTROL mean",
             "is my template approved yet?", "is my signature ready?", "what does that mean?", "how much does it cost?",
             "why did {phone} fail?", "what happened to {phone}?", "how do I enable digital messages",
             "how do I create a template", "what is a digital message", "can I send to Hong Kong numbers?",
             "是否支持退订", "how many numbers per request?", "what's the status of ticket {n}?"]
REQUESTS = ["send {code} to {phone} with name={word}", "send {code} to {phone}, {bad} and {phone2} name={word}",
            "please send the spring sale one to {phone} and {phone}", "submit a signature called {word}",
            "create a template called '{word}'s sale'", "resubmit signature {word}", "enable digital messages",
            "it says '{word} don't know' every time, get me a human", "talk to a person", "tell the manager I resubmitted it",
            "take ticket {n}", "show me my sends", "explain {code}", "status of signature {word}"]
ANSWERS = ["y", "n", "yes please", "no thanks", "sure, go ahead and do it", "no. I want to talk to a person",
           "ok. what do I need to do to start sending?", "maybe", "", "1", "2", "3", "cancel", "ok", "nope."]
SLASH = ["/help", "/status", "/sends", "/inbox", "/queue", "/show {n}", "/claim {n}", "/reply {n} it's done",
         "/resolve {n} fixed, isn't it", "/answer {n} I've resubmitted it", "/handoff it doesn't work",
         "/template {code}", "/template Spring sale", "/signature {word}", "/send {code} {phone} name={word}",
         "/error {code}", "/error", "/account demo", "/hlep", "/send", "/handoff 'unclosed", "/show abc"]
NONSENSE = ["asdf qwer", "???", "12345", "DIGITAL_SMS_9999", "AcmeShop", "Spring sale", "{media}/banner.png",
            "/tmp/nowhere/file", "x" * 1200, "'", "\"", "name=", "=", "send to", "😀", "\x1b[31mred", "0086",
            "null", "{{}}", "[]", "-1", "1e9", "ticket", "y y n n", "no yes"]
KINDS = [QUESTIONS, REQUESTS, ANSWERS, SLASH, NONSENSE]


def script(seed: int, media: str, count: int = 200) -> list[str]:
    """COUNT lines drawn from the mix above, the same for the same SEED."""
    rng = random.Random(seed)
    values = {"code": ["DIGITAL_SMS_0001", "DIGITAL_SMS_0002", "digital_sms_0001", "isv.SMS_TEMPLATE_ILLEGAL"],
              "phone": ["13800138000", "139-1234-5621", "0086 13912345621", "+86 186-1234-5678", "19912345678"],
              "phone2": ["13312345678", "15600001111"], "bad": ["12345", "1381234567", "abc"],
              "word": ["Tom", "AcmeShop", "ready", "Acme Shop!", "I", "O'Brien"], "n": ["1", "2", "99", "x"],
              "media": [media]}
    lines = []
    for _ in range(count):
        template = rng.choice(rng.choice(KINDS))
        lines.append(template.format(**{k: rng.choice(v) for k, v in values.items()}))
    return lines


@pytest.mark.parametrize("role", ["customer", "agent", "manager", "admin"])
def test_a_scripted_session_of_200_mixed_lines_has_no_traceback(run, live, media, db_target, role):
    sending.send(live, "DIGITAL_SMS_0001", [("13800138000", {"name": "Tom"}), ("12345", {"name": "Tom"})])
    handoff.create(live, "the preview is wrong", trigger="asked_for_person")
    lines = script(19 + len(role), str(media["image"]).rsplit("/", 1)[0])
    result = run("--db", db_target, "--now", "2026-03-20T11:00", "--role", role, input="\n".join(lines) + "\n")
    said = result.out + result.err
    assert "Traceback" not in said and "internal error" not in said, said[-3000:]
    assert result.code == 0
