"""Splitting an error line into what was wrong and how to fix it (the service's "hint")."""

from __future__ import annotations

import pytest

from assistant.errors import split_fix


@pytest.mark.parametrize("message, what, fix", [
    ("no template X in account 'demo'; this account has: Y", "no template X in account 'demo'", "this account has: Y"),
    # a "; " inside a parenthesised aside belongs to the aside, not to the split
    ("cannot write the database: the disk is full (free some space; nothing was changed)",
     "cannot write the database: the disk is full", "free some space; nothing was changed"),
    ("cannot listen on h:1: in use; pick another with --port (or stop what is using it)",
     "cannot listen on h:1: in use", "pick another with --port (or stop what is using it)"),
    # the fix is what follows the last "; "
    ("no ticket #0; ticket numbers run from 1; see `assistant handoff list`",
     "no ticket #0; ticket numbers run from 1", "see `assistant handoff list`"),
    # no "; " at all: a closing aside is the fix
    ("the file is read-only (check its permissions, or use a copy you can write)",
     "the file is read-only", "check its permissions, or use a copy you can write"),
    # a Chinese line splits at its full-width "；", a "；" inside full-width parentheses belonging to them
    ("这段对话已经结束（/quit；已保存）；请用 POST /v1/conversations 开始新的对话",
     "这段对话已经结束（/quit；已保存）", "请用 POST /v1/conversations 开始新的对话"),
])
def test_the_fix_is_the_last_part_outside_parentheses(message, what, fix):
    assert split_fix(message) == (what, fix)


@pytest.mark.parametrize("message", ["say who claims the ticket", "nothing to claim;", "(all of it in parentheses)",
                                     "unbalanced (aside; here", ""])
def test_a_line_without_a_clear_fix_has_none(message):
    assert split_fix(message) == (message, None)


def test_a_hinted_error_keeps_the_command_lines_words_and_marks_its_fix_for_other_shells():
    from assistant.errors import UserError, hinted
    from assistant.server import wording

    error = hinted(UserError("no recipients; give mobile numbers or --file FILE"), "no recipients", "recipients")
    assert str(error) == "no recipients; give mobile numbers or --file FILE"
    assert (error.what, error.hint, error.hint_fields) == ("no recipients", "recipients", {})
    assert wording.said(error) == "no recipients; give one or more `phone` fields, or a `file` of recipients"
    column = hinted(UserError("x; name a column 'name' or pass --param name=VALUE"), "x", "column", name="name")
    assert wording.said(column) == "x; name a column 'name' in the file, or give a `param` field name=VALUE"
    plain = UserError("template X not found; check the code")
    assert wording.said(plain) == str(plain)          # an error without a marked fix keeps its words


def test_a_refusal_given_the_services_code_in_front_is_said_as_its_cause_is_the_code_kept():
    from assistant.errors import NotFound, coded, said

    cause = said(NotFound("no signature 'X' in account 'demo'; this account has: AcmeShop"), "signature.not_found",
                 name="X", account="demo", known="AcmeShop")
    error = coded(NotFound(f"isv.SMS_SIGNATURE_ILLEGAL: {cause}", code="isv.SMS_SIGNATURE_ILLEGAL"), cause)
    assert error.said == ("refusal.coded", {"code": "isv.SMS_SIGNATURE_ILLEGAL",
                                            "reason": {"say": "signature.not_found", "fields": cause.said[1]}})
    plain = coded(NotFound("isv.SMS_SIGNATURE_ILLEGAL: gone", code="isv.SMS_SIGNATURE_ILLEGAL"), NotFound("gone"))
    assert plain.said is None
